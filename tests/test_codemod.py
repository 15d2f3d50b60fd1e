"""``DeferHeavyImports`` runs the same analysis and rewrite as ``lazyimport fix``, under LibCST's runner."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext

from lazyimport_codemod.codemod import DeferHeavyImports

REPO = Path(__file__).resolve().parents[1]

BEFORE = textwrap.dedent(
    """\
    import os
    import numpy as np


    def zeros(n):
        return np.zeros(n), os.sep
    """
)
AFTER = textwrap.dedent(
    """\
    import os


    def zeros(n):
        import numpy as np
        return np.zeros(n), os.sep
    """
)


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n", encoding="utf-8")
    module = tmp_path / "mod.py"
    module.write_text(source, encoding="utf-8")
    return module


def _transform(path: Path) -> str:
    command = DeferHeavyImports(CodemodContext(filename=str(path)))
    return command.transform_module(cst.parse_module(path.read_bytes())).code


def test_command_has_a_description() -> None:
    assert "lazy_import()" in DeferHeavyImports.DESCRIPTION


def test_transform_module_defers_the_import(tmp_path: Path) -> None:
    assert _transform(_project(tmp_path, BEFORE)) == AFTER


def test_nothing_to_do_returns_the_module_unchanged(tmp_path: Path) -> None:
    source = "import os\n\n\ndef f():\n    return os.sep\n"
    assert _transform(_project(tmp_path, source)) == source


def test_libcst_tool_rewrites_files(tmp_path: Path) -> None:
    module = _project(tmp_path, BEFORE)
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    completed = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress",
         "-x", "lazyimport_codemod.codemod.DeferHeavyImports", str(module)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert module.read_text(encoding="utf-8") == AFTER
