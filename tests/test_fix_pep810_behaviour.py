"""Fixed with PEP 810 forms, apps behave as before and import light, in fresh interpreters.

``fix --strategy lazy --target-version py315`` writes ``lazy`` imports, which only Python 3.15
runs: those tests are skipped on older Pythons and run in CI's 3.15 leg.  ``__lazy_modules__``
(strategy ``lazy-modules``) runs everywhere: eager before 3.15, lazy on it.

The FastAPI app below has routers reaching heavy packages through services, a package
facade, heavy names in plain annotations and in ``__all__``; its fake heavy packages record
their import in a log, so the test sees what loaded and when.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_example_app import _lazyimport as lazyimport_in_examples
from test_example_app import _observe as observe_example
from test_fix_behaviour import lazyimport, write_tree

PY315 = sys.version_info >= (3, 15)
needs_315 = pytest.mark.skipif(not PY315, reason="runs code fixed with PEP 810 `lazy` imports: Python 3.15+ only")
REPO = Path(__file__).resolve().parent.parent
HEAVY = ("heavyframe", "heavynum", "heavytorch")


def _fake_heavy(name: str, body: str) -> str:
    return f"""
        import os
        with open(os.environ["HEAVY_LOG"], "a") as log:
            log.write("{name}\\n")
        {textwrap.dedent(body).strip().replace(chr(10), chr(10) + " " * 8)}
    """


SITE = {
    "heavytorch/__init__.py": _fake_heavy("heavytorch", """
        def encode(text):
            return [float(ord(c) % 7) for c in text]
    """),
    "heavyframe/__init__.py": _fake_heavy("heavyframe", """
        class Frame(list):
            pass

        def describe(frame):
            return sum(frame) / len(frame)

        def size(frame):
            return len(frame)
    """),
    "heavynum/__init__.py": _fake_heavy("heavynum", """
        def total(values):
            return sum(values)
    """),
}

APP = {
    "pyproject.toml": """
        [project]
        name = "shop"
        requires-python = ">=3.10"

        [tool.lazyimport]
        heavy-packages = ["heavytorch", "heavyframe", "heavynum"]
    """,
    "shop/__init__.py": "",
    "shop/schemas.py": """
        from pydantic import BaseModel


        class Query(BaseModel):
            text: str
            top: int = 3
    """,
    "shop/services/__init__.py": """
        from shop.services.stats import total  # a facade: importing the package runs stats
    """,
    "shop/services/stats.py": """
        import heavynum


        def total(values: list) -> float:
            return heavynum.total(values)
    """,
    "shop/services/embed.py": """
        \"\"\"Embeddings.\"\"\"
        from __future__ import annotations

        import json, heavytorch  # one statement: only heavytorch becomes lazy

        __all__ = ["embed_text", "heavytorch"]


        def embed_text(text: str) -> list:
            return heavytorch.encode(json.loads(json.dumps(text)))
    """,
    "shop/routers/__init__.py": "",
    "shop/routers/health.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/health")
        def health() -> dict:
            return {"ok": True}
    """,
    "shop/routers/search.py": """
        from fastapi import APIRouter

        from shop.schemas import Query
        from shop.services.embed import embed_text

        router = APIRouter(prefix="/search")


        @router.post("/")
        def search(query: Query) -> dict:
            return {"vector": embed_text(query.text)[: query.top]}
    """,
    "shop/routers/reports.py": """
        from fastapi import APIRouter

        import heavyframe as hf
        from heavyframe import Frame, describe
        from shop.services import total

        router = APIRouter(prefix="/reports")


        def as_frame(values: str) -> Frame:  # a plain annotation: Python 3.14+ leaves it unevaluated
            return Frame(float(v) for v in values.split(","))


        @router.get("/summary")
        def summary(values: str) -> dict:
            frame = as_frame(values)
            return {"mean": describe(frame), "n": hf.size(frame), "total": total(frame)}
    """,
    "shop/main.py": """
        from fastapi import FastAPI

        from shop.routers import health, reports, search

        app = FastAPI(title="shop")
        for module in (health, reports, search):
            app.include_router(module.router)
    """,
}

PROBE = """
    import json, os, sys
    from fastapi.testclient import TestClient
    from shop.main import app
    with open(os.environ["HEAVY_LOG"]) as log:
        at_import = log.read().split()
    client = TestClient(app)
    answers = [
        client.get("/health").json(),
        client.get("/reports/summary", params={"values": "1,2,4.5"}).json(),
        client.post("/search/", json={"text": "hello", "top": 2}).json(),
        client.post("/search/", json={"text": 5}).status_code,
    ]
    with open(os.environ["HEAVY_LOG"]) as log:
        after_requests = sorted(set(log.read().split()))
    print(json.dumps({"at_import": sorted(at_import), "after_requests": after_requests,
                      "answers": answers, "openapi": app.openapi()}))
"""


def observe(project: Path, site: Path) -> dict[str, object]:
    log = project / "heavy.log"
    log.write_text("")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site)]), "HEAVY_LOG": str(log)}
    env.pop("PYTHON_LAZY_IMPORTS", None)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE)], cwd=project,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    site, project = tmp_path / "site", tmp_path / "proj"
    write_tree(site, SITE)
    write_tree(project, APP)
    return project, site


def _fix(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = lazyimport(project, "fix", *options, "shop")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr  # files changed
    assert "All checks passed" in result.stderr, result.stdout  # nothing left
    again = lazyimport(project, "fix", *options, "shop")
    assert again.returncode == 0, again.stdout + again.stderr  # a second run changes nothing
    return result


@needs_315
def test_fix_lazy_makes_the_fastapi_app_import_light_and_answer_the_same(shop: tuple[Path, Path]) -> None:
    project, site = shop
    before = observe(project, site)
    assert before["at_import"] == list(HEAVY)

    _fix(project, "--strategy", "lazy", "--target-version", "py315")
    sources = {path.relative_to(project).as_posix(): path.read_text() for path in project.rglob("*.py")}
    assert "lazy import heavynum" in sources["shop/services/stats.py"]
    assert "import json  # one statement: only heavytorch becomes lazy\nlazy import heavytorch\n" in sources[
        "shop/services/embed.py"]
    assert "lazy import heavyframe as hf\nlazy from heavyframe import Frame, describe" in sources[
        "shop/routers/reports.py"]
    assert sources["shop/routers/search.py"] == textwrap.dedent(APP["shop/routers/search.py"]).lstrip("\n")

    after = observe(project, site)
    assert after["at_import"] == []
    assert after["after_requests"] == before["after_requests"] == list(HEAVY)
    assert after["answers"] == before["answers"]
    assert after["openapi"] == before["openapi"]


def test_fix_lazy_modules_keeps_the_answers_on_any_python_and_is_light_on_315(shop: tuple[Path, Path]) -> None:
    project, site = shop
    before = observe(project, site)
    _fix(project, "--strategy", "lazy-modules")
    assert '__lazy_modules__ = ["heavytorch"]' in (project / "shop/services/embed.py").read_text()
    after = observe(project, site)
    assert after["at_import"] == ([] if PY315 else list(HEAVY))
    assert after["answers"] == before["answers"]
    assert after["openapi"] == before["openapi"]


@needs_315
def test_fix_lazy_on_the_example_app(tmp_path: Path) -> None:
    """The README's example, fixed for a 3.15 target: `lazy` imports, the same answers and
    schema, and only sklearn loads at import (its router builds a model while imported, which
    lint explains)."""
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    before = observe_example(examples)
    fixed = lazyimport_in_examples(examples, "fix", "--strategy", "lazy", "--target-version", "py315", "slowapp")
    assert fixed.returncode == 1 and "Fixed 3 files" in fixed.stderr, fixed.stderr
    assert "lazy import torch" in (examples / "slowapp/services/embed.py").read_text()
    after = observe_example(examples)
    assert after["loaded"] == ["sklearn"]
    assert after["answers"] == before["answers"]
    assert after["openapi"] == before["openapi"]
    verify = lazyimport_in_examples(examples, "verify", "--allow", "sklearn", "slowapp.main")
    assert verify.returncode == 0, verify.stdout + verify.stderr
