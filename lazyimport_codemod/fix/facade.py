"""The code of a package facade: re-exports served on first access (PEP 562).

:mod:`~lazyimport_codemod.rules.facade` decides which re-exports of a package
``__init__`` become entries of its facade; :mod:`~lazyimport_codemod.fix.transform`
removes those imports and places what :func:`facade_block` writes where the first of
them stood: the imports again, under ``if TYPE_CHECKING:`` for type checkers, then

    __getattr__, __dir__ = lazy_exports(__name__, {
        "User": ".models:User",
        "item": ".item",
    })

which :func:`~lazyimport_codemod.runtime.lazy_exports` turns into the package's module
``__getattr__`` and ``__dir__``.  Entries keep the import's own spelling of the module
(relative stays relative), one a line, in the order of the imports.
"""

from __future__ import annotations

from typing import Sequence

# The helper the facade calls, imported from the configured runtime module.
FACADE_HELPER = "lazy_exports"


def facade_block(checks: Sequence[str], served: Sequence[tuple[str, str]], indent: str,
                 check: str, helper: str) -> str:
    """The ``if <check>:`` block holding ``checks`` (import code, possibly several lines
    each) and the facade assignment serving ``served`` ((attribute, source) pairs; the
    first of an attribute wins)."""
    lines = [f"if {check}:"]
    lines.extend(f"{indent}{line}" for code in checks for line in code.split("\n"))
    lines.append("")
    lines.append(f"__getattr__, __dir__ = {helper}(__name__, {{")
    seen: set[str] = set()
    for attribute, source in served:
        if attribute not in seen:
            seen.add(attribute)
            lines.append(f'{indent}"{attribute}": "{source}",')
    lines.append("})")
    return "\n".join(lines) + "\n"
