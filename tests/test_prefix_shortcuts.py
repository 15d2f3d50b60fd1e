"""Shortcuts on lint's serial path give exactly what the plain code gave.

Each faster version is checked against a reference: the prefilter against the
code it replaced (kept here), and the records' pickling against their plain
NamedTuple pickling.  The inputs are generated from fragments chosen to hit the
edge cases (continuations, brackets, several statements on a line, ...), with
fixed seeds.
"""

from __future__ import annotations

import inspect
import pickle
import random
import sys
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional

import pytest

from lazyimport_codemod import records as models
from lazyimport_codemod.project import prefilter
from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.project.graph import Project, absolute, ancestors, importers_closure
from lazyimport_codemod.parse.imports import resolve_relative
from lazyimport_codemod.project.prefilter import ImportLine, Scan, scan, scanned, select_files
from lazyimport_codemod.settings.heavy import HeavyMatcher
from lazyimport_codemod.records import DIAGNOSTIC_ORDER, Diagnostic, ImportStatement, NameUsage

REPO = Path(__file__).resolve().parent.parent

# -- the prefilter: the code before the shortcuts, as the reference ---------------------


def _reference_normalise(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\\\n" in data or b"\\\r\n" in data:
        data = data.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")
    return data


def _reference_matches(data: bytes) -> Iterator[tuple[int, Any]]:
    pos = data.find(b"import")
    while pos != -1:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end == -1 else end
        if data.count(b"(", start, end) > data.count(b")", start, end):
            close = data.find(b")", end)
            end = len(data) if close == -1 else close + 1
        for offset, statement in prefilter._window(data[start:end]):
            yield start + offset, statement
        pos = data.find(b"import", end)


def _reference_import_lines(data: bytes) -> list[ImportLine]:
    found: list[ImportLine] = []
    if b"import" not in data:
        return found
    data = _reference_normalise(data)
    line, counted = 1, 0
    for start, statement in _reference_matches(data):
        if start < counted:
            line, counted = 1, 0
        line += data.count(b"\n", counted, start)
        counted = start
        found.append(ImportLine(line, *statement))
    return found


def _reference_select_files(
    project: Project, datas: Mapping[Path, bytes], cache: dict[Path, bytes],
    on_heavy: Optional[Callable[[], None]] = None,
) -> set[Path]:
    matcher = project.matcher
    scans: dict[str, Scan] = {}
    direct: dict[str, bool] = {}
    edges: dict[str, set[str]] = {}
    lines: dict[tuple[str, tuple[str, ...], int], tuple[tuple[str, ...], bool]] = {}

    def line(module: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        key = (module, names, len(project.roots))
        found = lines.get(key)
        if found is None:
            attributes = tuple(n for n in names if n != "*")
            heavy = matcher.match(module) is not None or any(
                matcher.match(f"{module}.{n}") is not None for n in attributes
            )
            found = lines[key] = (project.located(module, attributes), heavy)
        return found

    def targets(name: Optional[str], is_package: bool, found: Scan) -> tuple[set[str], bool]:
        out: set[str] = set()
        heavy = found.unsure
        for level, module, names in found.imports:
            absolute = (module or None) if level == 0 else resolve_relative(name, is_package, level, module or None)
            if absolute is None:
                continue
            located, heavy_line = line(absolute, names)
            heavy = heavy or (level == 0 and heavy_line)
            out.update(located)
        return out, heavy

    linted: dict[Path, tuple[Optional[str], bool, set[str]]] = {}
    queue: deque[str] = deque()
    for path, data in datas.items():
        name, is_package = project.name_for_path(path)
        found = scan(data, _reference_import_lines(data))
        outgoing, heavy = targets(name, is_package, found)
        if heavy and on_heavy is not None:
            on_heavy()
            on_heavy = None
        if name is not None:
            scans[name] = found
            edges[name] = outgoing
            direct[name] = heavy
            queue.extend(ancestors(name))
        linted[path] = (name, heavy, outgoing)
        queue.extend(outgoing)
    while queue:
        module = queue.popleft()
        if module in scans:
            continue
        located = project.locate(module)
        if located is None or located[0].suffix != ".py":
            scans[module] = Scan((), False)
            edges[module] = set()
            continue
        path = absolute(located[0])
        try:
            data = project._read(path)
        except OSError:
            data = b""
        cache[path] = data
        found = scans[module] = scan(data, _reference_import_lines(data))
        edges[module], direct[module] = targets(module, located[1], found)
        queue.extend(edges[module])
    hot = importers_closure((m for m, heavy in direct.items() if heavy), edges)
    project.gate = hot
    selected: set[Path] = set()
    for path, (name, heavy, outgoing) in linted.items():
        parents = ancestors(name) if name else []
        if heavy or outgoing & hot or hot.intersection(parents):
            selected.add(path)
    return selected


_FRAGMENTS = [
    b"import torch", b"import a.b as c, d", b"from x.y import a as b, c  # note", b"from . import (\n    a,\n    b as c,\n)",
    b"from ..svc import e", b"x = 1; import numpy", b"try: import torch\nexcept ImportError: pass", b"if x:\n    import y",
    b"from x import a, \\\n    b", b"from x import a, \\\r\n    b", b"\\\n", b"\\\r\n", b"\\", b"\r\n", b"\r", b"\n", b"\n\n",
    b"    ", b"\t", b"# import os", b"'import'", b"importlib.reload(x)", b"(", b")", b"((", b"from m import (a", b")  ; import z",
    b"\xef\xbb\xbf", b"\x00", b"import", b"from import x", b"from .m import *", b"def f(): import pandas as pd",
    b"x = (\n1)", b"\xc3\xa9", b"from\timport", b"import a;import b", b": import q", b"class C: from a import b",
]


def _fuzzed(rng: random.Random) -> bytes:
    return b"".join(rng.choice(_FRAGMENTS) + rng.choice([b"", b"\n", b" ", b"\r\n"]) for _ in range(rng.randint(0, 12)))


def test_import_lines_match_the_plain_loop() -> None:
    rng = random.Random(1234)
    samples = [_fuzzed(rng) for _ in range(4000)]
    samples += [b"from a import b \\\n  , c\nimport d\n" * 3, (REPO / "lazyimport_codemod" / "pipeline.py").read_bytes()]
    for data in samples:
        assert prefilter.import_lines(data) == _reference_import_lines(data), data
        assert [type(line) for line in prefilter.import_lines(data)] == [ImportLine] * len(prefilter.import_lines(data))
        assert scan(data).unsure == (b"\x00" in data)


def test_normalise_joins_continuations_as_replace_did() -> None:
    rng = random.Random(99)
    pieces = [b"\\", b"\n", b"\r", b"\r\n", b"a", b" ", b"\\\\"]
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert prefilter._normalise(data) == _reference_normalise(data), data


_MODULE_LINES = [
    "import numpy", "from app.b import f", "from app import c", "from .b import f", "from . import d",
    "from ..pkg import e", "import app.b, app.c as cc", "from app.pkg.e import g", "from app.c import *",
    "from app.pkg import e as ee, missing", "import os", "from langchain_core import x", "from .. import b",
    "from app.nothing import z", "import app", "from app import (\n    b,\n    c,\n)", "x = 1; import app.d",
    "from app.d import numpy", "import torch.nn", "from outside_mod import v", "from app.ns.m import k",
    "import app.d, os", "import other.x, app.pkg.e as e2",
]
_MODULES = ["app/__init__.py", "app/b.py", "app/c.py", "app/d.py", "app/pkg/__init__.py", "app/pkg/e.py",
            "app/ns/m.py", "outside/loose.py", "outside_mod.py", "other/__init__.py", "other/x.py"]


@pytest.mark.parametrize("seed", range(80))
def test_select_files_matches_the_plain_loop(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    for name in _MODULES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = rng.sample(_MODULE_LINES, rng.randint(0, 5))
        text = "\n".join(lines) + "\n"
        if rng.random() < 0.05:
            text += "\x00"
        path.write_text(text)
    matcher = HeavyMatcher(("numpy", "torch", "langchain*"))
    linted = [tmp_path / name for name in rng.sample(_MODULES, rng.randint(1, len(_MODULES)))]

    def run(select: Callable[..., set[Path]]) -> tuple[Any, ...]:
        datas = {absolute(path): path.read_bytes() for path in linted}
        # A root that holds few of the files: naming the others adds roots as the run goes.
        project = Project([tmp_path if seed % 2 else tmp_path / "other"], matcher, Path.read_bytes)
        cache: dict[Path, bytes] = {}
        calls: list[int] = []
        selected = select(project, datas, cache, lambda: calls.append(1))
        return (selected, project.gate, cache, calls, project.roots, sorted(project._locate_cache),
                sorted(project.scanned) if select is select_files else None)

    new, old = run(select_files), run(_reference_select_files)
    assert new[:6] == old[:6]
    # Every file the prefilter read has its import lines remembered for the importer index.
    assert set(new[6]) >= set(new[2])


# -- pickling records ------------------------------------------------------------------


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
    for path in sorted((REPO / "lazyimport_codemod").rglob("*.py")) + sorted((REPO / "examples").rglob("*.py")):
        try:
            out.append(extract(path.read_bytes(), str(path), None, path.name == "__init__.py"))
        except Exception:  # a file this interpreter cannot parse is no matter here
            continue
    return out


def test_facts_pickle_round_trip_keeps_every_field_and_type() -> None:
    facts = _repository_facts()
    assert sum(len(f.imports) for f in facts) > 100 and sum(len(f.usage) for f in facts) > 50
    statement = ImportStatement(3, 4, 5, 6, True, 2, "pkg.mod", (
        models.ImportedName("a", "pkg.mod", "a", None), models.ImportedName("b", "x", None, "b", True),
    ), models.Where.OPTIONAL, 9, frozenset({"LI001"}))
    usage = NameUsage((models.Use(models.UseKind.FUNCTION, 1, 2, "r", 3, "f", "raise"),), "why", 1, 2, 3)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        for value in (facts, statement, usage, [statement, statement, usage]):
            assert _same(pickle.loads(pickle.dumps(value, protocol=protocol)), value)


def test_rebuilders_take_the_records_fields_in_order() -> None:
    """A field added to ImportStatement or NameUsage must be added to its rebuilder too."""
    assert tuple(inspect.signature(models._statement).parameters) == ImportStatement._fields
    assert tuple(inspect.signature(models._usage).parameters) == NameUsage._fields
    assert ImportStatement._fields.index("names") == 7 and NameUsage._fields.index("uses") == 0


def test_pickles_of_plain_records_still_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries the facts cache stored before the records had a ``__reduce__``."""
    facts = _repository_facts()[:20]
    monkeypatch.delattr(ImportStatement, "__reduce__")
    monkeypatch.delattr(NameUsage, "__reduce__")
    plain = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
    monkeypatch.undo()
    assert plain != pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
    assert _same(pickle.loads(plain), facts)


def test_diagnostic_order_is_sort_key() -> None:
    diagnostic = Diagnostic("p.py", 3, 4, 5, 6, "LI002", "m", "torch", ("a",), True, "fix", ("a", "b"), ("torch",))
    assert DIAGNOSTIC_ORDER(diagnostic) == diagnostic.sort_key()
