"""What a module gives by name, read from its syntax tree alone.

Two questions about a module that other modules import names from:

* which names ``from module import *`` binds, when that is known without running it
  (:func:`star_names`): the strings of a readable ``__all__``, else the public names its
  body binds unconditionally;
* what a package facade written by ``lazyimport fix`` serves (:func:`read_facade`): the
  table of ``__getattr__, __dir__ = lazy_exports(__name__, {name: source})``, and where
  the package binds ``__getattr__`` or ``__dir__`` in any other way (a facade of its own,
  written by hand or by ``lazy_loader.attach``).

For a package ``__init__`` the parse also keeps what deciding its facade needs
(:func:`read_package_init`), so that the decision never parses the file again.
"""

from __future__ import annotations

import ast

from lazyimport_codemod.parse.imports import is_type_checking, resolve_relative
from lazyimport_codemod.parse.usage import (
    DEFINITIONS, NAMESPACE_CALLS, breadth_first, is_main_guard, listed_strings, module_bindings,
)
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# The function fix calls to build a facade (from the configured runtime module).
FACADE_FUNCTION = "lazy_exports"
FACADE_NAMES = ("__getattr__", "__dir__")


class Facade(NamedTuple):
    """A package's facade: the table ``lazyimport fix`` wrote (name -> source, as written),
    its line, and the line of any other binding of ``__getattr__``/``__dir__`` (0: none)."""

    entries: tuple[tuple[str, str], ...] = ()
    line: int = 0
    own_line: int = 0


class PackageInit(NamedTuple):
    """What a package ``__init__`` binds and reads, for deciding its facade
    (:mod:`~lazyimport_codemod.rules.facade`)."""

    facade: Facade
    loaded: frozenset[str]  # names it loads (or declares global) anywhere
    dynamic_line: int  # first call that reads its namespace as a whole (``globals()``...), or 0
    bound: dict[str, list[int]]  # lines where each name is bound in its namespace


# Calls through which a module writes its namespace in a way that cannot be read.
_NAMESPACE_WRITES = frozenset({"globals", "vars", "setattr", "exec"})
_FACADE_NAME_SET = frozenset(FACADE_NAMES)


def read_package_init(tree: ast.Module) -> PackageInit:
    """The :class:`PackageInit` of a package ``__init__``'s tree."""
    names: set[str] = set()
    loaded: set[str] = set()
    imported: set[str] = set()  # names as written in imports (``from m import a as b``: a)
    dynamic_line = 0
    for node in breadth_first(tree):
        kind = type(node)  # exact types: ast.parse makes no subclasses
        if kind is ast.Name:
            names.add(node.id)  # type: ignore[attr-defined]
            if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                loaded.add(node.id)  # type: ignore[attr-defined]
        elif kind in DEFINITIONS:
            names.add(node.name)  # type: ignore[attr-defined]
        elif kind is ast.alias:
            names.add(node.asname or node.name.split(".")[0])  # type: ignore[attr-defined]
            imported.add(node.name)  # type: ignore[attr-defined]
        elif kind is ast.Global:
            loaded.update(node.names)  # type: ignore[attr-defined]
        elif (kind is ast.Call and isinstance(node.func, ast.Name) and not dynamic_line  # type: ignore[attr-defined]
              and node.func.id in NAMESPACE_CALLS):  # type: ignore[attr-defined]
            dynamic_line = node.lineno  # type: ignore[attr-defined]
    # Only a tree that names them (or writes its namespace unreadably) can bind the
    # facade's names: the others need no statement-by-statement look.
    may_bind = not _FACADE_NAME_SET.isdisjoint(names | imported) or not _NAMESPACE_WRITES.isdisjoint(loaded)
    return PackageInit(read_facade(tree, may_bind), frozenset(loaded), dynamic_line, module_bindings(tree, names))


def star_names(tree: ast.Module) -> Optional[tuple[str, ...]]:
    """The names ``from <this module> import *`` binds, or None when only running it tells.

    A readable ``__all__`` lists them.  Without one, they are the public names the
    module body binds, provided each binding always runs: a name bound only under an
    ``if``, in a ``try`` or a loop, deleted, or a star import or a namespace write of
    the module's own makes the answer unknown.
    """
    listed, unreadable = listed_strings(tree, "__all__")
    if unreadable:
        return None
    if listed or _assigns_all(tree):
        return tuple(listed)
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and (is_type_checking(node.test) or is_main_guard(node)):
            if node.orelse and _public(_bound_in(node.orelse)):
                return None
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                return None
            names.extend(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
            found = _bound_in([node])
            if found is None:
                return None
            names.extend(found)
        elif isinstance(node, ast.Delete) or _public(_bound_in([node])):
            return None  # a deletion, or a binding that may not run
    return tuple(dict.fromkeys(name for name in names if not name.startswith("_")))


def _assigns_all(tree: ast.Module) -> bool:
    return any(isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
        isinstance(target, ast.Name) and target.id == "__all__"
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        for node in tree.body)


def _public(names: Optional[list[str]]) -> bool:
    """Whether some of ``names`` is public (or they are unknown)."""
    return names is None or any(not name.startswith("_") for name in names)


def _bound_in(statements: list[ast.stmt]) -> Optional[list[str]]:
    """Names the statements bind in the module's namespace (function and class bodies
    excepted), or None when they write to it in a way that cannot be read
    (``globals()``, ``vars()``, ``setattr`` on ``sys.modules``...)."""
    found: list[str] = []
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                return None
            found.extend(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NAMESPACE_WRITES:
            return None
        elif isinstance(node, ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def read_facade(tree: ast.Module, may_bind: bool = True) -> Facade:
    """The facade of a package ``__init__`` (see :class:`Facade`).  ``may_bind=False``: the
    caller knows that no statement binds ``__getattr__`` or ``__dir__``."""
    helper = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
              for alias in node.names if alias.name == FACADE_FUNCTION}
    entries: tuple[tuple[str, str], ...] = ()
    line = own_line = 0
    for node in tree.body:
        table = _table(node, helper) if helper else None
        if table is not None and not line:
            entries, line = table, node.lineno
        elif may_bind and not own_line and _binds_facade_names(node):
            own_line = node.lineno
    return Facade(entries, line, own_line)


def _table(node: ast.stmt, helper: set[str]) -> Optional[tuple[tuple[str, str], ...]]:
    """The entries of ``__getattr__, __dir__ = lazy_exports(__name__, {...})``, or None."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call)):
        return None
    target, call = node.targets[0], node.value
    if not (isinstance(target, ast.Tuple) and [getattr(e, "id", None) for e in target.elts] == list(FACADE_NAMES)):
        return None
    if not (isinstance(call.func, ast.Name) and call.func.id in helper and len(call.args) == 2
            and not call.keywords and isinstance(call.args[1], ast.Dict)):
        return None
    entries = []
    for key, value in zip(call.args[1].keys, call.args[1].values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return None
        entries.append((key.value, value.value))
    return tuple(entries)


def _binds_facade_names(node: ast.stmt) -> bool:
    """Whether a module-level statement binds ``__getattr__`` or ``__dir__`` (or may: it
    writes to the namespace in a way that cannot be read)."""
    if isinstance(node, ast.ImportFrom):
        # A star import binds no underscore name unless the module's ``__all__`` lists it,
        # which no module does for these two.
        return any(alias.name in FACADE_NAMES or alias.asname in FACADE_NAMES for alias in node.names)
    statements = node.orelse if isinstance(node, ast.If) and is_type_checking(node.test) else [node]
    found = _bound_in(statements)
    return found is None or any(name in FACADE_NAMES for name in found)


def served_modules(package: str, entries: tuple[tuple[str, str], ...], attribute: str) -> list[str]:
    """The modules a facade's ``__getattr__`` imports when ``attribute`` of ``package`` is
    first read, absolute, as :func:`~lazyimport_codemod.runtime.lazy_exports` does it: the
    entry's module; for a submodule of the package that entries lie in, all of theirs;
    for ``*`` (a star import of the package), every entry's."""
    table = dict(entries)
    modules = {source: absolute_module(source.partition(":")[0], package) for source in table.values()}
    if attribute == "*":
        return list(dict.fromkeys(modules.values()))
    prefix = package + "."
    below = [module for module in modules.values() if module == prefix + attribute
             or module.startswith(f"{prefix}{attribute}.")]
    source = table.get(attribute)
    if source is not None and (":" in source or modules[source] not in below):
        return [modules[source]]
    return list(dict.fromkeys(below))


def absolute_module(module: str, package: str) -> str:
    """The absolute name of a module a facade entry names (a leading dot: relative to ``package``)."""
    name = module.lstrip(".")
    level = len(module) - len(name)
    return resolve_relative(package, True, level, name or None) or module
