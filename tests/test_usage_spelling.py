"""The usage walk reads only the code that spells a tracked name, and answers as the full walk does.

Reading a module's use of its imported names is most of the work per file
after parsing, and most statements never mention those names.  With the
module's text, the walk passes over every statement, expression and function
body whose lines spell none of them (:class:`~lazyimport_codemod.parse.usage.Spelling`).
A differential test is the right tool here: every answer (uses, bindings,
functions run at import time, exports) is compared with the walk that reads
everything, on inputs chosen to trip the shortcut and on real modules.
"""

from __future__ import annotations

import ast
import re
import sysconfig
import textwrap
from pathlib import Path

import pytest

from lazyimport_codemod.parse import usage
from lazyimport_codemod.parse import facts
from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations
from lazyimport_codemod.parse.source import SourceError, parse_source

HEAVY = ("numpy", "pandas", "torch", "typing")

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

# On Python 3.9 too: parse_source reads a match through LibCST there (parse/newer_syntax.py).
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


def _cases() -> list[tuple[str, bytes]]:
    found = [(name, textwrap.dedent(src).encode()) for name, src in {**TRICKY, **SOURCES, **WALKS}.items()]
    found.append(("leaves", textwrap.dedent(LEAVES).encode()))
    found.append(("match captures", textwrap.dedent(MATCH).encode()))
    folder = Path(sysconfig.get_paths()["stdlib"])
    found += [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.py"))[::7]]
    return found


CASES = _cases()


def _parsed(data: bytes):  # type: ignore[no-untyped-def]
    try:
        return parse_source(data)
    except SourceError:  # e.g. ``from __future__ import TYPE_CHECKING``, which 3.15's parser refuses
        pytest.skip("not parseable by this Python")


def _name_sets(tree: ast.Module) -> list[set[str]]:
    """The imported names, and every name the module spells (the widest tracking)."""
    imported = {n.bound for stmt in collect_imports(tree) for n in stmt.names if not n.star}
    every = imported | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {"np", "TYPE_CHECKING"}
    return [names for names in (imported, every) if names]


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_uses_are_the_full_walks(name: str, data: bytes) -> None:
    parsed = _parsed(data)
    future = has_future_annotations(parsed.tree)
    for names in _name_sets(parsed.tree):
        spelled = usage.analyse_usage(parsed.tree, names, future, parsed.text)
        full = usage.analyse_usage(parsed.tree, names, future)
        # Only the namespace-read line may differ: bodies without a tracked name are not read.
        assert {k: v._replace(dynamic_line=0) for k, v in spelled.items()} == {
            k: v._replace(dynamic_line=0) for k, v in full.items()
        }


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_bindings_functions_run_and_exports_are_the_full_walks(name: str, data: bytes) -> None:
    parsed = _parsed(data)
    tree = parsed.tree
    for names in _name_sets(tree):
        spelling = usage.Spelling(parsed.text, names)
        assert usage.module_bindings(tree, names, spelling) == usage.module_bindings(tree, names)
        assert usage._runs_at_import_time(tree, spelling) == usage._runs_at_import_time(tree)
        assert usage.exported_names(tree, spelling) == usage.exported_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                full = usage._scope_bindings(node.body)
                quiet_skipped = [stmt for stmt in node.body if not spelling.quiet(stmt)]
                for fast in (usage._scope_bindings(quiet_skipped, spelling, spelled=True),
                             usage._scope_bindings(node.body, spelling)):
                    # Only tracked names are ever asked about.
                    assert [found & names for found in fast] == [found & names for found in full]


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_reserved_names_read_from_the_imports_are_the_full_walk(name: str, data: bytes) -> None:
    """When the text shows only imports binding ``lazy_import`` and ``TYPE_CHECKING``, the
    bindings are taken from the imports without a walk; they must be the walk's."""
    parsed = _parsed(data)
    imports = collect_imports(parsed.tree)
    read = facts._imported_only(data, imports)
    if read is not None:
        assert read == usage.module_bindings(parsed.tree, set(facts.RESERVED_NAMES))


@pytest.mark.parametrize(("source", "taken"), [
    ("from typing import TYPE_CHECKING, Any\nimport numpy\n", True),
    ("import numpy\n", True),
    ("from typing import (\n    Any,\n    TYPE_CHECKING,\n)\nfrom app.lazy import lazy_import\n", True),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import numpy\n", False),
    ("class A:\n    from typing import TYPE_CHECKING\n", False),
    ("class A:\n    if True:\n        from typing import TYPE_CHECKING\n", False),
    ("try:\n    from typing import TYPE_CHECKING\nexcept ImportError:\n    pass\n", True),
    ("from typing import TYPE_CHECKING as TYPE_CHECKING\n", False),
    ("from typing import TYPE_CHECKING\nx = 'TYPE_CHECKING'\n", False),
    ("from typing import TYPE_CHECKING\nmy_lazy_import = 1\n", False),
    ("from typing import \uff34YPE_CHECKING\n", False),
])
def test_reserved_names_are_read_from_the_imports_only_when_the_text_allows(source: str, taken: bool) -> None:
    data = source.encode()
    read = facts._imported_only(data, collect_imports(parse_source(data).tree))
    assert (read is not None) == taken


_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@pytest.mark.parametrize("name,data", CASES, ids=[name for name, _ in CASES])
def test_breadth_first_is_ast_walk_without_its_leaves(name: str, data: bytes) -> None:
    """Walks that read the first node of a kind (a namespace-reading call's line) rely on
    ``ast.walk``'s order."""
    tree = _parsed(data).tree
    assert list(usage.breadth_first(tree)) == [node for node in ast.walk(tree) if not isinstance(node, _LEAVES)]


def test_a_use_after_a_form_feed_is_found() -> None:
    # str.splitlines() breaks lines at form feeds, ast does not.
    parsed = parse_source(b"import numpy as np\n\x0c\ndef f():\n    x = 1\n    return np\n")
    found = usage.analyse_usage(parsed.tree, {"np"}, False, parsed.text)
    assert [use.line for use in found["np"].uses] == [5]


def test_a_fullwidth_spelling_is_the_same_name() -> None:
    parsed = parse_source("import numpy as np\ndef f():\n    return \uff4e\uff50.zeros(1)\n".encode())  # NFKC: np
    found = usage.analyse_usage(parsed.tree, {"np"}, False, parsed.text)
    assert [use.line for use in found["np"].uses] == [3]


def test_noqa_is_read_from_the_line_ast_counts() -> None:
    parsed = parse_source(b"x = 1\n\x0c\nimport torch  # noqa: LI001\n")
    assert parsed.noqa(3) == frozenset({"LI001"})


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


def test_real_object_positions_are_recorded() -> None:
    data = textwrap.dedent(SOURCES["names that need the real object"]).encode()
    found = extract(data, "m.py", "app.m", False, HEAVY, None).usage
    assert {use.needs_real for use in found["Err"].uses} == {"except clause", "raise statement"}
    assert {use.needs_real for use in found["svc"].uses} == {"identity comparison", "type() call"}


@pytest.mark.parametrize("text", ["np", "np_", "_np", "anp", "np1", "np.x", "(np)", "np\nnp", "xnp np", "np np",
                                  "\u00e9np", "np\u00e9", "npnp np", "\n\nnp\n", "a np b\n\nnp"])
def test_word_lines_are_the_lines_of_whole_word_occurrences(text: str) -> None:
    expected = sorted({text.count("\n", 0, at) + 1 for at in usage.occurrences(text, "np")})
    assert usage._word_lines(text, ["np"]) == expected
