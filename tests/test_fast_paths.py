"""The shortcuts of the cold lint path give the answers of the slow ones.

The usage walk skips statements whose text spells no tracked name, searches
for "what do my parents load without me" are derived from one search per
package, and lint forks processes that share the work.  Each test here holds
a shortcut against the plain computation it replaces, so a wrong shortcut
fails here first.
"""

from __future__ import annotations

import ast
import os
import random
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.parse.usage import (
    Spelling,
    _runs_at_import_time,
    analyse_usage,
    exported_names,
    module_bindings,
)
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.pipeline import analyse, lint
from lazyimport_codemod.speed.forking import forked_map

TRICKY = {
    "decorated first statement": """
        import numpy as np
        def outer(f):
            @np.vectorize
            def inner():
                pass
            return inner
        """,
    "walrus in a decorator and a default": """
        import numpy as np
        @register(np := load())
        def f(x=(np := 2)):
            return np
        """,
    "global rebinding": """
        import numpy as np
        def f():
            x = 1
            global np
            np = 2
        def g():
            return np.zeros(1)
        """,
    "class body and method": """
        import numpy as np
        class A(Base):
            np = 1
            field: np.ndarray = None
            def m(self):
                return np
        A()
        """,
    "called at import time": """
        import numpy as np
        def helper():
            return np.ones(1)
        def setup():
            return helper()
        VALUE = setup()
        """,
    "string annotations and lambdas": """
        import numpy as np
        def f(x: "np.ndarray") -> "np.ndarray":
            return x
        g = lambda: np.zeros(1)
        values = [np for _ in range(3)]
        """,
    "namespace reads": """
        import numpy as np
        def f(name):
            if name:
                return np
            return globals()[name]
        table = vars()
        """,
    "main guard and type checking": """
        import numpy as np
        if TYPE_CHECKING:
            import numpy as np
        if __name__ == "__main__":
            np.show_config()
        """,
    "local bindings of every kind": """
        import numpy as np
        def assign():
            np = 1
            return np
        def unpack(pairs):
            for a, (np, b) in pairs:
                pass
            return np
        def targets(obj):
            obj.np = 1
            obj[np] = 2
            return np
        def deleting():
            del np
        def context():
            with open("f") as np:
                return np
        def handler():
            try:
                pass
            except ValueError as np:
                return np
        def augmented():
            np += 1
        def annotated():
            np: int
            return np
        def imported():
            import numpy as np
            return np
        """,
    "walrus in a body": """
        import numpy as np
        def f(values):
            if (np := len(values)) > 1:
                return np
        def g(values):
            return [np := v for v in values], np
        def h():
            return lambda: (np := 1)
        """,
    "multi-line call and exports": """
        import numpy as np
        __all__ = ["np"]
        router = Router(
            prefix="/np",
            tags=["x"],
        )
        def f():
            return np
        """,
}


def _usage_both_ways(src: str, names: set[str]) -> tuple[dict, dict]:
    parsed = parse_source(src.encode())
    future = has_future_annotations(parsed.tree)
    return (analyse_usage(parsed.tree, names, future, parsed.text),
            analyse_usage(parsed.tree, names, future))


MATCH = """
    import numpy as np
    def f(value):
        match value:
            case [np, *rest]:
                return np
            case {"k": v, **np}:
                return np
            case Point(x=np):
                return np
    """


@pytest.mark.parametrize("src", list(TRICKY.values()) + ([MATCH] if sys.version_info >= (3, 10) else []),
                         ids=list(TRICKY) + (["match captures"] if sys.version_info >= (3, 10) else []))
def test_skipping_unspelled_statements_changes_no_answer(src: str) -> None:
    fast, slow = _usage_both_ways(textwrap.dedent(src), {"np", "register", "Base", "Router"})
    assert fast == slow


def test_a_use_after_a_form_feed_is_found() -> None:
    # str.splitlines() breaks lines at form feeds, ast does not.
    fast, slow = _usage_both_ways("import numpy as np\n\x0c\ndef f():\n    x = 1\n    return np\n", {"np"})
    assert fast == slow
    assert [use.line for use in fast["np"].uses] == [5]


def test_a_fullwidth_spelling_is_the_same_name() -> None:
    src = "import numpy as np\ndef f():\n    return \uff4e\uff50.zeros(1)\n"  # NFKC makes it `np`
    fast, slow = _usage_both_ways(src, {"np"})
    assert fast == slow
    assert [use.line for use in fast["np"].uses] == [3]


def test_noqa_is_read_from_the_line_ast_counts() -> None:
    parsed = parse_source(b"x = 1\n\x0c\nimport torch  # noqa: LI001\n")
    assert parsed.noqa(3) == frozenset({"LI001"})


def _stdlib_sample() -> list[Path]:
    folder = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    return files[::6]


@pytest.mark.parametrize("path", _stdlib_sample(), ids=lambda p: p.name)
def test_shortcuts_agree_on_real_modules(path: Path) -> None:
    try:
        parsed = parse_source(path.read_bytes(), str(path))
    except Exception:
        pytest.skip("not parseable by this Python")
    tree = parsed.tree
    imported = {n.bound for stmt in collect_imports(tree) for n in stmt.names if not n.star}
    every = imported | {node.id for stmt in tree.body for node in ast.walk(stmt) if isinstance(node, ast.Name)}
    for names in (imported, every):
        if not names:
            continue
        spelling = Spelling(parsed.text, names)
        future = has_future_annotations(tree)
        fast = analyse_usage(tree, names, future, parsed.text)
        slow = analyse_usage(tree, names, future)
        # Only the namespace-read line may differ: bodies without a tracked name are not walked.
        assert {k: v._replace(dynamic_line=0) for k, v in fast.items()} == {
            k: v._replace(dynamic_line=0) for k, v in slow.items()
        }
        assert module_bindings(tree, names, spelling) == module_bindings(tree, names)
        assert _runs_at_import_time(tree, spelling) == _runs_at_import_time(tree)
        assert exported_names(tree, spelling) == exported_names(tree)


def test_first_party_narrowing_keeps_every_answer_it_gives() -> None:
    src = textwrap.dedent("""
        import numpy as np
        from fastapi import Depends
        from app.deps import settings
        from . import sibling
        def f(x=Depends(settings)):
            return np, sibling
        """).encode()
    narrow = extract(src, "m.py", "app.m", False, ("numpy",), frozenset({"app"}))
    wide = extract(src, "m.py", "app.m", False, ("numpy",), None)
    assert set(narrow.usage) == {"np", "settings", "sibling"}
    assert set(wide.usage) == {"np", "Depends", "settings", "sibling"}
    assert all(narrow.usage[name] == wide.usage[name] for name in narrow.usage)
    assert narrow._replace(usage={}) == wide._replace(usage={})


HEAVY = ("numpy", "pandas", "torch")


def _random_project(root: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    modules = [f"m{i}" for i in range(9)]
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "p").mkdir()
    (root / "p" / "__init__.py").write_text("".join(f"import p.{m}\n" for m in modules[:3]))
    for module in modules:
        lines = [f"import p.{other}" for other in rng.sample(modules, rng.randint(0, 3)) if other != module]
        lines += [f"import {pkg}" for pkg in HEAVY if rng.random() < 0.3]
        (root / "p" / f"{module}.py").write_text("\n".join(lines) + "\n\ndef f():\n    return 1\n")
    return [f"p.{m}" for m in modules]


@pytest.mark.parametrize("seed", range(25))
def test_search_without_a_module_is_a_search_that_skips_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    modules = _random_project(tmp_path, seed)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    analysis = analyse(sorted((tmp_path / "p").glob("*.py")), config)
    project, planner = analysis.project, analysis.planner
    for start in (("p",), ("p", modules[0]), tuple(modules[:4])):
        for excluded in ["p", *modules]:
            derived = project.heavy_reached(start, excluded=excluded)
            searched = project.heavy_reached(start, frozenset({excluded}))
            assert derived == searched, (start, excluded)
            after_fix = planner._remaining(start, excluded=excluded)
            assert after_fix == planner._remaining(start, frozenset({excluded})), (start, excluded)


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
        result = lint(analysis)
        project = analysis.project
        runs.append((result, project.read_paths(), project.probed_folders()))
    assert runs[0] == runs[1]


def test_absorbing_a_childs_footprint_covers_its_lookups(tmp_path: Path) -> None:
    from lazyimport_codemod.project.graph import Project
    from lazyimport_codemod.settings.heavy import HeavyMatcher

    for name in ("app/__init__.py", "app/svc.py", "my-tools/job.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    parent = Project([tmp_path], HeavyMatcher(()))
    parent.locate("app")
    before = parent.footprint()
    child = Project([tmp_path], HeavyMatcher(()))  # stands for the forked copy
    child.locate("app")
    child.locate("app.svc")
    child.name_for_path(tmp_path / "my-tools" / "job.py")  # not a package path: a new root
    child._read(tmp_path / "app" / "svc.py")
    assert parent.roots != child.roots
    parent.absorb(child.footprint().since(before))
    assert parent.read_paths() == child.read_paths()
    assert parent.roots == child.roots
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
    assert lint(analyse(files, config, jobs=4)) == lint(analyse(files, config, jobs=1))
