"""Bring a file in syntax newer than the running Python to this Python's ``ast``, through LibCST.

``ast.parse`` only knows the grammar of the Python it runs on: under 3.11 a file with
``lazy import torch`` (3.15) or ``except A, B:`` (3.14) is a syntax error, under 3.9 so is
every ``match``.  LibCST's parser knows them all.  When ``ast.parse`` fails,
:func:`newer_tree` parses the file with LibCST, only to find where the newer constructs
are, then rewrites each of them, in the text, into something this Python's parser
accepts, ``ast.parse``-es the result, moves every node's position back to where its
text stands in the original file, and finally turns the stand-ins into the nodes the
newer Python's ``ast`` would have given (with the classes of
:mod:`~lazyimport_codemod.parse.syntax_nodes` where this Python has none).  Everything
outside those constructs is parsed by the running Python itself, so its positions are
exact; a statement or a name inside them keeps its line and UTF-8 column too.

What each construct becomes (only where the running Python lacks it):

=========================================  =================================================
``lazy import a`` / ``lazy from m import``  ``import a`` / ``from m import``: ``lazy`` is cut,
  (3.15, PEP 810)                            the node gets ``is_lazy = 1`` and starts at ``lazy``
``[*a for a in b]``, ``{**d for d in ds}``  the star is blanked, then put back as ``Starred``
  (3.15, PEP 798)                            / a ``DictComp`` without value, as 3.15's ast has it
``except A, B:`` / ``except* A, B:``        parentheses are inserted around the tuple
  (3.14, PEP 758)
t-strings (3.14, PEP 750)                    a tuple of the replacement fields, then
                                             ``TemplateStr``/``Interpolation``
``def f[T: B = D]``, ``class C[T]``          the brackets are cut; ``type_params`` are rebuilt,
  (3.12/3.13, PEP 695/696)                   their bounds and defaults parsed on their own
``type X[T] = V`` (3.12)                     ``X = V``, then ``TypeAlias``
f-strings (3.12 rules, PEP 701)              a tuple of the replacement fields, then
                                             ``JoinedStr``/``FormattedValue``
``except* E`` (3.11)                         ``except  E``, then ``TryStar``
``a[*b]``, ``*args: *Ts`` (3.11, PEP 646)    ``a[(*b,)]``; the star blanked, then ``Starred``
``a[x := 1]`` (3.10)                         ``a[(x := 1)]``
``match`` (3.10, PEP 634)                    an ``if``/``elif`` chain whose tests are the
                                             patterns written as expressions (``as`` becomes
                                             ``or``, a guard ``and``), then ``Match``
=========================================  =================================================

Known differences from the newer Python's own tree, none of which the analysis reads: the
``Constant`` parts of a rewritten f-string or t-string have approximate positions and
values; ``type_params`` of a ``def``/``class`` are an attribute, not a field, before 3.12;
and a file that uses one of these constructs inside another one's bound or default, or
syntax not listed here, is not brought over (it stays a syntax error).

Where LibCST accepts what CPython's parser refuses, the error stands: the rewritten text
still goes through ``ast.parse``, and ``lazy from __future__ import`` (refused by 3.15's
parser, not by LibCST) is refused here.  Like 3.15's ``ast.parse`` (and unlike its
compiler), a ``lazy`` import inside a function, class or ``try`` is accepted.

This module imports LibCST: :mod:`~lazyimport_codemod.parse.source` imports it only after
``ast.parse`` failed, and a file whose only newer syntax is ``lazy import`` did not parse
with the ``lazy`` keywords cut (:func:`~lazyimport_codemod.parse.text_edits.lazy_import_tree`),
so that a lint of ordinary files never pays for LibCST.  The text edits and the mapping of
positions live in :mod:`~lazyimport_codemod.parse.text_edits`.
"""

from __future__ import annotations

import ast
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import libcst as cst
from libcst._nodes.internal import CodegenState

from lazyimport_codemod.files import decode_source
from lazyimport_codemod.parse import syntax_nodes as nodes
from lazyimport_codemod.parse.text_edits import (
    Edit, Lines, Remap, Span, Unsupported, applied, checked, mark_lazy, normalised,
)

Version = tuple[int, int]
_RUNNING: Version = (sys.version_info[0], sys.version_info[1])

# LibCST >= 1.9 has these; an older LibCST parses none of the syntax they stand for.
_LAZY_IMPORT: Optional[type] = getattr(cst, "LazyImport", None)
_LAZY_IMPORT_FROM: Optional[type] = getattr(cst, "LazyImportFrom", None)
_LAZY_TYPES: tuple[type, ...] = tuple(t for t in (_LAZY_IMPORT, _LAZY_IMPORT_FROM) if t is not None)
_TEMPLATED: Optional[type] = getattr(cst, "TemplatedString", None)
_STARRED_DICT_COMP: Optional[type] = getattr(cst, "StarredDictComp", None)


def newer_tree(data: bytes) -> Optional[ast.Module]:
    """The ``ast`` tree of a file that ``ast.parse`` refused, or None when LibCST cannot parse
    it either, or it holds something this module cannot bring over (then ast's error stands).

    Positions are those of the original file, as ``ast.parse`` gives them on a Python that
    knows the syntax.
    """
    try:
        text = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    try:
        return convert(text)
    except Unsupported:
        return None
    except Exception:  # RecursionError, or a construct this module gets wrong: ast's error stands
        return None


def convert(text: str, version: Version = _RUNNING) -> ast.Module:
    """The tree a Python of at least 3.15 gives for ``text``, built with this Python's parser.

    ``version`` is the Python whose grammar ``ast.parse`` accepts: every construct newer
    than it is rewritten.  (Tests pass an older version than the running one, to compare
    the result with this Python's own tree.)  Raises :class:`Unsupported`.
    """
    text = normalised(text)
    try:
        module = cst.parse_module(text)
    except Exception as exc:  # ParserSyntaxError, RecursionError, or another error on odd input
        raise Unsupported(f"LibCST cannot parse it: {exc}") from None
    wanted = {kind: since for kind, since in _SINCE.items() if version < since}
    spans = _Spans.of(module, len(text), wanted)
    planner = _Planner(text, spans, version)
    for node in spans.found:  # in source order, a node before the nodes it holds
        getattr(planner, f"visit_{type(node).__name__}")(node)
    edits = checked(planner.edits)
    new_text = applied(text, edits)
    try:
        tree = ast.parse(new_text)
    except SyntaxError as exc:
        raise Unsupported(f"the rewritten text is no valid syntax here: {exc}") from None
    original = Lines(text)
    Remap(edits, original, Lines(new_text)).tree(tree)
    return _Fixups(planner, original).tree(tree)


# ---------------------------------------------------------------------------
# where each LibCST node stands in the text
# ---------------------------------------------------------------------------


class _Spans(CodegenState):
    """Character offsets of every node, from one pass of LibCST's code generation, and the
    nodes of the kinds asked for, in source order.

    LibCST's ``PositionProvider`` does the same with (line, column) pairs and a metadata
    pass, and a ``CSTVisitor`` would walk the tree once more: counting characters in one
    pass is several times cheaper.  Two spans per node: ``syntactic`` as
    ``PositionProvider`` has them (a compound statement from its keyword, an expression
    without its parentheses), ``inclusive`` everything the node generates (an expression
    with its parentheses, a whitespace node its whitespace).  Nothing is collected inside
    type parameters that are cut as a whole.
    """

    __slots__ = ("offset", "syntactic", "inclusive", "found", "_wanted", "_starts", "_cut")

    def __init__(self, module: cst.Module, wanted: dict[type, Version]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.syntactic: dict[cst.CSTNode, Span] = {}
        self.inclusive: dict[cst.CSTNode, Span] = {}
        self.found: list[cst.CSTNode] = []
        self._wanted = wanted
        self._starts: list[int] = []
        self._cut = 0  # depth inside type parameters that are cut

    @classmethod
    def of(cls, module: cst.Module, size: int, wanted: dict[type, Version]) -> _Spans:
        spans = cls(module, wanted)
        module._codegen(spans)
        # LibCST regenerates the text (plus a last line break it then drops) exactly, but for
        # a few of its bugs (``except A, B, :`` loses the space): then no offset can be trusted.
        if not size <= spans.offset <= size + 1:
            raise Unsupported("LibCST's code generation does not give the text back")
        return spans

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)
        kind = type(node)
        if kind in self._wanted:
            if not self._cut:
                self.found.append(node)
            if kind is cst.TypeParameters:
                self._cut += 1

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.inclusive[node] = (self._starts.pop(), self.offset)
        if self._cut and type(node) is cst.TypeParameters:
            self._cut -= 1

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        start = self.offset
        yield
        # As in PositionProvider, a node without a syntactic span lends its inclusive one.
        if start_node is not None:
            start = (self.syntactic.get(start_node) or self.inclusive[start_node])[0]
        end = self.offset
        if end_node is not None:
            end = (self.syntactic.get(end_node) or self.inclusive[end_node])[1]
        self.syntactic[node] = (start, end)


# ---------------------------------------------------------------------------
# step 1: what to rewrite
# ---------------------------------------------------------------------------

class _Group:
    """A string (implicit concatenation included) holding f-string or t-string parts that
    becomes a tuple of its replacement fields, and how to rebuild it."""

    __slots__ = ("template", "items", "span")

    def __init__(self, template: bool) -> None:
        self.template = template
        self.span: Optional[Span] = None  # of a format spec: from its ``:`` to before ``}``
        # ("text", value, span) or ("field", _Field)
        self.items: list[tuple[Any, ...]] = []


class _Field:
    """One replacement field ``{expression!conversion:spec}``."""

    __slots__ = ("span", "conversion", "spec", "debug", "source")

    def __init__(self, span: Span, conversion: int, spec: Optional[_Group], debug: str, source: str) -> None:
        self.span = span
        self.conversion = conversion
        self.spec = spec
        self.debug = debug  # the ``expression=`` text of a self-documenting field, else ""
        self.source = source  # the expression as written (a t-string keeps it)


class _TypeParams:
    """The type parameters of a def, class or type alias, read from LibCST (their bounds and
    defaults as spans of the text, parsed later)."""

    __slots__ = ("params",)

    def __init__(self) -> None:
        # (kind, name, span, bound span or None, default span or None)
        self.params: list[tuple[str, str, Span, Optional[Span], Optional[Span]]] = []


# Each kind of LibCST node the planner reads, and the first Python whose ast parses
# everything the planner would rewrite in it (a node is read only for older Pythons).
_SINCE: dict[type, Version] = {
    kind: since
    for kind, since in (
        (_LAZY_IMPORT, (3, 15)), (_LAZY_IMPORT_FROM, (3, 15)), (_STARRED_DICT_COMP, (3, 15)),
        (cst.ListComp, (3, 15)), (cst.SetComp, (3, 15)), (cst.GeneratorExp, (3, 15)),
        (cst.ExceptHandler, (3, 14)), (cst.ExceptStarHandler, (3, 14)), (cst.TryStar, (3, 11)),
        (_TEMPLATED, (3, 14)), (cst.ConcatenatedString, (3, 14)), (cst.FormattedString, (3, 12)),
        (cst.TypeParameters, (3, 13)), (cst.FunctionDef, (3, 13)), (cst.ClassDef, (3, 13)),
        (cst.TypeAlias, (3, 13)),
        (cst.Subscript, (3, 11)), (cst.Param, (3, 11)),
        (cst.Match, (3, 10)), (cst.MatchAs, (3, 10)),
    )
    if kind is not None
}


class _Planner:
    """Reads the collected LibCST nodes and plans the text edits and the fix-ups that undo them."""

    def __init__(self, text: str, spans: _Spans, version: Version) -> None:
        self.text = text
        self.spans = spans
        self.version = version
        self.edits: list[Edit] = []
        self.lazy: dict[int, int] = {}  # offset of ``import``/``from`` -> offset of ``lazy``
        self.matches: dict[int, list[bool]] = {}  # offset of ``match`` -> whether each case has a guard
        self.aliases: dict[int, tuple[int, Optional[_TypeParams]]] = {}  # name offset -> (``type`` offset, params)
        self.type_params: dict[int, _TypeParams] = {}  # def/class/type keyword offset -> params
        self.groups: dict[Span, _Group] = {}
        self.starred: dict[Span, int] = {}  # span of an expression to wrap in Starred -> offset of its star
        self.dict_comps: set[Span] = set()  # spans of ``{**d for ...}`` parsed as set comprehensions
        self.try_stars: set[int] = set()  # offsets of ``try`` statements with ``except*`` handlers
        self._claimed: set[cst.CSTNode] = set()  # string parts of a group already planned

    # -- spans -------------------------------------------------------------
    def syntactic(self, node: cst.CSTNode) -> Span:
        found = self.spans.syntactic.get(node)
        return found if found is not None else self.spans.inclusive[node]

    def outer(self, node: cst.CSTNode) -> Span:
        """The node with its parentheses (and, for whitespace, the whitespace)."""
        return self.spans.inclusive[node]

    def edit(self, start: int, end: int, replacement: str) -> None:
        self.edits.append((start, end, replacement))

    def _keyword(self, start: int, word: str) -> None:
        if self.text[start:start + len(word)] != word:
            raise Unsupported(f"expected {word!r} at offset {start}")

    # -- PEP 810 (3.15) ----------------------------------------------------
    def _lazy(self, node: cst.CSTNode, whitespace: cst.CSTNode) -> None:
        if self.version >= (3, 15):
            return
        start = self.syntactic(node)[0]
        self._keyword(start, "lazy")
        keyword = self.outer(whitespace)[1]
        self.edit(start, keyword, "")
        self.lazy[keyword] = start

    def visit_LazyImport(self, node: Any) -> None:
        self._lazy(node, node.whitespace_after_lazy)

    def visit_LazyImportFrom(self, node: Any) -> None:
        module = node.module
        if not node.relative and isinstance(module, cst.Name) and module.value == "__future__":
            raise Unsupported("lazy from __future__ import is not allowed")  # as 3.15's parser says
        self._lazy(node, node.whitespace_after_lazy)

    # -- PEP 798 (3.15) ----------------------------------------------------
    def _star_element(self, node: Union[cst.ListComp, cst.SetComp, cst.GeneratorExp]) -> None:
        element = node.elt
        if self.version >= (3, 15) or not isinstance(element, cst.StarredElement):
            return
        star = self.syntactic(element)[0]
        self._keyword(star, "*")
        self.edit(star, star + 1, " ")
        self.starred[self._ast_span(element.value)] = star

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._star_element(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._star_element(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._star_element(node)

    def visit_StarredDictComp(self, node: Any) -> None:
        if self.version >= (3, 15):
            return
        star = self.outer(node.lbrace)[1]
        self._keyword(star, "**")
        self.edit(star, star + 2, "  ")
        self.dict_comps.add(self._ast_span(node))

    # -- PEP 758 (3.14) and except* (3.11) ----------------------------------
    def _handler(self, node: Union[cst.ExceptHandler, cst.ExceptStarHandler]) -> None:
        kind = node.type
        if self.version < (3, 14) and isinstance(kind, cst.Tuple) and not kind.lpar:
            start, end = self._bare_tuple(kind)
            self.edit(start, start, "(")
            self.edit(end, end, ")")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._handler(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        if self.version < (3, 11):
            self.try_stars.add(self.syntactic(node)[0])

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if self.version < (3, 11):
            star = self.outer(node.whitespace_after_except)[1]
            self._keyword(star, "*")
            self.edit(star, star + 1, " ")
        self._handler(node)

    # -- PEP 646 (3.11) and walrus in an index (3.10) -------------------------
    def visit_Subscript(self, node: cst.Subscript) -> None:
        elements = node.slice
        indexes = [element.slice for element in elements]
        if self.version < (3, 11) and any(isinstance(i, cst.Index) and i.star for i in indexes):
            if not all(isinstance(i, cst.Index) for i in indexes):
                return  # a slice inside a tuple: no older spelling; ast's error stands
            start = self.outer(elements[0])[0]
            last = elements[-1]
            if isinstance(last.comma, cst.Comma):
                closing = ")"
                end = self._after_comma(last.comma)
            else:
                end = self.outer(last.slice)[1]
                closing = ",)" if len(elements) == 1 else ")"
            self.edit(start, start, "(")
            self.edit(end, end, closing)
            return
        if self.version < (3, 10):
            for index in indexes:
                if isinstance(index, cst.Index) and isinstance(index.value, cst.NamedExpr) and not index.value.lpar:
                    start, end = self.outer(index.value)
                    self.edit(start, start, "(")
                    self.edit(end, end, ")")

    def visit_Param(self, node: cst.Param) -> None:
        annotation = node.annotation
        if (
            self.version < (3, 11) and annotation is not None
            and isinstance(annotation.annotation, cst.StarredElement)
        ):
            starred = annotation.annotation
            star = self.syntactic(starred)[0]
            self._keyword(star, "*")
            self.edit(star, star + 1, " ")
            self.starred[self._ast_span(starred.value)] = star

    # -- PEP 695 / 696 (3.12, 3.13) ------------------------------------------
    def _type_parameters(self, params: Optional[cst.TypeParameters]) -> Optional[_TypeParams]:
        """Plan to cut ``[...]`` and read the parameters; None if there is nothing to do."""
        if params is None or self.version >= (3, 13):
            return None
        start, end = self.outer(params)
        self.edit(start, end, "")
        found = _TypeParams()
        for param in params.params:
            inner = param.param
            first, last = self.syntactic(inner)
            bound = None
            if isinstance(inner, cst.TypeVar):
                kind = "TypeVar"
                if inner.bound is not None:
                    bound = self.outer(inner.bound)
            elif isinstance(inner, cst.TypeVarTuple):
                kind = "TypeVarTuple"
            else:
                kind = "ParamSpec"
            default = None
            if param.default is not None:
                default_end = self.outer(param.default)[1]
                default_start = self.outer(param.default)[0]
                if param.star and isinstance(param.equal, cst.AssignEqual):  # ``*Ts = *tuple[int]``
                    default_start = self.outer(param.equal)[1]
                default = (default_start, default_end)
                last = default_end
            found.params.append((kind, inner.name.value, (first, last), bound, default))
        return found

    def visit_TypeParameters(self, node: cst.TypeParameters) -> None:
        pass  # cut as a whole with its def, class or alias: nothing inside is collected

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        params = self._type_parameters(node.type_parameters)
        if params is not None:
            self.type_params[self.syntactic(node)[0]] = params

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        params = self._type_parameters(node.type_parameters)
        if params is not None:
            self.type_params[self.syntactic(node)[0]] = params

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        params = self._type_parameters(node.type_parameters)
        start = self.syntactic(node)[0]
        if self.version < (3, 12):
            self._keyword(start, "type")
            name = self.syntactic(node.name)[0]
            self.edit(start, name, "")
            self.aliases[name] = (start, params)
        elif params is not None:
            self.type_params[start] = params

    # -- f-strings (3.12 rules) and t-strings (3.14) ---------------------------
    def _rewritten(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FormattedString):
            return self.version < (3, 12)
        return _TEMPLATED is not None and isinstance(node, _TEMPLATED) and self.version < (3, 14)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if node in self._claimed:
            return
        parts: list[cst.CSTNode] = []
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            self._claimed.add(current)
            if isinstance(current, cst.ConcatenatedString):
                stack.append(current.right)
                stack.append(current.left)
            else:
                parts.append(current)
        if any(self._rewritten(part) for part in parts):
            self._string_group(self._ast_span(node), parts)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if node not in self._claimed and self._rewritten(node):
            self._string_group(self._ast_span(node), [node])

    def visit_TemplatedString(self, node: Any) -> None:
        if node not in self._claimed and self._rewritten(node):
            self._string_group(self._ast_span(node), [node])

    def _string_group(self, span: Span, parts: Sequence[cst.CSTNode]) -> None:
        """Plan ``"a" f"b{x!r:>{w}}"`` -> ``((x),(w),)``: each expression in parentheses, in
        source order, and everything else cut."""
        template = _TEMPLATED is not None and any(isinstance(part, _TEMPLATED) for part in parts)
        group = _Group(template)
        fields: list[Span] = []
        for part in parts:
            if isinstance(part, cst.SimpleString):
                group.items.append(("text", part.evaluated_value, self.outer(part)))
            else:
                prefix = getattr(part, "prefix", "").lower()
                self._string_parts(getattr(part, "parts"), "r" in prefix, group, fields)
        start, end = span
        if not fields:
            self.edit(start, end, "()")
        else:
            cut = start
            for index, (first, last) in enumerate(fields):
                self.edit(cut, first, "(" if index == 0 else ",")
                self.edit(first, first, "(")
                self.edit(last, last, ")")
                cut = last
            self.edit(cut, end, ",)")
        self.groups[span] = group

    def _string_parts(
        self, parts: Sequence[cst.CSTNode], raw: bool, group: _Group, fields: list[Span]
    ) -> None:
        for part in parts:
            if isinstance(part, (cst.FormattedStringExpression,)) or type(part).__name__ == "TemplatedStringExpression":
                expression: cst.BaseExpression = getattr(part, "expression")
                region = self.outer(expression)
                fields.append(region)
                conversion = getattr(part, "conversion", None)
                equal = getattr(part, "equal", None)
                spec_parts = getattr(part, "format_spec", None)
                debug = ""
                if equal is not None:
                    debug = self.text[self.outer(part)[0] + 1:self.outer(equal)[1]]
                code = ord(conversion) if conversion else -1
                if equal is not None and not conversion and spec_parts is None:
                    code = ord("r")
                spec = None
                if spec_parts is not None:  # a JoinedStr, in a t-string too
                    spec = _Group(False)
                    self._string_parts(spec_parts, raw, spec, fields)
                    if spec_parts:  # from the colon, as ast has it
                        spec.span = (self.outer(spec_parts[0])[0] - 1, self.outer(spec_parts[-1])[1])
                source = self.text[region[0]:region[1]].strip()
                group.items.append(("field", _Field(self.outer(part), code, spec, debug, source)))
            else:
                group.items.append(("text", _literal(getattr(part, "value"), raw), self.outer(part)))

    # -- match (3.10) --------------------------------------------------------
    def visit_Match(self, node: cst.Match) -> None:
        if self.version >= (3, 10):
            return
        start = self.syntactic(node)[0]
        self._keyword(start, "match")
        self.edit(start, start + len("match"), "if")
        subject = node.subject
        if isinstance(subject, cst.Tuple) and not subject.lpar:
            first, last = self._bare_tuple(subject)
            self.edit(first, first, "(")
            self.edit(last, last, ")")
        guards = []
        for index, case in enumerate(node.cases):
            keyword = self.syntactic(case)[0]
            self._keyword(keyword, "case")
            self.edit(keyword, keyword + len("case"), "if" if index == 0 else "elif")
            first, last = self.outer(case.pattern)
            self.edit(first, first, "(")
            self.edit(last, last, ")")
            if case.guard is not None:
                if_keyword = self.outer(case.whitespace_before_if)[1]
                self._keyword(if_keyword, "if")
                self.edit(if_keyword, if_keyword + 2, "and")
                first, last = self.outer(case.guard)
                self.edit(first, first, "(")
                self.edit(last, last, ")")
            guards.append(case.guard is not None)
        self.matches[start] = guards

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if self.version >= (3, 10) or node.pattern is None or node.name is None:
            return
        keyword = self.outer(node.pattern)[1]
        before = node.whitespace_before_as
        if isinstance(before, cst.CSTNode):
            keyword = self.outer(before)[1]
        self._keyword(keyword, "as")
        self.edit(keyword, keyword + 2, "or")

    # -- helpers -------------------------------------------------------------
    def _after_comma(self, comma: cst.Comma) -> int:
        return self.outer(comma.whitespace_before)[1] + 1

    def _bare_tuple(self, node: cst.Tuple) -> Span:
        """A tuple without parentheses as ast spans it: to the end of its last element, or
        of its trailing comma (not the whitespace after)."""
        start, end = self.syntactic(node)
        last = node.elements[-1] if node.elements else None
        if last is not None and isinstance(last.comma, cst.Comma):
            end = self._after_comma(last.comma)
        elif last is not None:
            end = self.outer(last.value)[1]
        return start, end

    def _ast_span(self, node: cst.CSTNode) -> Span:
        """The span ast gives the expression: a tuple or generator with its own (innermost)
        parentheses, anything else without any."""
        lpar = getattr(node, "lpar", ())
        if lpar and isinstance(node, (cst.Tuple, cst.GeneratorExp)):
            return self.outer(lpar[-1])[0], self.outer(getattr(node, "rpar")[0])[1]
        return self.syntactic(node)


def _literal(raw: str, is_raw: bool) -> str:
    """The value of the literal text of an f-string (approximate for odd escapes)."""
    text = raw.replace("{{", "{").replace("}}", "}")
    if is_raw or "\\" not in text:
        return text
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeError, ValueError):
        return text


# ---------------------------------------------------------------------------
# step 3: the newer Python's nodes
# ---------------------------------------------------------------------------


def _where(node: ast.AST) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _placed(node: ast.AST, lines: Lines, start: int, end: int) -> ast.AST:
    node.lineno, node.col_offset = lines.position(start)  # type: ignore[attr-defined]
    node.end_lineno, node.end_col_offset = lines.position(end)  # type: ignore[attr-defined]
    return node


def _like(node: ast.AST, model: ast.AST) -> ast.AST:
    return ast.copy_location(node, model)


class _Fixups:
    """Turns the stand-ins of the rewritten text into the nodes of the newer Python."""

    def __init__(self, plan: _Planner, lines: Lines) -> None:
        self.plan = plan
        self.lines = lines
        position = lines.position
        self.lazy = {position(keyword): position(start) for keyword, start in plan.lazy.items()}
        self.matches = {position(start): guards for start, guards in plan.matches.items()}
        self.aliases = {position(name): (start, params) for name, (start, params) in plan.aliases.items()}
        self.type_params = {position(start): params for start, params in plan.type_params.items()}
        self.groups = {self._key(span): group for span, group in plan.groups.items()}
        self.starred = {self._key(span): star for span, star in plan.starred.items()}
        self.dict_comps = {self._key(span) for span in plan.dict_comps}
        self.try_stars = {position(start) for start in plan.try_stars}
        self.handlers: dict[type, Callable[[ast.AST], ast.AST]] = {}
        if self.matches:
            self.handlers[ast.If] = self._match
        if self.aliases:
            self.handlers[ast.Assign] = self._alias
        if self.type_params:
            for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, nodes.TypeAlias):
                self.handlers[kind] = self._type_params
        if self.groups:
            self.handlers[ast.Tuple] = self._string
        if self.dict_comps:
            self.handlers[ast.SetComp] = self._dict_comp
        if self.try_stars:
            self.handlers[ast.Try] = self._try_star

    def _key(self, span: Span) -> tuple[int, int, int, int]:
        return (*self.lines.position(span[0]), *self.lines.position(span[1]))

    def tree(self, tree: ast.Module) -> ast.Module:
        """Replace nodes children first (a rewritten f-string inside a ``match`` subject is a
        ``JoinedStr`` before the ``match`` is built)."""
        if self.lazy:
            mark_lazy(tree, self.lazy)
        if not self.handlers and not self.starred:
            return tree
        found: list[tuple[ast.AST, str, Optional[int], ast.AST]] = []
        stack: list[ast.AST] = [tree]
        while stack:
            parent = stack.pop()
            for field in parent._fields:
                value = getattr(parent, field, None)
                if isinstance(value, list):
                    for position, item in enumerate(value):
                        if isinstance(item, ast.AST):
                            found.append((parent, field, position, item))
                            stack.append(item)
                elif isinstance(value, ast.AST):
                    found.append((parent, field, None, value))
                    stack.append(value)
        handlers = self.handlers
        for parent, field, index, node in reversed(found):
            replaced = node
            handler = handlers.get(type(node))
            if handler is not None:
                replaced = handler(node)
            if self.starred and field in ("elt", "annotation") and "lineno" in node._attributes:
                star = self.starred.get(_where(node))
                if star is not None:
                    wrapped = ast.Starred(value=replaced, ctx=ast.Load())  # type: ignore[arg-type]
                    end = self.lines.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
                    replaced = _placed(wrapped, self.lines, star, end)
            if replaced is not node:
                if index is None:
                    setattr(parent, field, replaced)
                else:
                    getattr(parent, field)[index] = replaced
        return tree

    # -- each construct --------------------------------------------------------
    def _match(self, node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.If)
        guards = self.matches.get((node.lineno, node.col_offset))
        if guards is None:
            return node
        cases = []
        branch: ast.stmt = node.body[0]
        for index, guarded in enumerate(guards):
            if not isinstance(branch, ast.If):
                raise Unsupported("a rewritten match statement lost its cases")
            test: ast.expr = branch.test
            guard: Optional[ast.expr] = None
            if guarded:
                if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and len(test.values) == 2):
                    raise Unsupported("a rewritten guard lost its shape")
                test, guard = test.values
            cases.append(nodes.match_case(pattern=_pattern(test), guard=guard, body=branch.body))
            if index + 1 < len(guards):
                branch = branch.orelse[0]
        return _like(nodes.Match(subject=node.test, cases=cases), node)

    def _alias(self, node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Assign)
        found = self.aliases.get((node.lineno, node.col_offset))
        if found is None:
            return node
        start, params = found
        alias = nodes.TypeAlias(name=node.targets[0], type_params=self._params(params), value=node.value)
        _like(alias, node)
        alias.lineno, alias.col_offset = self.lines.position(start)
        return alias  # type: ignore[no-any-return]

    def _type_params(self, node: ast.AST) -> ast.AST:
        params = self.type_params.get((node.lineno, node.col_offset))  # type: ignore[attr-defined]
        if params is not None:
            node.type_params = self._params(params)  # type: ignore[attr-defined]
        return node

    def _params(self, params: Optional[_TypeParams]) -> list[ast.AST]:
        built: list[ast.AST] = []
        for kind, name, (start, end), bound, default in params.params if params is not None else ():
            default_node = self._fragment(default) if default is not None else None
            param: ast.AST
            if kind == "TypeVar":
                param = nodes.TypeVar(name=name, bound=self._fragment(bound) if bound else None,
                                      default_value=default_node)
            elif kind == "TypeVarTuple":
                param = nodes.TypeVarTuple(name=name, default_value=default_node)
            else:
                param = nodes.ParamSpec(name=name, default_value=default_node)
            built.append(_placed(param, self.lines, start, end))
        return built

    def _fragment(self, span: Span) -> ast.expr:
        """An expression of the original text (a bound, a default) parsed on its own, with the
        positions it has in the file."""
        start, end = span
        try:
            parsed = ast.parse("[" + self.lines.text[start:end] + "\n]", mode="eval")
        except SyntaxError:
            raise Unsupported("a type parameter's bound or default is no valid syntax here") from None
        body = parsed.body
        if not isinstance(body, ast.List) or len(body.elts) != 1:
            raise Unsupported("a type parameter's bound or default is not one expression")
        line, column = self.lines.position(start)
        for sub in ast.walk(body.elts[0]):
            if "lineno" not in sub._attributes or getattr(sub, "lineno", None) is None:
                continue
            for line_field, column_field in (("lineno", "col_offset"), ("end_lineno", "end_col_offset")):
                at = getattr(sub, line_field)
                setattr(sub, column_field, getattr(sub, column_field) + (column - 1 if at == 1 else 0))
                setattr(sub, line_field, at + line - 1)
        return body.elts[0]

    def _string(self, node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Tuple)
        group = self.groups.get(_where(node))
        if group is None:
            return node
        values = iter(node.elts)
        return _like(self._joined(group, values), node)

    def _joined(self, group: _Group, values: Iterator[ast.expr]) -> ast.AST:
        parts: list[ast.AST] = []
        pending: list[tuple[str, Span]] = []

        def flush() -> None:
            if pending:
                text = "".join(value for value, _ in pending)
                if text:
                    constant = ast.Constant(value=text)
                    parts.append(_placed(constant, self.lines, pending[0][1][0], pending[-1][1][1]))
                pending.clear()

        for item in group.items:
            if item[0] == "text":
                pending.append((item[1], item[2]))
                continue
            field: _Field = item[1]
            if field.debug:  # ``{x=}`` shows ``x=`` before the value
                start = field.span[0] + 1
                pending.append((field.debug, (start, start + len(field.debug))))
            flush()
            value = next(values)
            spec = self._joined(field.spec, values) if field.spec is not None else None
            if spec is not None:
                spec_span = field.spec.span if field.spec.span is not None else field.span  # type: ignore[union-attr]
                _placed(spec, self.lines, *spec_span)
            if group.template:
                made: ast.AST = nodes.Interpolation(value=value, str=field.source, conversion=field.conversion,
                                                    format_spec=spec)
            else:
                made = ast.FormattedValue(value=value, conversion=field.conversion,
                                          format_spec=spec)  # type: ignore[arg-type]
            parts.append(_placed(made, self.lines, *field.span))
        flush()
        if group.template:
            return nodes.TemplateStr(values=parts)  # type: ignore[no-any-return]
        return ast.JoinedStr(values=parts)  # type: ignore[arg-type]

    def _try_star(self, node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Try)
        if (node.lineno, node.col_offset) not in self.try_stars:
            return node
        made = nodes.TryStar(body=node.body, handlers=node.handlers, orelse=node.orelse, finalbody=node.finalbody)
        return _like(made, node)

    def _dict_comp(self, node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.SetComp)
        if _where(node) not in self.dict_comps:
            return node
        # PEP 798: 3.15's ast has no value for ``{**d for d in ds}``.
        made = ast.DictComp(key=node.elt, value=node.elt, generators=node.generators)
        setattr(made, "value", None)
        return _like(made, node)


def _pattern(node: ast.expr) -> ast.AST:
    """The pattern a ``case`` wrote, from the expression it was rewritten into."""
    kind = type(node)
    made: ast.AST
    if kind is ast.Name:
        name = node.id  # type: ignore[attr-defined]
        made = nodes.MatchAs(pattern=None, name=None if name == "_" else name)
    elif kind is ast.BoolOp:  # ``pattern as name``, written ``pattern or name``
        inner, target = node.values  # type: ignore[attr-defined]
        made = nodes.MatchAs(pattern=_pattern(inner), name=target.id)
    elif kind is ast.BinOp and isinstance(node.op, ast.BitOr):  # type: ignore[attr-defined]
        alternatives = [node.right]  # type: ignore[attr-defined]
        left = node.left  # type: ignore[attr-defined]
        # ``a | b | c`` is one MatchOr; ``(a | b) | c`` (the left one starts later) two.
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.BitOr) and (
            (left.lineno, left.col_offset) == (node.lineno, node.col_offset)
        ):
            alternatives.append(left.right)
            left = left.left
        alternatives.append(left)
        made = nodes.MatchOr(patterns=[_pattern(p) for p in reversed(alternatives)])
    elif kind is ast.Constant and (node.value is None or node.value is True or node.value is False):  # type: ignore[attr-defined]
        made = nodes.MatchSingleton(value=node.value)  # type: ignore[attr-defined]
    elif kind is ast.List or kind is ast.Tuple:
        made = nodes.MatchSequence(patterns=[_pattern(p) for p in node.elts])  # type: ignore[attr-defined]
    elif kind is ast.Starred:
        name = node.value.id  # type: ignore[attr-defined]
        made = nodes.MatchStar(name=None if name == "_" else name)
    elif kind is ast.Dict:
        keys, patterns, rest = [], [], None
        for key, value in zip(node.keys, node.values):  # type: ignore[attr-defined]
            if key is None:
                rest = value.id
            else:
                keys.append(key)
                patterns.append(_pattern(value))
        made = nodes.MatchMapping(keys=keys, patterns=patterns, rest=rest)
    elif kind is ast.Call:
        made = nodes.MatchClass(
            cls=node.func,  # type: ignore[attr-defined]
            patterns=[_pattern(p) for p in node.args],  # type: ignore[attr-defined]
            kwd_attrs=[k.arg for k in node.keywords],  # type: ignore[attr-defined]
            kwd_patterns=[_pattern(k.value) for k in node.keywords],  # type: ignore[attr-defined]
        )
    else:  # a literal, a dotted name, ``-1``, ``1 + 2j``
        made = nodes.MatchValue(value=node)
    return _like(made, node)


# ---------------------------------------------------------------------------
# LibCST's scope analysis and lazy imports
# ---------------------------------------------------------------------------


def lazy_bindings(module: cst.Module) -> dict[str, list[cst.CSTNode]]:
    """The names bound by ``lazy import``/``lazy from`` statements at module level (outside
    functions and classes), each with the statements that bind it.

    LibCST's ``ScopeProvider`` (1.9) records no assignment for them: a caller that
    asks it what a module binds (fix's last check before adding a proxy block does)
    must add these.  Star imports bind nothing known and are left out.
    """
    found: dict[str, list[cst.CSTNode]] = {}
    if not _LAZY_TYPES:
        return found
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, _LAZY_TYPES):
            names = getattr(node, "names")
            if isinstance(names, cst.ImportStar):
                continue
            for alias in names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = alias.asname.name.value
                else:
                    bound = _dotted(alias.name).split(".")[0]
                found.setdefault(bound, []).append(node)
            continue
        stack.extend(node.children)
    return found


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
