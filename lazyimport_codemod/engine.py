"""Run the shared analysis over a set of files: the pure core of lint and fix.

Nothing here prints or exits.  Files that cannot be read or parsed become
:class:`FileError` records and the others are still analysed, so one broken
file never hides the rest.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple, NoReturn, Optional, Sequence, TypeVar, Union

from lazyimport_codemod.analysis.facts import FactsCache, FileFacts, extract
from lazyimport_codemod.analysis.graph import Footprint, ModuleFacts, Project, absolute, ancestors
from lazyimport_codemod.analysis.importers import ImporterIndex
from lazyimport_codemod.analysis.prefilter import select_files
from lazyimport_codemod.analysis.plan import Planner, Verdict, describe_functions
from lazyimport_codemod.analysis.plan import display_path as display_path  # for the commands
from lazyimport_codemod.analysis.source import SourceError
from lazyimport_codemod.config import Config
from lazyimport_codemod.models import Action, Decision, Diagnostic, FileError, LintResult, NamePlan


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
        from lazyimport_codemod.discovery import discover_tree, path_order

        found = {os.path.normcase(str(path)): str(path) for path in files}
        for root in {config.root, *config.src}:
            if root.is_dir():
                for path in discover_tree(os.path.abspath(root), config)[0]:
                    found.setdefault(os.path.normcase(path), path)
        return [Path(path) for path in sorted(found.values(), key=path_order)]

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
    # select_files records an unreadable module as empty in `overrides`, as it scanned it.
    needed = select_files(project, datas, overrides) if prefilter else set(datas)
    todo = [path for path in files if path in datas and path in needed]
    for path, summary in _summaries(project, todo, datas, jobs):
        if isinstance(summary, str):
            errors.append(FileError(display_path(path), summary))
        else:
            facts[path] = project.facts_for_path(path, datas[path], summary)
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
    project: Project, paths: Sequence[Path], datas: Mapping[Path, bytes], jobs: Optional[int]
) -> Iterator[tuple[Path, _Summary]]:
    """Each path with its FileFacts (or a one-line error), in order, from the cache or
    parsed in parallel.  Lazily: the caller uses this process's share of the files
    while the helpers still finish theirs."""
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
    results = _extract_in_parallel(work, processes) if processes > 1 else iter(_extract_all(work))
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


def _extract_in_parallel(work: list[_Job], processes: int) -> Iterator[_Summary]:
    """:func:`_extract_all` spread over ``processes`` processes, this one included where
    it can fork (each process gets about as many bytes to parse), in order."""
    if not _can_fork():
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
    for share in _forked_map(_extract_all, shares):
        yield from share


def _extract_all(work: list[_Job]) -> list[_Summary]:
    return [_extract_or_error(job) for job in work]


def _extract_or_error(job: _Job) -> _Summary:
    """Never raises, so one bad file cannot stop the others."""
    try:
        return extract(*job)
    except SourceError as exc:
        return str(exc)


_T = TypeVar("_T")
_R = TypeVar("_R")


def _can_fork() -> bool:
    """Whether :func:`_forked_map` may run.  ``fork()`` copies only the calling thread,
    so it is safe while no other thread could hold a lock; macOS's system
    libraries do not support it at all (its default start method is spawn)."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _forked_map(function: Callable[[_T], _R], shares: Sequence[_T]) -> Iterator[_R]:
    """``function(share) for share in shares``: the first share here, each other one in
    a child forked for it, answered in order (the first before waiting for any child).

    Why fork and not a process pool: a child starts in about a millisecond
    with everything this process holds (file bytes, parsed facts), so only its
    answer crosses back, pickled through a pipe; importing ``concurrent.futures``
    and ``multiprocessing`` alone costs ~50 ms.  A child that fails leaves its
    share to this process, so the answer never depends on the children.
    """
    import pickle

    children: list[tuple[int, int, _T]] = []  # not yet reaped
    try:
        for share in shares[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                _answer_and_exit(function, share, write_end)
            os.close(write_end)
            children.append((pid, read_end, share))
        yield function(shares[0])
        while children:
            pid, read_end, share = children[0]
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            yield pickle.loads(data) if status == 0 else function(share)
    finally:  # left early (an error, or the caller stopped): do not leave children behind
        for pid, read_end, _ in children:
            with contextlib.suppress(OSError):
                os.close(read_end)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _answer_and_exit(function: Callable[[_T], _R], share: _T, write_end: int) -> NoReturn:
    """The forked child's whole life: answer, hand the answer over, and leave at once
    (no ``atexit`` handlers, no flushing of buffers it shares with its parent)."""
    import pickle

    status = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(function(share), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


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
    ordered = sorted(chains, key=lambda pkg: (len(chains[pkg]), pkg))
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
    many files (a forked child sees the whole analysis for free; see :func:`_forked_map`)."""
    processes = min(_processes(analysis.jobs, len(files)), len(files))
    if processes < 2 or not _can_fork():
        return [diagnostics_for(analysis, facts) for facts in files]
    analysis.planner.prepare()
    project = analysis.project
    before = project.footprint()

    def share(part: list[ModuleFacts]) -> tuple[list[list[Diagnostic]], Footprint]:
        return [diagnostics_for(analysis, facts) for facts in part], project.footprint().since(before)

    # Contiguous shares: a package's modules share the searches from their parents.
    size = -(-len(files) // processes)
    answers = list(_forked_map(share, [files[start:start + size] for start in range(0, len(files), size)]))
    for _, seen in answers[1:]:
        project.absorb(seen)
    return [diagnostics for part, _ in answers for diagnostics in part]


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
