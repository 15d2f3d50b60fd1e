"""The project's own import graph: which first-party modules load which.

Heavy packages rarely sit in a router itself; they arrive through the app's
own modules (``router -> app.services.search -> torch``) or through a package
``__init__.py`` that Python runs before any of its submodules.  A
:class:`Project` turns each first-party file it is asked about into
:class:`ModuleFacts` (parsed at most once per run) whose :class:`Edge` list
says, for every name the module imports at import time, which first-party
modules and which heavy package that import executes.  A lazy import (PEP 810,
see :mod:`~lazyimport_codemod.parse.pep810`) executes nothing unless the module
itself resolves it while it is imported.  The searches over these edges live in
:mod:`~lazyimport_codemod.project.reach`.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from lazyimport_codemod.parse.facts import FileFacts, extract
from lazyimport_codemod.parse.import_lines import ImportLine, import_lines
from lazyimport_codemod.parse.pep810 import lazy_as_written, resolving_use
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.project.dominators import Preloaded
from lazyimport_codemod.project.facades import FacadeTables
from lazyimport_codemod.project.modules import ModuleMap, absolute
from lazyimport_codemod.project.reach import HeavySearch
from lazyimport_codemod.records import ImportedName, ImportStatement, NameUsage, Use
from lazyimport_codemod.settings.heavy import HeavyMatcher
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, Optional, Sequence

if TYPE_CHECKING:
    # (bytes, file name, module name, is a package, first-party top-level names) -> FileFacts
    Summarise = Callable[[bytes, str, Optional[str], bool, frozenset[str]], FileFacts]


class Edge(NamedTuple):
    """What one imported name loads eagerly: first-party modules and/or a heavy package.

    A lazy import loads nothing (no targets, no heavy package) unless ``resolved`` names
    the use that loads it while the module is imported anyway (rule LI003).
    """

    statement: ImportStatement
    name: ImportedName
    targets: tuple[str, ...]  # first-party modules executed, parents first
    heavy: Optional[str]  # the heavy package it imports directly, if any
    lazy: bool = False  # imported lazily as written (``lazy import``, ``__lazy_modules__``)
    resolved: Optional[Use] = None  # lazy, but this use loads it at import time


class ModuleFacts:
    """One parsed first-party (or linted) module and what the analysis found in it."""

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


class Footprint(NamedTuple):
    """Files read, roots and module names looked up by a run (the results cache needs them)."""

    reads: frozenset[Path]
    roots: tuple[Path, ...]
    looked_up: frozenset[str]

    def since(self, before: Footprint) -> Footprint:
        """What was added after ``before``."""
        return Footprint(self.reads - before.reads, self.roots, self.looked_up - before.looked_up)


class Project:
    """The first-party modules of one run: located, read, parsed and linked by their edges.

    ``read`` supplies a file's bytes (fix passes its rewritten text this way);
    ``summarise`` turns bytes into :class:`FileFacts` (:func:`extract`, or a
    cached version of it); ``explicit_roots`` name their files from themselves
    (see :mod:`~lazyimport_codemod.project.modules`).  ``gate``, once set, holds the only modules worth
    parsing: any other cannot reach a heavy package (see
    :mod:`~lazyimport_codemod.project.prefilter`).  ``lazy_modules``: the modules a file names
    in ``__lazy_modules__`` are imported lazily (see :attr:`Config.lazy_modules_count`).
    """

    def __init__(
        self,
        roots: Sequence[Path],
        matcher: HeavyMatcher,
        read: Callable[[Path], bytes] = Path.read_bytes,
        summarise: Optional[Summarise] = None,
        heavy: tuple[str, ...] = (),
        explicit_roots: Sequence[Path] = (),
        lazy_modules: bool = False,
    ) -> None:
        self.modules = ModuleMap(roots, explicit_roots)
        self.matcher = matcher
        self.heavy = heavy
        self.summarise: Summarise = summarise or (
            lambda data, filename, name, is_package, first_party:
            extract(data, filename, name, is_package, heavy, first_party))
        self.lazy_modules = lazy_modules
        self.reach = HeavySearch(self)
        self.facades = FacadeTables(self)
        self.gate: Optional[set[str]] = None
        self.errors: dict[Path, str] = {}  # first-party files that could not be read or parsed
        self._reader = read
        self._read_log: set[Path] = set()
        self._by_name: dict[str, Optional[ModuleFacts]] = {}
        self._by_path: dict[Path, ModuleFacts] = {}
        self._loads: tuple[int, dict[tuple[str, Optional[str]], tuple[tuple[str, ...], Optional[str]]]] = (0, {})
        self._lines: dict[Path, tuple[bytes, list[ImportLine]]] = {}
        self._preloaded = Preloaded(self)

    # -- files -----------------------------------------------------------
    def read(self, path: Path) -> bytes:
        """A file's bytes, noted in :meth:`read_paths`."""
        self._read_log.add(path)
        return self._reader(path)

    def read_paths(self) -> frozenset[Path]:
        """Every file read through the project so far (the results cache must know them all)."""
        return frozenset(self._read_log)

    def import_lines(self, path: Path, data: bytes) -> list[ImportLine]:
        """:func:`import_lines` of a file, once per run: the prefilter reads them for every
        linted file, the importer index for every file of the project."""
        known = self._lines.get(path)
        if known is not None and known[0] is data:
            return known[1]
        found = import_lines(data)
        self._lines[path] = (data, found)
        return found

    # -- facts -----------------------------------------------------------
    def facts_for_path(
        self, path: Path, data: Optional[bytes] = None, file: Optional[FileFacts] = None
    ) -> ModuleFacts:
        """Facts of a file, parsed at most once per run (``file``: already summarised).

        Raises SourceError / OSError for the caller to report.
        """
        path = absolute(path)
        known = self._by_path.get(path)
        if known is not None:
            return known
        name, is_package = self.modules.name_for_path(path)
        if data is None:
            data = self.read(path)
        if file is None:
            file = self.summarise(data, str(path), name, is_package, self.modules.first_party())
        facts = ModuleFacts(name, path, is_package, data, file, self._edges(file, data))
        self._by_path[path] = facts
        if name is not None and name not in self._by_name and self.imported_as(name, path):
            self._by_name[name] = facts
        return facts

    def imported_as(self, name: str, path: Path) -> bool:
        """Whether importing ``name`` runs this file: not when another file has the name too
        and wins (``pkg/__init__.py`` over ``pkg.py``, as Python's finder does), whichever of
        them was parsed first."""
        located = self.modules.locate(name)
        return (located is None or located[0] is path  # the same object (see ModuleMap.know)
                or os.path.normcase(os.fspath(located[0])) == os.path.normcase(os.fspath(path)))

    def module(self, name: str, force: bool = False) -> Optional[ModuleFacts]:
        """Facts of a first-party module by name, or None (third-party, namespace, unreadable).

        Modules outside the ``gate`` are not parsed unless ``force`` is set.
        """
        if name in self._by_name and (self._by_name[name] is not None or not force):
            return self._by_name[name]
        gated = self.gate is not None and name not in self.gate and not force
        located = None if gated else self.modules.locate(name)
        facts: Optional[ModuleFacts] = None
        if located is not None and located[0].suffix == ".py":
            try:
                facts = self.facts_for_path(located[0])
            except (OSError, SourceError) as exc:
                self.errors[located[0]] = str(exc)
        self._by_name[name] = facts
        return facts

    def parsed(self) -> Iterator[ModuleFacts]:
        """Every module parsed so far."""
        return iter(list(self._by_path.values()))

    def _edges(self, file: FileFacts, data: bytes) -> list[Edge]:
        """An edge for every name the file imports at import time, in order."""
        epoch, memo = self._loads
        if epoch != self.modules.epoch:
            memo = {}
            self._loads = (self.modules.epoch, memo)
        listed = file.lazy_modules if self.lazy_modules else ()
        edges: list[Edge] = []
        for stmt in file.imports:
            for name in stmt.names:
                key = (name.module, "*" if name.star else name.attribute)
                loads = memo.get(key)
                if loads is None:
                    loads = memo[key] = self._what_loads(*key)
                if (stmt.lazy or listed) and lazy_as_written(stmt, name, listed, data):
                    resolved = resolving_use(file.usage.get(name.bound))
                    edges.append(Edge(stmt, name, *(loads if resolved else ((), None)), True, resolved))
                else:
                    edges.append(Edge(stmt, name, *loads))
        return edges

    def _what_loads(self, module: str, attribute: Optional[str]) -> tuple[tuple[str, ...], Optional[str]]:
        """(first-party modules, heavy package) that ``from module import attribute``
        (``*`` for a star import; None: ``import module``) executes, a package facade's
        ``__getattr__`` included (:mod:`~lazyimport_codemod.project.facades`)."""
        taken = attribute if attribute != "*" else None
        heavy = self.matcher.match(module)
        if heavy is None and taken:
            heavy = self.matcher.match(f"{module}.{taken}")
        if heavy is not None or module.startswith("."):
            return (), heavy
        loaded = self.modules.loaded(module, (taken,) if taken else ())
        if attribute:
            loaded += self.facades.loads(module, attribute, loaded)
        return loaded, None

    # -- the closure -------------------------------------------------------
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
                for edge in facts.edges:
                    queue.extend(edge.targets)
        self.reach.mark_hot()

    def preloaded(self, facts: ModuleFacts) -> frozenset[str]:
        """First-party modules already executed when this one's code starts, itself included
        (see :class:`Preloaded`)."""
        return self._preloaded.before(facts)

    # -- what the run looked at ---------------------------------------------
    def footprint(self) -> Footprint:
        """What the run has looked at so far (see :meth:`absorb`)."""
        return Footprint(frozenset(self._read_log), tuple(self.modules.roots), self.modules.looked_up())

    def absorb(self, seen: Footprint) -> None:
        """Take in what another process looked at, so that :meth:`read_paths` and
        :meth:`probed_folders` cover its work as if this process had done it."""
        looked_up = [*self.modules.looked_up(), *seen.looked_up]  # a new root forgets the lookups
        for root in seen.roots:
            self.modules.add_root(root)
        self._read_log.update(seen.reads)
        for module in looked_up:
            self.modules.locate(module)

    def probed_folders(self) -> frozenset[Path]:
        """Every folder whose entries decided a module lookup so far."""
        return frozenset(self.modules.folders_probed())
