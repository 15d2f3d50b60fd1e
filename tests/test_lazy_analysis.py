"""The analysis of PEP 810 lazy imports: which edges load nothing, LI003, and when fix writes
``lazy`` or ``__lazy_modules__`` rather than inlining or proxying (lint and fix agree).

Every file here is read by lint on any Python (newer syntax goes through the fallback parse).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from lazyimport_codemod.parse.pep810 import in_module_body
from lazyimport_codemod.parse.source import parse_source
from lazyimport_codemod.parse.imports import collect_imports
from lazyimport_codemod.pipeline import analyse, check, fix_files
from lazyimport_codemod.records import Diagnostic
from lazyimport_codemod.settings.config import Overrides, load_config


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\nheavy-packages = ['torch', 'pandas']\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(root: Path, *paths: str, overrides: Optional[Overrides] = None) -> list[Diagnostic]:
    config = load_config(root, overrides or Overrides())
    return check(analyse([root / p for p in paths], config)).diagnostics


def short(diagnostics: list[Diagnostic]) -> list[tuple[str, int, str, Optional[str]]]:
    return [(d.path, d.line, d.code, d.fix) for d in diagnostics]


# -- which imports are lazy -----------------------------------------------------------


def test_a_lazy_import_used_in_functions_or_plain_annotations_loads_nothing(root: Path) -> None:
    write(root, {"m.py": (
        "lazy import torch\n"
        "lazy from pandas import DataFrame\n\n"
        "X: DataFrame\n\n"
        "class C:\n    frame: DataFrame\n\n"
        "def f(a: DataFrame) -> DataFrame:\n    return torch.zeros(1)\n"
    )})
    assert lint(root, "m.py") == []


@pytest.mark.parametrize("use,reason", [
    ("@torch.jit.script\ndef f():\n    pass\n", "decorator"),
    ("def f(x=torch.zeros(1)):\n    pass\n", "default value"),
    ("class C(torch.nn.Module):\n    pass\n", "base class"),
    ("from dataclasses import dataclass\n@dataclass\nclass C:\n    x: torch.Tensor\n",
     "annotation of a route or model"),
    ("def setup():\n    return torch.zeros(1)\n\nSTATE = setup()\n", "inside setup(), which runs at import time"),
])
def test_a_lazy_import_resolved_while_the_module_is_imported_is_li003(root: Path, use: str, reason: str) -> None:
    write(root, {"m.py": f"lazy import torch\n{use}"})
    (diagnostic,) = lint(root, "m.py")
    assert (diagnostic.code, diagnostic.line, diagnostic.fixable, diagnostic.fix) == ("LI003", 1, False, None)
    assert diagnostic.message.startswith("lazy import of heavy package `torch` is resolved while the module is imported;"
                                         " cannot defer: `torch` is used at import time at line ")
    assert reason in diagnostic.message


def test_li003_is_silenced_by_its_noqa_and_the_chain_through_it_too(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/model.py": "lazy import torch  # noqa: LI003\n\n@torch.jit.script\ndef f():\n    pass\n",
        "app/router.py": "from app.model import f\n\ndef r():\n    return f()\n",
    })
    assert lint(root, "app/model.py", "app/router.py") == []
    write(root, {"app/model.py": "lazy import torch  # noqa: LI001\n\n@torch.jit.script\ndef f():\n    pass\n"})
    assert [d.code for d in lint(root, "app/model.py", "app/router.py")] == ["LI003", "LI002"]


def test_a_chain_through_a_lazy_first_party_import_is_cut_unless_resolved(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/embed.py": "import torch\n\nMODEL = torch.zeros(1)\n",
        "app/search.py": "lazy from app.embed import MODEL\n\ndef find():\n    return MODEL\n",
        "app/main.py": "from app import search\n\nROUTES = [search.find]\n",
    })
    assert short(lint(root, "app/main.py", "app/search.py")) == []
    write(root, {"app/search.py": "lazy from app.embed import MODEL\n\nCOPY = MODEL\n"})
    assert short(lint(root, "app/main.py", "app/search.py")) == [
        ("app/main.py", 1, "LI002", None),
        ("app/search.py", 1, "LI003", None),
    ]
    (li003,) = [d for d in lint(root, "app/search.py") if d.code == "LI003"]
    assert li003.chain == ("app.search", "app.embed", "torch")
    assert "cannot defer: `MODEL` is used at import time at line 3 (module statement)" in li003.message


@pytest.mark.parametrize("target,lazy", [("py314", False), ("py315", True)])
def test_lazy_modules_count_from_a_315_target(root: Path, target: str, lazy: bool) -> None:
    write(root, {"m.py": "__lazy_modules__ = ['torch']\nimport torch\n\ndef f():\n    return torch\n"})
    found = lint(root, "m.py", overrides=Overrides(target_version=target))
    assert [d.code for d in found] == ([] if lazy else ["LI001"])


@pytest.mark.parametrize("place,lazy", [
    ("import torch\n", True),
    ("import torch.nn\n", False),  # the module named is torch.nn, not torch
    ("if X:\n    import torch\n", True),
    ("with X:\n    import torch\n", True),
    ("for _ in X:\n    import torch\n", True),
    ("try:\n    import torch\nfinally:\n    pass\n", False),
    ("try: import torch\nexcept ValueError: pass\n", False),
    ("try:\n    import torch\nexcept ImportError:\n    torch = None\n", False),
    ("class C:\n    import torch\n", False),
])
def test_where_lazy_modules_apply(root: Path, place: str, lazy: bool) -> None:
    write(root, {"m.py": f"X = []\n__lazy_modules__ = ['torch']\n{place}\ndef f():\n    return torch\n"})
    found = [d for d in lint(root, "m.py", overrides=Overrides(target_version="py315")) if d.code == "LI001"]
    assert bool(found) is not lazy


@pytest.mark.parametrize("source,expected", [
    (b"import torch\n", True),
    (b"x = 1; import torch\n", True),
    (b"try: import torch\nexcept ValueError: pass\n", False),
    (b"try:\n    import torch\nexcept ValueError:\n    pass\n", False),
    (b"if x:\n    import torch\n", False),
])
def test_in_module_body(source: bytes, expected: bool) -> None:
    (stmt,) = collect_imports(parse_source(source).tree)
    assert in_module_body(stmt, source) is expected


# -- what fix writes ---------------------------------------------------------------


def fix_text(root: Path, path: str, overrides: Overrides) -> tuple[str, list[Diagnostic]]:
    config = load_config(root, overrides)
    outcome = fix_files([root / path], config)
    changes = {p: after for p, _, after in outcome.changes}
    return changes.get((root / path).resolve(), (root / path).read_bytes()).decode(), outcome.remaining.diagnostics


LAZY = Overrides(target_version="py315")


def test_a_name_only_needed_as_a_module_attribute_becomes_lazy_not_a_proxy(root: Path) -> None:
    write(root, {"m.py": "import torch\n\n__all__ = ['torch']\n\nF = lambda: torch.zeros(1)\n"})
    text, left = fix_text(root, "m.py", LAZY)
    assert text.startswith("lazy import torch\n") and "lazy_import" not in text and left == []


def test_a_name_that_needs_the_real_object_becomes_lazy(root: Path) -> None:
    """`except X` needs the real class, which no proxy gives; a lazy import is the real one
    from its first use on."""
    write(root, {"m.py": "from torch import TorchError\n\n__all__ = ['TorchError']\n\n"
                         "def f():\n    try:\n        pass\n    except TorchError:\n        pass\n"})
    assert "cannot defer" in lint(root, "m.py")[0].message  # before 3.15: a proxy will not do
    text, left = fix_text(root, "m.py", LAZY)
    assert text.startswith("lazy from torch import TorchError\n") and left == []


def test_a_name_another_module_imports_gets_a_proxy_since_its_import_would_load_it(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/embed.py": "import torch\n\ndef embed():\n    return torch.zeros(1)\n",
        "app/tools.py": "from app.embed import torch\n\ndef f():\n    return torch\n",
    })
    (diagnostic,) = lint(root, "app/embed.py", overrides=LAZY)
    assert diagnostic.fix is not None and "lazy_import()" in diagnostic.fix


def test_lazy_modules_fall_back_where_listing_the_module_would_make_another_import_lazy(root: Path) -> None:
    write(root, {"m.py": "from pandas import DataFrame\nfrom pandas import Series\n\nS = Series()\n\n"
                         "def f():\n    return DataFrame()\n"})
    text, _ = fix_text(root, "m.py", Overrides(strategy="lazy-modules"))
    assert "__lazy_modules__" not in text and "    from pandas import DataFrame\n" in text


@pytest.mark.parametrize("existing,fits", [
    ("", True),
    ("__lazy_modules__ = ['json']\n", True),
    ("__lazy_modules__ = compute()\n", False),
    ("try:\n    __lazy_modules__ = []\nexcept NameError:\n    pass\n", False),
])
def test_lazy_modules_are_written_only_where_the_list_can_be_added_to(
    root: Path, existing: str, fits: bool
) -> None:
    write(root, {"m.py": f"{existing}import torch\n\ndef f():\n    return torch\n"})
    (diagnostic,) = lint(root, "m.py", overrides=Overrides(strategy="lazy-modules"))
    listed = "fix lists `torch` in `__lazy_modules__` (lazy on Python 3.15+)"
    assert (diagnostic.fix == listed) is fits
    text, left = fix_text(root, "m.py", Overrides(strategy="lazy-modules"))
    assert left == []
    assert ("'torch'" in text or '"torch"' in text) is fits


def test_lazy_modules_after_the_imports_cannot_be_added_to(root: Path) -> None:
    write(root, {"m.py": "import torch\n__lazy_modules__ = ['json']\n\ndef f():\n    return torch\n"})
    (diagnostic,) = lint(root, "m.py", overrides=Overrides(strategy="lazy-modules"))
    assert diagnostic.fix == "fix moves the import into `f()` (line 4)"
