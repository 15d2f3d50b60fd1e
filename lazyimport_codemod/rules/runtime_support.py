"""Whether the runtime module fixed code imports from provides each form fix writes.

Fixed code calls ``lazy_import`` (and its ``submodules`` keyword, for ``import a.b`` and
``import a.c`` deferred as one) and ``lazy_exports`` (package facades) from the
``runtime-module``.  When that module is a file of the project, a copy ``lazyimport
write-runtime`` wrote, it may predate a form: code using it would fail at import
(``TypeError``, ``ImportError``).  The copy names what it provides in a
``__lazyimport_runtime__ = (...)`` line (see :mod:`lazyimport_codemod.runtime`), read here as
text; a copy older than that line provides ``lazy_import`` alone, plus what its definitions
show.  A runtime module that is not a file of the project (the installed package) is taken
to provide every form.

The file is read once per run, and only when a decision would use a form beyond plain
``lazy_import``.
"""

from __future__ import annotations

import ast
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Callable, Optional
    from lazyimport_codemod.project.graph import Project

SUBMODULES = "submodules"
LAZY_EXPORTS = "lazy_exports"

_MARKER = re.compile(rb"^__lazyimport_runtime__\s*=\s*(\([^)]*\))", re.MULTILINE)
# What a copy written before the marker existed shows of each form.
_SHOWN_BY = {
    SUBMODULES: re.compile(rb"^def lazy_import\([^)]*\bsubmodules\b", re.MULTILINE),
    LAZY_EXPORTS: re.compile(rb"^def lazy_exports\b", re.MULTILINE),
}


class RuntimeSupport:
    """The forms the configured runtime module provides, for one run."""

    def __init__(self, project: Project, runtime_module: str, display: Callable[[Path], str]) -> None:
        self.project = project
        self.runtime_module = runtime_module
        self.display = display
        self._read: Optional[tuple[str, Optional[frozenset[str]]]] = None  # (shown path, forms)

    def missing(self, form: str) -> str:
        """Why fixed code cannot use ``form`` with this runtime module, or ""."""
        shown, forms = self._forms()
        if forms is None or form in forms:
            return ""
        return (f"the project's runtime copy {shown} predates {form}: run "
                f"`lazyimport write-runtime --module {self.runtime_module}` again")

    def _forms(self) -> tuple[str, Optional[frozenset[str]]]:
        if self._read is None:
            facts = self.project.module(self.runtime_module, force=True)
            if facts is None:
                self._read = ("", None)  # not a file of the project: the installed helper
            else:
                self._read = (self.display(facts.path), provided(facts.data))
        return self._read


def provided(data: bytes) -> frozenset[str]:
    """The forms a runtime module's text provides (see the module docstring)."""
    found = _MARKER.search(data)
    if found is not None:
        try:
            listed = ast.literal_eval(found.group(1).decode("utf-8", "replace"))
        except (ValueError, SyntaxError):
            listed = ()
        if isinstance(listed, tuple) and all(isinstance(form, str) for form in listed):
            return frozenset(listed)
    return frozenset(["lazy_import", *(form for form, shown in _SHOWN_BY.items() if shown.search(data))])
