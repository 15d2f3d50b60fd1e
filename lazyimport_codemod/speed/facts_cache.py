"""Per-file facts kept between runs, so a warm run parses only the files that changed.

:class:`~lazyimport_codemod.parse.facts.FileFacts` depend only on a file's
bytes, its module name and a few settings, so they can be stored under a key
made of exactly those and reused by any later run.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from lazyimport_codemod import __version__
from lazyimport_codemod.files import write_atomic
from lazyimport_codemod.parse.facts import FileFacts, extract
from lazyimport_codemod.speed import pickling  # noqa: F401  (compact pickles of the records)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

# Bump when FileFacts or what feeds it changes shape; old entries are ignored.
_FORMAT = 23


@functools.lru_cache(maxsize=8)
def _scope_text(first_party: Optional[frozenset[str]]) -> str:
    """``first_party`` as part of a cache key (what gets traced depends on it)."""
    return "*" if first_party is None else ",".join(sorted(first_party))


# Part of every facts-cache key: one project may be linted by several Pythons.
_PYTHON = "%d.%d" % sys.version_info[:2]


class FactsCache:
    """Content-addressed FileFacts in ``<root>/.lazyimport_cache``.

    The key covers the bytes, the module name (relative imports resolve
    against it), the heavy list and the first-party names (they decide which
    names are traced), the Python version (what parses, and the positions
    ``ast`` gives, change between versions), the tool version and the format,
    so a stale entry can never be used.  Entries are written to a temporary
    file and renamed, so concurrent runs never see half an entry; an
    unreadable entry is a miss.
    """

    def __init__(self, root: Path, heavy: tuple[str, ...] = ()) -> None:
        self.folder = root / ".lazyimport_cache" / f"{__version__}-{_FORMAT}"
        self.heavy = heavy  # what gets traced depends on it, so it is part of every key
        self._ready = False

    def _key(
        self, data: bytes, module: Optional[str], is_package: bool, first_party: Optional[frozenset[str]]
    ) -> str:
        try:  # BLAKE2 without hashlib, whose import loads OpenSSL
            from _blake2 import blake2b
        except ImportError:  # pragma: no cover - interpreters without the built-in module
            from hashlib import blake2b
        digest = blake2b(data, digest_size=20)
        scope = _scope_text(first_party)
        digest.update(f"\0{module}\0{is_package}\0{','.join(self.heavy)}\0{scope}\0{_PYTHON}".encode())
        return digest.hexdigest()

    def get(
        self, data: bytes, module: Optional[str], is_package: bool, first_party: Optional[frozenset[str]] = None
    ) -> Optional[FileFacts]:
        """The facts ``extract`` would return for these arguments, if stored."""
        pickle = _pickler()
        path = self.folder / self._key(data, module, is_package, first_party)
        try:
            with open(path, "rb") as handle:
                facts = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None
        return facts if isinstance(facts, FileFacts) else None

    def summarise(self, data: bytes, filename: str, module: Optional[str], is_package: bool,
                  first_party: frozenset[str]) -> FileFacts:
        """:func:`extract`, answered from the cache when it can be (a ``Summarise``)."""
        hit = self.get(data, module, is_package, first_party)
        if hit is not None:
            return hit
        facts = extract(data, filename, module, is_package, self.heavy, first_party)
        self.put(data, module, is_package, facts, first_party)
        return facts

    def put(
        self, data: bytes, module: Optional[str], is_package: bool, facts: FileFacts,
        first_party: Optional[frozenset[str]] = None,
    ) -> None:
        pickle = _pickler()
        try:
            self._prepare()
            write_atomic(self.folder / self._key(data, module, is_package, first_party),
                         pickle.dumps(facts, protocol=-1))
        except OSError:
            pass  # a read-only checkout simply runs without a cache

    def _prepare(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by lazyimport; safe to delete.\n*\n")
        self._ready = True


def _pickler() -> Any:
    """The C pickler itself where Python has one: importing ``pickle`` also loads its
    pure-Python implementation and what that needs, which a lint of one file never uses."""
    try:
        import _pickle
        return _pickle
    except ImportError:
        import pickle
        return pickle
