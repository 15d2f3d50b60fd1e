"""Helpers shared by the cache tests: date a tree back, build the usual small project, and
run ``lazyimport lint`` in process the way the console script does."""

from __future__ import annotations

import io
import os
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Optional

import pytest

from lazyimport_codemod import __version__
from lazyimport_codemod.cli import entry as launcher
from lazyimport_codemod.settings.config import clear_caches
from lazyimport_codemod.speed import replay as command_replay

Outcome = tuple[Optional[int], str, str]


def age(tree: Path, seconds: float = 60) -> None:
    """Date every file and folder back (symlinks left alone), so no stamp is "racily clean".

    A ``.lazyimport_cache`` folder is made beside each ``pyproject.toml`` first, as an
    earlier run leaves it: creating it later would be a change to its folder.
    """
    when = time.time() - seconds
    for pyproject in tree.rglob("pyproject.toml"):
        (pyproject.parent / ".lazyimport_cache").mkdir(exist_ok=True)
    for folder, dirs, files in os.walk(tree, topdown=False):
        for name in files + dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.utime(path, (when, when))
        os.utime(folder, (when, when))


def write_project(root: Path) -> None:
    """``app.search -> app.services.embed -> torch`` (one LI001, one LI002), and
    ``app.services.extra`` imported but not written yet."""
    (root / "app" / "services").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "services" / "__init__.py").write_text("")
    (root / "app" / "services" / "embed.py").write_text(
        "import torch\n\n\ndef embed(t):\n    return torch.ones(len(t))\n")
    (root / "app" / "search.py").write_text(
        "from app.services.embed import embed\nfrom app.services import extra\n\n\n"
        "def search(q):\n    return embed(q), extra\n")


def run(*args: str) -> Outcome:
    """``lazyimport lint <args>`` through the console script's entry point."""
    clear_caches()  # a new process would not remember earlier settings lookups
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        launcher.main(["lint", *args])
    return exit_info.value.code, out.getvalue(), err.getvalue()  # type: ignore[return-value]


def fresh(*args: str) -> Outcome:
    """The same with ``--no-cache`` (first, so that ``--`` among ``args`` keeps its meaning)."""
    return run("--no-cache", *args)


def replayed(*args: str) -> Outcome:
    """What the replay alone answers: status ``None`` (and no output) for a miss."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = command_replay.replay(list(args))
    return status, out.getvalue(), err.getvalue()


def records(root: Path) -> list[str]:
    """The command records kept in ``root``'s cache."""
    folder = root / ".lazyimport_cache" / f"results-{__version__}"
    return sorted(name for name in os.listdir(folder) if name.startswith("cmd-")) if folder.is_dir() else []
