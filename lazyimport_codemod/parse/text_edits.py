"""Edit a source text, parse the result with this Python's ``ast``, and put every node back
where its text stands in the original: the machinery of the newer-syntax parse
(:mod:`~lazyimport_codemod.parse.newer_syntax`), and its fast path for the commonest case.

Standard library only: :mod:`~lazyimport_codemod.parse.source` imports this module when
``ast.parse`` refused a file, and :func:`lazy_import_tree` answers a file whose only newer
syntax is PEP 810's ``lazy import``/``lazy from`` without loading LibCST at all.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from typing import Iterator, Optional, Sequence

Span = tuple[int, int]  # character offsets in the (newline-normalised) text: start, end
Position = tuple[int, int]  # ast's (line, UTF-8 column)
Edit = tuple[int, int, str]  # replace text[start:end] with the string


class Unsupported(Exception):
    """The file is not valid in any syntax this package can bring to the running Python."""


def normalised(text: str) -> str:
    """``text`` without a BOM and with ``\\n`` line breaks only: ast numbers lines at
    ``\\r\\n``, ``\\r`` and ``\\n``, so then character offsets and lines agree."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Lines:
    """Converts between character offsets and ast's (line, UTF-8 column) in one text."""

    __slots__ = ("text", "starts", "ascii")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        pos = text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.starts = starts
        self.ascii = text.isascii()

    def offset(self, line: int, column: int) -> int:
        start = self.starts[line - 1]
        if self.ascii:
            return start + column
        head = self.text[start:start + column]  # a UTF-8 column is never fewer characters
        if head.isascii():
            return start + column
        return start + len(head.encode("utf-8")[:column].decode("utf-8", "ignore"))

    def position(self, offset: int) -> Position:
        index = bisect_right(self.starts, offset) - 1
        start = self.starts[index]
        if self.ascii:
            return index + 1, offset - start
        return index + 1, len(self.text[start:offset].encode("utf-8"))


def checked(edits: list[Edit]) -> list[Edit]:
    """Edits in text order; overlapping ones would mean two constructs claim the same text."""
    edits.sort(key=lambda edit: (edit[0], edit[1]))
    for before, after in zip(edits, edits[1:]):
        if before[1] > after[0]:
            raise Unsupported("two rewrites overlap")
    return edits


def applied(text: str, edits: Sequence[Edit]) -> str:
    pieces = []
    done = 0
    for start, end, replacement in edits:
        pieces.append(text[done:start])
        pieces.append(replacement)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


class Remap:
    """Moves ast positions in the rewritten text to the original text.

    A start inside a replacement goes to the replacement's start (a parenthesis put
    before ``a`` starts at ``a``); a start just after a cut goes after it.  An end goes to
    the end of a replacement it falls in or just after, and stays before a cut it
    touches: so ``(A, B)`` inserted around ``A, B`` spans ``A, B``.
    """

    def __init__(self, edits: Sequence[Edit], original: Lines, rewritten: Lines) -> None:
        self.original = original
        self.rewritten = rewritten
        self.old_starts: list[int] = []
        self.old_ends: list[int] = []
        self.new_starts: list[int] = []
        self.new_ends: list[int] = []
        shift = 0
        text = original.text
        # Whether every line keeps its number: then only nodes on an edited line move.
        self.same_lines = True
        for start, end, replacement in edits:
            self.old_starts.append(start)
            self.old_ends.append(end)
            self.new_starts.append(start + shift)
            shift += len(replacement) - (end - start)
            self.new_ends.append(end + shift)
            if "\n" in replacement or "\n" in text[start:end]:
                self.same_lines = False
        self.edited_lines = sorted({original.position(offset)[0] for edit in edits for offset in edit[:2]})

    def start(self, offset: int) -> int:
        index = bisect_right(self.new_starts, offset) - 1
        if index < 0:
            return offset
        if offset < self.new_ends[index]:
            return self.old_starts[index]
        return offset - self.new_ends[index] + self.old_ends[index]

    def end(self, offset: int) -> int:
        index = bisect_left(self.new_starts, offset) - 1
        if index < 0:
            return offset
        if offset <= self.new_ends[index]:
            return self.old_ends[index]
        return offset - self.new_ends[index] + self.old_ends[index]

    def tree(self, tree: ast.AST) -> None:
        original, rewritten = self.original, self.rewritten
        nodes = walk_lines(tree, self.edited_lines) if self.same_lines else ast.walk(tree)
        for node in nodes:
            if "lineno" not in node._attributes:
                continue
            line = getattr(node, "lineno", None)
            if line is None:
                continue
            start = self.start(rewritten.offset(line, node.col_offset))  # type: ignore[attr-defined]
            node.lineno, node.col_offset = original.position(start)  # type: ignore[attr-defined]
            end_line = getattr(node, "end_lineno", None)
            if end_line is not None:
                end = self.end(rewritten.offset(end_line, node.end_col_offset))  # type: ignore[attr-defined]
                node.end_lineno, node.end_col_offset = original.position(max(end, start))  # type: ignore[attr-defined]


def walk_lines(tree: ast.AST, lines: Sequence[int]) -> Iterator[ast.AST]:
    """The nodes of ``tree`` that may lie on one of ``lines`` (sorted): ``ast.walk`` without
    the nodes, and what they hold, whose lines (decorators included) are none of them."""
    stack = [tree]
    while stack:
        node = stack.pop()
        first = getattr(node, "lineno", None)
        if first is not None:
            for decorator in getattr(node, "decorator_list", ()):
                first = min(first, decorator.lineno)
            last = getattr(node, "end_lineno", None) or first
            index = bisect_left(lines, first)
            if index == len(lines) or lines[index] > last:
                continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def mark_lazy(tree: ast.AST, lazy: dict[Position, Position]) -> int:
    """Give the imports whose ``import``/``from`` keyword stands at a key of ``lazy`` the
    ``is_lazy`` mark and the start (the ``lazy`` keyword) of 3.15's ast; how many were found.

    Raises :class:`Unsupported` for ``lazy from __future__ import``, which 3.15's parser
    refuses."""
    found = 0
    for node in walk_lines(tree, sorted({line for line, _ in lazy})):
        kind = type(node)
        if kind is not ast.Import and kind is not ast.ImportFrom:
            continue
        start = lazy.get((getattr(node, "lineno"), getattr(node, "col_offset")))
        if start is None:
            continue
        if kind is ast.ImportFrom and getattr(node, "module") == "__future__" and not getattr(node, "level"):
            raise Unsupported("lazy from __future__ import is not allowed")
        setattr(node, "lineno", start[0])
        setattr(node, "col_offset", start[1])
        setattr(node, "is_lazy", 1)  # a field on 3.15, an attribute before
        found += 1
    return found


# ``lazy`` starting a statement: at the start of a line, or after ``;`` or the ``:`` of a
# one-line block, and followed on the same line by ``import`` or ``from``.
_LAZY = re.compile(r"(?:^|(?<=[;:]))[ \t\f]*(lazy[ \t\f]+)(?=(?:import|from)[ \t\f(.\\])", re.MULTILINE)


def lazy_import_tree(text: str) -> Optional[ast.Module]:
    """The tree of a file whose only syntax newer than this Python's is ``lazy import`` and
    ``lazy from`` (PEP 810), as 3.15's ast gives it; None for any other file.

    Each ``lazy`` that seems to start a statement is cut and the result parsed; the answer
    stands only if this Python's parser accepts it and every cut sits right before an
    import statement (so none was in a string or a comment).  Anything else is left to
    LibCST.  Raises :class:`Unsupported` for ``lazy from __future__ import``.
    """
    text = normalised(text)
    if "lazy" not in text:
        return None
    edits: list[Edit] = [(match.start(1), match.end(1), "") for match in _LAZY.finditer(text)]
    if not edits:
        return None
    rewritten = applied(text, edits)
    try:
        tree = ast.parse(rewritten)
    except SyntaxError:
        return None
    original = Lines(text)
    Remap(edits, original, Lines(rewritten)).tree(tree)
    lazy = {original.position(end): original.position(start) for start, end, _ in edits}
    if mark_lazy(tree, lazy) != len(edits):
        return None
    return tree
