"""Files as the tool shows, reads and writes them.

Messages show a path relative to the current folder when it lies inside it;
sources are decoded as the interpreter decodes them; every file the tool
writes (rewritten modules, caches, settings, the runtime copy) is replaced
atomically.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # the command replay imports this module: it imports nothing else at run time
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Optional, Union

# A folder holding one of these is a virtual environment: discovery skips it, and the
# stamps of a folder's listing notice one appearing.
ENVIRONMENT_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})


def display_path(path: Union[str, os.PathLike[str]], cwd: Optional[str] = None) -> str:
    """``path`` relative to ``cwd`` (default: the current folder) when it lies inside it,
    else unchanged, as ruff shows paths."""
    text = os.fspath(path)
    here = cwd if cwd is not None else os.getcwd()
    normal = os.path.normpath(text) if os.path.isabs(text) else os.path.normpath(os.path.join(here, text))
    prefix = os.path.join(here, "")
    if normal.startswith(prefix):
        return normal[len(prefix):].lstrip(os.sep)  # (POSIX keeps a leading "//")
    return text


class DisplayPaths:
    """:func:`display_path` for one run, each path worked out once (messages name the same
    files thousands of times)."""

    def __init__(self) -> None:
        self._cwd = os.getcwd()
        self._shown: dict[Path, str] = {}

    def __call__(self, path: Path) -> str:
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = display_path(path, self._cwd)
        return shown


def write_atomic(path: Union[str, os.PathLike[str]], data: bytes, new_mode: Optional[int] = 0o644,
                 durable: bool = False) -> None:
    """Replace the contents of ``path`` with ``data`` in one step: the bytes go to a
    temporary file in the same folder (same filesystem), which is then renamed over the
    target, so a crash, a full disk or Ctrl-C never leaves half a file behind.

    An existing file keeps its permission bits; a new one gets ``new_mode`` (None: what
    the umask leaves of 0o666, as for any file the user creates).  A symbolic link is
    not replaced: the file it points to is.  ``durable`` also flushes the data to disk
    before the rename.  Raises OSError, having removed the temporary file.
    """
    target = os.path.realpath(path)
    try:
        mode: Optional[int] = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = new_mode
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def decode_source(data: bytes) -> str:
    """Decode Python source bytes as the interpreter does (BOM, coding cookie, else UTF-8).

    Raises UnicodeDecodeError, or SyntaxError for a cookie naming no known encoding.
    """
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first != -1 else -1
    if not data.startswith(b"\xef\xbb\xbf") and b"coding" not in (data if second == -1 else data[:second]):
        return data.decode("utf-8")  # no BOM and no cookie in the first two lines: tokenize would say UTF-8
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)
