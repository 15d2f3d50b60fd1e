"""Plain annotations that pin an import, and what quoting them would free.

Without ``from __future__ import annotations``, Python before 3.14 evaluates the
annotations of a ``def``, of a class body and of a module-level variable when
that statement runs: a heavy name in the signature of a helper function is then
used at import time (:mod:`~lazyimport_codemod.parse.usage` records such a use
with the reason ``"annotation"``; annotations FastAPI, pydantic, dataclasses or
a decorator read get another reason and never count here).

Quoted (``x: "pd.DataFrame"``), such an annotation is no longer evaluated there:
only type checkers and code that asks for it at run time (``typing.get_type_hints``,
``inspect.signature``, dependency injectors) read it, and those would get a
string where they got an object.  So quoting is an unsafe fix: lint offers it,
``fix --unsafe-fixes`` applies it.  Python 3.14+ evaluates annotations only
when asked (PEP 649), so on such a target the annotation pins nothing and
nothing needs quoting.

An annotation another module reads while it is imported still pins the import:
one of a function or class another module takes and uses at import time (a
FastAPI dependency, ``Depends(helpers.current_user)``), or reads as an attribute
of this module, which may be the same.
"""

from __future__ import annotations

from pathlib import Path

from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.project.graph import ModuleFacts, Project
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.records import NameUsage, Use, UseKind
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional

# Python 3.14 evaluates annotations only when something asks for them (PEP 649).
PEP649 = (3, 14)

UNSAFE = "code that reads annotations at run time (typing.get_type_hints(), inspect.signature()) would see strings"


class Unpinned(NamedTuple):
    """A name's usage with its plain annotations no longer evaluated at import time."""

    usage: NameUsage
    quoted: tuple[int, ...]  # the lines of the annotations fix quotes (none on a 3.14+ target)


class PlainAnnotations:
    """Decides, for one analysis, which plain annotations pin an import and which fix may quote."""

    def __init__(self, project: Project, importers: Optional[ImporterIndex], display: Callable[[Path], str],
                 target: tuple[int, int]) -> None:
        self.project = project
        self.importers = importers
        self.display = display
        self.evaluated = target < PEP649  # annotations run with their def on every targeted Python
        self._readers: dict[tuple[Path, str], str] = {}

    def unpinned(self, facts: ModuleFacts, usage: NameUsage) -> Optional[Unpinned]:
        """The usage once the plain annotations are quoted (or, on 3.14+, seen as never
        evaluated at import time), or None when some other use at import time remains."""
        uses: list[Use] = []
        quoted: list[int] = []
        for use in usage.uses:
            if use.kind is not UseKind.IMPORT_TIME:
                uses.append(use)
            elif use.reason == "annotation" and not self.read_elsewhere(facts, use):
                uses.append(Use(UseKind.ANNOTATION, use.line, use.column, "annotation"))
                quoted.append(use.line)
            else:
                return None
        if not quoted:
            return None
        lines = tuple(sorted(set(quoted))) if self.evaluated else ()
        return Unpinned(usage._replace(uses=tuple(uses)), lines)

    def pinning(self, facts: ModuleFacts, use: Use) -> Use:
        """The use as a pin's message shows it: a plain annotation another module reads
        says which."""
        if use.kind is UseKind.IMPORT_TIME and use.reason == "annotation":
            reader = self.read_elsewhere(facts, use)
            if reader:
                return use._replace(reason=f"annotation of `{use.function_name}`, which {reader}")
        return use

    def read_elsewhere(self, facts: ModuleFacts, use: Use) -> str:
        """Who may read the annotation while importing another module ("" if no one): a module
        that takes the function or class holding it and uses it at import time, or reads it
        as an attribute of this module."""
        holder = use.function_name
        if not holder or facts.name is None or self.importers is None:
            return ""
        key = (facts.path, holder)
        found = self._readers.get(key)
        if found is None:
            found = self._readers[key] = self._reader(facts, holder)
        return found

    def _reader(self, facts: ModuleFacts, holder: str) -> str:
        assert facts.name is not None and self.importers is not None
        display = self.display
        for taker in self.importers.takers(facts.name, holder):
            if taker.path == facts.path:
                continue
            try:
                other = self.project.facts_for_path(taker.path)
            except (OSError, SourceError):
                return f"{display(taker.path)}:{taker.line} imports, and that file cannot be analysed"
            usage = other.usage().get(taker.bound)
            for use in usage.uses if usage is not None else ():
                if use.kind is UseKind.IMPORT_TIME:
                    return f"{display(taker.path)}:{use.line} uses at import time ({use.reason})"
        user = self.importers.attribute_user(facts.name, holder, facts.path)
        if user is not None:
            return f"{display(user)} reads as an attribute of this module, perhaps at import time"
        return ""
