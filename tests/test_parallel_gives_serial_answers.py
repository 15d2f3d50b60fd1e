"""Work shared over forked processes gives exactly the answers of one process.

Lint and fix parse and judge files over several processes when there are many
(:mod:`lazyimport_codemod.speed.parallel`).  Held here: answers with 1, 2 and 3
processes agree (diagnostics, errors, and what the run read and looked up), on
layouts where naming a file adds a root, with the facts cache, and for fix;
a child that fails in any way (exits early, sends half a message, cannot be
forked, is reaped by an ignored SIGCHLD) changes no answer; an error in this
process mid-way leaves no child and no descriptor behind; and the pieces of
the two-process scheme (a child parsing from the last file while the
prefilter runs, answers handed over as they arrive) do what they say.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable, Optional

import pytest

from lazyimport_codemod.pipeline import analyse, check
from lazyimport_codemod.project.graph import Project
from lazyimport_codemod.rules.checker import Checker
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.speed import forking, parallel
from lazyimport_codemod.speed.forking import can_fork, forked_map

needs_fork = pytest.mark.skipif(not forking.can_fork(), reason="forking is not used here")

REPO = Path(__file__).resolve().parent.parent


def _fds() -> list[str]:
    return sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []


def _no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _src_layout(root: Path, count: int = 12) -> None:
    """`src` layout with a namespace package, plus scripts in a folder that is no package
    name (naming them adds a root, and `helper` becomes first-party) and tests."""
    files = {
        "pyproject.toml": "[tool.lazyimport]\nsrc = ['src']\n",
        "src/pkg/__init__.py": "from pkg import core\n",
        "src/pkg/core.py": "import torch\n\ndef run():\n    return torch\n",
        "src/ns/sub/mod.py": "import pandas as pd\nfrom pkg.core import run\n\ndef f():\n    return pd, run\n",
        "scripts/tool-x/helper.py": "from pkg import core\nimport numpy\n\ndef h():\n    return numpy, core\n",
        "scripts/tool-x/main.py": "from helper import h\n\ndef m():\n    return h()\n",
        "tests/test_x.py": "from helper import h\nfrom pkg.core import run\n\ndef test():\n    return h(), run()\n",
        "src/pkg/broken.py": "import numpy\ndef (:\n",
        "src/pkg/clean.py": "import json\n",
    }
    for i in range(count):
        files[f"src/pkg/r{i}.py"] = (
            f"import numpy as np\nfrom pkg.core import run\nfrom helper import h\n\n"
            f"def e{i}():\n    return np, run, h\n"
        )
        files[f"src/ns/m{i}.py"] = f"from ns.sub import mod\nfrom pkg import r{i}\n\ndef g():\n    return mod, r{i}\n"
    _write(root, files)


def _runs(root: Path, files: list[Path], jobs_list=(1, 2, 3), **kwargs: object) -> list[tuple]:
    config = load_config(root, Overrides())
    runs = []
    for jobs in jobs_list:
        analysis = analyse(files, config, jobs=jobs, **kwargs)  # type: ignore[arg-type]
        project = analysis.project
        runs.append((check(analysis), project.read_paths(), project.probed_folders(), list(project.modules.roots)))
    return runs


def _serial_answer(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Path], tuple]:
    """The :func:`_src_layout` project's files, and what one process answers for them."""
    _src_layout(root)
    monkeypatch.chdir(root)
    files = sorted(root.rglob("*.py"))
    return files, _runs(root, files, jobs_list=(1,))[0]


# -- answers agree --------------------------------------------------------------

@needs_fork
@pytest.mark.parametrize("selection", ["all", "reversed", "scripts first", "src only", "duplicates and a missing file"])
def test_src_layouts_and_namespace_packages_agree_across_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, selection: str
) -> None:
    _src_layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    every = sorted(tmp_path.rglob("*.py"))
    files = {
        "all": every,
        "reversed": every[::-1],
        "scripts first": sorted(every, key=lambda p: "src" in p.parts),
        "src only": sorted((tmp_path / "src").rglob("*.py")),
        "duplicates and a missing file": every + every[:4] + [tmp_path / "missing.py"],
    }[selection]
    before = _fds()
    runs = _runs(tmp_path, files)
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0].diagnostics and runs[0][0].errors
    assert _fds() == before
    _no_child_left()


@needs_fork
@pytest.mark.parametrize("files", ["none", "one", "all dropped"])
def test_degenerate_file_lists_agree_across_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: str) -> None:
    _src_layout(tmp_path, 2)
    _write(tmp_path, {f"plain/p{i}.py": "import json\n\ndef f():\n    return json\n" for i in range(6)})
    monkeypatch.chdir(tmp_path)
    chosen = {
        "none": [],
        "one": [tmp_path / "src/pkg/r0.py"],
        "all dropped": sorted((tmp_path / "plain").glob("*.py")) + [tmp_path / "src/pkg/clean.py"],
    }[files]
    before = _fds()
    runs = _runs(tmp_path, chosen, jobs_list=(1, 2, 3, 5))
    assert all(run == runs[0] for run in runs)
    assert _fds() == before
    _no_child_left()


@needs_fork
def test_the_facts_cache_changes_no_answer_across_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _src_layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    files = sorted(tmp_path.rglob("*.py"))
    plain = _runs(tmp_path, files, jobs_list=(1,))[0]
    cold = _runs(tmp_path, files, cache=True)  # fills the cache (jobs=1 first)
    warm = _runs(tmp_path, files, jobs_list=(3, 2, 1), cache=True)
    assert all(run[0] == plain[0] for run in cold + warm)
    assert cold[0] == cold[1] == cold[2] == warm[0] == warm[1] == warm[2]
    _no_child_left()


@needs_fork
def test_fix_agrees_when_the_project_is_big_enough_to_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lazyimport_codemod.pipeline import fix_files

    _src_layout(tmp_path, 20)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    outcomes = []
    for threshold, cores in ((10 ** 9, 2), (1, 2), (1, 3)):  # serial, two ends, forked_map
        monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", threshold)
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        outcome = fix_files(files, config)
        outcomes.append((outcome.changes, outcome.remaining))
    assert outcomes[0][0]  # something was fixed
    assert outcomes[0] == outcomes[1] == outcomes[2]
    _no_child_left()


# -- children that fail in other ways -------------------------------------------

def _exit_0_without_finish(self: forking.FromTheEnd, count, work, start, finish, write_end) -> None:
    """Answers one index (a whole batch message), then leaves with status 0 and no `finish`."""
    import pickle

    if start is not None:
        start()
    data = pickle.dumps([(count - 1, work(count - 1))])
    os.write(write_end, len(data).to_bytes(8, "little") + data)
    os._exit(0)


def _truncated_message(self: forking.FromTheEnd, count, work, start, finish, write_end) -> None:
    """Claims everything, sends a message cut short, then dies."""
    import pickle

    self._shared[8:16] = (0).to_bytes(8, "little")
    data = pickle.dumps([(count - 1, "never used")])
    os.write(write_end, (len(data) + 100).to_bytes(8, "little") + data)
    os._exit(1)


@needs_fork
@pytest.mark.parametrize("child", [_exit_0_without_finish, _truncated_message], ids=["exit 0 without finish", "truncated"])
def test_a_child_that_never_finishes_changes_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: Callable
) -> None:
    files, expected = _serial_answer(tmp_path, monkeypatch)
    monkeypatch.setattr(forking.FromTheEnd, "_child", child)
    before = _fds()
    assert _runs(tmp_path, files, jobs_list=(2,))[0] == expected  # parsing and judging children both fail
    assert _fds() == before
    _no_child_left()


# -- errors in this process mid-way ----------------------------------------------

def _failing_here(exception: type, calls: int, child_delay: float = 0.0) -> Callable:
    """A replacement for a method that raises in this process on its `calls`-th call (and
    takes ``child_delay`` seconds longer in any forked child)."""
    parent = os.getpid()
    count = [0]

    def wrap(real: Callable) -> Callable:
        def method(*args: object, **kwargs: object) -> object:
            if os.getpid() == parent:
                count[0] += 1
                if count[0] == calls:
                    raise exception("simulated")
            elif child_delay:
                time.sleep(child_delay)
            return real(*args, **kwargs)
        return method
    return wrap


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("where", ["parsing", "judging"])
@pytest.mark.parametrize("exception", [RuntimeError, KeyboardInterrupt])
def test_an_error_here_mid_way_leaves_no_child_or_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, where: str, exception: type
) -> None:
    _src_layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.rglob("*.py"))
    if where == "parsing":
        monkeypatch.setattr(Project, "facts_for_path", _failing_here(exception, 3)(Project.facts_for_path))
    else:
        # The first file: with two processes this one judges it unless the child, from the
        # other end, reaches it first, which a slower child cannot on a loaded machine either.
        monkeypatch.setattr(Checker, "diagnostics", _failing_here(exception, 1, 0.5)(Checker.diagnostics))
    before = _fds()
    with pytest.raises(exception, match="simulated"):
        check(analyse(files, config, jobs=jobs))
    assert _fds() == before
    _no_child_left()


# -- bugs ------------------------------------------------------------------------

def _hangs(code: str, cwd: Path, timeout: float = 4.0) -> Optional[subprocess.CompletedProcess]:
    """Run ``code`` in a fresh interpreter (its own session); None if it is still running
    after ``timeout`` seconds (then it and every process it forked are killed)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the interpreter and the children it forked
        process.communicate()
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@needs_fork
def test_stopping_forked_map_early_with_two_large_answers_does_not_hang(tmp_path: Path) -> None:
    done = _hangs("""
        from lazyimport_codemod.speed.forking import forked_map
        answers = forked_map(lambda v: [x + 1 for x in v], [[1], [2] * 100000, [3] * 100000])
        assert next(answers) == [2]
        answers.close()
        print("closed")
        """, tmp_path)
    assert done is not None, "forked_map.close() hung"
    assert done.returncode == 0 and b"closed" in done.stdout, done.stderr


@needs_fork
def test_an_error_while_parsing_with_three_jobs_is_raised_not_hung(tmp_path: Path) -> None:
    body = "".join(f"def f{i}(x):\n    return np.zeros(x)\n" for i in range(200))
    files = {"pyproject.toml": "[tool.lazyimport]\n", "app/__init__.py": ""}
    files.update({f"app/m{i:02d}.py": "import numpy as np\n" + body for i in range(45)})  # ~80 KB of facts a share
    _write(tmp_path, files)
    done = _hangs("""
        from pathlib import Path
        from lazyimport_codemod import pipeline
        from lazyimport_codemod.project.graph import Project
        from lazyimport_codemod.settings.config import Overrides, load_config

        def fail(*args, **kwargs):
            raise RuntimeError("simulated")

        Project.facts_for_path = fail  # e.g. an unexpected error, or KeyboardInterrupt
        root = Path.cwd()
        try:
            pipeline.analyse(sorted(root.rglob("*.py")), load_config(root, Overrides()), jobs=3)
        except RuntimeError:
            print("raised")
        """, tmp_path)
    assert done is not None, "analyse(jobs=3) hung after an error in this process"
    assert b"raised" in done.stdout, done.stderr


def _fork_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", fork)


@needs_fork
def test_a_failed_fork_leaks_no_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _fds()
    _fork_fails(monkeypatch)
    assert list(forking.forked_map(lambda values: values, [[1], [2]])) == [[1], [2]]  # done here
    alone = forking.FromTheEnd(3, lambda index: index)  # no child: this process claims every index
    assert [alone.claim(index) for index in range(4)] == [True, True, True, False]
    assert alone.result() is None
    alone.stop()
    assert _fds() == before


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_a_failed_fork_changes_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    files, expected = _serial_answer(tmp_path, monkeypatch)
    _fork_fails(monkeypatch)
    assert _runs(tmp_path, files, jobs_list=(jobs,))[0] == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_too_deep_to_parse_is_an_error_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    import ast

    source = "import numpy\nX = " + "1 + " * 20000 + "1\n"
    try:
        ast.parse(source)
        pytest.skip("this Python parses the expression")
    except RecursionError:
        pass
    _src_layout(tmp_path, 2)
    _write(tmp_path, {"src/pkg/generated.py": source})
    monkeypatch.chdir(tmp_path)
    files = sorted(tmp_path.rglob("*.py"))
    result = check(analyse(files, load_config(tmp_path, Overrides()), jobs=jobs))
    assert any(error.path.endswith("generated.py") for error in result.errors)
    assert result.diagnostics


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_an_ignored_sigchld_changes_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    files, expected = _serial_answer(tmp_path, monkeypatch)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        got = _runs(tmp_path, files, jobs_list=(jobs,))[0]
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert got == expected


# -- work done while children parse ---------------------------------------------

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
        runs.append((check(analysis), project.read_paths(), project.probed_folders(), project.modules.roots))
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
    parsing = parallel.Parsing(fresh, datas, 2, None)
    parsing.start_early()
    early = parsing._early
    assert early is not None
    dropped = files[-1]
    early.publish(path != dropped for path in files)
    got = early.result()  # this process claimed nothing: the child parsed every kept file
    assert got is not None
    answers = got[0]
    assert not fresh.modules.named(files[0])  # the child's naming stayed in the child
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
        runs.append((check(analysis), project.read_paths(), project.probed_folders()))
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
    index = analysis.checker.importers
    assert index is not None
    index.build_if_named()
    assert index._from is None
    roots = list(analysis.project.modules.roots)
    late = index.build()
    assert analysis.project.modules.roots != roots  # naming it added a root: building early could have changed answers
    # Linting everything (no file outside the roots this time): every file is named,
    # so the early index is the late one.
    other = tmp_path / "other"
    _project(other, 6, tools=False)
    monkeypatch.chdir(other)
    config = load_config(other, Overrides())
    everything = sorted(other.rglob("*.py"))
    early_analysis = analyse(everything, config, jobs=1)
    early_index = early_analysis.checker.importers
    assert early_index is not None
    early_index.build_if_named()
    assert early_index._from is not None
    late_analysis = analyse(everything, config, jobs=1)
    assert late_analysis.checker.importers is not None
    assert early_index._from == late_analysis.checker.importers.build()
    assert early_index._module_users == late_analysis.checker.importers._module_users
    assert check(early_analysis) == check(late_analysis)
    assert late  # the package's names are imported from somewhere


class _ScriptedChild:
    """Stands in for FromTheEnd in ``Parsing._from_both_ends``: the child has claimed the files
    from ``meet`` on and sends its answers in the batches given, one batch per poll."""

    def __init__(self, count: int, meet: int, batches: list[list[tuple[int, object]]]) -> None:
        self.count, self.meet, self.batches = count, meet, list(batches)
        self.answers = {at: answer for batch in batches for at, answer in batch}

    def publish(self, wanted: object) -> None:
        pass

    def claim(self, index: int) -> bool:
        return index < self.meet

    def poll(self) -> list[tuple[int, object]]:
        return self.batches.pop(0) if self.batches else []

    def result(self) -> tuple[dict[int, object], object]:
        return self.answers, None


def test_answers_of_the_child_are_handed_over_as_they_arrive(tmp_path: Path) -> None:
    paths = [tmp_path / f"m{i}.py" for i in range(8)]
    for path in paths:
        path.write_text("x = 1\n")
    datas = {path: path.read_bytes() for path in paths}
    project = Project([tmp_path], None, lambda path: datas[path])  # type: ignore[arg-type]
    arrived: list[tuple[Path, object]] = []
    project.facts_for_path = lambda path, data, summary: arrived.append((path, summary))  # type: ignore[method-assign,assignment,misc]
    kept = [path for i, path in enumerate(paths) if i != 6]  # file 6 left out by the prefilter
    # This process takes files 0-3; the child answered 7, 6, 5, 4, in two batches, as facts.
    answers = {at: ("facts", at) for at in range(8)}
    child = _ScriptedChild(8, 4, [[(7, answers[7]), (6, answers[6])], [(5, answers[5]), (4, answers[4])]])
    parsing = parallel.Parsing(project, datas, 2, None)
    seen = list(parsing._from_both_ends(kept, None, child))  # type: ignore[arg-type]
    # Every kept file once, in order; the child's answers handed over as they came,
    # before the end, and never one for a file that was not kept.
    assert [path for path, _ in seen] == kept
    assert [summary for _, summary in seen[4:]] == [answers[4], answers[5], answers[7]]
    assert arrived == [(paths[7], answers[7]), (paths[5], answers[5]), (paths[4], answers[4])]


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


# -- forked_map and footprints ---------------------------------------------------

def test_a_failing_child_leaves_its_share_to_the_parent() -> None:
    if not hasattr(os, "fork") or sys.platform == "darwin":
        pytest.skip("forking is not used here")
    parent = os.getpid()

    def square_here(values: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("child fails")
        return [v * v for v in values]

    assert list(forked_map(square_here, [[1, 2], [3], [4, 5]])) == [[1, 4], [9], [16, 25]]


def test_forked_lint_knows_what_its_children_looked_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "pyproject.toml": "[tool.lazyimport]\n",
        "app/__init__.py": "",
        "app/svc.py": "import torch\n\ndef run():\n    return torch\n",
        "app/r1.py": "from app.svc import run\n\ndef a():\n    return run()\n",
        "app/r2.py": "from app import svc\n\ndef b():\n    return svc.run()\n",
        "app/other.py": "from app.svc import torch\n\nX = torch\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    linted = [tmp_path / "app" / "svc.py", tmp_path / "app" / "r1.py"]
    runs = []
    for jobs in (1, 2):
        analysis = analyse(linted, config, jobs=jobs)
        result = check(analysis)
        project = analysis.project
        runs.append((result, project.read_paths(), project.probed_folders()))
    assert runs[0] == runs[1]


def test_absorbing_a_childs_footprint_covers_its_lookups(tmp_path: Path) -> None:
    from lazyimport_codemod.settings.heavy import HeavyMatcher

    for name in ("app/__init__.py", "app/svc.py", "my-tools/job.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    parent = Project([tmp_path], HeavyMatcher(()))
    parent.modules.locate("app")
    before = parent.footprint()
    child = Project([tmp_path], HeavyMatcher(()))  # stands for the forked copy
    child.modules.locate("app")
    child.modules.locate("app.svc")
    child.modules.name_for_path(tmp_path / "my-tools" / "job.py")  # not a package path: a new root
    child.read(tmp_path / "app" / "svc.py")
    assert parent.modules.roots != child.modules.roots
    parent.absorb(child.footprint().since(before))
    assert parent.read_paths() == child.read_paths()
    assert parent.modules.roots == child.modules.roots
    assert parent.probed_folders() >= child.probed_folders()


def test_stopping_early_leaves_no_child_behind() -> None:
    if not hasattr(os, "fork") or sys.platform == "darwin":
        pytest.skip("forking is not used here")
    answers = forked_map(lambda values: [v + 1 for v in values], [[1], [2] * 100_000, [3]])
    assert next(answers) == [2]
    answers.close()  # the children are reaped, even one blocked writing a large answer
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("sources", [{}, {"a.py": "import torch\n\ndef f():\n    return torch\n"}])
def test_more_processes_than_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: dict) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    files = sorted(tmp_path.glob("*.py"))
    assert check(analyse(files, config, jobs=4)) == check(analyse(files, config, jobs=1))
