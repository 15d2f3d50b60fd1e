"""Replay a lint run's result when nothing it could have read has changed.

Why: the facts cache (:mod:`lazyimport_codemod.speed.facts_cache`) spares a
warm run the parsing, but the graph and every file's verdicts are still
rebuilt, which on a large project costs many times what ruff's cache answers
in.  A lint result depends only on the settings, the files asked for and the
project's files, so when none of those changed the stored result is the answer.

What a result depends on, and how a change is noticed:

* the tool and format version, the Python minor version (the standard
  library's module list decides what is traced), the current folder (paths
  are printed relative to it), the whole :class:`Config` and the list of
  files asked for: the key, compared in full on every load;
* every ``.py`` file under the project root and the ``src`` roots (LI002
  follows imports anywhere there, and whether a name can be deferred depends
  on the modules that import it), plus the files asked for: stamped with
  size, mtime_ns, ctime_ns and mode (ctime catches an edit that restored the
  old mtime, mode a file that became unreadable);
* every folder walked to find them, and each root even when missing:
  creating, deleting or renaming an entry changes its folder's mtime_ns, so
  new modules are noticed without a walk.  A folder whose mtime changed still
  matches when its ``.py`` files and subfolders (recorded with the stamps) are
  the same: ``.ruff_cache`` or an editor's swap file is not a change.

The stamps are taken *before* the analysis reads anything, so a file edited
while lint runs looks changed to the next run.  A modification younger than
two seconds is not trusted (a second write in the same clock tick could keep
size and mtime; git calls these entries "racily clean"), so such a run stores
nothing; creating ``.lazyimport_cache`` makes the project folder young, so the
first run of all never stores.  A run that depended on something unstamped --
read a file, looked a module up in a folder, or added an import root outside
the walked tree (an excluded, skipped or symlinked folder, a file outside the
project) -- stores nothing either.  Entries are written to a temporary file and
renamed, so concurrent runs never see half an entry; anything unreadable is a
miss.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lazyimport_codemod import __version__
from lazyimport_codemod.files import write_atomic
from lazyimport_codemod.speed.stamps import Stamp, linked_modules, listing, racy, stamp, unchanged

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional
    from lazyimport_codemod.records import LintResult
    from lazyimport_codemod.settings.config import Config

_FORMAT = 7
_KEEP = 64  # entries per project; each pre-commit file list is its own key
_STALE_TEMP_NS = 3600 * 1_000_000_000  # a temporary file this old belongs to a killed run

class ResultsCache:
    """The stored result for one (settings, files) question, in ``<root>/.lazyimport_cache``."""

    def __init__(self, config: Config, files: Iterable[Path]) -> None:
        self.config = config
        self.files = tuple(str(path) for path in files)
        self.key = repr((_FORMAT, __version__, sys.version_info[:2], os.getcwd(), tuple(config), self.files))
        self.folder = config.root / ".lazyimport_cache" / f"results-{__version__}"
        self.roots: tuple[str, ...] = ()
        self.stamps: Optional[tuple[Stamp, ...]] = None
        self.listings: dict[str, tuple[str, ...]] = {}
        # Whether the result in hand is known to depend on nothing but the stamps
        # (loaded, or stored): only then may a command replay reuse them.
        self.trusted = False

    def _entry(self) -> Path:
        import zlib

        return self.folder / f"{zlib.crc32(self.key.encode()):08x}"

    def load(self) -> Optional[LintResult]:
        """The stored result if its key matches and no stamped file or folder changed."""
        import marshal

        entry = self._entry()
        try:
            # marshal.loads of the whole file: marshal.load on a file object reads it
            # object by object, which is much slower.
            with open(entry, "rb") as handle:
                key, stamps, listings, roots, diagnostics, errors, files = marshal.loads(handle.read())
            if key != self.key or not all(unchanged(item, listings) for item in stamps):
                return None
            from lazyimport_codemod.records import Diagnostic, FileError, LintResult

            result = LintResult(list(map(Diagnostic._make, diagnostics)),
                                list(map(FileError._make, errors)), files)
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            return None
        self.stamps, self.listings, self.roots, self.trusted = stamps, listings, roots, True
        try:
            os.utime(entry)  # pruning keeps the entries used last
        except OSError:
            pass
        return result

    def stamp(self) -> None:
        """Stamp every file and folder the analysis may read; call before it starts."""
        from lazyimport_codemod.settings.discovery import discover_tree

        self._prepare()
        roots = [os.path.abspath(root) for root in (self.config.root, *self.config.src)]
        files: set[str] = set(self.files)
        folders: set[str] = set(roots)  # a missing root is stamped as missing
        for root in roots:
            if os.path.isdir(root):
                found, walked = discover_tree(root, self.config)
                files.update(found)
                folders.update(walked)
        self.roots = tuple(root.rstrip(os.sep) + os.sep for root in roots)
        stamps = [stamp(path, True) for path in sorted(folders)]
        self.listings = {path: listing(path) for path in folders}
        for folder, names in self.listings.items():
            files.update(linked_modules(folder, names))
        stamps += [stamp(path, False) for path in sorted(files)]
        self.stamps = tuple(stamps)

    def store(self, result: LintResult, read: Iterable[Path], roots: Iterable[Path],
              probed: Iterable[Path]) -> None:
        """Keep ``result`` unless a stamp is racy or the run depended on something unstamped.

        ``read`` is every file the analysis read, ``roots`` the import roots it
        ended with (a file outside the project adds its own) and ``probed`` the
        folders its module lookups looked into.  Those outside the stamped tree
        (an excluded or skipped folder, a symlinked one, a folder outside the
        project) could change unseen, so such a run stores nothing.
        """
        import marshal

        if not self._storable(read, roots, probed):
            return
        # marshal, not pickle: plain tuples load much faster.
        data = marshal.dumps((self.key, self.stamps, self.listings, self.roots,
                              [tuple(d) for d in result.diagnostics],
                              [tuple(e) for e in result.errors], result.files))
        try:
            write_atomic(self._entry(), data)
            self.trusted = True
            self._prune()
        except OSError:
            pass  # a read-only checkout simply runs without a cache

    def _storable(self, read: Iterable[Path], roots: Iterable[Path], probed: Iterable[Path]) -> bool:
        """Whether the stamps cover everything the run depended on (see :meth:`store`)."""
        if self.stamps is None:
            return False
        files = {item[0] for item in self.stamps if item[1] >= 0}
        folders = {item[0] for item in self.stamps if item[1] < 0}
        if not all(str(path) in files for path in read):
            return False
        if not all((str(root).rstrip(os.sep) + os.sep).startswith(self.roots) for root in roots):
            return False
        if not all(_covered(str(folder), folders) for folder in probed):
            return False
        return not racy(self.stamps)

    def _prepare(self) -> None:
        """Create the cache folders before stamping, so creating them changes no stamp.

        Creating ``.lazyimport_cache`` itself makes the project folder's stamp
        young, so the very first run stores nothing and the next one does.
        """
        try:
            if not self.folder.parent.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder.parent / ".gitignore").write_text("# Created by lazyimport; safe to delete.\n*\n")
            self.folder.mkdir(exist_ok=True)
        except OSError:
            pass

    def _prune(self) -> None:
        """Keep the :data:`_KEEP` entries used last (pre-commit's file lists rarely repeat)
        and drop temporary files a killed run left behind."""
        import time

        entries = []
        stale = time.time_ns() - _STALE_TEMP_NS
        with os.scandir(self.folder) as listing:
            for entry in listing:
                used = entry.stat().st_mtime_ns
                if not entry.name.startswith("."):
                    entries.append((used, entry.path))
                elif used < stale:
                    _unlink(entry.path)
        for _, path in sorted(entries)[: max(0, len(entries) - _KEEP)]:
            _unlink(path)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _covered(path: str, folders: set[str]) -> bool:
    """Whether creating ``path`` or an entry in it changes a stamp: ``path`` is stamped
    (a missing root is stamped as missing), or it does not exist and the nearest folder
    that does, where it would be created, is stamped."""
    while path not in folders:
        parent = os.path.dirname(path)
        if os.path.lexists(path) or parent == path:  # a dangling link may resolve later
            return False
        path = parent
    return True
