"""Where import time goes: ``lazyimport profile``.

Runs ``python -X importtime`` on one module in a fresh interpreter several
times, keeps only the lines of that import (not interpreter start-up), takes
the median per package and per tree node, and renders a table of top-level
packages, a tree of the slowest chains, and a suggested ``heavy-packages``
list that ``--write`` can put in ``pyproject.toml`` without touching any other
byte of it.

``-X importtime`` only times imports that go through ``__import__`` (import
statements); a module loaded with ``importlib.import_module`` is counted in
the self time of the module that called it. ``lazyimport verify`` records
those too.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from lazyimport_codemod.checks.child import ChildError, run_child
from lazyimport_codemod.checks.lazy_mode import CHILD_SOURCE, LazyImports, note
from lazyimport_codemod.checks.verify import DEFAULT_TIMEOUT, HeavyMatch, RunCallback, median, resolve_python
from lazyimport_codemod.files import write_atomic

DEFAULT_THRESHOLD_MS = 100.0
DEFAULT_REPEAT = 3

#: Needed by the routes themselves when a web app is imported, so never worth deferring.
FRAMEWORK_PACKAGES = frozenset(
    {
        "fastapi", "starlette", "pydantic", "pydantic_core", "typing_extensions", "annotated_types",
        "anyio", "sniffio", "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click",
        "blinker", "django", "quart", "sanic", "litestar", "falcon", "bottle", "aiohttp",
    }
)

_START = "@@lazyimport-profile:start@@"
_END = "@@lazyimport-profile:end@@"
_ERROR = "@@lazyimport-profile:error@@"
_META = "@@lazyimport-profile:meta@@"

# Runs in the child. Nothing but builtins is imported before the marker, so the
# lines between the markers are exactly the target's import. After it, the
# child classifies top-level packages (stdlib, first-party, third-party) where
# it knows its own layout, then exits without waiting for threads the module
# may have started.
_CHILD = r"""
import sys
module, roots = sys.argv[1], sys.argv[2:]
sys.path[:0] = roots
sys.argv[:] = ["-c"]
sys.stderr.write("\n" + START + "\n")
sys.stderr.flush()
try:
    __import__(module)
except BaseException:
    sys.stderr.write("\n" + ERROR + "\n")
    sys.stderr.flush()
    import traceback
    kind, error, trace = sys.exc_info()
    traceback.print_exception(kind, error, trace.tb_next)  # drop this script's own frame
    code = 3
else:
    sys.stderr.write("\n" + END + "\n")
    sys.stderr.flush()
    import json, os, sysconfig
    paths = sysconfig.get_paths()
    std = [os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib") if key in paths]
    own = [os.path.realpath(root) for root in roots]
    names = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
    def folder_of(path, mod):
        # A package's folder, or the module file itself: its parent is the sys.path entry.
        return os.path.dirname(path) if hasattr(mod, "__path__") and os.path.isfile(path) else path
    def under(path, folders):
        return any(path == folder or path.startswith(folder + os.sep) for folder in folders)
    kinds = {}
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top in kinds:
            continue
        mod = sys.modules.get(top)
        where = getattr(mod, "__file__", None)
        if not where:
            found = list(getattr(mod, "__path__", None) or [])
            where = found[0] if found else None
        real = os.path.realpath(where) if isinstance(where, str) else None
        site = real is not None and ("site-packages" in real or "dist-packages" in real)
        if top in names or (real and not site and under(real, std)):
            kinds[top] = "stdlib"
        elif real and not site and os.path.dirname(folder_of(real, mod)) in own:
            kinds[top] = "first-party"
        else:
            kinds[top] = "third-party"
    lazy = LAZY
    sys.stderr.write(META + json.dumps({"kinds": kinds, "python": sys.version.split()[0], "lazy": lazy}) + "\n")
    code = 0
sys.stdout.flush()
sys.stderr.flush()
import os
os._exit(code)
"""

_LINE = re.compile(r"import time:\s*(\d+) \|\s*(\d+) \| ( *)(\S+)")


class ProfileError(Exception):
    """The module could not be profiled; ``detail`` holds its traceback when it raised.

    The message is one line that starts with the module name.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class ImportNode:
    """One line of ``-X importtime``: a module, its own and its cumulative microseconds."""

    name: str
    self_us: int
    cumulative_us: int
    children: Tuple[ImportNode, ...] = ()


@dataclass(frozen=True)
class Run:
    """One profiled interpreter run: the target's import tree and what each package is."""

    roots: Tuple[ImportNode, ...]
    kinds: Dict[str, str]
    python: str = ""
    lazy_imports: Optional[LazyImports] = None

    @property
    def total_us(self) -> int:
        """The cumulative time of everything the target's import loaded."""
        return sum(root.cumulative_us for root in self.roots)


@dataclass(frozen=True)
class TreeNode:
    """A node of the import tree, with median times over all runs."""

    name: str
    cumulative_ms: float
    self_ms: float
    children: Tuple[TreeNode, ...] = ()


@dataclass(frozen=True)
class PackageTime:
    """Median time of one top-level package: cumulative (entry points) and self (all its modules)."""

    package: str
    cumulative_ms: float
    self_ms: float
    kind: str
    heavy: bool = False


@dataclass(frozen=True)
class Profile:
    """Everything ``lazyimport profile`` reports for one module."""

    module: str
    python: str
    runs_ms: Tuple[float, ...]
    import_ms: float
    own_self_ms: float
    modules: int
    packages: Tuple[PackageTime, ...]
    tree: Tuple[TreeNode, ...]
    threshold_ms: float
    suggested: Tuple[str, ...] = field(default=())
    lazy_imports: Optional[LazyImports] = None  # the interpreter's lazy imports mode (PEP 810)


# --------------------------------------------------------------------------- running and parsing


def run_importtime(
    module: str,
    *,
    python: Optional[str] = None,
    paths: Sequence[Path] = (),
    cwd: Optional[Path] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT,
) -> Run:
    """Import ``module`` once under ``-X importtime`` and parse the child's stderr.

    Raises ProfileError with the module's traceback when it raises on import,
    and a one-line message when the interpreter cannot run or times out.
    """
    interpreter = resolve_python(python)
    script = _CHILD.replace("START", repr(_START)).replace("ERROR", repr(_ERROR))
    script = script.replace("END", repr(_END)).replace("META", repr(_META)).replace("LAZY", CHILD_SOURCE)
    command = [interpreter, "-X", "importtime", "-c", script, module, *(str(path) for path in paths)]
    try:
        completed = run_child(command, cwd, timeout, module)
    except ChildError as exc:
        raise ProfileError(str(exc)) from None
    return parse_run(module, completed.stderr, completed.returncode)


def parse_run(module: str, stderr: str, returncode: int = 0) -> Run:
    """Split the child's stderr into the target's import lines, its error, and its metadata."""
    section = "startup"
    lines: List[str] = []
    error: List[str] = []
    meta: Dict[str, Any] = {}
    for raw in stderr.splitlines():
        marker = raw.strip()
        if marker in (_START, _END, _ERROR):
            section = {_START: "import", _END: "done", _ERROR: "error"}[marker]
            continue
        if marker.startswith(_META):
            meta = json.loads(marker[len(_META) :])
            continue
        at = raw.rfind("import time:")
        if section == "import" and at >= 0:
            lines.append(raw[at:])
        elif section == "error" and at < 0:
            error.append(raw)
    if section == "error":
        raise ProfileError(_error_headline(module, error), "\n".join(error))
    if section != "done":
        tail = [line for line in stderr.splitlines() if line.strip() and not line.startswith("import time:")]
        detail = tail[-1].strip() if tail else f"exit code {returncode}"
        raise ProfileError(f"{module}: interpreter stopped before the import finished: {detail}")
    return Run(parse_importtime(lines), dict(meta.get("kinds", {})), str(meta.get("python", "")),
               LazyImports.read(meta.get("lazy")))


_FRAME = re.compile(r'\s*File "(.+)", line (\d+)')


def _error_headline(module: str, traceback_lines: List[str]) -> str:
    """``module: error: Type: message (file:line)``, the same shape ``verify`` prints."""
    from lazyimport_codemod.checks.verify import display_path

    message = next((line.strip() for line in reversed(traceback_lines) if line.strip()), "import failed")
    frames = [match for match in map(_FRAME.match, traceback_lines) if match is not None]
    where = f" ({display_path(frames[-1].group(1))}:{frames[-1].group(2)})" if frames else ""
    return f"{module}: error: {message}{where}"


def parse_importtime(lines: Sequence[str]) -> Tuple[ImportNode, ...]:
    """Rebuild the tree from ``-X importtime`` lines.

    The lines come in completion order, children before their parent, each
    indented two spaces per nesting level, so a node's children are the nodes
    one level deeper seen since the last node at its own level or above.
    """
    pending: Dict[int, List[ImportNode]] = {}
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        level = len(match.group(3)) // 2
        children = tuple(pending.pop(level + 1, []))
        for deeper in [key for key in pending if key > level + 1]:
            pending.pop(deeper)  # orphans of a malformed run; nothing sane to attach them to
        node = ImportNode(match.group(4), int(match.group(1)), int(match.group(2)), children)
        pending.setdefault(level, []).append(node)
    return tuple(pending.get(0, []))


# --------------------------------------------------------------------------- aggregation


def top_level(name: str) -> str:
    """The distribution-level name a module belongs to (``torch.nn`` -> ``torch``)."""
    return name.partition(".")[0]


def package_times(
    roots: Sequence[ImportNode], package_of: Callable[[str], str] = top_level
) -> Dict[str, Tuple[int, int]]:
    """Per package: (cumulative us, self us) for one run.

    Cumulative sums the package's entry points (nodes with no ancestor in the
    same package) so nothing is counted twice; self sums every module of it.
    """
    totals: Dict[str, List[int]] = {}

    def visit(node: ImportNode, inside: frozenset[str]) -> None:
        package = package_of(node.name)
        entry = totals.setdefault(package, [0, 0])
        if package not in inside:
            entry[0] += node.cumulative_us
        entry[1] += node.self_us
        for child in node.children:
            visit(child, inside | {package})

    for root in roots:
        visit(root, frozenset())
    return {package: (cum, own) for package, (cum, own) in totals.items()}


def aggregate(
    module: str,
    runs: Sequence[Run],
    *,
    threshold_ms: float = DEFAULT_THRESHOLD_MS,
    heavy: Optional[HeavyMatch] = None,
) -> Profile:
    """Combine runs into medians: total, per package, and per node of the tree.

    Packages are top-level names, except that a module matched by the heavy
    list is grouped under the listed name (``google.cloud``, not ``google``).
    """

    def package_of(name: str) -> str:
        listed = heavy(name) if heavy is not None else None
        return listed or top_level(name)

    per_run = [package_times(run.roots, package_of) for run in runs]
    kinds: Dict[str, str] = {}
    for run in runs:
        kinds.update(run.kinds)
    own = package_of(module)
    names = {name for times in per_run for name in times}
    packages = []
    for name in names:
        cumulative = median([times.get(name, (0, 0))[0] for times in per_run]) / 1000.0
        self_ms = median([times.get(name, (0, 0))[1] for times in per_run]) / 1000.0
        is_heavy = heavy is not None and heavy(name) is not None
        kind = kinds.get(top_level(name), "third-party")
        packages.append(PackageTime(name, cumulative, self_ms, kind, is_heavy))
    packages.sort(key=lambda item: (-item.cumulative_ms, item.package))
    profile = Profile(
        module=module,
        python=runs[0].python if runs else "",
        runs_ms=tuple(run.total_us / 1000.0 for run in runs),
        import_ms=median([run.total_us for run in runs]) / 1000.0 if runs else 0.0,
        own_self_ms=next((item.self_ms for item in packages if item.package == own), 0.0),
        modules=max((_count(run.roots) for run in runs), default=0),
        packages=tuple(item for item in packages if item.package != own),
        tree=_merge_tree([run.roots for run in runs]),
        threshold_ms=threshold_ms,
        lazy_imports=runs[0].lazy_imports if runs else None,
    )
    return replace(profile, suggested=suggest(profile.packages, threshold_ms))


def _count(nodes: Sequence[ImportNode]) -> int:
    return sum(1 + _count(node.children) for node in nodes)


def _merge_tree(forests: Sequence[Sequence[ImportNode]]) -> Tuple[TreeNode, ...]:
    """Median tree: nodes are matched by name under the same parent; a missing node counts 0."""
    order: List[str] = []
    groups: Dict[str, List[ImportNode]] = {}
    for forest in forests:
        for node in forest:
            if node.name not in groups:
                order.append(node.name)
            groups.setdefault(node.name, []).append(node)
    merged = []
    for name in order:
        nodes = groups[name]
        missing = [0] * (len(forests) - len(nodes))
        merged.append(
            TreeNode(
                name=name,
                cumulative_ms=median([node.cumulative_us for node in nodes] + missing) / 1000.0,
                self_ms=median([node.self_us for node in nodes] + missing) / 1000.0,
                children=_merge_tree([node.children for node in nodes] + [()] * len(missing)),
            )
        )
    merged.sort(key=lambda node: -node.cumulative_ms)
    return tuple(merged)


def suggest(packages: Sequence[PackageTime], threshold_ms: float) -> Tuple[str, ...]:
    """Third-party packages at or over the threshold, except the web frameworks routes need."""
    return tuple(
        sorted(
            item.package
            for item in packages
            if item.kind == "third-party"
            and item.cumulative_ms >= threshold_ms
            and item.package not in FRAMEWORK_PACKAGES
        )
    )


def profile_module(
    module: str,
    *,
    python: Optional[str] = None,
    paths: Sequence[Path] = (),
    repeat: int = DEFAULT_REPEAT,
    threshold_ms: float = DEFAULT_THRESHOLD_MS,
    heavy: Optional[HeavyMatch] = None,
    cwd: Optional[Path] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT,
    on_run: Optional[RunCallback] = None,
) -> Profile:
    """Profile ``module`` over ``repeat`` fresh interpreters; the medians tame start-up noise."""
    runs = []
    for index in range(max(repeat, 1)):
        if on_run is not None:
            on_run(index + 1, max(repeat, 1))
        runs.append(run_importtime(module, python=python, paths=paths, cwd=cwd, timeout=timeout))
    return aggregate(module, runs, threshold_ms=threshold_ms, heavy=heavy)


# --------------------------------------------------------------------------- rendering


def heavy_packages_line(packages: Sequence[str]) -> str:
    """The TOML line ``heavy-packages = ["a", "b"]``."""
    return f"heavy-packages = {_toml_array(packages)}"


def _toml_array(packages: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(package) for package in packages) + "]"


def render_text(
    profile: Profile,
    *,
    width: int = 100,
    rows: int = 15,
    tree_lines: int = 20,
    unicode: bool = True,
    existing: Sequence[str] = (),
) -> List[str]:
    """The whole text report: headline, package table, tree, suggestion."""
    runs = len(profile.runs_ms)
    lines = [
        f"{profile.module}: {profile.import_ms:.1f} ms to import"
        f" ({profile.own_self_ms:.1f} ms in {top_level(profile.module)} itself;"
        f" {profile.modules} modules; median of {runs} run{'s' if runs != 1 else ''})",
        "",
    ]
    mode = note(profile.lazy_imports, profile.python)
    if mode is not None:
        lines[1:1] = [mode]
    lines += render_table(profile.packages, rows=rows, width=width)
    lines += ["", "Slowest import chains:"]
    lines += render_tree(profile.tree, width=width, max_lines=tree_lines, unicode=unicode)
    lines.append("")
    lines += render_suggestion(profile, existing)
    return lines


def render_table(packages: Sequence[PackageTime], *, rows: int = 15, width: int = 100) -> List[str]:
    """Top-level packages by cumulative time, the slowest first."""
    if not packages:
        return ["(no other package imported)"]
    shown = list(packages[:rows])
    name_width = min(max(len(item.package) for item in shown), max(width - 40, 12))
    lines = [f"{'cumul ms':>9} {'self ms':>9}  {'package':<{name_width}}  kind"]
    for item in shown:
        name = _clip(item.package, name_width)
        kind = item.kind + (", heavy" if item.heavy else "")
        lines.append(f"{item.cumulative_ms:9.1f} {item.self_ms:9.1f}  {name:<{name_width}}  {kind}")
    hidden = packages[rows:]
    if hidden:
        top = max(item.cumulative_ms for item in hidden)
        lines.append(f"... and {len(hidden)} more, each {top:.1f} ms or less (--format json lists all)")
    return lines


def render_tree(
    roots: Sequence[TreeNode], *, width: int = 100, max_lines: int = 20, unicode: bool = True
) -> List[str]:
    """The slowest chains as an indented tree that fits ``width`` columns.

    Shows the ``max_lines`` nodes with the largest cumulative time (at least
    1 ms); since a parent's cumulative time includes its children's, the
    chosen nodes always form a tree from the roots down.
    """
    chosen = _slowest(roots, max_lines)
    if not chosen:
        return ["(nothing took 1 ms or more)"]
    glyphs = ("├─ ", "└─ ", "│  ", "   ") if unicode else ("|- ", "`- ", "|  ", "   ")
    tee, last, bar, blank = glyphs
    lines = [f"{'cumul ms':>9} {'self ms':>9}  module"]

    def walk(nodes: Sequence[TreeNode], prefix: str, top: bool) -> None:
        visible = [node for node in nodes if id(node) in chosen]
        for index, node in enumerate(visible):
            final = index == len(visible) - 1
            branch = "" if top else (last if final else tee)
            label = _fit(prefix + branch, node.name, max(width - 21, 20), unicode)
            lines.append(f"{node.cumulative_ms:9.1f} {node.self_ms:9.1f}  {label}")
            walk(node.children, "" if top else prefix + (blank if final else bar), False)

    walk(roots, "", True)
    return lines


def _slowest(roots: Sequence[TreeNode], limit: int) -> set[int]:
    everything: List[Tuple[float, int, int, TreeNode]] = []

    def collect(node: TreeNode, depth: int) -> None:
        everything.append((-node.cumulative_ms, depth, len(everything), node))
        for child in node.children:
            collect(child, depth + 1)

    for root in roots:
        collect(root, 0)
    everything.sort(key=lambda item: item[:3])
    return {id(item[3]) for item in everything[:limit] if -item[0] >= 1.0}


def _fit(prefix: str, name: str, room: int, unicode: bool) -> str:
    """Indentation plus name in ``room`` columns: deep prefixes shrink first, then the name loses its head.

    The end of a dotted name (the module itself) is the informative part, so
    that is what stays.
    """
    keep = min(len(name), 24)
    if len(prefix) > room - keep:
        prefix = ("…" if unicode else "~") + prefix[len(prefix) - (room - keep - 1) :]
    left = room - len(prefix)
    if len(name) > left:
        name = "..." + name[len(name) - (left - 3) :]
    return prefix + name


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 1)] + "..."


def render_suggestion(profile: Profile, existing: Sequence[str] = ()) -> List[str]:
    """The suggested config line, merged with the list the config file already has."""
    if not profile.suggested:
        return [f"No third-party package took {profile.threshold_ms:g} ms or more; nothing to suggest."]
    merged = merge_packages(existing, profile.suggested)
    head = f"Third-party packages over {profile.threshold_ms:g} ms"
    if existing:
        head += " (merged with the heavy-packages already configured)"
    return [f"{head}; add to [tool.lazyimport] (or run with --write):", heavy_packages_line(merged)]


def merge_packages(existing: Sequence[str], suggested: Sequence[str]) -> Tuple[str, ...]:
    """The configured list with the suggestions appended, sorted, without duplicates."""
    return tuple(sorted(set(existing) | set(suggested)))


def to_json(profile: Profile, existing: Sequence[str] = ()) -> str:
    """The JSON report, with the full median tree."""
    merged = merge_packages(existing, profile.suggested) if profile.suggested else tuple(existing)
    document = {
        "module": profile.module,
        "python": profile.python,
        "import_ms": round(profile.import_ms, 3),
        "runs_ms": [round(ms, 3) for ms in profile.runs_ms],
        "own_self_ms": round(profile.own_self_ms, 3),
        "modules": profile.modules,
        "packages": [
            {
                "package": item.package,
                "cumulative_ms": round(item.cumulative_ms, 3),
                "self_ms": round(item.self_ms, 3),
                "kind": item.kind,
                "heavy": item.heavy,
            }
            for item in profile.packages
        ],
        "tree": [_node_json(node) for node in profile.tree],
        "threshold_ms": profile.threshold_ms,
        "suggested": list(profile.suggested),
        "heavy_packages_line": heavy_packages_line(merged) if profile.suggested else None,
        "lazy_imports": profile.lazy_imports.as_json() if profile.lazy_imports is not None else None,
    }
    return json.dumps(document, indent=2)


def _node_json(node: TreeNode) -> Dict[str, Any]:
    return {
        "module": node.name,
        "cumulative_ms": round(node.cumulative_ms, 3),
        "self_ms": round(node.self_ms, 3),
        "children": [_node_json(child) for child in node.children],
    }


# --------------------------------------------------------------------------- pyproject.toml editing


class WriteError(Exception):
    """The file could not be edited safely; the message says what to do by hand."""


TOOL_TABLE: Tuple[str, ...] = ("tool", "lazyimport")


def read_heavy_packages(path: Path, table: Sequence[str] = TOOL_TABLE) -> Tuple[str, ...]:
    """The ``heavy-packages`` list written in the file's table (``()`` = top level), if any."""
    if not path.is_file():
        return ()
    try:
        data: Any = _load_toml(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return ()
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    value = data.get("heavy-packages") if isinstance(data, dict) else None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def has_tool_table(path: Path) -> bool:
    """True when the TOML file has a ``tool`` table (so its settings live in ``[tool.lazyimport]``)."""
    try:
        return isinstance(_load_toml(path.read_bytes().decode("utf-8-sig")).get("tool"), dict)
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def write_heavy_packages(path: Path, packages: Sequence[str], table: Sequence[str] = TOOL_TABLE) -> str:
    """Set ``heavy-packages`` in ``[tool.lazyimport]`` of ``path``, changing nothing else.

    ``table=()`` edits the top level instead, for a dedicated config file.
    Returns ``created``, ``updated`` or ``unchanged``. Edits the text: replaces
    the value of an existing key, or adds the line after the table's last key,
    or appends the table at the end; keeps the BOM and line endings. The
    result is parsed back and compared with the original data before writing;
    if anything else would differ (a dotted key or inline table the scanner
    does not edit), it raises WriteError instead of writing.
    """
    raw = path.read_bytes() if path.exists() else b""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteError(f"{path}: not UTF-8 ({exc.reason})") from None
    try:
        updated = set_heavy_packages(text, packages, table)
        _check_edit(text, updated, packages, table)
    except (ValueError, WriteError) as exc:
        where = f"[{'.'.join(table)}]" if table else "the top level"
        raise WriteError(
            f"{path}: cannot update it safely ({exc}); add this line to {where} by hand: "
            + heavy_packages_line(packages)
        ) from None
    if updated == text and raw:
        return "unchanged"
    write_atomic(path, bom + updated.encode("utf-8"), new_mode=None)
    return "updated" if raw else "created"


def set_heavy_packages(text: str, packages: Sequence[str], table: Sequence[str] = TOOL_TABLE) -> str:
    """Return ``text`` with ``heavy-packages`` set in ``table`` (pure, no I/O)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    line = f"heavy-packages = {_toml_array(packages)}"
    entries = _scan(text)
    header: Optional[int] = None
    if table:
        headers = [index for index, entry in enumerate(entries) if entry.kind == "table"]
        header = next((index for index in headers if entries[index].keys == tuple(table)), None)
        if header is None:
            prefix = text if not text or text.endswith("\n") else text + newline
            gap = newline if prefix.strip() else ""
            return f"{prefix}{gap}[{'.'.join(table)}]{newline}{line}{newline}"
    body: List[_Entry] = []
    for entry in entries[(header + 1 if header is not None else 0) :]:
        if entry.kind != "key":
            break
        body.append(entry)
    for entry in body:
        if entry.keys == ("heavy-packages",):
            return text[: entry.value_start] + _toml_array(packages) + text[entry.value_end :]
    if body:
        at, indent = body[-1].end, _indent(text, body[-1].start)
    else:
        at, indent = (entries[header].end if header is not None else 0), ""
    insertion = f"{indent}{line}{newline}"
    if at > 0 and text[at - 1] != "\n":
        insertion = newline + insertion
    return text[:at] + insertion + text[at:]


def _indent(text: str, start: int) -> str:
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _check_edit(before: str, after: str, packages: Sequence[str], table: Sequence[str] = TOOL_TABLE) -> None:
    """Parse both versions; the only difference must be the heavy-packages value."""
    old = _load_toml(before)
    try:
        new = _load_toml(after)
    except ValueError:
        raise WriteError("the edit would not be valid TOML; is the table written with dotted keys?") from None
    expected: Any = copy.deepcopy(old)
    target = expected
    for key in table:
        target = target.setdefault(key, {}) if isinstance(target, dict) else None
    if not isinstance(target, dict):
        raise WriteError(f"{'.'.join(table)} is not a table")
    target["heavy-packages"] = list(packages)
    if new != expected:
        raise WriteError("the edit would change more than heavy-packages")


def _load_toml(text: str) -> Dict[str, Any]:
    from lazyimport_codemod.settings.config import toml_module

    toml = toml_module()
    try:
        data: Dict[str, Any] = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    return data


# A small TOML scanner: enough to find where statements start and end without
# being fooled by brackets, quotes or '#' inside strings and multi-line arrays.


@dataclass(frozen=True)
class _Entry:
    kind: str  # "table", "array" ([[...]]) or "key"
    keys: Tuple[str, ...]
    start: int  # offset of the line the statement starts on
    end: int  # offset just after the statement's line break
    value_start: int = 0
    value_end: int = 0


_BARE = re.compile(r"[A-Za-z0-9_-]+")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?")
_SCALAR = re.compile(r"[^\s,\]}#]+")


def _scan(text: str) -> List[_Entry]:
    entries: List[_Entry] = []
    pos = 0
    while True:
        pos = _skip_blank(text, pos, newlines=True)
        if pos >= len(text):
            return entries
        start = text.rfind("\n", 0, pos) + 1
        if text[pos] == "[":
            array = text.startswith("[[", pos)
            keys, pos = _parse_key(text, pos + (2 if array else 1))
            close = "]]" if array else "]"
            if not text.startswith(close, pos):
                raise ValueError(f"unclosed table header at offset {start}")
            end = _end_of_line(text, pos + len(close))
            entries.append(_Entry("array" if array else "table", keys, start, end))
            pos = end
            continue
        keys, pos = _parse_key(text, pos)
        if not text.startswith("=", pos):
            raise ValueError(f"expected '=' at offset {pos}")
        value_start = _skip_blank(text, pos + 1, newlines=False)
        value_end = _skip_value(text, value_start)
        end = _end_of_line(text, value_end)
        entries.append(_Entry("key", keys, start, end, value_start, value_end))
        pos = end


def _skip_blank(text: str, pos: int, *, newlines: bool) -> int:
    """Skip spaces and comments (and line breaks when ``newlines``)."""
    while pos < len(text):
        char = text[pos]
        if char in " \t" or (newlines and char in "\r\n"):
            pos += 1
        elif char == "#" and newlines:
            pos = _line_break(text, pos)
        else:
            break
    return pos


def _line_break(text: str, pos: int) -> int:
    found = text.find("\n", pos)
    return len(text) if found < 0 else found


def _end_of_line(text: str, pos: int) -> int:
    """After a statement: trailing spaces and comment are part of it, up to its line break."""
    pos = _skip_blank(text, pos, newlines=False)
    if pos < len(text) and text[pos] == "#":
        pos = _line_break(text, pos)
    pos = _skip_blank(text, pos, newlines=False)
    if text.startswith("\r\n", pos):
        return pos + 2
    if text.startswith("\n", pos):
        return pos + 1
    if pos < len(text):
        raise ValueError(f"unexpected text at offset {pos}")
    return pos


def _parse_key(text: str, pos: int) -> Tuple[Tuple[str, ...], int]:
    """A dotted key (bare or quoted parts); returns the parts and the offset after it."""
    parts: List[str] = []
    while True:
        pos = _skip_blank(text, pos, newlines=False)
        if text.startswith('"', pos):
            end = _skip_basic(text, pos)
            parts.append(json.loads(text[pos:end]))
        elif text.startswith("'", pos):
            end = text.find("'", pos + 1)
            if end < 0:
                raise ValueError(f"unclosed key at offset {pos}")
            end += 1
            parts.append(text[pos + 1 : end - 1])
        else:
            match = _BARE.match(text, pos)
            if match is None:
                raise ValueError(f"expected a key at offset {pos}")
            end = match.end()
            parts.append(match.group())
        pos = _skip_blank(text, end, newlines=False)
        if not text.startswith(".", pos):
            return tuple(parts), pos
        pos += 1


def _skip_value(text: str, pos: int) -> int:
    """The offset just after the value starting at ``pos``."""
    for quote in ('"""', "'''"):
        if text.startswith(quote, pos):
            end = _find_closing(text, pos + 3, quote)
            extra = 0
            while extra < 2 and end < len(text) and text[end] == quote[0]:
                end += 1  # up to two quotes right before the delimiter belong to the string
                extra += 1
            return end
    if text.startswith('"', pos):
        return _skip_basic(text, pos)
    if text.startswith("'", pos):
        end = text.find("'", pos + 1)
        if end < 0 or "\n" in text[pos:end]:
            raise ValueError(f"unclosed string at offset {pos}")
        return end + 1
    if text.startswith("[", pos) or text.startswith("{", pos):
        return _skip_container(text, pos)
    match = _DATETIME.match(text, pos) or _SCALAR.match(text, pos)
    if match is None:
        raise ValueError(f"expected a value at offset {pos}")
    return match.end()


def _find_closing(text: str, pos: int, quote: str) -> int:
    while True:
        end = text.find(quote, pos)
        if end < 0:
            raise ValueError("unclosed multi-line string")
        backslashes = 0
        while quote == '"""' and end - 1 - backslashes >= pos and text[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return end + 3
        pos = end + 1


def _skip_basic(text: str, pos: int) -> int:
    index = pos + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        if char == "\n":
            break
        index += 1
    raise ValueError(f"unclosed string at offset {pos}")


def _skip_container(text: str, pos: int) -> int:
    close = "]" if text[pos] == "[" else "}"
    pos += 1
    while True:
        pos = _skip_blank(text, pos, newlines=True)
        if pos >= len(text):
            raise ValueError("unclosed array or inline table")
        if text[pos] == close:
            return pos + 1
        if text[pos] == ",":
            pos += 1
            continue
        if close == "}":
            _, pos = _parse_key(text, pos)
            if not text.startswith("=", pos):
                raise ValueError(f"expected '=' at offset {pos}")
            pos = _skip_blank(text, pos + 1, newlines=False)
        pos = _skip_value(text, pos)

