"""The results cache replays a lint run only while nothing it could read has changed."""

from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from lint_runs import age, write_project

from lazyimport_codemod import pipeline as engine
from lazyimport_codemod.cli.lint import run_lint
from lazyimport_codemod.cli.options import LintOptions
from lazyimport_codemod.settings.config import clear_caches
from lazyimport_codemod.speed import results_cache

REPO = Path(__file__).resolve().parent.parent


def lint(*args: str, fmt: str = "text", cache: bool = True) -> tuple[int, str]:
    clear_caches()
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = run_lint(LintOptions(tuple(Path(a) for a in args), fmt, no_cache=not cache))
    return code, out.getvalue()


def entries(project: Path) -> list[str]:
    folder = project / ".lazyimport_cache" / "results-0.1.0"
    return sorted(name for name in os.listdir(folder) if not name.startswith((".", "settings-"))) if folder.is_dir() else []


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write_project(root)
    age(root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if lint analyses anything: the answer must come from the cache."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed although nothing changed")

    monkeypatch.setattr(engine, "analyse", refuse)


def warm_up(*args: str) -> tuple[int, str]:
    first = lint(*args)
    assert entries(Path.cwd()), "the first run stores its result"
    return first


def test_replay_equals_a_fresh_analysis_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns(".lazyimport_cache", "__pycache__"))
    age(tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples")
    for fmt in ("text", "json", "github"):
        cold = lint("slowapp", fmt=fmt, cache=False)
        assert cold[0] == 1 and cold[1]
        assert lint("slowapp", fmt=fmt) == cold  # analysed and stored (or replayed)
        assert lint("slowapp", fmt=fmt) == cold  # replayed
    assert len(entries(tmp_path / "examples")) == 1  # one entry serves every format


def test_unchanged_tree_is_not_analysed_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = warm_up("app")
    monkeypatch.setattr(engine, "analyse", lambda *a, **k: pytest.fail("analysed again"))
    assert lint("app") == first


def test_editing_a_file_keeps_its_size_but_not_its_stamp(project: Path) -> None:
    warm_up("app")
    embed = project / "app" / "services" / "embed.py"
    embed.write_text(embed.read_text().replace("import torch", "import tarch"))  # same size
    code, out = lint("app")
    assert code == 0 and out == ""


def test_a_module_created_outside_the_linted_folder_is_noticed(project: Path) -> None:
    assert warm_up("app/search.py")[1].count("LI002") == 1  # `extra` does not exist yet
    (project / "app" / "services" / "extra.py").write_text("import pandas\n")
    code, out = lint("app/search.py")
    assert "eagerly imports `pandas`" in out


def test_a_deleted_module_is_noticed(project: Path) -> None:
    warm_up("app")
    (project / "app" / "services" / "embed.py").unlink()
    assert lint("app") == (0, "")


def test_a_new_folder_is_noticed(project: Path) -> None:
    # `app.services.extra` becomes a package in a folder that did not exist.
    warm_up("app/search.py")
    (project / "app" / "services" / "extra").mkdir()
    (project / "app" / "services" / "extra" / "__init__.py").write_text("import pandas\n")
    assert "eagerly imports `pandas`" in lint("app/search.py")[1]


def test_settings_are_part_of_the_key(project: Path) -> None:
    warm_up("app")
    (project / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["pandas"]\n')
    assert lint("app") == (0, "")


def test_files_asked_for_are_part_of_the_key(project: Path) -> None:
    warm_up("app")
    assert lint("app/services")[1].count("\n") == 1  # only embed.py's LI001
    assert len(entries(project)) == 2


def test_files_written_just_now_are_not_trusted(project: Path) -> None:
    (project / "app" / "new.py").write_text("x = 1\n")  # a stamp younger than two seconds
    lint("app")
    assert entries(project) == []


def test_a_run_that_read_outside_the_stamped_tree_stores_nothing(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.lazyimport]\nexclude = ["app/services"]\n')
    age(project)
    # search.py imports embed.py, which lives in an excluded (so unstamped) folder.
    assert "eagerly imports `torch`" in lint("app/search.py")[1]
    assert entries(project) == []


def test_a_damaged_entry_is_a_miss(project: Path) -> None:
    first = warm_up("app")
    (entry,) = entries(project)
    (project / ".lazyimport_cache" / "results-0.1.0" / entry).write_bytes(b"\x80\x05garbage")
    assert lint("app") == first


def test_no_cache_writes_nothing_and_reads_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lint("app", cache=False)[0] == 1
    assert entries(project) == []
    warm_up("app")
    (project / "app" / "services" / "embed.py").write_text("import pandas\n")
    age(project)  # the edit now looks exactly as old as the stamps: only --no-cache sees it
    assert "pandas" in lint("app", cache=False)[1]


def test_old_entries_are_pruned(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_cache, "_KEEP", 2)
    for path in ("app", "app/search.py", "app/services"):
        lint(path)
    folder = project / ".lazyimport_cache" / "results-0.1.0"
    assert len([name for name in os.listdir(folder) if not name.startswith(".")]) == 2  # records too


def test_other_tools_files_next_to_the_code_do_not_cost_an_analysis(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = warm_up("app")
    (project / ".ruff_cache").mkdir()  # changes the project folder's mtime
    (project / "app" / ".search.py.swp").write_bytes(b"")
    (project / "app" / "notes.txt").write_text("not a module\n")
    monkeypatch.setattr(engine, "analyse", lambda *a, **k: pytest.fail("analysed again"))
    assert lint("app") == first

