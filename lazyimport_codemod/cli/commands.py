"""Command line: ``lazyimport lint|fix|verify|profile``.

Only wiring lives here: options become a Config, files are discovered, the
engine judges them and the reporters print.  Modules that are slow to import
(LibCST for fix, subprocess machinery for verify) are imported inside the
commands that need them, so ``lazyimport lint`` never pays for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from lazyimport_codemod import __version__
from lazyimport_codemod.cli.check_commands import profile_command, verify_command
from lazyimport_codemod.cli.output import FORMATS
from lazyimport_codemod.cli.paths import collect, fail, make_overrides, short_lived

_SELECTION_HELP = "comma-separated packages"


def selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that needs the heavy list and the config."""
    func = click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                        help="Read settings from this TOML file instead of the nearest pyproject.toml.")(func)
    func = click.option("--extend-heavy-packages", metavar="PKGS",
                        help=f"Add to the heavy list ({_SELECTION_HELP}).")(func)
    func = click.option("--heavy-packages", metavar="PKGS",
                        help=f"Replace the heavy list ({_SELECTION_HELP}).")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lazyimport")
def main() -> None:
    """Find heavy module-level imports that slow down worker start-up, and defer them."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format.")
@selection_options
@click.option("--no-cache", is_flag=True, help="Parse every file afresh; ignore .lazyimport_cache.")
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics only, no summary.")
def lint(paths: tuple[Path, ...], fmt: str, heavy_packages: Optional[str],
         extend_heavy_packages: Optional[str], config_file: Optional[Path], no_cache: bool,
         quiet: bool) -> None:
    """Report heavy packages imported at module level (LI001) or through first-party modules (LI002)."""
    from lazyimport_codemod.cli.fast_lint import LintOptions, run_lint

    options = LintOptions(paths, fmt, heavy_packages, extend_heavy_packages, config_file, no_cache, quiet)
    sys.exit(run_lint(options))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option("--strategy", type=click.Choice(["auto", "inline", "proxy"]), default=None,
              help="How to defer: into functions, behind lazy_import(), or the best of both (auto).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Format of the diagnostics fix leaves.")
@selection_options
@click.option("--no-cache", is_flag=True, help="Parse every file afresh; ignore .lazyimport_cache.")
@click.option("--quiet", "-q", is_flag=True, help="Print diagnostics only, no summary.")
def fix(paths: tuple[Path, ...], show_diff: bool, check: bool, strategy: Optional[str], fmt: str,
        heavy_packages: Optional[str], extend_heavy_packages: Optional[str],
        config_file: Optional[Path], no_cache: bool, quiet: bool) -> None:
    """Rewrite modules so heavy imports load on first use instead of at import time."""
    from lazyimport_codemod.fix.apply import fix_files
    from lazyimport_codemod.fix.writer import unified_diff, write_atomic
    from lazyimport_codemod.records import LintResult
    from lazyimport_codemod.cli.output import write_result

    short_lived()
    overrides = make_overrides(heavy_packages, extend_heavy_packages, config_file, strategy)
    left = LintResult()
    changed: list[tuple[Path, bytes, bytes]] = []
    for config, files in collect(paths, overrides):
        outcome = fix_files(files, config, cache=not no_cache)
        changed.extend(outcome.changes)
        left.diagnostics.extend(outcome.remaining.diagnostics)
        left.errors.extend(outcome.remaining.errors)
        left.files += outcome.remaining.files
    left.diagnostics.sort(key=lambda d: d.sort_key())
    from lazyimport_codemod.pipeline import display_path

    for path, before, after in changed:
        label = display_path(path)
        if show_diff:
            sys.stdout.write(unified_diff(label, before, after))
        elif check:
            click.echo(f"Would fix {label}", err=True)
        else:
            write_atomic(path, after)
            if not quiet:
                click.echo(f"Fixed {label}", err=True)
    verb = "Would fix" if (show_diff or check) else "Fixed"
    extra = f"{verb} {len(changed)} file{'s' if len(changed) != 1 else ''}. " if changed else ""
    if not show_diff:
        write_result(left, fmt, quiet, extra)
    else:
        from lazyimport_codemod.cli.output import write_errors

        write_errors(left.errors, sys.stderr)
    sys.exit(2 if left.errors else 1 if (changed or left.diagnostics) else 0)



@main.command("write-runtime")
@click.option("--module", "module_name", metavar="NAME",
              help="Dotted module to write (default: the configured runtime-module).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read settings from this TOML file instead of the nearest pyproject.toml.")
def write_runtime(module_name: Optional[str], config_file: Optional[Path]) -> None:
    """Write a standalone copy of the lazy_import() helper into your project.

    With `runtime-module = "app._lazy"` in [tool.lazyimport], code fixed with the proxy
    strategy imports lazy_import from app/_lazy.py instead of depending on this package.
    """
    from lazyimport_codemod.settings.config import ConfigError, load_config
    from lazyimport_codemod.pipeline import display_path
    from lazyimport_codemod.vendor_runtime import write_standalone_runtime

    try:
        config = load_config(Path("."), make_overrides(None, None, config_file))
    except ConfigError as exc:
        fail(str(exc))
    name = module_name or config.runtime_module
    if name == "lazyimport_codemod.runtime":
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
