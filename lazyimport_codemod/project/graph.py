"""The project's own import graph: which first-party modules load which.

Heavy packages rarely sit in a router itself; they arrive through the app's
own modules (``router -> app.services.search -> torch``) or through a package
``__init__.py`` that Python runs before any of its submodules.  This module
resolves absolute and relative imports against the project's roots, parses
each first-party file at most once per run, and answers "which heavy packages
does importing this load, and through which chain" with a breadth-first search,
so cycles are harmless and the chain shown is the shortest.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple, Optional, Sequence, Union

from lazyimport_codemod.project.dominators import Dominators
from lazyimport_codemod.parse.facts import FactsCache, FileFacts, extract
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.settings.heavy import HeavyMatcher
from lazyimport_codemod.records import ImportedName, ImportStatement, NameUsage

if TYPE_CHECKING:
    from lazyimport_codemod.project.prefilter import ImportLine


class Edge(NamedTuple):
    """What one imported name loads eagerly: first-party modules and/or a heavy package."""

    statement: ImportStatement
    name: ImportedName
    targets: tuple[str, ...]  # first-party modules executed, parents first
    heavy: Optional[str]  # the heavy package it imports directly, if any


class ModuleFacts:
    """One parsed first-party (or linted) module and what the analysis found in it.

    A plain class, and the analysis's other records NamedTuples: importing
    ``dataclasses`` would cost lint ~10 ms of start-up.
    """

    __slots__ = ("name", "path", "is_package", "data", "file", "edges")

    def __init__(
        self, name: Optional[str], path: Path, is_package: bool, data: bytes, file: FileFacts,
        edges: Optional[list[Edge]] = None,
    ) -> None:
        self.name = name
        self.path = path
        self.is_package = is_package
        self.data = data
        self.file = file
        self.edges: list[Edge] = edges if edges is not None else []

    def __repr__(self) -> str:
        return f"ModuleFacts(name={self.name!r}, path={self.path!r})"

    @property
    def imports(self) -> tuple[ImportStatement, ...]:
        return self.file.imports

    def usage(self) -> dict[str, NameUsage]:
        """Uses of every import-bound name."""
        return self.file.usage


def absolute(path: Union[str, os.PathLike[str]]) -> Path:
    """``Path(os.path.abspath(path))``, reusing ``path`` when it already is one: building a
    Path costs ten times the string work, and every file is handed around many times."""
    text = os.fspath(path)
    normal = os.path.abspath(text)
    return path if isinstance(path, Path) and normal == text else Path(normal)


def ancestors(module: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``: packages Python imports before the module."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


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
    """One breadth-first search from some modules, and what deriving variants of it needs."""

    found: dict[str, tuple[str, ...]]  # heavy package -> chain (the answer)
    chains: dict[str, tuple[str, ...]]  # module -> chain, in the order searched
    finders: dict[str, list[str]]  # heavy package -> modules importing it, in that order
    inner: set[str]  # modules through which the search first reached another module
    carriers: set[str]  # modules on the chain of some package found (before the package)


# Set to False (tests only), :func:`_without` answers only for a module through which
# the search first reached no other one, and every other case searches again.
SHORTCUT_EXCLUDED = True


def _without(search: _Search, excluded: str) -> Optional[dict[str, tuple[str, ...]]]:
    """What ``search`` would have found had it also skipped ``excluded``, or None when that
    takes a new search.

    A breadth-first search gives every node the earliest of its shortest
    chains.  Skipping one more module X changes no chain that avoids X: such a
    chain still exists and none can get shorter.  Among the modules with such
    chains the order of the search stays the same, and a module first reached
    through X (X's "descendants") is either not reached at all or reached later
    than every such module it used to follow.  So a package whose first finder
    is reached without X keeps its chain; one that X found first goes to its
    next finder, if that one is reached without X; only a descendant of X
    finding it before that (it may now come earlier or later) takes a new search.
    When X first reached no other module (it has no descendants) this never
    happens.  Why: every module of a package asks what its parents load
    without it, and for a router package's parents a new search visits about
    140 modules, once for each router that first reached anything.
    """
    if excluded not in search.carriers:
        # No chain passes through it: _rechained would copy every one unchanged, in the
        # same order.  (The answer is never modified, so it may be shared.)
        return search.found
    return _rechained(search, excluded)


def _rechained(search: _Search, excluded: str) -> Optional[dict[str, tuple[str, ...]]]:
    """:func:`_without` chain by chain: each chain through ``excluded`` replaced by the
    next finder's, or None when that finder was itself reached through it."""
    found: dict[str, tuple[str, ...]] = {}
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


class Footprint(NamedTuple):
    """Files read, roots and module names looked up by a run (the results cache needs them)."""

    reads: frozenset[Path]
    roots: tuple[Path, ...]
    looked_up: frozenset[str]

    def since(self, before: Footprint) -> Footprint:
        """What was added after ``before``."""
        return Footprint(self.reads - before.reads, self.roots, self.looked_up - before.looked_up)


class Project:
    """Resolves module names to files under the roots and caches parsed facts."""

    def __init__(
        self,
        roots: Sequence[Path],
        matcher: HeavyMatcher,
        read: Callable[[Path], bytes] = Path.read_bytes,
        cache: Optional[FactsCache] = None,
        heavy: tuple[str, ...] = (),
    ) -> None:
        self.cache = cache
        self.heavy = heavy
        self.roots: list[Path] = []
        for root in roots:
            self.add_root(root)
        self.matcher = matcher
        self._read_log: set[Path] = set()
        self._reader = read
        self._by_name: dict[str, Optional[ModuleFacts]] = {}
        self._by_path: dict[Path, ModuleFacts] = {}
        self._locate_cache: dict[str, Optional[tuple[Path, bool]]] = {}
        self._names: dict[str, tuple[Optional[str], bool]] = {}
        self._located: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self._loads: dict[tuple[str, Optional[str]], tuple[tuple[str, ...], Optional[str]]] = {}
        self._top_names: dict[Path, frozenset[str]] = {}
        self._first_party: Optional[tuple[tuple[Path, ...], frozenset[str]]] = None
        self.errors: dict[Path, str] = {}
        # Modules from which some heavy package is reachable at all; once known,
        # searches skip every other module (on a clean tree: no search at all).
        self._hot: Optional[set[str]] = None
        # Set by the prefilter: first-party modules not in it cannot reach a
        # heavy package, so they are never parsed.
        self.gate: Optional[set[str]] = None
        self._closures: dict[tuple[str, ...], Dominators] = {}
        # Import lines of each file read by bytes (prefilter.scanned): (bytes, lines).
        self.scanned: dict[Path, tuple[bytes, list[ImportLine]]] = {}
        self._reach_memo: dict[tuple[tuple[str, ...], frozenset[str], bool], _Search] = {}
        self._adjacent: dict[str, tuple[list[str], list[str]]] = {}
        self._loaded_by: dict[str, list[str]] = {}
        self._adjacent_kept: dict[str, tuple[list[str], list[str]]] = {}

    # -- locating --------------------------------------------------------
    def add_root(self, root: Path) -> None:
        root = Path(os.path.abspath(root))
        if root not in self.roots:
            self.roots.append(root)
            # Deeper roots first: a file under src/ is named relative to src/.
            self.roots.sort(key=lambda r: len(r.parts), reverse=True)
            if hasattr(self, "_locate_cache"):
                self._locate_cache.clear()
                self._names.clear()
                self._located.clear()
                self._loads.clear()

    def _tops(self, root: Path) -> frozenset[str]:
        tops = self._top_names.get(root)
        if tops is None:
            names: set[str] = set()
            try:
                with os.scandir(root) as entries:
                    for entry in entries:
                        stem = entry.name[:-3] if entry.name.endswith(".py") else entry.name
                        names.add(stem)
            except OSError:
                pass
            tops = self._top_names[root] = frozenset(names)
        return tops

    def first_party(self) -> frozenset[str]:
        """Top-level names under the roots: every first-party module starts with one.

        :func:`extract` traces only the names imported from these or from heavy
        packages, the only imports the planner judges.
        """
        roots = tuple(self.roots)
        if self._first_party is None or self._first_party[0] != roots:
            # Only names a module can have: the set is part of every facts-cache key, so
            # `.lazyimport_cache`, `__pycache__` or a README appearing must not change it.
            names = frozenset(name for root in roots for name in self._tops(root)
                              if name.isidentifier() and name != "__pycache__")
            self._first_party = (roots, names)
        return self._first_party[1]

    def locate(self, module: str) -> Optional[tuple[Path, bool]]:
        """File of a first-party module and whether it is a package (namespace: no file)."""
        if module in self._locate_cache:
            return self._locate_cache[module]
        found: Optional[tuple[Path, bool]] = None
        top = module.split(".", 1)[0]
        parts = [part for part in module.split(".") if part]  # as Path.joinpath would
        for root in self.roots:
            if top not in self._tops(root):
                continue
            # Strings, not Path objects: this runs for every distinct import of the project.
            base = os.path.join(root, *parts)
            init = os.path.join(base, "__init__.py")
            if os.path.isfile(init):
                found = (Path(init), True)
            elif os.path.isfile(base + ".py"):
                found = (Path(base + ".py"), False)
            elif os.path.isdir(base):
                found = (Path(base), True)  # namespace package: nothing runs
            if found:
                break
        self._locate_cache[module] = found
        return found

    def name_for_path(self, path: Path) -> tuple[Optional[str], bool]:
        """Dotted module name of a file, from the deepest root holding it, else from its packages.

        Memoised until the roots change: the prefilter, the parser, the graph and
        the importer index all ask for every file.
        """
        key = os.fspath(path)
        known = self._names.get(key)
        if known is None:
            known = self._names[key] = self._name_for_path(absolute(path))
        return known

    def named(self, path: Path) -> bool:
        """Whether :meth:`name_for_path` knows this path already (so asking cannot add a root)."""
        return os.fspath(path) in self._names

    def _name_for_path(self, path: Path) -> tuple[Optional[str], bool]:
        is_package = path.name == "__init__.py"
        text = str(path)
        folded = os.path.normcase(text)  # as Path compares: case-folded on Windows
        for root in self.roots:
            prefix = os.path.join(os.path.normcase(str(root)), "")
            if not folded.startswith(prefix):
                continue  # not under this root (Path.relative_to, without building Paths)
            parts = text[len(prefix):].split(os.sep)
            parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
            if is_package:
                parts = parts[:-1]
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts), is_package
        folder = path.parent
        parts = [] if is_package else [path.stem]
        while (folder / "__init__.py").is_file():
            parts.insert(0, folder.name)
            folder = folder.parent
        self.add_root(folder)
        name = ".".join(parts)
        return (name if name and all(p.isidentifier() for p in parts) else None), is_package

    # -- facts -----------------------------------------------------------
    def facts_for_path(
        self, path: Path, data: Optional[bytes] = None, file: Optional[FileFacts] = None
    ) -> ModuleFacts:
        """Facts of a file, parsed at most once per run (and not at all on a cache hit).

        Raises SourceError / OSError for the caller to report.
        """
        path = absolute(path)
        cached = self._by_path.get(path)
        if cached is not None:
            return cached
        name, is_package = self.name_for_path(path)
        if data is None:
            data = self._read(path)
        if file is None:
            file = self.summarise(data, path, name, is_package)
        facts = ModuleFacts(name, path, is_package, data, file, self._edges(file))
        self._by_path[path] = facts
        if name is not None:
            self._by_name.setdefault(name, facts)
        return facts

    def summarise(self, data: bytes, path: Path, name: Optional[str], is_package: bool) -> FileFacts:
        """FileFacts from the cache when it has them, else parsed (and cached)."""
        first_party = self.first_party()
        if self.cache is not None:
            hit = self.cache.get(data, name, is_package, first_party)
            if hit is not None:
                return hit
        file = extract(data, str(path), name, is_package, self.heavy, first_party)
        if self.cache is not None:
            self.cache.put(data, name, is_package, file, first_party)
        return file

    def module(self, name: str, force: bool = False) -> Optional[ModuleFacts]:
        """Facts of a first-party module by name, or None (third-party, namespace, unreadable).

        Modules the prefilter ruled out are not parsed unless ``force`` is set.
        """
        if name in self._by_name and (self._by_name[name] is not None or not force):
            return self._by_name[name]
        gated = self.gate is not None and name not in self.gate and not force
        located = None if gated else self.locate(name)
        facts: Optional[ModuleFacts] = None
        if located is not None and located[0].suffix == ".py":
            try:
                facts = self.facts_for_path(located[0])
            except (OSError, SourceError) as exc:
                self.errors[located[0]] = str(exc)
        self._by_name[name] = facts
        return facts

    def _edges(self, file: FileFacts) -> list[Edge]:
        """An edge for every name the file imports at module level, in order.

        One loop rather than a call per name, and each Edge made as the tuple it
        is: a NamedTuple's own constructor is a Python function, and a project's
        files import thousands of names.
        """
        memo = self._loads
        edges: list[Edge] = []
        for stmt in file.imports:
            for name in stmt.names:
                key = (name.module, name.attribute if name.attribute and not name.star else None)
                loads = memo.get(key)
                if loads is None:
                    loads = memo[key] = self._what_loads(*key)
                edges.append(tuple.__new__(Edge, (stmt, name) + loads))
        return edges

    def _what_loads(self, module: str, attribute: Optional[str]) -> tuple[tuple[str, ...], Optional[str]]:
        """(first-party modules, heavy package) that ``from module import attribute``
        (or ``import module``) executes; memoised in ``_edges`` until the roots change."""
        heavy = self.matcher.match(module)
        if heavy is None and attribute:
            heavy = self.matcher.match(f"{module}.{attribute}")
        if heavy is not None or module.startswith("."):
            return (), heavy
        return self.located(module, (attribute,) if attribute else ()), None

    def located(self, module: str, attributes: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The first-party modules ``from module import *attributes`` executes, parents first.

        Memoised until the roots change: the same import lines recur across a
        project's files (every router imports the same services).
        """
        key = (module, attributes)
        found = self._located.get(key)
        if found is None:
            candidates = ancestors(module) + [module] + [f"{module}.{a}" for a in attributes]
            found = self._located[key] = tuple(c for c in candidates if self.locate(c) is not None)
        return found

    # -- reachability ----------------------------------------------------
    def load_closure(self, modules: Iterable[str]) -> None:
        """Parse every first-party module reachable from ``modules`` (each once), then
        mark the modules that can reach a heavy package."""
        seen: set[str] = set()
        queue = deque(modules)
        while queue:
            module = queue.popleft()
            if module in seen:
                continue
            seen.add(module)
            facts = self.module(module)
            if facts is not None:
                # Unfiltered (extended in C): a module seen by now is passed over when its
                # turn comes, as it would have been left out here, so the order is the same.
                for edge in facts.edges:
                    queue.extend(edge.targets)
        self._mark_hot()

    def _read(self, path: Path) -> bytes:
        """A file's bytes, noted in :meth:`read_paths`.  (A method, not a closure stored
        on the project: that would make a reference cycle, and keep every parsed
        file alive until the cyclic collector runs, ~30 ms at a lint's exit.)"""
        self._read_log.add(path)
        return self._reader(path)

    def read_paths(self) -> frozenset[Path]:
        """Every file read through the project so far (the results cache must know them all)."""
        return frozenset(self._read_log)

    def footprint(self) -> Footprint:
        """What the run has looked at so far (see :meth:`absorb`)."""
        return Footprint(frozenset(self._read_log), tuple(self.roots), frozenset(self._locate_cache))

    def absorb(self, seen: Footprint) -> None:
        """Take in what a forked child looked at, so that :meth:`read_paths` and
        :meth:`probed_folders` cover its work as if this process had done it."""
        looked_up = [*self._locate_cache, *seen.looked_up]  # a new root clears the lookups
        for root in seen.roots:
            self.add_root(root)
        self._read_log.update(seen.reads)
        for module in looked_up:
            self.locate(module)

    def probed_folders(self) -> frozenset[Path]:
        """Every folder whose entries decided a module lookup so far: a file or folder
        created in one of them can change what an import resolves to."""
        folders: set[Path] = set(self.roots)
        for module in self._locate_cache:
            parts = module.split(".")
            top = parts[0]
            for root in self.roots:
                if top in self._tops(root):
                    folders.add(root.joinpath(*parts[:-1]))
        return frozenset(folders)

    def _mark_hot(self) -> None:
        edges: dict[str, set[str]] = {}
        seeds: set[str] = set()
        # Every parsed module is in _by_path (_by_name holds the same objects, or None).
        for facts in self._by_path.values():
            if facts.name is None:
                continue
            outgoing = edges.setdefault(facts.name, set())
            for edge in facts.edges:
                if edge.heavy is not None:
                    seeds.add(facts.name)
                outgoing.update(edge.targets)
        self._hot = importers_closure(seeds, edges)
        self._adjacent.clear()  # their targets are filtered with it
        self._adjacent_kept.clear()

    def heavy_reached(
        self,
        start: Iterable[str],
        skip: frozenset[str] = frozenset(),
        keep_edge: Optional[Callable[[ModuleFacts, Edge], bool]] = None,
        excluded: Optional[str] = None,
    ) -> dict[str, tuple[str, ...]]:
        """Heavy packages loaded by executing ``start`` modules, each with its shortest chain.

        ``skip`` holds modules already loaded (their effects are not this import's);
        ``keep_edge`` drops edges that fix will cut, to ask what would remain.  The
        search never enters a module from which no heavy package is reachable at
        all (``_mark_hot``): such a module can neither find a package nor be the
        first to reach a module that does, so skipping it changes no answer, with
        or without ``keep_edge``.  The result must not be modified (it is
        memoised), and its order means nothing.

        ``excluded`` is one more module to skip, for the question every module
        of a package asks: what do my parents load without me?  One search per
        package answers it for all of them (see :func:`_without`), except for a
        module through which the search first reached another one.
        """
        search = self._search(tuple(start), skip, keep_edge)
        if excluded is None or excluded not in search.chains:
            return search.found
        if SHORTCUT_EXCLUDED or excluded not in search.inner:
            found = _without(search, excluded)
            if found is not None:
                return found
        return self._search(tuple(start), skip | {excluded}, keep_edge).found

    def _search(
        self,
        start: tuple[str, ...],
        skip: frozenset[str],
        keep_edge: Optional[Callable[[ModuleFacts, Edge], bool]],
    ) -> _Search:
        """The breadth-first search behind :meth:`heavy_reached`, memoised."""
        hot = self._hot
        key = (start, skip, keep_edge is not None)
        memo = self._reach_memo.get(key)
        if memo is not None:
            return memo
        search = _Search({}, {}, {}, set(), set())
        seen: set[str] = set()  # skipped modules are looked up in `skip` (not copied)
        queue: deque[tuple[str, tuple[str, ...]]] = deque()
        for module in start:
            if hot is not None and module not in hot:
                continue
            if module not in seen and module not in skip:
                seen.add(module)
                queue.append((module, (module,)))
        # The loop runs some 35,000 times on a large project: the adjacency memo is read
        # here rather than through a call, and the search's parts are local names.
        adjacent = self._adjacent_kept if keep_edge is not None else self._adjacent
        found, chains, finders, inner, carriers = search
        while queue:
            module, chain = queue.popleft()
            chains[module] = chain
            pair = adjacent.get(module)
            heavies, targets = pair if pair is not None else self._adjacency(module, keep_edge)
            for heavy in heavies:
                if heavy not in found:
                    found[heavy] = chain + (heavy,)
                    finders[heavy] = [module]
                else:
                    finders[heavy].append(module)
            for target in targets:
                if target not in seen and target not in skip:
                    seen.add(target)
                    inner.add(module)
                    queue.append((target, chain + (target,)))
        for chain in found.values():
            carriers.update(chain[:-1])
        self._reach_memo[key] = search
        return search

    def _adjacency(
        self, module: str, keep_edge: Optional[Callable[[ModuleFacts, Edge], bool]]
    ) -> tuple[list[str], list[str]]:
        """Heavy packages a module imports directly and the first-party modules it loads
        from which a heavy package is reachable at all (``_mark_hot``), in order.

        A heavy import silenced with ``# noqa`` is accepted where it stands, so
        it is not followed into LI002 reports either.
        """
        cache = self._adjacent_kept if keep_edge is not None else self._adjacent
        found = cache.get(module)
        if found is None:
            heavies: list[str] = []
            targets: list[str] = []
            hot = self._hot
            facts = self.module(module)
            for edge in facts.edges if facts is not None else ():
                heavy = edge.heavy
                if heavy is None and not edge.targets:
                    # Most imports (the standard library...): they add nothing, kept or
                    # not, and keep_edge (the planner's) decides nothing for them either.
                    continue
                if heavy is not None and edge.statement.silenced("LI001"):
                    continue
                if keep_edge is not None and facts is not None and not keep_edge(facts, edge):
                    continue
                if heavy is not None:
                    heavies.append(heavy)
                else:
                    for target in edge.targets:
                        if hot is None or target in hot:
                            targets.append(target)
            found = cache[module] = (heavies, targets)
        return found

    def preloaded(self, facts: ModuleFacts) -> frozenset[str]:
        """First-party modules already executed before this one runs: its packages' closure."""
        if facts.name is None:
            return frozenset()
        parents = tuple(ancestors(facts.name))
        tree = self._closures.get(parents)
        if tree is None:
            tree = self._closures[parents] = Dominators(parents, self._first_party_targets)
        # If a parent package imports this very module, what that module itself
        # loads is reported at its own imports, not as the parents' doing.
        return tree.without(facts.name)

    def _first_party_targets(self, module: str) -> list[str]:
        """Every first-party module a module loads, each once (memoised once it is parsed:
        the closures of a package's parents overlap, and most imports of a module load
        the same parent packages again)."""
        found = self._loaded_by.get(module)
        if found is None:
            facts = self.module(module)
            if facts is None:
                return []
            found = self._loaded_by[module] = list(dict.fromkeys(t for edge in facts.edges for t in edge.targets))
        return found
