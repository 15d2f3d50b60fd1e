"""Run-time proof that importing a module stays light.

Static analysis cannot see ``importlib`` calls, plugins or imports hidden in
functions that run at import time, so ``lazyimport verify`` asks a real
interpreter: it imports each module in a fresh process under the recorder in
:mod:`lazyimport_codemod.checks.verify_probe`, then checks which heavy packages ended
up in ``sys.modules`` and which chain of imports brought each one in.

Use it from pytest with :func:`assert_light`::

    from lazyimport_codemod.checks.verify import assert_light

    def test_worker_starts_light() -> None:
        assert_light("app.main")
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from lazyimport_codemod.checks.child import ChildError, run_child
from lazyimport_codemod.checks.lazy_mode import LazyImports, note

#: Maps a module name to the heavy package it belongs to, or None (``HeavyMatcher.match``).
HeavyMatch = Callable[[str], Optional[str]]
#: Called before each interpreter run with (run number, number of runs).
RunCallback = Callable[[int, int], None]

DEFAULT_TIMEOUT = 120.0
_PROBE_NAME = "verify_probe.py"


class VerifyError(Exception):
    """The check itself could not run (bad interpreter, timeout, crash); the message is one line."""


@dataclass(frozen=True)
class Link:
    """One module in an import chain, and where the statement that imported it is.

    ``via`` says how it was imported: ``statement`` (an import statement or
    ``importlib`` call at ``file:line``), ``parent`` (loaded as the parent
    package of the next module, by that statement), ``extension`` (by a C
    extension's init, no Python line), ``target`` (the checked module itself)
    or ``unknown`` (no record, e.g. put in ``sys.modules`` by hand).
    """

    module: str
    file: Optional[str] = None
    line: Optional[int] = None
    function: Optional[str] = None
    via: str = "unknown"


@dataclass(frozen=True)
class HeavyHit:
    """A heavy package found in ``sys.modules`` after the import, and how it got there."""

    package: str
    chain: Tuple[Link, ...]
    cumulative_ms: Optional[float]
    note: Optional[str] = None


@dataclass(frozen=True)
class ModuleError:
    """The exception the module raised while being imported."""

    type: str
    message: str
    traceback: str
    file: Optional[str] = None
    line: Optional[int] = None


@dataclass(frozen=True)
class LazyRouter:
    """A router, blueprint or view the module registered to load on first request, not loaded.

    Read from ``lazyimport_codemod.routers.pending_routers()`` in the checked
    interpreter: ``helper`` is the function that registered it
    (``include_lazily``, ``register_blueprint_lazily`` or ``add_lazy_view``), ``target`` its
    ``"package.module:attribute"`` and ``prefix`` the URL prefix whose first request loads it
    (the rule, for a view). The check does not import it, so its heavy packages are not
    among the ones reported.
    """

    helper: str
    target: str
    prefix: str


@dataclass(frozen=True)
class VerifyResult:
    """What importing one module did: heavy packages, size, time, or its error."""

    module: str
    heavy: Tuple[HeavyHit, ...] = ()
    allowed: Tuple[HeavyHit, ...] = ()
    modules_imported: int = 0
    import_ms: Optional[float] = None
    runs_ms: Tuple[float, ...] = ()
    max_ms: Optional[float] = None
    error: Optional[ModuleError] = None
    sys_path: Tuple[str, ...] = ()
    lazy_routers: Tuple[LazyRouter, ...] = ()
    lazy_imports: Optional[LazyImports] = None  # the interpreter's lazy imports mode (PEP 810)
    python: str = ""

    @property
    def over_budget(self) -> bool:
        """True when ``max_ms`` is set and the median import time exceeds it."""
        return self.max_ms is not None and self.import_ms is not None and self.import_ms > self.max_ms

    @property
    def ok(self) -> bool:
        """Imported, nothing heavy (beyond the allowed packages), within budget."""
        return self.error is None and not self.heavy and not self.over_budget


# --------------------------------------------------------------------------- running


def resolve_python(value: Optional[str]) -> str:
    """The interpreter to run: a path, a name on ``PATH``, a virtualenv folder, or the current one.

    Raises VerifyError naming the value when nothing runnable is found, so the
    command can report it as a one-line usage error.
    """
    if not value:
        return sys.executable
    path = Path(value).expanduser()
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.is_file():
                return str(candidate)
        raise VerifyError(f"--python: no interpreter found in folder '{value}'")
    if path.is_file():
        return str(path)
    found = shutil.which(value)
    if found is None:
        raise VerifyError(f"--python: '{value}' not found")
    return found


def search_paths(src: Iterable[Path], cwd: Optional[Path] = None) -> List[Path]:
    """The ``sys.path`` roots a checked module is imported from: the current folder, then ``src``.

    ``src`` folders that do not exist (the default ``src/`` in a flat layout)
    are left out rather than put on ``sys.path``.

    This is how the app is usually started (``gunicorn app.main:app`` from the
    project folder) plus the roots the config declares for first-party code.
    """
    base = (cwd or Path.cwd()).resolve()
    roots: List[Path] = [base]
    for entry in src:
        resolved = (base / entry).resolve()
        if resolved not in roots and resolved.is_dir():
            roots.append(resolved)
    return roots


def run_probe(
    module: str,
    *,
    python: Optional[str] = None,
    paths: Optional[Sequence[Path]] = None,
    cwd: Optional[Path] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT,
) -> Dict[str, Any]:
    """Import ``module`` in a fresh interpreter and return the probe's raw JSON report.

    The probe is copied to a temporary folder and run as a script, so it works
    with interpreters that do not have this package installed and cannot
    shadow the project's own modules. Its report goes to a file because the
    imported module may print anything on stdout.
    """
    interpreter = resolve_python(python)
    roots = [str(path) for path in (paths if paths is not None else search_paths(()))]
    source = Path(__file__).with_name(_PROBE_NAME).read_bytes()
    with tempfile.TemporaryDirectory(prefix="lazyimport-verify-") as tmp:
        probe = Path(tmp) / _PROBE_NAME
        probe.write_bytes(source)
        output = Path(tmp) / "report.json"
        completed = _run([interpreter, str(probe), module, str(output), *roots], cwd, timeout, module)
        if not output.is_file():
            raise VerifyError(_crash_message(interpreter, module, completed))
        report: Dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return report


def _run(
    command: List[str], cwd: Optional[Path], timeout: Optional[float], module: str
) -> subprocess.CompletedProcess[str]:
    try:
        return run_child(command, cwd, timeout, module)
    except ChildError as exc:
        raise VerifyError(str(exc)) from None


def _crash_message(interpreter: str, module: str, completed: subprocess.CompletedProcess[str]) -> str:
    """One line explaining why the interpreter left no report (too old, crashed, killed)."""
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    detail = lines[-1].strip() if lines else f"exit code {completed.returncode}"
    return f"{module}: {interpreter} stopped before reporting: {detail}"


# --------------------------------------------------------------------------- analysis


def verify_module(
    module: str,
    *,
    heavy: HeavyMatch,
    allow: Sequence[str] = (),
    python: Optional[str] = None,
    paths: Optional[Sequence[Path]] = None,
    repeat: int = 1,
    max_ms: Optional[float] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT,
    cwd: Optional[Path] = None,
    on_run: Optional[RunCallback] = None,
) -> VerifyResult:
    """Import ``module`` ``repeat`` times in fresh interpreters and judge the result.

    Heavy packages and chains come from the first run (which modules load does
    not change between runs); the import time is the median over all runs,
    because a single start-up time is too noisy to hold a budget against.
    """
    reports: List[Dict[str, Any]] = []
    for index in range(max(repeat, 1)):
        if on_run is not None:
            on_run(index + 1, max(repeat, 1))
        report = run_probe(module, python=python, paths=paths, cwd=cwd, timeout=timeout)
        reports.append(report)
        if report.get("error"):
            return _failed(module, report)
    first = reports[0]
    found, allowed = find_heavy(first, heavy, allow)
    runs = tuple(_import_ms(report) for report in reports)
    return VerifyResult(
        module=module,
        heavy=found,
        allowed=allowed,
        modules_imported=len(set(first["after"]) - set(first["baseline"])),
        import_ms=median(runs),
        runs_ms=runs,
        max_ms=max_ms,
        sys_path=tuple(first.get("sys_path", ())),
        lazy_routers=tuple(
            LazyRouter(item["helper"], item["target"], item["prefix"]) for item in first.get("lazy_routers") or ()
        ),
        lazy_imports=LazyImports.read(first.get("lazy_imports")),
        python=str(first.get("python", "")),
    )


def _failed(module: str, report: Dict[str, Any]) -> VerifyResult:
    error = report["error"]
    return VerifyResult(
        module=module,
        error=ModuleError(
            type=error["type"],
            message=error["message"],
            traceback=error["traceback"],
            file=error.get("file"),
            line=error.get("line"),
        ),
    )


def _import_ms(report: Dict[str, Any]) -> float:
    """The target's own cumulative import time, or the probe's stopwatch if it was not recorded."""
    for record in report["records"]:
        if record["name"] == report["target"] and record["ms"] is not None:
            return float(record["ms"])
    return float(report["elapsed_ms"])


def median(values: Sequence[float]) -> float:
    """The median, without importing :mod:`statistics` (and its ``decimal``/``fractions``)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def find_heavy(
    report: Dict[str, Any], heavy: HeavyMatch, allow: Sequence[str] = ()
) -> Tuple[Tuple[HeavyHit, ...], Tuple[HeavyHit, ...]]:
    """Heavy packages in ``sys.modules`` after the import, split into (reported, allowed).

    A package's time is the sum over its entry points (its modules imported
    from outside the package and not while another of its modules was
    loading), so ``import torch`` in one place and ``import torch.nn`` later
    in another both count, and nothing is counted twice.
    """
    records = _records_by_name(report["records"])
    baseline = set(report["baseline"])
    groups: Dict[str, List[str]] = {}
    for name in report["after"]:
        package = heavy(name)
        if package is not None:
            groups.setdefault(package, []).append(name)
    found: List[Tuple[int, HeavyHit]] = []
    kept: List[HeavyHit] = []
    for package, names in groups.items():
        order, hit = _hit(package, names, records, baseline, heavy, report["target"])
        if _is_allowed(package, allow):
            kept.append(hit)
        else:
            found.append((order, hit))
    found.sort(key=lambda item: item[0])
    return tuple(hit for _, hit in found), tuple(kept)


_Indexed = Dict[str, Tuple[int, Dict[str, Any]]]


def _records_by_name(records: List[Dict[str, Any]]) -> _Indexed:
    """Index records by module: its first successful attempt, else its last failed one.

    A module has two successful records when the statement that asked for it
    set off its parent package, whose ``__init__`` imported it first (``from
    torch.nn import Module``: ``torch/__init__.py`` imports ``torch.nn``). The
    first record is the app's statement, and its time covers both; the second,
    nested inside it, would make the package look as if it imported itself.
    """
    indexed: _Indexed = {}
    for order, record in enumerate(records):
        previous = indexed.get(record["name"])
        if previous is None or previous[1]["error"] is not None:
            indexed[record["name"]] = (order, record)
    return indexed


def _hit(
    package: str,
    names: List[str],
    records: _Indexed,
    baseline: set[str],
    heavy: HeavyMatch,
    target: str,
) -> Tuple[int, HeavyHit]:
    loaded = [name for name in names if name not in baseline]
    if not loaded:
        note = (
            f"already loaded before {target} was imported"
            " (sitecustomize, a .pth file or interpreter start-up)"
        )
        return -1, HeavyHit(package, (Link(names[0]),), None, note)
    entries = [name for name in loaded if name in records and not _nested(name, package, records, heavy)]
    if not entries:
        note = "in sys.modules without an import record (inserted directly or loaded by a custom loader)"
        return len(records), HeavyHit(package, (Link(loaded[0]),), None, note)
    entries.sort(key=lambda name: records[name][0])
    total = sum(records[name][1]["ms"] or 0.0 for name in entries)
    links = chain(entries[0], records)
    thread = f"imported by another thread while {target} was being imported"
    hit = HeavyHit(package, links, total, thread if links[0].module != target else None)
    return records[entries[0]][0], hit


def _nested(name: str, package: str, records: _Indexed, heavy: HeavyMatch) -> bool:
    """True when one of ``name``'s importers belongs to the same package (not an entry point)."""
    seen = {name}
    importer = records[name][1]["importer"]
    while importer is not None and importer not in seen:
        if heavy(importer) == package:
            return True
        seen.add(importer)
        entry = records.get(importer)
        importer = entry[1]["importer"] if entry else None
    return False


def chain(name: str, records: _Indexed) -> Tuple[Link, ...]:
    """The modules that led from the checked module to ``name``, outermost first."""
    links: List[Link] = []
    seen: set[str] = set()
    current: Optional[str] = name
    while current is not None and current not in seen:
        seen.add(current)
        entry = records.get(current)
        if entry is None:
            links.append(Link(current))
            break
        record = entry[1]
        links.append(Link(current, record["file"], record["line"], record["function"], record["via"]))
        current = record["importer"]
    return tuple(reversed(links))


def _is_allowed(package: str, allow: Sequence[str]) -> bool:
    return any(package == entry or package.startswith(entry + ".") for entry in allow)


# --------------------------------------------------------------------------- output


def display_path(path: Optional[str], cwd: Optional[Path] = None) -> Optional[str]:
    """A path relative to the current folder when it is inside it, as written elsewhere."""
    if path is None or path.startswith("<"):
        return path
    base = cwd or Path.cwd()
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return path


def short_path(path: str, cwd: Optional[Path] = None, sys_path: Sequence[str] = ()) -> str:
    """For text output: relative to the current folder, else to the ``sys.path`` entry holding it.

    ``fastapi/routing.py:12`` reads better in a chain than the full path into
    a virtualenv's site-packages; the JSON output keeps the full path.
    """
    shown = display_path(path, cwd) or path
    if shown != path or not os.path.isabs(path):
        return shown
    holders = [
        entry
        for entry in sys_path
        if entry and os.path.isabs(entry) and path.startswith(entry.rstrip("/\\") + os.sep)
    ]
    if not holders:
        return path
    return Path(os.path.relpath(path, max(holders, key=len))).as_posix()


def format_link(link: Link, cwd: Optional[Path] = None, sys_path: Sequence[str] = ()) -> str:
    """``module (file:line)``, ``module (file:line in func)``, or the bare module name."""
    if link.via == "extension":
        return f"{link.module} (from a C extension)"
    if link.file is None or link.line is None:
        return link.module
    where = f"{short_path(link.file, cwd, sys_path)}:{link.line}"
    if link.function and link.function != "<module>":
        where += f" in {link.function}()"
    return f"{link.module} ({where})"


def format_chain(links: Sequence[Link], cwd: Optional[Path] = None, sys_path: Sequence[str] = ()) -> str:
    """The chain as ``a -> b (a.py:3) -> c (b.py:5)``."""
    return " -> ".join(format_link(link, cwd, sys_path) for link in links)


def format_result(result: VerifyResult, cwd: Optional[Path] = None) -> List[str]:
    """The text report for one module: a headline and one line per heavy package."""
    if result.error is not None:
        where = ""
        if result.error.file and result.error.line:
            where = f" ({display_path(result.error.file, cwd)}:{result.error.line})"
        return [f"{result.module}: error: {result.error.message}{where}"]
    lines: List[str] = []
    if result.heavy:
        lines.append(f"{result.module}: heavy packages loaded at import")
        width = max(len(hit.package) for hit in result.heavy)
        for hit in result.heavy:
            ms = f"{hit.cumulative_ms:8.1f} ms" if hit.cumulative_ms is not None else "       ? ms"
            detail = format_chain(hit.chain, cwd, result.sys_path) + (f"  [{hit.note}]" if hit.note else "")
            lines.append(f"  {hit.package:<{width}} {ms}  {detail}")
    if result.over_budget:
        runs = ", ".join(f"{ms:.1f}" for ms in result.runs_ms)
        lines.append(
            f"{result.module}: import took {result.import_ms:.1f} ms, over the {result.max_ms:g} ms budget"
            f" (median of {len(result.runs_ms)} run{'s' if len(result.runs_ms) != 1 else ''}: {runs})"
        )
    if not lines:
        budget = f", within the {result.max_ms:g} ms budget" if result.max_ms is not None else ""
        allowed = f"; allowed: {', '.join(hit.package for hit in result.allowed)}" if result.allowed else ""
        size = f"{result.modules_imported} modules imported in {result.import_ms or 0.0:.1f} ms"
        lines.append(f"{result.module}: ok, no heavy package loaded ({size}{budget}{allowed})")
    mode = note(result.lazy_imports, result.python)
    if mode is not None:
        lines.append(f"{result.module}: {mode}")
    return lines + format_lazy_routers(result)


def format_lazy_routers(result: VerifyResult) -> List[str]:
    """The routers left to load on first request, one line each; none when there are none.

    Information, not a failure: they are what keeps the import light, and the
    check did not import them.
    """
    if not result.lazy_routers:
        return []
    count = len(result.lazy_routers)
    lines = [
        f"{result.module}: {_plural(count, 'lazy router')} not loaded"
        " (each loads on its first request; this check did not import them)"
    ]
    places = [("at " if router.helper == "add_lazy_view" else "under ") + router.prefix for router in result.lazy_routers]
    width = max(len(router.target) for router in result.lazy_routers)
    place_width = max(len(place) for place in places)
    for router, place in zip(result.lazy_routers, places):
        lines.append(f"  {router.target:<{width}}  {place:<{place_width}}  ({router.helper})")
    return lines


def summary(results: Sequence[VerifyResult]) -> str:
    """The closing line: what was found over all checked modules."""
    parts: List[str] = []
    heavy = sum(len(result.heavy) for result in results)
    if heavy:
        parts.append(f"Found {_plural(heavy, 'heavy package')}")
    slow = sum(result.over_budget for result in results)
    if slow:
        parts.append(f"{_plural(slow, 'module')} over the time budget")
    errors = sum(result.error is not None for result in results)
    if errors:
        parts.append(f"{_plural(errors, 'module')} could not be imported")
    checked = f"({_plural(len(results), 'module')} checked)"
    if not parts:
        return f"No heavy package loaded {checked}."
    return f"{'; '.join(parts)} {checked}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def to_json(results: Sequence[VerifyResult], cwd: Optional[Path] = None) -> str:
    """The JSON report: one object per module, in the order they were given."""
    return json.dumps([_result_json(result, cwd) for result in results], indent=2)


def _result_json(result: VerifyResult, cwd: Optional[Path]) -> Dict[str, Any]:
    error = None
    if result.error is not None:
        error = {
            "type": result.error.type,
            "message": result.error.message,
            "file": display_path(result.error.file, cwd),
            "line": result.error.line,
            "traceback": result.error.traceback,
        }
    return {
        "module": result.module,
        "ok": result.ok,
        "heavy": [_hit_json(hit, cwd) for hit in result.heavy],
        "allowed": [_hit_json(hit, cwd) for hit in result.allowed],
        "modules_imported": result.modules_imported,
        "import_ms": _round(result.import_ms),
        "runs_ms": [_round(ms) for ms in result.runs_ms],
        "max_ms": result.max_ms,
        "over_budget": result.over_budget,
        "error": error,
        "lazy_routers": [
            {"helper": router.helper, "target": router.target, "prefix": router.prefix}
            for router in result.lazy_routers
        ],
        "lazy_imports": result.lazy_imports.as_json() if result.lazy_imports is not None else None,
    }


def _hit_json(hit: HeavyHit, cwd: Optional[Path]) -> Dict[str, Any]:
    return {
        "package": hit.package,
        "chain": [
            {"module": link.module, "file": display_path(link.file, cwd), "line": link.line, "via": link.via}
            for link in hit.chain
        ],
        "cumulative_ms": _round(hit.cumulative_ms),
        "note": hit.note,
    }


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 3)


def exit_code(results: Sequence[VerifyResult]) -> int:
    """2 if a module could not be imported, 1 if heavy packages or over budget, else 0."""
    if any(result.error is not None for result in results):
        return 2
    return 0 if all(result.ok for result in results) else 1


# --------------------------------------------------------------------------- pytest helper


def assert_light(
    module: str,
    *,
    allow: Sequence[str] = (),
    python: Optional[str] = None,
    paths: Optional[Sequence[Path]] = None,
    max_ms: Optional[float] = None,
    repeat: Optional[int] = None,
) -> VerifyResult:
    """Fail the calling test unless importing ``module`` loads no heavy package.

    Uses the project's configuration found from the current folder (its heavy
    list and ``src`` roots, like ``lazyimport verify``). ``paths`` replaces the
    ``sys.path`` roots; ``max_ms`` adds a start-up budget checked against the
    median of ``repeat`` runs (3 by default when a budget is set).

    Raises AssertionError whose message is the same report the command prints,
    chains included, or the module's traceback when it cannot be imported.
    Returns the result for further checks.
    """
    from lazyimport_codemod.settings.config import load_config

    config = load_config(Path.cwd())
    roots = list(paths) if paths is not None else search_paths(config.src)
    runs = repeat if repeat is not None else (3 if max_ms is not None else 1)
    try:
        result = verify_module(
            module,
            heavy=config.matcher().match,
            allow=allow,
            python=python,
            paths=roots,
            repeat=runs,
            max_ms=max_ms,
        )
    except VerifyError as exc:
        raise AssertionError(str(exc)) from None
    if not result.ok:
        message = "\n".join(format_result(result))
        if result.error is not None:
            message += "\n" + result.error.traceback.rstrip()
        raise AssertionError(message)
    return result
