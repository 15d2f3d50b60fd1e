"""The ``lazyimport`` command group: ``lint``, ``fix``, ``write-runtime``, ``verify``, ``profile``.

Only wiring lives here: options go to the pipeline, results to the output.
What is slow to import (LibCST for fix, subprocess machinery for verify) is
imported inside the commands that need it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from lazyimport_codemod import __version__
from lazyimport_codemod.cli.check_commands import profile_command, verify_command
from lazyimport_codemod.cli.common import fail, overrides_from, short_lived
from lazyimport_codemod.cli.options import click_option, click_options


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lazyimport")
def main() -> None:
    """Find heavy module-level imports that slow down worker start-up, and defer them."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click_options("lint")
def lint(paths: tuple[Path, ...], fmt: str, heavy_packages: Optional[str],
         extend_heavy_packages: Optional[str], target_version: Optional[str], config_file: Optional[Path],
         no_cache: bool, quiet: bool) -> None:
    """Report heavy packages imported at module level (LI001), through first-party modules (LI002),
    or by lazy imports resolved at import time (LI003)."""
    from lazyimport_codemod.cli.lint import run_lint
    from lazyimport_codemod.cli.options import LintOptions

    options = LintOptions(paths, fmt, heavy_packages, extend_heavy_packages, target_version, config_file,
                          no_cache, quiet)
    sys.exit(run_lint(options))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click_options("fix")
def fix(paths: tuple[Path, ...], show_diff: bool, check: bool, strategy: Optional[str], unsafe_fixes: bool,
        fmt: str, heavy_packages: Optional[str], extend_heavy_packages: Optional[str],
        target_version: Optional[str], config_file: Optional[Path], no_cache: bool, quiet: bool) -> None:
    """Rewrite modules so heavy imports load on first use instead of at import time."""
    from lazyimport_codemod import pipeline
    from lazyimport_codemod.cli.output import write_errors, write_result
    from lazyimport_codemod.files import display_path
    from lazyimport_codemod.fix.diff import unified_diff
    from lazyimport_codemod.settings.selection import SelectionError

    short_lived()
    overrides = overrides_from(heavy_packages, extend_heavy_packages, config_file, strategy, unsafe_fixes or None,
                               target_version)
    try:
        outcome = pipeline.fix(paths, overrides, cache=not no_cache)
    except SelectionError as exc:
        fail(str(exc))
    left = outcome.remaining
    changed = outcome.changes
    if show_diff:
        for path, before, after in changed:
            sys.stdout.write(unified_diff(display_path(path), before, after))
    elif check:
        for path, _, _ in changed:
            click.echo(f"Would fix {display_path(path)}", err=True)
    else:
        unwritten = pipeline.write(changed)
        failed = {error.path for error in unwritten}
        for path, _, _ in changed:
            label = display_path(path)
            if label not in failed and not quiet:
                click.echo(f"Fixed {label}", err=True)
        left.errors.extend(unwritten)
    verb = "Would fix" if (show_diff or check) else "Fixed"
    extra = f"{verb} {len(changed)} file{'s' if len(changed) != 1 else ''}. " if changed else ""
    if show_diff:
        write_errors(left.errors, sys.stderr)
    else:
        write_result(left, fmt, quiet, extra)
    sys.exit(2 if left.errors else 1 if (changed or left.diagnostics) else 0)


@main.command("write-runtime")
@click.option("--module", "module_name", metavar="NAME",
              help="Dotted module to write (default: the configured runtime-module).")
@click_option("config")
def write_runtime(module_name: Optional[str], config_file: Optional[Path]) -> None:
    """Write a standalone copy of the lazy_import() helper into your project.

    With `runtime-module = "app._lazy"` in [tool.lazyimport], code fixed with the proxy
    strategy imports lazy_import from app/_lazy.py instead of depending on this package.
    """
    from lazyimport_codemod.files import display_path
    from lazyimport_codemod.settings.config import DEFAULT_RUNTIME_MODULE, ConfigError, load_config
    from lazyimport_codemod.vendor_runtime import write_standalone_runtime

    try:
        config = load_config(Path("."), overrides_from(None, None, config_file))
    except ConfigError as exc:
        fail(str(exc))
    name = module_name or config.runtime_module
    if name == DEFAULT_RUNTIME_MODULE:
        fail("set runtime-module in [tool.lazyimport] (or pass --module) to a module of your project")
    errors = []
    for root in config.src:
        parent = root.joinpath(*name.split(".")[:-1])
        if parent.is_dir():
            try:
                path = write_standalone_runtime(name, root)
            except (ValueError, OSError) as exc:
                errors.append(str(exc))
                continue
            click.echo(f"Wrote {display_path(path)}", err=True)
            return
    fail(errors[0] if errors else f"no folder for {name!r} under the src roots "
          f"({', '.join(display_path(r) for r in config.src)})")


# verify and profile live in their own module, which imports only click at load time.
main.add_command(verify_command)
main.add_command(profile_command)
