"""Show what fix would change as a unified diff (writing is :func:`lazyimport_codemod.files.write_atomic`)."""

from __future__ import annotations

import difflib
import os
import re

from lazyimport_codemod.files import decode_source

# Python's own line ends; str.splitlines() would also split at form feeds and the like.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def unified_diff(path_label: str, before: bytes, after: bytes) -> str:
    """A git-style unified diff (``--- a/path`` / ``+++ b/path``); empty if nothing changed.

    Each side is decoded with its own encoding (coding cookie or BOM), and
    CRLF endings are shown as plain line breaks, so the diff reads the same
    whatever the file's conventions; fix keeps those conventions on disk.
    """
    if before == after:
        return ""
    label = path_label.replace(os.sep, "/")
    old_lines = _lines(before)
    new_lines = _lines(after)
    out: list[str] = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{label}", f"b/{label}", n=3):
        if line.startswith(("---", "+++", "@@")):
            out.append(line.rstrip("\n") + "\n")
        elif line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(data: bytes) -> list[str]:
    """Decoded lines ending in ``\\n`` (the last one may have no ending at all)."""
    return [_unify_ending(line) for line in _LINE.findall(_decode(data))]


def _unify_ending(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2] + "\n"
    if line.endswith("\r"):
        return line[:-1] + "\n"
    return line


def _decode(data: bytes) -> str:
    """Decode as Python would; undecodable bytes are shown escaped rather than failing."""
    try:
        return decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data.decode("utf-8", errors="backslashreplace")
