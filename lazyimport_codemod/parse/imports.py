"""Find every import statement that runs while a module is being imported.

That is the module body and whatever module-level ``if``/``try``/``with``/
``for``/``while``/``match`` and class bodies contain, but not function bodies
and not the body of ``if TYPE_CHECKING:`` (whose ``else`` does run).
``__future__`` imports are compiler directives and never count.
"""

from __future__ import annotations

import ast

from lazyimport_codemod.parse import syntax_nodes
from lazyimport_codemod.parse.optional import catches_import_error, judge
from lazyimport_codemod.records import IN_BRANCH, ImportedName, ImportStatement, Where

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

# The contexts, read once (see ENUM_READS in records.py).
_MODULE, _CONDITIONAL, _WITH, _LOOP, _HANDLER, _OPTIONAL, _CLASS = (
    Where.MODULE, Where.CONDITIONAL, Where.WITH, Where.LOOP, Where.HANDLER, Where.OPTIONAL, Where.CLASS)
# When contexts nest, the one that restricts deferral most is reported: the later one here.
_PRIORITY = (_MODULE, _CONDITIONAL, _WITH, _LOOP, _HANDLER, _OPTIONAL, _CLASS)


def is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``<anything>.TYPE_CHECKING``: true only for type checkers."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def has_future_annotations(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            if any(alias.name == "annotations" for alias in node.names):
                return True
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    return False


def resolve_relative(
    module_name: Optional[str], is_package: bool, level: int, written: Optional[str]
) -> Optional[str]:
    """Absolute name of ``from <dots><written> import ...`` inside ``module_name``."""
    if level == 0:
        return written
    if not module_name:
        return None
    parts = module_name.split(".")
    if not is_package:
        parts = parts[:-1]
    drop = level - 1
    if drop > len(parts) or (drop == len(parts) and not written):
        return None
    base = parts[: len(parts) - drop] if drop else parts
    if written:
        base = base + written.split(".")
    return ".".join(base) or None


def walk_import_time(
    body: Sequence[ast.stmt], where: Where = Where.MODULE, where_line: int = 0
) -> list[tuple[ast.stmt, Where, int]]:
    """Each statement run at import time with the context that holds it, in source order.

    A list rather than a generator: nested ``yield from`` costs more than the list,
    and :func:`collect_imports` and ``facts._side_effect`` can share one walk.
    """
    found: list[tuple[ast.stmt, Where, int]] = []
    _walk_into(body, where, where_line, found)
    return found


def _walk_into(
    body: Sequence[ast.stmt], where: Where, where_line: int, found: list[tuple[ast.stmt, Where, int]]
) -> None:
    for node in body:
        found.append((node, where, where_line))
        if type(node) in _COMPOUND_TYPES:  # ast.parse makes no subclasses: isinstance() as a set lookup
            for kind, stmts in _blocks(node):
                if not stmts:
                    continue
                if _PRIORITY.index(kind) >= _PRIORITY.index(where):
                    _walk_into(stmts, kind, node.lineno, found)
                else:
                    _walk_into(stmts, where, where_line, found)


# ``match`` and ``try``/``except*`` from syntax_nodes: their own classes in a tree of newer
# syntax parsed on an older Python (see newer_syntax), ast's where this Python has them.
_COMPOUND_TYPES = frozenset(
    [ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While, ast.ClassDef,
     syntax_nodes.TryStar, syntax_nodes.Match]
)


def _blocks(node: ast.stmt) -> list[tuple[Where, Sequence[ast.stmt]]]:
    """The statement blocks a compound statement runs at import time, each with its context."""
    blocks: list[tuple[Where, Sequence[ast.stmt]]] = []
    if isinstance(node, ast.If):
        if not is_type_checking(node.test):
            blocks.append((_CONDITIONAL, node.body))
        return blocks + [(_CONDITIONAL, node.orelse)]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [(_WITH, node.body)]
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return [(_LOOP, node.body), (_LOOP, node.orelse)]
    if isinstance(node, ast.ClassDef):
        return [(_CLASS, node.body)]
    if type(node) is syntax_nodes.Match:
        return [(_CONDITIONAL, case.body) for case in node.cases]  # type: ignore[attr-defined]
    try_node: ast.Try = node  # type: ignore[assignment]  # Try or TryStar
    optional = catches_import_error(try_node.handlers)
    blocks.append((_OPTIONAL if optional else _MODULE, try_node.body))
    blocks += [(_HANDLER, handler.body) for handler in try_node.handlers]
    return blocks + [(_HANDLER, try_node.orelse), (_HANDLER, try_node.finalbody)]


def branch_path(body: Sequence[ast.stmt], line: int) -> tuple[tuple[int, int, int, int], ...]:
    """The ``if``/``elif``/``else`` and ``case`` blocks run at import time that hold ``line``,
    outermost first, each as (line of its ``if``/``match``, which block, first line, last line).

    An optional import fix can guard with find_spec counts as an ``if`` too, directly in
    the module body: its ``try`` body and ``else`` clause one block, its handler the other.
    Two lines are never both run when their paths share an ``if``/``match`` at different
    blocks (:func:`exclusive`).  Function and class bodies are not looked into.
    """
    path: list[tuple[int, int, int, int]] = []
    statements: Sequence[ast.stmt] = body
    while True:
        node = next((n for n in statements if n.lineno <= line <= (n.end_lineno or n.lineno)), None)
        if node is None or type(node) not in _COMPOUND_TYPES or isinstance(node, ast.ClassDef):
            break
        statement_line = node.lineno
        blocks: list[Sequence[ast.stmt]]
        if type(node) is ast.Try and statements is body and catches_import_error(node.handlers) \
                and not judge(node).blocker:
            # An optional import fix can guard with find_spec: its body (with the else clause)
            # and its handler become the two branches of an ``if``.
            held = _optional_block(node, line)
            if held is not None:
                path.append(held)
            break
        if isinstance(node, ast.If):
            blocks = [node.body, node.orelse]
        elif type(node) is syntax_nodes.Match:
            blocks = [case.body for case in node.cases]  # type: ignore[attr-defined]
        else:
            blocks = [stmts for _, stmts in _blocks(node)]  # try, with, loops: one path through
        inner = next((b for b in blocks if b and b[0].lineno <= line <= (b[-1].end_lineno or b[-1].lineno)), None)
        if inner is None:
            break
        if isinstance(node, ast.If) or type(node) is syntax_nodes.Match:
            path.append((statement_line, blocks.index(inner), inner[0].lineno, inner[-1].end_lineno or inner[-1].lineno))
        statements = inner
    return tuple(path)


def _optional_block(node: ast.Try, line: int) -> Optional[tuple[int, int, int, int]]:
    """:func:`branch_path`'s entry for ``line`` in an optional import's ``try`` body or
    ``else`` clause (block 0) or its handler (block 1)."""
    for block, stmts in ((0, node.body), (1, node.handlers[0].body), (0, node.orelse)):
        if stmts and stmts[0].lineno <= line <= (stmts[-1].end_lineno or stmts[-1].lineno):
            return (node.lineno, block, stmts[0].lineno, stmts[-1].end_lineno or stmts[-1].lineno)
    return None


def exclusive(first: Sequence[tuple[int, int, int, int]], second: Sequence[tuple[int, int, int, int]]) -> bool:
    """Whether two :func:`branch_path` results lie in different blocks of one ``if``/``match``."""
    blocks = {node: block for node, block, _, _ in first}
    return any(node in blocks and blocks[node] != block for node, block, _, _ in second)


def collect_imports(
    tree: ast.Module,
    module_name: Optional[str] = None,
    is_package: bool = False,
    walked: Optional[list[tuple[ast.stmt, Where, int]]] = None,
) -> list[ImportStatement]:
    """All import statements executed while the module is imported, in source order.

    ``walked`` is ``walk_import_time(tree.body)`` if the caller has it already.
    """
    found: list[ImportStatement] = []
    for node, where, where_line in walk_import_time(tree.body) if walked is None else walked:
        if isinstance(node, ast.Import):
            names = tuple([
                ImportedName(alias.asname or alias.name.split(".")[0], alias.name, None, alias.asname)
                for alias in node.names
            ])
            found.append(_statement(node, False, 0, None, names, where, where_line))
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                continue
            level = node.level or 0
            absolute = resolve_relative(module_name, is_package, level, node.module)
            base = absolute if absolute is not None else "." * level + (node.module or "")
            names = tuple([
                ImportedName(alias.asname or alias.name, base, alias.name, alias.asname, alias.name == "*")
                for alias in node.names
            ])
            found.append(_statement(node, True, level, node.module, names, where, where_line))
    for position, stmt in enumerate(found):
        if stmt.where in IN_BRANCH:
            path = branch_path(tree.body, stmt.line)
            if path:
                found[position] = stmt._replace(branch=path[-1][2:])
    return found


def _statement(
    node: ast.stmt,
    is_from: bool,
    level: int,
    written: Optional[str],
    names: tuple[ImportedName, ...],
    where: Where,
    where_line: int,
) -> ImportStatement:
    line = node.lineno
    column = node.col_offset
    # ``is_lazy``: Python 3.15's ast (PEP 810), or newer_syntax's tree of a ``lazy`` import.
    return ImportStatement(line, column, node.end_lineno or line, node.end_col_offset or column, is_from,
                           level, written, names, where, where_line or line, None,
                           bool(getattr(node, "is_lazy", False)))
