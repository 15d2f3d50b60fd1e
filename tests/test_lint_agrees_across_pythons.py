"""Lint gives the same answer on every Python, whatever syntax the files use.

A tree mixing PEP 810 lazy imports (3.15), ``except A, B:`` (3.14), a ``match`` (3.10) and
plain imports is linted by this Python (every CI leg: 3.9, 3.11, 3.13, 3.15) and compared
with one expected output; and, when a Python 3.15 is found here and this is not one, by
that Python too (it needs nothing installed: on 3.15 lint parses all of this with ``ast``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest
from test_fix_behaviour import write_tree

REPO = Path(__file__).resolve().parent.parent

TREE = {
    "pyproject.toml": """
        [tool.lazyimport]
        heavy-packages = ["torch", "pandas", "numpy"]
        target-version = "py315"
    """,
    "app/__init__.py": "",
    "app/models.py": """
        lazy import torch  # used in a decorator: resolved at import time anyway
        import pandas
        lazy from app import features

        try:
            LIMIT = int("5")
        except ValueError, TypeError:
            LIMIT = 0


        @torch.jit.script
        def score(x):
            return pandas.Series(features.of(x))
    """,
    "app/features.py": """
        __lazy_modules__ = ["numpy"]
        import numpy


        def of(x):
            match x:
                case [first, *_]:
                    return numpy.array([first])
                case _:
                    return numpy.array([])
    """,
    "app/routes.py": """
        from app.models import score
        lazy from app.features import of


        def handle(x):
            return score(x), of(x)
    """,
}

EXPECTED = """\
app/models.py:1:1: LI003 lazy import of heavy package `torch` is resolved while the module is imported; cannot defer: `torch` is used at import time at line 11 (decorator)
app/models.py:2:1: LI001 heavy package `pandas` is imported at module level; fix marks the import `lazy` (PEP 810)
app/routes.py:1:1: LI002 `app.models` eagerly imports `pandas` and 1 more (torch) (app.routes -> app.models -> pandas); fix marks the import `lazy` (PEP 810) (unsafe: importing `app.models` runs a decorator (torch.jit.script) at app/models.py:11, which deferring would postpone; applied with --unsafe-fixes)
"""


def _lint(python: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([python, "-m", "lazyimport_codemod", "lint", "--no-cache", "app"], cwd=root,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write_tree(tmp_path, TREE)
    return tmp_path


def test_this_python_gives_the_expected_answer(tree: Path) -> None:
    result = _lint(sys.executable, tree)
    assert result.stdout == EXPECTED, result.stderr
    assert result.returncode == 1


def _python_315() -> Optional[str]:
    """A Python 3.15: $LAZYIMPORT_PYTHON315, python3.15 on PATH, or where .ci/python3.15 puts it."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    ci_copy = os.environ.get("LAZYIMPORT_CI_PY315") or os.path.join(cache, "lazyimport-ci", "python3.15")
    for candidate in (os.environ.get("LAZYIMPORT_PYTHON315"), shutil.which("python3.15"),
                      os.path.join(ci_copy, "bin", "python3.15")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def test_python_315_gives_the_same_answer_as_this_python(tree: Path) -> None:
    if sys.version_info >= (3, 15):
        pytest.skip("this is Python 3.15: the test above compares it with the expected answer")
    python = _python_315()
    if python is None:
        pytest.skip("no Python 3.15 here (set LAZYIMPORT_PYTHON315, or run .ci/python3.15); "
                    "CI's 3.15 leg checks the same answer with the test above")
    ours, theirs = _lint(sys.executable, tree), _lint(python, tree)
    assert theirs.stdout == ours.stdout == EXPECTED, textwrap.indent(theirs.stderr, "    ")
    assert theirs.returncode == ours.returncode == 1
