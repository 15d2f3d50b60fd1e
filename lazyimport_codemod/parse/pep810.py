"""Where PEP 810 (Python 3.15) makes an import lazy, and what resolves a lazy import.

Python 3.15 imports lazily a ``lazy import``/``lazy from`` statement, and an import of a
module named in the module-level ``__lazy_modules__`` (the module as the statement names
it, absolute: ``import a.b`` names ``a.b``, ``from a.b import c`` names ``a.b``).  Neither
applies in a class body or in a ``try`` statement's body or ``except`` clause, nor to a
star import; only the ``lazy`` keyword is refused there (a SyntaxError), ``__lazy_modules__``
simply does nothing.  A lazy import binds its names to stand-ins and loads the module when
one of them is first used, read from another module (``from this import name``,
``this.name``) included; ``globals()`` does not load it.

Facts give a statement's context with the enclosing block that restricts deferral most
(:mod:`~lazyimport_codemod.parse.imports`), so a ``try`` inside an ``if``, ``with`` or loop
is not seen: such an import counts as lazy when ``__lazy_modules__`` names it, though
Python imports it eagerly.  Fix writes ``lazy`` only where that cannot happen: directly in
the module body.
"""

from __future__ import annotations


from lazyimport_codemod.records import ImportedName, ImportStatement, NameUsage, Use, UseKind, Where

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Contexts where ``__lazy_modules__`` makes an import lazy, besides the plain module body.
_LISTED_LAZY = frozenset({Where.CONDITIONAL, Where.WITH, Where.LOOP})


def in_module_body(stmt: ImportStatement, data: bytes) -> bool:
    """Whether the statement runs directly in the module body: not inside a compound
    statement, a ``try`` included (where ``lazy`` is a SyntaxError)."""
    if stmt.where is not Where.MODULE or stmt.where_line != stmt.line:
        return False  # where_line is the enclosing try's line for one in its body
    if stmt.column == 0:
        return True
    # ``try: import x`` on one line: the try shares the statement's line.
    lines = data.splitlines()
    before = lines[stmt.line - 1][:stmt.column].lstrip() if stmt.line <= len(lines) else b""
    return not (before.startswith(b"try") and before[3:].lstrip()[:1] == b":")


def lazy_as_written(stmt: ImportStatement, name: ImportedName, lazy_modules: tuple[str, ...],
                    data: bytes) -> bool:
    """Whether Python 3.15 imports this name lazily: a ``lazy`` statement, or a module that
    ``lazy_modules`` (the file's ``__lazy_modules__``, when it counts) names, in a context
    where that list applies."""
    if name.star:
        return False
    if stmt.lazy:
        return True
    if name.module not in lazy_modules:
        return False
    return stmt.where in _LISTED_LAZY or in_module_body(stmt, data)


def resolving_use(usage: Optional[NameUsage]) -> Optional[Use]:
    """The first use that loads a lazily imported name while the module is imported: any
    use at import time but an annotation of a plain function, class or variable, which
    Python 3.14+ (and so every Python with lazy imports) no longer evaluates then (PEP 649)."""
    if usage is None:
        return None
    for use in usage.uses:
        if use.kind is UseKind.IMPORT_TIME and use.reason != "annotation":
            return use
    return None
