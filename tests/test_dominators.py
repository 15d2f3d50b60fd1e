"""Reachable-without-one-module via dominators agrees with a plain search, on random graphs."""

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
def test_matches_plain_search(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"m{i}" for i in range(rng.randint(2, 25))]
    graph = {n: rng.sample(nodes, rng.randint(0, min(4, len(nodes)))) for n in nodes}
    roots = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
    tree = Dominators(roots, lambda n: graph.get(n, []))
    assert tree.reachable == reachable_without(roots, graph, "")
    for excluded in nodes + ["absent"]:
        assert tree.without(excluded) == reachable_without(roots, graph, excluded), excluded
