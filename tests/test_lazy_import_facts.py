"""The facts of PEP 810 lazy imports: ``ImportStatement.lazy`` for ``lazy import``/``lazy from``
(on any Python, through the fallback parse before 3.15) and ``FileFacts.lazy_modules`` for
``__lazy_modules__``; the names they bind stay imported names with their uses."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ScopeProvider

from lazyimport_codemod.parse.facts import LAZY_MODULES_UNREADABLE, FileFacts, extract
from lazyimport_codemod.parse.newer_syntax import lazy_bindings
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.records import ImportStatement, UseKind, Where


def _facts(source: str, module: str = "app.routers.search") -> FileFacts:
    return extract(textwrap.dedent(source).encode(), "search.py", module, False)


def _statement(source: str) -> ImportStatement:
    (statement,) = _facts(source).imports
    return statement


@pytest.mark.parametrize(("source", "bound", "module"), [
    pytest.param("lazy import torch\n", "torch", "torch", id="module"),
    pytest.param("lazy import numpy as np\n", "np", "numpy", id="aliased"),
    pytest.param("lazy import torch.nn.functional\n", "torch", "torch.nn.functional", id="dotted"),
    pytest.param("lazy import torch.nn.functional as F\n", "F", "torch.nn.functional", id="dotted aliased"),
    pytest.param("lazy from transformers import AutoModel\n", "AutoModel", "transformers", id="from"),
    pytest.param("lazy from transformers import AutoModel as M\n", "M", "transformers", id="from aliased"),
    pytest.param("lazy from transformers.models import bert\n", "bert", "transformers.models", id="from dotted"),
    pytest.param("lazy from ..services import embed\n", "embed", "app.services", id="from relative"),
    pytest.param("lazy from . import (\n    embed,\n)\n", "embed", "app.routers", id="from parenthesized"),
    pytest.param("lazy   import   torch\n", "torch", "torch", id="spaced"),
    pytest.param("lazy \\\n    import torch\n", "torch", "torch", id="continued line"),
])
def test_a_lazy_import_in_every_position_is_lazy(source: str, bound: str, module: str) -> None:
    statement = _statement(source)
    assert statement.lazy is True
    (name,) = statement.names
    assert (name.bound, name.module) == (bound, module)
    assert (statement.line, statement.column) == (1, 0)  # from the ``lazy`` keyword, as 3.15's ast


def test_the_statement_keeps_its_end_and_where() -> None:
    facts = _facts("""\
        import os
        x = 1; lazy from pandas import (
            DataFrame as DF,
        )
        if os.environ:
            lazy import polars
        """)
    pandas, polars = facts.imports[1:]
    assert (pandas.line, pandas.column, pandas.end_line, pandas.end_column) == (2, 7, 4, 1)
    assert (pandas.where, pandas.lazy) == (Where.MODULE, True)
    assert (polars.line, polars.column, polars.where, polars.where_line, polars.lazy) == (
        6, 4, Where.CONDITIONAL, 5, True)


def test_plain_imports_and_a_name_called_lazy_are_not_lazy() -> None:
    facts = _facts("""\
        import torch
        from pandas import DataFrame
        lazy = torch
        lazy.import_module = DataFrame
        """)
    assert [s.lazy for s in facts.imports] == [False, False]


def test_a_lazy_import_column_counts_utf8_bytes_like_ast() -> None:
    facts = _facts("é = 1; lazy import torch\n")
    (statement,) = facts.imports
    assert (statement.column, statement.end_column, statement.lazy) == (8, 25, True)
    assert facts.columns[(1, 8)] == 7  # the character column, for display


def test_names_bound_by_lazy_imports_are_imported_names_with_their_uses() -> None:
    """The usage analysis reads ``ast``: a lazy import is an ``Import`` there, so its names
    are traced as any import's (LibCST's scope analysis, unused here, would miss them)."""
    facts = _facts("""\
        lazy import torch
        lazy from pandas import DataFrame as DF
        X = torch.zeros(1)
        def load(rows):
            return DF(rows)
        DF = None
        """)
    torch, frame = facts.usage["torch"], facts.usage["DF"]
    assert [(u.kind, u.line, u.column) for u in torch.uses] == [(UseKind.IMPORT_TIME, 3, 4)]
    assert [(u.kind, u.line, u.function_name) for u in frame.uses] == [(UseKind.FUNCTION, 5, "load")]
    assert frame.rebound_line == 6


def test_libcst_scope_analysis_misses_lazy_bindings_which_lazy_bindings_finds() -> None:
    source = textwrap.dedent("""\
        lazy from app._lazy import lazy_import
        lazy import typing as TYPE_CHECKING
        lazy import torch.nn
        lazy from x import *
        import os
        if os:
            lazy import polars
        def f():
            import json
        """)
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module)
    scope = wrapper.resolve(ScopeProvider)[wrapper.module]
    assert scope is not None
    assert not scope.assignments["lazy_import"] and not scope.assignments["torch"]  # LibCST 1.9's gap
    found = lazy_bindings(module)
    assert sorted(found) == ["TYPE_CHECKING", "lazy_import", "polars", "torch"]
    assert all(type(node).__name__ in ("LazyImport", "LazyImportFrom") for nodes in found.values() for node in nodes)
    # The ast view that lint and fix decide on sees them as bindings too.
    reserved = extract(source.encode(), "m.py", "m", False).reserved
    assert [(name, line, module_name) for name, line, module_name in reserved] == [
        ("TYPE_CHECKING", 2, "typing"), ("lazy_import", 1, "app._lazy")]


# -- __lazy_modules__ ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param('__lazy_modules__ = ["json", "pkg.sub"]\n', ("json", "pkg.sub"), id="list"),
    pytest.param('__lazy_modules__ = ("json",)\n', ("json",), id="tuple"),
    pytest.param('__lazy_modules__: list[str] = ["json"]\n', ("json",), id="annotated"),
    pytest.param('__lazy_modules__ = ["a"]\n__lazy_modules__ += ["b", "a"]\n', ("a", "b"), id="plus equals"),
    pytest.param('__lazy_modules__ = ["a"] + ["b"]\n', ("a", "b"), id="plus"),
    pytest.param('__lazy_modules__ = []\n__lazy_modules__.append("a")\n__lazy_modules__.extend(("b",))\n',
                 ("a", "b"), id="append and extend"),
    pytest.param('try:\n    __lazy_modules__ = ["a"]\nexcept NameError:\n    pass\n', ("a",), id="in a try"),
    pytest.param('def f():\n    __lazy_modules__ = ["a"]\n', (), id="function local"),
    pytest.param("import torch\n", (), id="absent"),
    pytest.param('print(__lazy_modules__)\n', (), id="only read"),
    pytest.param('__lazy_modules__ = [m for m in ("a", "b")]\n', (LAZY_MODULES_UNREADABLE,), id="comprehension"),
    pytest.param('__lazy_modules__ = ["a"]\n__lazy_modules__.insert(0, "b")\n', ("a", LAZY_MODULES_UNREADABLE),
                 id="insert"),
    pytest.param('__lazy_modules__ = ["a", NAME]\n', ("a", LAZY_MODULES_UNREADABLE), id="a name among strings"),
    pytest.param('__lazy_modules__ = load()\n', (LAZY_MODULES_UNREADABLE,), id="call"),
])
def test_lazy_modules_are_read_from_the_module_level_list(source: str, expected: tuple[str, ...]) -> None:
    assert _facts(source).lazy_modules == expected


def test_lazy_modules_are_read_in_a_file_with_lazy_imports_too() -> None:
    facts = _facts('__lazy_modules__ = ["torch"]\nlazy import numpy\nimport torch\n')
    assert facts.lazy_modules == ("torch",)
    assert [(s.names[0].bound, s.lazy) for s in facts.imports] == [("numpy", True), ("torch", False)]


def test_is_lazy_comes_from_the_tree() -> None:
    """Python 3.15's ast marks ``is_lazy``; the fallback parse marks the same nodes."""
    tree = parse_source(b"import a\nlazy import b\nlazy from c import d\nfrom e import f\n").tree
    marks = [bool(getattr(node, "is_lazy", False)) for node in tree.body]
    assert marks == [False, True, True, False]
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)
