"""`lazyimport lint` without click: the argument reader agrees with click, and falls back to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import click
import pytest

from lazyimport_codemod.cli.commands import lint as click_lint
from lazyimport_codemod.cli.options import LintOptions, parse_lint_args

REPO = Path(__file__).resolve().parent.parent


def click_options(args: list[str]) -> Optional[LintOptions]:
    """What click makes of ``lazyimport lint ARGS``, or None when click would complain."""
    try:
        with click_lint.make_context("lint", list(args)) as ctx:
            params: dict[str, Any] = ctx.params
    except click.exceptions.Exit:  # --help
        return None
    except click.UsageError:
        return None
    return LintOptions(**params)


@pytest.mark.parametrize("args", [
    [],
    ["app"],
    ["app", "tests/x.py", "-"],
    ["--format", "json", "app"],
    ["--format=github", "app"],
    ["-q", "--no-cache", "app"],
    ["--quiet", "--quiet"],
    ["--heavy-packages", "torch, pandas", "--extend-heavy-packages=polars", "."],
    ["--config", "pyproject.toml", "app"],
    ["--config=other.toml"],
    ["--format", "text", "--format", "json"],  # the last one wins
    ["app", "--", "--format", "-q"],  # after --, everything is a path
    ["--heavy-packages="],  # an empty list, as click reads it
    ["--target-version", "py315", "app"],
    ["--target-version=py39"],
])
def test_accepted_arguments_read_exactly_as_click_reads_them(args: list[str]) -> None:
    ours = parse_lint_args(args)
    assert ours is not None
    assert ours == click_options(args)


@pytest.mark.parametrize("args", [
    ["--help"],
    ["-h"],
    ["--format", "yaml"],  # not a choice: click words the error
    ["--target-version", "py38"],
    ["--format"],  # missing value
    ["--format", "-q"],  # a value that looks like an option: click decides
    ["--no-cache=yes"],  # a flag given a value
    ["--unknown"],
    ["-qx"],  # clustered short flags
    ["--config", "."],  # a folder where a file is expected
    ["--form", "json"],  # a prefix: click suggests the full name
    [""],  # an empty path
])
def test_anything_unusual_is_left_to_click(args: list[str]) -> None:
    assert parse_lint_args(args) is None


def test_folder_given_as_config_is_also_refused_by_click(tmp_path: Path) -> None:
    assert parse_lint_args(["--config", str(tmp_path)]) is None
    assert click_options(["--config", str(tmp_path)]) is None


def _run(args: list[str], cwd: Path, code: str = "") -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\nfrom lazyimport_codemod.cli.entry import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n"
        f"    {code or 'raise'}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    (tmp_path / "heavy.py").write_text("import torch\n\n\ndef f():\n    return torch.ones(1)\n")
    return tmp_path


def test_lint_runs_without_importing_click(project: Path) -> None:
    report = "print('click' in sys.modules, exc.code, file=sys.stderr)"
    result = _run(["lint", "--no-cache", "heavy.py"], project, report)
    assert result.stdout.startswith("heavy.py:1:1: LI001 heavy package `torch`")
    assert result.stderr.splitlines()[-1] == "False 1"


def test_help_and_errors_still_come_from_click(project: Path) -> None:
    helped = _run(["lint", "--help"], project)
    assert helped.returncode == 0 and "--extend-heavy-packages PKGS" in helped.stdout
    wrong = _run(["lint", "--format", "yaml"], project)
    assert wrong.returncode == 2
    assert "Invalid value for '--format'" in wrong.stderr


def test_missing_path_is_one_line_and_status_two(project: Path) -> None:
    result = _run(["lint", "nowhere"], project)
    assert result.returncode == 2
    assert result.stderr == "error: path 'nowhere' does not exist\n"


def test_closed_pipe_ends_quietly(project: Path) -> None:
    lines = "".join(f"import torch as t{i}\n" for i in range(3000))
    (project / "many.py").write_text(lines)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen([sys.executable, "-m", "lazyimport_codemod", "lint", "many.py"], cwd=project,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # the reader leaves, as `| head -1` does
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err


def _console_script(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script's path (``main()`` without arguments), with an exit handler that
    notes it ran: a lint run ends the process at once, without the interpreter's clean-up."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: open('clean-up-ran', 'w').close())\n"
        "from lazyimport_codemod.cli.entry import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.mark.parametrize("cache", [False, True])
def test_console_script_exits_at_once_with_all_output(project: Path, cache: bool) -> None:
    # More output than a pipe holds, so that nothing may be left in a buffer at the exit.
    (project / "many.py").write_text("".join(f"import torch as t{i}\n" for i in range(3000)))
    args = ["lint", *([] if cache else ["--no-cache"]), "heavy.py", "many.py"]
    expected = _run(args, project)
    assert not (project / "clean-up-ran").exists()
    assert expected.returncode == 1 and len(expected.stdout) > 200_000
    for _ in range(2 if cache else 1):  # with the cache: analysed, then answered again
        done = _console_script(args, project)
        assert (done.returncode, done.stdout, done.stderr) == (1, expected.stdout, expected.stderr)
        assert not (project / "clean-up-ran").exists()


def test_called_with_arguments_main_exits_normally(project: Path) -> None:
    script = ("import atexit, sys\n"
              "atexit.register(lambda: open('clean-up-ran', 'w').close())\n"
              "from lazyimport_codemod.cli.entry import main\n"
              "main(sys.argv[1:])\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script, "lint", "--no-cache", "heavy.py"], cwd=project,
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and done.stdout.startswith("heavy.py:1:1: LI001")
    assert (project / "clean-up-ran").exists()
