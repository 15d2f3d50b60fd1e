"""What stays reachable without one module, read off the dominator tree, is what a plain search finds."""

from __future__ import annotations

import random
from collections import deque

import pytest

from lazyimport_codemod.project.dominators import Dominators


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
