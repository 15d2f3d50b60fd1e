"""Quote the plain annotations a plan names, so they no longer run with their ``def``.

The analysis (:mod:`~lazyimport_codemod.rules.annotations`) lists, for each name
fix defers, the lines of the annotations that name it and may be quoted.  Here
every annotation (of a parameter, a return, or an annotated assignment) that
loads one of those names on one of those lines becomes a string holding its
code, whole: ``Optional[pd.DataFrame]`` becomes ``"Optional[pd.DataFrame]"``,
the names that do not need quoting with it.  Strings inside it stay as they are
(``Literal["a"]`` must keep its string) and the quote written is one the code
does not hold, or escaped.  The rewrite keeps every line where it was, so the
positions the other plans locate statements by stay true: an annotation written
over several lines becomes a triple-quoted string over the same lines.
"""

from __future__ import annotations

from typing import Iterator, Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

class QuoteError(Exception):
    """An annotation cannot be quoted without losing something (a comment inside it)."""


def quote_annotations(source: bytes, names: Mapping[str, frozenset[int]]) -> bytes:
    """``source`` with each annotation that loads a name of ``names`` on one of its lines quoted."""
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    quoter = _Quoter(module, names)
    result = wrapper.visit(quoter)
    return result.bytes if quoter.changed else source


class _Quoter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module, names: Mapping[str, frozenset[int]]) -> None:
        super().__init__()
        self.module = module
        self.names = names
        self.changed = False

    def leave_Annotation(self, original_node: cst.Annotation, updated_node: cst.Annotation) -> cst.Annotation:
        expression = original_node.annotation
        if isinstance(expression, (cst.SimpleString, cst.ConcatenatedString)):
            return updated_node  # a forward reference already
        for name in _loads(expression):
            lines = self.names.get(name.value)
            if lines and self.get_metadata(PositionProvider, name).start.line in lines:
                self.changed = True
                string = cst.SimpleString(_quoted(self.module, expression), lpar=expression.lpar, rpar=expression.rpar)
                return updated_node.with_changes(annotation=string)
        return updated_node


def _loads(node: cst.CSTNode) -> Iterator[cst.Name]:
    """The names an expression loads (not attribute names, keywords, or the inside of a lambda)."""
    if isinstance(node, cst.Name):
        yield node
    elif isinstance(node, cst.Attribute):
        yield from _loads(node.value)
    elif isinstance(node, cst.Arg):
        yield from _loads(node.value)
    elif not isinstance(node, cst.Lambda):
        for child in node.children:
            yield from _loads(child)


def _quoted(module: cst.Module, expression: cst.BaseExpression) -> str:
    """A string literal whose value is the expression's code (its parentheses left outside),
    on the lines it took."""
    if _has_comment(expression):
        raise QuoteError("an annotation holds a comment, which quoting it would lose")
    code = module.code_for_node(expression.with_changes(lpar=(), rpar=()))
    if "\n" in code or "\r" in code:
        escaped = code.replace("\\", "\\\\").replace('"', '\\"')
        return f'"""{escaped}"""'
    if "\\" not in code:
        if '"' not in code:
            return f'"{code}"'
        if "'" not in code:
            return f"'{code}'"
    return '"' + code.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _has_comment(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Comment):
        return True
    return any(_has_comment(child) for child in node.children)
