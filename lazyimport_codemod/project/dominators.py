"""Which modules can be reached from a set of roots *without* passing through one module.

A package ``__init__`` that imports every router puts each router in its own
parents' closure; for that router we need the closure without it, once per
file.  Recomputing a search per file is quadratic on large apps.  Instead we
compute, once per package, the dominator tree of the closure (Cooper, Harvey
and Kennedy's iterative algorithm): a module is reachable without passing
through ``x`` exactly when ``x`` does not dominate it.
"""

from __future__ import annotations


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, Optional
    from lazyimport_codemod.project.graph import ModuleFacts, Project

_ROOT = "\0root"


class Dominators:
    """Dominator tree of the graph reachable from ``roots``."""

    def __init__(self, roots: Iterable[str], successors: Callable[[str], Iterable[str]]) -> None:
        firsts = dict.fromkeys(roots)
        order, preds = _postorder(firsts, successors)
        # Nodes are numbered in postorder (the virtual root last), so the
        # algorithm's comparisons and climbs are on integers, not names.
        number = {node: i for i, node in enumerate(order)}
        root = len(order) - 1
        # Edges that cannot change a dominator are left out: a node's edge to itself,
        # and edges into a root (the virtual root reaches it directly, so a path through
        # such an edge can start at the root instead, past no node the first did not
        # pass).  Most edges closing a cycle are of these kinds (`from . import x` in a
        # package loads the package itself and its parents), which lets the first pass
        # below be the last.
        pred_numbers = [
            [root] if node in firsts else [number[p] for p in preds[node] if p != node] for node in order
        ]
        idom = [-1] * len(order)
        idom[root] = root
        # In reverse postorder every predecessor of a node comes first, except along an
        # edge that closes a cycle.  So when the first pass met no predecessor still
        # without a dominator, its answers are final, and the second pass the algorithm
        # makes to see that nothing changes is skipped.
        cyclic = False
        changed = True
        while changed:
            changed = False
            for node in range(root - 1, -1, -1):  # reverse postorder
                new = -1
                for pred in pred_numbers[node]:
                    if idom[pred] == -1:
                        cyclic = True
                        continue
                    if new == -1:
                        new = pred
                        continue
                    while pred != new:  # climb from both to their nearest common dominator
                        while pred < new:
                            pred = idom[pred]
                        while new < pred:
                            new = idom[new]
                if idom[node] != new:
                    idom[node] = new
                    changed = True
            changed = changed and cyclic
        self.reachable = frozenset(order[:root])
        self._children: dict[str, list[str]] = {}
        for node in range(root):
            self._children.setdefault(order[idom[node]], []).append(order[node])

    def without(self, excluded: str, keep: bool = False) -> frozenset[str]:
        """Nodes still reachable from the roots when ``excluded`` is removed (with ``keep``,
        and ``excluded`` itself)."""
        if excluded not in self.reachable:
            return self.reachable | {excluded} if keep else self.reachable
        dominated = set()
        stack = [excluded]
        while stack:
            node = stack.pop()
            dominated.add(node)
            stack.extend(self._children.get(node, ()))
        if keep:
            dominated.discard(excluded)
        return self.reachable - dominated if dominated else self.reachable


def _postorder(
    roots: Iterable[str], successors: Callable[[str], Iterable[str]]
) -> tuple[list[str], dict[str, list[str]]]:
    """Depth-first postorder of what ``roots`` reach (behind a virtual root, last), and
    every node's predecessors along the edges followed."""
    order: list[str] = []
    preds: dict[str, list[str]] = {_ROOT: []}  # also the nodes seen
    stack: list[tuple[str, Iterator[str]]] = [(_ROOT, iter(dict.fromkeys(roots)))]
    while stack:
        node, pending = stack[-1]
        for nxt in pending:  # resumes where this node's last visit left off
            if nxt in preds:
                preds[nxt].append(node)
            else:
                preds[nxt] = [node]
                stack.append((nxt, iter(dict.fromkeys(successors(nxt)))))
                break
        else:
            order.append(node)
            stack.pop()
    return order, preds


class Preloaded:
    """What a module's parent packages load before it runs, without the module itself
    (:meth:`before` adds the module: what has run once its own code starts).

    Python imports ``a`` and ``a.b`` before ``a.b.c``.  What those load is not
    ``a.b.c``'s doing, except what they load through ``a.b.c`` itself (a package
    ``__init__`` that imports its own modules): that is reported at ``a.b.c``'s
    own imports.  One dominator tree per set of parents answers it for every
    module of a package.
    """

    def __init__(self, project: Project) -> None:
        self._project = project
        self._trees: dict[tuple[str, ...], Dominators] = {}
        self._loads: dict[str, list[str]] = {}

    def before(self, facts: ModuleFacts) -> frozenset[str]:
        """First-party modules that have run when this module's code starts, itself included."""
        if facts.name is None:
            return frozenset()
        parts = facts.name.split(".")
        parents = tuple(".".join(parts[:i]) for i in range(1, len(parts)))
        # Parent by parent, outermost first: a parent that the ones before it reach without
        # the module adds nothing they do not reach (it is a package its own parent imports,
        # as a group of routers is), so their tree keeps answering; such a tree serves the
        # modules of every sibling package.
        found: Optional[frozenset[str]] = None
        for count, parent in enumerate(parents, 1):
            if found is None or parent not in found:
                found = self._tree(parents[:count]).without(facts.name, keep=True)
        return found if found is not None else frozenset({facts.name})

    def _tree(self, parents: tuple[str, ...]) -> Dominators:
        tree = self._trees.get(parents)
        if tree is None:
            tree = self._trees[parents] = Dominators(parents, self._first_party_targets)
        return tree

    def _first_party_targets(self, module: str) -> list[str]:
        """Every first-party module a module loads, each once."""
        found = self._loads.get(module)
        if found is None:
            facts = self._project.module(module)
            if facts is None:
                return []
            found = self._loads[module] = list(dict.fromkeys(t for edge in facts.edges for t in edge.targets))
        return found
