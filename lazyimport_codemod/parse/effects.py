"""What importing a module does beyond defining its own names: the candidates, named.

Deferring the import of a first-party module postpones everything its body
does.  That is harmless for a module that only builds its own objects, and
wrong for one that registers itself somewhere (a plugin registry, a task
queue, a declarative model base, a signal): the registration would happen
later, or never.  This module lists, from one file alone, every statement run
at import time that may act on something that is not the module's own: a bare
call, an assignment into an imported object, a decorator, a base class; each
with the qualified name of what it calls or names where the file's imports
tell it (``from pydantic import field_validator`` makes ``@field_validator``
``pydantic.field_validator``).  Which of them are harmless is decided by the
rules (:mod:`~lazyimport_codemod.rules.effects`), which know a list of pure
calls and the project's own setting.

Calls on the module's own objects (``router.add_api_route(...)``,
``REGISTRY[key].append(...)`` on a dict built here) act on the module itself
and are not listed; a call of a function defined in the module is, since its
body may reach anywhere.
"""

from __future__ import annotations

import ast
import builtins
from typing import NamedTuple, Optional, Sequence

from lazyimport_codemod.records import ImportStatement, Where

CALL = "call"
ASSIGNMENT = "assignment"
DECORATOR = "decorator"
BASE = "base class"

OWN = "<own>"  # prefix of a function or class defined in the module itself


class Effect(NamedTuple):
    """A statement run at import time that may act beyond the module."""

    line: int
    kind: str  # CALL, ASSIGNMENT, DECORATOR or BASE
    target: str  # qualified name ("pydantic.field_validator", "builtins.print", "<own>.setup"), or ""


class ClassFacts(NamedTuple):
    """A module-level class, for judging subclasses of it defined elsewhere."""

    name: str
    bases: tuple[str, ...]  # qualified names ("" where unknown)
    registers: bool  # defines __init_subclass__ or takes a metaclass: its subclasses act on it


def bindings(imports: Sequence[ImportStatement]) -> dict[str, str]:
    """The qualified name each import binds: ``from a.b import c as d`` makes ``d`` ``a.b.c``,
    ``import a.b`` makes ``a`` ``a``, ``import a.b as c`` makes ``c`` ``a.b``."""
    found: dict[str, str] = {}
    for stmt in imports:
        for name in stmt.names:
            if name.star or name.module.startswith("."):
                continue
            if name.attribute is not None:
                found[name.bound] = f"{name.module}.{name.attribute}"
            else:
                found[name.bound] = name.module if name.asname else name.bound
    return found


def effects(walked: list[tuple[ast.stmt, Where, int]], imported: dict[str, str],
            star: bool = False) -> tuple[Effect, ...]:
    """Every statement run at import time that may act beyond the module, in order.

    ``walked`` is ``walk_import_time(tree.body)``; ``imported`` is :func:`bindings`;
    ``star``: the module star-imports something, so a name it does not bind itself
    may come from anywhere."""
    own_code = {node.name for node, _, _ in walked if type(node) in _DEFINITIONS}  # type: ignore[attr-defined]
    unknown = "" if star else None
    found: list[Effect] = []
    for node, _, _ in walked:
        kind = type(node)
        if kind is ast.Expr:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is ast.Await:
                value = value.value
            if type(value) is ast.Call:
                target = _named(value.func, imported, own_code, unknown)
                if target is not None:
                    found.append(Effect(node.lineno, CALL, target))
        elif kind is ast.Assign or kind is ast.AugAssign or kind is ast.AnnAssign:
            targets = node.targets if kind is ast.Assign else [node.target]  # type: ignore[attr-defined]
            for target_node in targets:
                if type(target_node) in (ast.Attribute, ast.Subscript) and _root(target_node) in imported:
                    found.append(Effect(node.lineno, ASSIGNMENT, _named(target_node, imported, own_code) or ""))
                    break
        elif kind in _DEFINITIONS:
            for decorator in node.decorator_list:  # type: ignore[attr-defined]
                target = _named(decorator, imported, own_code, unknown)
                if target is not None:
                    found.append(Effect(decorator.lineno, DECORATOR, target))
            if kind is ast.ClassDef:
                for base in node.bases:  # type: ignore[attr-defined]
                    target = _named(base, imported, set(), unknown)
                    if target is not None:
                        found.append(Effect(node.lineno, BASE, target))
    return tuple(found)


def classes(tree: ast.Module, imported: dict[str, str], module: Optional[str]) -> tuple[ClassFacts, ...]:
    """The module-level classes, with their bases' qualified names (a class defined above
    in the same module named through ``module``)."""
    found: list[ClassFacts] = []
    names = dict(imported)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = tuple(_named(base, names, set()) or "" for base in node.bases)
            if module:
                names[node.name] = f"{module}.{node.name}"
            registers = any(keyword.arg == "metaclass" for keyword in node.keywords) or any(
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init_subclass__"
                for item in node.body)
            found.append(ClassFacts(node.name, bases, registers))
    return tuple(found)


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_BUILTINS = frozenset(dir(builtins))


def _root(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _named(node: ast.AST, imported: dict[str, str], own_code: set[str], unknown: Optional[str] = None
           ) -> Optional[str]:
    """The qualified name a callee, decorator or base names: through an import, a builtin,
    or a function or class of the module's own (``<own>.name``); ``unknown`` for any other
    name (the module's own objects, its variables, which only act on the module itself,
    unless a star import may have bound it); "" for an expression that is no name."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func  # a decorator factory called here: what it is named
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        else:
            break
    if not isinstance(node, ast.Name):
        return ""
    parts.reverse()
    root = node.id
    if root in imported:
        return ".".join([imported[root], *parts])
    if root in own_code:
        return ".".join([OWN, root, *parts])
    if root in _BUILTINS and not parts:
        return f"builtins.{root}"
    return unknown
