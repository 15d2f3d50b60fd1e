"""The LibCST rewrite of ``lazyimport fix``: plans in, exact source out.

Plans are built by hand here (the analysis has its own tests): :func:`plans`
reads positions from the source with ``ast`` exactly like the analysis does,
and the caller says, per bound name, what to do with it.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence, Union

import pytest

from lazyimport_codemod.fix import transform
from lazyimport_codemod.fix.transform import TransformError, apply_plans
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.records import (
    Action,
    Decision,
    ImportedName,
    ImportStatement,
    NamePlan,
    Where,
)

# -- building plans ----------------------------------------------------------


@dataclass(frozen=True)
class Inline:
    """Move the name into these functions (simple or dotted qualified names)."""

    functions: tuple[str, ...]


def inline(*functions: str) -> Inline:
    return Inline(functions)


PROXY = Action.PROXY
LEAVE = Action.LEAVE
DOWNSTREAM = Action.DOWNSTREAM
Spec = Union[Inline, Action]


def plans(source: Union[str, bytes], **specs: Spec) -> list[NamePlan]:
    """One plan per bound name in ``specs``, for every module-level import that binds it.

    The file is the module ``app.routers.search``, which fixes what relative imports mean.
    """
    return plans_in(source, specs)


def plans_in(
    source: Union[str, bytes], specs: Mapping[str, Spec], module: str = "app.routers.search"
) -> list[NamePlan]:
    data = source.encode("utf-8") if isinstance(source, str) else source
    tree = parse_source(data).tree  # ast's, or the same for newer syntax (lazy imports)
    functions = _functions(tree)
    out: list[NamePlan] = []
    for node in _module_level_imports(tree.body):
        statement = _statement(node, module)
        for name in statement.names:
            spec = specs.get(name.bound)
            if spec is None:
                continue
            if isinstance(spec, Inline):
                targets = tuple(_find(functions, wanted) for wanted in spec.functions)
                decision = Decision(Action.INLINE, functions=targets)
            else:
                decision = Decision(spec, reason="test")
            out.append(NamePlan(statement, name, decision))
    assert out or not specs, f"no import binds any of {sorted(specs)}"
    return out


def _functions(tree: ast.Module) -> dict[str, tuple[int, str]]:
    """Qualified name -> (line of ``def``, name), as ``Decision.functions`` holds them."""
    found: dict[str, tuple[int, str]] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[qualname] = (child.lineno, child.name)
                walk(child, qualname + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def _find(functions: dict[str, tuple[int, str]], wanted: str) -> tuple[int, str]:
    if wanted in functions:
        return functions[wanted]
    matches = [key for qualname, key in functions.items() if qualname.split(".")[-1] == wanted]
    assert len(matches) == 1, f"function {wanted!r}: {matches}"
    return matches[0]


def _module_level_imports(body: Sequence[ast.stmt]) -> Iterator[Union[ast.Import, ast.ImportFrom]]:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if getattr(node, "module", None) != "__future__":
                yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for field_name in ("body", "orelse", "finalbody", "handlers"):
                yield from _module_level_imports(getattr(node, field_name, []))


def _statement(node: Union[ast.Import, ast.ImportFrom], module: str) -> ImportStatement:
    if isinstance(node, ast.Import):
        names = tuple(
            ImportedName(alias.asname or alias.name.split(".")[0], alias.name, None, alias.asname)
            for alias in node.names
        )
        is_from, level, written = False, 0, None
    else:
        level, written = node.level, node.module
        base = written or ""
        if level:
            parts = module.split(".")[: -level]
            base = ".".join(parts + ([written] if written else []))
        names = tuple(
            ImportedName(alias.asname or alias.name, base, alias.name, alias.asname)
            for alias in node.names
        )
        is_from = True
    return ImportStatement(
        line=node.lineno,
        column=node.col_offset,
        end_line=node.end_lineno or node.lineno,
        end_column=node.end_col_offset or 0,
        is_from=is_from,
        level=level,
        written_module=written,
        names=names,
        where=Where.MODULE,
        where_line=node.lineno,
    )


def fix(before: str, **specs: Spec) -> str:
    """Apply the plans to dedented text; check the result compiles and is stable."""
    source = textwrap.dedent(before).encode("utf-8")
    result = apply_plans(source, plans_in(source, specs))
    compile(result, "<test>", "exec", dont_inherit=True)
    assert apply_plans(result, []) == result
    return result.decode("utf-8")


# -- inline ------------------------------------------------------------------

INLINE_CASES = [
    pytest.param(
        """\
        import os
        import numpy as np


        def f():
            return np.zeros(1)
        """,
        {"np": inline("f")},
        """\
        import os


        def f():
            import numpy as np
            return np.zeros(1)
        """,
        id="one function",
    ),
    pytest.param(
        """\
        import numpy as np


        def f():
            return np.zeros(1)


        def g(x):
            y = x + 1
            return np.ones(y)
        """,
        {"np": inline("f", "g")},
        """\
        def f():
            import numpy as np
            return np.zeros(1)


        def g(x):
            import numpy as np
            y = x + 1
            return np.ones(y)
        """,
        id="two functions, first statement of the file",
    ),
    pytest.param(
        """\
        from torch import nn


        class Model:
            def build(self):
                return nn.Linear(2, 2)


        def factory():
            def inner():
                return nn.ReLU()

            return inner
        """,
        {"nn": inline("Model.build", "factory.inner")},
        """\
        class Model:
            def build(self):
                from torch import nn
                return nn.Linear(2, 2)


        def factory():
            def inner():
                from torch import nn
                return nn.ReLU()

            return inner
        """,
        id="method and nested function",
    ),
    pytest.param(
        """\
        import functools
        import httpx


        @functools.lru_cache()
        @other(
            1,
        )
        async def fetch(url):
            async with httpx.AsyncClient() as client:
                return await client.get(url)
        """,
        {"httpx": inline("fetch")},
        """\
        import functools


        @functools.lru_cache()
        @other(
            1,
        )
        async def fetch(url):
            import httpx
            async with httpx.AsyncClient() as client:
                return await client.get(url)
        """,
        id="decorated async def",
    ),
    pytest.param(
        """\
        import numpy as np


        def zeros(n): return np.zeros(n)  # keep this comment
        class A:
            def f(self): "Doc."; return np.pi
        """,
        {"np": inline("zeros", "A.f")},
        """\
        def zeros(n):
            import numpy as np
            return np.zeros(n)  # keep this comment
        class A:
            def f(self):
                "Doc."
                import numpy as np
                return np.pi
        """,
        id="one-line defs",
    ),
    pytest.param(
        '''\
        import numpy as np


        def f():
            """Docstring stays first.

            More text.
            """
            # A comment about the code.
            return np.zeros(1)
        ''',
        {"np": inline("f")},
        '''\
        def f():
            """Docstring stays first.

            More text.
            """
            import numpy as np
            # A comment about the code.
            return np.zeros(1)
        ''',
        id="after the docstring",
    ),
    pytest.param(
        '''\
        import numpy as np

        COUNT = 0


        def f():
            """Doc."""
            global COUNT
            nonlocal_free = 1
            COUNT += 1
            return np.zeros(COUNT)


        def outer():
            total = 0
            def inner():
                nonlocal total
                total += 1
                return np.ones(total)
            return inner
        ''',
        {"np": inline("f", "inner")},
        '''\
        COUNT = 0


        def f():
            """Doc."""
            global COUNT
            import numpy as np
            nonlocal_free = 1
            COUNT += 1
            return np.zeros(COUNT)


        def outer():
            total = 0
            def inner():
                nonlocal total
                import numpy as np
                total += 1
                return np.ones(total)
            return inner
        ''',
        id="after global and nonlocal",
    ),
    pytest.param(
        """\
        import os, torch


        def device():
            return torch.device(os.environ.get("DEVICE", "cpu"))
        """,
        {"torch": inline("device")},
        """\
        import os


        def device():
            import torch
            return torch.device(os.environ.get("DEVICE", "cpu"))
        """,
        id="split import os, torch",
    ),
    pytest.param(
        """\
        import torch, os  # both


        def device():
            return torch.device(os.sep)
        """,
        {"torch": inline("device")},
        """\
        import os  # both


        def device():
            import torch
            return torch.device(os.sep)
        """,
        id="split keeps the trailing comment on what stays",
    ),
    pytest.param(
        """\
        from sklearn.metrics import accuracy_score, f1_score as f1


        def score(y, p):
            return f1(y, p)


        print(accuracy_score)
        """,
        {"f1": inline("score")},
        """\
        from sklearn.metrics import accuracy_score


        def score(y, p):
            from sklearn.metrics import f1_score as f1
            return f1(y, p)


        print(accuracy_score)
        """,
        id="from import deferring only one name, with alias",
    ),
    pytest.param(
        """\
        from transformers import AutoModel, AutoTokenizer, pipeline


        def load(name):
            return AutoTokenizer.from_pretrained(name), AutoModel.from_pretrained(name)


        def run():
            return pipeline("x")
        """,
        {"AutoModel": inline("load"), "AutoTokenizer": inline("load"), "pipeline": inline("run")},
        """\
        def load(name):
            from transformers import AutoModel, AutoTokenizer
            return AutoTokenizer.from_pretrained(name), AutoModel.from_pretrained(name)


        def run():
            from transformers import pipeline
            return pipeline("x")
        """,
        id="one import per statement and function",
    ),
    pytest.param(
        """\
        import matplotlib.pyplot
        import google.cloud.storage as gcs


        def plot():
            matplotlib.pyplot.figure()
            return gcs.Client()
        """,
        {"matplotlib": inline("plot"), "gcs": inline("plot")},
        """\
        def plot():
            import matplotlib.pyplot
            import google.cloud.storage as gcs
            matplotlib.pyplot.figure()
            return gcs.Client()
        """,
        id="dotted imports keep their form and order",
    ),
    pytest.param(
        """\
        from .services import embed as e
        from .. import models
        from . import schemas


        def search(q):
            return e(q), models.X, schemas.Y
        """,
        {"e": inline("search"), "models": inline("search")},
        """\
        from . import schemas


        def search(q):
            from .services import embed as e
            from .. import models
            return e(q), models.X, schemas.Y
        """,
        id="relative imports stay relative",
    ),
    pytest.param(
        """\
        import numpy as np


        def f():
            import numpy as np

            return np.zeros(1)


        def g():
            import os
            from numpy import linalg
            return np.ones(1), linalg
        """,
        {"np": inline("f", "g")},
        """\
        def f():
            import numpy as np

            return np.zeros(1)


        def g():
            import numpy as np
            import os
            from numpy import linalg
            return np.ones(1), linalg
        """,
        id="equivalent import already at the top is not duplicated",
    ),
    pytest.param(
        """\
        from x import a, b


        def f():
            from x import a
            return a, b
        """,
        {"a": inline("f"), "b": inline("f")},
        """\
        def f():
            from x import b
            from x import a
            return a, b
        """,
        id="only the missing names are added",
    ),
    pytest.param(
        """\
        import os

        try:
            import torch
        finally:
            os.sync()


        def f():
            return torch.ones(1)
        """,
        {"torch": inline("f")},
        """\
        import os

        try:
            pass
        finally:
            os.sync()


        def f():
            import torch
            return torch.ones(1)
        """,
        id="emptied try body gets pass",
    ),
    pytest.param(
        """\
        try:
            # The heavy one.
            import torch  # noqa: F401
            import json
        except KeyError:
            pass


        def f():
            return torch.ones(1), json
        """,
        {"torch": inline("f")},
        """\
        try:
            # The heavy one.
            import json
        except KeyError:
            pass


        def f():
            import torch  # noqa: F401
            return torch.ones(1), json
        """,
        id="nested statement removed, comment moved to the next one",
    ),
    pytest.param(
        """\
        if True:
            # explain
            import torch
            # after


        def f():
            return torch.ones(1)
        """,
        {"torch": inline("f")},
        """\
        if True:
            # explain
            pass
            # after


        def f():
            import torch
            return torch.ones(1)
        """,
        id="emptied if body keeps its comments",
    ),
    pytest.param(
        """\
        # Header comment stays.
        import os  # stdlib

        # The ML stack:
        import torch  # heavy
        import transformers  # also heavy

        # A trailing section comment.


        def run():
            # Body comment.
            return torch.ones(1), transformers.__version__, os.sep
        """,
        {"torch": inline("run"), "transformers": inline("run")},
        """\
        # Header comment stays.
        import os  # stdlib

        # The ML stack:

        # A trailing section comment.


        def run():
            import torch  # heavy
            import transformers  # also heavy
            # Body comment.
            return torch.ones(1), transformers.__version__, os.sep
        """,
        id="comments kept",
    ),
    pytest.param(
        """\
        import os

        import torch

        x = 1


        def f():
            return torch
        """,
        {"torch": inline("f")},
        """\
        import os

        x = 1


        def f():
            import torch
            return torch
        """,
        id="blank lines do not pile up",
    ),
    pytest.param(
        """\
        from transformers import (  # the model zoo
            AutoModel,  # weights
            AutoTokenizer,  # text
            pipeline,
        )


        def load():
            return AutoModel, pipeline
        """,
        {"AutoModel": inline("load"), "pipeline": inline("load")},
        """\
        from transformers import (  # the model zoo
            AutoTokenizer,  # text
        )


        def load():
            # weights
            from transformers import AutoModel, pipeline
            return AutoModel, pipeline
        """,
        id="parenthesized import keeps its layout",
    ),
    pytest.param(
        """\
        from x import (
            a,  # comment a
            b  # comment b
        )


        def f():
            return b
        """,
        {"b": inline("f")},
        """\
        from x import (
            a  # comment a
        )


        def f():
            # comment b
            from x import b
            return b
        """,
        id="parenthesized import without trailing comma",
    ),
    pytest.param(
        """\
        from x import (a, b)
        from y import (c,
                       d,)


        def f():
            return b, d
        """,
        {"b": inline("f"), "d": inline("f")},
        """\
        from x import (a)
        from y import (c,)


        def f():
            from x import b
            from y import d
            return b, d
        """,
        id="parenthesized one-line import",
    ),
    pytest.param(
        """\
        import os; import torch; x = 1
        import numpy as np; y = 2  # why


        def f():
            return torch, np
        """,
        {"torch": inline("f"), "np": inline("f")},
        """\
        import os; x = 1
        y = 2  # why


        def f():
            import torch
            import numpy as np
            return torch, np
        """,
        id="semicolons",
    ),
    pytest.param(
        """\
        s = "é"; import torch; t = "ü"; import numpy as np


        def f():
            return torch, np, s, t
        """,
        {"np": inline("f")},
        """\
        s = "é"; import torch; t = "ü"


        def f():
            import numpy as np
            return torch, np, s, t
        """,
        id="column of a statement after non-ASCII text",
    ),
    pytest.param(
        """\
        import numpy as np


        def f():
            return lambda: np


        def g():
            return [np.x for _ in range(3)]
        """,
        {"np": inline("f", "g")},
        """\
        def f():
            import numpy as np
            return lambda: np


        def g():
            import numpy as np
            return [np.x for _ in range(3)]
        """,
        id="uses in lambdas and comprehensions inside functions",
    ),
    pytest.param(
        """\
        import numpy as np
        import pandas as pd


        def f():
            return np, pd
        """,
        {"np": inline("f"), "pd": LEAVE},
        """\
        import pandas as pd


        def f():
            import numpy as np
            return np, pd
        """,
        id="LEAVE plans are ignored",
    ),
    pytest.param(
        """\
        from x import compute


        def f():
            "doc" f"{compute(1)}"
            return compute(2)


        def g():
            f"{compute(1)}"; return compute(2)


        def h():
            "doc " "more"
            return compute(3)
        """,
        {"compute": inline("f", "g", "h")},
        """\
        def f():
            from x import compute
            "doc" f"{compute(1)}"
            return compute(2)


        def g():
            from x import compute
            f"{compute(1)}"; return compute(2)


        def h():
            "doc " "more"
            from x import compute
            return compute(3)
        """,
        id="an f-string first is no docstring, a plain concatenation is",
    ),
    pytest.param(
        """\
        from x import compute


        def f(a,  # type: int
              ):
            # Signature:
            # type: (...) -> int
            # Why.
            return compute(a)


        def g():
            # type: ignore
            return compute(1)
        """,
        {"compute": inline("f", "g")},
        """\
        def f(a,  # type: int
              ):
            # Signature:
            # type: (...) -> int
            from x import compute
            # Why.
            return compute(a)


        def g():
            from x import compute
            # type: ignore
            return compute(1)
        """,
        id="function type comment stays first in the body",
    ),
]


@pytest.mark.parametrize(("before", "specs", "after"), INLINE_CASES)
def test_inline(before: str, specs: dict[str, Spec], after: str) -> None:
    assert fix(before, **specs) == textwrap.dedent(after)


# -- proxy -------------------------------------------------------------------

PROXY_CASES = [
    pytest.param(
        '''\
        """Routes."""
        from __future__ import annotations

        import os

        import numpy
        import numpy as np
        from pandas import DataFrame as DF
        import matplotlib.pyplot
        import google.cloud.storage as gcs
        from .services import embed as e
        from fastapi import APIRouter

        router = APIRouter()
        ''',
        {"numpy": PROXY, "np": PROXY, "DF": PROXY, "matplotlib": PROXY, "gcs": PROXY, "e": PROXY},
        '''\
        """Routes."""
        from __future__ import annotations

        import os

        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            import numpy
            import numpy as np
            from pandas import DataFrame as DF
            import matplotlib.pyplot
            import google.cloud.storage as gcs
            from .services import embed as e
        else:
            numpy = lazy_import("numpy")
            np = lazy_import("numpy")
            DF = lazy_import("pandas", "DataFrame")
            matplotlib = lazy_import("matplotlib.pyplot", top_level=True)
            gcs = lazy_import("google.cloud.storage")
            e = lazy_import(".services", "embed")
        from fastapi import APIRouter

        router = APIRouter()
        ''',
        id="every form",
    ),
    pytest.param(
        """\
        import typing
        import os, numpy as np  # numbers

        __all__ = ["np"]
        """,
        {"np": PROXY},
        """\
        import typing
        import os  # numbers
        from lazyimport_codemod.runtime import lazy_import

        if typing.TYPE_CHECKING:
            import numpy as np
        else:
            np = lazy_import("numpy")

        __all__ = ["np"]
        """,
        id="import typing reused, block after what stays of the statement",
    ),
    pytest.param(
        """\
        from typing import TYPE_CHECKING as TC, List
        from lazyimport_codemod.runtime import lazy_import
        import pandas as pd  # tables

        __all__ = ["pd"]
        """,
        {"pd": PROXY},
        """\
        from typing import TYPE_CHECKING as TC, List
        from lazyimport_codemod.runtime import lazy_import
        if TC:
            import pandas as pd  # tables
        else:
            pd = lazy_import("pandas")

        __all__ = ["pd"]
        """,
        id="existing TYPE_CHECKING and lazy_import reused",
    ),
    pytest.param(
        """\
        import pandas as pd
        from typing import TYPE_CHECKING
        """,
        {"pd": PROXY},
        """\
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            import pandas as pd
        else:
            pd = lazy_import("pandas")
        from typing import TYPE_CHECKING
        """,
        id="a later TYPE_CHECKING import is not relied on",
    ),
    pytest.param(
        """\
        import os

        # Optional speedups.
        try:
            import orjson
        except KeyError:
            orjson = None
        import numpy as np
        """,
        {"orjson": PROXY, "np": PROXY},
        """\
        import os
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            import orjson
            import numpy as np
        else:
            orjson = lazy_import("orjson")
            np = lazy_import("numpy")

        # Optional speedups.
        try:
            pass
        except KeyError:
            orjson = None
        """,
        id="first statement nested: block before the outer statement",
    ),
    pytest.param(
        """\
        from __future__ import annotations

        from lazyimport_codemod.runtime import lazy_import
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import numpy as np
        else:
            np = lazy_import("numpy")
        import pandas as pd

        __all__ = ["np", "pd"]
        """,
        {"pd": PROXY},
        """\
        from __future__ import annotations

        from lazyimport_codemod.runtime import lazy_import
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import numpy as np
            import pandas as pd
        else:
            np = lazy_import("numpy")
            pd = lazy_import("pandas")

        __all__ = ["np", "pd"]
        """,
        id="merged into the block of an earlier run",
    ),
    pytest.param(
        """\
        from sklearn import svm, tree, linear_model


        def fit():
            return svm.SVC(), tree


        __all__ = ["linear_model", "svm"]
        """,
        {"svm": PROXY, "tree": inline("fit"), "linear_model": PROXY},
        """\
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            from sklearn import svm, linear_model
        else:
            svm = lazy_import("sklearn", "svm")
            linear_model = lazy_import("sklearn", "linear_model")


        def fit():
            from sklearn import tree
            return svm.SVC(), tree


        __all__ = ["linear_model", "svm"]
        """,
        id="proxy and inline from one statement",
    ),
    pytest.param(
        """\
        from .svc import thing
        from . import svc
        from ..a.b import c as d

        __all__ = ["thing", "svc", "d"]
        """,
        {"thing": PROXY, "svc": PROXY, "d": PROXY},
        """\
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            from .svc import thing
            from . import svc
            from ..a.b import c as d
        else:
            thing = lazy_import(".svc", "thing")
            svc = lazy_import(".", "svc")
            d = lazy_import("..a.b", "c")

        __all__ = ["thing", "svc", "d"]
        """,
        id="relative imports stay relative",
    ),
    pytest.param(
        """\
        from typing import TYPE_CHECKING
        try:
            from lazyimport_codemod.runtime import lazy_import
        finally:
            pass
        if TYPE_CHECKING:
            import numpy as np
        else:
            np = lazy_import("numpy")
        import pandas as pd

        __all__ = ["np", "pd"]
        """,
        {"pd": PROXY},
        """\
        from typing import TYPE_CHECKING
        try:
            from lazyimport_codemod.runtime import lazy_import
        finally:
            pass
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            import numpy as np
            import pandas as pd
        else:
            np = lazy_import("numpy")
            pd = lazy_import("pandas")

        __all__ = ["np", "pd"]
        """,
        id="blank line between an added import and an earlier run's block",
    ),
    pytest.param(
        """\
        from helpers import lazy_import as li
        import numpy as np

        __all__ = ["np", "li"]
        """,
        {"np": PROXY},
        """\
        from helpers import lazy_import as li
        from typing import TYPE_CHECKING
        from lazyimport_codemod.runtime import lazy_import

        if TYPE_CHECKING:
            import numpy as np
        else:
            np = lazy_import("numpy")

        __all__ = ["np", "li"]
        """,
        id="a lazy_import from elsewhere under another name is not reused",
    ),
]


@pytest.mark.parametrize(("before", "specs", "after"), PROXY_CASES)
def test_proxy(before: str, specs: dict[str, Spec], after: str) -> None:
    assert fix(before, **specs) == textwrap.dedent(after)


def test_runtime_module_is_configurable_and_imported_once() -> None:
    source = b"import numpy as np\nimport pandas as pd\nfrom scipy import stats\n"
    result = apply_plans(source, plans(source, np=PROXY, pd=PROXY, stats=PROXY), "app._lazy")
    assert result.count(b"from app._lazy import lazy_import\n") == 1
    assert result.count(b"from typing import TYPE_CHECKING\n") == 1
    assert result.count(b"if TYPE_CHECKING:") == 1
    assert b'stats = lazy_import("scipy", "stats")' in result


def test_proxy_again_merges_and_adds_nothing_twice() -> None:
    """A later run (another cut, e.g. after the heavy list grew) reuses everything."""
    source = b"import numpy as np\nimport os\nimport pandas as pd\n__all__ = ['np', 'pd']\n"
    first = apply_plans(source, plans(source, np=PROXY))
    second = apply_plans(first, plans(first, pd=PROXY))
    assert second.count(b"lazy_import\n") == 1
    assert second.count(b"TYPE_CHECKING\n") == 1
    assert second.count(b"if TYPE_CHECKING:") == 1
    assert b'    np = lazy_import("numpy")\n    pd = lazy_import("pandas")\n' in second
    assert apply_plans(second, []) is second


# -- bytes: encodings, line endings, indentation ------------------------------


def test_crlf_line_endings_survive() -> None:
    source = (
        b"import os\r\nimport numpy as np\r\nimport pandas as pd\r\n\r\n"
        b"def f(): return np.zeros(1)\r\n\r\n__all__ = ['pd']\r\n"
    )
    result = apply_plans(source, plans(source, np=inline("f"), pd=PROXY))
    assert b"\n" not in result.replace(b"\r\n", b"")
    assert result == (
        b"import os\r\n"
        b"from typing import TYPE_CHECKING\r\n"
        b"from lazyimport_codemod.runtime import lazy_import\r\n\r\n"
        b"if TYPE_CHECKING:\r\n    import pandas as pd\r\nelse:\r\n"
        b'    pd = lazy_import("pandas")\r\n\r\n'
        b"def f():\r\n    import numpy as np\r\n    return np.zeros(1)\r\n\r\n__all__ = ['pd']\r\n"
    )


def test_tabs_survive_and_are_used_for_new_blocks() -> None:
    source = (
        b"import numpy as np\nimport pandas as pd\n\n"
        b"class A:\n\tdef f(self):\n\t\treturn np.zeros(1)\n\tdef g(self): return np\n\n"
        b"__all__ = ['pd']\n"
    )
    result = apply_plans(source, plans(source, np=inline("f", "g"), pd=PROXY))
    assert result == (
        b"from typing import TYPE_CHECKING\n"
        b"from lazyimport_codemod.runtime import lazy_import\n\n"
        b"if TYPE_CHECKING:\n\timport pandas as pd\nelse:\n\tpd = lazy_import(\"pandas\")\n\n"
        b"class A:\n\tdef f(self):\n\t\timport numpy as np\n\t\treturn np.zeros(1)\n"
        b"\tdef g(self):\n\t\timport numpy as np\n\t\treturn np\n\n"
        b"__all__ = ['pd']\n"
    )


def test_bom_and_coding_cookie_survive() -> None:
    source = (
        "\ufeff# -*- coding: utf-8 -*-\n# Grüße\nimport numpy as np  # Zähler\n\n"
        "def f():\n    return np.zeros(1)  # ö\n"
    ).encode("utf-8")
    result = apply_plans(source, plans(source, np=inline("f")))
    assert result == (
        "\ufeff# -*- coding: utf-8 -*-\n# Grüße\n\n"
        "def f():\n    import numpy as np  # Zähler\n    return np.zeros(1)  # ö\n"
    ).encode("utf-8")


def test_latin1_file_with_non_ascii_before_the_statement() -> None:
    text = "# -*- coding: latin-1 -*-\nA = 'é'; import numpy as np\n\ndef f():\n    return np, A\n"
    source = text.encode("latin-1")
    result = apply_plans(source, plans(source, np=inline("f")))
    assert result == (
        "# -*- coding: latin-1 -*-\nA = 'é'\n\ndef f():\n    import numpy as np\n    return np, A\n"
    ).encode("latin-1")


def test_function_type_comment_is_read_after_the_rewrite() -> None:
    source = b"import numpy as np\n\n\ndef f(n):\n    # type: (int) -> int\n    return np.zeros(n)\n"
    result = apply_plans(source, plans(source, np=inline("f")))
    (function,) = ast.parse(result, type_comments=True).body
    assert isinstance(function, ast.FunctionDef) and function.type_comment == "(int) -> int"
    assert isinstance(function.body[0], ast.Import)


def test_cr_only_line_endings_keep_the_last_line_break() -> None:
    source = b"import numpy as np\rimport pandas as pd\rdef f():\r    return np.zeros(1)\r__all__ = ['pd']\r"
    result = apply_plans(source, plans(source, np=inline("f"), pd=PROXY))
    assert result == (
        b"from typing import TYPE_CHECKING\r"
        b"from lazyimport_codemod.runtime import lazy_import\r\r"
        b'if TYPE_CHECKING:\r    import pandas as pd\relse:\r    pd = lazy_import("pandas")\r'
        b"def f():\r    import numpy as np\r    return np.zeros(1)\r__all__ = ['pd']\r"
    )


def test_no_trailing_newline() -> None:
    source = b"import numpy as np\ndef f(): return np"
    result = apply_plans(source, plans(source, np=inline("f")))
    assert result == b"def f():\n    import numpy as np\n    return np"
    compile(result, "<test>", "exec")


# -- no-ops and errors -------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"import numpy as np\n\ndef f(): return np\n", id="plain"),
        pytest.param(b"\xef\xbb\xbfimport os\r\nif os:\r\n\tx = (1,\r\n  2)\r\n", id="bom crlf tabs"),
    ],
)
def test_no_plans_returns_input_unchanged(source: bytes) -> None:
    assert apply_plans(source, []) is source


def test_leave_and_downstream_plans_change_nothing() -> None:
    source = b"import numpy as np\nfrom .svc import x\n\ndef f(): return np, x\n"
    result = apply_plans(source, plans(source, np=LEAVE, x=DOWNSTREAM))
    assert result == source


def test_statement_not_found() -> None:
    source = b"import numpy as np\n\ndef f(): return np\n"
    moved = [
        NamePlan(
            ImportStatement(2, 0, 2, 18, False, 0, None, p.statement.names, Where.MODULE, 2),
            p.name,
            p.decision,
        )
        for p in plans(source, np=inline("f"))
    ]
    with pytest.raises(TransformError, match="no import statement at line 2"):
        apply_plans(source, moved)


def test_function_not_found() -> None:
    source = b"import numpy as np\n\ndef f(): return np\n"
    (plan,) = plans(source, np=inline("f"))
    wrong = NamePlan(plan.statement, plan.name, Decision(Action.INLINE, functions=((2, "f"),)))
    with pytest.raises(TransformError, match="no function `f` defined at line 2"):
        apply_plans(source, [wrong])


def test_inline_without_functions_is_refused() -> None:
    source = b"import numpy as np\n"
    (plan,) = plans(source, np=inline())
    with pytest.raises(TransformError, match="no function"):
        apply_plans(source, [plan])


def test_class_body_import_is_refused() -> None:
    source = b"class A:\n    import numpy as np\n    def f(self): return self.np\n"
    with pytest.raises(TransformError, match="class attribute"):
        apply_plans(source, plans(source, np=PROXY))


def test_result_that_does_not_compile_is_refused() -> None:
    with pytest.raises(TransformError, match="result does not compile"):
        transform._check_compiles(b"def f(:\n    pass\n", b"def f():\n    pass\n")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from helpers import lazy_import\nimport numpy as np\n", id="imported elsewhere"),
        pytest.param("import numpy as np\ndef lazy_import(name): pass\n", id="defined"),
        pytest.param(
            "from lazyimport_codemod.runtime import _load as lazy_import\nimport numpy as np\n",
            id="another name of the runtime",
        ),
        pytest.param(
            "import numpy as np\ndef setup():\n    global lazy_import\n    lazy_import = 1\n",
            id="global in a function",
        ),
        pytest.param("TYPE_CHECKING = False\nimport numpy as np\n", id="TYPE_CHECKING assigned"),
        pytest.param(
            "from typing_extensions import TYPE_CHECKING\nimport numpy as np\n",
            id="TYPE_CHECKING not from typing",
        ),
    ],
)
def test_generated_names_bound_to_something_else_are_refused(source: str) -> None:
    data = source.encode()
    with pytest.raises(TransformError, match=r"binds `(lazy_import|TYPE_CHECKING)` at line \d+ to"):
        apply_plans(data, plans(data, np=PROXY))
    moved = data + b"def f(): return np\n"
    assert b"def f():\n    import numpy as np" in apply_plans(moved, plans(moved, np=inline("f")))


def test_relative_import_of_the_runtime_module_is_reused() -> None:
    source = b"from ._lazy import lazy_import\nimport numpy as np\n"
    result = apply_plans(source, plans(source, np=PROXY), "app._lazy")
    assert result == (
        b"from ._lazy import lazy_import\n"
        b"from typing import TYPE_CHECKING\n\n"
        b'if TYPE_CHECKING:\n    import numpy as np\nelse:\n    np = lazy_import("numpy")\n'
    )


def test_name_not_in_statement() -> None:
    source = b"import numpy as np\n\ndef f(): return np\n"
    (plan,) = plans(source, np=inline("f"))
    other = ImportedName("pd", "pandas", None, "pd")
    with pytest.raises(TransformError, match="`pd` is not imported"):
        apply_plans(source, [NamePlan(plan.statement, other, plan.decision)])


def test_an_import_longer_than_the_line_length_is_wrapped_in_parentheses() -> None:
    source = (
        "from transformers import AutoModel, AutoTokenizer, TrainingArguments  # models\n\n\n"
        "class Service:\n    def load(self):\n        return AutoModel, AutoTokenizer, TrainingArguments\n"
    )
    names = dict.fromkeys(["AutoModel", "AutoTokenizer", "TrainingArguments"], inline("Service.load"))
    wrapped = apply_plans(source.encode(), plans(source, **names), line_length=60).decode()
    assert wrapped.endswith(
        "    def load(self):\n"
        "        from transformers import (  # models\n"
        "            AutoModel,\n"
        "            AutoTokenizer,\n"
        "            TrainingArguments,\n"
        "        )\n"
        "        return AutoModel, AutoTokenizer, TrainingArguments\n")
    kept = apply_plans(source.encode(), plans(source, **names), line_length=120).decode()
    assert "        from transformers import AutoModel, AutoTokenizer, TrainingArguments  # models\n" in kept
