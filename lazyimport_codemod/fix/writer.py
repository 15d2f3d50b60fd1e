"""Write rewritten files atomically and show what would change as a unified diff.

``fix`` promises that a file is either fully rewritten or untouched, and that
its mode survives: a crash, a full disk or Ctrl-C in the middle of a write must
never leave half a module behind.  So the new bytes go to a temporary file in
the target's own folder (same filesystem, so :func:`os.replace` is an atomic
rename) and only then replace the original.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tempfile
import tokenize
from pathlib import Path

_DEFAULT_MODE = 0o644
# Python's own line ends; str.splitlines() would also split at form feeds and the like.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the contents of ``path`` with ``data`` in one step, keeping its mode.

    A symlink is not replaced by a regular file: the write goes next to, and
    replaces, the file the link points to, so the link keeps working.
    """
    target = Path(os.path.realpath(path))
    mode = _mode_of(target)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        _remove_quietly(temp_name)
        raise


def _mode_of(target: Path) -> int:
    """Permission bits to give the new file: the old file's, or a plain 0644."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return _DEFAULT_MODE


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


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
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("utf-8", errors="backslashreplace")
