"""What every command shares: usage errors, the selection options, and the run's lifetime."""

from __future__ import annotations

import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn, Optional
    from lazyimport_codemod.settings.config import Overrides


def fail(message: str) -> NoReturn:
    """A usage problem: one line on stderr and exit status 2, like click's own errors."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def overrides_from(heavy_packages: Optional[str], extend_heavy_packages: Optional[str],
                   config_file: Optional[Path], strategy: Optional[str] = None,
                   unsafe_fixes: Optional[bool] = None, target_version: Optional[str] = None) -> Overrides:
    """The settings given on the command line."""
    from lazyimport_codemod.settings.config import Overrides
    from lazyimport_codemod.settings.selection import split_list

    return Overrides(
        config_file=config_file,
        heavy_packages=split_list(heavy_packages),
        extend_heavy_packages=split_list(extend_heavy_packages) or (),
        strategy=strategy,
        unsafe_fixes=unsafe_fixes,
        target_version=target_version,
    )


def short_lived() -> None:
    """The process ends after one run: cyclic garbage collection over thousands of syntax
    trees only costs time, and reference counting still frees what is dropped."""
    import gc

    gc.disable()
