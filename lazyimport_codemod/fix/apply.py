"""Plan and apply fixes for a set of files, checking the result before any write.

The same :class:`~lazyimport_codemod.rules.planner.Planner` that lint uses
decides what to do; LibCST only rewrites the files that have a plan.  After
rewriting, the new contents are analysed again in memory: what is left is what
fix could not defer, and that is what gets reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from lazyimport_codemod.settings.config import Config
from lazyimport_codemod.pipeline import analyse, display_path, lint
from lazyimport_codemod.records import FileError, LintResult


@dataclass
class FixOutcome:
    """Changed files (path, before, after) and the diagnostics that remain afterwards."""

    changes: list[tuple[Path, bytes, bytes]] = field(default_factory=list)
    remaining: LintResult = field(default_factory=LintResult)


def fix_files(
    files: Sequence[Path],
    config: Config,
    strategy: Optional[str] = None,
    contents: Optional[Mapping[Path, bytes]] = None,
    cache: bool = False,
) -> FixOutcome:
    """Compute the rewrites for ``files``; nothing is written here.

    ``contents`` stands in for files on disk (absolute paths), e.g. to check
    that a second run over fixed text changes nothing.
    """
    from lazyimport_codemod.fix.transform import TransformError, apply_plans

    analysis = analyse(files, config, strategy, contents, cache=cache)
    outcome = FixOutcome()
    failed: list[FileError] = []
    new_contents: dict[Path, bytes] = {}
    for path in sorted(analysis.facts):
        facts = analysis.facts[path]
        plans = analysis.planner.plans(facts)
        if not plans:
            continue
        before = facts.data
        try:
            after = apply_plans(before, plans, config.runtime_module)
        except TransformError as exc:
            failed.append(FileError(display_path(path), f"internal error, file left unchanged: {exc}"))
            continue
        if after != before:
            new_contents[path] = after
            outcome.changes.append((path, before, after))
    merged = {**(contents or {}), **new_contents}
    outcome.remaining = lint(analyse(files, config, strategy, contents=merged, cache=cache))
    outcome.remaining.errors.extend(failed)
    outcome.remaining.errors.sort(key=lambda e: e.path)
    return outcome
