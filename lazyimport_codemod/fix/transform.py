"""Apply the analysis' plans to one module with LibCST.

The ast analysis decides what happens to each imported name; this module only
edits, and edits nothing else: the tree is parsed from the file's bytes, so
the encoding cookie, a BOM, CRLF line endings, tabs and every comment survive
``Module.bytes`` unchanged.  Generated code is parsed with the module's own
config so it takes the file's newline and indentation.

It works in three steps:

1. locate: find each planned statement by its ast position (line and UTF-8
   column) and each target function by the line of its ``def`` keyword;
2. plan the edits: which aliases leave which statement, which import lines go
   to the top of which function, the one ``if TYPE_CHECKING: ... else:``
   block that binds the proxied names, which aliases become ``lazy`` (PEP 810;
   the statement itself when all of them do, else a ``lazy`` statement on the
   next line) and which modules go into ``__lazy_modules__``
   (:mod:`~lazyimport_codemod.fix.pep810`);
3. rewrite with a :class:`libcst.CSTTransformer` keyed by the original nodes,
   then make sure the result still compiles (parses, where it holds syntax
   newer than the running Python).
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider, ScopeProvider

from lazyimport_codemod.fix.annotations import QuoteError, quote_annotations
from lazyimport_codemod.fix.facade import FACADE_HELPER, facade_block
from lazyimport_codemod.fix.optional import SUPPORT_IMPORT, GuardError, with_guards
from lazyimport_codemod.fix.pep810 import LAZY_TYPES, as_lazy, with_lazy_modules
from lazyimport_codemod.parse.newer_syntax import lazy_bindings
from lazyimport_codemod.parse.source import SourceError, char_column, parse_source
from lazyimport_codemod.records import PROXY_NAMES, Action, ImportedName, ImportStatement, NamePlan, Where
from lazyimport_codemod.settings.config import DEFAULT_LINE_LENGTH, DEFAULT_RUNTIME_MODULE, PEP810

ImportNode = Union[cst.Import, cst.ImportFrom]
# What fix rewrites an import statement for.
_EDITS = frozenset({Action.INLINE, Action.PROXY, Action.LAZY, Action.LAZY_MODULES, Action.FACADE})
# The alias index that stands for the ``*`` of a star import.
_STAR = -1
FunctionKey = tuple[int, str]
# ("import", dotted, asname) or ("from", level, module, name, asname): what a local import binds.
Signature = tuple[object, ...]

_NEWLINES = re.compile(r"\r\n|\r|\n")
# A comment the tokenizer reads as a type comment (``# type: ignore`` is not one).
_TYPE_COMMENT = re.compile(r"#[ \t]*type:(?![ \t]*ignore(?![0-9A-Za-z]))")


class TransformError(Exception):
    """The plans cannot be applied to this source; the message is one line."""


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------


def apply_plans(
    source: bytes,
    plans: Sequence[NamePlan],
    runtime_module: str = DEFAULT_RUNTIME_MODULE,
    line_length: int = DEFAULT_LINE_LENGTH,
) -> bytes:
    """Return ``source`` with the INLINE, PROXY, LAZY, LAZY_MODULES and FACADE plans applied.

    LEAVE and DOWNSTREAM plans change nothing here, so an empty (or
    all-LEAVE) plan list returns the input object itself.  Raises
    :class:`TransformError` when a plan does not match the source or the
    result would not compile; the caller then leaves the file alone.
    """
    active = _active_plans(plans)
    if not active:
        return source
    try:
        guarded, active = with_guards(source, active)
        module = cst.parse_module(_with_quoted_annotations(guarded, active))
    except cst.ParserSyntaxError as exc:
        raise TransformError(f"cannot parse with LibCST: {_one_line(str(exc))}") from None
    except GuardError as exc:
        raise TransformError(str(exc)) from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    index = _Index.build(module, positions, _decoded_lines(guarded, module.encoding))
    if any(plan.decision.action is Action.PROXY for plan in active):
        _check_generated_names(wrapper, positions, runtime_module)
    edits = _EditPlanner(module, index, runtime_module, line_length).plan(active)
    try:
        result = module.visit(_Rewriter(module, edits)).bytes
    except (cst.CSTValidationError, cst.ParserSyntaxError) as exc:
        raise TransformError(f"cannot build the rewritten module: {_one_line(str(exc))}") from None
    result = _restore_last_line_break(source, result)
    _check_compiles(result, source)
    return result


def _with_quoted_annotations(source: bytes, plans: Sequence[NamePlan]) -> bytes:
    """``source`` with the annotations the plans quote quoted: every line stays where it
    was, so the plans' positions still hold (:mod:`~lazyimport_codemod.fix.annotations`)."""
    names: dict[str, frozenset[int]] = {}
    for plan in plans:
        if plan.decision.quoted:
            names[plan.name.bound] = names.get(plan.name.bound, frozenset()) | frozenset(plan.decision.quoted)
    if not names:
        return source
    try:
        return quote_annotations(source, names)
    except QuoteError as exc:
        raise TransformError(str(exc)) from None


def _active_plans(plans: Sequence[NamePlan]) -> list[NamePlan]:
    """The plans that edit this file, deduplicated, in source order."""
    seen: set[tuple[int, int, str]] = set()
    active: list[NamePlan] = []
    for plan in plans:
        if plan.decision.action not in _EDITS:
            continue
        key = (plan.statement.line, plan.statement.column, plan.name.bound)
        if key in seen:
            continue
        seen.add(key)
        active.append(plan)
    active.sort(key=lambda p: (p.statement.line, p.statement.column))
    return active


def _check_generated_names(
    wrapper: MetadataWrapper, positions: Mapping[cst.CSTNode, CodeRange], runtime_module: str
) -> None:
    """A proxy block uses ``lazy_import`` and ``TYPE_CHECKING``: the module may bind them
    only by importing them from the runtime module and from ``typing``.

    Anything else (another project's ``lazy_import``, ``def lazy_import``,
    ``TYPE_CHECKING = False``) would be reused or silently rebound.  The deferral
    decision refuses such modules already; this is the last safety net, on
    LibCST's complete view of the bindings (a ``global`` in a function, say).
    """
    scope = wrapper.resolve(ScopeProvider)[wrapper.module]
    assert scope is not None
    lazy = lazy_bindings(wrapper.module)  # LibCST's scope analysis leaves these out
    for name, required in PROXY_NAMES.items():
        source = required or runtime_module
        nodes = [getattr(assignment, "node", None) for assignment in scope.assignments[name]] + lazy.get(name, [])
        for node in nodes:
            if isinstance(node, (cst.ImportFrom, cst.LazyImportFrom)) and _imports_itself(node, name, source):
                continue
            where = ""
            if isinstance(node, cst.CSTNode) and node in positions:
                where = f" at line {positions[node].start.line}"
            raise TransformError(
                f"the module binds `{name}`{where} to something other than"
                f" `from {source} import {name}`, and a proxy needs that name"
            )


def _imports_itself(node: Union[cst.ImportFrom, cst.LazyImportFrom], name: str, source: str) -> bool:
    """Whether every alias of ``node`` that binds ``name`` is ``name`` taken from ``source``.

    A relative import counts when it names the end of ``source`` (``from ._lazy``
    for ``app._lazy``): which package the dots mean is not known here.
    """
    written = get_full_name_for_node(node.module) if node.module is not None else ""
    if node.relative:
        if not written or not source.endswith(f".{written}"):
            return False
    elif written != source:
        return False
    return not isinstance(node.names, cst.ImportStar) and all(
        get_full_name_for_node(alias.name) == name
        for alias in node.names
        if (_asname(alias) or get_full_name_for_node(alias.name)) == name
    )


def _restore_last_line_break(source: bytes, result: bytes) -> bytes:
    """LibCST drops the last ``\\r`` of a file with old-Mac line endings; put it back."""
    for ending in (b"\r\n", b"\r", b"\n"):
        if source.endswith(ending):
            if not result.endswith((b"\r", b"\n")):
                return result + ending
            break
    return result


def _check_compiles(result: bytes, source: bytes) -> None:
    """The last safety net: a file whose rewrite does not compile is never written.

    A result in syntax newer than this Python (``lazy`` imports written for a 3.15
    target, or the file's own) cannot compile here: when this Python has no lazy
    imports or cannot compile the original either, the result must parse instead, as
    lint parses such files (:func:`~lazyimport_codemod.parse.source.parse_source`).
    """
    problem = _compile_problem(result)
    if problem is None:
        return
    if sys.version_info < PEP810 or _compile_problem(source) is not None:
        try:
            parse_source(result)
            return
        except SourceError:
            pass
    raise TransformError(f"result does not compile: {problem}")


def _compile_problem(code: bytes) -> Optional[str]:
    """Why ``code`` does not compile on this Python, or None."""
    try:
        with warnings.catch_warnings():  # the user's own invalid escapes are not ours to print
            warnings.simplefilter("ignore")
            compile(code, "<lazyimport fix>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        return f"{_one_line(message)}{where}"
    return None


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


def _decoded_lines(source: bytes, encoding: str) -> list[str]:
    """Source lines as ast numbers them (``\\r\\n``, ``\\r`` and ``\\n`` all end a line)."""
    return _NEWLINES.split(source.decode(encoding))


# ---------------------------------------------------------------------------
# step 1: locate statements and functions
# ---------------------------------------------------------------------------


@dataclass
class _Site:
    """Where one import statement sits in the LibCST tree."""

    node: Union[ImportNode, cst.LazyImport, cst.LazyImportFrom]
    top: cst.BaseStatement  # the module-level statement that contains it
    line_node: Union[cst.SimpleStatementLine, cst.SimpleStatementSuite, None]
    column: int  # in characters, as LibCST counts
    in_class: bool


class _Collector(cst.CSTVisitor):
    """Records import statements outside functions, and every function by its ``def`` line."""

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange]) -> None:
        super().__init__()
        self.positions = positions
        self.top: Optional[cst.BaseStatement] = None
        self.sites: dict[int, list[_Site]] = {}
        self.functions: dict[FunctionKey, cst.FunctionDef] = {}
        self.columns: dict[FunctionKey, int] = {}  # where each ``def`` starts
        self._function_depth = 0
        self._class_depth = 0
        self._line_node: list[Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # The FunctionDef's range starts at ``async``/``def``, not at a decorator,
        # which is exactly ast's ``lineno``.
        start = self.positions[node].start
        key = (start.line, node.name.value)
        self.functions.setdefault(key, node)
        self.columns.setdefault(key, start.column)
        self._function_depth += 1
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._function_depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._class_depth += 1
        return True

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_depth -= 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self._line_node.append(node)
        return True

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._line_node.pop()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> bool:
        self._line_node.append(node)
        return True

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._line_node.pop()

    def visit_Import(self, node: cst.Import) -> bool:
        self._record(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self._record(node)
        return False

    # A lazy import is never planned (it loads nothing, or is resolved anyway), but it is
    # still an import statement at its position.
    def visit_LazyImport(self, node: cst.LazyImport) -> bool:
        self._record(node)
        return False

    def visit_LazyImportFrom(self, node: cst.LazyImportFrom) -> bool:
        self._record(node)
        return False

    def _record(self, node: Union[ImportNode, cst.LazyImport, cst.LazyImportFrom]) -> None:
        if self._function_depth or self.top is None:
            return
        start = self.positions[node].start
        site = _Site(
            node=node,
            top=self.top,
            line_node=self._line_node[-1] if self._line_node else None,
            column=start.column,
            in_class=self._class_depth > 0,
        )
        self.sites.setdefault(start.line, []).append(site)


@dataclass
class _Index:
    """Positions of the original tree, queried with the analysis' coordinates."""

    sites: dict[int, list[_Site]]
    functions: dict[FunctionKey, cst.FunctionDef]
    columns: dict[FunctionKey, int]
    lines: list[str]
    statements: dict[int, cst.BaseStatement] = field(default_factory=dict)  # module-level, by first line

    @classmethod
    def build(
        cls, module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange], lines: list[str]
    ) -> _Index:
        collector = _Collector(positions)
        for top in module.body:
            collector.top = top
            top.visit(collector)
        statements: dict[int, cst.BaseStatement] = {positions[top].start.line: top for top in module.body}
        return cls(collector.sites, collector.functions, collector.columns, lines, statements)

    def site(self, statement: ImportStatement) -> _Site:
        """The import node the analysis means, by line and (for ``a; b``) column."""
        candidates = self.sites.get(statement.line, [])
        if len(candidates) > 1:
            column = self._char_column(statement.line, statement.column)
            candidates = [site for site in candidates if site.column == column]
        if len(candidates) != 1:
            raise TransformError(
                f"no import statement at line {statement.line}, column {statement.column + 1}"
            )
        site = candidates[0]
        if isinstance(site.node, LAZY_TYPES):
            raise TransformError(f"the import at line {statement.line} is lazy already")
        if isinstance(site.node, cst.ImportFrom) != statement.is_from:
            raise TransformError(f"the import at line {statement.line} is not the planned form")
        return site

    def function(self, key: FunctionKey) -> cst.FunctionDef:
        try:
            return self.functions[key]
        except KeyError:
            raise TransformError(f"no function `{key[1]}` defined at line {key[0]}") from None

    def _char_column(self, line: int, byte_column: int) -> int:
        if not 0 < line <= len(self.lines):
            return byte_column
        return char_column(self.lines[line - 1], byte_column)


def _alias_index(node: ImportNode, name: ImportedName) -> int:
    """Position of the planned name among the statement's aliases."""
    if isinstance(node.names, cst.ImportStar):
        if name.star:
            return _STAR
        raise TransformError("a star import cannot be deferred")
    for index, alias in enumerate(node.names):
        written = get_full_name_for_node(alias.name)
        asname = _asname(alias)
        expected = name.attribute if isinstance(node, cst.ImportFrom) else name.module
        if written == expected and asname == name.asname:
            return index
    raise TransformError(f"`{name.bound}` is not imported by the planned statement")


def _asname(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is None:
        return None
    target = alias.asname.name
    return target.value if isinstance(target, cst.Name) else get_full_name_for_node(target)


# ---------------------------------------------------------------------------
# step 2: decide the edits
# ---------------------------------------------------------------------------


@dataclass
class _StatementWork:
    """What happens to one planned statement."""

    statement: ImportStatement
    site: _Site
    inline: dict[FunctionKey, list[ImportedName]] = field(default_factory=dict)
    proxy: list[ImportedName] = field(default_factory=list)
    facade: list[ImportedName] = field(default_factory=list)
    served: list[tuple[str, str]] = field(default_factory=list)  # facade entries, in order
    removed: set[int] = field(default_factory=set)  # alias indexes (_STAR: the star)
    lazy: set[int] = field(default_factory=set)  # alias indexes that stay, marked ``lazy``
    comments: dict[int, list[str]] = field(default_factory=dict)  # alias index -> comments

    def fully_removed(self) -> bool:
        return _all_removed(self.site.node, self.removed)

    @property
    def node(self) -> ImportNode:
        node = self.site.node
        assert isinstance(node, (cst.Import, cst.ImportFrom))  # Index.site refuses lazy ones
        return node


@dataclass
class _ProxyEdit:
    """The ``if TYPE_CHECKING`` block, or the additions to one a previous run made."""

    anchor: Optional[cst.BaseStatement]  # module-level statement the block goes next to (None: no block)
    support: list[str]  # imports of TYPE_CHECKING / lazy_import, placed just before ``support_anchor``
    block: Optional[str]  # code of a new block, None when merging or when there is none
    merge_into: Optional[cst.If] = None
    merge_checks: list[str] = field(default_factory=list)
    merge_assignments: list[str] = field(default_factory=list)
    replaces: bool = False  # a facade: the anchor (an earlier run's facade line) gives way to it
    # The module-level statement the support imports go before (or after, when it is an
    # import line fix edits): the block's anchor, or an earlier conditional that needs them.
    support_anchor: Optional[cst.BaseStatement] = None


@dataclass
class _Edits:
    """Everything the rewriter applies, keyed by ``id()`` of original nodes."""

    removals: dict[int, set[int]] = field(default_factory=dict)  # import node -> alias indexes
    lazy: dict[int, set[int]] = field(default_factory=dict)  # import node -> alias indexes made lazy
    lazy_modules: list[str] = field(default_factory=list)  # for ``__lazy_modules__``, in order
    removed_lines: set[int] = field(default_factory=set)  # SimpleStatementLines that vanish
    function_code: dict[int, list[str]] = field(default_factory=dict)  # FunctionDef -> code
    proxy: Optional[_ProxyEdit] = None
    facade: Optional[_ProxyEdit] = None  # the facade's block (``block``), see _plan_facade
    # A conditional import's line (SimpleStatementLine or SimpleStatementSuite) -> the code of
    # the ``if TYPE_CHECKING: ... else: x = lazy_import(...)`` block that follows it in its branch.
    in_place: dict[int, list[str]] = field(default_factory=dict)
    # An ``Alias = name.attr`` line -> the ``if TYPE_CHECKING: ... else: Alias = lazy_import(...)``
    # block that replaces it.
    replaced: dict[int, str] = field(default_factory=dict)


class _EditPlanner:
    """Turns name plans into node-level edits, checking them against the tree."""

    def __init__(self, module: cst.Module, index: _Index, runtime_module: str, line_length: int) -> None:
        self.module = module
        self.index = index
        self.runtime_module = runtime_module
        self.line_length = line_length
        self.together: dict[str, tuple[str, ...]] = {}
        self.copied: set[str] = set()
        self.guarded = False  # an optional import's try became ``if importlib.util.find_spec(...)``

    def plan(self, plans: Sequence[NamePlan]) -> _Edits:
        # The modules of each name that ``import a.b`` and ``import a.c`` both bind.
        self.together = {plan.name.bound: plan.decision.together for plan in plans if plan.decision.together}
        # Names an ``Alias = name`` copies at import time: their proxy must be bound before it.
        self.copied = {plan.name.bound for plan in plans if plan.decision.copied or plan.decision.attributes}
        self.proxy_names = ("TYPE_CHECKING", "lazy_import")  # as the proxy block spells them
        self.guarded = any(plan.decision.guard for plan in plans)
        if any(plan.decision.guard and plan.decision.action is not Action.PROXY for plan in plans):
            raise TransformError("an optional import is deferred only with a proxy in its guarded branch")
        works = self._group(plans)
        edits = _Edits()
        for plan in plans:
            module = plan.name.module
            if plan.decision.action is Action.LAZY_MODULES and module not in edits.lazy_modules:
                edits.lazy_modules.append(module)
        for work in works:
            edits.removals[id(work.site.node)] = set(work.removed)  # every statement touched is a key
            if work.lazy:
                edits.lazy[id(work.site.node)] = set(work.lazy)
        for work in works:
            line = work.site.line_node
            if isinstance(line, cst.SimpleStatementLine) and all(
                id(small) in edits.removals
                and _all_removed(small, edits.removals[id(small)])
                for small in line.body
            ):
                edits.removed_lines.add(id(line))
        self._plan_functions(works, edits)
        proxied = [work for work in works if work.proxy]
        if proxied:
            edits.proxy = self._plan_proxy(proxied, edits)
        self._plan_attribute_aliases(plans, edits)
        facaded = [work for work in works if work.facade]
        if facaded:
            edits.facade = self._plan_facade(facaded, edits)
        return edits

    def _group(self, plans: Sequence[NamePlan]) -> list[_StatementWork]:
        """One work item per statement, in source order."""
        works: dict[int, _StatementWork] = {}
        for plan in plans:
            if plan.decision.action is Action.LAZY_MODULES:
                continue  # the statement stays as it is: its module is listed
            site = self.index.site(plan.statement)
            if site.in_class:
                raise TransformError(
                    f"the import at line {plan.statement.line} binds a class attribute"
                )
            work = works.setdefault(id(site.node), _StatementWork(plan.statement, site))
            alias = _alias_index(work.node, plan.name)
            if plan.decision.action is Action.LAZY:
                if site.line_node is not site.top:
                    raise TransformError(f"the import at line {plan.statement.line} is not directly in the "
                                         "module body, where alone `lazy` is allowed")
                work.lazy.add(alias)
                continue
            work.removed.add(alias)
            work.comments[alias] = _alias_comments(work.node, alias)
            if plan.decision.action is Action.FACADE:
                work.facade.append(plan.name)
                work.served.extend(plan.decision.served)
                continue
            if plan.decision.action is Action.PROXY:
                work.proxy.append(plan.name)
                continue
            if not plan.decision.functions:
                raise TransformError(f"no function to move `{plan.name.bound}` into")
            for key in plan.decision.functions:
                self.index.function(key)
                work.inline.setdefault(key, []).append(plan.name)
        return list(works.values())

    # -- inline ------------------------------------------------------------
    def _plan_functions(self, works: list[_StatementWork], edits: _Edits) -> None:
        """Import lines for the top of each target function, one per original statement."""
        for work in works:
            for key, names in work.inline.items():
                function = self.index.function(key)
                bound = _leading_import_signatures(function)
                missing = [n for n in names if _signature(work.statement, n) not in bound]
                if not missing:
                    continue
                code = self._import_code(work, missing, edits, self._room(key, function))
                edits.function_code.setdefault(id(function), []).append(code)

    def _room(self, key: FunctionKey, function: cst.FunctionDef) -> int:
        """How long a line at the top of the function's body may be."""
        body = function.body
        own = body.indent if isinstance(body, cst.IndentedBlock) else None
        indent = own if own is not None else self.module.default_indent
        return self.line_length - self.index.columns.get(key, 0) - len(indent.expandtabs())

    def _import_code(self, work: _StatementWork, names: list[ImportedName], edits: _Edits,
                     room: Optional[int] = None) -> str:
        """The statement re-created for ``names``, with the comments that travel with them,
        wrapped in parentheses when it would not fit in ``room`` columns."""
        node = work.node
        comments: list[str] = []
        fully_removed = work.fully_removed()
        if fully_removed and isinstance(node, cst.ImportFrom):
            comments.extend(_comments_of(node.lpar))  # ``from x import (  # comment``
        for name in names:
            comments.extend(work.comments.get(_alias_index(node, name), []))
        trailing = ""
        if fully_removed:
            if isinstance(node, cst.ImportFrom) and _aliases(node) and isinstance(_aliases(node)[-1].comma, cst.Comma):
                comments.extend(_comments_of(node.rpar))  # not the last alias' comment
            line = work.site.line_node
            if id(line) in edits.removed_lines and isinstance(line, cst.SimpleStatementLine):
                comment = line.trailing_whitespace.comment
                if comment is not None:
                    trailing = "  " + comment.value
        text = _import_text(work.statement, names)
        if room is not None and len(text + trailing) > room and work.statement.is_from:
            text = _import_text(work.statement, names, self.module.default_indent, trailing)
            trailing = ""
        return "\n".join([*comments, f"{text}{trailing}"])

    # -- proxy -------------------------------------------------------------
    def _plan_proxy(self, works: list[_StatementWork], edits: _Edits) -> _ProxyEdit:
        """The module-level proxy block, and for a conditional import a block of its own in
        its branch (``edits.in_place``), so the condition still decides whether it is bound."""
        indent = self.module.default_indent
        plain = [work for work in works if work.statement.where is not Where.CONDITIONAL]
        branched = [work for work in works if work.statement.where is Where.CONDITIONAL]
        existing = _existing_proxy_block(self.module) if plain else None
        if existing is not None and any(
            name.bound in self.copied and _top_index(self.module, work.site.top) < _top_index(self.module, existing)
            for work in plain for name in work.proxy
        ):
            existing = None  # a later block would bind the name after its alias copies it: a new one here
        anchor = existing if existing is not None else (plain[0].site.top if plain else None)
        tops = [work.site.top for work in branched] + ([anchor] if anchor is not None else [])
        support_anchor = min(tops, key=lambda top: _top_index(self.module, top))
        earlier = self.module.body[:_top_index(self.module, support_anchor)]
        lazy_name = _bound_lazy_import(earlier, self.runtime_module)
        support: list[str] = []
        check = "TYPE_CHECKING"
        if existing is None or support_anchor is not existing:
            found = _type_checking_expression(earlier)
            if found is None:
                support.append("from typing import TYPE_CHECKING")
            else:
                check = found
        if lazy_name is None:
            lazy_name = "lazy_import"
            support.append(f"from {self.runtime_module} import lazy_import")
        self.proxy_names = (check, lazy_name)
        if self.guarded and not any(_code(self.module, statement) == SUPPORT_IMPORT for statement in earlier):
            support.insert(0, SUPPORT_IMPORT)

        for work in branched:
            code = self._import_code(work, work.proxy, edits)
            bindings = [_proxy_assignment(work.statement, name, lazy_name, self.together) for name in work.proxy]
            lines = [f"if {check}:", *(f"{indent}{line}" for line in code.split("\n")), "else:",
                     *(f"{indent}{line}" for line in bindings)]
            edits.in_place.setdefault(id(work.site.line_node), []).append("\n".join(lines) + "\n")
        if not plain:
            return _ProxyEdit(None, support, None, support_anchor=support_anchor)

        checks = [self._import_code(work, work.proxy, edits) for work in plain]
        assignments: list[str] = []
        assigned: set[str] = set()
        for work in plain:
            for name in work.proxy:
                if name.bound not in assigned:
                    assigned.add(name.bound)
                    assignments.append(_proxy_assignment(work.statement, name, lazy_name, self.together))
        if existing is not None:
            return _ProxyEdit(anchor, support, None, existing, checks, assignments, support_anchor=support_anchor)
        lines = [f"if {check}:"]
        lines.extend(f"{indent}{line}" for code in checks for line in code.split("\n"))
        lines.append("else:")
        lines.extend(f"{indent}{code}" for code in assignments)
        return _ProxyEdit(anchor, support, "\n".join(lines) + "\n", support_anchor=support_anchor)

    def _plan_attribute_aliases(self, plans: Sequence[NamePlan], edits: _Edits) -> None:
        """Each ``Alias = name.attr`` the plans list becomes ``Alias = lazy_import(module, "attr")``,
        the original line kept under ``if TYPE_CHECKING:`` for type checkers."""
        check, lazy_name = self.proxy_names
        indent = self.module.default_indent
        for plan in plans:
            for line, alias, module, attribute in plan.decision.attributes:
                statement = self.index.statements.get(line)
                if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                        and isinstance(statement.body[0], cst.Assign)):
                    raise TransformError(f"no `{alias} = ...` statement at line {line}")
                if plan.decision.action is not Action.PROXY:
                    raise TransformError(f"`{alias}` at line {line} needs the proxy block")
                original = self.module.code_for_node(statement.with_changes(leading_lines=())).rstrip("\r\n")
                edits.replaced[id(statement)] = "\n".join(
                    [f"if {check}:", f"{indent}{original}", "else:",
                     f'{indent}{alias} = {lazy_name}("{module}", "{attribute}")']) + "\n"

    # -- facade ------------------------------------------------------------
    def _plan_facade(self, works: list[_StatementWork], edits: _Edits) -> _ProxyEdit:
        """The package facade (:mod:`~lazyimport_codemod.fix.facade`), where the first
        re-export it serves stood: from there on, the package answers for every name."""
        existing = _existing_facade(self.module, self.runtime_module)
        anchor = existing[0] if existing is not None else works[0].site.top
        earlier = self.module.body[:_top_index(self.module, anchor)]
        support: list[str] = []
        check = _type_checking_expression(earlier)
        proxy = edits.proxy
        if check is None:
            check = "TYPE_CHECKING"
            typing_import = "from typing import TYPE_CHECKING"
            if proxy is not None and typing_import in proxy.support and proxy.support_anchor is not None and (
                    _top_index(self.module, proxy.support_anchor) <= _top_index(self.module, anchor)):
                pass  # the proxy's support imports, placed first, import it
            else:
                support.append(typing_import)
                if proxy is not None and typing_import in proxy.support:
                    proxy.support.remove(typing_import)
        helper = _bound_runtime_name(earlier, self.runtime_module, FACADE_HELPER)
        if helper is None:
            helper = FACADE_HELPER
            support.append(f"from {self.runtime_module} import {FACADE_HELPER}")
        checks = [self._import_code(work, work.facade, edits) for work in works]
        served = [entry for work in works for entry in work.served]
        if existing is not None:
            served = existing[1] + served
        block = facade_block(checks, served, self.module.default_indent, check, helper)
        # A facade an earlier run wrote is replaced by one serving its entries and the new.
        return _ProxyEdit(anchor, support, block, replaces=existing is not None)


def _existing_facade(module: cst.Module, runtime_module: str) -> Optional[tuple[cst.BaseStatement, list[tuple[str, str]]]]:
    """The ``__getattr__, __dir__ = lazy_exports(__name__, {...})`` line an earlier run wrote,
    with its entries, when the helper it calls is the runtime's."""
    for position, statement in enumerate(module.body):
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            continue
        small = statement.body[0]
        if not (isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Name) and len(small.value.args) == 2):
            continue
        target = small.targets[0].target if len(small.targets) == 1 else None
        if not (isinstance(target, cst.Tuple) and [get_full_name_for_node(e.value) for e in target.elements]
                == ["__getattr__", "__dir__"]):
            continue
        helper = small.value.func.value
        if _bound_runtime_name(module.body[:position], runtime_module, FACADE_HELPER) != helper:
            continue
        try:
            table = ast.literal_eval(module.code_for_node(small.value.args[1].value))
        except (ValueError, SyntaxError):
            continue
        if isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
            return statement, list(table.items())
    return None


def _all_removed(node: cst.BaseSmallStatement, removed: set[int]) -> bool:
    """Whether ``removed`` takes every name of an import statement (its star, for a star import)."""
    if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
        return _STAR in removed
    return bool(_aliases(node)) and len(removed) == len(_aliases(node))


def _aliases(node: cst.BaseSmallStatement) -> Sequence[cst.ImportAlias]:
    if isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
        return node.names
    return ()


def _alias_comments(node: ImportNode, index: int) -> list[str]:
    """Comments that belong to one alias of a parenthesized import: those ending its line."""
    if index == _STAR:
        return []
    alias = _aliases(node)[index]
    if isinstance(alias.comma, cst.Comma):
        return _comments_of(alias.comma)
    if isinstance(node, cst.ImportFrom) and node.rpar is not None:
        return _comments_of(node.rpar)  # the last alias, without a trailing comma
    return []


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found.append(node.value)


def _comments_of(*nodes: Union[cst.CSTNode, cst.MaybeSentinel, None]) -> list[str]:
    """Every comment inside ``nodes`` (an alias' comma, the parentheses of an import)."""
    collector = _CommentCollector()
    for node in nodes:
        if isinstance(node, cst.CSTNode):
            node.visit(collector)
    return collector.found


def _import_text(statement: ImportStatement, names: Sequence[ImportedName], wrap: Optional[str] = None,
                 comment: str = "") -> str:
    """``import a.b as c`` / ``from ..pkg import x as y`` for a subset of a statement's names;
    with ``wrap`` (an indent), a ``from`` import with one name a line, in parentheses
    (``comment`` after the opening one)."""
    if statement.is_from:
        parts = ["*" if name.star else _with_alias(name.attribute or "", name.asname) for name in names]
        source = "." * statement.level + (statement.written_module or "")
        if wrap is not None:
            inner = "".join(f"{wrap}{part},\n" for part in parts)
            return f"from {source} import ({comment}\n{inner})"
        return f"from {source} import {', '.join(parts)}"
    return "import " + ", ".join(_with_alias(name.module, name.asname) for name in names)


def _with_alias(written: str, asname: Optional[str]) -> str:
    return f"{written} as {asname}" if asname else written


def _proxy_assignment(statement: ImportStatement, name: ImportedName, lazy_name: str,
                      together: Mapping[str, tuple[str, ...]]) -> str:
    """The ``else:`` line that binds ``name`` to a proxy standing for the same import.

    A relative import stays relative (the runtime resolves the dots against the
    calling module's package): ``name.module`` is only a guess from the folders.
    A name that ``import a.b`` and ``import a.c`` both bind (``together``) gets one proxy
    that imports every listed module.
    """
    modules = together.get(name.bound, ())
    if len(modules) > 1:
        first, rest = modules[0], ", ".join(f'"{module}"' for module in modules[1:])
        top = ", top_level=True" if "." in first else ""
        return f'{name.bound} = {lazy_name}("{first}"{top}, submodules=({rest},))'
    if name.attribute is not None:
        module = name.module
        if statement.level:
            module = "." * statement.level + (statement.written_module or "")
        return f'{name.bound} = {lazy_name}("{module}", "{name.attribute}")'
    if name.asname is None and "." in name.module:
        return f'{name.bound} = {lazy_name}("{name.module}", top_level=True)'
    return f'{name.bound} = {lazy_name}("{name.module}")'


def _signature(statement: ImportStatement, name: ImportedName) -> Signature:
    if statement.is_from:
        return ("from", statement.level, statement.written_module or "", name.attribute, name.asname)
    return ("import", name.module, name.asname)


def _node_signatures(node: ImportNode) -> set[Signature]:
    out: set[Signature] = set()
    for alias in _aliases(node):
        written = get_full_name_for_node(alias.name)
        if isinstance(node, cst.ImportFrom):
            module = get_full_name_for_node(node.module) if node.module is not None else ""
            out.add(("from", len(node.relative), module or "", written, _asname(alias)))
        else:
            out.add(("import", written, _asname(alias)))
    return out


def _leading_import_signatures(function: cst.FunctionDef) -> set[Signature]:
    """What the imports already at the top of a function bind, to avoid adding them twice."""
    if isinstance(function.body, cst.SimpleStatementSuite):
        smalls: list[cst.BaseSmallStatement] = list(function.body.body)
    else:
        smalls = []
        for statement in function.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                break
            smalls.extend(statement.body)
    found: set[Signature] = set()
    for position, small in enumerate(smalls):
        if position == 0 and _is_docstring(small):
            continue
        if isinstance(small, (cst.Global, cst.Nonlocal)):
            continue
        if not isinstance(small, (cst.Import, cst.ImportFrom)):
            break
        found |= _node_signatures(small)
    return found


def _code(module: cst.Module, statement: cst.BaseStatement) -> str:
    """A statement's code without its leading lines and trailing comment."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return module.code_for_node(statement.body[0]).strip()
    return ""


def _top_index(module: cst.Module, statement: cst.BaseStatement) -> int:
    for position, candidate in enumerate(module.body):
        if candidate is statement:
            return position
    raise TransformError("internal error: statement is not at module level")


def _small_statements(statements: Sequence[cst.BaseStatement]) -> list[cst.BaseSmallStatement]:
    """Small statements of plain module-level lines (not inside if/try blocks)."""
    out: list[cst.BaseSmallStatement] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            out.extend(statement.body)
    return out


def _type_checking_expression(statements: Sequence[cst.BaseStatement]) -> Optional[str]:
    """``TYPE_CHECKING`` (or ``typing.TYPE_CHECKING``) if an earlier line already provides it."""
    via_module: Optional[str] = None
    for small in _small_statements(statements):
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            if get_full_name_for_node(small.module) != "typing":
                continue
            for alias in _aliases(small):
                if get_full_name_for_node(alias.name) == "TYPE_CHECKING":
                    return _asname(alias) or "TYPE_CHECKING"
        elif isinstance(small, cst.Import) and via_module is None:
            for alias in _aliases(small):
                if get_full_name_for_node(alias.name) == "typing":
                    via_module = f"{_asname(alias) or 'typing'}.TYPE_CHECKING"
    return via_module


def _bound_lazy_import(statements: Sequence[cst.BaseStatement], runtime_module: str) -> Optional[str]:
    """The name an earlier ``from <runtime module> import lazy_import`` binds, if any."""
    return _bound_runtime_name(statements, runtime_module, "lazy_import")


def _bound_runtime_name(statements: Sequence[cst.BaseStatement], runtime_module: str, name: str) -> Optional[str]:
    """The name an earlier ``from <runtime module> import <name>`` binds, if any."""
    for small in _small_statements(statements):
        if isinstance(small, cst.ImportFrom) and _imports_itself(small, name, runtime_module):
            for alias in _aliases(small):
                if get_full_name_for_node(alias.name) == name:
                    return _asname(alias) or name
    return None


def _existing_proxy_block(module: cst.Module) -> Optional[cst.If]:
    """A module-level ``if TYPE_CHECKING: ... else: x = lazy_import(...)`` from a previous run."""
    for statement in module.body:
        if not isinstance(statement, cst.If) or not _is_type_checking(statement.test):
            continue
        orelse = statement.orelse
        if not isinstance(orelse, cst.Else) or not isinstance(orelse.body, cst.IndentedBlock):
            continue
        if not isinstance(statement.body, cst.IndentedBlock):
            continue
        if orelse.body.body and all(_is_lazy_assignment(s) for s in orelse.body.body):
            return statement
    return None


def _is_type_checking(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name):
        return test.value == "TYPE_CHECKING"
    return isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"


def _is_lazy_assignment(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return (
        isinstance(small, cst.Assign)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Name)
        and small.value.func.value == "lazy_import"
    )


def _assigned_name(statement: cst.BaseStatement) -> Optional[str]:
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            return get_full_name_for_node(small.targets[0].target)
    return None


def _is_docstring(small: cst.BaseSmallStatement) -> bool:
    return isinstance(small, cst.Expr) and _is_plain_string(small.value)


def _is_plain_string(node: cst.BaseExpression) -> bool:
    """A str literal, or an implicit concatenation of them; an f-string runs code, bytes are no doc."""
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_plain_string(node.left) and _is_plain_string(node.right)
    return False


# ---------------------------------------------------------------------------
# step 3: rewrite
# ---------------------------------------------------------------------------


class _Rewriter(cst.CSTTransformer):
    """Applies :class:`_Edits`; every lookup uses the original node, never the updated one."""

    def __init__(self, module: cst.Module, edits: _Edits) -> None:
        super().__init__()
        self.module = module
        self.edits = edits

    # -- functions ---------------------------------------------------------
    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        code = self.edits.function_code.get(id(original_node))
        if not code:
            return updated_node
        lines = [self._parse(text) for text in code]
        return updated_node.with_changes(body=_insert_at_top(updated_node.body, lines))

    # -- an earlier run's proxy block ---------------------------------------
    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        proxy = self.edits.proxy
        if proxy is None or proxy.merge_into is not original_node:
            return updated_node
        return self._merge_block(updated_node, proxy)

    def _merge_block(self, block: cst.If, proxy: _ProxyEdit) -> cst.If:
        body = block.body
        orelse = block.orelse
        assert isinstance(body, cst.IndentedBlock) and isinstance(orelse, cst.Else)
        assert isinstance(orelse.body, cst.IndentedBlock)
        present = {self.module.code_for_node(s).strip() for s in body.body}
        checks = list(body.body)
        for text in proxy.merge_checks:
            statement = self._parse(text)
            if self.module.code_for_node(statement).strip() not in present:
                checks.append(statement)
        assigned = {_assigned_name(s) for s in orelse.body.body}
        assignments = list(orelse.body.body)
        for text in proxy.merge_assignments:
            statement = self._parse(text)
            if _assigned_name(statement) not in assigned:
                assignments.append(statement)
        leading = list(block.leading_lines)
        if proxy.support and not (leading and _is_blank(leading[0])):
            leading.insert(0, cst.EmptyLine())  # the added imports go just above
        return block.with_changes(
            leading_lines=leading,
            body=body.with_changes(body=checks),
            orelse=orelse.with_changes(body=orelse.body.with_changes(body=assignments)),
        )

    # -- statement removal -------------------------------------------------
    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> Union[cst.SimpleStatementSuite, cst.IndentedBlock]:
        if not any(id(small) in self.edits.removals for small in original_node.body):
            return updated_node
        smalls, split = self._rewrite_smalls(original_node.body, updated_node.body)
        blocks = self._in_place(original_node)
        if blocks:  # ``if x: import y`` becomes an indented block that can hold the proxy block
            kept = _as_block(updated_node.with_changes(body=smalls)) if smalls else None
            lines = list(kept.body) if kept is not None else []
            header = kept.header if kept is not None else updated_node.trailing_whitespace
            return cst.IndentedBlock(body=[*lines, *blocks], header=header)
        return updated_node.with_changes(body=[*smalls, *split] or [cst.Pass()])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not self._touches(original_node.body):
            return updated_node
        body, carry = self._rewrite_body(original_node.body, updated_node.body, opens=True)
        footer = list(updated_node.footer)
        if not body:
            body = [_with_leading(cst.SimpleStatementLine([cst.Pass()]), carry, at_start=True)]
        elif carry:
            footer = _merge_leading(carry + [footer], at_start=False)
        return updated_node.with_changes(body=body, footer=footer)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if (not self._touches(original_node.body) and self.edits.proxy is None and self.edits.facade is None
                and not self.edits.lazy_modules):
            return updated_node
        # Below a header comment blank lines may stay; at the very top of the file they may not.
        opens = not any(line.comment for line in updated_node.header)
        body, carry = self._rewrite_body(original_node.body, updated_node.body, opens)
        footer = list(updated_node.footer)
        if carry:
            footer = _merge_leading(carry + [footer], at_start=opens and not body)
        if self.edits.lazy_modules:
            body = with_lazy_modules(body, self.edits.lazy_modules)
        return updated_node.with_changes(body=body, footer=footer)

    def _touches(self, statements: Sequence[cst.BaseStatement]) -> bool:
        return any(
            isinstance(s, cst.SimpleStatementLine)
            and any(id(small) in self.edits.removals for small in s.body)
            for s in statements
        )

    def _rewrite_body(
        self,
        originals: Sequence[cst.BaseStatement],
        updates: Sequence[cst.BaseStatement],
        opens: bool,
    ) -> tuple[list[cst.BaseStatement], list[Sequence[cst.EmptyLine]]]:
        """Drop emptied lines, hand their leading comments on, and place the proxy block.

        ``opens`` says that nothing (no header comment) precedes the first
        statement.  Returns the new statements and the leading lines still
        waiting for a statement (when the last ones were removed).
        """
        out: list[cst.BaseStatement] = []
        carry: list[Sequence[cst.EmptyLine]] = []
        proxy, facade = self.edits.proxy, self.edits.facade
        for original, updated in zip(originals, updates):
            group = self._proxy_group(proxy, original) if proxy is not None else []
            if facade is not None and facade.anchor is original:
                group.extend(self._facade_group(facade, after=bool(group)))
                if facade.replaces:
                    out.extend(_with_group_leading(group, [*carry, _leading_lines(updated)], at_start=opens and not out))
                    carry = []
                    continue
            touched = isinstance(original, cst.SimpleStatementLine) and any(
                id(small) in self.edits.removals for small in original.body
            )
            if touched:
                assert isinstance(original, cst.SimpleStatementLine)
                assert isinstance(updated, cst.SimpleStatementLine)
                line, split = self._rewrite_line(original, updated)
                group = self._in_place(original) + group
                if line is None:
                    carry.append(updated.leading_lines)
                    if group:
                        out.extend(_with_group_leading(group, carry, at_start=opens and not out))
                        carry = []
                    continue
                out.append(_with_leading(line, carry, at_start=opens and not out))
                out.extend(split)
                carry = []
                out.extend(group)
                continue
            if id(original) in self.edits.replaced:
                replacement = self._parse(self.edits.replaced[id(original)])
                assert isinstance(replacement, cst.If) and isinstance(updated, cst.SimpleStatementLine)
                updated = replacement.with_changes(leading_lines=updated.leading_lines)
            if group:
                if proxy is not None and proxy.anchor is not original:
                    group, updated = _support_before(group, updated)
                out.extend(_with_group_leading(group, carry, at_start=opens and not out))
                carry = []
            out.append(_with_leading(updated, carry, at_start=opens and not out) if carry else updated)
            carry = []
        return out, carry

    def _rewrite_line(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> tuple[Optional[cst.SimpleStatementLine], list[cst.SimpleStatementLine]]:
        """The line without the removed names (None when nothing is left), and the lines of
        ``lazy`` statements split off it, which go right after it."""
        smalls, split = self._rewrite_smalls(original.body, updated.body)
        lines = [cst.SimpleStatementLine(body=[small]) for small in split]
        if not smalls:
            return None, lines
        return updated.with_changes(body=smalls), lines

    def _rewrite_smalls(
        self,
        originals: Sequence[cst.BaseSmallStatement],
        updates: Sequence[cst.BaseSmallStatement],
    ) -> tuple[list[cst.BaseSmallStatement], list[cst.BaseSmallStatement]]:
        """``import a; import b`` minus the removed names, the last keeping the original end;
        and the ``lazy`` statements split off them.

        When every name left of a statement becomes lazy, the statement itself is marked
        ``lazy`` in place; otherwise its lazy names leave it for a ``lazy`` statement of
        their own.
        """
        out: list[cst.BaseSmallStatement] = []
        split: list[cst.BaseSmallStatement] = []
        for original, updated in zip(originals, updates):
            removed = self.edits.removals.get(id(original))
            if removed is None:
                out.append(updated)
                continue
            assert isinstance(updated, (cst.Import, cst.ImportFrom))
            lazy = self.edits.lazy.get(id(original), set())
            kept = _without_aliases(updated, removed | lazy)
            if kept is not None:
                out.append(kept)
            if not lazy:
                continue
            everything = set(range(len(_aliases(updated))))
            lazy_part = _without_aliases(updated, everything - lazy)
            assert lazy_part is not None
            if kept is None:
                out.append(as_lazy(lazy_part))
            else:
                split.append(as_lazy(lazy_part).with_changes(semicolon=cst.MaybeSentinel.DEFAULT))
        if out and updates:
            out[-1] = out[-1].with_changes(semicolon=updates[-1].semicolon)
        return out, split

    # -- generated code ----------------------------------------------------
    def _in_place(self, original: Union[cst.BaseStatement, cst.SimpleStatementSuite]) -> list[cst.BaseStatement]:
        """The proxy blocks of conditional imports that go right after ``original``."""
        return [self._parse(text) for text in self.edits.in_place.get(id(original), [])]

    def _proxy_group(self, proxy: _ProxyEdit, original: cst.BaseStatement) -> list[cst.BaseStatement]:
        """What goes next to the module-level statement ``original``: the support imports
        before their anchor, the proxy block at its own."""
        statements: list[cst.BaseStatement] = []
        if proxy.support_anchor is original:
            statements = [self._parse(text) for text in proxy.support]
        if proxy.block is not None and proxy.anchor is original:
            block = self._parse(proxy.block)
            if statements:  # a blank line between the added imports and the block
                block = block.with_changes(leading_lines=[cst.EmptyLine()])
            statements.append(block)
        return statements

    def _facade_group(self, facade: _ProxyEdit, after: bool) -> list[cst.BaseStatement]:
        """The facade's imports, block and assignment, a blank line between each part
        (and before, after a proxy block)."""
        statements: list[cst.BaseStatement] = [self._parse(text) for text in facade.support]
        assert facade.block is not None
        parsed = list(cst.parse_module(facade.block, config=self.module.config_for_parsing).body)
        for index, statement in enumerate(parsed):
            if index or statements or after:
                parsed[index] = statement.with_changes(leading_lines=[cst.EmptyLine()])
        if after and statements:
            statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
            parsed[0] = parsed[0].with_changes(leading_lines=[cst.EmptyLine()])
        return statements + parsed

    def _parse(self, code: str) -> cst.BaseStatement:
        if not code.endswith("\n"):
            code += "\n"
        return cst.parse_statement(code, config=self.module.config_for_parsing)


def _without_aliases(node: ImportNode, removed: set[int]) -> Optional[ImportNode]:
    """The statement without the aliases at ``removed``, or None if nothing is left.

    Commas: ``import os, torch`` minus ``torch`` must not end in a comma, while
    a parenthesized multi-line ``from`` import keeps each line's own comma (and
    the comment after it).
    """
    aliases = list(_aliases(node))
    kept = [alias for index, alias in enumerate(aliases) if index not in removed]
    if not kept:
        return None
    if len(kept) == len(aliases) or kept[-1] is aliases[-1]:
        return node.with_changes(names=kept)
    if isinstance(node, cst.ImportFrom) and node.rpar is not None:
        return _end_parenthesized(node, kept, aliases[-1])
    return node.with_changes(names=[*kept[:-1], kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])


def _end_parenthesized(
    node: cst.ImportFrom, kept: list[cst.ImportAlias], old_last: cst.ImportAlias
) -> cst.ImportFrom:
    """Give the new last alias of ``from x import (...)`` the ending the old last one had.

    Its own comment stays on its line; the line break and indentation before
    ``)`` and the presence of a trailing comma are taken from the old last alias.
    """
    last = kept[-1]
    own = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    rpar = node.rpar
    assert rpar is not None
    if isinstance(old_last.comma, cst.Comma):  # trailing comma: the ending lives in the comma
        ending = old_last.comma.whitespace_after
        if isinstance(own, cst.ParenthesizedWhitespace) and isinstance(ending, cst.ParenthesizedWhitespace):
            ending = ending.with_changes(first_line=own.first_line)
        comma = old_last.comma.with_changes(whitespace_after=ending)
        return node.with_changes(names=[*kept[:-1], last.with_changes(comma=comma)])
    # No trailing comma: the ending lives before ``)``, with the old last line's
    # comment, which left with its alias; this line's own comment takes its place.
    before = rpar.whitespace_before
    if isinstance(before, cst.ParenthesizedWhitespace):
        first_line = cst.TrailingWhitespace()
        if isinstance(own, cst.ParenthesizedWhitespace):
            first_line = own.first_line
        rpar = rpar.with_changes(whitespace_before=before.with_changes(first_line=first_line))
    last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=[*kept[:-1], last], rpar=rpar)


def _insert_at_top(
    body: cst.BaseSuite, lines: Sequence[cst.BaseStatement]
) -> cst.IndentedBlock:
    """Put ``lines`` after the docstring and any ``global``/``nonlocal`` lines.

    A function type comment (``# type: (int) -> str`` on the line after the
    ``def``) stays the first thing in the body, where type checkers read it.
    """
    block = _as_block(body)
    statements = _split_docstring_line(list(block.body))
    position = 0
    if statements and _starts_with_docstring(statements[0]):
        position = 1
    while position < len(statements) and _is_scope_line(statements[position]):
        position += 1
    lines = list(lines)
    if lines and position < len(statements):
        after = statements[position]
        leading = list(_leading_lines(after))
        kept = [i + 1 for i, line in enumerate(leading) if _is_type_comment(line)]
        if kept:
            lines[0] = lines[0].with_changes(leading_lines=[*leading[: kept[-1]], *_leading_lines(lines[0])])
            statements[position] = after.with_changes(leading_lines=leading[kept[-1] :])
    return block.with_changes(body=[*statements[:position], *lines, *statements[position:]])


def _is_type_comment(line: cst.EmptyLine) -> bool:
    return line.comment is not None and _TYPE_COMMENT.match(line.comment.value) is not None


def _as_block(body: cst.BaseSuite) -> cst.IndentedBlock:
    """``def f(): return x`` becomes an indented block; its trailing comment stays on the line."""
    if isinstance(body, cst.IndentedBlock):
        return body
    assert isinstance(body, cst.SimpleStatementSuite)
    line = cst.SimpleStatementLine(body=body.body, trailing_whitespace=body.trailing_whitespace)
    return cst.IndentedBlock(body=[line], header=cst.TrailingWhitespace())


def _split_docstring_line(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``"doc"; return x`` as a first line is split so an import can go between the two."""
    if not statements:
        return statements
    first = statements[0]
    if not isinstance(first, cst.SimpleStatementLine) or len(first.body) < 2:
        return statements
    if not _is_docstring(first.body[0]):
        return statements
    doc = first.with_changes(
        body=[first.body[0].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
        trailing_whitespace=cst.TrailingWhitespace(),
    )
    rest = cst.SimpleStatementLine(body=first.body[1:], trailing_whitespace=first.trailing_whitespace)
    return [doc, rest, *statements[1:]]


def _starts_with_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and _is_docstring(statement.body[0])
    )


def _is_scope_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Global, cst.Nonlocal)) for small in statement.body
    )


# -- leading lines of removed statements ------------------------------------


def _is_blank(line: cst.EmptyLine) -> bool:
    return line.comment is None


def _blank_runs(lines: Sequence[cst.EmptyLine]) -> list[int]:
    runs: list[int] = []
    current = 0
    for line in lines:
        if _is_blank(line):
            current += 1
        else:
            runs.append(current)
            current = 0
    runs.append(current)
    return runs


def _merge_leading(parts: Sequence[Sequence[cst.EmptyLine]], at_start: bool) -> list[cst.EmptyLine]:
    """Join the leading lines of removed statements with those of the next one.

    Comments are all kept; blank lines are not added up: no run of blank lines
    grows longer than the longest run one of the parts had, and a statement
    that becomes the first of its block keeps only the blank lines the first
    removed statement had before it.
    """
    joined = [line for part in parts for line in part]
    if not joined:
        return []
    limit = max(max(_blank_runs(part)) for part in parts)
    first_limit = _blank_runs(parts[0])[0] if at_start else limit
    out: list[cst.EmptyLine] = []
    run = 0
    leading = True
    for line in joined:
        if not _is_blank(line):
            leading = False
            run = 0
            out.append(line)
            continue
        run += 1
        if run <= (first_limit if leading else limit):
            out.append(line)
    return out


def _with_leading(
    statement: cst.BaseStatement, carry: list[Sequence[cst.EmptyLine]], at_start: bool
) -> cst.BaseStatement:
    if not carry:
        return statement
    leading = _merge_leading([*carry, _leading_lines(statement)], at_start)
    return statement.with_changes(leading_lines=leading)


def _with_group_leading(
    group: list[cst.BaseStatement], carry: list[Sequence[cst.EmptyLine]], at_start: bool
) -> list[cst.BaseStatement]:
    return [_with_leading(group[0], carry, at_start), *group[1:]]


def _support_before(
    group: list[cst.BaseStatement], statement: cst.BaseStatement
) -> tuple[list[cst.BaseStatement], cst.BaseStatement]:
    """Support imports placed before a statement fix does not edit (the ``if`` of a conditional
    import) take the blank lines above it; a blank line then separates them from it, which
    keeps its own comments."""
    leading = list(_leading_lines(statement))
    blanks = next((i for i, line in enumerate(leading) if not _is_blank(line)), len(leading))
    if not blanks:
        return group, statement.with_changes(leading_lines=[cst.EmptyLine(), *leading])
    first = group[0].with_changes(leading_lines=leading[:blanks])
    return [first, *group[1:]], statement.with_changes(leading_lines=[cst.EmptyLine(), *leading[blanks:]])


def _leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    lines = getattr(statement, "leading_lines", ())
    return tuple(lines)
