"""A stored lint result (:mod:`lazyimport_codemod.speed.results_cache`) is never a stale one,
and lint's own argument reader reads what click reads.

Every test compares what a run prints with what ``lazyimport lint --no-cache``
(or click) would print, after a change a user could make.

A note on dates: files and folders younger than two seconds are never stored
("racy" stamps), so each project is dated back with :func:`age` *before* the
first run.  After that first run nothing is dated back again: a later change
must be noticed by the stamps as a user would leave them.
"""

from __future__ import annotations

import errno
import io
import marshal
import os
import pickle
import subprocess
import sys
import types
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Iterator, Optional

import click
import pytest
from lint_runs import age

from lazyimport_codemod import __version__
from lazyimport_codemod import pipeline as engine
from lazyimport_codemod.cli.commands import lint as click_lint
from lazyimport_codemod.cli.lint import run_lint
from lazyimport_codemod.cli.options import LintOptions, parse_lint_args
from lazyimport_codemod.settings.config import Overrides, clear_caches, load_config
from lazyimport_codemod.settings.discovery import discover_files
from lazyimport_codemod.speed import results_cache

REPO = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# -- helpers ---------------------------------------------------------------------------


def lint(*args: str, cache: bool = True, **options: Any) -> tuple[int, str, str]:
    """``lazyimport lint ARGS`` in process: (status, stdout, stderr)."""
    clear_caches()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run_lint(LintOptions(tuple(Path(a) for a in args), no_cache=not cache, **options))
    return code, out.getvalue(), err.getvalue()


def fresh(*args: str, **options: Any) -> tuple[int, str, str]:
    return lint(*args, cache=False, **options)


def results_folder(project: Path) -> Path:
    return project / ".lazyimport_cache" / f"results-{__version__}"


def entries(project: Path) -> list[str]:
    folder = results_folder(project)
    if not folder.is_dir():
        return []
    return sorted(name for name in os.listdir(folder) if not name.startswith((".", "settings-")))


def click_options(args: list[str]) -> Optional[LintOptions]:
    """What click makes of ``lazyimport lint ARGS``, or None when click would refuse them."""
    try:
        with click_lint.make_context("lint", list(args)) as ctx:
            params: dict[str, Any] = ctx.params
    except click.exceptions.Exit:
        return None
    except click.UsageError:
        return None
    return LintOptions(**params)


class AnalyseCounter:
    """Counts real analyses, so a test can tell a replay from a fresh run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = engine.analyse

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "analyse", counting)


SEARCH = "from app.services.embed import embed\n\n\ndef search(q):\n    return embed(q)\n"
EMBED = "import torch\n\n\ndef embed(t):\n    return torch.ones(len(t))\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``app.search -> app.services.embed -> torch``: one LI001 and one LI002."""
    root = tmp_path / "proj"
    (root / "app" / "services").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "services" / "__init__.py").write_text("")
    (root / "app" / "services" / "embed.py").write_text(EMBED)
    (root / "app" / "search.py").write_text(SEARCH)
    age(root)
    monkeypatch.chdir(root)
    return root


def lazy_import_project(root: Path, pyproject: str, import_line: str) -> None:
    """A project whose ``app/search.py`` imports a module that does not exist yet."""
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "search.py").write_text(f"{import_line}\n\n\ndef f():\n    return 1\n")


# ======================================================================================
# Changes outside the files linted
# ======================================================================================


@pytest.mark.parametrize("pyproject, folder", [
    ('[tool.lazyimport]\nexclude = ["app/generated"]\n', "generated"),  # excluded by config
    ("[tool.lazyimport]\n", "node_modules"),  # skipped by the walk's built-in rules
])
def test_module_created_in_an_unwalked_folder_is_noticed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyproject: str, folder: str) -> None:
    """``app/search.py`` does ``from app.<folder> import steps``; the folder
    exists (a namespace package: generated code, build helpers) but ``steps.py`` does not yet.

    The import still resolves through the folder: ``Project.locate`` looks in every
    folder under the roots, excluded or not.  But ``ResultsCache.stamp`` only stamps
    what ``discover_tree`` walks, and the walk never enters a folder excluded by the
    config nor one with a built-in skipped name (``node_modules``, ``venv``, hidden
    folders, ...).  Creating ``steps.py`` changes only that unstamped folder's mtime,
    nothing was *read* outside the stamped tree on the first run (the module did not
    exist), so the first run was stored and is replayed: "All checks passed" where a
    fresh run reports LI002 for ``torch``.

    Fix: stamp the folders ``locate`` looked into (or every folder under the roots,
    including excluded/skipped ones, without collecting their files), or refuse to
    store when a lookup touched an unstamped folder.
    """
    root = tmp_path / "proj"
    lazy_import_project(root, pyproject, f"from app.{folder} import steps")
    (root / "app" / folder).mkdir()
    (root / "app" / folder / "README").write_text("generated code lands here\n")
    age(root)
    monkeypatch.chdir(root)
    assert lint("app/search.py")[0] == 0
    assert entries(root) == [], "the run looked a module up in an unstamped folder"

    (root / "app" / folder / "steps.py").write_text("import torch\n")
    expected = fresh("app/search.py")
    assert expected[0] == 1 and "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


def test_module_created_behind_a_symlinked_folder_is_noticed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``app/plugins`` is a symlink to a shared folder (a monorepo
    pattern); ``app/search.py`` does ``from app.plugins import vision``.

    The walk does not follow symlinked folders (by design, to avoid cycles), so
    nothing behind the link is stamped, while ``Project.locate`` does follow the
    link.  When the module is created in the link's target, no stamped file or folder
    changes (the link itself and ``app/`` are untouched), and the stored "clean"
    result is replayed although a fresh run reports LI002.

    Fix: stamp the folders ``locate`` consulted (resolved), or treat a symlinked folder
    under a root as "outside the stamped tree" and store nothing.
    """
    base = tmp_path
    root, shared = base / "proj", base / "shared_plugins"
    lazy_import_project(root, "[tool.lazyimport]\n", "from app.plugins import vision")
    shared.mkdir()
    (shared / "README").write_text("namespace package, no __init__.py\n")
    os.symlink(shared, root / "app" / "plugins")
    age(base)
    monkeypatch.chdir(root)
    assert lint("app/search.py")[0] == 0
    assert entries(root) == [], "the run looked a module up in an unstamped folder"

    (shared / "vision.py").write_text("import torch\n")
    expected = fresh("app/search.py")
    assert expected[0] == 1 and "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


def test_src_root_created_after_the_run_is_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``src = [".", "../lib"]``: an import root outside the project folder
    that does not exist yet (a sibling checkout, a generated folder).

    ``stamp()`` skips a root that is not a folder (``if os.path.isdir(root)``) and stamps
    nothing in its place; the folder that will hold it (``..``) is not under any root,
    so creating ``../lib/helpers.py`` changes no stamp.  The stored result (``helpers``
    unresolved, nothing to report) is replayed; a fresh run reports LI002.

    Fix: for a missing root, stamp its nearest existing ancestor folder (or the root
    path itself as "gone", which the load check already compares), so creating it is
    a change.
    """
    base = tmp_path
    root = base / "proj"
    lazy_import_project(root, '[tool.lazyimport]\nsrc = [".", "../lib"]\n', "import helpers")
    age(base)
    monkeypatch.chdir(root)
    assert lint("app/search.py")[0] == 0
    assert entries(root), "precondition: the first run was stored"

    (base / "lib").mkdir()
    (base / "lib" / "helpers.py").write_text("import torch\n")
    expected = fresh("app/search.py")
    assert expected[0] == 1 and "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


@pytest.fixture
def honour_permissions(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root every file is readable; emulate an ordinary user's permission check so the
    test means the same under root and non-root (non-root: the real check applies)."""
    if not IS_ROOT:
        return
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if not os.stat(self).st_mode & 0o444:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.mark.parametrize("before, after", [(0o000, 0o644), (0o644, 0o000)])
def test_a_permission_change_is_noticed(project: Path, honour_permissions: None, before: int,
                                        after: int) -> None:
    """``chmod`` changes whether a file can be read, and so the result
    ("cannot read file: Permission denied", status 2, versus the LI001 diagnostic), but
    it changes neither the size nor the mtime: only ``st_ctime`` and ``st_mode``.

    A stamp is ``(path, size, mtime_ns)``, so after ``chmod 644`` the stored error is
    replayed (and after ``chmod 000`` the stored diagnostics are replayed instead of
    the error).  The same blind spot covers ``cp -p``/``touch -r``/``rsync --inplace``
    writes that restore the old mtime on a same-size edit.  (Ruff, which the docstring
    cites, keys its cache on the permission bits too.)

    Fix: add ``st_mode`` and ``st_ctime_ns`` (and ``st_ino``) to each stamp; ctime cannot
    be set back by tools, which also closes the restored-mtime case.
    """
    embed = project / "app" / "services" / "embed.py"
    try:
        os.chmod(embed, before)
        first = lint("app/services/embed.py")
        assert first == fresh("app/services/embed.py")
        assert entries(project), "precondition: the first run was stored"
        os.chmod(embed, after)
        assert lint("app/services/embed.py") == fresh("app/services/embed.py")
    finally:
        os.chmod(embed, 0o644)


def test_a_change_in_the_project_folder_right_after_the_cache_is_created_is_noticed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A race.  The racy rule refuses to store a stamp
    younger than two seconds because a second change in the same clock tick leaves the
    mtime unchanged.  The project folder is exempted when its stamp equals the one
    recorded right after this run created ``.lazyimport_cache`` in it; but that stamp
    is exactly as racy: a file created in the project folder in the same tick (a few ms
    on ext4, 1-2 s on HFS+/FAT/some network filesystems) -- an editor or a concurrent
    ``git checkout`` -- leaves the folder's mtime equal to the recorded one.

    Here the coarse clock is emulated by putting the folder's mtime back to what it was
    (what such a filesystem does by itself).  ``helpers.py`` then never invalidates the
    entry: "All checks passed" is replayed while a fresh run reports LI002.

    Fix: drop the exemption (the first run simply stores nothing; the next run two
    seconds later does), or re-check at store time that the project folder's stamp is
    older than the racy window.
    """
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app").mkdir()
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "search.py").write_text("import helpers\n\n\ndef f():\n    return helpers.x\n")
    age(root)
    monkeypatch.chdir(root)
    assert lint("app/search.py")[0] == 0  # creates .lazyimport_cache: the folder is racy now
    assert entries(root), "precondition: the racy project folder was exempted and stored"

    info = os.stat(root)
    (root / "helpers.py").write_text("import torch\nx = 1\n")
    os.utime(root, ns=(info.st_atime_ns, info.st_mtime_ns))  # same clock tick
    expected = fresh("app/search.py")
    assert expected[0] == 1 and "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``app/`` and ``other.toml`` that the user may not read (emulated via os.access as root)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "heavy.py").write_text("import torch\n")
    (tmp_path / "other.toml").write_text("[tool.lazyimport]\n")
    monkeypatch.chdir(tmp_path)
    if IS_ROOT:
        real = os.access

        def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
            if mode & os.R_OK and os.path.basename(os.fspath(path)) in ("app", "other.toml"):
                return False
            return real(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
    else:
        os.chmod(tmp_path / "app", 0)
        os.chmod(tmp_path / "other.toml", 0)
    yield tmp_path
    if not IS_ROOT:
        os.chmod(tmp_path / "app", 0o755)
        os.chmod(tmp_path / "other.toml", 0o644)


@pytest.mark.parametrize("args", [["app"], ["--config", "other.toml"], ["--config=other.toml", "app"]])
def test_unreadable_paths_are_left_to_click(unreadable: Path, args: list[str]) -> None:
    """CLICK DISAGREES.  Both the ``paths`` argument and ``--config`` are
    ``click.Path(...)`` with click's default ``readable=True``: click refuses a path that
    exists but cannot be read ("Invalid value for '[PATHS]...': Directory 'app' is not
    readable.", status 2).  ``parse_lint_args`` only checks ``--config`` for being a
    folder, so it accepts these, and the run goes on without click.

    Consequence (checked as an unprivileged user): ``lazyimport lint app`` with an
    unreadable ``app/`` prints "All checks passed (0 files)." and exits 0 -- a CI gate
    that silently passes -- where click exits 2.  For ``--config`` the status is 2 on
    both paths but the message differs.

    Fix: in ``_valid``, return None (leave it to click) when an existing path argument
    or ``--config`` fails ``os.access(path, os.R_OK)``.
    """
    assert click_options(args) is None, "precondition: click refuses unreadable paths"
    assert parse_lint_args(args) is None


@pytest.mark.skipif(IS_ROOT, reason="root can read every folder; covered in-process above")
def test_unreadable_folder_argument_fails_like_click(tmp_path: Path) -> None:
    """End-to-end view of the previous problem (unprivileged users only): the console
    script must not report success for a folder it could not look into."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "heavy.py").write_text("import torch\n")
    os.chmod(tmp_path / "app", 0)
    try:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from lazyimport_codemod.cli.entry import main; "
             "main(sys.argv[1:])", "lint", "--no-cache", "app"],
            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    finally:
        os.chmod(tmp_path / "app", 0o755)
    assert result.returncode == 2, result.stderr
    assert "not readable" in result.stderr


# ======================================================================================
# Edge cases checked and found correct (regression tests)
# ======================================================================================


def test_relative_and_absolute_arguments_share_an_entry_and_replay_correctly(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh("app")
    assert lint("app") == expected
    counter = AnalyseCounter(monkeypatch)
    assert lint(str(project / "app")) == expected
    assert lint("./app/") == expected
    assert counter.calls == 0
    assert len(entries(project)) == 1


def test_another_working_folder_gets_its_own_entry(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Printed paths are relative to the current folder, which is part of the key."""
    lint("app")
    monkeypatch.chdir(project / "app")
    expected = fresh(".")
    assert "services/embed.py:1:1: LI001" in expected[1]
    assert lint(".") == expected
    assert lint(".") == expected
    assert len(entries(project)) == 2


def test_deleting_an_init_file_is_noticed(project: Path) -> None:
    lint("app/search.py")
    (project / "app" / "services" / "__init__.py").unlink()
    assert lint("app/search.py") == fresh("app/search.py")


def test_creating_an_empty_folder_is_noticed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lint("app/search.py")
    counter = AnalyseCounter(monkeypatch)
    (project / "app" / "services" / "extra").mkdir()  # a new namespace package
    assert lint("app/search.py") == fresh("app/search.py")
    assert counter.calls == 2  # no replay: the folder's mtime changed


def test_a_namespace_package_that_gains_an_init_is_noticed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "proj"
    lazy_import_project(root, "[tool.lazyimport]\n", "from app.ns import mod")
    (root / "app" / "ns").mkdir()
    (root / "app" / "ns" / "mod.py").write_text("x = 1\n")
    age(root)
    monkeypatch.chdir(root)
    assert lint("app/search.py")[0] == 0 and entries(root)
    (root / "app" / "ns" / "__init__.py").write_text("import torch\n")
    expected = fresh("app/search.py")
    assert "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


def test_moving_a_module_between_folders_is_noticed(project: Path) -> None:
    lint("app/search.py")
    os.rename(project / "app" / "services" / "embed.py", project / "app" / "embed.py")
    expected = fresh("app/search.py")
    assert lint("app/search.py") == expected
    os.rename(project / "app" / "embed.py", project / "app" / "services" / "embed.py")
    assert lint("app/search.py") == fresh("app/search.py")


def test_an_edit_through_a_symlinked_file_is_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A symlinked *file* is stamped through the link (os.stat follows it)."""
    root = tmp_path / "proj"
    lazy_import_project(root, "[tool.lazyimport]\n", "from app import models")
    target = tmp_path / "models_impl.py"
    target.write_text("import tarch\n")
    os.symlink(target, root / "app" / "models.py")
    age(tmp_path)
    monkeypatch.chdir(root)
    lint("app/search.py")
    target.write_text("import torch\n")  # same size
    expected = fresh("app/search.py")
    assert "eagerly imports `torch`" in expected[1]
    assert lint("app/search.py") == expected


def test_a_module_created_in_a_missing_excluded_folder_is_noticed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an excluded folder that already exists is a blind spot: creating one changes its parent."""
    root = tmp_path / "proj"
    lazy_import_project(root, '[tool.lazyimport]\nexclude = ["app/generated"]\n',
                        "from app.generated import steps")
    age(root)
    monkeypatch.chdir(root)
    lint("app/search.py")
    (root / "app" / "generated").mkdir()
    (root / "app" / "generated" / "steps.py").write_text("import torch\n")
    assert lint("app/search.py") == fresh("app/search.py")


def test_a_file_outside_the_project_root_is_never_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A named file outside the config's root adds its own import root, so nothing is kept."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "tool.py").write_text("import sibling\n\n\ndef f():\n    return sibling\n")
    age(tmp_path)
    monkeypatch.chdir(root)
    args = ("../outside/tool.py",)
    options: dict[str, Any] = {"config_file": Path("pyproject.toml")}
    assert lint(*args, **options) == fresh(*args, **options)
    assert entries(root) == []
    (outside / "sibling.py").write_text("import torch\n")
    expected = fresh(*args, **options)
    assert "eagerly imports `torch`" in expected[1]
    assert lint(*args, **options) == expected


def test_settings_from_the_command_line_and_config_files_are_part_of_the_key(project: Path) -> None:
    lint("app")
    assert lint("app", heavy_packages="pandas") == fresh("app", heavy_packages="pandas") == (
        0, "", "All checks passed (4 files).\n")
    assert lint("app", extend_heavy_packages="app.services.embed")[1] == \
        fresh("app", extend_heavy_packages="app.services.embed")[1]
    (project / "other.toml").write_text('heavy-packages = ["pandas"]\n')
    assert lint("app", config_file=Path("other.toml")) == fresh("app", config_file=Path("other.toml"))
    (project / "other.toml").write_text('heavy-packages = ["torch"]\n')
    assert lint("app", config_file=Path("other.toml")) == fresh("app", config_file=Path("other.toml"))


def test_a_ruff_banned_list_added_later_is_noticed(project: Path) -> None:
    """ruff.toml beside pyproject.toml supplies the heavy list when none is configured."""
    assert lint("app")[0] == 1
    (project / "ruff.toml").write_text('[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["pandas"]\n')
    expected = fresh("app")
    assert expected[0] == 0
    assert lint("app") == expected


def test_changing_src_in_pyproject_is_noticed(project: Path) -> None:
    lint("app/search.py")
    (project / "pyproject.toml").write_text('[tool.lazyimport]\nsrc = ["app"]\n')
    assert lint("app/search.py") == fresh("app/search.py")


def test_an_edit_during_the_analysis_is_seen_by_the_next_run(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamps are taken before the analysis: an edit while it runs invalidates the entry."""
    embed = project / "app" / "services" / "embed.py"
    real = engine.analyse

    def edit_then_analyse(*args: Any, **kwargs: Any) -> Any:
        embed.write_text(EMBED.replace("torch", "tarch"))  # same size, new mtime
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "analyse", edit_then_analyse)
    lint("app")
    monkeypatch.setattr(engine, "analyse", real)
    assert lint("app") == fresh("app") == (0, "", "All checks passed (4 files).\n")


def test_an_entry_in_the_older_pickle_format_is_a_miss(project: Path) -> None:
    """Commit e5144a1 pickled entries under the very same file name (crc32 of the same repr)."""
    expected = fresh("app")
    lint("app")
    (name,) = entries(project)
    entry = results_folder(project) / name
    key, stamps, *_ = marshal.loads(entry.read_bytes())
    old = pickle.dumps((key, stamps, ("a", "LintResult")), protocol=pickle.HIGHEST_PROTOCOL)
    entry.write_bytes(old)
    assert lint("app") == expected


def test_every_truncation_of_an_entry_is_a_miss(project: Path) -> None:
    lint("app")
    (name,) = entries(project)
    entry = results_folder(project) / name
    whole = entry.read_bytes()
    clear_caches()
    config = load_config(Path("app"), Overrides())
    files = discover_files(Path("app"), config)
    assert results_cache.ResultsCache(config, files).load() is not None
    for size in range(len(whole)):
        entry.write_bytes(whole[:size])
        assert results_cache.ResultsCache(config, files).load() is None, size


def test_another_python_version_does_not_replay(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lint("app")
    monkeypatch.setattr(results_cache, "sys", types.SimpleNamespace(version_info=(3, 99, 0)))
    counter = AnalyseCounter(monkeypatch)
    assert lint("app") == fresh("app")
    assert counter.calls == 2


def test_an_unwritable_cache_still_lints(project: Path) -> None:
    """A read-only checkout (here: ``.lazyimport_cache`` is a file) runs without a cache."""
    (project / ".lazyimport_cache").rmdir()
    (project / ".lazyimport_cache").write_text("not a folder\n")
    expected = fresh("app")
    assert lint("app") == expected
    assert lint("app") == expected


def test_concurrent_first_runs_agree(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "lazyimport_codemod", "lint", "app"]
    procs = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outcomes = {proc.communicate(timeout=120) + (proc.returncode,) for proc in procs}
    assert len(outcomes) == 1
    ((out, err, code),) = outcomes
    assert code == 1 and "Traceback" not in err
    again = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert (again.stdout, again.stderr, again.returncode) == (out, err, code)


@pytest.mark.parametrize("args", [
    ["-"],
    ["--", "-"],
    ["--", "--no-cache", "-q"],  # after --, everything is a path
    ["--format=json", "--format", "github", "app"],
    ["--heavy-packages", "a", "--heavy-packages=b"],
    ["--config=-"],
    ["--extend-heavy-packages="],
    ["app", "--quiet", "-q", "--no-cache", "--no-cache"],
])
def test_more_arguments_read_as_click_reads_them(args: list[str]) -> None:
    ours = parse_lint_args(args)
    assert ours is not None
    assert ours == click_options(args)


@pytest.mark.parametrize("args", [
    ["--format="],
    ["--config="],
    ["--config", "-"],
    ["--format", "--", "json"],
    ["-qq"],
    ["--quiet=1"],
    ["--", ""],
])
def test_more_unusual_arguments_are_left_to_click(args: list[str]) -> None:
    assert parse_lint_args(args) is None
