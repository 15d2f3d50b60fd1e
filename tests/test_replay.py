"""A repeated ``lazyimport lint`` command is answered from its record only while a full run
would print the same.

Every check compares with ``--no-cache`` (a full analysis that neither reads nor
writes anything).  Projects are dated back (:func:`age`) before the first run,
since stamps younger than two seconds are never trusted; after that, changes
are made as a user makes them and must be noticed by the stamps alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from lint_runs import age, fresh, records, replayed, run, write_project

from lazyimport_codemod.speed import replay as command_replay

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write_project(root)
    age(root)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("args", [
    ("app",),
    ("--format", "json", "app"),
    ("--format=github", "-q", "app/search.py"),
    ("--extend-heavy-packages", "pandas", "app/services", "app/search.py"),
    (),
])
def test_a_repeated_command_is_replayed_exactly(project: Path, args: tuple[str, ...]) -> None:
    first = run(*args)
    assert first[0] == 1 and first == fresh(*args)
    assert len(records(project)) == 1
    assert replayed(*args) == first
    assert run(*args) == first


def test_a_replay_imports_nothing_but_the_launcher(project: Path) -> None:
    run("app")
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: open('modules.txt', 'w').write(' '.join(sorted(\n"
        "    m for m in sys.modules if m.startswith('lazyimport_codemod')))))\n"
        "from lazyimport_codemod.cli.entry import main\n"
        "main(['lint', 'app'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout) == (1, run("app")[1])
    loaded = (project / "modules.txt").read_text().split()
    assert loaded == ["lazyimport_codemod", "lazyimport_codemod.cli", "lazyimport_codemod.cli.entry", "lazyimport_codemod.files",
                      "lazyimport_codemod.speed", "lazyimport_codemod.speed.replay",
                      "lazyimport_codemod.speed.stamps"]


def _edit_keeping_size(root: Path) -> None:
    embed = root / "app" / "services" / "embed.py"
    embed.write_text(embed.read_text().replace("import torch", "import tarch"))


def _new_module(root: Path) -> None:
    (root / "app" / "services" / "extra.py").write_text("import pandas\n")


def _new_settings(root: Path) -> None:
    (root / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["pandas"]\n')


def _nested_project(root: Path) -> None:
    (root / "app" / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["tarch"]\n')


def _ruff_list(root: Path) -> None:
    (root / "ruff.toml").write_text('[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["pandas"]\n')


def _repository_marker(root: Path) -> None:
    (root / "app" / ".git").mkdir()  # the settings lookup now stops in app/


def _virtual_environment(root: Path) -> None:
    (root / "app" / "services" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # discovery skips it


def _link_to_real_folder(root: Path) -> None:
    (root / "app" / "linked").unlink()
    (root / "app" / "linked").mkdir()
    (root / "app" / "linked" / "mod.py").write_text("import torch\n")


def _link_target_appears(root: Path) -> None:
    (root.parent / "elsewhere.py").write_text("import torch\n")  # no stamped folder changes


CHANGES: dict[str, Callable[[Path], None]] = {
    "a file edited, same size": _edit_keeping_size,
    "a new module elsewhere in the project": _new_module,
    "the settings edited": _new_settings,
    "a nearer pyproject.toml with settings": _nested_project,
    "a ruff.toml beside the settings": _ruff_list,
    "a repository root below the settings": _repository_marker,
    "a folder turned into a virtual environment": _virtual_environment,
    "a linked folder replaced by a real one": _link_to_real_folder,
    "a dangling module link that resolves": _link_target_appears,
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
def test_a_change_makes_the_command_run_again(project: Path, change: Callable[[Path], None]) -> None:
    if hasattr(os, "symlink"):
        (project / "app" / "linked").symlink_to(project / "app" / "services", target_is_directory=True)
        (project / "app" / "late.py").symlink_to(project.parent / "elsewhere.py")  # dangling for now
        age(project)
    elif "link" in change.__name__:
        pytest.skip("no symbolic links here")
    first = run("app")
    assert records(project)
    change(project)
    assert replayed("app") == (None, "", "")
    after = run("app")
    assert after == fresh("app")
    assert after != first or change in (_repository_marker, _link_to_real_folder)


def test_a_deleted_path_is_reported_not_replayed(project: Path) -> None:
    run("app/search.py")
    (project / "app" / "search.py").unlink()
    assert replayed("app/search.py")[0] is None
    assert run("app/search.py") == fresh("app/search.py")


def test_the_current_folder_is_part_of_the_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(".")
    monkeypatch.chdir(project / "app")
    assert replayed(".")[0] is None  # paths are printed relative to the current folder
    assert run(".") == fresh(".")


def test_a_record_is_found_from_a_folder_above_the_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.parent)
    first = run("proj/app")
    assert records(project) and first == fresh("proj/app")
    assert replayed("proj/app") == first


def test_no_cache_neither_records_nor_replays(project: Path) -> None:
    fresh("app")
    assert records(project) == []
    run("app")
    (project / "app" / "services" / "embed.py").write_text("import pandas\n")
    age(project)  # the edit now looks as old as the stamps: only --no-cache sees it
    assert "pandas" in fresh("app")[1]


def test_a_run_with_recent_changes_records_nothing(project: Path) -> None:
    (project / "app" / "new.py").write_text("x = 1\n")
    run("app")
    assert records(project) == []


def test_a_path_outside_the_project_records_nothing(project: Path) -> None:
    other = project.parent / "other"
    other.mkdir()
    (other / "mod.py").write_text("import torch\n")
    age(other)
    args = ("--config", "pyproject.toml", "../other")
    first = run(*args)
    assert records(project) == []  # files created in ../other would go unnoticed
    (other / "new.py").write_text("import pandas\n")
    assert run(*args) == fresh(*args) != first


def test_a_damaged_record_is_a_miss(project: Path) -> None:
    first = run("app")
    (name,) = records(project)
    (project / ".lazyimport_cache" / "results-0.1.0" / name).write_bytes(b"\x80\x05garbage")
    assert replayed("app") == (None, "", "")
    assert run("app") == first
    assert replayed("app") == first  # written again


def test_a_folder_changed_by_another_tool_is_listed_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run("app")
    (project / ".ruff_cache").mkdir()  # the project folder's mtime changes, not its modules
    when = time.time() - 10
    os.utime(project, (when, when))  # ...and that change is no longer "racy"
    assert replayed("app") == first  # listed the folder, kept its new stamp

    def no_listing(folder: str) -> tuple[str, ...]:
        raise AssertionError(f"{folder} listed again")

    monkeypatch.setattr(command_replay, "current", lambda item, listings: (
        item if item[0] != str(project) or os.stat(project).st_mtime_ns == item[2] else no_listing(item[0])))
    assert replayed("app") == first


def test_the_settings_files_stamped_are_those_the_lookup_reads() -> None:
    from lazyimport_codemod.settings import config

    assert command_replay._CONFIG_FILES == ("pyproject.toml", *config._RUFF_FILES)
    assert command_replay._VCS_MARKERS == config._VCS_MARKERS
