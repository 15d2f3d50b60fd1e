"""Files in syntax newer than the running Python are analysed as the newer Python would
(through LibCST's parser, :mod:`lazyimport_codemod.parse.newer_syntax`), a real syntax
error is still reported as before, and ordinary files never load LibCST."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from lazyimport_codemod.parse import newer_syntax, syntax_nodes, text_edits
from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.parse.source import SourceError, parse_source
from newer_syntax_facts import as_json, facts, golden, sources

REPO = Path(__file__).resolve().parent.parent
RUNNING = sys.version_info[:2]


def _native(source: str) -> Optional[ast.Module]:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


# -- the same facts on every Python ------------------------------------------------------


@pytest.mark.parametrize("path", sources(), ids=[path.stem for path in sources()])
def test_newer_syntax_gives_the_facts_of_python_3_15s_own_tree(path: Path) -> None:
    """Each file's FileFacts equal those Python 3.15's own ast gives (written with 3.15):
    on 3.9 and 3.11 through LibCST, on 3.15 (and for what it parses, 3.13) natively."""
    expected = json.loads(golden(path).read_text(encoding="utf-8"))
    assert as_json(facts(path)) == expected


def test_the_newer_syntax_files_need_the_fallback_before_3_15() -> None:
    """The cases above do test the fallback: on each Python before 3.15, ast refuses some."""
    refused = [path.stem for path in sources() if _native(path.read_text(encoding="utf-8")) is None]
    if RUNNING >= (3, 15):
        assert refused == []
    else:
        assert "lazy_imports" in refused
        if RUNNING < (3, 10):
            assert "match_statements" in refused


# -- each rewrite, compared with this Python's own tree ---------------------------------

CONSTRUCTS = {
    # name: (Python that parses it, source)
    "match": ((3, 10), """
        match x, *y:
            case 1 | 2 | (3 | 4) if (z := x):
                import a
            case [a, *rest] | {"k": a, **rest} | C(a, b=[_, 2 as two]) as whole:
                pass
            case -1 | 1 + 2j | "a" "b" | None | True | m.CONST:
                pass
            case (e as f) as g:
                pass
            case _:
                pass
        """),
    "walrus in an index": ((3, 10), "a[x := 1]\n"),
    "except star": ((3, 11), """
        try:
            pass
        except* E:
            pass
        except*(F, G) as e:
            pass
        """),
    "starred subscript and annotation": ((3, 11), "a[*b]\na[*b, c]\na[*b,]\ndef f(*a: *T): pass\n"),
    "generic def and class": ((3, 12), """
        def f[T: (int, str), *Ts, **P](x: T) -> T: pass
        class C[
            T: Base,  # a comment
        ](Base):
            async def m[S](self): pass
        """),
    "type alias": ((3, 12), "type X = int\nclass K:\n    type Y[T: B] = list[T]\n"),
    "pep 701 f-strings": ((3, 12), """
        x = f'{a['b']!r:>{w}}' 'c' f"{d=}" rf'{e}\\d'
        y = f'''{
            g  # comment
        }'''
        z = f"{f"{f"{h}"}"}" f'{'\\n'.join(i)}' f'{j, k}'
        """),
    "type parameter defaults": ((3, 13), "def f[T = int, *Ts = *tuple[int], **P = [int]](): pass\n"),
    "except without parentheses": ((3, 14), """
        try:
            pass
        except A, B:
            pass
        except C, D,:
            pass
        """),
    "t-strings": ((3, 14), "x = t'a{b!r:>{w}}c{d=}'\n"),
    "lazy imports": ((3, 15), """
        lazy import a.b as c
        lazy from .x import (y as z,
            w)
        x = 1; lazy import q
        if x:
            lazy import k
        lazy \\
            import m
        """),
    "unpacking in comprehensions": ((3, 15), "x = [*a for a in b]\ny = {**a for a in b}\nz = f(*a for a in b)\n"),
    "unicode and tabs": ((3, 15), "é = 1\nif é:\n\tlazy import ñ as π\n\tmatch é:\n\t\tcase 'ö' | π.q as r:\n\t\t\tx = f'{ü['ä']}'\n"),
}
OLDER = [(3, 9), (3, 10), (3, 11), (3, 12), (3, 13), (3, 14)]


def _rewrites() -> list[tuple[str, str, tuple[int, int]]]:
    """Each construct this Python parses itself, with each older Python's grammar."""
    return [(name, textwrap.dedent(source), version)
            for name, (since, source) in CONSTRUCTS.items() if since <= RUNNING
            for version in OLDER if version < since]


_NONE_NATIVE = pytest.param("", "", (0, 0), id="none", marks=pytest.mark.skip(
    reason="this Python parses none of the constructs itself: the facts test covers them"))


@pytest.mark.parametrize(("name", "source", "version"), [
    pytest.param(name, source, version, id=f"{name}-{version[0]}.{version[1]}")
    for name, source, version in _rewrites()
] or [_NONE_NATIVE])
def test_each_rewrite_gives_this_pythons_own_tree(name: str, source: str, version: tuple[int, int]) -> None:
    """Rewriting for an older Python's parser, then back, gives exactly the tree (nodes,
    fields and every position) this Python's ast gives.  (On 3.15 every construct is
    checked; on older Pythons those they know, the rest by the facts above.)"""
    native = _native(source)
    assert native is not None
    converted = newer_syntax.convert(source, version)
    assert ast.dump(converted, include_attributes=True) == ast.dump(native, include_attributes=True)


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_each_construct_parses_on_this_python(name: str) -> None:
    source = textwrap.dedent(CONSTRUCTS[name][1])
    parsed = parse_source(source.encode())
    assert parsed.tree.body


def test_a_match_on_python_3_9_is_conditional_binds_captures_and_needs_real_classes() -> None:
    """The analysis reads a match through the classes of syntax_nodes (ast's own on 3.10+)."""
    source = textwrap.dedent("""
        import numpy as np
        from app import Point, settings
        match settings.kind:
            case Point(x=np.pi) if np.e:
                import torch
            case [np.inf, *Point]:
                pass
        """).encode()
    parsed = parse_source(source)
    match = parsed.tree.body[2]
    assert type(match) is syntax_nodes.Match
    found = extract(source, "m.py", "app.m", False)
    (torch,) = [s for s in found.imports if s.names[0].bound == "torch"]
    assert (torch.where.value, torch.where_line) == ("conditional", 4)
    assert found.usage["Point"].rebound_line == 7  # ``*Point`` captures
    assert [(u.line, u.column, u.needs_real) for u in found.usage["Point"].uses] == [(5, 9, "class pattern")]
    assert [(u.line, u.column) for u in found.usage["np"].uses] == [(5, 17), (5, 27), (7, 10)]
    assert [(u.line, u.column) for u in found.usage["settings"].uses] == [(4, 6)]


# -- real syntax errors stay errors -------------------------------------------------------

BROKEN = {
    "unclosed": "import numpy\nx = (1,\n",
    "bad def": "import numpy\ndef f(:\n    pass\n",
    "lazy from __future__": "lazy from __future__ import annotations\n",
    "an error before a lazy import": "import numpy\nx = = 1\nlazy import torch\n",
    "bad indentation": "import numpy\nif x:\npass\n",
    "except as with bare tuple": "try:\n    pass\nexcept A, B as e:\n    pass\n",
    "tabs and spaces": "if x:\n        a = 1\n\tb = 2\n",
    "match without cases": "match x:\n    pass\n",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_real_syntax_error_keeps_asts_own_message(name: str) -> None:
    source = BROKEN[name]
    try:
        ast.parse(source.encode())
    except SyntaxError as exc:
        expected = f"{exc.lineno}:{exc.offset or 0}: syntax error: {(exc.msg or 'invalid syntax').splitlines()[0]}"
    else:
        pytest.fail("the case should be a syntax error on every Python")
    with pytest.raises(SourceError) as raised:
        parse_source(source.encode())
    assert str(raised.value) == expected


def test_a_file_libcst_cannot_rewrite_back_is_still_asts_error() -> None:
    """LibCST (1.9) does not give ``except A, B, :`` back as written: no tree from it."""
    source = "import numpy\ntry:\n    pass\nexcept A, B, :\n    pass\nlazy import torch\n"
    if _native(source) is not None:
        pytest.skip("this Python parses it itself")
    with pytest.raises(SourceError, match="syntax error"):
        parse_source(source.encode())


# -- LibCST stays out of ordinary lints -----------------------------------------------------


def _modules_after_extract(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    code = (
        "import sys\n"
        "from lazyimport_codemod.parse.facts import extract\n"
        f"extract(open({str(path)!r}, 'rb').read(), 'm.py', 'm', False)\n"
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.endswith('newer_syntax')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.replace("'", '"'))


def test_libcst_is_not_imported_for_an_ordinary_file(tmp_path: Path) -> None:
    source = "import numpy as np\nfrom app import svc\ndef f():\n    return np.zeros(1), svc\n"
    assert _modules_after_extract(tmp_path, source) == []


def test_libcst_is_imported_for_a_file_in_newer_syntax(tmp_path: Path) -> None:
    if RUNNING >= (3, 15):
        pytest.skip("this Python parses every syntax LibCST knows")
    found = _modules_after_extract(tmp_path, "import numpy as np\nx = [*a for a in np.b]\n")  # PEP 798
    assert found == ["lazyimport_codemod.parse.newer_syntax", "libcst"]


def test_a_file_whose_only_newer_syntax_is_lazy_imports_needs_no_libcst(tmp_path: Path) -> None:
    found = _modules_after_extract(tmp_path, "lazy import numpy as np\nx = 1; lazy from pandas import api\n")
    assert found == []


LAZY_ONLY = {
    "plain": "lazy import a\nlazy import b.c as d\n",
    "from": "lazy from .x import (y as z,\n    w)\nlazy from a.b import *\n",
    "after a semicolon and a colon": "x = 1; lazy import q\nif x: lazy from r import s\n",
    "indented": "if x:\n    lazy import k\nelse:\n\tlazy import m\n",
    "unicode": "é = 1; lazy import ñ as π\n",
}


@pytest.mark.parametrize("name", list(LAZY_ONLY))
def test_the_lazy_import_fast_path_gives_the_libcst_paths_tree(name: str) -> None:
    """Cutting ``lazy`` without LibCST gives the tree of the full rewrite (and, on 3.15,
    that Python's own tree)."""
    source = LAZY_ONLY[name]
    fast = text_edits.lazy_import_tree(source)
    assert fast is not None
    dump = ast.dump(fast, include_attributes=True)
    assert dump == ast.dump(newer_syntax.convert(source, (3, 11)), include_attributes=True)
    native = _native(source)
    if native is not None:
        assert dump == ast.dump(native, include_attributes=True)


@pytest.mark.parametrize("source", [
    pytest.param('"""\nlazy import x\n"""\nlazy import y\n', id="in a string"),
    pytest.param("#: lazy import x\nlazy import y\n", id="in a comment"),
    pytest.param("lazy \\\n    import y\n", id="continued line"),
    pytest.param("lazy import y\nmatch y:\n    case 1: pass\ntry:\n    pass\nexcept A, B:\n    pass\n",
                 id="with other newer syntax"),
])
def test_the_lazy_import_fast_path_leaves_anything_else_to_libcst(source: str) -> None:
    if _native(source) is None:  # (only where this Python's parser refuses the cut text)
        assert text_edits.lazy_import_tree(source) is None
    tree = parse_source(source.encode()).tree
    assert [getattr(node, "is_lazy", 0) for node in tree.body if isinstance(node, ast.Import)] == [1]


def test_lazy_from_future_is_refused_by_the_fast_path() -> None:
    with pytest.raises(text_edits.Unsupported):
        text_edits.lazy_import_tree("lazy from __future__ import annotations\n")
