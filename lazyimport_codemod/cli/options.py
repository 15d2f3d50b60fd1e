"""Every option of ``lint`` and ``fix``, in one table: click's commands and lint's fast path
are both built from it, so they accept the same spellings and mean the same things.

The fast path: the console script reads plain, valid ``lint`` arguments itself
(:func:`parse_lint_args`) and runs lint without importing click, whose import
is a large part of linting one file.  Anything else -- ``--help``, an unknown
option, a bad ``--format`` value, a missing value -- makes it return ``None``,
and click parses the same arguments, so every message and edge case stays
click's.  This module imports no click at load time.
"""

from __future__ import annotations

import os
from pathlib import Path

from lazyimport_codemod.cli.output import FORMATS
from lazyimport_codemod.settings.config import STRATEGIES, TARGET_VERSIONS
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Sequence


class Option(NamedTuple):
    """One command-line option: its spellings, where its value goes, and how it reads."""

    names: tuple[str, ...]
    dest: str
    help: str
    flag: bool = False  # takes no value
    choices: tuple[str, ...] = ()  # its value must be one of these
    default: Optional[str] = None
    metavar: Optional[str] = None
    file: bool = False  # its value names a file (not a folder)


OPTIONS = {
    "diff": Option(("--diff",), "show_diff", "Print a unified diff; write nothing.", flag=True),
    "check": Option(("--check",), "check", "Write nothing; exit 1 if anything would change.", flag=True),
    "strategy": Option(("--strategy",), "strategy",
                       "How to defer: into functions, behind lazy_import(), PEP 810 `lazy` imports or "
                       "__lazy_modules__, or the best of these for the target (auto).",
                       choices=STRATEGIES),
    "target-version": Option(("--target-version",), "target_version",
                             "The oldest Python the code runs on (default: target-version in the config, "
                             "ruff's, or requires-python); py315 lets fix write `lazy` imports.",
                             choices=TARGET_VERSIONS),
    "unsafe-fixes": Option(("--unsafe-fixes",), "unsafe_fixes",
                           "Also apply fixes that may change behaviour (see each diagnostic's reason).", flag=True),
    "format": Option(("--format",), "fmt", "Output format.", choices=FORMATS, default="text"),
    "heavy-packages": Option(("--heavy-packages",), "heavy_packages",
                             "Replace the heavy list (comma-separated packages).", metavar="PKGS"),
    "extend-heavy-packages": Option(("--extend-heavy-packages",), "extend_heavy_packages",
                                    "Add to the heavy list (comma-separated packages).", metavar="PKGS"),
    "config": Option(("--config",), "config_file",
                     "Read settings from this TOML file instead of the nearest pyproject.toml.", file=True),
    "no-cache": Option(("--no-cache",), "no_cache", "Parse every file afresh; ignore .lazyimport_cache.",
                       flag=True),
    "quiet": Option(("--quiet", "-q"), "quiet", "Print diagnostics only, no summary.", flag=True),
}

_SELECTION = ("heavy-packages", "extend-heavy-packages", "target-version", "config")
# Each command's options in the order --help lists them, with the help it words its own way.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "lint": (("format", ""), *((key, "") for key in _SELECTION), ("no-cache", ""), ("quiet", "")),
    "fix": (("diff", ""), ("check", ""), ("strategy", ""), ("unsafe-fixes", ""),
            ("format", "Format of the diagnostics fix leaves."),
            *((key, "") for key in _SELECTION), ("no-cache", ""), ("quiet", "")),
}


class LintOptions(NamedTuple):
    """What ``lazyimport lint`` was asked to do; the defaults are the table's."""

    paths: tuple[Path, ...] = ()
    fmt: str = "text"
    heavy_packages: Optional[str] = None
    extend_heavy_packages: Optional[str] = None
    target_version: Optional[str] = None
    config_file: Optional[Path] = None
    no_cache: bool = False
    quiet: bool = False


def parse_lint_args(args: Sequence[str]) -> Optional[LintOptions]:
    """The options in ``args`` (what follows ``lint``), or ``None`` to let click decide.

    Accepts exactly what click would accept without a message: ``--opt value``,
    ``--opt=value``, the flags, ``--`` and paths, the last of a repeated option
    winning.  A value that looks like an option is left to click.
    """
    table = {name: OPTIONS[key] for key, _ in COMMANDS["lint"] for name in OPTIONS[key].names}
    values: dict[str, Any] = {}
    paths: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            paths.extend(rest)
            break
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=")
        option = table.get(name)
        if option is None:
            return None
        if option.flag:
            if equals:
                return None
            values[option.dest] = True
            continue
        if not equals:
            value = next(rest, "-")
            if value.startswith("-"):
                return None
        if (option.choices and value not in option.choices) or (option.file and not _readable_file(value)):
            return None
        values[option.dest] = Path(value) if option.file else value
    if "" in paths or not all(map(_readable, paths)):
        return None
    return LintOptions(paths=tuple(Path(path) for path in paths), **values)


def _readable_file(value: str) -> bool:
    """click's ``Path(dir_okay=False)`` and readable: not a folder, readable if it exists."""
    return value != "" and not os.path.isdir(value) and _readable(value)


def _readable(path: str) -> bool:
    """click's ``Path(readable=True)``: a path that exists must be readable."""
    return not os.path.exists(path) or os.access(path, os.R_OK)


def click_options(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator adding ``command``'s options to a click command, in the table's order."""
    import click

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for key, help_text in reversed(COMMANDS[command]):
            function = _click_option(click, OPTIONS[key], help_text)(function)
        return function

    return decorate


def click_option(key: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator adding one option of the table to a click command."""
    import click

    return _click_option(click, OPTIONS[key], "")


def _click_option(click: Any, option: Option, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    kwargs: dict[str, Any] = {"help": help_text or option.help}
    if option.flag:
        kwargs["is_flag"] = True
    elif option.choices:
        kwargs["type"] = click.Choice(option.choices)
    elif option.file:
        kwargs["type"] = click.Path(dir_okay=False, path_type=Path)
        kwargs["metavar"] = "FILE"
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.default is not None:
        kwargs["default"] = option.default
        kwargs["show_default"] = True
    decls = option.names if option.names[0].lstrip("-").replace("-", "_") == option.dest else (*option.names, option.dest)
    decorator: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(*decls, **kwargs)
    return decorator
