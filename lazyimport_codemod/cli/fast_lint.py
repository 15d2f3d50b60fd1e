"""``lazyimport lint`` without click: its argument reader and its run.

Why: importing click costs about 25 ms, a quarter of ``lazyimport lint
one_file.py`` (issue 4 asks for at most 4x ``python -c pass``).  The console
script (:mod:`lazyimport_codemod.cli.entry`) reads plain, valid ``lint``
arguments here and runs them directly.  Anything else -- ``--help``, an unknown
option, a bad ``--format`` value, a missing value -- makes :func:`parse_lint_args`
return ``None`` and click parses the same arguments, so every message and edge
case stays click's.  The click ``lint`` command calls :func:`run_lint` too, so
the two paths cannot drift apart.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Optional, Sequence

from lazyimport_codemod.cli.output import FORMATS

if TYPE_CHECKING:
    from lazyimport_codemod.settings.config import Config
    from lazyimport_codemod.records import LintResult
    from lazyimport_codemod.speed.results_cache import ResultsCache

_VALUE_OPTIONS = {
    "--format": "fmt",
    "--heavy-packages": "heavy_packages",
    "--extend-heavy-packages": "extend_heavy_packages",
    "--config": "config_file",
}
_FLAGS = {"--no-cache": "no_cache", "--quiet": "quiet", "-q": "quiet"}


class LintOptions(NamedTuple):
    """What ``lazyimport lint`` was asked to do; the defaults are click's defaults."""

    paths: tuple[Path, ...] = ()
    fmt: str = "text"
    heavy_packages: Optional[str] = None
    extend_heavy_packages: Optional[str] = None
    config_file: Optional[Path] = None
    no_cache: bool = False
    quiet: bool = False


def parse_lint_args(args: Sequence[str]) -> Optional[LintOptions]:
    """The options in ``args`` (what follows ``lint``), or ``None`` to let click decide.

    Accepts exactly what click would accept without a message: ``--opt value``,
    ``--opt=value``, the flags, ``--`` and paths, the last of a repeated option
    winning.  A value that looks like an option is left to click, which knows
    how it wants to treat it.
    """
    values: dict[str, str] = {}
    flags: set[str] = set()
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
        if name in _FLAGS and not equals:
            flags.add(_FLAGS[name])
            continue
        if name not in _VALUE_OPTIONS:
            return None
        if not equals:
            value = next(rest, "-")
            if value.startswith("-"):
                return None
        values[_VALUE_OPTIONS[name]] = value
    if "" in paths or not _valid(values) or not all(map(_readable, paths)):
        return None
    config_file = values.get("config_file")
    return LintOptions(
        paths=tuple(Path(path) for path in paths),
        fmt=values.get("fmt", "text"),
        heavy_packages=values.get("heavy_packages"),
        extend_heavy_packages=values.get("extend_heavy_packages"),
        config_file=Path(config_file) if config_file is not None else None,
        no_cache="no_cache" in flags,
        quiet="quiet" in flags,
    )


def _valid(values: dict[str, str]) -> bool:
    """The checks click's types make: a known format, a config path that is not a folder."""
    if values.get("fmt", "text") not in FORMATS:
        return False
    config_file = values.get("config_file")
    return config_file is None or (config_file != "" and not os.path.isdir(config_file)
                                   and _readable(config_file))


def _readable(path: str) -> bool:
    """click's ``Path(readable=True)``: a path that exists must be readable."""
    return not os.path.exists(path) or os.access(path, os.R_OK)


def run_lint(options: LintOptions, command: Optional[Sequence[str]] = None,
             retained: Optional[list[object]] = None) -> int:
    """Lint, print, and return the exit status: 0 clean, 1 diagnostics, 2 errors.

    ``command`` is the argument list as typed after ``lint``: given, the output is
    recorded for :func:`lazyimport_codemod.speed.replay.replay`.  ``retained``
    receives each analysis instead of letting it be freed (see
    :func:`lazyimport_codemod.cli.entry.exit_at_once`).
    """
    from lazyimport_codemod.speed.replay import print_output, record, settings_stamps
    from lazyimport_codemod.records import DIAGNOSTIC_ORDER, LintResult
    from lazyimport_codemod.cli.output import render_result
    from lazyimport_codemod.cli.paths import collect, make_overrides, short_lived

    short_lived()
    # Stamped before anything is read, like the results cache's stamps: a settings
    # file changed while this run reads it then looks changed to the next one.
    if options.no_cache:
        command = None  # nothing is recorded
    settings = settings_stamps(options) if command is not None else []
    walked: list[str] = []
    overrides = make_overrides(options.heavy_packages, options.extend_heavy_packages,
                               options.config_file)
    total = LintResult()
    caches: list[ResultsCache] = []
    for config, files in collect(options.paths, overrides, walked):
        result = _lint_group(config, files, caches if not options.no_cache else None, retained)
        total.diagnostics.extend(result.diagnostics)
        total.errors.extend(result.errors)
        total.files += result.files
    total.diagnostics.sort(key=DIAGNOSTIC_ORDER)
    out, err = render_result(total, options.fmt, options.quiet)
    print_output(out, err)
    status = 2 if total.errors else 1 if total.diagnostics else 0
    if command is not None:
        record(command, caches, settings, walked, out, err, status)
    return status


def _lint_group(config: Config, files: list[Path], caches: Optional[list[ResultsCache]],
                retained: Optional[list[object]] = None) -> LintResult:
    """One configuration's result: replayed when nothing changed, else analysed (and kept).
    Without ``caches`` (``--no-cache``) always analysed; with, its cache is added there."""
    if caches is None:
        from lazyimport_codemod.pipeline import analyse, lint

        analysis = analyse(files, config)
        if retained is not None:
            retained.append(analysis)
        return lint(analysis)
    from lazyimport_codemod.speed.results_cache import ResultsCache

    stored = ResultsCache(config, files)
    caches.append(stored)
    result = stored.load()
    if result is not None:
        return result
    stored.stamp()
    from lazyimport_codemod.pipeline import analyse, lint

    analysis = analyse(files, config, cache=True)
    if retained is not None:
        retained.append(analysis)
    result = lint(analysis)
    project = analysis.project
    stored.store(result, project.read_paths(), project.roots, project.probed_folders())
    return result
