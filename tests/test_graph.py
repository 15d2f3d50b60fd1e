"""The first-party import graph: resolution, parents' __init__, cycles, chains, cut points."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import pytest

from lazyimport_codemod.pipeline import analyse, check
from lazyimport_codemod.rules import after_fix
from lazyimport_codemod.records import Diagnostic
from lazyimport_codemod.settings.config import Overrides, load_config


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def diagnostics(root: Path, *paths: str) -> list[Diagnostic]:
    config = load_config(root, Overrides())
    files = [root / p for p in paths]
    return check(analyse(files, config)).diagnostics


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_chain_through_two_services(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/router.py": "from app.search import find\n\ndef r(q):\n    return find(q)\n",
        "app/search.py": "from app import embed\n\ndef find(q):\n    return embed.vec(q)\n",
        "app/embed.py": "import sentence_transformers\n\nMODEL = sentence_transformers.SentenceTransformer('x')\n",
    })
    (diag,) = diagnostics(root, "app/router.py")
    assert diag.code == "LI002"
    assert diag.chain == ("app.router", "app.search", "app.embed", "sentence_transformers")
    assert diag.fix == "fix moves the import into `r()` (line 3)"


def test_relative_import_and_submodule_from_package(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/routers/__init__.py": "",
        "app/routers/r.py": "from ..services import embed\n\ndef r():\n    return embed\n",
        "app/services/__init__.py": "",
        "app/services/embed.py": "import torch\n",
    })
    (diag,) = diagnostics(root, "app/routers/r.py")
    assert diag.chain == ("app.routers.r", "app.services.embed", "torch")


def test_package_init_that_imports_everything(root: Path) -> None:
    write(root, {
        "app/__init__.py": "",
        "app/services/__init__.py": "from .embed import encode\nfrom .other import x\n",
        "app/services/embed.py": "import torch\n\ndef encode():\n    return torch\n",
        "app/services/other.py": "x = 1\n",
        "app/router.py": "from app.services.other import x\n\ndef f():\n    return x\n",
    })
    (diag,) = diagnostics(root, "app/router.py")
    assert diag.chain == ("app.router", "app.services", "app.services.embed", "torch")


def test_cycles_terminate(root: Path) -> None:
    write(root, {
        "a.py": "import b\nimport pandas\n\ndef f():\n    return b, pandas\n",
        "b.py": "import a\n\ndef g():\n    return a\n",
    })
    found = diagnostics(root, "b.py")
    assert [d.chain for d in found] == [("b", "a", "pandas")]


def test_reached_only_through_own_parent_package_reported_once(root: Path) -> None:
    write(root, {
        "app/__init__.py": "import pandas\n",
        "app/x.py": "import app.y\nimport app.z\n\ndef f():\n    return app.y, app.z\n",
        "app/y.py": "",
        "app/z.py": "",
    })
    (diag,) = diagnostics(root, "app/x.py")
    assert (diag.line, diag.column, diag.code) == (1, 1, "LI002")
    assert diag.chain == ("app.x", "app", "pandas")
    assert "parent package `app`" in diag.message


def test_dynamic_imports_ignored(root: Path) -> None:
    write(root, {"m.py": "import importlib\n\nmod = importlib.import_module('torch')\n"})
    assert diagnostics(root, "m.py") == []


def test_function_level_import_in_service_is_not_eager(root: Path) -> None:
    write(root, {
        "svc.py": "def f():\n    import torch\n    return torch\n",
        "r.py": "import svc\n\ndef g():\n    return svc.f()\n",
    })
    assert diagnostics(root, "r.py") == []


def test_cut_in_service_when_fixing_both(root: Path) -> None:
    write(root, {
        "svc.py": "import torch\n\ndef f():\n    return torch\n",
        "r1.py": "import svc\n\nX = svc.f\n",
        "r2.py": "from svc import f\n\nY = f\n",
    })
    found = diagnostics(root, "svc.py", "r1.py", "r2.py")
    by_path = {d.path: d for d in found}
    assert by_path["r1.py"].fix == f"fix cuts the chain at {os.path.join('svc.py')}:1"
    assert by_path["r2.py"].fixable
    assert by_path["svc.py"].code == "LI001"


def test_service_outside_fix_paths_is_cut_in_router(root: Path) -> None:
    write(root, {
        "svc.py": "import torch\n\ndef f():\n    return torch\n",
        "r1.py": "import svc\n\nX = svc.f()\n",
    })
    (diag,) = diagnostics(root, "r1.py")
    assert not diag.fixable
    assert "used at import time at line 3" in diag.message


def test_name_imported_by_another_module_becomes_proxy(root: Path) -> None:
    write(root, {
        "svc.py": "import numpy as np\n\ndef f():\n    return np\n",
        "other.py": "from svc import np\n",
    })
    found = {d.path: d for d in diagnostics(root, "svc.py", "other.py")}
    diag = found["svc.py"]
    assert "lazy_import()" in (diag.fix or "")
    assert found["other.py"].fix == "fix cuts the chain at svc.py:1"
    assert "another module imports it from here (other.py:1)" in diag.message


def test_src_layout_root(root: Path) -> None:
    write(root, {
        "src/pkg/__init__.py": "",
        "src/pkg/heavy.py": "import polars\n",
        "src/pkg/api.py": "from pkg import heavy\n\ndef f():\n    return heavy\n",
    })
    (diag,) = diagnostics(root, "src/pkg/api.py")
    assert diag.chain == ("pkg.api", "pkg.heavy", "polars")


def test_a_heavy_package_from_a_grandparent_names_the_init_to_edit(root: Path) -> None:
    write(root, {
        "dispatch/__init__.py": "from dispatch import config\n",
        "dispatch/config.py": "import boto3\n\nKMS = boto3.client('kms')\n",
        "dispatch/ai/__init__.py": "",
        "dispatch/ai/prompt/__init__.py": "# prompts\n",
        "dispatch/ai/prompt/views.py": "def view():\n    return 1\n",
    })
    (found,) = diagnostics(root, "dispatch/ai/prompt/views.py")
    assert found.message.endswith("edit dispatch/__init__.py")


def test_a_chain_longer_than_the_recursion_limit_is_judged(root: Path) -> None:
    """Whether fix cuts an edge depends on the edges below it; a chain of imports as long
    as the interpreter's recursion limit must not nest one decision per module."""
    length = 400  # about 8 frames a module: well past the default limit of 1000
    files = {"app/__init__.py": ""}
    for index in range(length):
        last = index == length - 1
        files[f"app/m{index}.py"] = (("import torch\n" if last else f"from app import m{index + 1}\n")
                                     + "\n\ndef f():\n    return "
                                     + ("torch.ones(1)\n" if last else f"m{index + 1}.f()\n"))
    write(root, files)
    found = diagnostics(root, *sorted(files))
    assert len(found) == length
    assert all(d.fixable for d in found)
    cut = f"fix cuts the chain at {os.path.join('app', f'm{length - 1}.py')}:1"
    assert sum(d.fix == cut for d in found) == length - 1


def test_a_cycle_longer_than_the_recursion_limit_is_judged(root: Path) -> None:
    """Inside an import cycle no order decides the edges below first, so a long one nests one
    decision per module: judged all the same (settled with a deep enough stack)."""
    length = 400
    files = {"app/__init__.py": "", "app/heavy.py": "import torch\n\n\ndef f():\n    return torch.ones(1)\n"}
    for index in range(length):
        following = f"m{(index + 1) % length}"
        files[f"app/m{index}.py"] = (f"from app import {following}, heavy\n\n\ndef f():\n"
                                     f"    return {following}.f, heavy.f()\n")
    write(root, files)
    found = diagnostics(root, *sorted(files))
    assert len(found) == 2 * length + 1  # the heavy import, and each module's two names
    assert all(d.fixable for d in found)


def _cycle_with_branches(length: int) -> dict[str, str]:
    """A cycle of ``length`` modules, each also importing a service that needs a heavy module
    at import time and a package that re-exports a user of it (a facade for fix): nested
    decisions of every kind, some of them cuts."""
    files = {
        "app/__init__.py": "",
        "app/heavy.py": "import torch\n\nMODEL = torch.ones(1)\n",  # needed at import time: kept
        "app/service.py": "from app import heavy\n\nSCALE = heavy.MODEL\n\n\ndef g():\n    return SCALE\n",
        "app/pkg/__init__.py": "from app.pkg.part import h\n",
        "app/pkg/part.py": "from app import service\n\n\ndef h():\n    return service.g()\n",
    }
    for index in range(length):
        following = f"m{(index + 1) % length}"
        files[f"app/m{index}.py"] = (f"from app import {following}, service\nfrom app.pkg import h\n\n\n"
                                     f"def f():\n    return {following}.f, service.g(), h()\n")
    return files


def test_a_shallow_settle_runs_in_the_calling_thread(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread costs milliseconds: a project whose decisions nest a few levels (every real app
    measured) settles where it is, however many modules it has."""
    def no_thread(work: object) -> None:
        raise AssertionError("the settle started a thread")

    monkeypatch.setattr(after_fix, "_with_deep_stack", no_thread)
    files = {"app/__init__.py": "", "app/heavy.py": "import torch\n\n\ndef f():\n    return torch.ones(1)\n"}
    for index in range(80):
        files[f"app/m{index}.py"] = "from app import heavy\n\n\ndef f():\n    return heavy.f()\n"
    write(root, files)
    assert len(diagnostics(root, *sorted(files))) == 81


def test_a_settle_too_deep_for_the_calling_thread_is_made_again_in_one(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[object] = []
    real = after_fix._with_deep_stack

    def recorded(work: Callable[[], None]) -> None:
        threads.append(work)
        real(work)

    monkeypatch.setattr(after_fix, "_with_deep_stack", recorded)
    files = _cycle_with_branches(400)
    write(root, files)
    found = diagnostics(root, *sorted(files))
    assert len(threads) == 1
    assert sum(d.fixable for d in found) > 400
    monkeypatch.setattr(after_fix, "_MAX_LEVELS", 0)  # straight to the thread
    assert diagnostics(root, *sorted(files)) == found
    assert len(threads) == 2


def test_a_settle_that_overflows_the_recursion_limit_here_is_made_again_in_a_thread(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _cycle_with_branches(400)
    write(root, files)
    monkeypatch.setattr(after_fix, "_MAX_LEVELS", 0)  # straight to the thread
    expected = diagnostics(root, *sorted(files))
    monkeypatch.setattr(after_fix, "_room_for_levels", lambda: 10**6)  # no limit of its own
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        found = diagnostics(root, *sorted(files))
    finally:
        sys.setrecursionlimit(limit)
    assert found == expected


@pytest.mark.parametrize("levels", [0, 1, 2, 3, 5])
def test_answers_do_not_depend_on_where_the_calling_thread_gave_up(
        root: Path, monkeypatch: pytest.MonkeyPatch, levels: int) -> None:
    """Whatever the first attempt decided before it gave up is dropped: the thread's answers
    are those of a settle that never started elsewhere."""
    files = _cycle_with_branches(12)
    write(root, files)
    expected = diagnostics(root, *sorted(files))
    monkeypatch.setattr(after_fix, "_MAX_LEVELS", levels)
    assert diagnostics(root, *sorted(files)) == expected
