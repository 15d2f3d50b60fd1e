"""What importing a module does beyond defining its own names.

Deferring the import of a first-party module postpones everything its body
does.  That is harmless for a module that only builds its own objects, and
wrong for one that registers itself somewhere (a plugin registry, a task
queue, a signal): the registration would happen later, or never.
"""

from __future__ import annotations

import ast
from typing import Optional

from lazyimport_codemod.records import Where


def _root_name(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def first_effect(walked: list[tuple[ast.stmt, Where, int]], imported: set[str]) -> tuple[int, str]:
    """The first statement run at import time that acts on something beyond this module
    (line, what it is), or ``(0, "")``.

    ``walked`` is ``walk_import_time(tree.body)`` and ``imported`` the names the
    module binds by import."""
    for node, _, _ in walked:
        kind = type(node)
        if kind not in _ACTING:
            continue
        if kind is ast.Expr:
            if type(node.value) in (ast.Call, ast.Await):  # type: ignore[attr-defined]
                return node.lineno, "a call"
        elif kind is ast.Assign or kind is ast.AugAssign or kind is ast.AnnAssign:
            targets = node.targets if kind is ast.Assign else [node.target]  # type: ignore[attr-defined]
            for target in targets:
                if type(target) in (ast.Attribute, ast.Subscript) and _root_name(target) in imported:
                    return node.lineno, "an assignment into another module's object"
        else:  # a def or class
            for deco in node.decorator_list:  # type: ignore[attr-defined]
                if _root_name(deco) in imported:
                    return deco.lineno, "a decorator from another module"
    return 0, ""


_ACTING = frozenset({
    ast.Expr, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AugAssign, ast.AnnAssign,
})
