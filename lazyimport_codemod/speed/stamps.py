"""File-system stamps: how a stored lint answer notices that what it was computed from changed.

Shared by the results cache (:mod:`lazyimport_codemod.speed.results_cache`) and the
command replay (:mod:`lazyimport_codemod.speed.replay`), which runs before
anything else is imported, so this module uses ``os`` only.

A stamp is ``(path, size, mtime_ns, ctime_ns, mode, inode)``.  ``size`` also
says what kind of stamp it is: ``>= 0`` a file (ctime catches an edit that
restored the old mtime, mode a file that became unreadable, the inode a file
replaced by another one with the same dates, or a symbolic link repointed),
:data:`FOLDER` a folder (its mtime changes when an entry is created, deleted or
renamed), :data:`PRESENT` only that something is there with that mode
(``.git``, whose mtime changes on every commit), :data:`MISSING` nothing there.
"""

from __future__ import annotations

import os

from lazyimport_codemod.files import ENVIRONMENT_MARKERS

TYPE_CHECKING = False  # importing typing would add to every replay
if TYPE_CHECKING:
    from typing import Iterable, Optional

FOLDER = -1
MISSING = -2
PRESENT = -3


# A change younger than this is not trusted: a second write in the same clock tick
# could keep size and mtime (git calls such entries "racily clean").
RACY_NS = 2_000_000_000

Stamp = tuple[str, int, int, int, int, int]


def stamp(path: str, folder: bool) -> Stamp:
    """A file's or folder's stamp now (:data:`MISSING` when nothing is there)."""
    try:
        info = os.stat(path)
    except OSError:
        return (path, MISSING, 0, 0, 0, 0)  # differs from any stamp of an existing path
    return (path, FOLDER if folder else info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode,
            info.st_ino)


def racy(stamps: Iterable[Stamp]) -> bool:
    """Whether any stamped change is too recent to be told apart from the next one.

    Only the mtime is tested: a file put in place with an old mtime (``mv``,
    ``cp -p``, an unpacked archive) is a new inode, which the stamp holds.
    """
    import time

    recent = time.time_ns() - RACY_NS
    return any(item[2] > recent for item in stamps)


def presence(path: str) -> Stamp:
    """Whether something is at ``path``, and its mode; not when it last changed."""
    try:
        return (path, PRESENT, 0, 0, os.stat(path).st_mode, 0)
    except OSError:
        return (path, MISSING, 0, 0, 0, 0)


def unchanged(recorded: Stamp, listings: dict[str, tuple[str, ...]]) -> bool:
    """Whether a stamped path is as it was (see :func:`current`)."""
    return current(recorded, listings) is not None


def current(recorded: Stamp, listings: dict[str, tuple[str, ...]]) -> Optional[Stamp]:
    """The path's stamp now if it is as it was when ``recorded``, else ``None``.

    A folder whose stamp changed still counts as unchanged when the entries
    that decide which modules exist are the same (:func:`listing`): other tools
    create ``.ruff_cache`` or ``.mypy_cache`` next to the code and editors write
    swap files, and none of that should cost a full analysis.  Its new stamp
    lets a caller keep that answer without listing the folder again next time.
    """
    path, size = recorded[0], recorded[1]
    if size == PRESENT:
        return recorded if presence(path) == recorded else None
    now = stamp(path, size < 0)
    if now == recorded:
        return recorded
    if size == FOLDER and now[1] == FOLDER and path in listings and listing(path) == listings[path]:
        return now
    return None


def listing(folder: str) -> tuple[str, ...]:
    """The entries of ``folder`` that decide what a walk finds there, sorted; empty when it
    cannot be listed.

    Those are the visible folders (``name/``), ``.py`` files (``name``), symbolic
    links (``name@``, dangling ones too: a walk does not follow a linked folder,
    but a module lookup does, and a link that turns into a real folder must count
    as a change) and the files that mark a virtual environment, which a walk skips.
    """
    try:
        with os.scandir(folder) as entries:
            return tuple(sorted(_entry(entry) for entry in entries if _matters(entry)))
    except OSError:
        return ()


def linked_modules(folder: str, names: tuple[str, ...]) -> list[str]:
    """The symbolic links named ``*.py`` in a :func:`listing`: each must be stamped
    as a file, since a dangling one that starts to resolve is a new module
    without any folder changing."""
    return [os.path.join(folder, name[:-1]) for name in names if name.endswith(".py@")]


def _matters(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith("."):
        return False
    return name.endswith(".py") or name in ENVIRONMENT_MARKERS or entry.is_symlink() or entry.is_dir()


def _entry(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return entry.name + "@"
    return entry.name + ("/" if entry.is_dir(follow_symlinks=False) else "")
