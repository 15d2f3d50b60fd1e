"""The PEP 810 forms fix writes: ``lazy`` in place (split where only some names qualify) and
``__lazy_modules__`` (written or extended); plans in, exact source out, on any Python.

On a Python before 3.15 a result with ``lazy`` imports cannot be compiled: it must parse as
lint parses such files; on 3.15 it must compile.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest
from test_fixtures import compiles
from test_transform import PROXY, Spec, _statement, inline, plans_in

from lazyimport_codemod.fix import transform
from lazyimport_codemod.fix.transform import TransformError, apply_plans
from lazyimport_codemod.records import Action, Decision, NamePlan

LAZY = Action.LAZY
LISTED = Action.LAZY_MODULES


def fix(before: str, **specs: Spec) -> str:
    """Apply the plans to dedented text; check the result is valid 3.15 code and stable."""
    source = textwrap.dedent(before).encode("utf-8")
    result = apply_plans(source, plans_in(source, specs))
    compiles(result, Path("<test>"))
    assert apply_plans(result, []) == result
    return result.decode("utf-8")


LAZY_CASES = [
    pytest.param(
        """\
        import os
        import torch


        def f():
            return torch.zeros(1)
        """,
        {"torch": LAZY},
        """\
        import os
        lazy import torch


        def f():
            return torch.zeros(1)
        """,
        id="one statement",
    ),
    pytest.param(
        """\
        from pandas import DataFrame as DF  # frames
        import numpy.linalg as la
        from ..services import embed
        """,
        {"DF": LAZY, "la": LAZY, "embed": LAZY},
        """\
        lazy from pandas import DataFrame as DF  # frames
        lazy import numpy.linalg as la
        lazy from ..services import embed
        """,
        id="aliases, dotted and relative keep their form and comment",
    ),
    pytest.param(
        """\
        import os, torch, json  # trailing


        def f():
            return torch, os, json
        """,
        {"torch": LAZY},
        """\
        import os, json  # trailing
        lazy import torch


        def f():
            return torch, os, json
        """,
        id="split: the lazy name on the next line",
    ),
    pytest.param(
        """\
        from pandas import (
            DataFrame,  # frames
            Series,  # series
            concat,
        )
        """,
        {"DataFrame": LAZY, "concat": LAZY},
        """\
        from pandas import (
            Series,  # series
        )
        lazy from pandas import (
            DataFrame,  # frames
            concat,
        )
        """,
        id="split a parenthesized import, comments with their names",
    ),
    pytest.param(
        """\
        import numpy as np; import scipy; x = 1
        """,
        {"np": LAZY, "scipy": LAZY},
        """\
        lazy import numpy as np; lazy import scipy; x = 1
        """,
        id="statements sharing a line",
    ),
    pytest.param(
        """\
        import numpy, torch


        def f():
            return numpy.ones(1)


        def g():
            return torch.ones(1)
        """,
        {"numpy": inline("f"), "torch": LAZY},
        """\
        lazy import torch


        def f():
            import numpy
            return numpy.ones(1)


        def g():
            return torch.ones(1)
        """,
        id="one name inlined, the other lazy in place",
    ),
    pytest.param(
        """\
        from pandas import DataFrame, Series

        __all__ = ["Series"]


        def f():
            return DataFrame()
        """,
        {"DataFrame": LAZY, "Series": PROXY},
        """\
        lazy from pandas import DataFrame
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            from pandas import Series
        else:
            Series = lazy_import("pandas", "Series")

        __all__ = ["Series"]


        def f():
            return DataFrame()
        """,
        id="one name proxied, the other lazy",
    ),
]


@pytest.mark.parametrize("before,specs,after", LAZY_CASES)
def test_lazy_in_place(before: str, specs: dict[str, Spec], after: str) -> None:
    assert fix(before, **specs) == textwrap.dedent(after)


def test_crlf_and_the_encoding_cookie_survive() -> None:
    source = "# -*- coding: latin-1 -*-\r\nimport torch  # é\r\n".encode("latin-1")
    result = apply_plans(source, plans_in(source, {"torch": LAZY}))
    assert result == "# -*- coding: latin-1 -*-\r\nlazy import torch  # é\r\n".encode("latin-1")


def test_lazy_is_refused_outside_the_module_body() -> None:
    source = b"try:\n    import torch\nexcept ValueError:\n    torch = None\n"
    with pytest.raises(TransformError, match="not directly in the module body"):
        apply_plans(source, plans_in(source, {"torch": LAZY}))


def test_a_lazy_import_is_never_planned_again() -> None:
    (node,) = ast.parse(b"import torch\n").body  # the plan of an eager import at the same place
    statement = _statement(node, "app.m")  # type: ignore[arg-type]
    with pytest.raises(TransformError, match="lazy already"):
        apply_plans(b"lazy import torch\n", [NamePlan(statement, statement.names[0], Decision(Action.PROXY))])


LISTED_CASES = [
    pytest.param(
        """\
        import os
        import torch
        """,
        {"torch": LISTED},
        """\
        __lazy_modules__ = ["torch"]

        import os
        import torch
        """,
        id="new list at the top",
    ),
    pytest.param(
        """\
        \"\"\"Doc.\"\"\"
        from __future__ import annotations

        import torch
        from pandas import DataFrame
        import numpy.linalg as la
        from ..services import embed
        """,
        {"torch": LISTED, "DataFrame": LISTED, "la": LISTED, "embed": LISTED},
        """\
        \"\"\"Doc.\"\"\"
        from __future__ import annotations

        __lazy_modules__ = ["torch", "pandas", "numpy.linalg", "app.services"]

        import torch
        from pandas import DataFrame
        import numpy.linalg as la
        from ..services import embed
        """,
        id="after the docstring and __future__, absolute names",
    ),
    pytest.param(
        """\
        __lazy_modules__ = ['json']
        import torch
        """,
        {"torch": LISTED},
        """\
        __lazy_modules__ = ['json', 'torch']
        import torch
        """,
        id="extended, its quotes kept",
    ),
    pytest.param(
        """\
        __lazy_modules__: tuple[str, ...] = (
            "json",  # the standard library too
            "csv",
        )
        import torch
        import pandas
        """,
        {"torch": LISTED, "pandas": LISTED},
        """\
        __lazy_modules__: tuple[str, ...] = (
            "json",  # the standard library too
            "csv",
            "torch",
            "pandas",
        )
        import torch
        import pandas
        """,
        id="extended one item a line",
    ),
    pytest.param(
        """\
        __lazy_modules__ = []
        import torch
        """,
        {"torch": LISTED},
        """\
        __lazy_modules__ = ["torch"]
        import torch
        """,
        id="extended from empty",
    ),
    pytest.param(
        """\
        __lazy_modules__ = ["torch"]
        import torch
        """,
        {"torch": LISTED},
        """\
        __lazy_modules__ = ["torch"]
        import torch
        """,
        id="listed already",
    ),
]


@pytest.mark.parametrize("before,specs,after", LISTED_CASES)
def test_lazy_modules(before: str, specs: dict[str, Spec], after: str) -> None:
    source = textwrap.dedent(before).encode("utf-8")
    result = apply_plans(source, plans_in(source, specs))
    compile(result, "<test>", "exec", dont_inherit=True)  # valid on every Python
    assert result.decode("utf-8") == textwrap.dedent(after)


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
