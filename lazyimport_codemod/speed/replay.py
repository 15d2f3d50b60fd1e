"""Answer a repeated ``lazyimport lint`` command by printing what it printed last time.

Why: on an unchanged tree the results cache (:mod:`lazyimport_codemod.speed.results_cache`)
already skips the analysis, yet a warm run still pays for its imports (pathlib,
typing, tomllib to read the settings, the records) and the settings lookup,
several times the interpreter's own start-up.  A pre-commit hook or
an editor runs the same command again and again, so the console script first
looks for a record of this exact command and, when nothing it stamped has
changed, prints the recorded output and exits with the recorded status.  This
module and :mod:`lazyimport_codemod.speed.stamps` import only ``os``, ``sys``
and ``marshal``.

A record is the answer to one key: tool and record format version, Python
minor version, user id (readability), current folder and the arguments as
typed.  It stamps, so that the replayed answer is the one a full run would give:

* everything each configuration's results cache stamped (every ``.py`` file
  under the project root and ``src`` roots and every folder walked), taken only
  from a cache whose result is trusted (it was loaded, or stored);
* every file the settings lookup may read or test, from each command-line
  path's folder up to the repository root: ``pyproject.toml``, ``ruff.toml`` and
  ``.ruff.toml`` by content, ``.git``/``.hg`` by presence, and ``--config FILE``
  with the ruff files beside it -- stamped before the run reads any of them;
* each command-line path by presence and mode.

It is written only when every folder walked to find the files of the
command-line paths is among the stamped ones (a path named on purpose may lead
where the project walk does not go: ``build/``, a hidden or linked folder) and
no stamp is younger than two seconds, next to the first configuration's
results, as
``<root>/.lazyimport_cache/results-<version>/cmd-<FNV-1a hash of the key>``.  The
lookup tries that name in the cache folders of the current folder, of each
command-line path and of their parents; whichever it finds must match the key
and every stamp.  Anything unreadable is a miss, and a miss costs a few
failed ``open`` calls before the ordinary run.
"""

from __future__ import annotations

import os
import sys

from lazyimport_codemod import __version__
from lazyimport_codemod.speed.stamps import FOLDER, MISSING, current, presence, racy, stamp

TYPE_CHECKING = False  # importing typing would add to every replay
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Optional, Sequence

    from lazyimport_codemod.speed.results_cache import ResultsCache
    from lazyimport_codemod.speed.stamps import Stamp

_FORMAT = 6
# What lazyimport_codemod.settings.config looks for in each folder (copied, not imported: config
# imports pathlib and typing; a test keeps the copies equal).
_CONFIG_FILES = ("pyproject.toml", ".ruff.toml", "ruff.toml")
_VCS_MARKERS = (".git", ".hg")


def replay(args: Sequence[str]) -> Optional[int]:
    """Print the recorded answer to ``lazyimport lint <args>`` and return its exit status,
    or return ``None`` (having printed nothing) when there is no valid record."""
    import marshal

    if "--no-cache" in args:
        return None
    key = _key(args)
    name = _name(key)
    for folder in _folders(args):
        entry = os.path.join(folder, ".lazyimport_cache", f"results-{__version__}", name)
        try:
            with open(entry, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        try:
            stored, stamps, listings, out, err, status = marshal.loads(data)
            now = _current(stamps, listings) if stored == key else None
        except (EOFError, ValueError, TypeError, IndexError):
            continue
        if now is None:
            continue
        if now != stamps and not racy(now):
            # A folder changed without changing what it holds (a tool's cache appeared):
            # keep its new stamp, so the next replay need not list it again.
            _write(entry, (key, now, listings, out, err, status))
        else:
            try:
                os.utime(entry)  # pruning keeps the entries used last
            except OSError:
                pass
        print_output(out, err)
        return int(status)
    return None


def _current(stamps: Sequence[Stamp], listings: dict[str, tuple[str, ...]]) -> Optional[tuple[Stamp, ...]]:
    """Every stamp as it is now, or ``None`` as soon as one path changed.

    A file's stamp is checked here, field by field, rather than through
    :func:`lazyimport_codemod.speed.stamps.current`: files are most of a record, and
    checking them is most of a replay's own work."""
    stat = os.stat
    now: list[Stamp] = []
    for item in stamps:
        path, size = item[0], item[1]
        if size >= 0:
            try:
                info = stat(path)
            except OSError:
                return None
            if (info.st_mtime_ns != item[2] or info.st_size != size or info.st_ctime_ns != item[3]
                    or info.st_ino != item[5] or info.st_mode != item[4]):
                return None
            now.append(item)
            continue
        found = current(item, listings)
        if found is None:
            return None
        now.append(found)
    return tuple(now)


def _write(entry: str, record: tuple[Any, ...]) -> None:
    """Replace a record file atomically, or do nothing when the folder is read-only."""
    import marshal

    from lazyimport_codemod.files import write_atomic

    try:
        write_atomic(entry, marshal.dumps(record))
    except OSError:
        pass


def record(args: Sequence[str], caches: Sequence[ResultsCache], settings: Sequence[Stamp],
           walked: Sequence[str], out: str, err: str, status: int) -> None:
    """Keep the answer of a lint run for :func:`replay`, when every configuration's
    result was trusted and the stamps cover everything the run depended on.

    ``settings`` are :func:`settings_stamps`, taken before the run; ``walked`` the
    folders read to find the files of the command-line paths: a path named on
    purpose may lead where the project walk does not go (``build/``, a hidden or
    linked folder), and a module created there must not go unnoticed.
    """
    if not caches or not all(cache.trusted for cache in caches):
        return
    stamps: dict[str, Stamp] = {}
    listings: dict[str, tuple[str, ...]] = {}
    for cache in caches:
        stamps.update((item[0], item) for item in cache.stamps or ())
        listings.update(cache.listings)
    # (A file named outside the project is covered too: it adds an import root
    # outside the stamped tree, so its configuration's result is not trusted.)
    if not all(stamps.get(folder, ("", 0))[1] == FOLDER for folder in walked):
        return
    if racy(settings):
        return
    for item in settings:
        stamps.setdefault(item[0], item)
    key = _key(args)
    _write(os.path.join(str(caches[0].folder), _name(key)),
           (key, tuple(stamps.values()), listings, out, err, status))


def settings_stamps(paths: Sequence[Path], config_file: Optional[Path]) -> list[Stamp]:
    """Stamps of the command-line paths (presence) and of everything the settings
    lookup for them may read or test (see :func:`_settings_lookups`), ``--config``
    included."""
    starts = [os.path.abspath(path) for path in paths] or [os.getcwd()]
    found = [presence(start) for start in starts]
    for start in starts:
        found.extend(_settings_lookups(start if os.path.isdir(start) else os.path.dirname(start)))
    if config_file is not None:
        settings_file = os.path.abspath(config_file)
        found.append(stamp(settings_file, False))
        # ruff's settings beside it may supply the heavy list.
        found.extend(stamp(os.path.join(os.path.dirname(settings_file), name), False) for name in _CONFIG_FILES)
    return found


def print_output(out: str, err: str) -> None:
    """Print a lint run's output: stdout first, then stderr, each flushed.  Every lint
    prints through here, so a replay prints exactly what a full run would."""
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    sys.stderr.flush()


def _key(args: Sequence[str]) -> str:
    user = os.getuid() if hasattr(os, "getuid") else 0
    return repr((_FORMAT, __version__, sys.version_info[:2], user, os.getcwd(), tuple(args)))


def _name(key: str) -> str:
    """The record's file name: a 32-bit FNV-1a hash of the key (the key is a few hundred
    bytes, and importing zlib for its CRC would cost a good part of a replay).  Any hash
    would do: the record holds the key and is checked against it."""
    digest = 0x811C9DC5
    for byte in key.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"cmd-{digest:08x}"


def _folders(args: Sequence[str]) -> list[str]:
    """The current folder, each existing path among the arguments (option values
    included: a spare candidate costs one failed ``open``) and all their parents."""
    starts = [os.getcwd()]
    for arg in args:
        value = arg.partition("=")[2] if arg.startswith("-") else arg
        if value and os.path.exists(value):
            starts.append(os.path.abspath(value))
    found: dict[str, None] = {}
    for folder in starts:
        while folder not in found:
            found[folder] = None
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return list(found)


def _settings_lookups(folder: str) -> list[Stamp]:
    """Stamps of everything :mod:`lazyimport_codemod.settings.config` may read or test when it
    looks for the settings of ``folder``: it climbs to the repository root (the
    folder with ``.git`` or ``.hg``) or the filesystem root, maybe stopping sooner."""
    found: list[Stamp] = []
    while True:
        found.extend(stamp(os.path.join(folder, name), False) for name in _CONFIG_FILES)
        markers = [presence(os.path.join(folder, name)) for name in _VCS_MARKERS]
        found.extend(markers)
        parent = os.path.dirname(folder)
        if any(item[1] != MISSING for item in markers) or parent == folder:
            return found
        folder = parent
