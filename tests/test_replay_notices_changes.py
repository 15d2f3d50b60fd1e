"""A replayed lint answer (:mod:`lazyimport_codemod.speed.replay`) is never a stale one.

Every test changes something a lint depends on, the way a user would (a module
created where only an explicit path leads, a settings file edited through a
link, a folder link that starts to resolve...), and compares the answer with
what a full ``lazyimport lint --no-cache`` run prints from the same folder.
Projects are dated back (:func:`age`) before the first run; later changes are
made as a user makes them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from lint_runs import Outcome, age, fresh, records, replayed, run

from lazyimport_codemod import __version__
from lazyimport_codemod.speed import replay as command_replay

HAS_SYMLINKS = hasattr(os, "symlink")


def settle(root: Path, *args: str) -> Outcome:
    """Run until a record exists (the first run creates the cache folders, which is a
    change younger than two seconds), then check that the replay agrees."""
    for _ in range(3):
        first = run(*args)
        if records(root):
            break
        age(root)
    assert records(root), "no record written"
    assert first == fresh(*args)
    assert replayed(*args) == first
    return first


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(root / "pyproject.toml", "[tool.lazyimport]\n")
    write(root / "app" / "__init__.py", "")
    write(root / "app" / "embed.py", "import torch\n\n\ndef embed(t):\n    return torch.ones(t)\n")
    (root / ".lazyimport_cache").mkdir()
    age(root)
    monkeypatch.chdir(root)
    return root


# -- bugs ---------------------------------------------------------------------------------


# a command-line folder that the root walk skips (build, venv,
# node_modules, a hidden package, a folder holding pyvenv.cfg or below one) is walked by
# discovery but its folders are not stamped: record() only checks that the path lies textually
# under a root, so a module created there is missed and the old answer replayed
@pytest.mark.parametrize("target", ["build", "venv", "node_modules", ".tools", "env/sub"])
def test_a_module_created_in_a_named_folder_the_root_walk_skips_is_noticed(
        project: Path, target: str) -> None:
    folder = project / target
    write(folder / "one.py", "import torch\n")
    if target.startswith("env"):
        write(project / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    if target == ".tools":
        write(folder / "__init__.py", "")  # else the hidden folder becomes an import root: no record
    age(project)
    first = run(target)
    assert first == fresh(target) and records(project) == []  # fixed by not recording
    write(folder / "two.py", "import torch\n")
    assert run(target) == fresh(target) != first


@pytest.mark.skipif(not HAS_SYMLINKS, reason="no symbolic links")
# a command-line path that is a symlink to a folder outside the project
# is walked through the link, but only its files are stamped (the root walk does not follow
# links): a module created in the target folder is missed and the old answer replayed
def test_a_module_created_behind_a_symlinked_command_line_folder_is_noticed(project: Path) -> None:
    other = project.parent / "other"
    write(other / "one.py", "import torch\n")
    (project / "linked").symlink_to(other, target_is_directory=True)
    age(project)
    age(other)
    first = run("linked")
    assert first == fresh("linked") and records(project) == []  # fixed by not recording
    write(other / "two.py", "import torch\n")
    assert run("linked") == fresh("linked") != first


RUFF_TOML = '[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["pandas"]\n'


# --config FILE named pyproject.toml also reads ruff.toml/.ruff.toml
# beside it (config._ruff_banned), but record() stamps those only on the lookup chain of each
# command-line path, which stops at a nested .git: a ruff.toml added later is missed
def test_a_ruff_toml_beside_the_config_file_behind_a_repository_marker_is_noticed(project: Path) -> None:
    (project / "app" / ".git").mkdir()  # a nested repository (submodule, vendored checkout)
    age(project)
    args = ("--config", "pyproject.toml", "app")
    first = settle(project, *args)
    write(project / "ruff.toml", RUFF_TOML)
    assert run(*args) == fresh(*args) != first


# same as above without any .git: a command-line path in a src root
# outside the project (src = ['../shared']) has a lookup chain that never passes the --config
# file's folder
def test_a_ruff_toml_beside_the_config_file_is_noticed_for_a_path_in_an_outside_src_root(
        project: Path) -> None:
    shared = project.parent / "shared"
    write(shared / "mod.py", "import torch\n\n\ndef f():\n    return torch\n")
    write(project / "pyproject.toml", '[tool.lazyimport]\nsrc = [".", "../shared"]\n')
    age(project)
    age(shared)
    args = ("--config", "pyproject.toml", "../shared")
    first = settle(project, *args)
    write(project / "ruff.toml", RUFF_TOML)
    assert run(*args) == fresh(*args) != first


def _repository_marker(root: Path) -> None:
    (root / "app" / ".git").mkdir()  # a clone/checkout: the settings lookup now stops in app/


def _settings_with_an_old_mtime(root: Path) -> None:
    old = root / "settings.old"  # as mv, cp -p, rsync -t or an unpacked archive leave it
    old.write_text("[tool.lazyimport]\n")
    when = time.time() - 3600
    os.utime(old, (when, when))
    os.replace(old, root / "pyproject.toml")


# record() stamps the settings lookups AFTER the run, not before the
# settings are read; racy() looks at mtime only and presence stamps have none, so a .git that
# appears, or a settings file replaced by one with an old mtime, while lint runs is recorded
# as the state the answer was computed from
@pytest.mark.parametrize("change", [_repository_marker, _settings_with_an_old_mtime],
                         ids=["repository-marker", "settings-with-old-mtime"])
def test_settings_changed_while_lint_runs_are_not_recorded_as_seen(
        project: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]) -> None:
    write(project / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["pandas"]\n')
    age(project)
    original = command_replay.record

    def during(*args: Any, **kwargs: Any) -> None:  # the change lands after the settings were read
        change(project)
        original(*args, **kwargs)

    monkeypatch.setattr(command_replay, "record", during)
    first = run("app")
    monkeypatch.setattr(command_replay, "record", original)
    assert first[0] == 0  # computed with heavy-packages = ["pandas"]
    assert fresh("app")[0] == 1  # the new settings flag torch
    again = replayed("app")
    assert again[0] is None or again == fresh("app")


@pytest.mark.skipif(not HAS_SYMLINKS, reason="no symbolic links")
# shared with the results cache: a dangling symlinked FOLDER (app/lib
# -> ../elsewhere) is neither listed (stamps._matters: is_dir() is False for it) nor refused
# (results_cache._covered: os.path.exists is False, so its stamped parent 'covers' it); when
# its target appears, no stamp changes and the clean answer is replayed
def test_a_dangling_folder_link_that_starts_to_resolve_is_noticed(project: Path) -> None:
    (project / "app" / "lib").symlink_to(project.parent / "elsewhere", target_is_directory=True)
    write(project / "app" / "uses.py", "from app.lib.heavy import load\n\n\ndef f():\n    return load()\n")
    age(project)
    first = run("app")
    assert first == fresh("app") and records(project) == []  # fixed by not storing
    write(project.parent / "elsewhere" / "__init__.py", "")
    write(project.parent / "elsewhere" / "heavy.py", "import torch\n\n\ndef load():\n    return torch\n")
    assert "LI002" in fresh("app")[1]
    assert run("app") == fresh("app") != first


# -- edge cases checked and found correct --------------------------------------------------


@pytest.mark.parametrize("form", ["app/", "./app", "ABS", "app/../app", "--|app", "app|app|app/embed.py"])
def test_every_form_of_a_path_notices_a_module_created_deep_below_it(project: Path, form: str) -> None:
    args = tuple(str(project / "app") if part == "ABS" else part for part in form.split("|"))
    first = settle(project, *args)
    write(project / "app" / "deep" / "er" / "mod.py", "import torch\n")
    assert replayed(*args)[0] is None
    assert run(*args) == fresh(*args) != first


def test_a_folder_holding_pyvenv_cfg_named_on_the_command_line_notices_new_modules_in_it(
        project: Path) -> None:
    write(project / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(project / "env" / "one.py", "import torch\n")
    age(project)
    first = settle(project, "env")  # the root walk stamps env/ before it sees pyvenv.cfg
    write(project / "env" / "two.py", "import torch\n")
    assert run("env") == fresh("env") != first


def test_each_configuration_of_a_command_is_stamped(project: Path) -> None:
    write(project / "lib" / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["pandas"]\n')
    write(project / "lib" / "mod.py", "import torch\nimport pandas\n")
    age(project)
    args = ("app", "lib/mod.py")
    first = settle(project, *args)
    write(project / "lib" / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["torch"]\n')
    assert replayed(*args)[0] is None
    assert run(*args) == fresh(*args) != first


def test_a_src_root_created_after_the_record_is_noticed(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.lazyimport]\nsrc = ["src"]\n')
    write(project / "app" / "use.py", "from helpers import load\n\n\ndef f():\n    return load()\n")
    age(project)
    first = settle(project, "app")
    write(project / "src" / "helpers.py", "import torch\n\n\ndef load():\n    return torch\n")
    assert replayed("app")[0] is None
    assert run("app") == fresh("app") != first


def test_exit_status_2_is_replayed_and_a_fix_is_noticed(project: Path) -> None:
    write(project / "app" / "broken.py", "import torch\ndef (:\n")
    age(project)
    first = settle(project, "--format", "github", "app")
    assert first[0] == 2
    write(project / "app" / "broken.py", "x = 1\n")
    assert replayed("--format", "github", "app")[0] is None
    assert run("--format", "github", "app") == fresh("--format", "github", "app") != first


def test_excluded_folders_do_not_invalidate_and_an_exclude_edit_does(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.lazyimport]\nextend-exclude = ["gen", "app/skip/**"]\n')
    write(project / "app" / "gen" / "old.py", "import torch\n")
    write(project / "app" / "skip" / "old.py", "import torch\n")
    age(project)
    first = settle(project, "app")
    write(project / "app" / "gen" / "new.py", "import torch\n")
    write(project / "app" / "skip" / "deep" / "new.py", "import torch\n")
    assert replayed("app") == fresh("app") == first
    write(project / "pyproject.toml", '[tool.lazyimport]\nextend-exclude = ["gen"]\n')
    assert replayed("app")[0] is None
    assert run("app") == fresh("app") != first


@pytest.mark.skipif(not HAS_SYMLINKS, reason="no symbolic links")
def test_an_edit_to_the_target_of_a_symlinked_pyproject_is_noticed(project: Path) -> None:
    shared = project.parent / "shared.toml"
    shared.write_text('[tool.lazyimport]\nheavy-packages = ["pandas"]\n')
    (project / "pyproject.toml").unlink()
    (project / "pyproject.toml").symlink_to(shared)
    age(project)
    age(project.parent)
    first = settle(project, "app")
    shared.write_text('[tool.lazyimport]\nheavy-packages = ["torch"]\n')
    assert replayed("app")[0] is None
    assert run("app") == fresh("app") != first


def test_two_records_of_one_command_in_two_cache_folders(project: Path) -> None:
    write(project / "lib" / "mod.py", "import torch\nimport pandas\n")
    age(project)
    first = settle(project, "lib")
    write(project / "lib" / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["pandas"]\n')
    (project / "lib" / ".lazyimport_cache").mkdir()
    when = time.time() - 60  # only what was just made: dating the rest back would change its ctime
    for path in ("lib/pyproject.toml", "lib/.lazyimport_cache", "lib"):
        os.utime(project / path, (when, when))
    second = settle(project / "lib", "lib")
    assert second != first and records(project) and records(project / "lib")
    (project / "lib" / "pyproject.toml").unlink()  # back to the first state: its record holds again
    assert replayed("lib") == fresh("lib") == first
    write(project / "lib" / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["torch"]\n')
    assert replayed("lib")[0] is None  # neither record matches
    assert run("lib") == fresh("lib") != second


def test_every_truncation_of_a_record_is_a_miss(project: Path) -> None:
    first = settle(project, "app")
    (name,) = records(project)
    entry = project / ".lazyimport_cache" / f"results-{__version__}" / name
    data = entry.read_bytes()
    for size in range(0, len(data), max(1, len(data) // 200)):
        entry.write_bytes(data[:size])
        assert replayed("app") == (None, "", "")
    assert run("app") == first


def _twins(folder: Path, texts: tuple[str, str]) -> tuple[Path, Path]:
    """Two settings files of one size written in the same clock tick, as one checkout or
    archive leaves them: size, mtime_ns, ctime_ns and mode all agree (Linux stamps files
    with a coarse clock), only the inode differs."""
    assert len(texts[0]) == len(texts[1])
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder / "a.toml", folder / "b.toml"
    when = time.time() - 60
    for _ in range(50):
        first.write_text(texts[0])
        second.write_text(texts[1])
        os.utime(first, (when, when))
        os.utime(second, (when, when))
        a, b = os.stat(first), os.stat(second)
        if (a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_size, b.st_mtime_ns, b.st_ctime_ns):
            return first, second
    pytest.skip("this file system's clock is too fine to write twins")


@pytest.mark.skipif(not HAS_SYMLINKS, reason="no symbolic links")
# a symlinked settings file is stamped through the link (size, mtime,
# ctime, mode of its target, no inode and no lstat of the link): pointing the link at another
# file of the same size written in the same clock tick (ln -sfn) goes unnoticed
def test_a_symlinked_pyproject_pointed_at_another_file_is_noticed(project: Path) -> None:
    pandas, torch = _twins(project.parent / "configs", (
        '[tool.lazyimport]\nheavy-packages = ["pandas"]\n',
        '[tool.lazyimport]\nheavy-packages = ["torch*"]\n'))
    (project / "pyproject.toml").unlink()
    (project / "pyproject.toml").symlink_to(pandas)
    age(project)
    first = settle(project, "app")
    assert first[0] == 0
    link = project / "new-link"
    link.symlink_to(torch)
    os.replace(link, project / "pyproject.toml")  # what `ln -sfn b.toml pyproject.toml` does
    assert run("app") == fresh("app") != first


def test_a_replay_prints_the_same_bytes_as_a_full_run_under_another_stdout_encoding(project: Path) -> None:
    import subprocess
    import sys

    write(project / "app" / "modèle.py", "import torch\n")
    age(project)
    settle(project, "app")
    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONIOENCODING": "ascii:backslashreplace"}

    def lint(*args: str) -> tuple[int, bytes, bytes]:
        done = subprocess.run([sys.executable, "-m", "lazyimport_codemod", "lint", *args],
                              capture_output=True, env=env)
        return done.returncode, done.stdout, done.stderr

    replay = lint("app")
    assert replay == lint("--no-cache", "app")
    assert b"mod\\xe8le.py" in replay[1]
