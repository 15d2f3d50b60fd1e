"""Shortcuts that cut the CPU time per file of a cold lint, each compared with the slow
path it replaces: the answers must be the same, whatever the project looks like.

- ``graph._without`` answers "what do these modules load without X" from one search
  also when X was the first to reach other modules (only a package first found
  by one of X's descendants still needs a new search); ``SHORTCUT_EXCLUDED`` off
  searches again for every such X, as before.
- ``Project._search`` looks skipped modules up in ``skip`` instead of copying it
  (compared with a plain breadth-first search written here).
- ``_UsageWalker._import_time_origin`` is remembered per function (each use asked).
- ``_UsageWalker.expr`` walks an expression in one loop instead of a call per node,
  ``WordLines.spelled_in`` has ``_span`` and ``within`` written out, and
  ``_UsageWalker.statement`` returns at once for an import (it holds only aliases):
  compared with the recursive walk as it was, uses in the order found included.
"""

from __future__ import annotations

import random
from collections import deque
from pathlib import Path
from typing import Optional

import pytest

from lazyimport_codemod.project import graph
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.pipeline import analyse, lint

HEAVY = ("numpy", "pandas", "torch", "scipy")


def _random_project(root: Path, seed: int, size: int = 14) -> list[str]:
    """A package ``p`` of ``size`` modules importing each other and heavy packages at
    random, its ``__init__`` importing the first few (as a router package does)."""
    rng = random.Random(seed)
    modules = [f"m{i}" for i in range(size)]
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "p").mkdir()
    (root / "p" / "__init__.py").write_text(
        "".join(f"import p.{m}\n" for m in modules[: rng.randint(1, size // 2)])
    )
    for module in modules:
        lines = [f"import p.{other}" for other in rng.sample(modules, rng.randint(0, 4)) if other != module]
        lines += [f"import {pkg}" for pkg in HEAVY if rng.random() < 0.25]
        if rng.random() < 0.3:
            lines.append(f"import {rng.choice(HEAVY)}  # noqa: LI001")
        rng.shuffle(lines)
        body = "\n".join(lines) + "\n\ndef f():\n    return 1\n"
        (root / "p" / f"{module}.py").write_text(body)
    return [f"p.{m}" for m in modules]


def _reference_search(project: graph.Project, start: tuple[str, ...], skip: frozenset[str],
                      keep_edge: Optional[object]) -> dict[str, tuple[str, ...]]:
    """The plain breadth-first search :meth:`Project._search` must agree with."""
    hot = project._hot
    found: dict[str, tuple[str, ...]] = {}
    seen = set(skip)
    queue: deque[tuple[str, tuple[str, ...]]] = deque()
    for module in start:
        if (hot is None or module in hot) and module not in seen:
            seen.add(module)
            queue.append((module, (module,)))
    while queue:
        module, chain = queue.popleft()
        heavies, targets = project._adjacency(module, keep_edge)  # type: ignore[arg-type]
        for heavy in heavies:
            found.setdefault(heavy, chain + (heavy,))
        for target in targets:
            if target not in seen:
                seen.add(target)
                queue.append((target, chain + (target,)))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_search_without_a_module_matches_a_new_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       seed: int) -> None:
    modules = _random_project(tmp_path, seed)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path, Overrides())
    analysis = analyse(sorted((tmp_path / "p").glob("*.py")), config)
    project, planner = analysis.project, analysis.planner
    rng = random.Random(seed)
    starts = [("p",), ("p", modules[0]), tuple(modules[:4]), tuple(rng.sample(modules, 3))]
    for start in starts:
        for excluded in ["p", *modules]:
            for skip in (frozenset(), frozenset(rng.sample(modules, 2)) - {excluded}):
                derived = project.heavy_reached(start, skip, excluded=excluded)
                searched = project.heavy_reached(start, skip | {excluded})
                assert derived == searched, (start, skip, excluded)
                assert searched == _reference_search(project, start, skip | {excluded}, None)
                kept = planner.keep_after_fix
                after_fix = project.heavy_reached(start, skip, kept, excluded=excluded)
                assert after_fix == project.heavy_reached(start, skip | {excluded}, kept), (start, excluded)
                assert after_fix == _reference_search(project, start, skip | {excluded}, kept)


def test_the_shortcut_answers_for_modules_that_reached_others(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The case the shortcut adds (X first reached other modules) does occur above, both
    with an answer and with None (a package first found through X's descendants)."""
    outcomes = set()
    for seed in range(40):
        root = tmp_path / str(seed)
        root.mkdir()
        modules = _random_project(root, seed)
        monkeypatch.chdir(root)
        analysis = analyse(sorted((root / "p").glob("*.py")), load_config(root, Overrides()))
        project = analysis.project
        for excluded in modules:
            search = project._search(("p",), frozenset(), None)
            if excluded in search.inner:
                outcomes.add(graph._without(search, excluded) is None)
    assert outcomes == {True, False}


def _lint_json(root: Path) -> list[tuple]:
    config = load_config(root, Overrides())
    result = lint(analyse(sorted(root.rglob("*.py")), config))
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("seed", range(8))
def test_lint_is_the_same_without_the_shortcut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               seed: int) -> None:
    _random_project(tmp_path, 100 + seed, size=20)
    monkeypatch.chdir(tmp_path)
    fast = _lint_json(tmp_path)
    monkeypatch.setattr(graph, "SHORTCUT_EXCLUDED", False)
    assert _lint_json(tmp_path) == fast


# -- the usage walk -------------------------------------------------------------

import ast  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
import textwrap  # noqa: E402

from lazyimport_codemod.parse import usage  # noqa: E402
from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations  # noqa: E402
from lazyimport_codemod.parse.source import parse_source  # noqa: E402


class _RecursiveWalker(usage._UsageWalker):
    """The walk as it was before :meth:`_UsageWalker.expr` became one loop: a call per
    node, ``isinstance`` tests, and :func:`usage._span` with :meth:`WordLines.within`."""

    def expr(self, node, scope, owner, reason):  # type: ignore[no-untyped-def]
        if node is None:
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self._record(node.id, node, scope, owner, reason)
            elif isinstance(node.ctx, ast.Del) and owner is None:
                self._record(node.id, node, scope, owner, "del statement")
            return
        if isinstance(node, ast.Lambda):
            self._arguments_defaults(node.args, scope, owner, reason)
            inner = self._new_scope("lambda", scope, [node.body], node.args)
            lambda_owner = owner if owner is not None else usage._Owner("lambda", node.lineno, "<lambda>")
            self.expr(node.body, inner, lambda_owner, reason)
            return
        if isinstance(node, usage._COMPREHENSIONS):
            self._comprehension(node, scope, owner, reason)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in usage._DYNAMIC_CALLS and not self.dynamic_line:
                self.dynamic_line = node.lineno
            if node.func.id == "super" and node.args:
                self._real_only(node.args[0], "super() argument")
            elif node.func.id == "type":
                for arg in node.args:
                    self._real_only(arg, "type() call")
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            for operand in [node.left, *node.comparators]:
                self._real_only(operand, "identity comparison")
        elif usage._is_match_class(node):
            self._real_only(node.cls, "class pattern")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and reason.startswith("annotation"):
            self._string_annotation(node, scope, owner, reason)
            return
        for child in usage._children(node):
            self.expr(child, scope, owner, reason)


    def statement(self, node, scope, owner, reason):  # type: ignore[no-untyped-def]
        if isinstance(node, (ast.Import, ast.ImportFrom)):  # walked, aliases included
            for child in usage._children(node):
                self.expr(child, scope, owner, reason)
            return
        super().statement(node, scope, owner, reason)


    def _import_time_origin(self, owner):  # type: ignore[no-untyped-def]
        if owner.name not in usage._INITS and self.spelling is not None and self.spelling.spelled_once(owner.name):
            return 0
        return self.running.get(owner.line, 0)


def _spelled_in_as_before(self, node):  # type: ignore[no-untyped-def]
    first, last = usage._span(node)
    return not first or self.within(first, last)


def _walk_both_ways(monkeypatch: pytest.MonkeyPatch, tree: ast.Module, names: set[str], text: str) -> None:
    future = has_future_annotations(tree)
    for spelled in (text, None):
        fast = usage._UsageWalker(tree, names, future, usage.Spelling(spelled, names) if spelled else None)
        fast.statements(tree.body, usage._Scope("module", None), None, "module statement")
        with monkeypatch.context() as patch:
            patch.setattr(usage.WordLines, "spelled_in", _spelled_in_as_before)
            slow = _RecursiveWalker(tree, names, future, usage.Spelling(spelled, names) if spelled else None)
            slow.statements(tree.body, usage._Scope("module", None), None, "module statement")
        assert fast.uses == slow.uses  # in the order found, not only sorted
        assert (fast.dynamic_line, fast.global_rebound) == (slow.dynamic_line, slow.global_rebound)
        assert fast.real_only == slow.real_only


WALKS = {
    "dynamic calls, first one wins": """
        import numpy as np
        x = [np.a, vars(np), eval("np"), (lambda: globals())(), {k: locals() for k in np.b}]
        def f():
            return dir(np)
        """,
    "functions run at import time": """
        import numpy as np
        from app import svc
        def setup():
            return np.zeros(1), np.ones(2), svc.go()
        def unused():
            return np.a
        class Model:
            def __init__(self):
                self.x = np.b
                self.y = svc.c
            def method(self):
                return np.c
        DATA = setup()
        model = Model()
        model.method()
        """,
    "real-only positions and nested scopes": """
        import numpy as np
        from app import svc
        class A(np.ndarray):
            x: np.dtype = np.float64
            y = [np for np in range(3)]
            def m(self, z: "np.ndarray" = svc.default) -> 'list["np.dtype"]':
                del np
                super(svc.Base, self).m()
                return type(np.e) is np.pi or (svc is not None)
        match svc.value:
            case np.ndarray(shape=(1,)):
                pass
        f = lambda a=np.zeros, *b, c=svc.x, **d: (a, np, [np.q for _ in b if svc])
        """,
}


@pytest.mark.parametrize("src", WALKS.values(), ids=list(WALKS))
def test_the_walk_in_one_loop_finds_what_the_recursive_walk_found(monkeypatch: pytest.MonkeyPatch,
                                                                   src: str) -> None:
    if "match " in src and sys.version_info < (3, 10):
        pytest.skip("match statements need Python 3.10")
    parsed = parse_source(textwrap.dedent(src).encode())
    every = {node.id for node in ast.walk(parsed.tree) if isinstance(node, ast.Name)}
    _walk_both_ways(monkeypatch, parsed.tree, {"np", "svc"}, parsed.text)
    _walk_both_ways(monkeypatch, parsed.tree, every, parsed.text)


def _sample() -> list[Path]:
    folder = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))[3::5]


@pytest.mark.parametrize("path", _sample(), ids=lambda p: p.name)
def test_the_walk_in_one_loop_agrees_on_real_modules(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    parsed = parse_source(path.read_bytes())
    imported = {n.bound for stmt in collect_imports(parsed.tree) for n in stmt.names if not n.star}
    every = imported | {node.id for node in ast.walk(parsed.tree) if isinstance(node, ast.Name)}
    for names in (imported, every):
        _walk_both_ways(monkeypatch, parsed.tree, names, parsed.text)
