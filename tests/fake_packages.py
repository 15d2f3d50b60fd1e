"""Fake projects for the run-time tests of ``verify`` and ``profile``.

Heavy packages here are made slow with ``time.sleep`` at import, so timings
are predictable without installing torch. They live in a ``site`` folder next
to (not inside) the project and are put on ``PYTHONPATH``, so ``profile``
sees them as third-party, as a real ``site-packages`` would be.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

import pytest

HEAVY_SLEEP = 0.25
LIGHT_SLEEP = 0.02

SITE: Dict[str, str] = {
    "fakeheavy/__init__.py": f"""
        import time
        time.sleep({HEAVY_SLEEP})
        from fakeheavy import core
        VALUE = core.VALUE
        """,
    "fakeheavy/core.py": """
        VALUE = 42
        """,
    "thirdlib/__init__.py": """
        import fakeheavy
        """,
    "fakelight/__init__.py": f"""
        import time
        time.sleep({LIGHT_SLEEP})
        """,
}

EAGER_EMBED = """
    import fakeheavy


    def embed(text):
        return fakeheavy.VALUE + len(text)
    """

# What `lazyimport fix` would produce: the heavy import moved into the function.
DEFERRED_EMBED = """
    def embed(text):
        import fakeheavy

        return fakeheavy.VALUE + len(text)
    """

PROJECT: Dict[str, str] = {
    "pyproject.toml": """
        [project]
        name = "fakeapp"

        [tool.lazyimport]
        heavy-packages = ["fakeheavy"]
        """,
    "app/__init__.py": "",
    "app/main.py": """
        import json
        import fakelight
        from app.routers import search

        print("app.main prints at import")
        ROUTES = [search.route]
        """,
    "app/routers/__init__.py": "",
    "app/routers/search.py": """
        from ..services import embed


        def route(q):
            return embed.embed(q)
        """,
    "app/services/__init__.py": "",
    "app/services/embed.py": EAGER_EMBED,
    "app/broken.py": """
        import json

        raise RuntimeError("boom at import")
        """,
    "app/dynamic.py": """
        import importlib


        def load_plugins():
            return importlib.import_module("fakeheavy")


        PLUGIN = load_plugins()
        """,
    "app/via_lib.py": """
        import thirdlib
        """,
    "app/services/warm.py": """
        def warmup():
            import fakeheavy

            return fakeheavy.VALUE
        """,
    "app/warm_at_start.py": """
        from app.services import warm

        warm.warmup()
        """,
    "app/slow_own_code.py": """
        import time

        time.sleep(0.15)
        """,
}


@dataclass(frozen=True)
class FakeProject:
    """A project folder (the current folder during the test) and its third-party ``site``."""

    root: Path
    site: Path

    def write(self, relative: str, source: str) -> Path:
        """Write a project file from an indented literal."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    def defer_heavy_import(self) -> None:
        """Apply by hand what ``lazyimport fix`` does to ``app/services/embed.py``."""
        self.write("app/services/embed.py", DEFERRED_EMBED)


def write_files(base: Path, files: Dict[str, str]) -> None:
    """Create ``files`` (relative path -> indented source) under ``base``."""
    for relative, source in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


def make_fake_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """The fake app as the current folder, with the fake site on ``PYTHONPATH`` (for a fixture)."""
    site = tmp_path / "site"
    root = tmp_path / "project"
    write_files(site, SITE)
    write_files(root, PROJECT)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    return FakeProject(root, site)
