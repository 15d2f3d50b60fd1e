"""The import statements of a file, read from its bytes without parsing it.

A regular expression finds every import-looking statement anywhere in a file:
at the start of a line, after ``;`` or after the ``:`` of a one-line block, at
any depth, function bodies included, ``lazy`` ones (PEP 810) too.  That
over-approximates the imports the
real analysis sees, which is what the prefilter
(:mod:`~lazyimport_codemod.project.prefilter`) and the importer index
(:mod:`~lazyimport_codemod.project.importers`) need: a few microseconds per
file where ``ast.parse`` takes milliseconds.  Backslash continuations are
joined first, as the tokenizer does.
"""

from __future__ import annotations

import functools
import re

from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

_IMPORTS = re.compile(
    rb"(?:^|[;:\r])[ \t\f]*(?:lazy[ \t\f]+)?(?:"  # PEP 810's ``lazy import``/``lazy from`` too
    rb"from[ \t\f]+(?P<dots>\.*)[ \t\f]*(?P<module>[^\s(]*)[ \t\f]+import[ \t\f]*(?P<names>\([^)]*\)|[^\r\n#;]*)"
    rb"|import[ \t\f]+(?P<plain>[^\r\n#;]*))",
    re.MULTILINE,
)


def _aliases(text: str) -> list[tuple[str, str]]:
    """``a as b, c`` -> [("a", "b"), ("c", "c")]."""
    text = text.strip().strip("()")
    out = []
    for part in text.replace("\n", " ").replace("\r", " ").split(","):
        words = part.split()
        if words:
            alias = words[2] if len(words) >= 3 and words[1] == "as" else words[0]
            out.append((words[0], alias))
    return out


_Aliases = tuple[tuple[str, str], ...]  # (name, bound) pairs
if TYPE_CHECKING:
    _Statement = tuple[int, Optional[str], _Aliases]  # ImportLine without its line


@functools.lru_cache(maxsize=4096)
def _window(lines: bytes) -> tuple[tuple[int, _Statement], ...]:
    """The statements the pattern finds in a window of whole lines, with their offsets.

    Memoised: a project's files repeat the same import lines.  A window starts
    at a line start, so the pattern reads it alone as it does inside the file.
    """
    found: list[tuple[int, _Statement]] = []
    for match in _IMPORTS.finditer(lines):
        if match.group("plain") is not None:
            statement: _Statement = (0, None, tuple(_aliases(match.group("plain").decode("utf-8", "replace"))))
        else:
            names = match.group("names").decode("utf-8", "replace")
            statement = (len(match.group("dots")), match.group("module").decode("utf-8", "replace"),
                         tuple(_aliases(names)))
        found.append((match.start(), statement))
    return tuple(found)


# A backslash continuation, as the tokenizer joins it (one search finds both spellings).
_CONTINUATION = re.compile(rb"\\\r?\n")


def _normalise(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _CONTINUATION.search(data) is not None:
        # Join backslash continuations the way the tokenizer does: each becomes a space,
        # as ``.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")`` would make it (the two
        # spellings never overlap, and a space never forms a new one).
        data = _CONTINUATION.sub(b" ", data)
    return data


class ImportLine(NamedTuple):
    """One import-looking statement: ``from <level dots><module> import <aliases>``,
    or ``import <aliases>`` when ``module`` is None; ``aliases`` holds (name, bound) pairs."""

    line: int
    level: int
    module: Optional[str]
    aliases: tuple[tuple[str, str], ...]


def import_lines(data: bytes) -> list[ImportLine]:
    """Every import-looking statement of a file, in order.

    Lines are approximate once backslash continuations were joined; they only label messages.

    The pattern runs only on the lines that contain the word ``import`` (most
    lines have a ``:`` or ``;`` where it could start, so running it over the
    whole file costs much more), each window of lines through :func:`_window`.
    """
    found: list[ImportLine] = []
    if b"import" not in data:
        return found
    data = _normalise(data)
    find, count = data.find, data.count
    size = len(data)
    line, counted = 1, 0
    pos = find(b"import")
    while pos != -1:
        start = data.rfind(b"\n", 0, pos) + 1
        end = find(b"\n", pos)
        if end == -1:
            end = size
        window = data[start:end]
        # An int operand makes ``in`` a plain byte search: far cheaper than a method
        # call such as ``count`` (which parses its arguments), for the few lines with "(".
        if 40 in window and window.count(b"(") > window.count(b")"):  # 40: "("
            close = find(b")", end)
            end = size if close == -1 else close + 1
            window = data[start:end]
        for offset, statement in _window(window):
            offset += start
            if offset < counted:  # ranges after a parenthesised import may step back
                line, counted = 1, 0
            line += count(b"\n", counted, offset)
            counted = offset
            found.append(ImportLine(line, *statement))
        pos = find(b"import", end)
    return found
