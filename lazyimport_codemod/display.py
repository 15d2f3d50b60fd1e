"""How messages show a path: relative to the current folder when inside it, else as it is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union


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
