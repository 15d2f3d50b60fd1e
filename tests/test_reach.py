"""Which heavy packages importing some modules loads: every way of asking gives the answer of a
plain breadth-first search from scratch.

The searches are memoised, leave out modules that reach nothing heavy, and
answer "the same without module X" from an earlier search where they can
(:mod:`lazyimport_codemod.project.reach`).  Random package-shaped projects
(an ``__init__`` importing some of its modules, modules importing each other
and heavy packages, silenced imports) put each of those against the
definition, written here without any of them.
"""

from __future__ import annotations

import random
from collections import deque
from pathlib import Path
from typing import Callable, Optional

import pytest

from lazyimport_codemod.pipeline import Analysis, analyse, check
from lazyimport_codemod.project import reach
from lazyimport_codemod.project.graph import Edge, ModuleFacts
from lazyimport_codemod.settings.config import Overrides, load_config

HEAVY = ("numpy", "pandas", "torch", "scipy")


def _random_project(root: Path, seed: int, size: int = 14) -> list[str]:
    rng = random.Random(seed)
    modules = [f"m{i}" for i in range(size)]
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "p").mkdir()
    (root / "p" / "__init__.py").write_text("".join(f"import p.{m}\n" for m in modules[: rng.randint(1, size // 2)]))
    for module in modules:
        lines = [f"import p.{other}" for other in rng.sample(modules, rng.randint(0, 4)) if other != module]
        lines += [f"import {pkg}" for pkg in HEAVY if rng.random() < 0.25]
        if rng.random() < 0.3:
            lines.append(f"import {rng.choice(HEAVY)}  # noqa: LI001")
        rng.shuffle(lines)
        (root / "p" / f"{module}.py").write_text("\n".join(lines) + "\n\ndef f():\n    return 1\n")
    return [f"p.{m}" for m in modules]


def _analysed(root: Path, monkeypatch: pytest.MonkeyPatch) -> Analysis:
    monkeypatch.chdir(root)
    return analyse(sorted((root / "p").glob("*.py")), load_config(root, Overrides()))


def _from_scratch(analysis: Analysis, start: tuple[str, ...], skip: frozenset[str],
                  keep: Optional[Callable[[ModuleFacts, Edge], bool]]) -> dict[str, tuple[str, ...]]:
    """The definition: a breadth-first search over every edge, in the order written."""
    project = analysis.project
    found: dict[str, tuple[str, ...]] = {}
    seen = set(skip)
    queue: deque[tuple[str, tuple[str, ...]]] = deque()
    for module in start:
        if module not in seen:
            seen.add(module)
            queue.append((module, (module,)))
    while queue:
        module, chain = queue.popleft()
        facts = project.module(module)
        for edge in facts.edges if facts is not None else ():
            if keep is not None and not keep(facts, edge):  # type: ignore[arg-type]
                continue
            if edge.heavy is not None:
                if not edge.statement.silenced("LI001"):
                    found.setdefault(edge.heavy, chain + (edge.heavy,))
                continue
            for target in edge.targets:
                if target not in seen:
                    seen.add(target)
                    queue.append((target, chain + (target,)))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_every_search_is_the_search_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    modules = _random_project(tmp_path, seed)
    analysis = _analysed(tmp_path, monkeypatch)
    search = analysis.project.reach
    keeps = analysis.checker.after_fix.keeps
    rng = random.Random(seed)
    for start in [("p",), ("p", modules[0]), tuple(modules[:4]), tuple(rng.sample(modules, 3))]:
        for excluded in ["p", *modules]:
            for skip in (frozenset(), frozenset(rng.sample(modules, 2)) - {excluded}):
                for keep in (None, keeps):
                    expected = _from_scratch(analysis, start, skip | {excluded}, keep)
                    assert search.heavy_reached(start, skip, keep, excluded=excluded) == expected
                    assert search.heavy_reached(start, skip | {excluded}, keep) == expected


@pytest.mark.parametrize("seed", range(20))
def test_whether_a_search_finds_anything_is_answered_as_the_search_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """``reaches_heavy`` answers without a search where a start module imports a heavy package
    itself: asked first (nothing memoised yet), it agrees with the search from scratch."""
    modules = _random_project(tmp_path, 100 + seed)
    analysis = _analysed(tmp_path, monkeypatch)
    search = analysis.project.reach
    rng = random.Random(seed)
    for start in [("p",), (modules[0],), tuple(modules[:4]), tuple(rng.sample(modules, 3))]:
        for skip in (frozenset(), frozenset(rng.sample(modules, 2)), frozenset(start[:1])):
            expected = bool(_from_scratch(analysis, start, skip, None))
            assert search.reaches_heavy(start, skip) == expected
            assert bool(search.heavy_reached(start, skip)) == expected
            assert search.reaches_heavy(start, skip) == expected  # now from the memoised search


def test_deriving_without_a_module_is_tried_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both outcomes of deriving "without X" from a search occur in the projects above: an
    answer, and "search again" (a package first found by a module reached through X)."""
    outcomes = set()
    for seed in range(40):
        root = tmp_path / str(seed)
        root.mkdir()
        modules = _random_project(root, seed)
        search = _analysed(root, monkeypatch).project.reach._search(("p",), frozenset(), None)
        for excluded in modules:
            if excluded in search.carriers:
                outcomes.add(reach._rechained(search, excluded) is None)
    assert outcomes == {True, False}


@pytest.mark.parametrize("seed", range(10))
def test_a_verdict_exists_exactly_when_the_search_finds_a_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    _random_project(tmp_path, 200 + seed)
    analysis = _analysed(tmp_path, monkeypatch)
    checker = analysis.checker
    for facts in analysis.facts.values():
        skip = checker.loaded_before(facts)
        for edge in facts.edges:
            if edge.heavy is None and edge.targets:
                reached = _from_scratch(analysis, edge.targets, skip, None)
                assert (checker.verdict(facts, edge) is None) == (not reached), edge
    assert check(analysis).diagnostics
