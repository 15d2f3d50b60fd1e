"""The byte-level prefilter finds every import statement and never hides a diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyimport_codemod.project.prefilter import scan
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.pipeline import analyse, lint

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
    ],
)
def test_scan_finds_imports(src: bytes, expected: list[tuple[int, str, tuple[str, ...]]]) -> None:
    assert list(scan(src).imports) == expected


def test_nul_byte_is_unsure() -> None:
    assert scan(b"import torch\x00\n").unsure


def _cases() -> list[Path]:
    fixtures = REPO / "tests" / "fixtures"
    return sorted(p for p in fixtures.iterdir() if p.is_dir() and p.name != "config")


@pytest.mark.parametrize("case", [*_cases(), REPO / "examples" / "slowapp", REPO / "lazyimport_codemod"],
                         ids=lambda p: p.name)
def test_prefilter_changes_no_result(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    config = load_config(case, Overrides())
    files = sorted(case.rglob("*.py"))
    with_filter = lint(analyse(files, config))
    without = lint(analyse(files, config, prefilter=False))
    assert with_filter.diagnostics == without.diagnostics
    assert with_filter.errors == without.errors
