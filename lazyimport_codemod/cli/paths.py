"""From command-line paths to (config, files) groups, shared by every command.

Click-free on purpose: ``lazyimport lint`` runs without importing click (see
:mod:`lazyimport_codemod.cli.fast_lint`), and the click commands call the same
functions, so both paths find the same files and word errors the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional, Sequence

if TYPE_CHECKING:
    from lazyimport_codemod.settings.config import Config, Overrides


def fail(message: str) -> NoReturn:
    """A usage problem: one line on stderr and exit status 2, like click's own errors."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def split_list(value: Optional[str]) -> Optional[tuple[str, ...]]:
    """``"torch, pandas"`` -> ``("torch", "pandas")``; ``None`` stays "not given"."""
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def make_overrides(heavy_packages: Optional[str], extend_heavy_packages: Optional[str],
                   config_file: Optional[Path], strategy: Optional[str] = None) -> Overrides:
    from lazyimport_codemod.settings.config import Overrides

    return Overrides(
        config_file=config_file,
        heavy_packages=split_list(heavy_packages),
        extend_heavy_packages=split_list(extend_heavy_packages) or (),
        strategy=strategy,
    )


def collect(paths: Sequence[Path], overrides: Overrides,
            walked: Optional[list[str]] = None) -> list[tuple[Config, list[Path]]]:
    """Group discovered files by the configuration that governs them (the folders read
    to find them are added to ``walked`` when it is given)."""
    from lazyimport_codemod.settings.config import ConfigError, load_config
    from lazyimport_codemod.settings.discovery import PathNotFound, discover_files, path_order

    groups: dict[tuple[Path, Optional[Path]], tuple[Config, set[Path]]] = {}
    for path in paths or (Path("."),):
        if not path.exists():
            fail(f"path '{path}' does not exist")
        try:
            config = load_config(path, overrides)
            files = discover_files(path, config, walked)
        except (ConfigError, PathNotFound) as exc:
            fail(str(exc))
        key = (config.root, config.path)
        group = groups.setdefault(key, (config, set()))
        group[1].update(files)
    return [(config, sorted(files, key=path_order)) for config, files in groups.values()]


def short_lived() -> None:
    """The process ends after one run: cyclic GC over thousands of syntax trees only costs time
    (4-8% of a lint or fix run, measured); reference counting still frees what is dropped."""
    import gc

    gc.disable()
