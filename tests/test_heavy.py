"""HeavyMatcher semantics and the built-in heavy list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES, HeavyMatcher, is_glob

REPO = Path(__file__).resolve().parent.parent

MATCHES: list[tuple[tuple[str, ...], str, Optional[str]]] = [
    # A name covers itself and its submodules, never a longer name.
    (("torch",), "torch", "torch"),
    (("torch",), "torch.nn.functional", "torch"),
    (("torch",), "torchvision", None),
    (("torch",), "torchvision.models", None),
    (("torch",), "my.torch", None),
    # Dotted entries cover that subpackage only.
    (("google.cloud",), "google.cloud.storage", "google.cloud"),
    (("google.cloud",), "google.cloud", "google.cloud"),
    (("google.cloud",), "google", None),
    (("google.cloud",), "google.protobuf", None),
    (("google.cloud",), "google.cloudy", None),
    # The shortest listed prefix is reported: it is the package that costs the time.
    (("torch", "torch.nn"), "torch.nn.init", "torch"),
    (("torch.nn",), "torch.nn.init", "torch.nn"),
    # Globs match the top-level name and report it.
    (("langchain*",), "langchain", "langchain"),
    (("langchain*",), "langchain_core.prompts", "langchain_core"),
    (("langchain*",), "langchain_community.llms.openai", "langchain_community"),
    (("langchain*",), "lang", None),
    (("langchain*",), "my.langchain_core", None),
    (("py?orch",), "pytorch.x", "pytorch"),
    (("x[ab]",), "xb.c", "xb"),
    (("x[!ab]",), "xb", None),
    # A glob with a dot matches that many leading parts.
    (("google.cloud*",), "google.cloud_run.v2", "google.cloud_run"),
    (("google.*",), "google.cloud.storage", "google.cloud"),
    (("google.*",), "google", None),
    # Exact names and globs together; surrounding spaces and empty entries ignored.
    (("numpy", "langchain*"), "numpy.linalg", "numpy"),
    ((" numpy ", ""), "numpy", "numpy"),
    # Relative imports are first-party, never heavy.
    (("torch",), ".torch", None),
    (("torch",), "..torch.nn", None),
    (("torch",), "", None),
    ((), "torch", None),
]


@pytest.mark.parametrize(("patterns", "module", "expected"), MATCHES)
def test_match(patterns: tuple[str, ...], module: str, expected: Optional[str]) -> None:
    matcher = HeavyMatcher(patterns)
    assert matcher.match(module) == expected
    assert matcher.match(module) == expected  # the cached answer is the same


def test_patterns_may_be_any_iterable() -> None:
    assert HeavyMatcher(iter(["a", "b*"])).match("bee") == "bee"


@pytest.mark.parametrize(
    ("pattern", "glob"), [("torch", False), ("lang*", True), ("a?", True), ("x[ab]", True)]
)
def test_is_glob(pattern: str, glob: bool) -> None:
    assert is_glob(pattern) is glob


def test_builtin_list_is_sorted_and_unique() -> None:
    assert list(BUILTIN_HEAVY_PACKAGES) == sorted(set(BUILTIN_HEAVY_PACKAGES))


def test_builtin_list_holds_import_names() -> None:
    for entry in BUILTIN_HEAVY_PACKAGES:
        assert all(part.rstrip("*").isidentifier() for part in entry.split(".")), entry


def test_builtin_list_covers_what_the_design_names() -> None:
    named = (
        "torch tensorflow jax transformers sentence_transformers pandas numpy scipy sklearn "
        "matplotlib cv2 boto3 botocore openai litellm langchain* llama_index chromadb spacy "
        "nltk polars pyarrow"
    ).split()
    assert set(named) <= set(BUILTIN_HEAVY_PACKAGES)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("torch.nn", "torch"),
        ("sklearn.ensemble", "sklearn"),
        ("google.cloud.storage", "google.cloud"),
        ("langchain_openai", "langchain_openai"),
        ("scipy.stats", "scipy"),
        # Cheap or web-framework modules stay out of the list.
        ("PIL.Image", None),
        ("google.protobuf", None),
        ("fastapi", None),
        ("pydantic", None),
        ("sqlalchemy.orm", None),
        ("json", None),
    ],
)
def test_builtin_list(module: str, expected: Optional[str]) -> None:
    assert HeavyMatcher(BUILTIN_HEAVY_PACKAGES).match(module) == expected


def test_import_is_cheap() -> None:
    """Imported by every lint run: standard library only, and nothing for globs until used."""
    code = (
        "import sys, json; before = set(sys.modules); import lazyimport_codemod.settings.heavy;"
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    new = {name for name in json.loads(out.stdout) if not name.startswith("lazyimport_codemod")}
    assert not new & {"fnmatch", "tomllib", "tomli", "difflib"}
    stdlib = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if stdlib is not None:
        assert {name.split(".")[0] for name in new} <= set(stdlib) | {"__future__"}
