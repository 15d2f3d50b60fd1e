"""The README's story on examples/slowapp, end to end: lint, fix, same answers, verify.

The example's heavy packages are the stand-ins in examples/stubs (they sleep
like the real ones), so importing the app takes about 3.7 s before the fix;
this is the one slow-ish test that proves the whole promise on a real app.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
    import json, sys
    from fastapi.testclient import TestClient
    from slowapp.main import app
    heavy = ("torch", "transformers", "pandas", "matplotlib", "sklearn")
    loaded = sorted(m for m in heavy if m in sys.modules)
    client = TestClient(app)
    answers = [
        client.get("/health").json(),
        client.get("/reports/summary", params={"values": "1,2,4"}).json(),
        client.get("/plots/line").json(),
        client.get("/plots/backend").json(),
        client.get("/scoring/score", params={"x": 2}).json(),
        client.get("/search/", params={"q": "hello"}).json(),
    ]
    print(json.dumps({"loaded": loaded, "answers": answers, "openapi": app.openapi()}))
"""


def _env(examples: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(examples / "stubs"), str(examples), str(REPO)])}


def _observe(examples: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE)], cwd=examples,
                            capture_output=True, text=True, env=_env(examples), timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _lazyimport(examples: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lazyimport_codemod", *args], cwd=examples,
                          capture_output=True, text=True, env=_env(examples), timeout=120)


def test_fix_makes_the_example_light_and_keeps_its_answers(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    before = _observe(examples)
    assert before["loaded"] == ["matplotlib", "pandas", "sklearn", "torch", "transformers"]

    fixed = _lazyimport(examples, "fix", "slowapp")
    assert fixed.returncode == 1, fixed.stderr  # files changed, sklearn left
    assert "Fixed 3 files" in fixed.stderr

    after = _observe(examples)
    assert after["loaded"] == ["sklearn"]  # pinned at import time, and lint says why
    assert after["answers"] == before["answers"]
    assert after["openapi"] == before["openapi"]

    lint = _lazyimport(examples, "lint", "slowapp")
    assert lint.returncode == 1
    assert all("cannot defer" in line for line in lint.stdout.splitlines())
    assert "`LinearRegression` is used at import time at line 9" in lint.stdout

    verify = _lazyimport(examples, "verify", "--format", "json", "slowapp.main")
    assert verify.returncode == 1
    (report,) = json.loads(verify.stdout)
    assert [h["package"] for h in report["heavy"]] == ["sklearn"]
    assert _lazyimport(examples, "verify", "--allow", "sklearn", "slowapp.main").returncode == 0
