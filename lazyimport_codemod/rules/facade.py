"""Package facades: the re-exports of a package ``__init__.py`` served on first access.

A package ``__init__`` that re-exports its modules (``from .models import User``,
``from .base import *``, ``from . import sub``, ``import pkg.sub``) runs every one of
them before any module under the package can be imported.  Fix turns such
re-exports into a PEP 562 facade (:mod:`~lazyimport_codemod.fix.facade`): the imports
move under ``if TYPE_CHECKING:`` and the package gets ``__getattr__, __dir__ =
lazy_exports(__name__, {name: source})``, which imports a name's module on its first
access.  Unlike a ``lazy_import()`` proxy, whoever reads the attribute gets the real
object, so a name another module needs at import time (a base class, an
``isinstance`` check) can be served too: that importer loads it when it imports it,
the package and its other modules do not.

:meth:`Facades.decide` makes one name of a first-party import of a package ``__init__``
a facade entry (``Action.FACADE``) when:

* the strategy is ``auto`` or ``proxy``, and the statement sits in the module body;
* the package itself never reads the name (its functions would look it up in the
  globals, where ``__getattr__`` is never asked), nor its namespace as a whole;
* the attribute it gives is bound nowhere else in the package, not by an earlier star
  import either, and is no submodule of the package (importing that submodule would
  replace the attribute);
* for a star import, the names it binds are known from the module's text;
* no module reads it as an attribute of the package while it is imported (``import
  pkg`` then ``pkg.name`` at module level: the graph would not see that load);
* the package defines no ``__getattr__``/``__dir__`` of its own (one written by hand or
  by ``lazy_loader.attach`` is already a facade), and binds ``lazy_exports`` and
  ``TYPE_CHECKING`` only as fix would.
* the runtime module provides ``lazy_exports`` (a project's copy from an older
  ``write-runtime`` may not: :mod:`~lazyimport_codemod.rules.runtime_support`).

Whether deferring the module postpones an effect (a model registering on another
module's base...) is judged as for every first-party import, by
:mod:`~lazyimport_codemod.rules.effects`: then the entry is an unsafe fix.  Once fix has
run, ``from pkg import name`` loads the module the facade serves it from:
:func:`loads_after_fix` says which, for the graph after fix, as the project graph does
for a facade already written (:mod:`~lazyimport_codemod.project.facades`).
"""

from __future__ import annotations

from pathlib import Path

from lazyimport_codemod.parse.exports import FACADE_FUNCTION, PackageInit, absolute_module, star_names
from lazyimport_codemod.parse.source import SourceError, parse_source
from lazyimport_codemod.project.facades import facade_loads
from lazyimport_codemod.records import Action, Decision, ImportedName, ImportStatement, NameUsage, UseKind, Where
from lazyimport_codemod.rules.runtime_support import LAZY_EXPORTS, RuntimeSupport

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional, Union
    from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project
    from lazyimport_codemod.project.importers import ImporterIndex
    from lazyimport_codemod.rules.checker import Checker

DOC = """
**Package facades.** A package `__init__.py` that re-exports its modules runs all of them
before any module under the package can be imported. Fix makes such re-exports lazy
attributes of the package (PEP 562): the imports move under `if TYPE_CHECKING:` for type
checkers, and the package's `__getattr__` imports a name on its first access and keeps it.
Importers get the real object, so a class another module subclasses at import time can be
served too (that module loads it; the package's other modules do not). `from .base import *`
is served name by name when `base` has a readable `__all__` or binds its public names
unconditionally; `pkg.models` still works once `from .models import User` is deferred, and so
do `dir(pkg)`, `__all__` and `from pkg import *`.

```python
# app/models/__init__.py
from .user import User        # app/models/user.py imports pandas
from . import item

__all__ = ["User", "item"]
```

becomes

```python
# app/models/__init__.py
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_exports

if TYPE_CHECKING:
    from .user import User        # app/models/user.py imports pandas
    from . import item

__getattr__, __dir__ = lazy_exports(__name__, {
    "User": ".user:User",
    "item": ".item",
})

__all__ = ["User", "item"]
```

A name the package uses itself, one imported for an effect (a model registering on another
module's base: an unsafe fix), or one some module reads as `pkg.name` at import time stays
eager, and the message says why. A facade written by hand or with `lazy_loader.attach` is
lazy already: it imports nothing when the package is imported.
"""

Entries = tuple[tuple[str, str], ...]
_SILENT = ""  # a reason the deferral decision already gives
# Read once (see ENUM_READS in records.py).
_MODULE, _LEAVE, _IMPORT_TIME = Where.MODULE, Action.LEAVE, UseKind.IMPORT_TIME


class Facades:
    """Decides the facade entries of package ``__init__`` files (see the module docstring)."""

    def __init__(self, project: Project, strategy: str, runtime_module: str,
                 importers: Optional[ImporterIndex], display: Callable[[Path], str],
                 runtime: Optional[RuntimeSupport] = None) -> None:
        self.project = project
        self.runtime = runtime if runtime is not None else RuntimeSupport(project, runtime_module, display)
        self.strategy = strategy
        self.runtime_module = runtime_module
        self.importers = importers
        self.display = display
        self._stars: dict[str, Optional[tuple[str, ...]]] = {}

    def decide(self, facts: ModuleFacts, edge: Edge, decision: Decision) -> Decision:
        """``decision`` (the deferral's), or a facade entry where the package can serve the name."""
        stmt, name = edge.statement, edge.name
        if (self.strategy not in ("auto", "proxy") or not facts.is_package or facts.name is None
                or edge.heavy is not None or not edge.targets or stmt.where is not _MODULE
                or stmt.where_line != stmt.line or stmt.lazy):
            return decision
        init = facts.file.package_init
        served = self._entries(facts, stmt, name, init) if init is not None else _SILENT
        if not isinstance(served, str):
            # The facade calls lazy_exports: a runtime copy without it leaves the deferral's decision.
            missing = self.runtime.missing(LAZY_EXPORTS)
            served = missing or served
        if isinstance(served, str):
            if served and decision.action is _LEAVE:
                return decision._replace(reason=f"{decision.reason}; nor can the package facade serve it: {served}")
            return decision
        return Decision(Action.FACADE, served=served)

    def _entries(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName,
                 init: PackageInit) -> Union[Entries, str]:
        """The attributes the facade serves for this name, or why it cannot ("": for a reason
        the deferral decision gives already)."""
        package = facts.name
        assert package is not None
        if init.facade.own_line:
            return f"the package binds `__getattr__` or `__dir__` itself (line {init.facade.own_line})"
        clash = self._clash(facts, init)
        if clash:
            return clash
        if init.dynamic_line:
            return _SILENT
        if name.star:
            entries = self._star_entries(stmt, name, init)
            if isinstance(entries, str):
                return entries
        else:
            usage = facts.usage().get(name.bound, NameUsage())
            whole_package = name.attribute is None and name.asname is None and "." in name.module
            if (usage.uses or usage.dynamic_line or usage.global_rebound_line
                    or (usage.rebound_line and not whole_package)):
                return _SILENT
            entry = _entry(package, stmt, name, self.project)
            if entry is None:
                return _SILENT
            entries = (entry,)
        for attribute, source in entries:
            blocker = self._attribute_blocker(facts, stmt, init, attribute, source)
            if blocker:
                return blocker
        return entries

    def _star_entries(self, stmt: ImportStatement, name: ImportedName, init: PackageInit) -> Union[Entries, str]:
        names = self._star_names(name.module)
        if names is None:
            return f"the names `from {name.module} import *` binds are not known without running it"
        used = sorted(init.loaded.intersection(names))
        if used:
            return f"the package itself reads `{used[0]}`, which it binds"
        source = "." * stmt.level + (stmt.written_module or "")
        return tuple((attribute, f"{source}:{attribute}") for attribute in names)

    def _star_names(self, module: str) -> Optional[tuple[str, ...]]:
        """What ``from module import *`` binds, for a first-party module whose text tells."""
        if module not in self._stars:
            facts = self.project.module(module, force=True)
            found = None
            if facts is not None:
                try:
                    found = star_names(parse_source(facts.data, str(facts.path)).tree)
                except SourceError:
                    found = None
            self._stars[module] = found
        return self._stars[module]

    def _attribute_blocker(self, facts: ModuleFacts, stmt: ImportStatement, init: PackageInit,
                           attribute: str, source: str) -> str:
        """Why the facade cannot serve this attribute, or ""."""
        package = facts.name
        assert package is not None
        if attribute.startswith("__") and attribute.endswith("__"):
            return f"`{attribute}` is a special name"
        elsewhere = [line for line in init.bound.get(attribute, ()) if not stmt.line <= line <= stmt.end_line]
        if elsewhere:
            return f"`{attribute}` is also bound at line {elsewhere[0]}"
        for other in facts.imports:
            if other.line >= stmt.line:
                break
            for star in other.names:
                if star.star:
                    names = self._star_names(star.module)
                    if names is None or attribute in names:
                        return f"the star import at line {other.line} may bind `{attribute}` first"
        if self.project.modules.locate(f"{package}.{attribute}") is not None and not _gives_submodule(
                package, attribute, source):
            return (f"`{package}.{attribute}` is also a submodule, whose import would replace "
                    "the attribute")
        return self._read_at_import_time(facts, attribute)

    def _read_at_import_time(self, facts: ModuleFacts, attribute: str) -> str:
        """Why a module reading ``pkg.attribute`` while it is imported pins it, or ""."""
        if self.importers is None or facts.name is None:
            return ""
        for path, bound in self.importers.attribute_readers(facts.name, attribute, facts.path):
            where = self.display(path)
            try:
                other = self.project.facts_for_path(path)
            except (OSError, SourceError):
                return f"{where} reads it as an attribute of the package, and that file cannot be analysed"
            usage = other.usage().get(bound, NameUsage())
            for use in usage.uses:
                if use.kind is _IMPORT_TIME:
                    return f"{where}:{use.line} reads it as an attribute of the package at import time"
        return ""

    def _clash(self, facts: ModuleFacts, init: PackageInit) -> str:
        """Why the facade's own names cannot be bound here: the package binds them otherwise."""
        for line in init.bound.get(FACADE_FUNCTION, ()):
            stmt = next((s for s in facts.imports if s.line <= line <= s.end_line), None)
            if stmt is None or not stmt.is_from or stmt.written_module != self.runtime_module:
                return f"a facade needs the name `{FACADE_FUNCTION}`, which the package binds at line {line}"
        for name, line, source in facts.file.reserved:
            if name == "TYPE_CHECKING" and source != "typing":
                return f"a facade needs the name `TYPE_CHECKING`, which the package binds at line {line}"
        return ""


def _entry(package: str, stmt: ImportStatement, name: ImportedName, project: Project) -> Optional[tuple[str, str]]:
    """(attribute, source) of the facade entry for one name of a first-party import, or None
    for a form the facade does not serve."""
    written = "." * stmt.level + (stmt.written_module or "")
    if name.attribute is not None:  # from M import A [as B]
        if name.module != package:
            return name.bound, f"{written}:{name.attribute}"
        if project.modules.locate(f"{package}.{name.attribute}") is None:
            return None  # the package importing its own attribute
        joiner = "" if written.endswith(".") else "."
        return name.bound, f"{written}{joiner}{name.attribute}"
    if name.asname is not None:  # import M as B
        below = name.module.startswith(f"{package}.{name.asname}.")
        return None if below else (name.asname, name.module)
    if "." not in name.module:  # import M
        return None if name.module == package else (name.bound, name.module)
    if not name.module.startswith(package + "."):  # import other.sub: binds another package
        return None
    child = name.module[len(package) + 1:].split(".")[0]  # import package.child.sub
    return child, name.module


def _gives_submodule(package: str, attribute: str, source: str) -> bool:
    """Whether an entry gives the package's submodule of its own name."""
    if ":" in source:
        return False
    module = absolute_module(source, package)
    return module == f"{package}.{attribute}" or module.startswith(f"{package}.{attribute}.")


def loads_after_fix(checker: Checker, facts: ModuleFacts, edge: Edge) -> tuple[str, ...]:
    """First-party modules that the import of ``edge``, which fix keeps, executes once fix
    has made the package it imports from a facade: ``from pkg import name`` reads the
    attribute, and the facade imports its module right then."""
    name = edge.name
    if edge.heavy is not None or not edge.targets or name.attribute is None:
        return ()
    project = checker.project
    package = project.module(name.module)
    if package is None or not package.is_package or package.path not in checker.after_fix.fix_paths:
        return ()
    added = tuple(entry for other in package.edges if checker.after_fix.rewritten(package, other)
                  for entry in checker.decision(package, other).served)
    if not added:
        return ()
    entries = project.facades.table(name.module) + added
    return facade_loads(project, name.module, entries, name.attribute, edge.targets)
