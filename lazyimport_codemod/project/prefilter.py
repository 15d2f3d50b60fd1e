"""Decide from the raw bytes which files could possibly have a diagnostic.

A file can only be reported if it imports a heavy package, or a first-party
module from which one is reachable.  Reading every file's import lines from
its bytes (:mod:`~lazyimport_codemod.parse.import_lines`, which also counts
imports inside functions) over-approximates the import graph the real analysis
builds, so the set of modules that may reach a heavy package found this way is
a superset of the true one, and parsing nothing outside it never hides a
diagnostic.  Parsing is most of lint's work, and most files of a clean
project are never parsed.  A file with a NUL byte counts as reaching one, so
that the parser gets to report it.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from lazyimport_codemod.parse.import_lines import ImportLine
from lazyimport_codemod.parse.imports import resolve_relative
from lazyimport_codemod.project.graph import Project
from lazyimport_codemod.project.modules import absolute, ancestors
from lazyimport_codemod.project.reach import importers_closure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Mapping, Optional

_Aliases = tuple[tuple[str, str], ...]


class _Reader:
    """What the import lines of a file load, worked out from the lines alone.

    A project's files repeat the same import lines, so each distinct line is
    worked out once for as long as the import roots stay the same (naming a file
    outside them adds one, and then an import may find something else).
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._epoch = -1
        self._from: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, ...], bool]] = {}
        self._absolute: dict[tuple[Optional[str], _Aliases], tuple[tuple[str, ...], bool]] = {}

    def targets(self, name: Optional[str], is_package: bool, lines: list[ImportLine],
                unsure: bool) -> tuple[set[str], bool]:
        """The first-party modules the import lines of module ``name`` load, and whether one
        of them imports a heavy package (or ``unsure``: the parser must see the file)."""
        if self._epoch != self.project.modules.epoch:
            self._epoch = self.project.modules.epoch
            self._from.clear()
            self._absolute.clear()
        out: set[str] = set()
        heavy = unsure
        for _, level, module, aliases in lines:
            if level == 0:
                key = (module, aliases)
                known = self._absolute.get(key)
                if known is None:
                    known = self._absolute[key] = self._statement(module, aliases)
                heavy = heavy or known[1]
                out.update(known[0])
            else:  # resolved against this file's name; a relative import is never heavy
                absolute = resolve_relative(name, is_package, level, module or None)
                if absolute is not None:
                    out.update(self._from_line(absolute, tuple(n for n, _ in aliases))[0])
        return out, heavy

    def _statement(self, module: Optional[str], aliases: _Aliases) -> tuple[tuple[str, ...], bool]:
        """(first-party modules loaded, heavy?) of one statement without leading dots."""
        if module is None:  # import a, b.c: each name is an import of its own
            loaded: tuple[str, ...] = ()
            heavy = False
            for name, _ in aliases:
                if name:
                    more, heavy_name = self._from_line(name, ())
                    loaded += more
                    heavy = heavy or heavy_name
            return loaded, heavy
        if not module:  # `from import x`: nothing to resolve
            return (), False
        return self._from_line(module, tuple(name for name, _ in aliases))

    def _from_line(self, module: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        """(first-party modules loaded, heavy?) of ``from module import names``."""
        key = (module, names)
        found = self._from.get(key)
        if found is None:
            match = self.project.matcher.match
            attributes = tuple(n for n in names if n != "*")
            heavy = match(module) is not None or any(match(f"{module}.{n}") is not None for n in attributes)
            found = self._from[key] = (self.project.modules.loaded(module, attributes), heavy)
        return found


def select_files(
    project: Project, datas: Mapping[Path, bytes], cache: dict[Path, bytes],
    on_heavy: Optional[Callable[[], None]] = None,
) -> set[Path]:
    """Files among ``datas`` that may have a diagnostic; also sets the project's gate.

    The others are never parsed: a syntax error in a file that mentions no heavy
    package and imports nothing that reaches one is left to the tools that check
    syntax.  First-party modules read here on the way are added to ``cache`` (path
    -> bytes; an unreadable one as empty).  ``on_heavy()`` runs once, as soon as
    one of ``datas`` imports a heavy package itself (so it will be kept).
    """
    reader = _Reader(project)
    direct: dict[str, bool] = {}
    edges: dict[str, set[str]] = {}  # also: the modules read so far
    linted: dict[Path, tuple[Optional[str], bool, set[str]]] = {}
    queue: deque[str] = deque()
    for path, data in datas.items():
        name, is_package = project.modules.name_for_path(path)
        # `0 in data`: a NUL byte.
        outgoing, heavy = reader.targets(name, is_package, project.import_lines(path, data), 0 in data)
        if heavy and on_heavy is not None:
            on_heavy()
            on_heavy = None
        if name is not None:
            # Another file may have the name and win (``pkg/__init__.py`` over ``pkg.py``):
            # then importing the name runs that one, which the walk below reads.
            if project.imported_as(name, path):
                edges[name] = outgoing
                direct[name] = heavy
            queue.extend(ancestors(name))
        linted[path] = (name, heavy, outgoing)
        queue.extend(outgoing)
    while queue:
        module = queue.popleft()
        if module in edges:
            continue
        located = project.modules.locate(module)
        if located is None or located[0].suffix != ".py":
            edges[module] = set()
            continue
        path = absolute(located[0])
        try:
            data = project.read(path)
        except OSError:
            data = b""
        cache[path] = data
        edges[module], direct[module] = reader.targets(module, located[1], project.import_lines(path, data), 0 in data)
        queue.extend(edges[module])
    hot = importers_closure((m for m, heavy in direct.items() if heavy), edges)
    project.gate = hot
    selected: set[Path] = set()
    for path, (name, heavy, outgoing) in linted.items():
        if heavy or outgoing & hot or (name and hot.intersection(ancestors(name))):
            selected.add(path)
    return selected
