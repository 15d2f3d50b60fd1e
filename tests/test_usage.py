"""How each load of an imported name is classified (Python scoping, import time vs deferred)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.parse.usage import analyse_usage
from lazyimport_codemod.records import UseKind, Where


def kinds(src: str, name: str = "np") -> list[tuple[str, int, str]]:
    """(kind, line, reason or function) for each use of ``name`` in ``src``.

    Parsed as lint parses: a match statement on Python 3.9 goes through LibCST."""
    tree = parse_source(textwrap.dedent(src).encode()).tree
    usage = analyse_usage(tree, {name}, has_future_annotations(tree))[name]
    return [
        (u.kind.value, u.line, u.function_name if u.kind is UseKind.FUNCTION else u.reason)
        for u in usage.uses
    ]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        pytest.param("import numpy as np\ndef f():\n    return np.zeros(1)\n",
                     [("function", 3, "f")], id="function body"),
        pytest.param("import numpy as np\nX = np.zeros(1)\n",
                     [("import-time", 2, "module statement")], id="module statement"),
        pytest.param("import numpy as np\n@np.vectorize\ndef f(): pass\n",
                     [("import-time", 2, "decorator")], id="decorator"),
        pytest.param("import numpy as np\ndef f(x=np.pi): pass\n",
                     [("import-time", 2, "default value")], id="default value"),
        pytest.param("import numpy as np\ndef f(x: np.ndarray): pass\n",
                     [("import-time", 2, "annotation")], id="annotation evaluated without future import"),
        pytest.param("from __future__ import annotations\nimport numpy as np\ndef f(x: np.ndarray): pass\n",
                     [("annotation", 3, "annotation")], id="annotation deferred by future import"),
        pytest.param("from __future__ import annotations\nimport numpy as np\n@r.get('/')\ndef f(x: np.ndarray): pass\n",
                     [("import-time", 4, "annotation of a route or model")], id="route annotation under future import"),
        pytest.param("from __future__ import annotations\nimport numpy as np\n"
                     "def dep(x: np.ndarray): pass\n@r.get('/')\ndef f(d=Depends(dep)): pass\n",
                     [("import-time", 3, "annotation of a route or model")], id="dependency annotation"),
        pytest.param("import numpy as np\nclass A(np.ndarray): pass\n",
                     [("import-time", 2, "base class")], id="base class"),
        pytest.param("import numpy as np\nclass A:\n    x = np.pi\n",
                     [("import-time", 3, "class body")], id="class body"),
        pytest.param("import numpy as np\nclass A:\n    def m(self):\n        return np.pi\n",
                     [("function", 4, "m")], id="method body"),
        pytest.param("import numpy as np\nY = [np.pi for _ in range(2)]\n",
                     [("import-time", 2, "module statement")], id="module comprehension"),
        pytest.param("import numpy as np\nf = lambda: np.pi\n",
                     [("lambda", 2, "a lambda body")], id="lambda body"),
        pytest.param("import numpy as np\nf = lambda x=np.pi: x\n",
                     [("import-time", 2, "default value")], id="lambda default"),
        pytest.param("import numpy as np\ndef f(np):\n    return np\n", [], id="parameter shadows"),
        pytest.param("import numpy as np\ndef f():\n    np = 1\n    return np\n", [], id="assignment shadows"),
        pytest.param("import numpy as np\ndef f():\n    for np in []: pass\n    return np\n", [], id="loop target shadows"),
        pytest.param("import numpy as np\ndef f():\n    with x as np: return np\n", [], id="with target shadows"),
        pytest.param("import numpy as np\ndef f():\n    try: pass\n    except E as np: return np\n", [], id="except name shadows"),
        pytest.param("import numpy as np\ndef f():\n    return [np for np in range(3)]\n", [], id="comprehension variable"),
        pytest.param("import numpy as np\ndef f():\n    if (np := 3): return np\n", [], id="walrus shadows"),
        pytest.param("import numpy as np\ndef f():\n    import numpy as np\n    return np\n", [], id="local import shadows"),
        pytest.param("import numpy as np\ndef f():\n    global np\n    return np\n",
                     [("function", 4, "f")], id="global declaration reads module name"),
        pytest.param("import numpy as np\ndef f():\n    def g():\n        return np\n    return g\n",
                     [("function", 4, "g")], id="nested function"),
        pytest.param("import numpy as np\ndef f():\n    np = 1\n    def g():\n        return np\n    return g\n",
                     [], id="closure over a local"),
        pytest.param("import numpy as np\nclass A:\n    np = 1\n    def m(self):\n        return np\n",
                     [("function", 5, "m")], id="class scope invisible to methods"),
        pytest.param("import numpy as np\nif TYPE_CHECKING:\n    X = np.ndarray\n", [], id="type checking body ignored"),
        pytest.param("import numpy as np\nif TYPE_CHECKING:\n    pass\nelse:\n    X = np.ndarray\n",
                     [("import-time", 5, "module statement")], id="type checking else runs"),
        pytest.param("import numpy as np\ndef f():\n    x: np.ndarray = 1\n",
                     [("function", 3, "f")], id="local annotation never evaluated"),
        pytest.param("import numpy as np\ndef setup():\n    return np.pi\nsetup()\n",
                     [("import-time", 3, "inside setup(), which runs at import time from line 4")],
                     id="function called at import time"),
        pytest.param("import numpy as np\ndef helper():\n    return np.pi\ndef outer():\n    return helper()\nX = outer()\n",
                     [("import-time", 3, "inside helper(), which runs at import time from line 6")],
                     id="function called by a function called at import time"),
        pytest.param("import numpy as np\nclass A:\n    def m(self):\n        return np.pi\nX = A().m()\n",
                     [("import-time", 4, "inside m(), which runs at import time from line 5")],
                     id="method called at import time"),
        pytest.param("import numpy as np\nclass A:\n    def __init__(self):\n        self.x = np.pi\nA()\n",
                     [("import-time", 4, "inside __init__(), which runs at import time from line 5")],
                     id="class instantiated at import time"),
        pytest.param("import numpy as np\ndef main():\n    return np.pi\nif __name__ == '__main__':\n    main()\n",
                     [("function", 3, "main")], id="main guard does not run on import"),
        pytest.param("import numpy as np\nif __name__ == '__main__':\n    print(np.pi)\n",
                     [("lambda", 3, "the __main__ block")], id="use under main guard needs the module name"),
        pytest.param("import numpy as np\ndef f(x: 'np.ndarray'): pass\n",
                     [("annotation", 2, "annotation")], id="string annotation"),
        pytest.param("import numpy as np\ndel np\n", [("import-time", 2, "del statement")], id="del at module level"),
    ],
)
def test_use_kinds(src: str, expected: list[tuple[str, int, str]]) -> None:
    assert kinds(src) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        pytest.param("import numpy as np\ndef f():\n    match x:\n        case np: return np\n", [],
                     id="match capture shadows"),
        pytest.param("import numpy as np\ndef f(x):\n    match x:\n        case np.ndarray(): return 1\n",
                     [("function", 4, "f")], id="match class pattern"),
    ],
)
def test_match_statements(src: str, expected: list[tuple[str, int, str]]) -> None:
    assert kinds(src) == expected


def test_exported_and_rebound() -> None:
    tree = ast.parse("import numpy as np\nimport torch\n__all__ = ['np']\ntorch = None\n"
                     "def f():\n    global np\n    np = 2\n")
    usage = analyse_usage(tree, {"np", "torch"}, False)
    assert usage["np"].exported == "listed in __all__"
    assert usage["np"].global_rebound_line == 5
    assert usage["torch"].rebound_line == 4


def test_dynamic_namespace_marks_exported() -> None:
    tree = ast.parse("import numpy as np\ndef f(name):\n    return globals()[name]\n")
    assert analyse_usage(tree, {"np"}, False)["np"].dynamic_line == 3


@pytest.mark.parametrize(
    ("src", "where"),
    [
        pytest.param("import torch\n", Where.MODULE, id="module"),
        pytest.param("try:\n    import torch\nexcept ImportError:\n    torch = None\n", Where.OPTIONAL, id="optional"),
        pytest.param("try:\n    import torch\nfinally:\n    pass\n", Where.MODULE, id="try finally"),
        pytest.param("if X:\n    import torch\n", Where.CONDITIONAL, id="if"),
        pytest.param("if TYPE_CHECKING:\n    pass\nelse:\n    import torch\n", Where.CONDITIONAL, id="type checking else"),
        pytest.param("with x:\n    import torch\n", Where.WITH, id="with"),
        pytest.param("for a in b:\n    import torch\n", Where.LOOP, id="for"),
        pytest.param("class A:\n    import torch\n", Where.CLASS, id="class body"),
        pytest.param("if X:\n    try:\n        import torch\n    except ImportError:\n        pass\n",
                     Where.OPTIONAL, id="nested optional wins"),
    ],
)
def test_import_contexts(src: str, where: Where) -> None:
    (stmt,) = collect_imports(ast.parse(src))
    assert stmt.where is where


@pytest.mark.parametrize(
    "src",
    [
        pytest.param("if TYPE_CHECKING:\n    import torch\n", id="type checking"),
        pytest.param("if typing.TYPE_CHECKING:\n    import torch\n", id="typing.TYPE_CHECKING"),
        pytest.param("def f():\n    import torch\n", id="function body"),
        pytest.param("from __future__ import annotations\n", id="future import"),
    ],
)
def test_imports_not_run_at_import_time(src: str) -> None:
    assert collect_imports(ast.parse(src)) == []


def test_relative_imports_resolve() -> None:
    tree = ast.parse("from . import a\nfrom ..svc import b\nfrom .m import c\n")
    stmts = collect_imports(tree, "app.routers.search", is_package=False)
    assert [(n.module, n.attribute) for s in stmts for n in s.names] == [
        ("app.routers", "a"), ("app.svc", "b"), ("app.routers.m", "c"),
    ]
    stmts = collect_imports(tree, "app.routers", is_package=True)
    assert [n.module for s in stmts for n in s.names] == ["app.routers", "app.svc", "app.routers.m"]


def test_import_dotted_binds_top_name() -> None:
    (stmt,) = collect_imports(ast.parse("import a.b.c, x.y as z\n"))
    assert [(n.bound, n.module) for n in stmt.names] == [("a", "a.b.c"), ("z", "x.y")]


@pytest.mark.parametrize(
    ("src", "why"),
    [
        pytest.param("from m import E\ndef f():\n    try: pass\n    except E: pass\n", "except clause", id="except"),
        pytest.param("from m import E\ndef f():\n    try: pass\n    except (OSError, E): pass\n", "except clause", id="except tuple"),
        pytest.param("from m import E\ndef f():\n    raise E\n", "raise statement", id="raise class"),
        pytest.param("from m import E\ndef f(x):\n    return x is E\n", "identity comparison", id="is"),
        pytest.param("from m import E\nclass A(B):\n    def f(self):\n        return super(E, self)\n", "super() argument", id="super"),
    ],
)
def test_positions_needing_the_real_object(src: str, why: str) -> None:
    usage = analyse_usage(ast.parse(src), {"E"}, False)["E"]
    assert [u.needs_real for u in usage.uses] == [why]


def test_match_class_pattern_needs_the_real_class() -> None:
    src = "from m import E\ndef f(x):\n    match x:\n        case E(): pass\n"
    usage = analyse_usage(parse_source(src.encode()).tree, {"E"}, False)["E"]
    assert [u.needs_real for u in usage.uses] == ["class pattern"]


def test_raise_instance_is_fine_for_a_proxy() -> None:
    usage = analyse_usage(ast.parse("from m import E\ndef f():\n    raise E('x')\n"), {"E"}, False)["E"]
    assert [u.needs_real for u in usage.uses] == [""]
