"""Read and parse one Python file exactly once.

The bytes are handed to ``ast.parse`` directly so that PEP 263 coding
cookies and a UTF-8 BOM are honoured by CPython itself; the text is decoded
only when a comment (``# noqa``) or a column conversion needs it.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

from lazyimport_codemod.files import decode_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Compiled on first use (see _patterns): most files have no noqa comment.
_NOQA = r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?"
_CODE = r"[A-Z]+[0-9]+"
_COMPILED: list[re.Pattern[str]] = []


def _patterns() -> list[re.Pattern[str]]:
    """``_NOQA`` and ``_CODE`` compiled, case-insensitive: asked per import statement of a
    file with a noqa comment, where ``re.search``'s own cache lookup would cost more."""
    if not _COMPILED:
        _COMPILED.extend(re.compile(pattern, re.IGNORECASE) for pattern in (_NOQA, _CODE))
    return _COMPILED


class SourceError(Exception):
    """The file cannot be decoded or parsed; the message is one line."""


class ParsedSource:
    """A parsed module plus its lazily decoded text for comments, columns and name lookups."""

    __slots__ = ("data", "tree", "_text", "_lines", "_has_noqa")

    def __init__(self, data: bytes, tree: ast.Module) -> None:
        self.data = data
        self.tree = tree
        self._text: Optional[str] = None
        self._lines: Optional[list[str]] = None
        self._has_noqa: Optional[bool] = None

    @property
    def text(self) -> str:
        """The decoded source with every line break as ``\\n``, so that counting ``\\n``
        gives the line numbers ``ast`` reports (it breaks lines at ``\\r\\n``, ``\\r`` and ``\\n``
        only; ``str.splitlines`` would also break at form feeds and other separators)."""
        if self._text is None:
            self._text = decode_source(self.data).replace("\r\n", "\n").replace("\r", "\n")
        return self._text

    @property
    def lines(self) -> list[str]:
        """Line ``n`` (1-based, as ``ast`` counts) is ``lines[n - 1]``."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def noqa(self, line: int) -> Optional[frozenset[str]]:
        """Codes silenced on a 1-based line: None if no noqa, empty set for a blanket noqa."""
        if self._has_noqa is None:
            # Lowered bytes rather than a case-insensitive regular expression, which steps
            # through the bytes one at a time (both fold ASCII letters only).
            self._has_noqa = b"noqa" in self.data.lower()
        if not self._has_noqa:
            return None
        if not 0 < line <= len(self.lines):
            return None
        noqa, code = _patterns()
        match = noqa.search(self.lines[line - 1])
        if match is None:
            return None
        codes = match.group("codes")
        if not codes:
            return frozenset()
        return frozenset(found.upper() for found in code.findall(codes))

    def char_column(self, line: int, byte_column: int) -> int:
        """Convert ast's UTF-8 byte offset into a character offset (0-based)."""
        if self.data.isascii() or not 0 < line <= len(self.lines):
            return byte_column
        return char_column(self.lines[line - 1], byte_column)


def char_column(line: str, byte_column: int) -> int:
    """The character offset in ``line`` of a UTF-8 byte offset (``ast`` counts bytes, editors
    and LibCST count characters)."""
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


def parse_source(data: bytes, filename: str = "<unknown>") -> ParsedSource:
    """Parse ``data``; raise :class:`SourceError` with a one-line reason on failure.

    A file in syntax newer than this Python's (``lazy import`` before 3.15, ``match``
    on 3.9...) is parsed through LibCST instead (:mod:`~lazyimport_codemod.parse.newer_syntax`;
    ``lazy`` imports alone without it), into the tree the newer Python's ``ast`` gives;
    only such files pay for it.  The warnings the compiler gives about the user's code
    (an invalid escape sequence...) are not this tool's to print: they are silenced.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=filename)
    except SyntaxError as exc:
        where = f"{exc.lineno}:{(exc.offset or 0)}: " if exc.lineno else ""
        reason = (exc.msg or "invalid syntax").splitlines()[0]
        if "decode" in reason or "encoding" in reason:
            raise SourceError(f"cannot decode file: {reason}") from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            newer = _newer_tree(data)
        if newer is None:
            raise SourceError(f"{where}syntax error: {reason}") from None
        return ParsedSource(data, newer)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot parse file: {str(exc).splitlines()[0]}") from None
    except (RecursionError, MemoryError):  # e.g. an expression of 20,000 terms
        raise SourceError("cannot parse file: nested too deeply for Python's parser") from None
    return ParsedSource(data, tree)


# The newest Python whose syntax newer_syntax brings to older ones: on it, a file ast
# refuses is refused by that Python too, and LibCST need not be asked.
_NEWEST_SYNTAX = (3, 15)


def _newer_tree(data: bytes) -> Optional[ast.Module]:
    """The tree of a file in newer syntax, or None (then ast's own error is reported).

    A file whose only newer syntax is ``lazy import`` is answered without LibCST.
    """
    if sys.version_info >= _NEWEST_SYNTAX:
        return None
    from lazyimport_codemod.parse.text_edits import Unsupported, lazy_import_tree

    try:
        tree = lazy_import_tree(decode_source(data))
    except Unsupported:  # ``lazy from __future__``: an error on every Python
        return None
    except Exception:  # undecodable (reported by ast already), or too deep
        tree = None
    if tree is not None:
        return tree
    try:
        from lazyimport_codemod.parse.newer_syntax import newer_tree
    except ImportError:  # LibCST missing, or too old to know the newer syntax
        return None
    return newer_tree(data)
