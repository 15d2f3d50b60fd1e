"""The hooks in .pre-commit-hooks.yaml work through the real ``pre-commit try-repo``.

Slow (pre-commit builds a virtual environment and installs this package into
it), so it is marked ``slow``; CI runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "user"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "heavy.py").write_text("import pandas as pd\n\n\ndef f():\n    return pd.DataFrame()\n")
    (repo / "light.py").write_text("import json\n")
    _git(repo, "add", ".")
    return repo


def _try_repo(user_repo: Path, hook: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # The test environment's own pre-commit first: CI runs .venv/bin/python without activating.
    beside = Path(sys.executable).with_name("pre-commit")
    pre_commit = str(beside) if beside.exists() else shutil.which("pre-commit") or "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(
        [pre_commit, "try-repo", str(REPO), hook, "--all-files"],
        cwd=user_repo, capture_output=True, text=True, env=env, timeout=600,
    )


def test_lint_hook_reports(user_repo: Path, tmp_path: Path) -> None:
    result = _try_repo(user_repo, "lazyimport-lint", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "heavy.py:1:1: LI001 heavy package `pandas`" in result.stdout


def test_fix_hook_rewrites(user_repo: Path, tmp_path: Path) -> None:
    result = _try_repo(user_repo, "lazyimport-fix", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    fixed = (user_repo / "heavy.py").read_text()
    assert fixed.startswith("\n\ndef f():\n    import pandas as pd\n") or "import pandas as pd\n" in fixed.split("def f():")[1]
    assert (user_repo / "light.py").read_text() == "import json\n"
