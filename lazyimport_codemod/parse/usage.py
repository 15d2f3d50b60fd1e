"""Classify every use of the names a module binds by import, with Python's scoping.

For each name we need to know whether it is touched while the module is being
imported (then it cannot be deferred), only inside function bodies (then the
import can move into those functions), or only in places that need a
module-level name without evaluating it (lambda bodies, unevaluated
annotations, ``__all__``), where a proxy fits.

The walk follows CPython's rules: function scopes see globals unless the name
is bound locally (parameters, assignments, loop/with/except targets, imports,
walrus, match captures, ``del``) or declared ``nonlocal``; ``global`` makes it
global again; class bodies are not visible to nested functions; decorators,
defaults, base classes and (without ``from __future__ import annotations``)
annotations are evaluated in the enclosing scope when the ``def``/``class``
statement runs.  Frameworks such as FastAPI and pydantic evaluate annotations
of decorated functions (but for decorators known not to read signatures, such as
``property``), dependencies and model classes even with the future import, so those
count as import-time too.  The other evaluated ones, plain annotations, get the
reason ``"annotation"``: quoting them would free the import
(:mod:`~lazyimport_codemod.rules.annotations`).
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from collections import deque
from operator import itemgetter

from lazyimport_codemod.parse import syntax_nodes
from lazyimport_codemod.parse.imports import branch_path, exclusive, is_type_checking, walk_import_time
from lazyimport_codemod.records import NameUsage, Use, UseKind
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, Optional, Sequence, Union

# ``Use.needs_real`` of ``x is y``; of ``x is None`` / ``x is not None``, which a proxy of a
# module answers as the module would (neither is ever None).
IDENTITY = "identity comparison"
NONE_IDENTITY = "identity comparison with None"

if TYPE_CHECKING:
    FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSION_TYPES = frozenset(_COMPREHENSIONS)
# Calls that read (or write) a module's namespace as a whole.
NAMESPACE_CALLS = frozenset({"globals", "vars", "eval", "exec", "locals", "dir"})
# Methods a call to their class runs.
_INITS = ("__init__", "__new__", "__post_init__", "__init_subclass__")
# Read once (see ENUM_READS in records.py).
_FUNCTION, _LAMBDA, _IMPORT_TIME, _ANNOTATION = UseKind.FUNCTION, UseKind.LAMBDA, UseKind.IMPORT_TIME, UseKind.ANNOTATION


class _Scope:
    """One scope of the module and the names bound (or declared global) directly in it."""

    __slots__ = ("kind", "parent", "bound", "declared_global")

    def __init__(
        self, kind: str, parent: Optional[_Scope], bound: Optional[set[str]] = None,
        declared_global: Optional[set[str]] = None,
    ) -> None:
        self.kind = kind  # module | class | function | lambda | comprehension
        self.parent = parent
        self.bound: set[str] = bound if bound is not None else set()
        self.declared_global: set[str] = declared_global if declared_global is not None else set()


class _Owner(NamedTuple):
    """Whose execution evaluates the expression being visited (None: import time)."""

    kind: str  # "function" | "lambda"
    line: int
    name: str


def _word_lines(text: str, words: Iterable[str]) -> list[int]:
    """Sorted numbers of the lines (``\\n``-separated) on which one of ``words`` is a whole word.

    ``str.find`` per word rather than one regular expression: each module has
    its own few names, and compiling a pattern for them costs more than the scan.
    """
    found: set[int] = set()
    for word in words:
        line, counted = 1, 0
        for pos in occurrences(text, word):
            line += text.count("\n", counted, pos)
            counted = pos
            found.add(line)
    return sorted(found)


def occurrences(text: str, word: str) -> Iterator[int]:
    """Offsets at which ``word`` stands as a whole word in ``text``, in order: with no word
    character (alphanumeric or ``_``) on either side."""
    pos = text.find(word)
    while pos != -1:
        end = pos + len(word)
        before = text[pos - 1] if pos else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            yield pos
        pos = text.find(word, end)


# The statements that define a name and may carry decorators (exact types: ast.parse makes no subclasses).
DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
# ast's classes (Python 3.10+), or on 3.9 those of a ``match`` parsed by newer_syntax.
_MATCH_CLASS: type = syntax_nodes.MatchClass
_MATCH_CAPTURES = frozenset({syntax_nodes.MatchAs, syntax_nodes.MatchStar})
_MATCH_MAPPING: type = syntax_nodes.MatchMapping
_MATCH_CASE: type = syntax_nodes.match_case


def _span(node: ast.AST) -> tuple[int, int]:
    """First and last line of a node, decorators included; (0, 0) if it has no position."""
    try:
        first: int = node.lineno  # type: ignore[attr-defined]
    except AttributeError:  # arguments, comprehension, ...: rare
        return 0, 0
    if type(node) in DEFINITIONS and node.decorator_list:  # type: ignore[attr-defined]
        first = min(first, node.decorator_list[0].lineno)  # type: ignore[attr-defined]
    return first, node.end_lineno or first  # type: ignore[attr-defined]


class WordLines:
    """The lines on which some words are spelled: see :class:`Spelling`."""

    __slots__ = ("lines",)

    def __init__(self, lines: list[int]) -> None:
        self.lines = lines  # sorted

    def within(self, first: int, last: int) -> bool:
        """Whether one of the words is spelled on a line from ``first`` to ``last``."""
        index = bisect_left(self.lines, first)
        return index < len(self.lines) and self.lines[index] <= last

    def spelled_in(self, node: ast.AST) -> bool:
        """Whether the node's lines spell one of the words (True for a node without position)."""
        # _span and within, inlined: the walks ask this of most nodes they meet.
        try:
            first: int = node.lineno  # type: ignore[attr-defined]
        except AttributeError:
            return True
        if type(node) in DEFINITIONS and node.decorator_list:  # type: ignore[attr-defined]
            first = min(first, node.decorator_list[0].lineno)  # type: ignore[attr-defined]
        lines = self.lines
        index = bisect_left(lines, first)
        return index < len(lines) and lines[index] <= (node.end_lineno or first)  # type: ignore[attr-defined]


def normalised(text: str) -> str:
    """``text`` with identifiers as Python reads them (NFKC: fullwidth ``np`` is ``np``)."""
    if text.isascii():
        return text
    import unicodedata

    return unicodedata.normalize("NFKC", text)


class Spelling:
    """Which lines of a module spell the tracked names, so the walks can skip the rest.

    Why: the walks below visit every node they cover, at about a microsecond
    each, while most statements never mention a tracked name.  A name is one
    token, so each load, binding or ``global`` of it spells it on a line of the
    statement holding it; a scan of the text finds those lines, and a statement
    whose lines have none is skipped unvisited.  (A quoted annotation naming it
    only through escapes or implicit string concatenation is missed, as function
    bodies skipped this way always were.)

    ``text`` has ``\\n`` line breaks only (:attr:`ParsedSource.text`).  Python
    normalises identifiers (NFKC: fullwidth ``np`` is ``np``), so non-ASCII text is
    normalised the same way before the scan (no character normalises to a line break).
    """

    def __init__(self, text: str, names: Iterable[str]) -> None:
        self.text = text = normalised(text)
        self.walrus = ":=" in text  # without one, only assignment targets bind names in expressions
        self.names = self.lines_of(names)
        self._walked: Optional[WordLines] = None

    def lines_of(self, words: Iterable[str]) -> WordLines:
        return WordLines(_word_lines(self.text, words))

    def spelled_once(self, word: str) -> bool:
        """Whether ``word`` appears in the text as a whole word exactly once."""
        found = occurrences(self.text, word)
        return next(found, None) is not None and next(found, None) is None

    def quiet(self, node: ast.AST, dynamic: bool = True) -> bool:
        """Whether a walk can skip this node: its lines spell no tracked name and (with
        ``dynamic``) no call that reads the namespace (``globals``, ``eval``...)."""
        if not dynamic:
            return not self.names.spelled_in(node)
        return not self.walked().spelled_in(node)

    def walked(self) -> WordLines:
        """The lines that spell a tracked name or a call that reads the namespace: a node
        that spells none of them is :meth:`quiet`."""
        if self._walked is None:
            self._walked = WordLines(sorted(set(self.names.lines) | set(_word_lines(self.text, NAMESPACE_CALLS))))
        return self._walked


# Fields that hold only operator and context leaves (which no walk here reads) or
# plain values: skipping them makes child iteration about twice as fast.
_SKIPPED_FIELDS = frozenset({
    "ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level",
    "conversion", "is_async", "simple", "kind", "type_comment",
})
# Lists of a node type that may hold something other than nodes: names (``global a, b``,
# ``case C(x=...)``'s attributes) or None (``{**d}``'s key, a keyword-only argument without
# a default).  Every other list field holds nodes only.
_MIXED_LISTS = frozenset({(ast.Global, "names"), (ast.Nonlocal, "names"), (_MATCH_CLASS, "kwd_attrs"),
                          (ast.Dict, "keys"), (ast.arguments, "kw_defaults")})
_SINGLE, _NODES, _MIXED = 0, 1, 2
_CHILD_FIELDS: dict[type, tuple[tuple[str, int], ...]] = {}


def _child_fields(node: ast.AST) -> tuple[tuple[str, int], ...]:
    """The fields of the node's type that may hold nodes, in order, each with what it holds
    (a field is a list in every node of a type, or in none)."""
    kind = type(node)
    fields = []
    for name in node._fields:
        if name in _SKIPPED_FIELDS:
            continue
        if not isinstance(getattr(node, name, None), list):
            fields.append((name, _SINGLE))
        else:
            fields.append((name, _MIXED if (kind, name) in _MIXED_LISTS else _NODES))
    found = _CHILD_FIELDS[kind] = tuple(fields)
    return found


def _children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` in the same order, minus operator and context leaves."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = _child_fields(node)
    found: list[ast.AST] = []
    for field_name, holds in fields:
        value = getattr(node, field_name, None)
        if holds == _NODES:
            if value:  # a node built by hand may lack the list
                found.extend(value)
        elif holds == _SINGLE:
            if isinstance(value, ast.AST):
                found.append(value)
        elif value:
            found.extend([item for item in value if isinstance(item, ast.AST)])
    return found


def breadth_first(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)``: the same nodes in the same order (breadth first), minus the
    operator and context leaves, for walks that never look at those; about twice as fast."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        todo.extend(_children(node))
        yield node


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` (itself included) as :func:`_children` sees them, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_children(current))


def _target_names(node: ast.AST, into: set[str]) -> None:
    for sub in _walk(node):
        if isinstance(sub, ast.Name):
            into.add(sub.id)
        elif isinstance(sub, ast.Starred) and isinstance(sub.value, ast.Name):
            into.add(sub.value.id)


def _quiet_statement(node: ast.AST, spelling: Spelling) -> bool:
    """A statement that spells no tracked name binds none (expressions are not checked:
    most lie on one line, where the check would cost more than it saves)."""
    return isinstance(node, ast.stmt) and spelling.quiet(node, dynamic=False)


def _may_bind(node: ast.AST) -> bool:
    """Whether a node can bind a name when the module has no ``:=``: any statement,
    pattern or handler can; an expression only as an assignment or ``del`` target."""
    return not isinstance(node, ast.expr) or isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del))


def _scope_bindings(
    body: Iterable[ast.AST], spelling: Optional[Spelling] = None, spelled: bool = False
) -> tuple[set[str], set[str], set[str]]:
    """Names bound, declared global and declared nonlocal directly in a scope's body.

    With a ``spelling``, statements that spell no tracked name are left out (the
    answers are only ever asked about tracked names), and so are the expressions
    that cannot bind one when the module has no ``:=``.  ``spelled``: the caller
    has left them out of ``body`` already (keeping, as :meth:`Spelling.quiet` does,
    those that spell a namespace-reading call: they can bind no tracked name either).
    """
    bound: set[str] = set()
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    walrus = spelling is None or spelling.walrus
    if spelled or spelling is None:
        stack = list(body)
    else:
        stack = [node for node in body if not _quiet_statement(node, spelling)]
    names = spelling.names if spelling is not None else None
    while stack:
        node = stack.pop()
        kind = type(node)  # exact types (ast.parse makes no subclasses): most nodes are names
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                bound.add(node.id)  # type: ignore[attr-defined]
            continue  # a name holds no other node
        if kind in DEFINITIONS:
            bound.add(node.name)  # type: ignore[attr-defined]
            if not walrus:
                continue
            stack.extend(node.decorator_list)  # type: ignore[attr-defined]
            if isinstance(node, ast.ClassDef):
                stack.extend(node.bases)
                stack.extend(kw.value for kw in node.keywords)
            else:
                stack.extend(node.args.defaults)  # type: ignore[attr-defined]
                stack.extend(d for d in node.args.kw_defaults if d is not None)  # type: ignore[attr-defined]
            continue
        if kind is ast.Lambda:
            if walrus:
                stack.extend(node.args.defaults)  # type: ignore[attr-defined]
                stack.extend(d for d in node.args.kw_defaults if d is not None)  # type: ignore[attr-defined]
            continue
        if kind in _COMPREHENSION_TYPES:
            # Only walrus targets leak out of a comprehension into this scope.
            for sub in _walk(node) if walrus else ():
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    bound.add(sub.target.id)
            continue
        if kind is ast.Import or kind is ast.ImportFrom:
            for alias in node.names:  # type: ignore[attr-defined]
                if alias.name != "*":
                    bound.add(alias.asname or alias.name.split(".")[0])
            continue  # its aliases hold no other node
        if kind is ast.Global:
            declared_global.update(node.names)  # type: ignore[attr-defined]
        elif kind is ast.Nonlocal:
            declared_nonlocal.update(node.names)  # type: ignore[attr-defined]
        elif kind is ast.ExceptHandler:
            if node.name:  # type: ignore[attr-defined]
                bound.add(node.name)  # type: ignore[attr-defined]
        elif kind in _MATCH_CAPTURES:
            name = getattr(node, "name", None)
            if name:
                bound.add(name)
        elif kind is _MATCH_MAPPING:
            rest = getattr(node, "rest", None)
            if rest:
                bound.add(rest)
        if names is None:
            stack.extend(_children(node))
            continue
        for child in _children(node):  # the statements that spell a tracked name, the targets
            if isinstance(child, ast.stmt):
                if names.spelled_in(child):
                    stack.append(child)
            elif walrus or _may_bind(child):
                stack.append(child)
    bound -= declared_global
    bound |= declared_nonlocal
    return bound, declared_global, declared_nonlocal


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``: runs when executed as a script, never on import."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in parts) and any(
        isinstance(p, ast.Constant) and p.value == "__main__" for p in parts
    )


def _runs_at_import_time(tree: ast.Module, spelling: Optional[Spelling] = None) -> dict[int, int]:
    """Module-level functions and methods that run while importing, by ``def`` line.

    Seeds are calls made outside function bodies (``setup()``, decorators,
    ``A()`` runs ``A.__init__``, ``x.m()`` runs any method named ``m``); then
    whatever those functions call, transitively.  Over-approximate on purpose:
    a function wrongly thought to run only stays where it is.  The value is
    the line of the import-time call that sets it off.  A call can only set one
    off by spelling its name, so with a ``spelling`` the walks skip every node
    whose lines spell none of the module's function, class or method names.
    """
    functions: dict[str, list[ast.AST]] = {}
    methods: dict[str, list[ast.AST]] = {}
    classes: dict[str, list[ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            inits = []
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods.setdefault(item.name, []).append(item)
                    if item.name in _INITS:
                        inits.append(item)
            classes.setdefault(node.name, []).extend(inits)

    def targets(call: ast.AST) -> list[ast.AST]:
        func = call.func if isinstance(call, ast.Call) else call
        if isinstance(func, ast.Name):
            return functions.get(func.id, []) + classes.get(func.id, [])
        if isinstance(func, ast.Attribute):
            return methods.get(func.attr, [])
        return []

    callable_names = set(functions) | set(methods) | {name for name, inits in classes.items() if inits}
    if not callable_names:
        return {}
    spelled = spelling.lines_of(callable_names) if spelling is not None else None

    def calls(nodes: list[ast.AST], inside_defs: bool) -> list[ast.AST]:
        found: list[ast.AST] = []
        stack = list(nodes)
        while stack:
            node = stack.pop()
            if spelled is not None and not spelled.spelled_in(node):
                continue
            if is_main_guard(node):
                stack.extend(node.orelse)  # type: ignore[attr-defined]
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not inside_defs:
                found.extend(node.decorator_list)
                stack.extend(node.decorator_list)
                stack.extend(node.args.defaults)
                stack.extend(d for d in node.args.kw_defaults if d is not None)
                continue
            if isinstance(node, ast.ClassDef) and not inside_defs:
                found.extend(node.decorator_list)
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Call):
                found.append(node)
            stack.extend(_children(node))
        return found

    running: dict[int, int] = {}
    pending = [(call, call.lineno) for call in calls(list(tree.body), False)]  # type: ignore[attr-defined]
    while pending:
        call, origin = pending.pop()
        for target in targets(call):
            line = target.lineno  # type: ignore[attr-defined]
            if line not in running:
                running[line] = origin
                pending.extend((c, origin) for c in calls(list(target.body), True))  # type: ignore[attr-defined]
    return running


def _run_at_import_time(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node evaluated while the module runs: all but function bodies (their decorators
    and defaults are) and lambdas."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            continue
        yield node
        stack.extend(_children(node))


def _loaded_at_import_time(tree: ast.Module) -> set[str]:
    """Names loaded outside function bodies: e.g. ``Depends(get_db)`` makes get_db a dependency."""
    return {node.id for node in _run_at_import_time(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def _passed_at_import_time(tree: ast.Module) -> set[str]:
    """Names handed to a call outside function bodies (``Depends(Service)``, decorators and
    defaults included): whoever is called may read what they are, signatures included."""
    passed: set[str] = set()
    for node in _run_at_import_time(tree):
        if isinstance(node, ast.Call):
            for value in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(value, ast.Starred):
                    value = value.value
                if isinstance(value, ast.Name):
                    passed.add(value.id)
    return passed


# Decorators known not to read the signature they wrap (by their last dotted part): the
# annotations of a function they decorate are evaluated when the ``def`` runs, and by no one else.
_SIGNATURE_BLIND = frozenset({
    "staticmethod", "classmethod", "property", "cached_property", "abstractmethod", "lru_cache", "cache",
    "overload", "override", "final", "contextmanager", "asynccontextmanager", "setter", "getter", "deleter",
})


def _reads_no_signature(decorator: ast.expr) -> bool:
    """Whether a decorator is one of :data:`_SIGNATURE_BLIND` (called or not)."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr in _SIGNATURE_BLIND
    return isinstance(decorator, ast.Name) and decorator.id in _SIGNATURE_BLIND


def exported_names(tree: ast.Module, spelling: Optional[Spelling] = None) -> tuple[set[str], int]:
    """String entries of ``__all__``, and the line where it is built in a way we cannot read.

    See :func:`listed_strings`; a ``spelling`` whose text never spells ``__all__``
    answers without a walk.
    """
    if spelling is not None and "__all__" not in spelling.text:
        return set(), 0
    names, unreadable = listed_strings(tree, "__all__")
    return set(names), unreadable


def listed_strings(tree: ast.Module, variable: str) -> tuple[list[str], int]:
    """String entries of a module-level list such as ``__all__`` or ``__lazy_modules__``, in
    the order they are first read, and the line where it is built in a way we cannot read.

    Literal lists, tuples and sets of strings, ``+`` of those, ``+=``,
    ``append`` and ``extend`` are read.  Anything else (``insert``, a call, a
    comprehension) returns its line, and then any string may be listed.
    """
    names: list[str] = []
    unreadable = 0

    def strings(value: ast.AST) -> bool:
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            ok = True
            for elt in value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    if elt.value not in names:
                        names.append(elt.value)
                else:
                    ok = False
            return ok
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return strings(value.left) & strings(value.right)
        return isinstance(value, ast.Name) and value.id == variable

    # The list is managed by module-level statements; function bodies are not read.
    nodes = [
        sub
        for stmt, _, _ in walk_import_time(tree.body)
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr))
        for sub in ast.walk(stmt)
    ]
    if not any(isinstance(n, ast.Name) and n.id == variable for n in nodes):
        return names, 0
    read_methods: set[int] = set()  # id() of ``<variable>.append``/``extend`` nodes we understood
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
                if node.value is not None and not strings(node.value):
                    unreadable = unreadable or node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if isinstance(func.value, ast.Name) and func.value.id == variable:
                if func.attr == "append" and len(node.args) == 1:
                    read = strings(ast.List(elts=list(node.args), ctx=ast.Load()))
                elif func.attr == "extend" and len(node.args) == 1:
                    read = strings(node.args[0])
                else:
                    read = False
                if read:
                    read_methods.add(id(func))
    for node in nodes:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == variable
            and id(node) not in read_methods
        ):
            unreadable = unreadable or node.lineno
    return names, unreadable


class _UsageWalker:
    """One recursive walk that records a :class:`Use` for every load of a tracked name."""

    def __init__(
        self, tree: ast.Module, names: set[str], future_annotations: bool,
        spelling: Optional[Spelling] = None,
    ) -> None:
        self.tree = tree
        self.names = names
        self.spelling = spelling
        # Spelling.quiet's opposite, one call shorter: the walk asks it of most nodes it meets.
        self._loud = spelling.walked().spelled_in if spelling is not None else None
        self.future = future_annotations
        self.uses: dict[str, list[Use]] = {name: [] for name in names}
        self.global_rebound: dict[str, int] = {}
        self.dynamic_line = 0
        self.real_only: dict[int, str] = {}  # id(Name node) -> why a proxy will not do
        self._running: Optional[dict[int, int]] = None
        self._loaded: Optional[set[str]] = None
        self._origins: dict[tuple[str, int], int] = {}  # see _import_time_origin
        self._passed: Optional[set[str]] = None  # see _passed_at_import_time
        # The module-level class being walked: (line, name).
        self._top_class: Optional[tuple[int, str]] = None
        # While a plain annotation is walked: (line of its def or class, the module-level
        # name another module would take to reach it), recorded on its uses.
        self._annotated: Optional[tuple[int, str]] = None

    # -- whole-module facts, each computed on first need ----------------
    @property
    def running(self) -> dict[int, int]:
        """See :func:`_runs_at_import_time`; only a use inside a module-level function asks."""
        if self._running is None:
            self._running = _runs_at_import_time(self.tree, self.spelling)
        return self._running

    def _import_time_origin(self, owner: _Owner) -> int:
        """Line of the import-time call that runs this module-level function or method, or 0.

        A call reaches a function only by spelling its name (or its class's, for
        ``__init__`` and the like), so a name spelled once -- at its ``def`` --
        needs no module-wide search.
        """
        key = (owner.name, owner.line)
        origin = self._origins.get(key)
        if origin is None:  # each use in the function asks: the text is scanned once per function
            if owner.name not in _INITS and self.spelling is not None and self.spelling.spelled_once(owner.name):
                origin = 0
            else:
                origin = self.running.get(owner.line, 0)
            self._origins[key] = origin
        return origin

    def _loaded_by_module(self, node: FunctionNode) -> bool:
        """Whether code run at import loads this function's name (``Depends(get_db)``).

        Only the reason given to its annotations depends on it, so a signature
        that spells no tracked name does not need the module-wide walk.
        """
        spelling = self.spelling
        if spelling is not None and node.body and not spelling.names.within(node.lineno, node.body[0].lineno):
            return False
        # A name spelled once, by its own ``def`` or ``class``, is loaded nowhere: then the
        # module-wide walks are not needed.
        if spelling is None or not spelling.spelled_once(node.name):
            if self._loaded is None:
                self._loaded = _loaded_at_import_time(self.tree)
            if node.name in self._loaded:
                return True
        # A method of a class handed over at import time (``Depends(Service)``): FastAPI and
        # dependency injectors read its ``__init__`` signature.
        if self._top_class is None or (spelling is not None and spelling.spelled_once(self._top_class[1])):
            return False
        if self._passed is None:
            self._passed = _passed_at_import_time(self.tree)
        return self._top_class[1] in self._passed

    # -- recording -------------------------------------------------------
    def _resolve(self, name: str, scope: _Scope) -> str:
        """Where a load of ``name`` in ``scope`` looks: "local", "global", or "class-global".

        "class-global": a class body that binds the name looks it up in the
        class namespace, then in the module, never in an enclosing function, so
        an import moved into that function would go unseen.
        """
        current: Optional[_Scope] = scope
        first = True
        while current is not None:
            if current.kind == "module":
                return "global"
            if current.kind == "class":
                if first and name in current.bound:
                    return "class-global"
            else:
                if name in current.declared_global:
                    return "global"
                if name in current.bound:
                    return "local"
            first = False
            current = current.parent
        return "global"

    def _record(
        self, name: str, node: ast.AST, scope: _Scope, owner: Optional[_Owner], reason: str
    ) -> None:
        if name not in self.names:
            return
        where = self._resolve(name, scope)
        if where == "local":
            return
        line = getattr(node, "lineno", 0)
        column = getattr(node, "col_offset", 0)
        if where == "class-global" and owner is not None and owner.kind != "lambda":
            why = "a class body that also binds it"
            self.uses[name].append(Use(_LAMBDA, line, column, why))
            return
        function_line, function_name = 0, ""
        if reason == "annotation-deferred" and (owner is None or owner.kind == "lambda"):
            # Never evaluated, but type checkers and get_type_hints() need the module name.
            kind, why = _ANNOTATION, "annotation"
        elif reason == "annotation-deferred" and owner is not None:
            # Inside a function an import placed at its top serves the annotation too.
            kind, why, function_line, function_name = _FUNCTION, "", owner.line, owner.name
        elif owner is None:
            kind, why = _IMPORT_TIME, reason
            if reason == "annotation" and self._annotated is not None:
                function_line, function_name = self._annotated
        elif owner.kind == "lambda":
            kind, why = _LAMBDA, "the __main__ block" if owner.name == "__main__" else "a lambda body"
        elif owner.kind == "function-top" and self._import_time_origin(owner):
            kind = _IMPORT_TIME
            why = f"inside {owner.name}(), which runs at import time from line {self._import_time_origin(owner)}"
        else:
            kind, why, function_line, function_name = _FUNCTION, "", owner.line, owner.name
        needs_real = self.real_only.get(id(node)) or ""
        self.uses[name].append(Use(kind, line, column, why, function_line, function_name, needs_real))

    def _mentions(self, node: FunctionNode) -> bool:
        """Whether the function's body text spells any tracked name (cheap, conservative)."""
        if self.spelling is None or not node.body:
            return True
        # From the first statement's decorators: ``@wraps(f)`` on a nested def is a use.
        return self.spelling.names.within(_span(node.body[0])[0], node.end_lineno or node.body[-1].lineno)

    def _real_only(self, node: Optional[ast.AST], why: str) -> None:
        """Remember bare names in positions where Python needs the real class or object."""
        elements: list[ast.AST] = []
        if isinstance(node, ast.Tuple):
            elements.extend(node.elts)
        elif node is not None:
            elements.append(node)
        for element in elements:
            if isinstance(element, ast.Name):
                self.real_only[id(element)] = why

    # -- walking ---------------------------------------------------------
    def visit(self, node: Optional[ast.AST], scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        """:meth:`expr` for an expression a statement holds, unless its lines spell nothing to find
        (or it is a name that is not tracked, or an import's alias: neither can hold a use)."""
        if node is None:
            return
        kind = type(node)
        if (kind is ast.Name and node.id not in self.names) or kind is ast.alias:  # type: ignore[attr-defined]
            return
        if self._loud is None or self._loud(node):
            self.expr(node, scope, owner, reason)

    def _visit_within(self, node: Optional[ast.AST], scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        """:meth:`visit` for an expression of a statement on one line that is not quiet:
        that line spells what the check looks for, so the expression need not be checked."""
        if node is None:
            return
        kind = type(node)
        if (kind is ast.Name and node.id not in self.names) or kind is ast.alias:  # type: ignore[attr-defined]
            return
        self.expr(node, scope, owner, reason)

    def expr(self, node: Optional[ast.AST], scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        """Record the uses in an expression, depth first in field order (the first
        namespace-reading call found is the one reported, so the order matters).

        One loop over a stack rather than a call per node: every node below shares
        ``scope``, ``owner`` and ``reason`` until a lambda or a comprehension, which
        start a walk of their own.
        """
        if node is None:
            return
        names = self.names
        annotation = reason.startswith("annotation")  # only a string annotation can hold a use
        stack = [node]
        pop = stack.pop
        push = stack.append
        while stack:
            node = pop()
            kind = type(node)
            if kind is ast.Name:
                ctx = type(node.ctx)  # type: ignore[attr-defined]
                if ctx is ast.Load:
                    self._record(node.id, node, scope, owner, reason)  # type: ignore[attr-defined]
                elif ctx is ast.Del and owner is None:
                    self._record(node.id, node, scope, owner, "del statement")  # type: ignore[attr-defined]
                continue
            if kind is ast.Attribute or kind is ast.keyword:
                # The commonest nodes with children, and each has one: what _children gives.
                child: ast.AST = node.value  # type: ignore[attr-defined]
                kind = type(child)
                if (kind is not ast.Name or child.id in names) and (kind is not ast.Constant or annotation):  # type: ignore[attr-defined]
                    push(child)
                continue
            if kind is ast.Lambda:
                args: ast.arguments = node.args  # type: ignore[attr-defined]
                self._arguments_defaults(args, scope, owner, reason)
                inner = self._new_scope("lambda", scope, [node.body], args)  # type: ignore[attr-defined]
                lambda_owner = owner if owner is not None else _Owner("lambda", node.lineno, "<lambda>")  # type: ignore[attr-defined]
                self.expr(node.body, inner, lambda_owner, reason)  # type: ignore[attr-defined]
                continue
            if kind in _COMPREHENSION_TYPES:
                self._comprehension(node, scope, owner, reason)
                continue
            if kind is ast.Call:
                func = node.func  # type: ignore[attr-defined]
                if type(func) is ast.Name:
                    if func.id in NAMESPACE_CALLS and not self.dynamic_line:
                        self.dynamic_line = node.lineno  # type: ignore[attr-defined]
                    if func.id == "super" and node.args:  # type: ignore[attr-defined]
                        self._real_only(node.args[0], "super() argument")  # type: ignore[attr-defined]
                    elif func.id == "type":
                        for arg in node.args:  # type: ignore[attr-defined]
                            self._real_only(arg, "type() call")
                children: list[ast.AST] = [func, *node.args, *node.keywords]  # type: ignore[attr-defined]
            elif kind is ast.Compare:
                if any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):  # type: ignore[attr-defined]
                    operands = [node.left, *node.comparators]  # type: ignore[attr-defined]
                    why = IDENTITY
                    if len(operands) == 2 and any(isinstance(o, ast.Constant) and o.value is None for o in operands):
                        why = NONE_IDENTITY
                    for operand in operands:
                        self._real_only(operand, why)
            elif kind is ast.Constant:
                if annotation and isinstance(node.value, str):  # type: ignore[attr-defined]
                    self._string_annotation(node, scope, owner, reason)  # type: ignore[arg-type]
                    continue
            elif kind is _MATCH_CLASS:  # a ``case Cls(...)`` pattern
                self._real_only(node.cls, "class pattern")  # type: ignore[attr-defined]
            if kind is not ast.Call:
                children = _children(node)
            children.reverse()
            for child in children:
                # Leaves that cannot hold a use are passed over here: most nodes are such leaves.
                kind = type(child)
                if (kind is not ast.Name or child.id in names) and (kind is not ast.Constant or annotation):  # type: ignore[attr-defined]
                    push(child)

    def _string_annotation(self, node: ast.Constant, scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        try:
            parsed = ast.parse(str(node.value).strip(), mode="eval")
        except SyntaxError:
            return
        for sub in ast.walk(parsed):
            if isinstance(sub, ast.Name):
                # A quoted annotation is only evaluated by get_type_hints()-style callers.
                deferred = reason if reason == "annotation of a route or model" else "annotation-deferred"
                self._record(sub.id, node, scope, owner, deferred)

    def _comprehension(self, node: ast.AST, scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self.expr(generators[0].iter, scope, owner, reason)
        inner = _Scope("comprehension", scope)
        for gen in generators:
            _target_names(gen.target, inner.bound)
        for index, gen in enumerate(generators):
            if index:
                self.expr(gen.iter, inner, owner, reason)
            for cond in gen.ifs:
                self.expr(cond, inner, owner, reason)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, inner, owner, reason)
            self.expr(node.value, inner, owner, reason)
        else:
            self.expr(node.elt, inner, owner, reason)  # type: ignore[attr-defined]

    def _new_scope(
        self, kind: str, parent: _Scope, body: Sequence[ast.AST], args: Optional[ast.arguments], spelled: bool = False
    ) -> _Scope:
        bound, declared_global, _ = _scope_bindings(body, self.spelling, spelled)
        if args is not None:
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
                bound.add(arg.arg)
            if args.vararg:
                bound.add(args.vararg.arg)
            if args.kwarg:
                bound.add(args.kwarg.arg)
        return _Scope(kind, parent, bound - declared_global, declared_global)

    def _arguments_defaults(self, args: ast.arguments, scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.visit(default, scope, owner, "default value" if owner is None else reason)

    def _annotations(self, node: FunctionNode, scope: _Scope, owner: Optional[_Owner]) -> None:
        args = node.args
        annotations = [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs]
        annotations += [args.vararg.annotation if args.vararg else None]
        annotations += [args.kwarg.annotation if args.kwarg else None, node.returns]
        evaluated_by_framework = owner is None and (
            not all(map(_reads_no_signature, node.decorator_list)) or self._loaded_by_module(node)
        )
        if evaluated_by_framework:
            reason = "annotation of a route or model"
        elif self.future:
            reason = "annotation-deferred"
        else:
            reason = "annotation"
        outer = self._annotated
        if owner is None:
            # A plain annotation: the def it belongs to and the module-level name that carries it.
            self._annotated = (node.lineno, self._top_class[1] if self._top_class else node.name)
        for annotation in annotations:
            self.visit(annotation, scope, owner, reason)
        self._annotated = outer

    def statements(self, body: list[ast.stmt], scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        for stmt in body:
            self.statement(stmt, scope, owner, reason)

    def _spelled(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """The statements of a body that :meth:`statement` would not skip as quiet: the scope's
        bindings and its walk both need them, and one check serves both."""
        loud = self._loud
        if loud is None:
            return body
        return [stmt for stmt in body if loud(stmt)]

    def statement(self, node: ast.stmt, scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        node_type = type(node)
        if node_type is ast.Import or node_type is ast.ImportFrom:
            return  # it holds only aliases, which hold no use (see visit)
        if self._loud is not None and not self._loud(node):
            return  # quiet: nothing it holds can be a use, nor a namespace read
        self._statement(node, scope, owner, reason)

    def _statement(self, node: ast.stmt, scope: _Scope, owner: Optional[_Owner], reason: str) -> None:
        """:meth:`statement` for one that is not quiet."""
        kind = type(node)
        if kind is ast.Import or kind is ast.ImportFrom:
            return
        if kind is ast.Assign:  # the commonest statements, whose children are all expressions
            visit = self._visit_within if node.end_lineno == node.lineno else self.visit
            for target in node.targets:  # type: ignore[attr-defined]
                visit(target, scope, owner, reason)
            visit(node.value, scope, owner, reason)  # type: ignore[attr-defined]
            return
        if kind is ast.Return or kind is ast.Expr:
            visit = self._visit_within if node.end_lineno == node.lineno else self.visit
            visit(node.value, scope, owner, reason)  # type: ignore[attr-defined]
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                self.visit(deco, scope, owner, "decorator" if owner is None else reason)
            self._arguments_defaults(node.args, scope, owner, reason)
            self._annotations(node, scope, owner)
            if not self._mentions(node):
                return  # the body never spells a tracked name: nothing to find there
            body = self._spelled(node.body)
            inner = self._new_scope("function", scope, body, node.args, spelled=True)
            self._note_global_rebinds(inner, node)
            # Module-level functions and methods of module-level classes may run on import.
            top = scope.kind == "module" or (scope.kind == "class" and scope.parent is not None
                                             and scope.parent.kind == "module")
            function = _Owner("function-top" if top else "function", node.lineno, node.name)
            for stmt in body:
                self._statement(stmt, inner, function, reason)
            return
        if isinstance(node, ast.ClassDef):
            for deco in node.decorator_list:
                self.visit(deco, scope, owner, "decorator" if owner is None else reason)
            for base in node.bases:
                self.visit(base, scope, owner, "base class" if owner is None else reason)
            for keyword in node.keywords:
                self.visit(keyword.value, scope, owner, "class keyword" if owner is None else reason)
            body = self._spelled(node.body)
            inner = self._new_scope("class", scope, body, None, spelled=True)
            model_like = bool(node.bases or node.decorator_list or node.keywords)
            body_reason = "class body" if owner is None else reason
            outer = self._top_class
            if scope.kind == "module":
                self._top_class = (node.lineno, node.name)
            for stmt in body:
                if not isinstance(stmt, ast.AnnAssign):
                    self._statement(stmt, inner, owner, body_reason)
                else:
                    self._annotated_assignment(stmt, inner, owner, body_reason, in_class=True,
                                               model_like=model_like)
            self._top_class = outer
            return
        if isinstance(node, ast.AnnAssign):
            self._annotated_assignment(node, scope, owner, reason, in_class=False, model_like=False)
            return
        if scope.kind == "module" and owner is None and is_main_guard(node):
            # Runs only as a script: the name must exist at module level, but not on import.
            assert isinstance(node, ast.If)
            self.statements(node.body, scope, _Owner("lambda", node.lineno, "__main__"), reason)
            self.statements(node.orelse, scope, owner, reason)
            return
        if isinstance(node, ast.If) and scope.kind == "module" and is_type_checking(node.test):
            # Only type checkers run this body; its else branch runs for real.
            self.statements(node.orelse, scope, owner, reason)
            return
        if isinstance(node, ast.Global):
            return
        if isinstance(node, ast.Raise):
            self._real_only(node.exc, "raise statement")
        for child in _children(node):
            if isinstance(child, ast.stmt):
                self.statement(child, scope, owner, reason)
            elif isinstance(child, ast.excepthandler):
                self._real_only(child.type, "except clause")  # type: ignore[attr-defined]
                self.visit(child.type, scope, owner, reason)  # type: ignore[attr-defined]
                self.statements(child.body, scope, owner, reason)  # type: ignore[attr-defined]
            elif type(child) is _MATCH_CASE:
                self.visit(child.pattern, scope, owner, reason)  # type: ignore[attr-defined]
                self.visit(child.guard, scope, owner, reason)  # type: ignore[attr-defined]
                self.statements(child.body, scope, owner, reason)  # type: ignore[attr-defined]
            else:
                self.visit(child, scope, owner, reason)

    def _annotated_assignment(
        self,
        node: ast.AnnAssign,
        scope: _Scope,
        owner: Optional[_Owner],
        reason: str,
        in_class: bool,
        model_like: bool,
    ) -> None:
        if scope.kind == "function" or (owner is not None and not in_class):
            annotation_reason = "annotation-deferred"  # local annotations are never evaluated
        elif in_class and model_like and owner is None:
            annotation_reason = "annotation of a route or model"
        elif self.future:
            annotation_reason = "annotation-deferred"
        else:
            annotation_reason = "annotation" if owner is None else reason
        outer = self._annotated
        if annotation_reason == "annotation":
            if self._top_class is not None:
                self._annotated = self._top_class
            elif isinstance(node.target, ast.Name):
                self._annotated = (node.lineno, node.target.id)
        visit = self._visit_within if node.end_lineno == node.lineno else self.visit
        visit(node.annotation, scope, owner, annotation_reason)
        self._annotated = outer
        visit(node.target, scope, owner, reason)
        visit(node.value, scope, owner, reason)

    def _note_global_rebinds(self, inner: _Scope, node: FunctionNode) -> None:
        for name in inner.declared_global & self.names:
            stored = any(
                isinstance(sub, ast.Name) and sub.id == name and not isinstance(sub.ctx, ast.Load)
                for sub in _walk(node)
            ) or any(
                isinstance(sub, (ast.Import, ast.ImportFrom))
                and any((a.asname or a.name.split(".")[0]) == name for a in sub.names)
                for sub in _walk(node)
            )
            if stored:
                self.global_rebound.setdefault(name, node.lineno)


def module_bindings(
    tree: ast.Module, names: set[str], spelling: Optional[Spelling] = None
) -> dict[str, list[int]]:
    """Lines where each tracked name is bound in the module namespace (imports included).

    Every binding form counts (assignments, ``def``/``class`` names, loop, with
    and except targets, walrus anywhere, match captures, ``del``), but not
    class attributes or function locals, and not ``if TYPE_CHECKING:`` bodies.
    With a ``spelling`` of ``names``, nodes whose lines spell none of them are
    skipped, and so are, when the module has no ``:=``, the expressions that are
    not assignment targets (decorators, defaults, values...): in those only a
    walrus can bind a name.
    """
    bound: dict[str, list[int]] = {name: [] for name in names}
    walrus = spelling is None or spelling.walrus
    spelled = spelling.names if spelling is not None else None
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if spelled is not None and not spelled.spelled_in(node):
            continue
        kind = type(node)  # exact types (ast.parse makes no subclasses)
        found: list[str] = []
        if kind is ast.Name:  # the commonest node here, and it holds no other
            if type(node.ctx) is not ast.Load and node.id in bound:  # type: ignore[attr-defined]
                bound[node.id].append(node.lineno)  # type: ignore[attr-defined]
            continue
        if kind is ast.Import or kind is ast.ImportFrom:  # its aliases bind nothing more
            aliases: list[ast.alias] = node.names  # type: ignore[attr-defined]
            found.extend(a.asname or a.name.split(".")[0] for a in aliases if a.name != "*")
        elif kind in DEFINITIONS:
            found.append(node.name)  # type: ignore[attr-defined]
            if walrus:
                stack.extend(node.decorator_list)  # type: ignore[attr-defined]
                if isinstance(node, ast.ClassDef):
                    stack.extend(node.bases)
                else:
                    stack.extend(node.args.defaults)  # type: ignore[attr-defined]
        elif kind is ast.Lambda:
            if walrus:
                stack.extend(node.args.defaults)  # type: ignore[attr-defined]
        elif kind in _COMPREHENSION_TYPES:
            for sub in _walk(node) if walrus else ():
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    found.append(sub.target.id)
        elif kind is ast.If and is_type_checking(node.test):  # type: ignore[attr-defined]
            stack.extend(node.orelse)  # type: ignore[attr-defined]
        else:
            if kind is ast.ExceptHandler:
                if node.name:  # type: ignore[attr-defined]
                    found.append(node.name)  # type: ignore[attr-defined]
            elif kind in _MATCH_CAPTURES:
                if getattr(node, "name", None):
                    found.append(node.name)  # type: ignore[attr-defined]
            elif kind is _MATCH_MAPPING:
                if getattr(node, "rest", None):
                    found.append(node.rest)  # type: ignore[attr-defined]
            stack.extend(reversed([c for c in _children(node) if walrus or _may_bind(c)]))
        line = getattr(node, "lineno", 0)
        for name in found:
            if name in bound:
                bound[name].append(line)
    return bound


def _rebound_line(tree: ast.Module, lines: list[int]) -> int:
    """The second module-level binding of a name, or 0 when there is none or when no two of
    its bindings can both run (each in another block of one ``if``/``elif``/``else``)."""
    if len(lines) < 2:
        return 0
    paths = [branch_path(tree.body, line) for line in lines]
    if all(exclusive(first, second) for index, first in enumerate(paths) for second in paths[index + 1:]):
        return 0
    return lines[1]


_LINE_AND_COLUMN = itemgetter(1, 2)  # of a Use: (line, column), without a Python call per use


def analyse_usage(
    tree: ast.Module, names: set[str], future_annotations: bool, text: Optional[str] = None
) -> dict[str, NameUsage]:
    """Uses of each name in ``names`` (bound at module level by imports).

    With the source ``text`` (:attr:`ParsedSource.text`), statements and
    function bodies that never spell a tracked name are skipped without
    walking them (see :class:`Spelling`); the result is the same.
    """
    spelling = Spelling(text, names) if text is not None else None
    walker = _UsageWalker(tree, names, future_annotations, spelling)
    module_scope = _Scope("module", None)
    walker.statements(tree.body, module_scope, None, "module statement")
    exported, computed_all = exported_names(tree, spelling)
    bindings = module_bindings(tree, names, spelling)
    result: dict[str, NameUsage] = {}
    for name in names:
        binding_lines = bindings.get(name, [])
        if name in exported:
            why = "listed in __all__"
        elif computed_all and not name.startswith("_"):
            why = f"__all__ is computed at line {computed_all}, so it may list it"
        else:
            why = ""
        result[name] = NameUsage(
            uses=tuple(sorted(walker.uses[name], key=_LINE_AND_COLUMN)),
            exported=why,
            rebound_line=_rebound_line(tree, binding_lines),
            global_rebound_line=walker.global_rebound.get(name, 0),
            dynamic_line=walker.dynamic_line,
            bindings=tuple(binding_lines) if len(binding_lines) > 1 else (),
        )
    return result
