"""Facts pickle compactly (:mod:`lazyimport_codemod.speed.pickling`) and come back as they were."""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path
from typing import Any

from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.records import (
    ImportedName,
    ImportStatement,
    NameUsage,
    Use,
    UseKind,
    Where,
)
from lazyimport_codemod.speed import pickling

REPO = Path(__file__).resolve().parent.parent


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``==`` alone takes True for 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _repository_facts() -> list[Any]:
    out = []
    # tests/newer_syntax: lazy imports and __lazy_modules__ (parsed through LibCST before 3.15).
    paths = [sorted((REPO / folder).rglob("*.py")) for folder in ("lazyimport_codemod", "examples", "tests/newer_syntax")]
    for path in [path for found in paths for path in found]:
        try:
            out.append(extract(path.read_bytes(), str(path), None, path.name == "__init__.py"))
        except Exception:  # a file this interpreter cannot parse is no matter here
            continue
    return out


def test_a_round_trip_keeps_every_field_and_type() -> None:
    facts = _repository_facts()
    assert sum(len(f.imports) for f in facts) > 100 and sum(len(f.usage) for f in facts) > 50
    assert any(s.lazy for f in facts for s in f.imports) and any(f.lazy_modules for f in facts)
    statement = ImportStatement(3, 4, 5, 6, True, 2, "pkg.mod", (
        ImportedName("a", "pkg.mod", "a", None), ImportedName("b", "x", None, "b", True),
    ), Where.OPTIONAL, 9, frozenset({"LI001"}))
    lazy = statement._replace(lazy=True, noqa=None)
    usage = NameUsage((Use(UseKind.FUNCTION, 1, 2, "r", 3, "f", "raise"),), "why", 1, 2, 3)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        for value in (facts, statement, lazy, usage, [statement, lazy, usage]):
            data = pickle.dumps(value, protocol=protocol)
            assert b"lazyimport_codemod.speed.pickling" in data
            assert _same(pickle.loads(data), value)


def test_the_rebuilders_take_the_records_fields_in_order() -> None:
    """A field added to ImportStatement or NameUsage must be added to its rebuilder too."""
    assert tuple(inspect.signature(pickling._statement).parameters) == ImportStatement._fields
    assert tuple(inspect.signature(pickling._usage).parameters) == NameUsage._fields
    assert ImportStatement._fields.index("names") == 7 and NameUsage._fields.index("uses") == 0
