"""The ``lazyimport`` console script: ``lint`` straight away, everything else through click.

A lint run in a pre-commit hook or an editor is mostly interpreter start-up, so
the common case skips click's import (about 25 ms); see
:mod:`lazyimport_codemod.lint_command` for why that cannot change behaviour.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn, Optional, Sequence

if TYPE_CHECKING:
    from lazyimport_codemod.lint_command import LintOptions


def main(argv: Optional[Sequence[str]] = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["lint"]:
        from lazyimport_codemod.lint_command import parse_lint_args

        options = parse_lint_args(args[1:])
        if options is not None:
            sys.exit(_run_lint(options))
    from lazyimport_codemod.cli import main as click_main

    click_main(args=args)
    raise SystemExit(0)  # pragma: no cover - click's standalone mode always exits


def _run_lint(options: LintOptions) -> int:
    """Lint with what click's standalone mode does around a command: a closed pipe or
    Ctrl-C ends the run quietly with status 1 instead of a traceback."""
    from lazyimport_codemod.lint_command import run_lint

    try:
        return run_lint(options)
    except BrokenPipeError:
        import os

        # Output went to a reader that left (``lazyimport lint | head``); silence the
        # interpreter's final flush of stdout, as the Python docs recommend.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        return 1
