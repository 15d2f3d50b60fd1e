"""How the checked interpreter treats imports not marked lazy (PEP 810), for verify and profile.

Python 3.15 can make every module-level import lazy: ``-X lazy_imports=all`` or
``PYTHON_LAZY_IMPORTS=all`` (``normal``: only the imports marked ``lazy``).  A child
started with either loads less at import than a plain start of the same app, so
verify and profile say so whenever one is set.  The child reports the three
values itself (:data:`CHILD_SOURCE`), since ``--python`` may be another interpreter or a
wrapper that sets them.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from lazyimport_codemod.named_tuples import NamedTuple

# Run in the child after the import (it may import os then): an expression giving the record.
CHILD_SOURCE = (
    '{"mode": (sys.get_lazy_imports() if hasattr(sys, "get_lazy_imports") else None),'
    ' "option": sys._xoptions.get("lazy_imports"),'
    ' "environment": __import__("os").environ.get("PYTHON_LAZY_IMPORTS")}'
)


class LazyImports(NamedTuple):
    """The child's lazy imports mode (None: a Python without them) and what was set."""

    mode: Optional[str]
    option: Optional[str]  # -X lazy_imports=...
    environment: Optional[str]  # PYTHON_LAZY_IMPORTS

    @classmethod
    def read(cls, record: Any) -> Optional[LazyImports]:
        """From the child's record; None when it sent none (an older probe)."""
        if not isinstance(record, Mapping):
            return None
        values = [record.get(key) for key in cls._fields]
        return cls(*(str(value) if value is not None else None for value in values))

    def as_json(self) -> dict[str, Optional[str]]:
        return dict(self._asdict())


def note(lazy: Optional[LazyImports], python: str = "") -> Optional[str]:
    """One line saying what ``-X lazy_imports``/``PYTHON_LAZY_IMPORTS`` did in the child, or
    None when neither was set."""
    if lazy is None or (lazy.option is None and lazy.environment is None):
        return None
    given = [f"-X lazy_imports={lazy.option}"] if lazy.option is not None else []
    given += [f"PYTHON_LAZY_IMPORTS={lazy.environment}"] if lazy.environment is not None else []
    setting = " and ".join(given)
    if lazy.mode is None:
        return f"note: {setting} is set, but Python {python or 'here'} has no lazy imports: every import was eager"
    if lazy.mode == "all":
        return (f"note: lazy imports mode 'all' ({setting}): imports not marked lazy load on first use too, "
                "so this loads less than a start without it")
    return f"note: lazy imports mode '{lazy.mode}' ({setting}): only imports marked lazy load on first use"
