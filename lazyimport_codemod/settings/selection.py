"""From command-line paths to the files to check, grouped by the configuration that governs them."""

from __future__ import annotations

from pathlib import Path

from lazyimport_codemod.settings.config import Config, ConfigError, Overrides, load_config
from lazyimport_codemod.settings.discovery import PathNotFound, discover_files, path_order

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence


class SelectionError(Exception):
    """A path that does not exist or a configuration problem; ``str(exc)`` is one line."""


def split_list(value: Optional[str]) -> Optional[tuple[str, ...]]:
    """``"torch, pandas"`` -> ``("torch", "pandas")``; ``None`` stays "not given"."""
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def group_files(paths: Sequence[Path], overrides: Overrides,
                walked: Optional[list[str]] = None) -> list[tuple[Config, list[Path]]]:
    """The ``.py`` files the paths stand for (default: the current folder), grouped by
    configuration, each group sorted; the folders read to find them are added to
    ``walked`` when it is given."""
    groups: dict[tuple[Path, Optional[Path]], tuple[Config, set[Path]]] = {}
    for path in paths or (Path("."),):
        if not path.exists():
            raise SelectionError(f"path '{path}' does not exist")
        try:
            config = load_config(path, overrides)
            files = discover_files(path, config, walked)
        except (ConfigError, PathNotFound) as exc:
            raise SelectionError(str(exc)) from None
        group = groups.setdefault((config.root, config.path), (config, set()))
        group[1].update(files)
    return [(config, sorted(files, key=path_order)) for config, files in groups.values()]
