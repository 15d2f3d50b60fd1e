"""Shortcuts that cut the Python-level work per file in ``facts.extract``, each compared
with the plain path it replaces on tricky inputs: the facts must be the same.

- ``facts._reserved_by_imports`` answers ``module_bindings`` of the reserved names
  from the import statements when each is spelled at most once.
- ``_UsageWalker._spelled`` checks each statement of a function or class body once
  for both the scope's bindings and the walk.
- ``_scope_bindings`` and ``module_bindings`` tell nodes apart by exact type, and
  ``_word_lines`` scans without a generator.
- ``walk_import_time`` builds a list (shared by ``collect_imports`` and
  ``facts._side_effect``), the named tuples are built with ``tuple.__new__``, and
  ``_side_effect`` dispatches on exact types.
- ``ParsedSource.noqa`` looks for ``noqa`` in the lowered bytes, not with a regular expression.
"""

from __future__ import annotations

import ast
import re
import sys
import sysconfig
import textwrap
from pathlib import Path
from typing import Iterator, Optional, Sequence

import pytest

from lazyimport_codemod.parse import facts

from lazyimport_codemod.parse import usage
from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.parse.imports import (
    _PRIORITY,
    _blocks,
    collect_imports,
    has_future_annotations,
    resolve_relative,
    walk_import_time,
)
from lazyimport_codemod.parse.source import SourceError, parse_source
from lazyimport_codemod.records import ImportedName, ImportStatement, Where

HEAVY = ("numpy", "pandas", "torch", "typing")

# -- the plain paths, as they were ------------------------------------------------


def _plain_walk(body: Sequence[ast.stmt], where: Where = Where.MODULE, where_line: int = 0
                ) -> Iterator[tuple[ast.stmt, Where, int]]:
    for node in body:
        yield node, where, where_line
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While,
                             ast.ClassDef)) or type(node).__name__ in ("TryStar", "Match"):
            for kind, stmts in _blocks(node):
                if stmts:
                    if _PRIORITY[kind] >= _PRIORITY[where]:
                        yield from _plain_walk(stmts, kind, node.lineno)
                    else:
                        yield from _plain_walk(stmts, where, where_line)


def _plain_imports(tree: ast.Module, module: Optional[str], is_package: bool) -> list[ImportStatement]:
    found = []
    for node, where, where_line in _plain_walk(tree.body):
        if isinstance(node, ast.Import):
            names = tuple(ImportedName(bound=a.asname or a.name.split(".")[0], module=a.name, attribute=None,
                                       asname=a.asname) for a in node.names)
            is_from, level, written = False, 0, None
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            level = node.level or 0
            absolute = resolve_relative(module, is_package, level, node.module)
            base = absolute if absolute is not None else "." * level + (node.module or "")
            names = tuple(ImportedName(bound=a.asname or a.name, module=base, attribute=a.name, asname=a.asname,
                                       star=a.name == "*") for a in node.names)
            is_from, written = True, node.module
        else:
            continue
        found.append(ImportStatement(
            line=node.lineno, column=node.col_offset, end_line=node.end_lineno or node.lineno,
            end_column=node.end_col_offset or node.col_offset, is_from=is_from, level=level,
            written_module=written, names=names, where=where, where_line=where_line or node.lineno,
        ))
    return found


def _plain_side_effect(tree: ast.Module, imported: set[str]) -> tuple[int, str]:
    for node, _, _ in _plain_walk(tree.body):
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
            return node.lineno, "a call"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for deco in node.decorator_list:
                if facts._root_name(deco) in imported:
                    return deco.lineno, "a decorator from another module"
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)) and facts._root_name(target) in imported:
                return node.lineno, "an assignment into another module's object"
    return 0, ""


def _plain_scope_bindings(body: Sequence[ast.AST]) -> tuple[set[str], set[str], set[str]]:
    bound: set[str] = set()
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            stack.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                stack.extend(node.bases)
                stack.extend(kw.value for kw in node.keywords)
            else:
                stack.extend(node.args.defaults)
                stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, usage._COMPREHENSIONS):
            for sub in ast.walk(node):
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    bound.add(sub.target.id)
            continue
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            bound.add(node.name)  # type: ignore[attr-defined]
        elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
            bound.add(node.rest)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(node))
    return (bound - declared_global) | declared_nonlocal, declared_global, declared_nonlocal


def _plain_module_bindings(tree: ast.Module, names: set[str]) -> dict[str, list[int]]:
    bound: dict[str, list[int]] = {name: [] for name in names}
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        found: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
            stack.extend(node.decorator_list)
            stack.extend(node.bases if isinstance(node, ast.ClassDef) else node.args.defaults)
        elif isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
        elif isinstance(node, usage._COMPREHENSIONS):
            found.extend(sub.target.id for sub in ast.walk(node)
                         if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name))
        elif isinstance(node, ast.If) and usage.is_type_checking(node.test):
            stack.extend(node.orelse)
        else:
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                found.append(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
            elif isinstance(node, ast.ExceptHandler) and node.name:
                found.append(node.name)
            elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
                found.append(node.name)  # type: ignore[attr-defined]
            elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
                found.append(node.rest)  # type: ignore[attr-defined]
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
        for name in found:
            if name in bound:
                bound[name].append(getattr(node, "lineno", 0))
    return bound


def _plain_word_lines(text: str, words: Sequence[str]) -> list[int]:
    return sorted({text.count("\n", 0, pos) + 1 for word in words for pos in usage.occurrences(text, word)})


# -- tricky modules ---------------------------------------------------------------

SOURCES = {
    "reserved names imported once and never used": """
        from typing import TYPE_CHECKING, Any
        import numpy as np
        def f(): return np
        """,
    "TYPE_CHECKING used as a guard": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import numpy as np
        else:
            np = None
        """,
    "reserved names bound in a class body": """
        class A:
            from typing import TYPE_CHECKING
            import lazy_import
        """,
    "reserved names bound twice on one line": "from typing import TYPE_CHECKING; TYPE_CHECKING = False\n",
    "reserved name bound other ways": """
        TYPE_CHECKING = False
        def lazy_import(name): return name
        """,
    "reserved names as a future import and a star": """
        from __future__ import TYPE_CHECKING
        from typing import *
        """,
    "reserved name under an alias and as one": """
        from typing import TYPE_CHECKING as T
        from lazy import proxy as lazy_import
        import TYPE_CHECKING.sub
        """,
    "reserved name in a string, a comment and a function": """
        import typing  # TYPE_CHECKING
        doc = "lazy_import"
        def f():
            from typing import TYPE_CHECKING
            global lazy_import
            lazy_import = 1
        """,
    "reserved names in conditional, optional and looped imports": """
        try:
            from typing import TYPE_CHECKING
        except ImportError:
            TYPE_CHECKING = False
        if True:
            from lazy import lazy_import
        for _ in ():
            import numpy
        while False:
            import torch
        with open("x") as fh:
            import pandas
        """,
    "fullwidth spelling": "from typing import \uff34YPE_CHECKING\nimport TYPE_CHECKING\n",
    "multi-line import": "from typing import (\n    Any,\n    TYPE_CHECKING,\n)\n",
    "side effects of every kind": """
        import numpy as np
        import logging
        logger = logging.getLogger(__name__)
        np.x = 1
        np.y += 1
        np.z: int = 2
        np.w[0] = 1
        class A:
            np.v = 2
        @np.decorate
        def f(): pass
        print("x")
        """,
    "decorated coroutine": """
        import numpy as np
        @np.jit
        async def f(): pass
        """,
    "names that need the real object": """
        from app import Err, Base, svc
        class A(Base):
            def f(self):
                try:
                    return super(A, self).f() is svc or type(svc)
                except (Err, KeyError):
                    raise Err
        """,
    "side effect only in a class body or a handler": """
        import numpy as np
        class A:
            np.seed(0)
        try:
            pass
        except ImportError:
            np.seed(1)
        """,
    "awaited and conditional calls": """
        import asyncio
        if asyncio:
            await_me = 1
        async def f(): pass
        """,
    "scopes: nested functions, globals, nonlocals, walrus": """
        import numpy as np
        from app import svc
        def outer():
            x = np
            def inner():
                nonlocal x
                global svc
                svc = np.array(x)
                return [y := np.e for _ in range(2)], y
            class K:
                np = 1
                def m(self):
                    return np
            return inner, K, dir()
        def rebinds():
            global np
            import numpy as np
        def unspelled():
            return globals()
        class Model(svc.Base):
            a: np.ndarray = np.zeros(1)
            b: "np.dtype"
            def __init__(self, q=np.pi, *, r=svc.R) -> np.ndarray:
                try:
                    self.q = np.asarray(q)
                except np.AxisError as exc:
                    del exc
                with svc.lock() as (l1, l2):
                    pass
                for np_i, (a, b) in enumerate(np.ones(2)):
                    pass
        Model()
        """,
    "import-time and module bindings in every form": """
        import numpy as np
        import pandas as pd, torch
        from app import svc as svc2
        np = np
        (pd, torch) = 1, 2
        for svc2 in ():
            pass
        with open("f") as torch:
            pass
        try:
            pass
        except Exception as pd:
            pass
        del np
        print(x := 1, [z := 2 for _ in ()])
        f = lambda a=(w := np): a
        """,
    "noqa everywhere": """
        import numpy as np  # NoQa: LI001
        import pandas as pd  # NOQA
        import torch  # noqa:LI002,LI003
        """,
}

if sys.version_info >= (3, 10):
    SOURCES["match statements"] = """
        import numpy as np
        from typing import TYPE_CHECKING
        match np.x:
            case {"k": np.v, **TYPE_CHECKING}:
                pass
            case [np.a, *rest] if np.b:
                pass
            case np.ndarray(shape=(1,)) as captured:
                pass
        def f(v):
            match v:
                case np.dtype():
                    return np
                case other:
                    return dir(other)
        """


def _modules() -> list[tuple[str, bytes]]:
    found = [(name, textwrap.dedent(src).encode()) for name, src in SOURCES.items()]
    folder = Path(sysconfig.get_paths()["stdlib"])
    found += [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.py"))[::9]]
    return found


MODULES = _modules()


def _parsed(data: bytes):  # type: ignore[no-untyped-def]
    try:
        return parse_source(data)
    except SourceError:  # syntax newer than this Python (match, PEP 695...): nothing to compare
        pytest.skip("not parseable by this Python")


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_import_walk_and_statements_match_the_plain_ones(name: str, data: bytes) -> None:
    tree = _parsed(data).tree
    assert walk_import_time(tree.body) == list(_plain_walk(tree.body))
    for module, is_package in ((None, False), ("app.sub.mod", False), ("app.sub", True)):
        fast = collect_imports(tree, module, is_package)
        assert fast == _plain_imports(tree, module, is_package)
        assert [type(s) for s in fast] == [ImportStatement] * len(fast)
        assert all(type(n) is ImportedName for s in fast for n in s.names)
        assert collect_imports(tree, module, is_package, walk_import_time(tree.body)) == fast


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_side_effect_matches_the_plain_one(name: str, data: bytes) -> None:
    tree = _parsed(data).tree
    bound = {n.bound for s in collect_imports(tree) for n in s.names}
    for imported in (bound, set(), {"np", "asyncio", "logging"}):
        assert facts._side_effect(walk_import_time(tree.body), imported) == _plain_side_effect(tree, imported)


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_reserved_names_without_the_walk(monkeypatch: pytest.MonkeyPatch, name: str, data: bytes) -> None:
    parsed = _parsed(data)
    imports = collect_imports(parsed.tree)
    fast = facts._reserved(parsed, imports)
    monkeypatch.setattr(facts, "_reserved_by_imports", lambda text, imports: None)
    assert fast == facts._reserved(parsed, imports)


@pytest.mark.parametrize("src,answer", [
    (b"from typing import TYPE_CHECKING, Any\n", {"TYPE_CHECKING": [1], "lazy_import": []}),
    (b"x = 1\ntry:\n    from lazy import lazy_import\nexcept ImportError:\n    pass\n",
     {"TYPE_CHECKING": [], "lazy_import": [3]}),
    (b"class A:\n    from typing import TYPE_CHECKING\n", None),  # a class attribute: walk
    (b"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n", None),  # spelled twice: walk
    (b"TYPE_CHECKING = False\n", None),  # not an import: walk
    (b"from __future__ import TYPE_CHECKING\n", None),  # not collected: walk
])
def test_reserved_shortcut_answers_only_what_it_can(src: bytes, answer: Optional[dict[str, list[int]]]) -> None:
    parsed = parse_source(src)
    assert facts._reserved_by_imports(parsed.text, collect_imports(parsed.tree)) == answer


def _usage_both_ways(monkeypatch: pytest.MonkeyPatch, data: bytes, names: set[str]):  # type: ignore[no-untyped-def]
    parsed = _parsed(data)
    future = has_future_annotations(parsed.tree)
    fast = usage.analyse_usage(parsed.tree, names, future, parsed.text)
    with monkeypatch.context() as patch:
        # Each statement checked where it is walked, as before.
        patch.setattr(usage._UsageWalker, "_spelled", lambda self, body: list(body))
        checked_twice = usage.analyse_usage(parsed.tree, names, future, parsed.text)
    plain = usage.analyse_usage(parsed.tree, names, future)
    return fast, checked_twice, plain


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_usage_walk_matches_the_plain_one(monkeypatch: pytest.MonkeyPatch, name: str, data: bytes) -> None:
    tree = _parsed(data).tree
    imported = {n.bound for s in collect_imports(tree) for n in s.names if not n.star}
    every = imported | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for names in (imported, every):
        if not names:
            continue
        fast, checked_twice, plain = _usage_both_ways(monkeypatch, data, names)
        assert fast == checked_twice
        # Only the namespace-read line may differ: bodies without a tracked name are not walked.
        assert {k: v._replace(dynamic_line=0) for k, v in fast.items()} == {
            k: v._replace(dynamic_line=0) for k, v in plain.items()
        }


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_bindings_match_the_plain_walks(name: str, data: bytes) -> None:
    parsed = _parsed(data)
    tree = parsed.tree
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {"TYPE_CHECKING", "np"}
    spelling = usage.Spelling(parsed.text, names)
    plain = _plain_module_bindings(tree, names)
    assert usage.module_bindings(tree, names, spelling) == plain
    assert usage.module_bindings(tree, names) == plain
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            spelled = [stmt for stmt in node.body if not spelling.quiet(stmt)]
            slow = _plain_scope_bindings(node.body)
            assert usage._scope_bindings(node.body) == slow
            for fast in (usage._scope_bindings(spelled, spelling, spelled=True),
                         usage._scope_bindings(node.body, spelling)):
                # Only tracked names are ever asked about.
                assert [found & names for found in fast] == [found & names for found in slow]


def test_real_object_positions_are_recorded() -> None:
    data = textwrap.dedent(SOURCES["names that need the real object"]).encode()
    found = extract(data, "m.py", "app.m", False, HEAVY, None).usage
    assert {use.needs_real for use in found["Err"].uses} == {"except clause", "raise statement"}
    assert {use.needs_real for use in found["svc"].uses} == {"identity comparison", "type() call"}


@pytest.mark.parametrize("name,data", MODULES[:len(SOURCES)], ids=list(SOURCES))
def test_word_lines_match_the_generator(name: str, data: bytes) -> None:
    text = usage.normalised(_parsed(data).text)
    words = sorted({m.group() for m in re.finditer(r"\w+", text)} | {"np", "x", "_", "TYPE_CHECKING"})
    for word in words:
        assert usage._word_lines(text, [word]) == _plain_word_lines(text, [word]), word
    assert usage._word_lines(text, words) == _plain_word_lines(text, words)


@pytest.mark.parametrize("text", ["np", "np_", "_np", "anp", "np1", "np.x", "(np)", "np\nnp", "xnp np", "np np",
                                  "\u00e9np", "np\u00e9", "npnp np", "\n\nnp\n"])
def test_word_lines_on_word_edges(text: str) -> None:
    assert usage._word_lines(text, ["np"]) == _plain_word_lines(text, ["np"])


@pytest.mark.parametrize("data", [
    b"x = 1\n", b"import a  # noqa\n", b"# NOQA\n", b"# nOqA: LI001\n", b"# no qa\n", b"noq\na\n",
    "# \u00f1oqa\n".encode(), "# n\u00f6qa\n".encode("latin-1"), b"\xff\xfenoqa", b"NoQ", b"xNOQAx",
])
def test_noqa_is_found_in_any_case(data: bytes) -> None:
    parsed = parse_source(b"x = 1\n")
    parsed.data = data
    try:
        parsed.noqa(1)
    except UnicodeDecodeError:  # the answer is known before the text is decoded
        pass
    assert parsed._has_noqa == (re.search(rb"noqa", data, re.IGNORECASE) is not None)


@pytest.mark.parametrize("name,data", MODULES, ids=[name for name, _ in MODULES])
def test_extract_is_the_same_with_every_shortcut_off(monkeypatch: pytest.MonkeyPatch, name: str,
                                                     data: bytes) -> None:
    _parsed(data)
    first_party: Optional[frozenset[str]]
    for first_party in (None, frozenset({"app"})):
        fast = extract(data, "m.py", "app.m", False, HEAVY, first_party)
        with monkeypatch.context() as patch:
            patch.setattr(facts, "_reserved_by_imports", lambda text, imports: None)
            patch.setattr(usage._UsageWalker, "_spelled", lambda self, body: list(body))
            patch.setattr(facts, "walk_import_time", lambda body: list(_plain_walk(body)))
            patch.setattr(facts, "collect_imports", lambda tree, module, is_package, walked: _plain_imports(
                tree, module, is_package))
            slow = extract(data, "m.py", "app.m", False, HEAVY, first_party)
        assert fast == slow
