"""The pipeline: from command-line paths to diagnostics (lint) and rewritten files (fix).

Read top to bottom, each step in the package named after it:

1. settings: the paths become files, grouped by the configuration that
   governs them (:func:`~lazyimport_codemod.settings.selection.group_files`);
2. parse and project (:func:`analyse`): the files that may have a diagnostic
   (:mod:`~lazyimport_codemod.project.prefilter`) are parsed into facts, and
   every first-party module they can reach is loaded into the import graph;
3. rules (:func:`check`): each file's imports are judged, giving diagnostics,
   or (:func:`fix_files`) the plans fix applies;
4. fix: the plans are applied to the source (:mod:`~lazyimport_codemod.fix.transform`),
   the result analysed again in memory to say what is left, and written
   (:func:`write`).

Work that only saves time -- parsing over several processes, facts kept
between runs, a lint result replayed when nothing changed -- sits in
:mod:`~lazyimport_codemod.speed` and is called from here, never from the
steps themselves.  Nothing here prints or exits; a file that cannot be read or
parsed becomes a :class:`~lazyimport_codemod.records.FileError` and the others
are still checked.
"""

from __future__ import annotations

import os
from pathlib import Path

from lazyimport_codemod.files import display_path
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.project.graph import ModuleFacts, Project
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.project.modules import absolute, ancestors
from lazyimport_codemod.project.prefilter import select_files
from lazyimport_codemod.records import DIAGNOSTIC_ORDER, FileError, LintResult, NamePlan
from lazyimport_codemod.settings.config import Config, Overrides, check_strategy
from lazyimport_codemod.settings.selection import group_files
from lazyimport_codemod.speed.facts_cache import FactsCache
from lazyimport_codemod.speed.parallel import Parsing, judge_files
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional, Sequence, Union
    from lazyimport_codemod.rules.checker import Checker
    from lazyimport_codemod.speed.results_cache import ResultsCache


class Analysis(NamedTuple):
    """The parsed files of one configuration, the project graph, and the rules set up for them."""

    config: Config
    project: Project
    checker: Checker
    facts: dict[Path, ModuleFacts]
    errors: list[FileError]
    files: int = 0  # files considered, parsed or not
    jobs: Optional[int] = None  # processes that may share the work (None: automatic)


class LintRun(NamedTuple):
    """A lint over some paths: the result, and the results caches consulted (for a replay)."""

    result: LintResult
    caches: list[ResultsCache]


class FixOutcome(NamedTuple):
    """Changed files (path, before, after), and the diagnostics that remain afterwards."""

    changes: list[tuple[Path, bytes, bytes]]
    remaining: LintResult


# -- lint -------------------------------------------------------------------------------


def lint(paths: Sequence[Path], overrides: Overrides, cache: bool = True,
         walked: Optional[list[str]] = None, retained: Optional[list[object]] = None) -> LintRun:
    """Lint ``paths``.  With ``cache``, each configuration's result is replayed when nothing
    it depends on changed, else computed and stored; the caches are returned for the
    command replay.  ``walked`` receives the folders read to find the files;
    ``retained`` each analysis, for a caller that exits without freeing it."""
    from lazyimport_codemod.speed.results_cache import ResultsCache

    total = LintResult()
    caches: list[ResultsCache] = []
    for config, files in group_files(paths, overrides, walked):
        stored = ResultsCache(config, files) if cache else None
        result = stored.load() if stored is not None else None
        if result is None:
            if stored is not None:
                stored.stamp()  # before anything is read: an edit meanwhile looks like a change
            analysis = analyse(files, config, cache=cache)
            if retained is not None:
                retained.append(analysis)
            result = check(analysis)
            if stored is not None:
                project = analysis.project
                stored.store(result, project.read_paths(), project.modules.roots, project.probed_folders())
        if stored is not None:
            caches.append(stored)
        total.diagnostics.extend(result.diagnostics)
        total.errors.extend(result.errors)
        total.files += result.files
    total.diagnostics.sort(key=DIAGNOSTIC_ORDER)
    return LintRun(total, caches)


def analyse(
    files: Sequence[Path],
    config: Config,
    strategy: Optional[str] = None,
    contents: Optional[Mapping[Path, bytes]] = None,
    prefilter: bool = True,
    cache: bool = False,
    jobs: Optional[int] = None,
) -> Analysis:
    """Parse ``files``, load what they reach in the project, and set the rules up.

    ``contents`` stands in for what is on disk for some paths (fix checks its own
    result this way before anything is written).  ``prefilter=False`` parses every
    file (tests use it to show the prefilter hides nothing).  ``cache`` reuses
    per-file facts from ``.lazyimport_cache``; ``jobs`` sets how many processes
    parse and judge the files, this one included (default: one per core, up to
    8, when there are many files).
    """
    files = [absolute(path) for path in files]
    known = {absolute(p): data for p, data in (contents or {}).items()}

    def read(path: Path) -> bytes:
        """A file's bytes, read at most once per analysis (the prefilter, the parser and
        the importer index all need them)."""
        data = known.get(path)
        if data is None:
            with open(path, "rb", buffering=0) as file:  # one read of the whole file: no buffer needed
                data = known[path] = file.read()
        return data

    if strategy is not None and strategy != config.strategy:
        check_strategy(strategy, config.target_version, config.target_source)
        config = config._replace(strategy=strategy)
    heavy = tuple(config.heavy_packages)
    facts_cache = FactsCache(config.root, heavy) if cache else None
    project = Project(config.src, config.matcher(), read, facts_cache.summarise if facts_cache else None, heavy,
                      config.src if config.src_configured else (), config.lazy_modules_count)
    project.modules.know(files)
    importers = ImporterIndex(project, lambda: _project_files(files, config))
    facts: dict[Path, ModuleFacts] = {}
    errors: list[FileError] = []
    datas: dict[Path, bytes] = {}
    for path in files:
        try:
            datas[path] = read(path)
        except OSError as exc:
            errors.append(FileError(display_path(path), f"cannot read file: {exc.strerror or exc}"))
    with Parsing(project, datas, jobs, facts_cache) as parsing:
        # First-party modules the prefilter reads on its way are kept in `known`.
        needed = select_files(project, datas, known, parsing.start_early) if prefilter else set(datas)
        # The rules are imported only now, while a parser child the prefilter started parses:
        # it never judges, so it is spared the import, and this process does it meanwhile.
        from lazyimport_codemod.rules.checker import Checker

        todo = [path for path in files if path in datas and path in needed]
        for path, summary in parsing.summaries(todo, meanwhile=importers.build_if_named):
            if isinstance(summary, str):
                errors.append(FileError(display_path(path), summary))
            else:
                facts[path] = project.facts_for_path(path, datas[path], summary)
    checker = Checker(project, files, config.strategy, config.runtime_module, importers,
                      config.unsafe_fixes, config.pure_calls, config.target_version)
    # Every first-party module the files can reach is parsed before any search starts:
    # the searches are pruned with that graph.
    starts: list[str] = []
    for module in facts.values():
        for edge in module.edges:
            starts.extend(edge.targets)
        if module.name:
            starts.extend(ancestors(module.name))
    project.load_closure(starts)
    return Analysis(config, project, checker, facts, errors, len(files), jobs)


def _project_files(given: list[Path], config: Config) -> list[Path]:
    """Every Python file of the project (the given ones keep their Path objects), sorted."""
    from lazyimport_codemod.settings.discovery import discover_tree, path_order

    found: dict[str, Union[str, Path]] = {os.path.normcase(str(path)): path for path in given}
    for root in {config.root, *config.src}:
        if root.is_dir():
            for path in discover_tree(os.path.abspath(root), config)[0]:
                found.setdefault(os.path.normcase(path), path)
    return [path if isinstance(path, Path) else Path(path) for path in sorted(found.values(), key=path_order)]


def check(analysis: Analysis) -> LintResult:
    """Every diagnostic of an analysis, sorted."""
    checker = analysis.checker
    result = LintResult(errors=list(analysis.errors), files=analysis.files)
    files = list(analysis.facts.values())
    checker.prepare(files)
    judged = judge_files(analysis.project, files, checker.diagnostics, analysis.jobs)
    for diagnostics in judged:
        result.diagnostics.extend(diagnostics)
    result.diagnostics.sort(key=DIAGNOSTIC_ORDER)
    result.errors.sort(key=lambda e: e.path)
    return result


# -- fix --------------------------------------------------------------------------------


def fix(paths: Sequence[Path], overrides: Overrides, cache: bool = True) -> FixOutcome:
    """What fix changes in ``paths`` and what it leaves; nothing is written here."""
    changes: list[tuple[Path, bytes, bytes]] = []
    left = LintResult()
    for config, files in group_files(paths, overrides):
        outcome = fix_files(files, config, cache=cache)
        changes.extend(outcome.changes)
        left.diagnostics.extend(outcome.remaining.diagnostics)
        left.errors.extend(outcome.remaining.errors)
        left.files += outcome.remaining.files
    left.diagnostics.sort(key=DIAGNOSTIC_ORDER)
    return FixOutcome(changes, left)


# A fix round can make another possible (a name deferred in one module frees an import in
# another); this many rounds is far more than real projects need.
MAX_ROUNDS = 8


def fix_files(
    files: Sequence[Path],
    config: Config,
    strategy: Optional[str] = None,
    contents: Optional[Mapping[Path, bytes]] = None,
    cache: bool = False,
) -> FixOutcome:
    """The rewrites of one configuration's files, and what lint says of the result.

    Plans are applied, the result analysed again in memory, and planned again,
    until a round changes nothing: one run reaches the fixed point a second run
    would find.  ``contents`` stands in for files on disk (absolute paths).  A
    file whose rewrite fails (or would not compile) is left unchanged and
    reported.
    """
    from lazyimport_codemod.fix.transform import TransformError, apply_plans
    from lazyimport_codemod.settings.config import line_length

    width = line_length(config)
    current = {absolute(path): data for path, data in (contents or {}).items()}
    original: dict[Path, bytes] = {}
    failed: dict[Path, FileError] = {}
    for _ in range(MAX_ROUNDS):
        analysis = analyse(files, config, strategy, current, cache=cache)
        analysis.checker.prepare(analysis.facts.values())
        rewritten: dict[Path, bytes] = {}
        for path in sorted(analysis.facts):
            facts = analysis.facts[path]
            plans = analysis.checker.plans(facts)
            if not plans or path in failed:
                continue
            try:
                after = apply_plans(facts.data, plans, config.runtime_module, width)
            except TransformError as exc:
                failed[path] = FileError(display_path(path), f"internal error, file left unchanged: {exc}")
                continue
            if after != facts.data:
                original.setdefault(path, facts.data)
                rewritten[path] = after
        if not rewritten:
            break
        current.update(rewritten)
    else:
        analysis = analyse(files, config, strategy, current, cache=cache)
        failed[Path("")] = FileError(".", f"fix did not settle after {MAX_ROUNDS} rounds; run it again")
    remaining = check(analysis)
    remaining.errors.extend(failed.values())
    remaining.errors.sort(key=lambda e: e.path)
    changes = [(path, before, current[path]) for path, before in sorted(original.items()) if current[path] != before]
    return FixOutcome(changes, remaining)


def write(changes: Sequence[tuple[Path, bytes, bytes]]) -> list[FileError]:
    """Write each changed file atomically; the files that could not be written."""
    from lazyimport_codemod.files import write_atomic

    failed: list[FileError] = []
    for path, _, after in changes:
        try:
            write_atomic(path, after)
        except OSError as exc:
            failed.append(FileError(display_path(path), f"cannot write file: {exc.strerror or exc}"))
    return failed


def plan_source(source: bytes, path: Optional[Path], config: Config) -> list[NamePlan]:
    """The rewrites fix would make in one module, given its text (for the LibCST codemod).

    Raises :class:`SourceError` when the text cannot be parsed.  Other files of the
    project are read only to follow the module's imports.
    """
    file = Path(os.path.abspath(path)) if path is not None else config.root / "__lazyimport_stdin__.py"
    analysis = analyse([file], config, contents={file: source})
    if analysis.errors:
        raise SourceError(analysis.errors[0].message)
    facts = analysis.facts.get(file)
    if facts is None:
        return []
    analysis.checker.prepare([facts])
    return analysis.checker.plans(facts)
