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

from lazyimport_codemod.records import ImportStatement, Where
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence, Union

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
    # A decorator written as a call (``@timeout(5)``): the decorator factory runs, then what
    # it returned is applied.
    factory: bool = False


class Wrapper(NamedTuple):
    """A module-level function whose call only builds and returns values (a decorator such
    as ``def timed(func): @wraps(func) def inner(...): ...; return inner``): applying it
    acts on nothing beyond what it is given, unless one of ``calls`` does."""

    name: str
    # What its body calls while it runs (not what nested functions call when they run):
    # qualified names, "" for a callee that is no name, PARAMETER for a method of one of
    # its parameters (fine where the parameter is the decorated function itself).
    calls: tuple[str, ...]
    # The nested function it returns, when every return gives the same one (a decorator
    # factory: ``@timeout(5)`` runs the factory, then applies what it returned).
    returns: Optional[Wrapper]


PARAMETER = "<parameter>"


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
        elif kind is ast.AnnAssign or kind is ast.AugAssign:  # the commonest in class bodies
            target_node = node.target  # type: ignore[attr-defined]
            if type(target_node) in _ITEM_TARGETS and _root(target_node) in imported:
                found.append(Effect(node.lineno, ASSIGNMENT, _named(target_node, imported, own_code) or ""))
        elif kind is ast.Assign:
            for target_node in node.targets:  # type: ignore[attr-defined]
                if type(target_node) in _ITEM_TARGETS and _root(target_node) in imported:
                    found.append(Effect(node.lineno, ASSIGNMENT, _named(target_node, imported, own_code) or ""))
                    break
        elif kind in _DEFINITIONS:
            for decorator in node.decorator_list:  # type: ignore[attr-defined]
                target = _named(decorator, imported, own_code, unknown)
                if target is not None:
                    found.append(Effect(decorator.lineno, DECORATOR, target, type(decorator) is ast.Call))
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


def wrappers(walked: list[tuple[ast.stmt, Where, int]], imported: dict[str, str]) -> tuple[Wrapper, ...]:
    """The module-level functions whose call only builds and returns values (see :class:`Wrapper`)."""
    # Exact types (ast.parse makes no subclasses): most walked statements are no definitions.
    in_class = Where.CLASS  # read once (see ENUM_READS in records.py)
    definitions = [node for node, where, _ in walked if type(node) in _DEFINITIONS and where is not in_class]
    own_code = {node.name for node in definitions}  # type: ignore[attr-defined]
    found = []
    for node in definitions:
        if type(node) in _FUNCTIONS and _decorator_shaped(node):  # type: ignore[arg-type]
            wrapper = _wrapper(node, imported, own_code)  # type: ignore[arg-type]
            if wrapper is not None:
                found.append(wrapper)
    return tuple(found)


def _decorator_shaped(node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> bool:
    """Whether a function looks like a decorator (it defines a function, or returns its
    argument): only those are read, so that the facts of other functions cost nothing."""
    for stmt in node.body:
        if type(stmt) in _FUNCTIONS:
            return True
        if type(stmt) is ast.Return and isinstance(stmt.value, ast.Name) and node.args.args \
                and stmt.value.id == node.args.args[0].arg:
            return True
    return False


def _wrapper(node: Union[ast.FunctionDef, ast.AsyncFunctionDef], imported: dict[str, str], own_code: set[str]) -> Optional[Wrapper]:
    """The :class:`Wrapper` of one function, or None when its body may do anything else."""
    args = node.args
    parameters = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    parameters.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    body = _BodyShape(imported, own_code, parameters)
    if not body.statements(node.body) or body.generator:
        return None
    returns: Optional[Wrapper] = None
    if len(body.returned) == 1:
        name = next(iter(body.returned))
        inner = body.nested.get(name)
        returns = _wrapper(inner, imported, own_code) if inner is not None else None
    return Wrapper(node.name, tuple(body.calls), returns)


class _BodyShape:
    """Reads a function body statement by statement: whether it only binds locals, defines
    nested functions, tests, raises and returns, and what it calls meanwhile."""

    def __init__(self, imported: dict[str, str], own_code: set[str], parameters: set[str]) -> None:
        self.imported = imported
        self.own_code = own_code
        self.parameters = parameters
        self.locals: set[str] = set()
        self.nested: dict[str, Union[ast.FunctionDef, ast.AsyncFunctionDef]] = {}
        self.calls: list[str] = []
        self.returned: set[str] = set()  # nested functions returned ("" for anything else)
        self.generator = False

    def statements(self, body: Sequence[ast.stmt]) -> bool:
        return all(self.statement(stmt) for stmt in body)

    def statement(self, stmt: ast.stmt) -> bool:
        kind = type(stmt)
        if kind is ast.Pass:
            return True
        if kind is ast.Expr:
            value = stmt.value  # type: ignore[attr-defined]
            return isinstance(value, ast.Constant) or self.expression(value)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.nested[stmt.name] = stmt
            self.locals.add(stmt.name)
            args = stmt.args
            evaluated = [*stmt.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
            return all(self.expression(e) for e in evaluated)
        if kind is ast.Return:
            value = stmt.value  # type: ignore[attr-defined]
            self.returned.update(self._returned(value))
            return value is None or self.expression(value)
        if kind is ast.Raise:
            return all(self.expression(e) for e in (stmt.exc, stmt.cause) if e is not None)  # type: ignore[attr-defined]
        if kind is ast.If:
            return (self.expression(stmt.test) and self.statements(stmt.body)  # type: ignore[attr-defined]
                    and self.statements(stmt.orelse))  # type: ignore[attr-defined]
        if kind in (ast.Assign, ast.AnnAssign, ast.AugAssign):
            targets = stmt.targets if kind is ast.Assign else [stmt.target]  # type: ignore[attr-defined]
            value = stmt.value  # type: ignore[attr-defined]
            return all(self.target(t) for t in targets) and (value is None or self.expression(value))
        return False

    def target(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            self.locals.add(node.id)
            return True
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(self.target(e) for e in node.elts)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            root = _root(node)
            if root in self.locals:
                return self.expression(node)
            if root in self.parameters:
                self.calls.append(PARAMETER)
                return self.expression(node)
        return False

    def expression(self, node: ast.expr) -> bool:
        for inner in ast.walk(node):
            kind = type(inner)
            if kind in _SIDE_STEPS:
                if kind in (ast.Yield, ast.YieldFrom):
                    self.generator = True
                return False
            if kind is ast.Call:
                callee = self._callee(inner.func)  # type: ignore[attr-defined]
                if callee is not _LOCAL:
                    self.calls.append(callee)
        return True

    def _callee(self, func: ast.expr) -> str:
        root = _root(func)
        if root in self.locals and isinstance(func, ast.Attribute):
            return _LOCAL  # a method of a value built here
        if root in self.parameters and isinstance(func, ast.Attribute):
            return PARAMETER
        if root in self.locals or root in self.parameters:
            return ""  # calling a nested function or an argument runs code of unknown effect
        return _named(func, self.imported, self.own_code) or ""

    def _returned(self, value: Optional[ast.expr]) -> set[str]:
        if isinstance(value, ast.Name) and value.id in self.nested:
            return {value.id}
        if isinstance(value, ast.IfExp):
            return self._returned(value.body) | self._returned(value.orelse)
        return {""}


_LOCAL = "<local>"
_FUNCTIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef})
_SIDE_STEPS = frozenset({ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr})
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_ITEM_TARGETS = frozenset({ast.Attribute, ast.Subscript})  # assigning into an object, not binding a name
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
