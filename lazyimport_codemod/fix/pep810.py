"""The PEP 810 forms fix writes: ``lazy import``/``lazy from`` in place, and ``__lazy_modules__``.

LibCST (1.9+) has nodes of their own for lazy imports, with the fields of the
eager ones plus the whitespace after ``lazy``: an import becomes lazy by
changing its class, keeping every alias, comma, parenthesis and comment.  The
list ``__lazy_modules__`` is written after the module docstring and the
``__future__`` imports, where it precedes every import it names (Python reads it
when each import runs), or a list already there is extended; the analysis only
asks for this when such a list is absent or is a plain list or tuple of strings
assigned before the imports (``FileFacts.lazy_modules_line``).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

# LibCST 1.9 has these; pyproject.toml requires it.
LAZY_TYPES: tuple[type, ...] = (cst.LazyImport, cst.LazyImportFrom)
EagerImport = Union[cst.Import, cst.ImportFrom]


def as_lazy(node: EagerImport) -> cst.BaseSmallStatement:
    """The same statement, marked ``lazy``."""
    if isinstance(node, cst.Import):
        return cst.LazyImport(names=node.names, semicolon=node.semicolon,
                              whitespace_after_import=node.whitespace_after_import)
    return cst.LazyImportFrom(
        module=node.module, names=node.names, relative=node.relative, lpar=node.lpar, rpar=node.rpar,
        semicolon=node.semicolon, whitespace_after_from=node.whitespace_after_from,
        whitespace_before_import=node.whitespace_before_import, whitespace_after_import=node.whitespace_after_import,
    )


def with_lazy_modules(body: Sequence[cst.BaseStatement], modules: Sequence[str]) -> list[cst.BaseStatement]:
    """The module body with ``modules`` in ``__lazy_modules__``: added to the first plain
    list or tuple assigned to it, else in a new list after the docstring and the
    ``__future__`` imports, set off by blank lines."""
    statements = list(body)
    for position, statement in enumerate(statements):
        assignment = _assignment(statement)
        if assignment is not None:
            literal = assignment.value
            assert isinstance(literal, (cst.List, cst.Tuple))
            listed = {_string_value(element.value) for element in literal.elements}
            missing = [module for module in modules if module not in listed]
            if missing:
                assert isinstance(statement, cst.SimpleStatementLine)
                changed = assignment.with_changes(value=_extended(literal, missing))
                statements[position] = statement.with_changes(body=[changed])
            return statements
    position = _after_header(statements)
    items = ", ".join(f'"{module}"' for module in modules)
    new = cst.parse_statement(f"__lazy_modules__ = [{items}]\n")
    if position:
        new = new.with_changes(leading_lines=[cst.EmptyLine()])
    if position < len(statements):
        following = statements[position]
        leading = list(getattr(following, "leading_lines", ()))
        if not leading or leading[0].comment is not None:
            statements[position] = following.with_changes(leading_lines=[cst.EmptyLine(), *leading])
    return [*statements[:position], new, *statements[position:]]


def _assignment(statement: cst.BaseStatement) -> Optional[Union[cst.Assign, cst.AnnAssign]]:
    """A module-level ``__lazy_modules__ = [...]`` (or ``(...)``, annotated or not) line's
    assignment, if the line is one."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target = small.target
    else:
        return None
    if get_full_name_for_node(target) != "__lazy_modules__" or not isinstance(small.value, (cst.List, cst.Tuple)):
        return None
    return small


def _string_value(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _extended(literal: Union[cst.List, cst.Tuple], modules: Sequence[str]) -> Union[cst.List, cst.Tuple]:
    """``literal`` with one string element per module added at its end, in its layout: a list
    written one item a line gets one more line each, its trailing comma (or none) kept."""
    elements = list(literal.elements)
    quote = "'" if elements and isinstance(elements[0].value, cst.SimpleString) and (
        elements[0].value.quote == "'") else '"'
    added = [cst.Element(cst.SimpleString(f"{quote}{module}{quote}")) for module in modules]
    if not elements:
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        joined = [element.with_changes(comma=comma) for element in added[:-1]] + added[-1:]
        if isinstance(literal, cst.Tuple) and len(joined) == 1:
            joined = [joined[0].with_changes(comma=cst.Comma())]  # ("a",), not ("a")
        return literal.with_changes(elements=joined)
    separator = _separator(literal, elements)
    trailing = elements[-1].comma  # a trailing comma and what follows it, or nothing
    middle = [element.with_changes(comma=separator) for element in [elements[-1], *added[:-1]]]
    return literal.with_changes(elements=[*elements[:-1], *middle, added[-1].with_changes(comma=trailing)])


def _separator(literal: Union[cst.List, cst.Tuple], elements: Sequence[cst.BaseElement]) -> cst.Comma:
    """The comma that goes between two items: as between the last two (without their comment),
    else after the opening bracket when the items stand one a line, else ``", "``."""
    if len(elements) > 1 and isinstance(elements[-2].comma, cst.Comma):
        whitespace = elements[-2].comma.whitespace_after
    else:
        opening = literal.lbracket if isinstance(literal, cst.List) else (literal.lpar[0] if literal.lpar else None)
        whitespace = getattr(opening, "whitespace_after", cst.SimpleWhitespace(" "))
        if not isinstance(whitespace, cst.ParenthesizedWhitespace):
            whitespace = cst.SimpleWhitespace(" ")
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        whitespace = whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return cst.Comma(whitespace_after=whitespace)


def _after_header(statements: Sequence[cst.BaseStatement]) -> int:
    """Where the new list goes: after a docstring and the ``from __future__`` imports."""
    position = 0
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0] if statement.body else None
        if position == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString,
                                                                                     cst.ConcatenatedString)):
            position += 1
            continue
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None and (
                get_full_name_for_node(small.module) == "__future__"):
            position += 1
            continue
        break
    return position
