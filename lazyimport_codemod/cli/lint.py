"""Run ``lazyimport lint``: the pipeline, its output, and the record a later replay prints.

Shared by the click command and the console script's fast path, so the two
cannot drift apart.  Importing this module imports no click.
"""

from __future__ import annotations


from lazyimport_codemod.cli.options import LintOptions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence
    from lazyimport_codemod.speed.stamps import Stamp


def run_lint(options: LintOptions, command: Optional[Sequence[str]] = None,
             retained: Optional[list[object]] = None) -> int:
    """Lint, print, and return the exit status: 0 clean, 1 diagnostics, 2 errors.

    ``command`` is the argument list as typed after ``lint``: given, the output is
    recorded for :func:`lazyimport_codemod.speed.replay.replay`.  ``retained``
    receives each analysis instead of letting it be freed (see
    :func:`lazyimport_codemod.cli.entry.exit_at_once`).
    """
    from lazyimport_codemod import pipeline
    from lazyimport_codemod.cli.common import fail, overrides_from, short_lived
    from lazyimport_codemod.cli.output import render_result
    from lazyimport_codemod.settings.selection import SelectionError
    from lazyimport_codemod.speed import settings_record
    from lazyimport_codemod.speed.replay import print_output, record, settings_stamps

    short_lived()
    overrides = overrides_from(options.heavy_packages, options.extend_heavy_packages, options.config_file,
                               target_version=options.target_version)
    settings: list[Stamp] = []
    if options.no_cache:
        command = None  # nothing is recorded, nothing restored
    else:
        # Stamped before anything is read, as the results cache stamps files: a settings
        # file changed while this run reads it then looks changed to the next one.
        settings = settings_stamps(options.paths, options.config_file)
        settings_record.restore([str(path) for path in options.paths], overrides)
    walked: list[str] = []
    try:
        run = pipeline.lint(options.paths, overrides, not options.no_cache, walked, retained)
    except SelectionError as exc:
        fail(str(exc))
    out, err = render_result(run.result, options.fmt, options.quiet)
    print_output(out, err)
    status = 2 if run.result.errors else 1 if run.result.diagnostics else 0
    if run.caches:
        settings_record.keep(run.caches[0].folder, options.paths, overrides, settings)
    if command is not None:
        record(command, run.caches, settings, walked, out, err, status)
    return status
