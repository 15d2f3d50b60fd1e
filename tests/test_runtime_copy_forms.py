"""Fix writes only the forms the project's own runtime copy provides.

With ``runtime-module`` naming a file of the project (``lazyimport write-runtime``), a copy
older than ``lazy_import(..., submodules=...)`` and ``lazy_exports`` would make fixed code
fail at import.  Against such a copy, lint says why those forms are not used and fix falls
back to what it can do; against a fresh copy, fix uses them.  Either way the fixed package
imports without its heavy packages and answers as before.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lazyimport_codemod.rules.runtime_support import provided
from lazyimport_codemod.vendor_runtime import standalone_runtime_source
from test_fix_behaviour import lazyimport, python, write_tree

FIXTURES = Path(__file__).parent / "fixtures"
# A copy written before submodules, lazy_exports and the __lazyimport_runtime__ line existed.
OLD_COPY = (FIXTURES / "runtime_copy_predates_forms" / "app" / "_lazy.py").read_text(encoding="utf-8")

SITE = {
    "fakeheavy/__init__.py": "NAME = 'heavy'\n",
    "fakeheavy/linalg.py": "def norm(xs):\n    return sum(abs(x) for x in xs)\n",
    "fakeheavy/stats.py": "def mean(xs):\n    return sum(xs) / len(xs)\n",
}

PROJECT = {
    "pyproject.toml": """
        [tool.lazyimport]
        heavy-packages = ["fakeheavy"]
        runtime-module = "app._lazy"
    """,
    "app/__init__.py": "",
    "app/services/__init__.py": """
        import fakeheavy.linalg
        import fakeheavy.stats

        from .search import Searcher

        __all__ = ["Searcher", "fakeheavy"]
    """,
    "app/services/search.py": """
        import fakeheavy


        class Searcher:
            def name(self):
                return fakeheavy.NAME
    """,
}

PROBE = """
    import json, sys
    import app.services as services
    loaded = "fakeheavy" in sys.modules
    print(json.dumps([loaded, services.Searcher().name(), services.fakeheavy.linalg.norm([1, -2]),
                      services.fakeheavy.stats.mean([1, 3])]))
"""


def _project(tmp_path: Path, copy: str) -> tuple[Path, Path]:
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    site = tmp_path / "site"
    write_tree(site, SITE)
    if copy == "old":
        (root / "app" / "_lazy.py").write_text(OLD_COPY, encoding="utf-8")
    else:
        result = lazyimport(root, "write-runtime")
        assert result.returncode == 0, result.stderr
    return root, site


def _run(root: Path, site: Path) -> list[object]:
    result = python(root, PROBE, site)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_marker_lists_every_form_and_old_copies_show_theirs() -> None:
    assert provided(standalone_runtime_source().encode()) == {"lazy_import", "submodules", "lazy_exports"}
    assert provided(OLD_COPY.encode()) == {"lazy_import"}
    without_marker = standalone_runtime_source().replace("__lazyimport_runtime__", "_no_marker")
    assert provided(without_marker.encode()) == {"lazy_import", "submodules", "lazy_exports"}


@pytest.mark.parametrize("copy", ["old", "fresh"])
def test_fixed_code_runs_with_the_projects_runtime_copy(tmp_path: Path, copy: str) -> None:
    root, site = _project(tmp_path, copy)
    before = _run(root, site)
    assert before[0] is True

    lint = lazyimport(root, "lint", "--format", "json", "app/services/__init__.py")
    reasons = {d["line"]: d for d in json.loads(lint.stdout)}
    result = lazyimport(root, "fix", "app/services/__init__.py")
    assert result.returncode in (0, 1), result.stderr
    fixed = (root / "app" / "services" / "__init__.py").read_text(encoding="utf-8")

    if copy == "old":
        for line in (1, 2):
            assert not reasons[line]["fixable"]
            assert reasons[line]["fix"] is None
            assert ("predates submodules: run `lazyimport write-runtime --module app._lazy` again"
                    in reasons[line]["message"])
        assert reasons[4]["fixable"] and "lazy_import()" in reasons[4]["fix"]
        assert "submodules=" not in fixed and "lazy_exports" not in fixed
        assert 'Searcher = lazy_import(".search", "Searcher")' in fixed
        assert [d["line"] for d in json.loads(lazyimport(root, "lint", "--format", "json", "app/services/__init__.py").stdout)] == [1, 2]
    else:
        assert all(d["fixable"] for d in reasons.values())
        assert 'submodules=("fakeheavy.stats",)' in fixed
        assert "lazy_exports(__name__, {" in fixed
        assert json.loads(lazyimport(root, "lint", "--format", "json", "app/services/__init__.py").stdout) == []

    after = _run(root, site)
    assert after[1:] == before[1:]
    assert after[0] is (copy == "old")  # the old copy leaves the twice-bound imports eager
    again = lazyimport(root, "fix", "app/services/__init__.py")
    assert again.returncode in (0, 1), again.stderr
    assert (root / "app" / "services" / "__init__.py").read_text(encoding="utf-8") == fixed


def test_an_installed_runtime_module_is_trusted(tmp_path: Path) -> None:
    root, _ = _project(tmp_path, "old")
    (root / "app" / "_lazy.py").unlink()
    toml = (root / "pyproject.toml").read_text(encoding="utf-8").replace('"app._lazy"', '"lazyimport_codemod.runtime"')
    (root / "pyproject.toml").write_text(toml, encoding="utf-8")
    lint = lazyimport(root, "lint", "--format", "json", "app/services/__init__.py")
    assert all(d["fixable"] for d in json.loads(lint.stdout)), lint.stdout
