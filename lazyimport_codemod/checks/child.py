"""Run a child interpreter for verify and profile: text output, no stdin, bounded time."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional, Sequence


class ChildError(Exception):
    """The child could not be started or did not finish; the message is one line."""


def run_child(
    command: Sequence[str], cwd: Optional[Path], timeout: Optional[float], label: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` and capture its output; ``label`` names it in errors."""
    try:
        return subprocess.run(
            list(command),
            cwd=str(cwd) if cwd else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ChildError(f"{label}: import did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise ChildError(f"cannot run {command[0]}: {exc.strerror or exc}") from None
