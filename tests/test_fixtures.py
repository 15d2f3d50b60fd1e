"""Golden cases: ``tests/fixtures/<case>/`` is a tiny project whose ``input.py`` is checked.

Each case holds ``expected.txt`` (lint's text output, paths relative to the
case folder) and ``expected.py`` (what fix makes of ``input.py``; when absent,
fix must leave the file unchanged).  A case about a package ``__init__.py`` names
it, relative to the case folder, in a file ``INPUT``, and keeps ``expected.py``
beside it.  An optional ``case.toml`` sets ``[tool.lazyimport]`` keys for the case.  Every fix result is also checked to
compile, to keep every comment, and to be stable under a second run.

Regenerate with ``LAZYIMPORT_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py``
and read every diff before committing.
"""

from __future__ import annotations

import io
import os
import sys
import tokenize
from pathlib import Path

import pytest

from lazyimport_codemod.cli.output import write_diagnostics
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.pipeline import analyse, check, fix_files
from lazyimport_codemod.settings.config import Config, Overrides, load_config

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "config")
UPDATE = os.environ.get("LAZYIMPORT_UPDATE_FIXTURES") == "1"


def _input(case: Path) -> Path:
    """The checked file: ``input.py``, or the one a file ``INPUT`` names (a package
    ``__init__.py``, which cannot be called ``input.py``)."""
    named = case / "INPUT"
    if named.exists():
        return case / named.read_text(encoding="utf-8").strip()
    (found,) = [p for p in case.rglob("input.py")]
    return found


def _config(case: Path) -> Config:
    """The case folder is the project root, whatever pyproject.toml sits above it."""
    settings = case / "case.toml"
    config = load_config(case, Overrides(config_file=settings if settings.exists() else None))
    return config._replace(root=case.resolve(), src=(case.resolve(),))


def _lint_text(case: Path) -> str:
    buffer = io.StringIO()
    write_diagnostics(check(analyse([_input(case)], _config(case))), "text", buffer)
    return buffer.getvalue()


def compiles(code: bytes, path: Path) -> None:
    """Compiles; or, with ``lazy`` imports before Python 3.15, parses as lint parses it
    (CI's 3.15 run compiles it).  Other tests of fix results use it too."""
    try:
        compile(code, str(path), "exec")
    except SyntaxError:
        if sys.version_info >= (3, 15):
            raise
        parse_source(code)


def _comments(source: bytes) -> list[str]:
    tokens = tokenize.tokenize(io.BytesIO(source).readline)
    return [tok.string for tok in tokens if tok.type == tokenize.COMMENT]


def _check_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with LAZYIMPORT_UPDATE_FIXTURES=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def in_case(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    case = FIXTURES / request.param
    monkeypatch.chdir(case)
    return case


@pytest.mark.parametrize("in_case", CASES, indirect=True)
def test_lint(in_case: Path) -> None:
    _check_golden(in_case / "expected.txt", _lint_text(in_case))


@pytest.mark.parametrize("in_case", CASES, indirect=True)
def test_fix(in_case: Path) -> None:
    source = _input(in_case)
    config = _config(in_case)
    outcome = fix_files([source], config)
    expected = source.with_name("expected.py")
    before = source.read_bytes()
    if not outcome.changes:
        if UPDATE and expected.exists():
            expected.unlink()
        assert not expected.exists(), "fix changed nothing but an expected.py exists"
        return
    ((path, _, after),) = outcome.changes
    assert path == source.resolve()
    _check_golden(expected, after.decode("utf-8"))
    compiles(after, source)
    assert sorted(set(_comments(before))) == sorted(set(_comments(after)) & set(_comments(before)))
    # A second run over the fixed text finds nothing more to change.
    again = fix_files([source], config, contents={source.resolve(): after})
    assert again.changes == []
