"""What importing a name from a package facade loads.

A package that ``lazyimport fix`` made a facade (see
:mod:`~lazyimport_codemod.parse.exports`) loads nothing when it is imported, but
``from package import name`` reads the attribute, and its ``__getattr__``
imports the module the name comes from right then.  So that import statement
executes that module too, and the graph says so.  The table is read from the
package's ``__init__.py`` without building its facts (the graph asks while it
builds another module's), once per package.
"""

from __future__ import annotations


from lazyimport_codemod.parse.exports import FACADE_FUNCTION, read_facade, served_modules
from lazyimport_codemod.parse.source import SourceError, parse_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable
    from lazyimport_codemod.project.graph import Project

Entries = tuple[tuple[str, str], ...]


class FacadeTables:
    """The facade table of each first-party package, read on first use."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._tables: dict[str, Entries] = {}
        self._epoch = -1  # a new import root may make a name another file

    def loads(self, package: str, attribute: str, loaded: Iterable[str] = ()) -> tuple[str, ...]:
        """First-party modules beyond ``loaded`` that ``from package import attribute``
        executes through the package's facade (``*``: a star import)."""
        return facade_loads(self._project, package, self.table(package), attribute, loaded)

    def table(self, package: str) -> Entries:
        """The entries of the package's facade table; empty when it has none."""
        if self._epoch != self._project.modules.epoch:
            self._epoch = self._project.modules.epoch
            self._tables.clear()
        known = self._tables.get(package)
        if known is None:
            known = self._tables[package] = self._read(package)
        return known

    def _read(self, package: str) -> Entries:
        located = self._project.modules.locate(package)
        if located is None or not located[1] or located[0].suffix != ".py":
            return ()
        try:
            data = self._project.read(located[0])
        except OSError:
            return ()
        if FACADE_FUNCTION.encode() not in data:
            return ()
        try:
            return read_facade(parse_source(data, str(located[0])).tree).entries
        except SourceError:
            return ()


def facade_loads(project: Project, package: str, entries: Entries, attribute: str,
                 loaded: Iterable[str] = ()) -> tuple[str, ...]:
    """First-party modules beyond ``loaded`` that reading ``attribute`` of a facade with
    these ``entries`` executes, parents first."""
    if not entries:
        return ()
    skip = set(loaded)
    found: list[str] = []
    for module in served_modules(package, entries, attribute):
        found.extend(target for target in project.modules.loaded(module) if target not in skip)
    return tuple(dict.fromkeys(found))
