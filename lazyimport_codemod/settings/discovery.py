"""Turn command-line paths into the sorted list of Python files to check.

Folders are walked with ``os.scandir`` (one system call per folder, file types
from the directory entry) and never into what is not the project's own code:
hidden folders, ``__pycache__``, virtual environments (any folder holding
``pyvenv.cfg``, or a conda ``conda-meta``, and folders named ``venv``),
``build``, ``dist``, ``node_modules``, ``site-packages``, ``__pypackages__`` and
``*.egg-info`` -- except a sub-package of a package (``app/build/``
beside ``app/__init__.py`` is the app's own code).  Hidden files are skipped too: editors leave ``.#name.py`` lock
files that are dangling symlinks.  Symlinked folders are not followed, so a
link cycle cannot hang a run and no file is checked twice.

The config's ``exclude`` globs apply everywhere, also to files named on the
command line, because pre-commit passes explicit file names and they must still
honour excludes (like ``ruff --force-exclude``).  A glob without ``/`` matches
a file or folder name at any depth (``migrations``, ``*_pb2.py``); a glob with
``/`` matches the path relative to the config's root, where ``*`` and ``?``
stay within one path segment and ``**`` spans any number of them
(``tests/fixtures/**``, ``**/generated/*.py``).  Excluding a folder excludes
everything under it.  Matching is case-sensitive.
"""

from __future__ import annotations

import os
from pathlib import Path

from lazyimport_codemod.files import ENVIRONMENT_MARKERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional
    from lazyimport_codemod.settings.config import Config

SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "__pypackages__", "build", "dist", "node_modules", "site-packages", "venv"}
)


class PathNotFound(Exception):
    """A command-line path that does not exist; ``str(exc)`` is ready to print."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"path '{path}' does not exist")


def discover_files(path: Path, config: Config, walked: Optional[list[str]] = None) -> list[Path]:
    """The ``.py`` files one command-line path stands for, sorted, as absolute paths.

    A file is returned as itself whatever its extension (a script without
    ``.py`` named on purpose is checked), unless the config excludes it.  The
    built-in skip rules apply to what a walk finds, not to the path given: a
    user who names ``build/`` explicitly wants it checked.  The folders read
    are added to ``walked`` when it is given.
    """
    absolute = os.path.abspath(path)
    if not os.path.exists(absolute):
        raise PathNotFound(path)
    found, folders = discover_tree(absolute, config)
    if walked is not None:
        walked.extend(folders)
    return [Path(file) for file in sorted(found, key=path_order)]


def path_order(path: Path | str) -> list[str]:
    """Sort key giving :class:`Path`'s own order (part by part, case-folded on Windows)
    without building Path objects to compare, which costs far more than the split."""
    return os.path.normcase(str(path)).split(os.sep)


def discover_tree(absolute: str, config: Config) -> tuple[list[str], list[str]]:
    """The ``.py`` files under an absolute path (unsorted) and the folders walked to find them.

    The folders matter to the results cache: a file created or deleted in one
    of them changes that folder's modification time.
    """
    excluder = _excluder(config)
    rel = _relative_to_root(absolute, config.root)
    if excluder is not None and _excluded(absolute, rel, excluder):
        return [], []
    if not os.path.isdir(absolute):
        return ([absolute] if os.path.isfile(absolute) else []), []
    found: list[str] = []
    folders: list[str] = []
    _walk(absolute, rel, excluder, found, folders)
    return found, folders


def _walk(top: str, rel: Optional[str], excluder: Optional[_Excluder], found: list[str],
          folders: list[str]) -> None:
    """Collect ``.py`` files under ``top`` into ``found`` and the folders read into
    ``folders``; depth-first, no recursion."""
    pending: list[tuple[str, Optional[str]]] = [(top, rel)]
    while pending:
        folder, folder_rel = pending.pop()
        folders.append(folder)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # unreadable folder (permissions, vanished): nothing to check there
            continue
        if folder != top and any(entry.name in ENVIRONMENT_MARKERS for entry in entries):
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if folder_rel is None:  # outside the root: only name globs apply
                entry_rel = None
            else:
                entry_rel = f"{folder_rel}/{name}" if folder_rel else name
            if entry.is_dir(follow_symlinks=False):
                if (name in SKIPPED_FOLDERS or name.endswith(".egg-info")) and not (
                        name in _CODE_NAMES and _in_package(folder)):
                    continue
                if excluder is None or not excluder.match(entry_rel, name):
                    pending.append((entry.path, entry_rel))
            elif name.endswith(".py") and entry.is_file():
                if excluder is None or not excluder.match(entry_rel, name):
                    found.append(entry.path)


# Skipped folder names that can be a package's own sub-package (``app/build/``, with or
# without ``__init__.py``); ``build/lib/app`` left by setuptools is never inside a package.
_CODE_NAMES = frozenset({"build", "dist"})


def _in_package(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "__init__.py"))


def _relative(path: str, root: str) -> Optional[str]:
    """``path`` relative to ``root`` with ``/`` separators; "" for root, None if outside."""
    if path == root:
        return ""
    prefix = root.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :].replace(os.sep, "/")


def _relative_to_root(path: str, root: Path) -> Optional[str]:
    """Like :func:`_relative`, also when one side was reached through a symlink.

    (A root from ``Path.resolve()`` against a path typed by the user, e.g. on
    macOS where ``/tmp`` is ``/private/tmp``; checked once per command-line path.)
    """
    rel = _relative(path, os.path.abspath(root))
    if rel is None:
        rel = _relative(os.path.realpath(path), os.path.realpath(root))
    return rel


def _excluded(path: str, rel: Optional[str], excluder: _Excluder) -> bool:
    """Whether ``path`` (``rel`` from the root) or a folder between it and the root is excluded."""
    if rel is None:  # outside the root: only name globs can apply
        return excluder.match(None, os.path.basename(path))
    parts = rel.split("/") if rel else []
    return any(
        excluder.match("/".join(parts[: index + 1]), part) for index, part in enumerate(parts)
    )


# -- exclude globs -------------------------------------------------------------------


class _Excluder:
    """All of a config's exclude globs as (at most) two compiled regexes."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        import fnmatch
        import re

        names: list[str] = []
        paths: list[str] = []
        for raw in patterns:
            pattern = raw.strip().replace("\\", "/")
            while pattern.startswith("./"):
                pattern = pattern[2:]
            pattern = pattern.strip("/")
            if not pattern:
                continue
            if "/" in pattern:
                paths.append(translate_path_glob(pattern))
            else:
                names.append(fnmatch.translate(pattern))
        self._names = re.compile("|".join(names)) if names else None
        self._paths = re.compile("|".join(paths)) if paths else None

    def match(self, rel: Optional[str], name: str) -> bool:
        """Whether the entry called ``name`` at ``rel`` (None: outside root) is excluded."""
        if self._names is not None and self._names.match(name):
            return True
        return rel is not None and self._paths is not None and bool(self._paths.match(rel))


_EXCLUDERS: dict[tuple[str, tuple[str, ...]], Optional[_Excluder]] = {}


def _excluder(config: Config) -> Optional[_Excluder]:
    """The compiled globs of ``config``, built once per distinct exclude list."""
    key = (os.fspath(config.root), config.exclude)
    if key not in _EXCLUDERS:
        _EXCLUDERS[key] = _Excluder(config.exclude) if config.exclude else None
    return _EXCLUDERS[key]


def translate_path_glob(pattern: str) -> str:
    """Regex source for a ``/``-separated glob where only ``**`` crosses folders.

    ``a/**`` also matches ``a`` itself, so a walk can prune the folder instead of
    testing every file below it; ``**/b`` matches ``b`` at any depth.
    """
    import re

    out: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "*":
            end = index
            while end < size and pattern[end] == "*":
                end += 1
            whole_segment = (index == 0 or pattern[index - 1] == "/") and end - index >= 2
            if whole_segment and end < size and pattern[end] == "/":
                out.append("(?:.*/)?")  # '**/': zero or more leading folders
                index = end + 1
                continue
            if whole_segment and end == size:
                if out:  # '/**' at the end: the folder itself or anything below
                    out.pop()
                    out.append("(?:/.*)?")
                else:
                    out.append(".*")
                index = end
                continue
            out.append("[^/]*")
            index = end
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            closing = _class_end(pattern, index)
            if closing < 0:
                out.append(re.escape(char))
            else:
                out.append(_class(pattern[index + 1 : closing]))
                index = closing
        else:
            out.append(re.escape(char))
        index += 1
    return f"(?s:{''.join(out)})\\Z"


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the character class opened at ``start``, or -1."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "!":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    return pattern.find("]", index)


def _class(body: str) -> str:
    body = body.replace("\\", "\\\\")
    if body.startswith("!"):
        body = "^" + body[1:]
    elif body.startswith("^"):
        body = "\\" + body
    return f"[{body}]"
