"""Fix on files with PEP 810 lazy imports, on any Python.

On a Python before 3.15 a result with ``lazy`` imports cannot be compiled: it must parse as
lint parses such files; on 3.15 it must compile.
"""

from __future__ import annotations

import ast
import sys

import pytest
from test_transform import PROXY, _statement, plans_in

from lazyimport_codemod.fix import transform
from lazyimport_codemod.fix.transform import TransformError, apply_plans
from lazyimport_codemod.records import Action, Decision, NamePlan


def test_a_lazy_import_is_never_planned_again() -> None:
    (node,) = ast.parse(b"import torch\n").body  # the plan of an eager import at the same place
    statement = _statement(node, "app.m")  # type: ignore[arg-type]
    with pytest.raises(TransformError, match="lazy already"):
        apply_plans(b"lazy import torch\n", [NamePlan(statement, statement.names[0], Decision(Action.PROXY))])


# -- the last checks ------------------------------------------------------------------


def test_a_result_in_newer_syntax_must_parse() -> None:
    """Before 3.15 a result with ``lazy`` cannot compile; it must parse instead.  A real
    syntax error is refused on every Python."""
    transform._check_compiles(b"lazy import torch\n", b"import torch\n")
    with pytest.raises(TransformError, match="result does not compile"):
        transform._check_compiles(b"lazy import torch\ndef f(:\n    pass\n", b"lazy import torch\n")


def test_a_result_with_lazy_in_a_try_is_refused_where_python_knows_the_rule() -> None:
    """3.15's compiler refuses ``lazy`` in a ``try``; its parser (and so lint) does not."""
    result = b"try:\n    lazy import torch\nexcept ImportError:\n    pass\n"
    if sys.version_info >= (3, 15):
        with pytest.raises(TransformError, match="try"):
            transform._check_compiles(result, b"import torch\n")
    else:
        transform._check_compiles(result, b"import torch\n")  # nothing here can tell


def test_proxy_names_bound_by_lazy_imports_count(tmp_path: object) -> None:
    """LibCST's scope analysis misses names bound by ``lazy`` imports: the proxy block's
    last check sees them through newer_syntax.lazy_bindings."""
    source = b"lazy from helpers import lazy_import\nimport numpy as np\n__all__ = ['np']\n"
    with pytest.raises(TransformError, match="binds `lazy_import` at line 1"):
        apply_plans(source, plans_in(source, {"np": PROXY}))
    fine = b"lazy from lazyimport_codemod.runtime import lazy_import\nimport numpy as np\n__all__ = ['np']\n"
    assert b'np = lazy_import("numpy")' in apply_plans(fine, plans_in(fine, {"np": PROXY}))
