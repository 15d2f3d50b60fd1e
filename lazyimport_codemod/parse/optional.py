"""Optional imports: which module-level ``try/except ImportError`` fix can guard with
``importlib.util.find_spec`` instead.

``try: import x`` / ``except ImportError: x = None`` runs its handler when ``x`` cannot be
imported.  Fix rewrites such a ``try`` into ``if importlib.util.find_spec("x") is not None:``
(the body, then the ``else`` clause) ``else:`` (the handler), and defers the import inside the
first branch (see :mod:`~lazyimport_codemod.rules.deferral`).  That is the same program only
when the handler runs exactly when the package is missing, so the ``try`` must be simple:

- one handler, catching ImportError (``ModuleNotFoundError``, a tuple naming either, or a
  broader class), that does not read the exception in flight (``as e``, a bare ``raise``,
  ``sys.exc_info()``, ``logger.exception()``, ``exc_info=...``, ``traceback``), which the
  ``else`` branch has none of; no ``finally`` clause;
- a body of absolute imports from one top-level package, optionally followed by assignments
  of constants (``HAS_X = True``): nothing before the imports or between them can fail and
  leave names bound that the ``if`` would not bind, and nothing but a missing package
  sends the original to its handler;
- directly in the module body, not ``try``/``except*``;
- in a module that binds the name ``importlib`` only by importing it (the guard does
  ``import importlib.util``, which would rebind any other ``importlib``).
"""

from __future__ import annotations

import ast

from lazyimport_codemod.parse import syntax_nodes
from lazyimport_codemod.records import OptionalTry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

_IMPORT_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
)
# What reads the exception a handler runs for: the ``else`` branch of the rewrite has none.
_EXCEPTION_READERS = frozenset({"exc_info", "exception", "print_exc", "format_exc", "print_exception",
                                "format_exception", "extract_tb"})


def catches_import_error(handlers: Sequence[ast.excepthandler]) -> bool:
    for handler in handlers:
        if not isinstance(handler, ast.ExceptHandler):
            continue
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for node in types:
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
            if name in _IMPORT_ERRORS:
                return True
    return False



_TRIES = (ast.Try, syntax_nodes.TryStar)


def optional_tries(body: Sequence[ast.stmt], importlib_line: int = 0) -> tuple[OptionalTry, ...]:
    """Every ``try`` directly in ``body`` whose handlers catch ImportError, judged.
    ``importlib_line``: where the module binds ``importlib`` to something other than the
    module (0: nowhere)."""
    found = []
    for node in body:
        if type(node) not in _TRIES or not catches_import_error(node.handlers):  # type: ignore[attr-defined]
            continue
        judged = judge(node)  # type: ignore[arg-type]  # a TryStar has the same fields
        if importlib_line and not judged.blocker:
            judged = judged._replace(blocker=f"the module binds `importlib` at line {importlib_line} to "
                                             "something else, a name the find_spec guard needs")
        found.append(judged)
    return tuple(found)


def judge(node: ast.Try) -> OptionalTry:
    """The optional import ``node``, with why fix cannot guard it, if it cannot."""
    imports = [stmt for stmt in node.body if isinstance(stmt, (ast.Import, ast.ImportFrom))]
    packages = list(dict.fromkeys(_package(stmt) for stmt in imports))
    package = packages[0] if len(packages) == 1 and packages[0] else ""
    return OptionalTry(node.lineno, package, _blocker(node, packages))


def _package(stmt: ast.stmt) -> str:
    """The top-level package an import loads ("" for a relative import)."""
    if isinstance(stmt, ast.ImportFrom):
        return "" if stmt.level or not stmt.module else stmt.module.split(".")[0]
    assert isinstance(stmt, ast.Import)
    tops = {alias.name.split(".")[0] for alias in stmt.names}
    return tops.pop() if len(tops) == 1 else "*"  # ``import a, b``: more than one


def _blocker(node: ast.Try, packages: list[str]) -> str:
    if type(node) is syntax_nodes.TryStar:
        return "its handler is an `except*` clause, which runs for an exception group"
    if node.finalbody:
        return "it has a finally clause"
    if node.orelse and node.body[0].lineno == node.lineno:
        # The else clause joins the body in the guard's branch, which needs the body on lines of its own.
        return "its body is written on the `try:` line and it has an else clause"
    if len(node.handlers) != 1:
        return "it has more than one except clause, so which fallback runs depends on the error"
    handler = node.handlers[0]
    if handler.name:
        return f"its handler reads the exception (`as {handler.name}`), which find_spec does not raise"
    reader = _reads_exception(handler.body)
    if reader:
        return f"its handler {reader} at line {_line(handler.body, reader)}, and find_spec raises nothing"
    if "" in packages:
        return "its body has a relative import, which find_spec cannot answer without importing the package"
    if len(packages) != 1:
        named = ", ".join(f"`{package}`" for package in packages if package != "*")
        return (f"its body imports from more than one package ({named}): when a later one is missing, "
                "the names the earlier ones bound stay bound")
    seen_assignment = False
    for stmt in node.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if seen_assignment:
                return f"its body binds a name before the import at line {stmt.lineno}"
            continue
        if _constant_assignment(stmt):
            seen_assignment = True
            continue
        return f"its body does more than import (line {stmt.lineno}), and that could raise ImportError too"
    return ""


def _constant_assignment(stmt: ast.stmt) -> bool:
    """``NAME = <constant>`` (annotated or not): binds a flag and cannot fail."""
    if isinstance(stmt, ast.Assign):
        targets, value = stmt.targets, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets, value = [stmt.target], stmt.value
    else:
        return False
    return all(isinstance(target, ast.Name) for target in targets) and isinstance(value, ast.Constant)


def _reads_exception(body: Sequence[ast.stmt]) -> str:
    """How the handler's code reads the exception in flight ("" when it does not)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise) and node.exc is None:
                return "re-raises (bare `raise`)"
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _EXCEPTION_READERS:
                    return f"calls `{name}()`"
                if any(keyword.arg == "exc_info" for keyword in node.keywords):
                    return "passes `exc_info`"
            if isinstance(node, ast.Name) and node.id == "traceback":
                return "uses `traceback`"
    return ""


def _line(body: Sequence[ast.stmt], reader: str) -> int:
    """The line of the first statement of ``body`` whose code :func:`_reads_exception` flags."""
    for stmt in body:
        if _reads_exception([stmt]) == reader:
            return stmt.lineno
    return body[0].lineno


def find(tries: Sequence[OptionalTry], line: int) -> Optional[OptionalTry]:
    """The optional import whose ``try`` is at ``line``, if it is directly in the module body."""
    return next((found for found in tries if found.line == line), None)
