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

# Searched with re's own cache, compiled on first use: most runs never read a runtime copy.
_MARKER = rb"^__lazyimport_runtime__\s*=\s*(\([^)]*\))"
# What a copy written before the marker existed shows of each form.
_SHOWN_BY = {
    SUBMODULES: rb"^def lazy_import\([^)]*\bsubmodules\b",
    LAZY_EXPORTS: rb"^def lazy_exports\b",
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
    found = re.search(_MARKER, data, re.MULTILINE)
    if found is not None:
        try:
            listed = ast.literal_eval(found.group(1).decode("utf-8", "replace"))
        except (ValueError, SyntaxError):
            listed = ()
        if isinstance(listed, tuple) and all(isinstance(form, str) for form in listed):
            return frozenset(listed)
    shown = (form for form, pattern in _SHOWN_BY.items() if re.search(pattern, data, re.MULTILINE))
    return frozenset(["lazy_import", *shown])
