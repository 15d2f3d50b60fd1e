"""The cold-lint shortcuts added for speed give the answers of the plain computations.

Each test holds one shortcut against what it replaces: a child that starts
parsing (from the last file) before the prefilter has chosen the files, and
later judges files from the end while this process judges from the start; the
importer index built while the child parses; the usage walk passing over
leaves that cannot hold a use.
"""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
import textwrap
import time
from pathlib import Path

import pytest

from lazyimport_codemod import pipeline as engine

from lazyimport_codemod.speed import forking
from lazyimport_codemod.parse import usage
from lazyimport_codemod.project.graph import Project
from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.parse.usage import analyse_usage
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.pipeline import _speculate, analyse, lint
from lazyimport_codemod.speed.forking import can_fork

from test_fast_paths import TRICKY

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin",
                                reason="forking is not used here")


def _stdlib_sample() -> list[Path]:
    folder = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))[1::7]


# -- the usage walk -------------------------------------------------------------

class _Never:
    """A type no node has: with it, the walk's leaf shortcuts never fire."""


def _usage_with_and_without_leaf_shortcuts(
    monkeypatch: pytest.MonkeyPatch, src: str, names: set[str], spelled: bool
) -> tuple[dict, dict]:
    parsed = parse_source(src.encode())
    future = has_future_annotations(parsed.tree)
    text = parsed.text if spelled else None
    fast = analyse_usage(parsed.tree, names, future, text)
    with monkeypatch.context() as patch:
        for leaf in ("_NAME", "_CONSTANT", "_ALIAS"):
            patch.setattr(usage, leaf, _Never)
        slow = analyse_usage(parsed.tree, names, future, text)
    return fast, slow


LEAVES = """
    import numpy as np
    from typing import TYPE_CHECKING
    def f(x: "np.ndarray" = None, y: 'list["np.dtype"]' = ()) -> "np.ndarray":
        import numpy as np2
        del np2
        z: "np.ndarray" = np.zeros(1)
        return f"{np}" + str(np is None) + str(type(np)) + str(super(np, x))
    def g(a: list["np.ndarray"], b: dict[str, "np.dtype"] = {}) -> "tuple[np.ndarray, ...]":
        return a
    class A(np.ndarray):
        field: "np.ndarray"
        other: np.dtype = np.float64
    values = {np: 1 for _ in ()}
    del np
    """


@pytest.mark.parametrize("spelled", [True, False], ids=["spelled", "plain"])
@pytest.mark.parametrize("src", [*TRICKY.values(), LEAVES], ids=[*TRICKY, "leaves"])
def test_leaf_shortcuts_change_no_answer(monkeypatch: pytest.MonkeyPatch, src: str, spelled: bool) -> None:
    fast, slow = _usage_with_and_without_leaf_shortcuts(
        monkeypatch, textwrap.dedent(src), {"np", "register", "Base", "Router", "TYPE_CHECKING"}, spelled)
    assert fast == slow


@pytest.mark.parametrize("path", _stdlib_sample(), ids=lambda p: p.name)
def test_leaf_shortcuts_agree_on_real_modules(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    try:
        src = path.read_bytes().decode("utf-8")
        tree = ast.parse(src)
    except (SyntaxError, UnicodeDecodeError):
        pytest.skip("not parseable by this Python")
    imported = {n.bound for stmt in collect_imports(tree) for n in stmt.names if not n.star}
    every = imported | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for names in (imported, every):
        fast, slow = _usage_with_and_without_leaf_shortcuts(monkeypatch, src, names, spelled=True)
        assert fast == slow


# -- work done while children parse ---------------------------------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _project(root: Path, routers: int, clean: int = 0, tools: bool = True) -> None:
    files = {
        "pyproject.toml": "[tool.lazyimport]\n",
        "app/__init__.py": "",
        "app/svc.py": "import torch\nfrom app.util import helper\n\ndef run():\n    return torch.zeros(1)\n",
        "app/util.py": "def helper():\n    return 1\n",
        "app/routers/__init__.py": "".join(f"from app.routers import r{i}\n" for i in range(0, routers, 3)),
        # Outside the package tree, so naming it adds a root (and "job" becomes first-party);
        # sorted first, so the parent names it before the files of a child's share.
        "aaa-tools/job.py": "from app.svc import run\n\nrun()\n\ndef thing():\n    return 1\n",
        "app/broken.py": "import torch\ndef (:\n",
    }
    if not tools:
        del files["aaa-tools/job.py"]
    for i in range(routers):
        files[f"app/routers/r{i}.py"] = (
            f"import numpy as np\nfrom app.svc import run\nfrom app.util import helper\nfrom job import thing\n\n"
            f"def endpoint_{i}():\n    return np.ones(1), run(), helper(), thing()\n"
        )
    for i in range(clean):
        files[f"app/plain/p{i}.py"] = f"import json\n\ndef f_{i}():\n    return json.dumps({i})\n"
    _write(root, files)


@needs_fork
@pytest.mark.parametrize("routers,clean", [(12, 0), (12, 30), (3, 30), (0, 30)],
                         ids=["all kept", "clean tail", "mostly clean", "nothing kept"])
def test_parsing_before_the_prefilter_changes_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, routers: int, clean: int
) -> None:
    _project(tmp_path, routers, clean)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    runs = []
    for jobs in (1, 2, 3):
        analysis = analyse(files, config, jobs=jobs)
        project = analysis.project
        runs.append((lint(analysis), project.read_paths(), project.probed_folders(), project.roots))
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0].errors  # the broken file is reported, whoever parsed it
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped, the stopped ones too


@needs_fork
def test_a_child_from_the_end_parses_with_the_parents_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, 12)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    analysis = analyse(files, config, jobs=1)
    datas = {path: path.read_bytes() for path in files}
    # Nothing named yet: the child names every file itself, as the prefilter will here.
    fresh = Project(config.src, config.matcher(), heavy=tuple(config.heavy_packages))
    [early] = _speculate(fresh, datas, 2)
    assert can_fork()
    dropped = files[-1]
    early.publish(path != dropped for path in files)
    got = early.result()  # this process claimed nothing: the child parsed every kept file
    assert got is not None
    answers = got[0]
    assert not fresh.named(files[0])  # the child's naming stayed in the child
    # Every kept file (a dropped one too if the child got to it before it was told).
    assert set(answers) >= {i for i, path in enumerate(files) if path != dropped}
    for i, answer in answers.items():
        if isinstance(answer, str):
            assert files[i].name == "broken.py"
        else:
            assert answer == analysis.project.facts_for_path(files[i]).file


def _claim_everything_and_fail(self: object, *args: object) -> None:
    self._shared[8:16] = (0).to_bytes(8, "little")  # type: ignore[attr-defined]
    os._exit(1)


def _fail_at_once(self: object, *args: object) -> None:
    os._exit(1)


@needs_fork
@pytest.mark.parametrize("child", [_claim_everything_and_fail, _fail_at_once], ids=["claims all", "claims none"])
def test_a_failing_child_from_the_end_changes_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: object
) -> None:
    _project(tmp_path, 12)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    runs = []
    for jobs in (1, 2):
        if jobs == 2:  # both children (parsing, then judging) fail
            monkeypatch.setattr(forking.FromTheEnd, "_child", child)
        analysis = analyse(files, config, jobs=jobs)
        project = analysis.project
        runs.append((lint(analysis), project.read_paths(), project.probed_folders()))
    assert runs[0] == runs[1]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("routers,clean", [(3, 5), (0, 5)], ids=["heavy imports", "clean"])
def test_the_prefilter_asks_for_parsing_once_it_meets_a_heavy_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, routers: int, clean: int
) -> None:
    from lazyimport_codemod.project.prefilter import select_files

    _project(tmp_path, routers, clean)
    (tmp_path / "app" / "svc.py").write_text("def run():\n    return 1\n")  # no heavy import but the routers'
    (tmp_path / "app" / "broken.py").write_text("def (:\n")
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    datas = {path: path.read_bytes() for path in files}
    selected = []
    for callback in (False, True):
        calls: list[int] = []
        project = Project(config.src, config.matcher(), heavy=tuple(config.heavy_packages))
        on_heavy = (lambda: calls.append(1)) if callback else None
        selected.append((select_files(project, dict(datas), {}, on_heavy), project.gate))
        if callback:
            assert len(calls) == (1 if routers else 0)
    assert selected[0] == selected[1]
    # And lint starts no child on a tree without heavy imports.
    started: list[int] = []
    real = forking.FromTheEnd.__init__

    def counted(self: object, *args: object, **kwargs: object) -> None:
        started.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(forking.FromTheEnd, "__init__", counted)
    analyse(files, config, jobs=2)
    assert len(started) == (1 if routers and can_fork() else 0)


def test_importer_index_is_built_early_only_when_every_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, 6)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    inside = sorted((tmp_path / "app").rglob("*.py"))
    # Linting only the package: aaa-tools/job.py is a project file nobody named yet.
    analysis = analyse(inside, config, jobs=1)
    index = analysis.planner.importers
    assert index is not None
    index.build_if_named()
    assert index._from is None
    roots = list(analysis.project.roots)
    late = index.build()
    assert analysis.project.roots != roots  # naming it added a root: building early could have changed answers
    # Linting everything (no file outside the roots this time): every file is named,
    # so the early index is the late one.
    other = tmp_path / "other"
    _project(other, 6, tools=False)
    monkeypatch.chdir(other)
    config = load_config(other, Overrides())
    everything = sorted(other.rglob("*.py"))
    early_analysis = analyse(everything, config, jobs=1)
    early_index = early_analysis.planner.importers
    assert early_index is not None
    early_index.build_if_named()
    assert early_index._from is not None
    late_analysis = analyse(everything, config, jobs=1)
    assert late_analysis.planner.importers is not None
    assert early_index._from == late_analysis.planner.importers.build()
    assert early_index._module_users == late_analysis.planner.importers._module_users
    assert lint(early_analysis) == lint(late_analysis)
    assert late  # the package's names are imported from somewhere


class _ScriptedChild:
    """Stands in for FromTheEnd in :func:`_from_both_ends`: the child has claimed the files
    from ``meet`` on and sends its answers in the batches given, one batch per poll."""

    def __init__(self, count: int, meet: int, batches: list[list[tuple[int, str]]]) -> None:
        self.count, self.meet, self.batches = count, meet, list(batches)
        self.answers = {at: answer for batch in batches for at, answer in batch}

    def publish(self, wanted: object) -> None:
        pass

    def claim(self, index: int) -> bool:
        return index < self.meet

    def poll(self) -> list[tuple[int, str]]:
        return self.batches.pop(0) if self.batches else []

    def result(self) -> tuple[dict[int, str], object]:
        return self.answers, None


def test_answers_of_the_child_are_handed_over_as_they_arrive(tmp_path: Path) -> None:
    paths = [tmp_path / f"m{i}.py" for i in range(8)]
    for path in paths:
        path.write_text("x = 1\n")
    datas = {path: path.read_bytes() for path in paths}
    project = Project([tmp_path], None, lambda path: datas[path])
    kept = [path for i, path in enumerate(paths) if i != 6]  # file 6 left out by the prefilter
    # This process takes files 0-3; the child answered 7, 6, 5, 4, in two batches.
    child = _ScriptedChild(8, 4, [[(7, "seven"), (6, "six")], [(5, "five"), (4, "four")]])
    arrived: list[tuple[Path, object]] = []
    seen = list(engine._from_both_ends(project, kept, datas, None, child,  # type: ignore[arg-type]
                                       lambda path, summary: arrived.append((path, summary))))
    # Every kept file once, in order; the child's answers handed over as they came,
    # before the end, and never one for a file that was not kept.
    assert [path for path, _ in seen] == kept
    assert [summary for _, summary in seen[4:]] == ["four", "five", "seven"]
    assert arrived == [(paths[7], "seven"), (paths[5], "five"), (paths[4], "four")]


@needs_fork
def test_poll_returns_each_answer_once_as_it_takes_it_in() -> None:
    early = forking.FromTheEnd(40, lambda index: index * index)  # this process claims none
    taken: list[tuple[int, int]] = []
    deadline = time.monotonic() + 30
    while len(taken) < 40 and time.monotonic() < deadline:
        taken.extend(early.poll())
        time.sleep(0.001)
    result = early.result()
    assert result is not None
    assert sorted(taken) == [(at, at * at) for at in range(40)] == sorted(result[0].items())
