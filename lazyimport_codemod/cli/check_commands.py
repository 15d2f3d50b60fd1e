"""``lazyimport verify`` and ``lazyimport profile``: run-time checks in a fresh interpreter.

The commands are plain :class:`click.Command` objects that ``cli.py`` registers
with ``main.add_command``. Their implementations (subprocess, json, the TOML
editor) are imported inside the command functions so ``lazyimport --help``
and ``lazyimport lint`` never pay for them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, List, NoReturn, Optional, Sequence, Tuple

import click

if TYPE_CHECKING:
    from lazyimport_codemod.checks.verify import VerifyResult
    from lazyimport_codemod.settings.config import Config

_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class _UsageError(click.ClickException):
    """A usage error shown as one line, like every other error of this tool."""

    exit_code = 2

    def show(self, file: Optional[IO[Any]] = None) -> None:
        """Print ``error: message`` on stderr instead of click's usage block."""
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class _Command(click.Command):
    """A command whose usage errors (bad option, missing argument) are one line."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        """Turn click's multi-line usage errors into one line with a pointer to ``--help``."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _UsageError(f"{exc.format_message()} (see '{ctx.command_path} --help')") from None


def _split(values: Sequence[str]) -> Tuple[str, ...]:
    """``--allow a,b --allow c`` -> ``("a", "b", "c")``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    ctx.exit(2)


def _module_name(value: str) -> str:
    """Accept dotted module names only, and say how to write a file path as one."""
    if _MODULE_NAME.fullmatch(value):
        return value
    hint = ""
    if value.endswith(".py") or "/" in value or "\\" in value:
        dotted = re.sub(r"[\\/]+", ".", value[:-3] if value.endswith(".py") else value).strip(".")
        dotted = dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted
        hint = f" (did you mean '{dotted}'?)"
    raise _UsageError(f"'{value}' is not a module name{hint}")


def _load_config(
    ctx: click.Context, heavy_packages: Optional[str], extend: Optional[str], config_file: Optional[Path]
) -> Config:
    """The project's configuration found from the current folder, with the command-line overrides."""
    from lazyimport_codemod.settings.config import ConfigError, Overrides, load_config

    overrides = Overrides(
        config_file=config_file,
        heavy_packages=_split([heavy_packages]) if heavy_packages is not None else None,
        extend_heavy_packages=_split([extend]) if extend else (),
    )
    try:
        return load_config(Path.cwd(), overrides)
    except ConfigError as exc:
        _fail(ctx, str(exc))


class _Progress:
    """``label: run 2/3`` on one overwritten stderr line, only when stderr is a terminal."""

    def __init__(self) -> None:
        self._stream = sys.stderr
        self._enabled = self._stream.isatty()
        self._label = ""
        self._width = 0

    def label(self, text: str) -> None:
        """Set what the next updates are about (the module being checked)."""
        self._label = text

    def __call__(self, run: int, total: int) -> None:
        if not self._enabled:
            return
        text = f"{self._label}: run {run}/{total}..." if total > 1 else f"{self._label}..."
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(text))

    def clear(self) -> None:
        """Erase the progress line before real output is printed."""
        if self._enabled and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


def _selection_options(func: Any) -> Any:
    """``--heavy-packages``, ``--extend-heavy-packages`` and ``--config``, as for ``lint``."""
    from lazyimport_codemod.cli.options import click_option

    for key in ("config", "extend-heavy-packages", "heavy-packages"):
        func = click_option(key)(func)
    return func


_PYTHON_HELP = (
    "Interpreter to import with: a path, a name on PATH or a virtualenv folder (default: this one)."
)
_TIMEOUT_HELP = "Give up on an import after this many seconds."


@click.command("verify", cls=_Command)
@click.argument("modules", nargs=-1, required=True, metavar="MODULE...")
@click.option("--python", "python", metavar="PATH", help=_PYTHON_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--allow", multiple=True, metavar="PKG",
              help="A heavy package this project accepts at start-up (repeat, or comma-separate).")
@click.option("--max-ms", type=click.FloatRange(min=0), metavar="N",
              help="Also fail when importing a module takes longer than N ms (median of --repeat runs).")
@click.option("--repeat", type=click.IntRange(min=1), metavar="N",
              help="Import each module N times in fresh interpreters [default: 1, or 3 with --max-ms].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              metavar="SECONDS", help=_TIMEOUT_HELP)
@_selection_options
@click.pass_context
def verify_command(
    ctx: click.Context,
    modules: Tuple[str, ...],
    python: Optional[str],
    fmt: str,
    allow: Tuple[str, ...],
    max_ms: Optional[float],
    repeat: Optional[int],
    timeout: float,
    heavy_packages: Optional[str],
    extend_heavy_packages: Optional[str],
    config_file: Optional[Path],
) -> None:
    """Import each MODULE in a fresh interpreter and fail if a heavy package got loaded.

    Prints, for each heavy package, the chain of imports that loaded it
    (with file:line of each import statement) and its cumulative import time,
    then the routers registered with lazyimport_codemod.routers that are left
    to load on first request (listed, not imported, never a failure).
    Exit 0 when clean, 1 when a heavy package was loaded or --max-ms was
    exceeded, 2 when a module cannot be imported (its error is shown).
    """
    from lazyimport_codemod.checks import verify

    names = [_module_name(value) for value in modules]
    config = _load_config(ctx, heavy_packages, extend_heavy_packages, config_file)
    try:
        interpreter = verify.resolve_python(python)
    except verify.VerifyError as exc:
        raise _UsageError(str(exc)) from None
    progress = _Progress()
    results = []
    for index, name in enumerate(names):
        progress.label(f"verify {name}" + (f" ({index + 1}/{len(names)})" if len(names) > 1 else ""))
        try:
            results.append(
                verify.verify_module(
                    name,
                    heavy=config.matcher().match,
                    allow=_split(allow),
                    python=interpreter,
                    paths=verify.search_paths(config.src),
                    repeat=repeat if repeat is not None else (3 if max_ms is not None else 1),
                    max_ms=max_ms,
                    timeout=timeout,
                    on_run=progress,
                )
            )
        except verify.VerifyError as exc:
            progress.clear()
            _fail(ctx, str(exc))
    progress.clear()
    _print_verify(results, fmt)
    ctx.exit(verify.exit_code(results))


def _print_verify(results: Sequence[VerifyResult], fmt: str) -> None:
    from lazyimport_codemod.checks import verify

    if fmt == "json":
        click.echo(verify.to_json(results))
        return
    for result in results:
        for line in verify.format_result(result):
            click.echo(line)
        if result.error is not None and result.error.traceback.startswith("Traceback"):
            click.echo(result.error.traceback.rstrip(), err=True)
    click.echo(verify.summary(results), err=True)


@click.command("profile", cls=_Command)
@click.argument("module", metavar="MODULE")
@click.option("--python", "python", metavar="PATH", help=_PYTHON_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True, metavar="N",
              help="Profile N fresh interpreters and report medians (import times are noisy).")
@click.option("--threshold", "threshold_ms", type=click.FloatRange(min=0), default=100.0, show_default=True,
              metavar="MS",
              help="Suggest third-party packages that take at least MS to import as heavy-packages.")
@click.option("--write", is_flag=True,
              help="Add the suggested heavy-packages to [tool.lazyimport] in pyproject.toml.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              metavar="SECONDS", help=_TIMEOUT_HELP)
@_selection_options
@click.pass_context
def profile_command(
    ctx: click.Context,
    module: str,
    python: Optional[str],
    fmt: str,
    repeat: int,
    threshold_ms: float,
    write: bool,
    timeout: float,
    heavy_packages: Optional[str],
    extend_heavy_packages: Optional[str],
    config_file: Optional[Path],
) -> None:
    """Show where the import time of MODULE goes, using python -X importtime.

    Prints top-level packages by cumulative and self milliseconds (median of
    --repeat runs), a tree of the slowest import chains, and a suggested
    heavy-packages list of third-party packages over --threshold ms.
    """
    from lazyimport_codemod.checks import profile as profiling
    from lazyimport_codemod.checks.verify import VerifyError, resolve_python, search_paths

    name = _module_name(module)
    config = _load_config(ctx, heavy_packages, extend_heavy_packages, config_file)
    try:
        interpreter = resolve_python(python)
    except VerifyError as exc:
        raise _UsageError(str(exc)) from None
    progress = _Progress()
    progress.label(f"profile {name}")
    try:
        result = profiling.profile_module(
            name,
            python=interpreter,
            paths=search_paths(config.src),
            repeat=repeat,
            threshold_ms=threshold_ms,
            heavy=config.matcher().match,
            timeout=timeout,
            on_run=progress,
        )
    except profiling.ProfileError as exc:
        progress.clear()
        if exc.detail:
            click.echo(exc.detail.rstrip(), err=True)
        click.echo(str(exc) if exc.detail else f"error: {exc}", err=True)
        ctx.exit(2)
    progress.clear()
    target, table = _write_target(config)
    existing = profiling.read_heavy_packages(target, table)
    if fmt == "json":
        click.echo(profiling.to_json(result, existing))
    else:
        width = _terminal_width()
        for line in profiling.render_text(result, width=width, unicode=_can_draw(), existing=existing):
            click.echo(line)
    if write:
        _write_suggestion(ctx, target, table, existing, result.suggested)


def _write_target(config: Config) -> Tuple[Path, Tuple[str, ...]]:
    """The file and table ``--write`` edits: where the settings in use come from.

    That is the configuration's pyproject.toml (or ``--config`` file: its
    top level when it is a dedicated file without a ``tool`` table), else
    pyproject.toml at the project root, which is also the file to create when
    there is none, or when the heavy list came from a ruff.toml.
    """
    from lazyimport_codemod.checks.profile import TOOL_TABLE, has_tool_table

    path = config.path
    if path is None or path.name in (".ruff.toml", "ruff.toml"):
        return config.root / "pyproject.toml", TOOL_TABLE
    if path.name == "pyproject.toml" or has_tool_table(path):
        return path, TOOL_TABLE
    return path, ()


def _write_suggestion(
    ctx: click.Context,
    target: Path,
    table: Tuple[str, ...],
    existing: Sequence[str],
    suggested: Sequence[str],
) -> None:
    from lazyimport_codemod.checks import profile as profiling
    from lazyimport_codemod.checks.verify import display_path

    label = display_path(str(target)) or str(target)
    if not suggested:
        click.echo(f"Nothing to write to {label}.", err=True)
        return
    packages = profiling.merge_packages(existing, suggested)
    try:
        outcome = profiling.write_heavy_packages(target, packages, table)
    except (profiling.WriteError, OSError) as exc:
        _fail(ctx, str(exc))
    line = profiling.heavy_packages_line(packages)
    if outcome == "unchanged":
        click.echo(f"{label} already has {line}", err=True)
    else:
        click.echo(f"{outcome.capitalize()} {label}: {line}", err=True)


def _terminal_width() -> int:
    import shutil

    return max(shutil.get_terminal_size((100, 24)).columns, 60)


def _can_draw() -> bool:
    """Box-drawing characters only when stdout's encoding can show them."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "├└│─".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
