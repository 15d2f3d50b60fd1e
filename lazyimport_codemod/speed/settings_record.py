"""The settings of a folder kept between runs, so that a lint of a just-edited file reads no TOML.

A pre-commit hook lints the files just changed: no recorded answer applies
(:mod:`~lazyimport_codemod.speed.replay`), but the settings almost never
changed.  Looking them up means importing a TOML parser and parsing
``pyproject.toml`` (and maybe ``ruff.toml``) on every run.  So each lint
records the :class:`~lazyimport_codemod.settings.config.Config` it found for
each folder of its command-line paths, with the stamps of every file that
lookup may read or test (taken before the run, as the replay takes them); a
later run with the same current folder and settings options restores the
configurations whose stamps all still match, and looks up only the others.

The record lives beside the replay's records, as
``.lazyimport_cache/results-<version>/settings-<hash>``, found from the
current folder and the command-line paths as the replay finds its own.
Anything unreadable or stale is ignored.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

from lazyimport_codemod import __version__
from lazyimport_codemod.settings.config import Config, Overrides, folder_of, known_configs, remember_configs
from lazyimport_codemod.speed.replay import _folders, _name
from lazyimport_codemod.speed.stamps import Stamp, racy, unchanged

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Sequence

_FORMAT = 3


def _key(overrides: Overrides) -> str:
    return repr((_FORMAT, __version__, sys.version_info[:2], os.getcwd(), overrides))


def restore(args: Sequence[str], overrides: Overrides) -> None:
    """Hand the configurations of the last record whose stamps still match to the
    settings lookup (:func:`~lazyimport_codemod.settings.config.remember_configs`)."""
    key = _key(overrides)
    name = _name(key).replace("cmd-", "settings-")
    for folder in _folders(args):
        entry = os.path.join(folder, ".lazyimport_cache", f"results-{__version__}", name)
        try:
            with open(entry, "rb") as handle:
                stored, stamps, entries = marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            continue
        if stored != key or not all(unchanged(item, {}) for item in stamps):
            continue
        remember_configs(overrides, {looked_up: _config(found) for looked_up, found in entries})
        return


def keep(cache_folder: Path, paths: Sequence[Path], overrides: Overrides, stamps: Sequence[Stamp]) -> None:
    """Record the configurations this run found for ``paths``, with ``stamps`` (the
    settings lookups' stamps, taken before the run), unless one is too recent to trust."""
    if racy(stamps):
        return
    # Only the folders these stamps vouch for: those of this run's own paths.
    vouched = {folder_of(path, overrides) for path in paths or (Path("."),)}
    entries = [(folder, _plain(config)) for folder, config in known_configs(overrides).items() if folder in vouched]
    if not entries:
        return
    key = _key(overrides)
    name = _name(key).replace("cmd-", "settings-")
    from lazyimport_codemod.files import write_atomic

    try:
        write_atomic(os.path.join(cache_folder, name), marshal.dumps((key, tuple(stamps), entries)))
    except (OSError, ValueError):
        pass  # a read-only checkout, or a setting marshal cannot hold


def _plain(config: Config) -> tuple[Any, ...]:
    """A configuration as marshal can hold it: its paths as strings."""
    return tuple(_PATHS[field](value, str) if field in _PATHS else value
                 for field, value in zip(Config._fields, config))


def _config(entry: tuple[Any, ...]) -> Config:
    return Config(*(_PATHS[field](value, Path) if field in _PATHS else value
                    for field, value in zip(Config._fields, entry)))


def _one(value: Any, kind: Callable[[Any], Any]) -> Any:
    return None if value is None else kind(value)


def _each(value: Any, kind: Callable[[Any], Any]) -> Any:
    return tuple(map(kind, value))


# The fields of Config that hold paths, and how to convert them.
_PATHS: dict[str, Callable[[Any, Callable[[Any], Any]], Any]] = {"root": _one, "path": _one, "src": _each}
