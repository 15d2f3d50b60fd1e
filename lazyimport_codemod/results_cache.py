"""Replay a lint run's result when nothing it could have read has changed.

Why: the facts cache (:mod:`lazyimport_codemod.analysis.facts`) spares a warm
run the parsing, but the graph and every file's plan are still rebuilt: about
600 ms on 644 router files where ruff's own cache answers in 50 ms.  A lint
result depends only on the settings, the files asked for and the project's
files, so when none of those changed the stored result is the answer.

What a result depends on, and how a change is noticed:

* the tool and format version, the Python minor version (the standard
  library's module list decides what is traced), the current folder (paths
  are printed relative to it), the whole :class:`Config` and the list of
  files asked for: the key, compared in full on every load;
* every ``.py`` file under the project root and the ``src`` roots (LI002
  follows imports anywhere there, and whether a name can be deferred depends
  on the modules that import it), plus the files asked for: stamped with
  (size, mtime_ns), like ruff's cache;
* every folder walked to find them: creating, deleting or renaming a file
  changes its folder's mtime_ns, so new modules are noticed without a walk.

The stamps are taken *before* the analysis reads anything, so a file edited
while lint runs looks changed to the next run.  A stamp younger than two
seconds is not trusted (a second write in the same clock tick could keep
size and mtime; git calls these entries "racily clean"), so such a run stores
nothing; the one exception is the project folder on the first run, whose mtime
changed because this cache created ``.lazyimport_cache`` in it.  A run that read a file outside the stamped tree (an excluded folder
reached by an import, a file outside the project) stores nothing either.
Entries are written to a temporary file and renamed, so concurrent runs never
see half an entry, and anything unreadable is a miss.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from lazyimport_codemod import __version__

if TYPE_CHECKING:
    from lazyimport_codemod.config import Config
    from lazyimport_codemod.models import LintResult

_FORMAT = 1
_KEEP = 64  # entries per project; each pre-commit file list is its own key
_RACY_NS = 2_000_000_000

Stamp = tuple[str, int, int]  # (path, size or -1 for a folder, mtime_ns)


class ResultsCache:
    """The stored result for one (settings, files) question, in ``<root>/.lazyimport_cache``."""

    def __init__(self, config: Config, files: Iterable[Path]) -> None:
        self.config = config
        self.files = tuple(str(path) for path in files)
        self.key = repr((_FORMAT, __version__, sys.version_info[:2], os.getcwd(), tuple(config), self.files))
        self.folder = config.root / ".lazyimport_cache" / f"results-{__version__}"
        self.roots: tuple[str, ...] = ()
        self.stamps: Optional[tuple[Stamp, ...]] = None
        self._ours: Optional[Stamp] = None  # the project folder as creating the cache left it

    def _entry(self) -> Path:
        import zlib

        return self.folder / f"{zlib.crc32(self.key.encode()):08x}"

    def load(self) -> Optional[LintResult]:
        """The stored result if its key matches and no stamped file or folder changed."""
        import marshal

        try:
            # marshal.loads of the whole file: marshal.load on a file object reads it
            # object by object (35 ms instead of 3 for 2,000 diagnostics).
            with open(self._entry(), "rb") as handle:
                key, stamps, diagnostics, errors, files = marshal.loads(handle.read())
            if key != self.key or not all(_stamp(path, size < 0) == (path, size, mtime)
                                          for path, size, mtime in stamps):
                return None
            from lazyimport_codemod.models import Diagnostic, FileError, LintResult

            return LintResult(list(map(Diagnostic._make, diagnostics)),
                              list(map(FileError._make, errors)), files)
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def stamp(self) -> None:
        """Stamp every file and folder the analysis may read; call before it starts."""
        from lazyimport_codemod.discovery import discover_tree

        self._prepare()
        roots = [os.path.abspath(root) for root in (self.config.root, *self.config.src)]
        files: set[str] = set(self.files)
        folders: set[str] = set()
        for root in roots:
            if os.path.isdir(root):
                found, walked = discover_tree(root, self.config)
                files.update(found)
                folders.update(walked)
        self.roots = tuple(root.rstrip(os.sep) + os.sep for root in roots)
        stamps = [_stamp(path, True) for path in sorted(folders)]
        stamps += [_stamp(path, False) for path in sorted(files)]
        self.stamps = tuple(stamps)

    def store(self, result: LintResult, read: Iterable[Path], roots: Iterable[Path]) -> None:
        """Keep ``result`` unless the run read outside the stamped tree or a stamp is racy.

        ``read`` is every file the analysis read and ``roots`` the import roots it
        ended with (a file outside the project adds its own).
        """
        import marshal
        import tempfile
        import time

        if self.stamps is None:
            return
        stamped = {path for path, _, _ in self.stamps}
        if not all(str(path) in stamped for path in read):
            return
        if not all((str(root).rstrip(os.sep) + os.sep).startswith(self.roots) for root in roots):
            return
        recent = time.time_ns() - _RACY_NS
        if any(stamp[2] > recent and stamp != self._ours for stamp in self.stamps):
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                # marshal, not pickle: loading 2,000 diagnostics takes a third of the time.
                marshal.dump((self.key, self.stamps, [tuple(d) for d in result.diagnostics],
                              [tuple(e) for e in result.errors], result.files), handle)
            os.replace(tmp, self._entry())
            self._prune()
        except OSError:
            pass  # a read-only checkout simply runs without a cache

    def _prepare(self) -> None:
        """Create the cache folders before stamping, so creating them changes no stamp.

        Creating ``.lazyimport_cache`` changes the project folder's mtime; that
        stamp is written down, so the racy rule can tell our change from a user's.
        """
        marker = self.folder / ".project-stamp"
        project = os.path.abspath(self.folder.parent.parent)
        try:
            if not self.folder.parent.exists():
                self.folder.mkdir(parents=True)
                (self.folder.parent / ".gitignore").write_text("# Created by lazyimport; safe to delete.\n*\n")
                marker.write_text(repr(_stamp(project, True)))
            elif not self.folder.exists():
                self.folder.mkdir()
            self._ours = _literal(marker.read_text())
        except (OSError, ValueError, SyntaxError):
            pass

    def _prune(self) -> None:
        """Keep the newest :data:`_KEEP` entries: file lists from pre-commit rarely repeat."""
        with os.scandir(self.folder) as listing:
            entries = [(entry.stat().st_mtime_ns, entry.path) for entry in listing
                       if not entry.name.startswith(".")]
        if len(entries) > _KEEP:
            for _, path in sorted(entries)[: len(entries) - _KEEP]:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _literal(text: str) -> Stamp:
    import ast

    value = ast.literal_eval(text)
    return (str(value[0]), int(value[1]), int(value[2]))


def _stamp(path: str, folder: bool) -> Stamp:
    try:
        info = os.stat(path)
    except OSError:
        return (path, -2, 0)  # gone: differs from any stamp of an existing path
    return (path, -1 if folder else info.st_size, info.st_mtime_ns)
