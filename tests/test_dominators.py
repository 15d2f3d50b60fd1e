"""What stays reachable without one module, read off the dominator tree, is what a plain search finds."""

from __future__ import annotations

import random
from collections import deque

import pytest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from lazyimport_codemod.project.dominators import Dominators, Preloaded


def reachable_without(roots: list[str], graph: dict[str, list[str]], excluded: str) -> frozenset[str]:
    seen: set[str] = set()
    queue = deque(r for r in roots if r != excluded)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        queue.extend(t for t in graph.get(node, []) if t != excluded and t not in seen)
    return frozenset(seen)


@pytest.mark.parametrize("seed", range(200))
def test_matches_plain_search_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"m{i}" for i in range(rng.randint(2, 25))]
    graph = {n: rng.sample(nodes, rng.randint(0, min(4, len(nodes)))) for n in nodes}
    roots = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
    tree = Dominators(roots, lambda n: graph.get(n, []))
    assert tree.reachable == reachable_without(roots, graph, "")
    for excluded in nodes + ["absent"]:
        assert tree.without(excluded) == reachable_without(roots, graph, excluded), excluded


def _awkward_graph(rng: random.Random) -> tuple[list[str], dict[str, list[str]]]:
    """Random edges plus what package imports make: self-loops, duplicate edges, edges back
    to a root (``from . import x`` loads the package itself), a root given twice."""
    nodes = [f"m{i}" for i in range(rng.randint(1, 30))]
    roots = rng.sample(nodes, rng.randint(1, min(4, len(nodes))))
    if rng.random() < 0.3:
        roots.append(roots[0])
    graph: dict[str, list[str]] = {}
    for node in nodes:
        out = [rng.choice(nodes) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.3:
            out.append(node)
        if rng.random() < 0.4:
            out.append(rng.choice(roots))
        if out and rng.random() < 0.3:
            out.append(out[0])
        graph[node] = out
    return roots, graph


@pytest.mark.parametrize("seed", range(300))
def test_matches_plain_search_on_package_shaped_graphs(seed: int) -> None:
    roots, graph = _awkward_graph(random.Random(seed))
    tree = Dominators(roots, lambda n: graph.get(n, []))
    assert tree.reachable == reachable_without(roots, graph, "")
    for excluded in [*graph, "absent"]:
        assert tree.without(excluded) == reachable_without(roots, graph, excluded), excluded


def test_a_cycle_that_decides_a_dominator() -> None:
    """Without the edge c -> b, b's dominator would be a."""
    graph = {"a": ["b"], "b": ["c"], "c": ["b"], "r": ["c"]}
    tree = Dominators(["a", "r"], lambda n: graph.get(n, []))
    assert tree.without("a") == {"r", "b", "c"}
    assert tree.without("b") == {"a", "r", "c"}
    assert tree.without("c") == {"a", "r", "b"}


def test_a_package_whose_only_cycles_go_back_to_it() -> None:
    graph = {"p": ["p", "p.a", "p.b"], "p.a": ["p", "p.a", "s"], "p.b": ["p", "s"], "s": ["p"]}
    tree = Dominators(["p"], lambda n: graph.get(n, []))
    assert tree.without("p.a") == {"p", "p.b", "s"}
    assert tree.without("s") == {"p", "p.a", "p.b"}
    assert tree.without("p") == frozenset()


class _Edge:
    def __init__(self, targets: list[str]) -> None:
        self.targets = tuple(targets)


class _Module:
    def __init__(self, name: str, targets: list[str]) -> None:
        self.name = name
        self.edges = [_Edge([target]) for target in targets]


class _Project:
    def __init__(self, graph: dict[str, list[str]]) -> None:
        self.modules = {name: _Module(name, targets) for name, targets in graph.items()}

    def module(self, name: str) -> Optional[_Module]:
        return self.modules.get(name)


def _package_tree(rng: random.Random) -> dict[str, list[str]]:
    """Nested packages (``p``, ``p.g1``, ``p.g1.m2``...) whose modules import random others,
    a package often importing its own submodules (as a package of routers does)."""
    names = ["p"]
    for _ in range(rng.randint(1, 18)):
        parent = rng.choice(names)
        names.append(f"{parent}.m{len(names)}")
    graph: dict[str, list[str]] = {}
    for name in names:
        children = [n for n in names if n.rsplit(".", 1)[0] == name and n != name]
        out = [n for n in children if rng.random() < 0.6]
        out += [rng.choice(names) for _ in range(rng.randint(0, 3))]
        graph[name] = out
    return graph


@pytest.mark.parametrize("seed", range(300))
def test_what_the_parents_load_matches_a_plain_search(seed: int) -> None:
    """Preloaded.before skips a parent that the outer ones reach anyway (and uses their tree):
    the answer must still be a search from every parent that avoids the module, plus it."""
    graph = _package_tree(random.Random(seed))
    preloaded = Preloaded(_Project(graph))  # type: ignore[arg-type]
    for name in graph:
        parts = name.split(".")
        parents = [".".join(parts[:i]) for i in range(1, len(parts))]
        expected = reachable_without(parents, graph, name) | {name}
        assert preloaded.before(_Module(name, [])) == expected, name  # type: ignore[arg-type]
