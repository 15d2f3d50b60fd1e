"""The package holds itself to what it asks of others: typed, and light at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_own_lint_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "lazyimport_codemod", "lint", "lazyimport_codemod"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_package_and_cli_skips_libcst() -> None:
    code = "import sys, lazyimport_codemod.cli.commands; print(sorted(m for m in ('libcst', 'tomllib', 'tomli') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
