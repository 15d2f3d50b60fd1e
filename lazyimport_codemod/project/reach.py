"""Which heavy packages importing some first-party modules loads, and through which chain.

A breadth-first search over the project's import edges: cycles are harmless and
each package found comes with the shortest chain of modules that loads it (the
earliest such chain in the order imports are written), which is what LI002
shows.  Two questions are asked over and over, so both are answered from one
search where possible:

* "what would still load once fix has run?" searches the same graph with the
  edges fix cuts left out (``keep_edge``);
* "what do my parent packages load without me?" is asked by every module of a
  package: one search from the parents answers it for all of them
  (:func:`_without`), except for a module the search went through to reach
  another one that finds a package first.

Before any search, every module from which no heavy package can be reached at
all is marked (:meth:`HeavySearch.mark_hot`), and searches never enter one:
such a module can neither find a package nor be the first to reach a module
that does, so leaving it out changes no answer.
"""

from __future__ import annotations

from collections import deque

from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Optional
    from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project

if TYPE_CHECKING:
    KeepEdge = Callable[["ModuleFacts", "Edge"], bool]
    # With a KeepEdge: the modules a kept edge executes beyond its targets once fix has run.
    AlsoLoads = Callable[["ModuleFacts", "Edge"], tuple[str, ...]]
Chains = dict[str, tuple[str, ...]]  # heavy package -> chain of modules, the package last


def importers_closure(seeds: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    """``seeds`` plus every module that reaches one of them through ``edges``."""
    reverse: dict[str, set[str]] = {}
    for module, outgoing in edges.items():
        for target in outgoing:
            reverse.setdefault(target, set()).add(module)
    found = set(seeds)
    queue = deque(found)
    while queue:
        module = queue.popleft()
        for importer in reverse.get(module, ()):
            if importer not in found:
                found.add(importer)
                queue.append(importer)
    return found


class _Search(NamedTuple):
    """One breadth-first search, and what deriving "the same without module X" needs."""

    found: Chains  # the answer
    chains: dict[str, tuple[str, ...]]  # module -> its chain, in the order searched
    finders: dict[str, list[str]]  # heavy package -> modules importing it, in that order
    carriers: set[str]  # modules on the chain of some package found (before the package)


def _without(search: _Search, excluded: str) -> Optional[Chains]:
    """What ``search`` would have found had it also skipped ``excluded``, or None when only
    a new search can tell.

    A breadth-first search gives every module the earliest of its shortest
    chains.  Skipping one more module X changes no chain that avoids X: such a
    chain still exists and none can get shorter, and among the modules with such
    chains the order of the search stays the same.  So a package whose chain
    avoids X keeps it; one found through X goes to its next finder, provided
    that finder's chain avoids X too.  When it does not, X's absence may reorder
    what comes after, and only a new search can tell.
    """
    if excluded not in search.carriers:
        return search.found  # never modified, so it may be shared
    return _rechained(search, excluded)


def _rechained(search: _Search, excluded: str) -> Optional[Chains]:
    """:func:`_without` chain by chain: each chain through ``excluded`` replaced by the
    next finder's, or None when that finder was itself reached through it."""
    found: Chains = {}
    for heavy, chain in search.found.items():
        if excluded not in chain[:-1]:
            found[heavy] = chain
            continue
        for finder in search.finders[heavy]:
            if finder == excluded:
                continue
            finder_chain = search.chains[finder]
            if excluded in finder_chain:
                return None
            found[heavy] = finder_chain + (heavy,)
            break
    return found


class HeavySearch:
    """The searches over one project's graph, each made once."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._hot: Optional[set[str]] = None  # modules that reach some heavy package at all
        self._searches: dict[tuple[tuple[str, ...], frozenset[str], bool], _Search] = {}
        self._adjacent: dict[str, tuple[list[str], list[str]]] = {}  # every edge
        self._adjacent_kept: dict[str, tuple[list[str], list[str]]] = {}  # the edges fix keeps

    def mark_hot(self) -> None:
        """Find the modules that can reach a heavy package at all, among those parsed so far."""
        edges: dict[str, set[str]] = {}
        seeds: set[str] = set()
        for facts in self._project.parsed():
            if facts.name is None:
                continue
            outgoing = edges.setdefault(facts.name, set())
            for edge in facts.edges:
                if edge.heavy is not None:
                    seeds.add(facts.name)
                outgoing.update(edge.targets)
        self._hot = importers_closure(seeds, edges)
        self._adjacent.clear()
        self._adjacent_kept.clear()

    def forget_kept(self) -> None:
        """Forget every search made with ``keep_edge`` (its answers may change)."""
        self._searches = {key: search for key, search in self._searches.items() if not key[2]}
        self._adjacent_kept.clear()

    def heavy_reached(
        self,
        start: Iterable[str],
        skip: frozenset[str] = frozenset(),
        keep_edge: Optional[KeepEdge] = None,
        excluded: Optional[str] = None,
        also: Optional[AlsoLoads] = None,
    ) -> Chains:
        """Heavy packages loaded by executing the ``start`` modules, each with its shortest chain.

        ``skip`` holds modules already loaded (their effects are not this import's);
        ``keep_edge`` leaves out the edges fix will cut, to ask what would remain;
        ``excluded`` is one more module to skip (see the module docstring); ``also``,
        given with ``keep_edge``, what a kept edge executes beyond its targets (a package
        facade fix writes).  The result must not be modified, and its order means nothing.
        """
        search = self._search(tuple(start), skip, keep_edge, also)
        if excluded is None or excluded not in search.chains:
            return search.found
        found = _without(search, excluded)
        if found is not None:
            return found
        return self._search(tuple(start), skip | {excluded}, keep_edge, also).found

    def reaches_heavy(self, start: Iterable[str], skip: frozenset[str] = frozenset()) -> bool:
        """Whether :meth:`heavy_reached` finds anything from ``start`` (with ``skip``).  A start
        module the search would enter that imports a heavy package itself answers it
        without a search: the chains are left to whoever asks for them."""
        start = tuple(start)
        known = self._searches.get((start, skip, False))
        if known is not None:
            return bool(known.found)
        hot = self._hot
        for module in start:
            if module not in skip and (hot is None or module in hot) and self._adjacency(module, None)[0]:
                return True
        return bool(self._search(start, skip, None).found)

    def _search(self, start: tuple[str, ...], skip: frozenset[str], keep_edge: Optional[KeepEdge],
                also: Optional[AlsoLoads] = None) -> _Search:
        key = (start, skip, keep_edge is not None)
        known = self._searches.get(key)
        if known is not None:
            return known
        hot = self._hot
        search = _Search({}, {}, {}, set())
        found, chains, finders, carriers = search
        seen: set[str] = set()
        queue: deque[tuple[str, tuple[str, ...]]] = deque()
        for module in start:
            if (hot is None or module in hot) and module not in seen and module not in skip:
                seen.add(module)
                queue.append((module, (module,)))
        while queue:
            module, chain = queue.popleft()
            chains[module] = chain
            heavies, targets = self._adjacency(module, keep_edge, also)
            for heavy in heavies:
                if heavy not in found:
                    found[heavy] = chain + (heavy,)
                    finders[heavy] = [module]
                else:
                    finders[heavy].append(module)
            for target in targets:
                if target not in seen and target not in skip:
                    seen.add(target)
                    queue.append((target, chain + (target,)))
        for chain in found.values():
            carriers.update(chain[:-1])
        self._searches[key] = search
        return search

    def _adjacency(self, module: str, keep_edge: Optional[KeepEdge],
                   also: Optional[AlsoLoads] = None) -> tuple[list[str], list[str]]:
        """Heavy packages a module imports directly, and the first-party modules it loads
        from which a heavy package is reachable at all, in order.

        A heavy import silenced with ``# noqa`` (LI001, or LI003 for a lazy one resolved
        anyway) is accepted where it stands, so it is not followed into LI002 reports either.
        """
        memo = self._adjacent_kept if keep_edge is not None else self._adjacent
        known = memo.get(module)
        if known is not None:
            return known
        heavies: list[str] = []
        targets: list[str] = []
        hot = self._hot
        facts = self._project.module(module)
        for edge in facts.edges if facts is not None else ():
            if edge.heavy is None and not edge.targets:
                continue  # loads nothing followed (the standard library, frameworks...)
            if edge.heavy is not None and edge.statement.silenced("LI003" if edge.lazy else "LI001"):
                continue
            if keep_edge is not None and facts is not None and not keep_edge(facts, edge):
                continue
            if edge.heavy is not None:
                heavies.append(edge.heavy)
            else:
                loads = edge.targets + also(facts, edge) if also is not None and facts is not None else edge.targets
                targets.extend(target for target in loads if hot is None or target in hot)
        memo[module] = (heavies, targets)
        return heavies, targets
