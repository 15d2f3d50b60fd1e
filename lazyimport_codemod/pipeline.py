"""Run the shared analysis over a set of files: the pure core of lint and fix.

Nothing here prints or exits.  Files that cannot be read or parsed become
:class:`FileError` records and the others are still analysed, so one broken
file never hides the rest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

from lazyimport_codemod.parse.facts import FactsCache, FileFacts, extract
from lazyimport_codemod.project.graph import Footprint, ModuleFacts, Project, absolute, ancestors
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.project.prefilter import select_files
from lazyimport_codemod.rules.planner import Planner, Verdict, describe_functions
from lazyimport_codemod.rules.planner import display_path as display_path  # for the commands
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.settings.config import Config
from lazyimport_codemod.speed.forking import FromTheEnd, can_fork, forked_map
from lazyimport_codemod.records import Action, Decision, Diagnostic, FileError, LintResult, NamePlan


class Analysis(NamedTuple):
    """Parsed files of one configuration, with the planner that judges them."""

    config: Config
    project: Project
    planner: Planner
    facts: dict[Path, ModuleFacts]
    errors: list[FileError]
    files: int = 0  # files considered, parsed or not
    jobs: Optional[int] = None  # processes that may share the work (None: automatic)


def analyse(
    files: Sequence[Path],
    config: Config,
    strategy: Optional[str] = None,
    contents: Optional[Mapping[Path, bytes]] = None,
    prefilter: bool = True,
    cache: bool = False,
    jobs: Optional[int] = None,
) -> Analysis:
    """Parse ``files``, load what they reach in the project, and prepare the planner.

    ``contents`` overrides what is on disk for some paths; fix uses it to check
    its own result before anything is written.  ``prefilter=False`` parses every
    file, which tests use to prove the prefilter never hides a diagnostic.
    ``cache`` reuses per-file facts from ``.lazyimport_cache``; ``jobs`` sets how
    many processes parse the files and, in :func:`lint`, judge them, this one
    included (default: one per core, up to 8, when there are many files).
    """
    files = [absolute(path) for path in files]
    overrides = {absolute(p): data for p, data in (contents or {}).items()}

    def read(path: Path) -> bytes:
        """The bytes of a file, read at most once per analysis: the prefilter, the
        parser and the importer index all need them."""
        data = overrides.get(path)
        if data is None:
            data = overrides[path] = path.read_bytes()
        return data

    heavy = tuple(config.heavy_packages)
    facts_cache = FactsCache(config.root, heavy) if cache else None
    project = Project(config.src, config.matcher(), read, facts_cache, heavy)

    def project_files() -> list[Path]:
        """Every Python file of the project, sorted as Paths sort (strings until the end:
        building and comparing Path objects costs more than the walk)."""
        from lazyimport_codemod.settings.discovery import discover_tree, path_order

        # The given files keep their Path objects: no new ones to build, and the lookups
        # by path that follow (their bytes, their import lines) find them by identity.
        found: dict[str, Union[str, Path]] = {os.path.normcase(str(path)): path for path in files}
        for root in {config.root, *config.src}:
            if root.is_dir():
                for path in discover_tree(os.path.abspath(root), config)[0]:
                    found.setdefault(os.path.normcase(path), path)
        return [path if isinstance(path, Path) else Path(path) for path in sorted(found.values(), key=path_order)]

    importers = ImporterIndex(project, project_files)
    planner = Planner(project, files, strategy or config.strategy, config.runtime_module, importers)
    facts: dict[Path, ModuleFacts] = {}
    errors: list[FileError] = []
    datas: dict[Path, bytes] = {}
    for path in files:
        try:
            datas[path] = read(path)
        except OSError as exc:
            errors.append(FileError(display_path(path), f"cannot read file: {exc.strerror or exc}"))
    early: list[FromTheEnd[_Summary]] = []  # a child parsing while the prefilter runs, if any
    try:
        # select_files records an unreadable module as empty in `overrides`, as it scanned it.
        needed = select_files(
            project, datas, overrides, lambda: early.extend(_speculate(project, datas, jobs))
        ) if prefilter else set(datas)
        todo = [path for path in files if path in datas and path in needed]
        # While helpers parse, this process builds the importer index the verdicts need.
        def arrived(path: Path, summary: _Summary) -> None:
            """A helper's answer, made into the module's facts (see :func:`_from_both_ends`)."""
            if not isinstance(summary, str):
                project.facts_for_path(path, datas[path], summary)

        for path, summary in _summaries(project, todo, datas, jobs, importers.build_if_named,
                                        early[0] if early else None, arrived):
            if isinstance(summary, str):
                errors.append(FileError(display_path(path), summary))
            else:
                facts[path] = project.facts_for_path(path, datas[path], summary)
    finally:
        for child in early:
            child.stop()
    # Parse every first-party module the files can reach through a heavy path
    # before any search starts: the searches are pruned with that graph.
    starts: list[str] = []
    for module in facts.values():
        for edge in module.edges:
            starts.extend(edge.targets)
        if module.name:
            starts.extend(ancestors(module.name))
    project.load_closure(starts)
    return Analysis(config, project, planner, facts, errors, len(files), jobs)


# Below this many files to parse, starting helper processes costs more than it saves.
PARALLEL_THRESHOLD = 160

_Job = tuple[bytes, str, Optional[str], bool, tuple[str, ...], frozenset[str]]  # extract()'s arguments
_Summary = Union[FileFacts, str]  # FileFacts, or why the file cannot be parsed


def _processes(jobs: Optional[int], items: int) -> int:
    """How many processes share work on ``items`` files: ``jobs`` if given, else one per
    core (up to 8) once there are enough files to repay starting them."""
    if jobs is not None:
        return max(jobs, 1)
    return min(os.cpu_count() or 1, 8) if items >= PARALLEL_THRESHOLD else 1


def _summaries(
    project: Project, paths: Sequence[Path], datas: Mapping[Path, bytes], jobs: Optional[int],
    meanwhile: Optional[Callable[[], None]] = None, early: Optional[FromTheEnd[_Summary]] = None,
    arrived: Optional[Callable[[Path, _Summary], None]] = None,
) -> Iterator[tuple[Path, _Summary]]:
    """Each path with its FileFacts (or a one-line error), in order, from the cache or
    parsed in parallel.  Lazily: the caller uses this process's share of the files
    while the helpers still finish theirs.  ``meanwhile`` runs here while forked
    helpers parse (and not at all otherwise).  ``early``: see :func:`_speculate`."""
    if early is not None:
        if paths:
            yield from _from_both_ends(project, paths, datas, meanwhile, early, arrived)
            return
        early.stop()
    hits: dict[Path, FileFacts] = {}
    misses: list[tuple[Path, Optional[str], bool]] = []
    names = [(path, *project.name_for_path(path)) for path in paths]
    first_party = project.first_party()  # once every path's root is known
    for path, name, is_package in names:
        hit = project.cache.get(datas[path], name, is_package, first_party) if project.cache else None
        if hit is not None:
            hits[path] = hit
        else:
            misses.append((path, name, is_package))
    work = [(datas[p], str(p), name, is_package, project.heavy, first_party) for p, name, is_package in misses]
    processes = min(_processes(jobs, len(misses)), len(misses))
    results = _extract_in_parallel(work, processes, meanwhile) if processes > 1 else iter(_extract_all(work))
    parsed = iter(misses)
    for path in paths:
        if path in hits:
            yield path, hits[path]
            continue
        _, name, is_package = next(parsed)
        result = next(results)
        if project.cache is not None and not isinstance(result, str):
            project.cache.put(datas[path], name, is_package, result, first_party)
        yield path, result


def _speculate(
    project: Project, datas: Mapping[Path, bytes], jobs: Optional[int]
) -> list[FromTheEnd[_Summary]]:
    """A child that starts parsing the files from the last one while this process runs the
    rest of the prefilter (see :class:`FromTheEnd`), when two processes share the
    work and no facts cache is used (its hits are looked up per kept file).

    Why: the prefilter (tens of milliseconds on a few hundred files) otherwise
    runs alone before any child starts.  It asks for this once it has met a file
    that imports a heavy package, so a clean tree never pays for a child.  The
    child first names every file, as the prefilter does, in the same order, so
    that it has this process's roots (and so its module names and first-party
    set) when it parses.
    """
    if project.cache is not None or _processes(jobs, len(datas)) != 2 or not can_fork() or not datas:
        return []
    paths = list(datas)
    first_party: list[frozenset[str]] = []

    def start() -> None:
        for path in paths:
            project.name_for_path(path)
        first_party.append(project.first_party())

    def parse(index: int) -> _Summary:
        path = paths[index]
        name, is_package = project.name_for_path(path)
        return _extract_or_error((datas[path], str(path), name, is_package, project.heavy, first_party[0]))

    return [FromTheEnd(len(paths), parse, start)]


def _from_both_ends(
    project: Project, paths: Sequence[Path], datas: Mapping[Path, bytes],
    meanwhile: Optional[Callable[[], None]], early: FromTheEnd[_Summary],
    arrived: Optional[Callable[[Path, _Summary], None]] = None,
) -> Iterator[tuple[Path, _Summary]]:
    """:func:`_summaries` with a child parsing from the end (see :func:`_speculate`): this
    process parses the kept files from the start until the two meet, handing each
    answer on at once, then takes the child's.  What the child did not answer (it
    failed) is parsed here at the end, so the answer never depends on the child.

    ``arrived(path, summary)`` is called for each of the child's answers to a kept
    file as soon as it comes in, between this process's own files: whatever the
    caller does with an answer then happens while the child still parses, not
    alone after the two meet.  (An answer that came in whole is the one this
    process would compute, even from a child that fails later.)"""
    order = list(datas)
    wanted = set(paths)
    early.publish(path in wanted for path in order)
    if meanwhile is not None:
        meanwhile()
    first_party = project.first_party()
    index = {path: i for i, path in enumerate(order)}

    def parse(i: int) -> _Summary:
        path = order[i]
        name, is_package = project.name_for_path(path)
        return _extract_or_error((datas[path], str(path), name, is_package, project.heavy, first_party))

    answers: dict[int, _Summary] = {}
    pending = iter(paths)
    upcoming = next(pending, None)
    i = 0
    while early.claim(i):
        if order[i] in wanted:
            answers[i] = parse(i)
            while upcoming is not None and index[upcoming] in answers:
                yield upcoming, answers[index[upcoming]]
                upcoming = next(pending, None)
        for at, answer in early.poll():
            if arrived is not None and order[at] in wanted:
                arrived(order[at], answer)
        i += 1
    theirs = early.result()
    if theirs is not None:
        answers.update(theirs[0])
    while upcoming is not None:
        at = index[upcoming]
        if at not in answers:
            answers[at] = parse(at)
        yield upcoming, answers[at]
        upcoming = next(pending, None)


def _extract_in_parallel(
    work: list[_Job], processes: int, meanwhile: Optional[Callable[[], None]] = None
) -> Iterator[_Summary]:
    """:func:`_extract_all` spread over ``processes`` processes, this one included where
    it can fork (each process gets about as many bytes to parse), in order."""
    if not can_fork():
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=processes) as pool:
            yield from pool.map(_extract_or_error, work, chunksize=8)
        return
    total = sum(len(job[0]) for job in work) or 1
    shares: list[list[_Job]] = [[] for _ in range(processes)]
    done = 0
    for job in work:  # contiguous shares of about equal size, in order
        shares[min(done * processes // total, processes - 1)].append(job)
        done += len(job[0])
    for share in forked_map(_extract_all, shares, meanwhile):
        yield from share


def _extract_all(work: list[_Job]) -> list[_Summary]:
    return [_extract_or_error(job) for job in work]


def _extract_or_error(job: _Job) -> _Summary:
    """Never raises, so one bad file cannot stop the others."""
    try:
        return extract(*job)
    except SourceError as exc:
        return str(exc)


def plan_source(source: bytes, path: Optional[Path], config: Config) -> list[NamePlan]:
    """The rewrites fix would make in one module, given its text (for the LibCST codemod).

    Raises :class:`SourceError` when the text cannot be parsed.  The module is
    planned on its own: other files of the project are read only to follow
    its imports.
    """
    file = Path(os.path.abspath(path)) if path is not None else config.root / "__lazyimport_stdin__.py"
    analysis = analyse([file], config, contents={file: source})
    if analysis.errors:
        raise SourceError(analysis.errors[0].message)
    facts = analysis.facts.get(file)
    return analysis.planner.plans(facts) if facts is not None else []


def _fix_text(decision: Decision) -> Optional[str]:
    if decision.action is Action.INLINE:
        return f"fix moves the import into {describe_functions(decision.functions)}"
    if decision.action is Action.PROXY:
        return f"fix binds it with lazy_import() because it must stay a module attribute ({decision.reason})"
    if decision.action is Action.DOWNSTREAM:
        return decision.reason
    return None


def _tail(decision: Decision) -> str:
    text = _fix_text(decision)
    return text if text is not None else f"cannot defer: {decision.reason}"


def _packages_text(chains: dict[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    # Shortest chain first, then by name: the names in order, stably sorted by length
    # (cheaper than a (length, name) key per package: a parent's run to twenty).
    ordered = sorted(sorted(chains), key=lambda pkg: len(chains[pkg]))
    first = ordered[0]
    text = f"`{first}`"
    if len(ordered) > 1:
        text += f" and {len(ordered) - 1} more ({', '.join(ordered[1:])})"
    return text, chains[first], tuple(ordered)


def diagnostics_for(analysis: Analysis, facts: ModuleFacts) -> list[Diagnostic]:
    """LI001/LI002 diagnostics of one parsed file, honouring ``# noqa``."""
    planner = analysis.planner
    path = planner.display(facts.path)
    groups: dict[tuple[int, int, str, str, Action], list[Verdict]] = {}
    for edge in facts.edges:
        if edge.heavy is None and not edge.targets:
            continue  # most imports: loads nothing judged, so no verdict (see Planner.verdict)
        code = "LI001" if edge.heavy else "LI002"
        if edge.statement.silenced(code):
            continue
        verdict = planner.verdict(facts, edge)
        if verdict is None:
            continue
        target = edge.heavy or "|".join(edge.targets)
        # Names of one statement that fix treats alike share one diagnostic.
        action = verdict.decision.action
        key = (edge.statement.line, edge.statement.column, code, target, action)
        groups.setdefault(key, []).append(verdict)
    out: list[Diagnostic] = []
    for (line, _, code, _, _), verdicts in groups.items():
        stmt = verdicts[0].edge.statement
        decision = _merge([v.decision for v in verdicts])
        names = tuple(v.edge.name.bound for v in verdicts)
        column = facts.file.columns.get((stmt.line, stmt.column), stmt.column) + 1
        end_column = facts.file.columns.get((stmt.end_line, stmt.end_column), stmt.end_column) + 1
        fix = _fix_text(decision)
        if code == "LI001":
            package = verdicts[0].edge.heavy or ""
            message = f"heavy package `{package}` is imported at module level; {_tail(decision)}"
            chain: tuple[str, ...] = ()
            packages: tuple[str, ...] = (package,)
        else:
            chains: dict[str, tuple[str, ...]] = {}
            for verdict in verdicts:
                for pkg, pkg_chain in verdict.reached.items():
                    chains.setdefault(pkg, pkg_chain)
            text, chain, packages = _packages_text(chains)
            package = packages[0]
            message = (
                f"`{chain[1]}` eagerly imports {text} ({' -> '.join(chain)}); {_tail(decision)}"
            )
        out.append(
            Diagnostic(path, line, column, stmt.end_line, end_column, code, message,
                       package, names, fix is not None, fix, chain, packages)
        )
    parent = planner.parent_verdict(facts)
    if parent is not None and not _silenced_line_one(facts):
        chains, decision = parent
        text, chain, packages = _packages_text(chains)
        fix = _fix_text(decision)
        message = f"parent package `{chain[1]}` eagerly imports {text} ({' -> '.join(chain)}); {_tail(decision)}"
        out.append(
            Diagnostic(path, 1, 1, 1, 1, "LI002", message, packages[0], (), fix is not None,
                       fix, chain, packages)
        )
    return out


def _diagnose(analysis: Analysis, files: list[ModuleFacts]) -> list[list[Diagnostic]]:
    """:func:`diagnostics_for` each file, in order: over several processes when there are
    many files (a forked child sees the whole analysis for free; see :func:`forked_map`)."""
    processes = min(_processes(analysis.jobs, len(files)), len(files))
    if processes < 2 or not can_fork():
        return [diagnostics_for(analysis, facts) for facts in files]
    analysis.planner.prepare()
    project = analysis.project
    before = project.footprint()
    if processes == 2:
        return _diagnose_from_both_ends(analysis, files, before)

    def share(part: list[ModuleFacts]) -> tuple[list[list[Diagnostic]], Footprint]:
        return [diagnostics_for(analysis, facts) for facts in part], project.footprint().since(before)

    # Contiguous shares: a package's modules share the searches from their parents.
    size = -(-len(files) // processes)
    answers = list(forked_map(share, [files[start:start + size] for start in range(0, len(files), size)]))
    for _, seen in answers[1:]:
        project.absorb(seen)
    return [diagnostics for part, _ in answers for diagnostics in part]


def _diagnose_from_both_ends(
    analysis: Analysis, files: list[ModuleFacts], before: Footprint
) -> list[list[Diagnostic]]:
    """:func:`_diagnose` over two processes, each judging from one end (see :class:`FromTheEnd`):
    its shares stay contiguous, so a package's modules still share the searches
    from their parents, and neither process waits long for the other.  A child that
    fails leaves its files to this process, which then also has its own footprint."""
    project = analysis.project

    def judge(index: int) -> list[Diagnostic]:
        return diagnostics_for(analysis, files[index])

    other = FromTheEnd(len(files), judge, finish=lambda: project.footprint().since(before))
    answers: dict[int, list[Diagnostic]] = {}
    try:
        index = 0
        while other.claim(index):
            answers[index] = judge(index)
            other.poll()
            index += 1
        theirs = other.result()
    finally:
        other.stop()
    if theirs is not None and isinstance(theirs[1], Footprint):
        answers.update(theirs[0])
        project.absorb(theirs[1])
    return [answers[index] if index in answers else judge(index) for index in range(len(files))]


def _merge(decisions: list[Decision]) -> Decision:
    """One decision for names fix treats alike: functions united, reasons listed once each."""
    first = decisions[0]
    if len(decisions) == 1:
        return first
    reasons = list(dict.fromkeys(d.reason for d in decisions if d.reason))
    functions = sorted({f for d in decisions for f in d.functions})
    return Decision(first.action, "; ".join(reasons), tuple(functions), first.line)


def _silenced_line_one(facts: ModuleFacts) -> bool:
    codes = facts.file.noqa_line_one
    return codes is not None and (not codes or "LI002" in codes)


def lint(analysis: Analysis) -> LintResult:
    """All diagnostics of an analysis, sorted."""
    result = LintResult(errors=list(analysis.errors), files=analysis.files)
    for diagnostics in _diagnose(analysis, list(analysis.facts.values())):
        result.diagnostics.extend(diagnostics)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result
