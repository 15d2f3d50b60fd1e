"""Run the shared analysis over a set of files: the pure core of lint and fix.

Nothing here prints or exits.  Files that cannot be read or parsed become
:class:`FileError` records and the others are still analysed, so one broken
file never hides the rest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, NamedTuple, Optional, Sequence, Union

from lazyimport_codemod.analysis.facts import FactsCache, FileFacts, extract
from lazyimport_codemod.analysis.graph import ModuleFacts, Project, ancestors
from lazyimport_codemod.analysis.importers import ImporterIndex
from lazyimport_codemod.analysis.prefilter import select_files
from lazyimport_codemod.analysis.plan import Planner, Verdict, describe_functions
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


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


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
    ``cache`` reuses per-file facts from ``.lazyimport_cache``; ``jobs`` sets the
    worker processes used to parse many files (default: automatic).
    """
    files = [Path(os.path.abspath(path)) for path in files]
    overrides = {Path(os.path.abspath(p)): data for p, data in (contents or {}).items()}

    def read(path: Path) -> bytes:
        data = overrides.get(path)
        return data if data is not None else path.read_bytes()

    heavy = tuple(config.heavy_packages)
    facts_cache = FactsCache(config.root, heavy) if cache else None
    project = Project(config.src, config.matcher(), read, facts_cache, heavy)

    def project_files() -> list[Path]:
        from lazyimport_codemod.discovery import discover_files

        found = set(files)
        for root in {config.root, *config.src}:
            if root.is_dir():
                found.update(Path(os.path.abspath(p)) for p in discover_files(root, config))
        return sorted(found)

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
    # select_files stores the bytes of the modules it reads in `overrides`, so
    # read() never reads a file twice.
    needed = select_files(project, datas, overrides) if prefilter else set(datas)
    todo = [path for path in files if path in datas and path in needed]
    summaries = _summarise(project, todo, datas, jobs)
    for path in todo:
        summary = summaries[path]
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
    return Analysis(config, project, planner, facts, errors, len(files))


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 160


def _summarise(
    project: Project, paths: Sequence[Path], datas: Mapping[Path, bytes], jobs: Optional[int]
) -> dict[Path, Union[FileFacts, str]]:
    """FileFacts (or a one-line error) per path: cache hits first, then the rest in parallel."""
    out: dict[Path, Union[FileFacts, str]] = {}
    misses: list[tuple[Path, Optional[str], bool]] = []
    for path in paths:
        name, is_package = project.name_for_path(path)
        hit = project.cache.get(datas[path], name, is_package) if project.cache else None
        if hit is not None:
            out[path] = hit
        else:
            misses.append((path, name, is_package))
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers > 1 and (jobs is not None or len(misses) >= PARALLEL_THRESHOLD):
        from concurrent.futures import ProcessPoolExecutor

        work = [(datas[p], str(p), name, is_package, project.heavy) for p, name, is_package in misses]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_extract_or_error, work, chunksize=8))
    else:
        results = [_extract_or_error((datas[p], str(p), n, k, project.heavy)) for p, n, k in misses]
    for (path, name, is_package), result in zip(misses, results):
        out[path] = result
        if project.cache is not None and not isinstance(result, str):
            project.cache.put(datas[path], name, is_package, result)
    return out


def _extract_or_error(job: tuple[bytes, str, Optional[str], bool, tuple[str, ...]]) -> Union[FileFacts, str]:
    """Runs in worker processes: never raises, so one bad file cannot stop the pool."""
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
    ordered = sorted(chains, key=lambda pkg: (len(chains[pkg]), pkg))
    first = ordered[0]
    text = f"`{first}`"
    if len(ordered) > 1:
        text += f" and {len(ordered) - 1} more ({', '.join(ordered[1:])})"
    return text, chains[first], tuple(ordered)


def diagnostics_for(analysis: Analysis, facts: ModuleFacts) -> list[Diagnostic]:
    """LI001/LI002 diagnostics of one parsed file, honouring ``# noqa``."""
    planner = analysis.planner
    path = display_path(facts.path)
    preloaded = analysis.project.preloaded(facts)
    groups: dict[tuple[int, int, str, str, Action], list[Verdict]] = {}
    for edge in facts.edges:
        code = "LI001" if edge.heavy else "LI002"
        if edge.statement.silenced(code):
            continue
        verdict = planner.verdict(facts, edge, preloaded)
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
    for facts in analysis.facts.values():
        result.diagnostics.extend(diagnostics_for(analysis, facts))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result
