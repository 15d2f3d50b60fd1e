"""Import lines read from bytes find every import statement, and the prefilter built on them
never hides a diagnostic."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from lazyimport_codemod.parse.import_lines import import_lines
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.pipeline import analyse, check
from lazyimport_codemod.settings.config import Overrides, load_config

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        pytest.param(b"import torch\n", [(0, "torch", ())], id="plain"),
        pytest.param(b"import a.b as c, d\n", [(0, "a.b", ()), (0, "d", ())], id="several"),
        pytest.param(b"from x.y import a as b, c  # note\n", [(0, "x.y", ("a", "c"))], id="from"),
        pytest.param(b"from . import (\n    a,\n    b as c,\n)\n", [(1, "", ("a", "b"))], id="parenthesised"),
        pytest.param(b"from ..svc import e\n", [(2, "svc", ("e",))], id="relative"),
        pytest.param(b"x = 1; import torch\n", [(0, "torch", ())], id="after semicolon"),
        pytest.param(b"try: import torch\nexcept ImportError: pass\n", [(0, "torch", ())], id="one-line block"),
        pytest.param(b"if x:\n    import torch\n", [(0, "torch", ())], id="indented"),
        pytest.param(b"from x import a, \\\n    b\n", [(0, "x", ("a", "b"))], id="backslash continuation"),
        pytest.param(b"\xef\xbb\xbfimport torch\n", [(0, "torch", ())], id="bom"),
        pytest.param(b"import torch\r\nimport numpy\r\n", [(0, "torch", ()), (0, "numpy", ())], id="crlf"),
        pytest.param(b"x = 'no import here'\n", [], id="word in a string"),
        pytest.param(b"lazy import torch.nn as nn\n", [(0, "torch.nn", ())], id="lazy"),
        pytest.param(b"x = 1; lazy from . import (\n    a,\n)\n", [(1, "", ("a",))], id="lazy from"),
        pytest.param(b"lazy \\\n    import torch\n", [(0, "torch", ())], id="lazy continued"),
        pytest.param(b"lazy = 1\nlazy.x = 'import y'\n", [], id="a name called lazy"),
    ],
)
def test_import_lines_find_imports(src: bytes, expected: list[tuple[int, str, tuple[str, ...]]]) -> None:
    found = []
    for _, level, module, aliases in import_lines(src):
        if module is None:
            found.extend((0, name, ()) for name, _ in aliases)
        else:
            found.append((level, module, tuple(name for name, _ in aliases)))
    assert found == expected


_PIECES = ["import a", "import a.b as c, d", "from x import (\n    y,\n    z as w,\n)", "from . import q",
           "from ..p.r import s as t", "x = 1; import e", "if x: import f", "try:\n    import g\nexcept E:\n    pass",
           "def h():\n    from i import j", "y = 'import k'", "from l import m, \\\n    n", "class C:\n    import o",
           "lazy import u.v as w", "x = 2; lazy from .p import (\n    q,\n)", "if x:\n    lazy from r import s"]


@pytest.mark.parametrize("seed", range(60))
def test_every_import_ast_finds_is_found(seed: int) -> None:
    """Over-approximation is the contract: whatever the parser sees, the lines have."""
    rng = random.Random(seed)
    source = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))) + "\n"
    found = set()
    for _, level, module, aliases in import_lines(source.encode()):
        for name, bound in aliases:
            found.add((level, module, name, bound))
    for node in ast.walk(parse_source(source.encode()).tree):  # lazy imports parse on any Python
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert (0, None, alias.name, alias.asname or alias.name) in found
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                assert (node.level, node.module or "", alias.name, alias.asname or alias.name) in found


def _cases() -> list[Path]:
    fixtures = REPO / "tests" / "fixtures"
    return sorted(p for p in fixtures.iterdir() if p.is_dir() and p.name != "config")


@pytest.mark.parametrize("case", [*_cases(), REPO / "examples" / "slowapp", REPO / "lazyimport_codemod"],
                         ids=lambda p: p.name)
def test_prefilter_changes_no_result(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    config = load_config(case, Overrides())
    files = sorted(case.rglob("*.py"))
    with_filter = check(analyse(files, config))
    without = check(analyse(files, config, prefilter=False))
    assert with_filter.diagnostics == without.diagnostics
    assert with_filter.errors == without.errors
