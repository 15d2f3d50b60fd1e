"""The ``lazyimport`` console script: ``lint`` straight away, everything else through click.

A lint run in a pre-commit hook or an editor is mostly interpreter start-up, so
plain ``lint`` arguments are read without importing click (see
:mod:`lazyimport_codemod.cli.options` for why that cannot change behaviour),
and a command repeated on an unchanged tree is answered before anything but
``os``, ``sys`` and ``marshal`` is imported
(:mod:`lazyimport_codemod.speed.replay`).

Run as the console script, a lint ends the process the way mypy does: output
flushed, then ``os._exit``.  Freeing the analysis object by object and the
interpreter's final garbage collection only cost time, and there is nothing
left to finalise: files are closed, children reaped, the output written.
Called with ``argv`` (tests, embedding), ``main`` exits normally.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # importing typing would add to every start-up
if TYPE_CHECKING:
    from typing import NoReturn, Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["lint"], ["fix"]):
        import gc

        # A run of either ends the process (see cli.common.short_lived); stopping the
        # collector here spares the imports below its few dozen passes too.
        gc.disable()
    if args[:1] == ["lint"]:
        retained: list[object] = []  # what the run built, never freed when it exits at once
        status = _lint(args[1:], retained if argv is None else None)
        if status is not None:
            if argv is None:
                exit_at_once(status)
            sys.exit(status)
    from lazyimport_codemod.cli.commands import main as click_main

    click_main(args=args)
    raise SystemExit(0)  # pragma: no cover - click's standalone mode always exits


def exit_at_once(status: int) -> NoReturn:
    """End the process with ``status`` once stdout and stderr are flushed, skipping the
    interpreter's clean-up (see the module docstring)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left, or a closed stream
            pass
    os._exit(status)


def _lint(args: list[str], retained: Optional[list[object]] = None) -> Optional[int]:
    """The exit status of ``lint <args>``, or ``None`` when click must read the arguments.

    Run with what click's standalone mode does around a command: a closed pipe
    or Ctrl-C ends the run quietly with status 1 instead of a traceback.  ``retained``
    receives what the run built, for a caller that exits without freeing it."""
    try:
        from lazyimport_codemod.speed.replay import replay

        status = replay(args)
        if status is not None:
            return status
        from lazyimport_codemod.cli.lint import run_lint
        from lazyimport_codemod.cli.options import parse_lint_args

        options = parse_lint_args(args)
        return None if options is None else run_lint(options, command=args, retained=retained)
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
