"""The rules lint reports and fix acts on, one module per code.

Each rule module holds its code, title and documentation (the README's rule
section is rendered from them), how it decides and how it words its
messages; :mod:`~lazyimport_codemod.rules.checker` runs them over a file.
"""

from __future__ import annotations


from lazyimport_codemod.rules import li001, li002, li003

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lazyimport_codemod.project.graph import Edge

RULES = (li001, li002, li003)


def code_of(edge: Edge) -> str:
    """The code an import edge is reported (and silenced) under."""
    if edge.lazy:
        return li003.CODE
    return li001.CODE if edge.heavy else li002.CODE


def documentation() -> str:
    """The README's rule section: every rule's title and documentation, in code order."""
    return "\n".join(f"### {rule.CODE}: {rule.TITLE}\n\n{rule.DOC}" for rule in RULES)
