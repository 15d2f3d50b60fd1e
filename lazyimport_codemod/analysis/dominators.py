"""Which modules can be reached from a set of roots *without* passing through one module.

A package ``__init__`` that imports every router puts each router in its own
parents' closure; for that router we need the closure without it, once per
file.  Recomputing a search per file is quadratic on large apps.  Instead we
compute, once per package, the dominator tree of the closure (Cooper, Harvey
and Kennedy's iterative algorithm): a module is reachable without passing
through ``x`` exactly when ``x`` does not dominate it.
"""

from __future__ import annotations

from typing import Callable, Iterable

_ROOT = "\0root"


class Dominators:
    """Dominator tree of the graph reachable from ``roots``."""

    def __init__(self, roots: Iterable[str], successors: Callable[[str], Iterable[str]]) -> None:
        order, preds = _postorder(roots, successors)
        # Nodes are numbered in postorder (the virtual root last), so the
        # algorithm's comparisons and climbs are on integers, not names.
        number = {node: i for i, node in enumerate(order)}
        pred_numbers = [[number[p] for p in preds[node]] for node in order]
        root = len(order) - 1
        idom = [-1] * len(order)
        idom[root] = root
        changed = True
        while changed:
            changed = False
            for node in range(root - 1, -1, -1):  # reverse postorder
                new = -1
                for pred in pred_numbers[node]:
                    if idom[pred] != -1:
                        new = pred if new == -1 else _intersect(pred, new, idom)
                if idom[node] != new:
                    idom[node] = new
                    changed = True
        self.reachable = frozenset(order[:root])
        self._children: dict[str, list[str]] = {}
        for node in range(root):
            self._children.setdefault(order[idom[node]], []).append(order[node])

    def without(self, excluded: str) -> frozenset[str]:
        """Nodes still reachable from the roots when ``excluded`` is removed."""
        if excluded not in self.reachable:
            return self.reachable
        dominated = set()
        stack = [excluded]
        while stack:
            node = stack.pop()
            dominated.add(node)
            stack.extend(self._children.get(node, ()))
        return self.reachable - dominated


def _postorder(
    roots: Iterable[str], successors: Callable[[str], Iterable[str]]
) -> tuple[list[str], dict[str, list[str]]]:
    """Depth-first postorder of what ``roots`` reach (behind a virtual root, last), and
    every node's predecessors along the edges followed."""
    order: list[str] = []
    preds: dict[str, list[str]] = {_ROOT: []}
    seen = {_ROOT}
    stack: list[tuple[str, list[str], int]] = [(_ROOT, list(dict.fromkeys(roots)), 0)]
    while stack:
        node, pending, position = stack[-1]
        if position < len(pending):
            stack[-1] = (node, pending, position + 1)
            nxt = pending[position]
            preds.setdefault(nxt, []).append(node)
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, list(dict.fromkeys(successors(nxt))), 0))
        else:
            order.append(node)
            stack.pop()
    return order, preds


def _intersect(a: int, b: int, idom: list[int]) -> int:
    while a != b:
        while a < b:
            a = idom[a]
        while b < a:
            b = idom[b]
    return a
