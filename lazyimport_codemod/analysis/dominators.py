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
        order: list[str] = []  # postorder
        preds: dict[str, list[str]] = {_ROOT: []}
        seen = {_ROOT}
        stack: list[tuple[str, list[str]]] = [(_ROOT, list(dict.fromkeys(roots)))]
        while stack:
            node, pending = stack[-1]
            if pending:
                nxt = pending.pop(0)
                preds.setdefault(nxt, []).append(node)
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, list(dict.fromkeys(successors(nxt)))))
            else:
                order.append(node)
                stack.pop()
        index = {node: i for i, node in enumerate(order)}
        idom: dict[str, str] = {_ROOT: _ROOT}
        changed = True
        while changed:
            changed = False
            for node in reversed(order):
                if node == _ROOT:
                    continue
                candidates = [p for p in preds.get(node, []) if p in idom]
                new = candidates[0]
                for other in candidates[1:]:
                    new = _intersect(new, other, idom, index)
                if idom.get(node) != new:
                    idom[node] = new
                    changed = True
        self.reachable = frozenset(n for n in order if n != _ROOT)
        self._children: dict[str, list[str]] = {}
        for node, parent in idom.items():
            if node != _ROOT:
                self._children.setdefault(parent, []).append(node)

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


def _intersect(a: str, b: str, idom: dict[str, str], index: dict[str, int]) -> str:
    while a != b:
        while index[a] < index[b]:
            a = idom[a]
        while index[b] < index[a]:
            b = idom[b]
    return a
