"""verify and profile with PEP 810: they work on code with ``lazy`` imports (Python 3.15), and say
so when ``-X lazy_imports`` or ``PYTHON_LAZY_IMPORTS`` is set for the interpreter they run.

The reporting runs on every Python (an older one is said to have no lazy imports); what only
3.15 can run is skipped elsewhere, and runs in CI's 3.15 leg.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fake_packages import FakeProject, make_fake_project

from lazyimport_codemod.checks.lazy_mode import LazyImports, note
from lazyimport_codemod.cli.check_commands import profile_command, verify_command

PY315 = sys.version_info >= (3, 15)
needs_315 = pytest.mark.skipif(not PY315, reason="runs code with PEP 810 lazy imports: Python 3.15+ only")
PYTHON = ".".join(map(str, sys.version_info[:3]))


def invoke(command: object, *args: str) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(command, list(args), catch_exceptions=False)  # type: ignore[arg-type]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    monkeypatch.delenv("PYTHON_LAZY_IMPORTS", raising=False)
    return make_fake_project(tmp_path, monkeypatch)


def _expected_note(setting: str) -> str:
    if PY315:
        return (f"note: lazy imports mode 'all' ({setting}): imports not marked lazy load on first use too, "
                "so this loads less than a start without it")
    return f"note: {setting} is set, but Python {PYTHON} has no lazy imports: every import was eager"


def _wrapper(tmp_path: Path, option: str) -> str:
    """An interpreter that runs this Python with ``-X option``, as --python may name one."""
    script = tmp_path / "python-with-option"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -X {option} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


# -- the note --------------------------------------------------------------------------


def test_no_note_when_nothing_is_set(project: FakeProject) -> None:
    verify_result = invoke(verify_command, "app.routers.search", "--format", "json")
    (report,) = json.loads(verify_result.stdout)
    assert report["lazy_imports"]["option"] is None and report["lazy_imports"]["environment"] is None
    assert report["lazy_imports"]["mode"] == ("normal" if PY315 else None)
    assert "note:" not in invoke(verify_command, "app.routers.search").stdout
    assert "note:" not in invoke(profile_command, "app.routers.search", "--repeat", "1").stdout


def test_verify_and_profile_say_when_the_environment_sets_lazy_imports(
    project: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_LAZY_IMPORTS", "all")
    verify_result = invoke(verify_command, "app.routers.search")
    assert f"app.routers.search: {_expected_note('PYTHON_LAZY_IMPORTS=all')}" in verify_result.stdout.splitlines()
    profile_result = invoke(profile_command, "app.routers.search", "--repeat", "1")
    assert profile_result.stdout.splitlines()[1] == _expected_note("PYTHON_LAZY_IMPORTS=all")
    (report,) = json.loads(invoke(verify_command, "app.routers.search", "--format", "json").stdout)
    assert report["lazy_imports"] == {"mode": "all" if PY315 else None, "option": None, "environment": "all"}
    document = json.loads(invoke(profile_command, "app.routers.search", "--repeat", "1", "--format", "json").stdout)
    assert document["lazy_imports"] == report["lazy_imports"]


@pytest.mark.skipif(os.name != "posix", reason="the wrapper interpreter is a shell script")
def test_verify_and_profile_say_when_the_interpreter_runs_with_x_lazy_imports(
    project: FakeProject, tmp_path: Path
) -> None:
    python = _wrapper(tmp_path, "lazy_imports=all")
    verify_result = invoke(verify_command, "app.routers.search", "--python", python)
    assert f"app.routers.search: {_expected_note('-X lazy_imports=all')}" in verify_result.stdout.splitlines()
    profile_result = invoke(profile_command, "app.routers.search", "--repeat", "1", "--python", python)
    assert profile_result.stdout.splitlines()[1] == _expected_note("-X lazy_imports=all")


def test_the_note_for_each_setting() -> None:
    assert note(None) is None
    assert note(LazyImports("normal", None, None)) is None
    assert note(LazyImports("normal", "normal", None)) == (
        "note: lazy imports mode 'normal' (-X lazy_imports=normal): only imports marked lazy load on first use")
    assert note(LazyImports("normal", "normal", "all"), "3.15.2") == (
        "note: lazy imports mode 'normal' (-X lazy_imports=normal and PYTHON_LAZY_IMPORTS=all): "
        "only imports marked lazy load on first use")
    assert LazyImports.read({"mode": None, "option": "all"}) == LazyImports(None, "all", None)
    assert LazyImports.read(None) is None


# -- Python 3.15 ---------------------------------------------------------------------


@needs_315
def test_verify_runs_an_app_under_lazy_imports_all(project: FakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """In mode 'all', 3.15's import system passes the import hook more than before; the chain's
    lines are then those of the first use."""
    assert invoke(verify_command, "app.main").exit_code == 1  # fakeheavy, eagerly
    monkeypatch.setenv("PYTHON_LAZY_IMPORTS", "all")
    result = invoke(verify_command, "app.main")
    assert result.exit_code == 0, result.stdout + result.stderr  # embed() is never called at import


@needs_315
def test_verify_follows_lazy_imports_as_written(project: FakeProject) -> None:
    project.write("app/lazy_unused.py", "lazy import fakeheavy\nlazy from fakeheavy import core\n")
    project.write("app/lazy_used.py", "lazy from fakeheavy import core\n\nVALUE = core.VALUE\n")
    assert invoke(verify_command, "app.lazy_unused").exit_code == 0
    result = invoke(verify_command, "app.lazy_used")
    assert result.exit_code == 1
    assert "app.lazy_used -> fakeheavy (app/lazy_used.py:3)" in result.stdout  # the line that used it
    profile = invoke(profile_command, "app.lazy_used", "--repeat", "1")
    assert profile.exit_code == 0 and "fakeheavy" in profile.stdout
