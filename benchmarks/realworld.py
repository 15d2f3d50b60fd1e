"""Judge lazyimport on real FastAPI/Flask applications.

Usage::

    python3 benchmarks/realworld.py CORPUS_DIR [--lazyimport CMD] [--only APP[,APP...]]
                                    [--json FILE] [--markdown FILE] [--keep]

``CORPUS_DIR`` holds one folder per application of the manifest
(``benchmarks/realworld_apps.json``), each the tree of the repository at the
commit the manifest names.  Fetching needs tools this script does not have, so
the corpus is built by hand; ``benchmarks/REALWORLD.md`` says how.  The corpus
is only read: every step works on a fresh copy in a temporary folder.

For each application:

* the independent yardstick (``closure.py``, written apart from lazyimport)
  says which router modules reach a heavy package when imported;
* ``lazyimport lint --format json --no-cache`` runs on the app's packages;
  its recall is the share of those routers that get at least one LI001/LI002
  diagnostic on their own file (a parent package's import is reported at line
  1 of the router, so that counts too);
* ``lazyimport fix --no-cache`` runs on a fresh copy (timed); the yardstick
  runs again on the result; the files it changed are counted, then fix runs
  again on the same copy until it changes nothing (at most ``--max-runs``
  runs) and what a later run changed is kept as a diff; changed files are
  compiled with ``compile()`` (a file that did not compile before is left
  out); lint runs once more and, for every router still reaching a heavy
  package, its diagnostics say what pins it;
* the same with ``--unsafe-fixes`` on another fresh copy, when ``lazyimport
  fix --help`` lists that option (otherwise ``n/a``).

lazyimport gets its settings from a file written next to each copy (passed
with ``--config``): the app's source roots, and the same heavy list the
yardstick gets (the manifest's list, with globs such as ``langchain*`` replaced
by the matching top-level names the app imports).  ``--heavy-packages`` is
passed too, so no setting of the app can change the list.

Standard library only, Python 3.9+.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import fnmatch
import glob
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_MANIFEST = HERE / "realworld_apps.json"
DEFAULT_CLOSURE = "/work/shared/realworld/closure.py"
COPY_IGNORE = shutil.ignore_patterns(".git", "node_modules", "__pycache__", ".lazyimport_cache")
CONFIG_NAME = "lazyimport-benchmark.toml"  # written at the top of each copy, passed with --config
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".lazyimport_cache", ".venv", "venv"}
COMMAND_TIMEOUT = 900  # seconds; a run that takes longer is reported, not waited for
DIFF_LINES = 80  # lines of a later run's diff kept per file

Json = Dict[str, Any]


# -- small helpers -----------------------------------------------------------------


def run(cmd: Sequence[str], cwd: Optional[Path] = None) -> Tuple[int, str, str, float]:
    """(exit code, stdout, stderr, seconds); exit code -9 when it timed out."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return -9, out, f"timed out after {COMMAND_TIMEOUT} s", time.perf_counter() - start
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


def walk_files(top: Path) -> List[str]:
    """Every file under ``top``, relative, with ``/`` separators, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel = os.path.relpath(dirpath, top)
        for name in filenames:
            found.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(found)


def python_hashes(top: Path) -> Dict[str, str]:
    """{relative path: sha256} of every ``.py`` file under ``top``."""
    hashes = {}
    for rel in walk_files(top):
        if rel.endswith(".py"):
            hashes[rel] = hashlib.sha256((top / rel).read_bytes()).hexdigest()
    return hashes


def changed_files(before: Dict[str, str], after: Dict[str, str]) -> List[str]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def compiles(path: Path) -> Optional[str]:
    """None when the file compiles under this Python, else the error in one line."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def crashed(code: int, stderr: str) -> bool:
    """A traceback, a timeout or an exit code the command does not document."""
    return "Traceback (most recent call last)" in stderr or code not in (0, 1, 2)


# -- the heavy list ------------------------------------------------------------------

_IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([^#\n;]+))", re.M)


def imported_top_levels(tree: Path, srcs: Sequence[str]) -> set:
    """Top-level names of every absolute import written in the app's sources."""
    names = set()
    for src in srcs:
        for rel in walk_files(tree / src):
            if not rel.endswith(".py"):
                continue
            text = (tree / src / rel).read_text(encoding="utf-8", errors="replace")
            for match in _IMPORT_RE.finditer(text):
                if match.group(1):
                    names.add(match.group(1))
                else:
                    for part in match.group(2).split(","):
                        name = part.strip().split(" ")[0].split(".")[0]
                        if name.isidentifier():
                            names.add(name)
    return names


def concrete_heavy_list(patterns: Sequence[str], tree: Path, srcs: Sequence[str]) -> List[str]:
    """The manifest's list with each glob replaced by the names the app imports that match it.

    The yardstick compares names exactly, so ``langchain*`` must become
    ``langchain``, ``langchain_core``, ... before both tools get the list."""
    plain = [p for p in patterns if not any(c in p for c in "*?[")]
    globs = [p for p in patterns if p not in plain]
    if not globs:
        return list(plain)
    seen = imported_top_levels(tree, srcs)
    extra = sorted(n for n in seen if any(fnmatch.fnmatchcase(n, g) for g in globs))
    return plain + [n for n in extra if n not in plain]


# -- routers ---------------------------------------------------------------------------


def router_files(tree: Path, app: Json) -> List[str]:
    """The app's router modules: its globs, minus its excludes, kept when the marker matches."""
    marker = re.compile(app["router_marker"]) if app.get("router_marker") else None
    excludes = app.get("router_exclude", [])
    found = set()
    for pattern in app["routers"]:
        for path in glob.glob(str(tree / pattern), recursive=True):
            rel = os.path.relpath(path, tree).replace(os.sep, "/")
            if not rel.endswith(".py") or any(fnmatch.fnmatchcase(rel, x) for x in excludes):
                continue
            if marker and not marker.search(Path(path).read_text(encoding="utf-8", errors="replace")):
                continue
            found.add(rel)
    return sorted(found)


def yardstick(closure: str, tree: Path, srcs: Sequence[str], heavy: Sequence[str],
              routers: Sequence[str]) -> Json:
    """{router: {"reaches": [...], "chain": [...]}} from closure.py."""
    cmd = [sys.executable, closure, "--root", str(tree), "--heavy", ",".join(heavy), "--json"]
    for src in srcs:
        cmd += ["--src", src]
    code, out, err, _ = run(cmd + list(routers))
    if code != 0:
        raise RuntimeError(f"closure.py failed ({code}): {tail(err)}")
    data = json.loads(out)
    if data["not_under_src"]:
        raise RuntimeError(f"routers outside the source roots: {data['not_under_src']}")
    return {path: {"module": r["module"], "reaches": r["reaches"], "chain": r["chain"]}
            for path, r in data["modules"].items()}


def reaching(result: Json) -> List[str]:
    return sorted(p for p, r in result.items() if r["reaches"])


# -- reading lint's diagnostics ---------------------------------------------------------

# Coarse reasons, tried in order on the part of a message that says why fix left it.
REASONS = [
    ("parent package", re.compile(r"parent package")),
    ("effect at import time", re.compile(r"effect at import time")),
    ("bound again", re.compile(r"bound (again|twice|more than once)|binds? .* again")),
    ("conditional import", re.compile(r"conditional import")),
    ("optional import", re.compile(r"optional (import|dependency)")),
    ("star import", re.compile(r"star import")),
    ("reads its own namespace", re.compile(r"own namespace")),
    ("another module needs it at import time", re.compile(r"must stay a module attribute")),
    ("noqa", re.compile(r"noqa")),
    ("never used (kept for side effects)", re.compile(r"never used|side effect")),
    ("inside with/loop", re.compile(r"`with` block|inside a loop|in a loop|with block")),
    ("unsafe fix not applied", re.compile(r"unsafe")),
]
# After fix, lint still offering a fix: usually "fix cuts the chain at F:N" where F:N is pinned.
FIXABLE_LEFT = "lint says fixable, fix left it"
_USED_AT_IMPORT = re.compile(r"used at import time at line \d+ \(([^)]*)\)")


def reason_of(diag: Json) -> str:
    """A coarse category for why a diagnostic is still there after fix: the earliest reason
    its message gives after ``cannot defer:``."""
    message = diag["message"]
    why = message.split("; ", 1)[1] if "; " in message else message
    if not why.startswith("cannot defer"):
        return FIXABLE_LEFT if diag.get("fixable") else f"other: {why[:60]}"
    found = [(m.start(), name) for name, pattern in REASONS for m in [pattern.search(why)] if m]
    used = _USED_AT_IMPORT.search(why)
    if used:
        found.append((used.start(), f"used at import time ({used.group(1)})"))
    return min(found)[1] if found else f"other: {why[:60]}"


def diagnostics_by_path(diags: List[Json]) -> Dict[str, List[Json]]:
    by_path: Dict[str, List[Json]] = {}
    for d in diags:
        by_path.setdefault(os.path.normpath(d["path"]).replace(os.sep, "/"), []).append(d)
    for items in by_path.values():
        items.sort(key=lambda d: (d["line"], d["column"], d["code"]))
    return by_path


def brief(d: Json) -> Json:
    return {"line": d["line"], "code": d["code"], "message": d["message"], "reason": reason_of(d)}


def first_reason(diags: List[Json], default: str) -> str:
    """The first reason that says why fix cannot defer, else the first reason, else ``default``."""
    pinned = [d["reason"] for d in diags if d["reason"] != FIXABLE_LEFT]
    return (pinned or [d["reason"] for d in diags] or [default])[0]


def module_file(tree: Path, srcs: Sequence[str], module: str) -> Optional[str]:
    """The file of a first-party module, relative to ``tree``, or None."""
    parts = module.split(".")
    for src in srcs:
        base = tree.joinpath(src, *parts)
        for candidate in (Path(f"{base}.py"), base / "__init__.py"):
            if candidate.is_file():
                return os.path.relpath(candidate, tree).replace(os.sep, "/")
    return None


def _hop_match(d: Json, there: str) -> int:
    """2 when diagnostic ``d`` is about importing ``there`` exactly, 1 when about a module
    above or below it (``from pkg import sub``, or a parent package), else 0."""
    if d["code"] == "LI001":
        names = [n for n in [d.get("package")] + list(d.get("packages") or []) if n]
    else:
        names = list(d.get("chain") or [])[1:2]
    if there in names:
        return 2
    return 1 if any(n.startswith(there + ".") or there.startswith(n + ".") for n in names) else 0


def explain_chain(module: str, chain: List[str], tree: Path, srcs: Sequence[str],
                  by_path: Dict[str, List[Json]]) -> List[Json]:
    """For each hop of the yardstick's chain (the router's own module first), lint's
    diagnostics about that hop: LI002 whose chain goes on to the next module, or LI001 of
    the heavy package at the end."""
    mods = chain if chain and chain[0] == module else [module] + chain
    hops = []
    for here, there in zip(mods, mods[1:]):
        path = module_file(tree, srcs, here)
        scored = [(_hop_match(d, there), d) for d in by_path.get(path or "", [])]
        best = max((score for score, _ in scored), default=0)
        found = [brief(d) for score, d in scored if score and score == best]
        hops.append({"module": here, "path": path, "to": there, "diagnostics": found,
                     "reason": first_reason(found, "no diagnostic for this hop")})
    return hops


def chain_pin(hops: List[Json]) -> Optional[Json]:
    """The hop nearest the router where lint says fix cannot defer the import.  A hop into a
    parent package only says "look in the parent": the walk goes on into the parent's
    ``__init__``, and stops there only when nothing further along is pinned."""
    parent = None
    for hop in hops:
        reasons = [d["reason"] for d in hop["diagnostics"] if d["reason"] != FIXABLE_LEFT]
        if not reasons:
            continue
        if reasons[0] == "parent package":
            parent = parent or hop
            continue
        return hop
    return parent


# -- one application --------------------------------------------------------------------


class Runner:
    def __init__(self, args: argparse.Namespace, manifest: Json, workdir: Path):
        self.args = args
        self.cmd = shlex.split(args.lazyimport)
        self.manifest = manifest
        self.workdir = workdir
        code, out, err, _ = run(self.cmd + ["fix", "--help"])
        if code != 0:
            raise SystemExit(f"`{args.lazyimport} fix --help` failed ({code}):\n{tail(out + err)}")
        self.has_unsafe = "--unsafe-fixes" in out
        self.version = run(self.cmd + ["--version"])[1].strip()

    def lazyimport(self, verb: str, variant: Path, app: Json, heavy: List[str],
                   extra: Sequence[str] = ()) -> Tuple[int, str, str, float]:
        cmd = self.cmd + [verb, "--no-cache", "--config", str(variant / "tree" / CONFIG_NAME),
                          "--heavy-packages", ",".join(heavy), *extra, *app["paths"]]
        return run(cmd, cwd=variant / "tree")

    def fresh_copy(self, app: Json, name: str, heavy: List[str]) -> Path:
        """WORK/<app>/<name>/tree (a copy of the app folder) with a config file at its top, where
        a user's pyproject.toml would be: its folder is the project root lazyimport starts from."""
        variant = self.workdir / app["name"] / name
        if variant.exists():
            shutil.rmtree(variant)
        variant.mkdir(parents=True)
        shutil.copytree(self.pristine(app), variant / "tree", ignore=COPY_IGNORE, symlinks=True)
        lines = ["# Written by benchmarks/realworld.py for this copy only.",
                 "heavy-packages = [%s]" % ", ".join(json.dumps(h) for h in heavy)]
        if self.args.with_src:  # else lazyimport finds each file's root itself, as a user runs it
            lines.append("src = [%s]" % ", ".join(json.dumps(s) for s in app["src"]))
        (variant / "tree" / CONFIG_NAME).write_text("\n".join(lines) + "\n")
        return variant

    def pristine(self, app: Json) -> Path:
        return Path(self.args.corpus) / app["name"] / app.get("app", ".")

    def lint(self, variant: Path, app: Json, heavy: List[str], record: Json, key: str) -> List[Json]:
        code, out, err, secs = self.lazyimport("lint", variant, app, heavy, ["--format", "json"])
        record[key] = {"exit": code, "seconds": round(secs, 2), "errors": [
            line for line in err.splitlines() if ": error: " in line]}  # stdout is the JSON
        if crashed(code, err):
            record[key]["crash"] = tail(err)
            return []
        try:
            return json.loads(out)
        except ValueError:
            record[key]["crash"] = "output is not JSON: " + tail(out + err, 10)
            return []

    def app(self, app: Json) -> Json:
        tree = self.pristine(app)
        result: Json = {k: app.get(k) for k in ("name", "repo", "commit", "app", "src", "paths")}
        if not tree.is_dir():
            result["error"] = f"{tree} is missing: build the corpus first (benchmarks/REALWORLD.md)"
            return result
        heavy = concrete_heavy_list(self.manifest["heavy_packages"], tree, app["src"])
        result["heavy"] = heavy
        routers = router_files(tree, app)
        result["routers"] = routers
        if not routers:
            result["error"] = "no router module matches the manifest's globs"
            return result

        # Before: the yardstick and lint on a fresh copy, which fix then rewrites.
        safe = self.fresh_copy(app, "safe", heavy)
        copied = python_hashes(safe / "tree")
        before = yardstick(self.args.closure, safe / "tree", app["src"], heavy, routers)
        result["reaching_before"] = {p: before[p]["chain"] for p in reaching(before)}
        diags = self.lint(safe, app, heavy, result, "lint_before")
        result["lint_before"]["diagnostics"] = len(diags)
        by_path = diagnostics_by_path(diags)
        flagged = [p for p in routers if by_path.get(p)]
        result["flagged"] = flagged
        result["flagged_at_line_1"] = [p for p in flagged if any(d["line"] == 1 for d in by_path[p])]
        result["misses"] = {p: before[p]["chain"] for p in reaching(before) if p not in flagged}
        result["flagged_not_reaching"] = [p for p in flagged if p not in before or not before[p]["reaches"]]

        wrote = changed_files(copied, python_hashes(safe / "tree"))
        if wrote:  # lint must only read; fix would then start from a changed tree
            result["lint_before"]["wrote"] = wrote
        result["safe"] = self.fix_and_measure(safe, app, heavy, routers, [])
        if self.has_unsafe:
            unsafe = self.fresh_copy(app, "unsafe", heavy)
            result["unsafe"] = self.fix_and_measure(unsafe, app, heavy, routers, ["--unsafe-fixes"])
        else:
            result["unsafe"] = None
        return result

    def fix_and_measure(self, variant: Path, app: Json, heavy: List[str], routers: List[str],
                        extra: List[str]) -> Json:
        tree = variant / "tree"
        out: Json = {"options": extra}
        hashes = python_hashes(tree)
        code, stdout, stderr, secs = self.lazyimport("fix", variant, app, heavy, extra)
        out.update(exit=code, seconds=round(secs, 2),
                   errors=[line for line in (stdout + stderr).splitlines() if ": error: " in line])
        if crashed(code, stderr):
            out["crash"] = tail(stderr)
        fixed = python_hashes(tree)
        changed = changed_files(hashes, fixed)
        out["changed"] = changed

        # Outputs that do not compile (files that compiled before only).
        broken = {}
        for rel in changed:
            path = tree / rel
            if not path.exists():
                continue
            original = self.pristine(app) / rel
            if original.exists() and compiles(original) is not None:
                continue
            error = compiles(path)
            if error:
                broken[rel] = error
        out["not_compiling"] = broken

        # The yardstick and lint on the fixed tree.
        after = yardstick(self.args.closure, tree, app["src"], heavy, routers)
        diags = self.lint(variant, app, heavy, out, "lint_after")
        out["lint_after"]["diagnostics"] = len(diags)
        by_path = diagnostics_by_path(diags)
        out["lint_after"]["fixable"] = sum(1 for d in diags if d.get("fixable"))
        pins = {}
        for rel in reaching(after):
            mine = [brief(d) for d in by_path.get(rel, [])]
            hops = explain_chain(after[rel]["module"], after[rel]["chain"], tree, app["src"], by_path)
            pin = chain_pin(hops)
            pins[rel] = {"chain": after[rel]["chain"], "reaches": after[rel]["reaches"],
                         "diagnostics": mine, "reason": first_reason(mine, "no diagnostic on the router"),
                         "hops": hops,
                         "pinned_at": None if pin is None else {
                             "path": pin["path"], "to": pin["to"], "reason": pin["reason"],
                             "diagnostic": next(d for d in pin["diagnostics"] if d["reason"] != FIXABLE_LEFT)},
                         "chain_reason": pin["reason"] if pin else "no hop lint says it cannot fix"}
        out["pins"] = pins

        # Later runs: until nothing changes.
        runs = []
        current = fixed
        for _ in range(self.args.max_runs - 1):
            texts = {rel: (tree / rel).read_text(encoding="utf-8", errors="replace")
                     for rel in current}
            code, stdout, stderr, secs = self.lazyimport("fix", variant, app, heavy, extra)
            now = python_hashes(tree)
            again = changed_files(current, now)
            entry: Json = {"exit": code, "seconds": round(secs, 2), "changed": again, "diffs": {}}
            if crashed(code, stderr):
                entry["crash"] = tail(stderr)
            for rel in again:
                old = texts.get(rel, "").splitlines(keepends=True)
                new = (tree / rel).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True) \
                    if (tree / rel).exists() else []
                diff = list(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}"))
                entry["diffs"][rel] = "".join(diff[:DIFF_LINES]) + (
                    f"... ({len(diff) - DIFF_LINES} more lines)\n" if len(diff) > DIFF_LINES else "")
            runs.append(entry)
            current = now
            if not again or "crash" in entry:
                break
        out["later_runs"] = runs
        if any(r["changed"] for r in runs):  # what the fixed point leaves, for comparison
            final = yardstick(self.args.closure, tree, app["src"], heavy, routers)
            out["reaching_at_last_run"] = reaching(final)
        return out


# -- reporting -----------------------------------------------------------------------------


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def later_changes(fix: Json) -> str:
    """'0', or the count of each later run until one changed nothing: '3, 1, 0'."""
    runs = fix["later_runs"]
    if not runs:
        return "-"
    counts = [str(len(r["changed"])) for r in runs]
    return counts[0] if counts[0] == "0" else ", ".join(counts)


def still_reaching(fix: Json, reach: int) -> str:
    cell = f"{len(fix['pins'])} ({pct(len(fix['pins']), reach)})"
    last = fix.get("reaching_at_last_run")
    if last is not None and len(last) != len(fix["pins"]):
        cell += f"; {len(last)} after run {len(fix['later_runs']) + 1}"
    return cell


def crash_mark(r: Json) -> str:
    blocks = [r["lint_before"], r["safe"], r["safe"]["lint_after"], *r["safe"]["later_runs"]]
    return " (crash)" if any("crash" in b for b in blocks) else ""


def table(results: List[Json]) -> List[str]:
    head = ["app", "routers", "reaching before", "lint flags (recall)", "still reaching after safe fix",
            "after unsafe fix", "files changed", "changed by 2nd run", "outputs not compiling",
            "fix time (s)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    tot = dict(routers=0, before=0, flagged=0, after=0, unsafe=0, changed=0, again=0, broken=0, secs=0.0)
    unsafe_seen = False
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | error: {r['error']} |" + " |" * (len(head) - 2))
            continue
        safe, unsafe = r["safe"], r["unsafe"]
        reach = len(r["reaching_before"])
        hits = reach - len(r["misses"])
        tot["routers"] += len(r["routers"])
        tot["before"] += reach
        tot["flagged"] += hits
        tot["after"] += len(safe["pins"])
        tot["changed"] += len(safe["changed"])
        tot["again"] += len(safe["later_runs"][0]["changed"]) if safe["later_runs"] else 0
        tot["broken"] += len(safe["not_compiling"])
        tot["secs"] += safe["seconds"]
        if unsafe is not None:
            unsafe_seen = True
            tot["unsafe"] += len(unsafe["pins"])
        lines.append("| " + " | ".join([
            r["name"], str(len(r["routers"])), str(reach), f"{hits} ({pct(hits, reach)})",
            still_reaching(safe, reach), "n/a" if unsafe is None else still_reaching(unsafe, reach),
            str(len(safe["changed"])), later_changes(safe), str(len(safe["not_compiling"])),
            f"{safe['seconds']:.1f}{crash_mark(r)}"]) + " |")
    lines.append("| " + " | ".join([
        "**total**", str(tot["routers"]), str(tot["before"]),
        f"{tot['flagged']} ({pct(tot['flagged'], tot['before'])})",
        f"{tot['after']} ({pct(tot['after'], tot['before'])})",
        f"{tot['unsafe']} ({pct(tot['unsafe'], tot['before'])})" if unsafe_seen else "n/a",
        str(tot["changed"]), str(tot["again"]), str(tot["broken"]), f"{tot['secs']:.1f}"]) + " |")
    return lines


LEGEND = (
    "Routers: the manifest's router modules. Reaching before: routers whose import reaches a heavy "
    "package, per the yardstick (closure.py). Lint flags: those of them with at least one LI001/LI002 "
    "on their own file (recall). Still reaching: per the yardstick on the tree after one `fix` run "
    "(when later runs changed more, also the count after the last run). Files changed: by the first "
    "run. Changed by 2nd run: files the second run changed; when not 0, the count of each later run "
    "until one changed nothing. Outputs not compiling: changed files that compiled before and do not "
    "after. Fix time: wall time of the first run, interpreter start included.")


def reason_tables(results: List[Json], which: str) -> List[str]:
    """Pinned routers by their own first reason and by the pin found along their chain."""
    own: Dict[str, int] = {}
    along: Dict[str, int] = {}
    diags: Dict[str, int] = {}
    for r in results:
        fix = r.get(which)
        if not fix:
            continue
        for pin in fix["pins"].values():
            own[pin["reason"]] = own.get(pin["reason"], 0) + 1
            along[pin["chain_reason"]] = along.get(pin["chain_reason"], 0) + 1
            for d in pin["diagnostics"]:
                diags[d["reason"]] = diags.get(d["reason"], 0) + 1
    if not own:
        return []
    lines = ["| reason | routers, by their own diagnostics | routers, by the first hop of the chain lint "
             "cannot fix | diagnostics on pinned routers |", "|---|---|---|---|"]
    keys = sorted(set(own) | set(along) | set(diags),
                  key=lambda k: (-own.get(k, 0), -along.get(k, 0), -diags.get(k, 0), k))
    for k in keys:
        lines.append(f"| {k} | {own.get(k, 0)} | {along.get(k, 0)} | {diags.get(k, 0)} |")
    return lines


REASON_LEGEND = (
    "A router's own reason: the first of its diagnostics after fix that says why fix cannot defer "
    "(else its first diagnostic). Along the chain: walking the yardstick's chain from the router, the "
    "first hop whose diagnostic says fix cannot defer it. \"lint says fixable, fix left it\": after "
    "fix, lint still offers a fix (mostly \"fix cuts the chain at F:N\") for that import.")


def notes(results: List[Json], diff_lines: int) -> List[str]:
    out = []
    for r in results:
        if "error" in r:
            continue
        name = r["name"]
        if r["lint_before"].get("wrote"):
            out.append(f"- **{name}**: `lint --no-cache` changed {len(r['lint_before']['wrote'])} file(s): "
                       + ", ".join(f"`{p}`" for p in r["lint_before"]["wrote"][:6]))
        for key, block in (("lint before fix", r["lint_before"]), ("fix", r["safe"]),
                           ("lint after fix", r["safe"]["lint_after"])):
            if "crash" in block:
                out.append(f"- **{name}**: {key} crashed (exit {block['exit']}):\n\n```text\n{block['crash']}\n```")
        for which in ("safe", "unsafe"):
            fix = r.get(which)
            if not fix:
                continue
            for rel, error in fix["not_compiling"].items():
                out.append(f"- **{name}** ({which}): `{rel}` does not compile after fix: {error}")
            if fix["lint_after"].get("fixable"):
                out.append(f"- **{name}** ({which}): after fix, lint still calls {fix['lint_after']['fixable']} "
                           f"of its {fix['lint_after']['diagnostics']} diagnostics fixable.")
            for n, later in enumerate(fix["later_runs"], 2):
                if "crash" in later:
                    out.append(f"- **{name}** ({which}): run {n} of fix crashed:\n\n```text\n{later['crash']}\n```")
                if not later["changed"]:
                    continue
                files = ", ".join(f"`{p}`" for p in later["changed"][:6])
                more = f" and {len(later['changed']) - 6} more" if len(later["changed"]) > 6 else ""
                out.append(f"- **{name}** ({which}): run {n} of fix changed {len(later['changed'])} "
                           f"file(s): {files}{more}.")
                if diff_lines:
                    first, diff = next(iter(later["diffs"].items()))
                    lines = diff.rstrip().splitlines()
                    cut = lines[:diff_lines] + ([f"... ({len(lines) - diff_lines} more lines)"]
                                                if len(lines) > diff_lines else [])
                    out.append("\n```diff\n" + "\n".join(cut) + "\n```")
        if r["flagged_not_reaching"]:
            out.append(f"- **{name}**: lint flags {len(r['flagged_not_reaching'])} router(s) the yardstick "
                       "says reach no heavy package: " + ", ".join(f"`{p}`" for p in r["flagged_not_reaching"]))
        errors = sorted(set(r["lint_before"]["errors"]))
        if errors:
            out.append(f"- **{name}**: lint could not check {len(errors)} file(s) under Python "
                       f"{platform.python_version()}: " + "; ".join(f"`{e}`" for e in errors[:3])
                       + (" ..." if len(errors) > 3 else ""))
    return out


def pin_lines(results: List[Json], which: str, full: bool) -> List[str]:
    out = []
    for r in results:
        fix = r.get(which)
        if not fix or not fix["pins"]:
            continue
        out += [f"### {r['name']} ({len(fix['pins'])} of {len(r['reaching_before'])})", ""]
        for rel, pin in fix["pins"].items():
            at = pin["pinned_at"]
            where = (f"pinned at `{at['path']}:{at['diagnostic']['line']}` (-> {at['to']}): **{at['reason']}**"
                     if at else f"**{pin['chain_reason']}**")
            out.append(f"- `{rel}`: {' -> '.join(pin['chain'])}; own: **{pin['reason']}**; {where}")
            if full:
                for d in pin["diagnostics"]:
                    out.append(f"  - {d['code']} line {d['line']}: {d['message']}")
                if at and at["path"] != rel:
                    d = at["diagnostic"]
                    out.append(f"  - at `{at['path']}` {d['code']} line {d['line']}: {d['message']}")
        out.append("")
    return out


def markdown(results: List[Json], meta: Json, full: bool = True) -> str:
    out = [f"# Real-world benchmark, {meta['date']}", "",
           f"lazyimport: `{meta['lazyimport']}` ({meta['version']}; checkout {meta['checkout']}), "
           f"Python {meta['python']}, unsafe fixes "
           f"{'measured' if meta['unsafe'] else 'n/a (`fix --help` lists no --unsafe-fixes)'}.",
           f"Command: `{meta['command']}`", "", *table(results), "", LEGEND, ""]
    for which, title in (("safe", "safe fix"), ("unsafe", "unsafe fix")):
        lines = reason_tables(results, which)
        if lines:
            out += [f"## What pins routers after the {title}", "", *lines, "", REASON_LEGEND, ""]
    found = notes(results, 30 if full else 0)
    out += ["## Crashes, outputs that do not compile, later runs that change files, unreadable files", "",
            *(found or ["None."]), ""]
    out += ["## Lint misses (routers the yardstick says reach a heavy package, without a diagnostic)", ""]
    misses = [(r["name"], p, c) for r in results if "error" not in r for p, c in r["misses"].items()]
    out += [f"- {name}: `{p}`: {' -> '.join(c)}" for name, p, c in misses] or ["None."]
    out += [""]
    for which, title in (("safe", "safe fix"), ("unsafe", "unsafe fix")):
        if any(r.get(which) for r in results):
            out += [f"## Routers still reaching a heavy package after the {title}", "",
                    *pin_lines(results, which, full)]
    return "\n".join(out)


# -- main ------------------------------------------------------------------------------------


def checkout_label(path: Path) -> str:
    """The checkout's commit and the last commit that changed ``lazyimport_codemod/`` (the
    code measured), ``+dirty`` when that folder has uncommitted changes; or ``unknown``."""
    code, sha, _, _ = run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"])
    if code != 0:
        return "unknown"
    package = run(["git", "-C", str(path), "log", "-1", "--format=%h", "--", "lazyimport_codemod"])[1].strip()
    dirty = run(["git", "-C", str(path), "status", "--porcelain", "--", "lazyimport_codemod"])[1].strip()
    return f"{sha.strip()}, lazyimport_codemod/ as of {package or '?'}" + (" +dirty" if dirty else "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", metavar="CORPUS_DIR", help="folder holding one tree per app of the manifest")
    parser.add_argument("--manifest", default=str(DEFAULT_MANIFEST), help="the apps (default: %(default)s)")
    parser.add_argument("--lazyimport", default="lazyimport",
                        help="command that runs lazyimport (default: %(default)s on PATH), "
                             "e.g. \"/path/venv/bin/python -m lazyimport_codemod\"")
    parser.add_argument("--closure", default=DEFAULT_CLOSURE, help="the yardstick (default: %(default)s)")
    parser.add_argument("--checkout", default=str(HERE.parent),
                        help="git checkout whose commit the report names (default: %(default)s)")
    parser.add_argument("--only", help="comma-separated app names")
    parser.add_argument("--with-src", action="store_true",
                        help="give lazyimport each app's source roots as `src` (default: none, as a user runs it)")
    parser.add_argument("--max-runs", type=int, default=4,
                        help="runs of fix on one copy at most, to find a fixed point (default: %(default)s)")
    parser.add_argument("--json", help="write every result (per-router pins included) to this file")
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument("--brief", action="store_true",
                        help="one line per pinned router and no diffs in the printed report (the JSON keeps all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies and say where")
    args = parser.parse_args(argv)
    if args.max_runs < 2:
        parser.error("--max-runs must be at least 2 (the second run is what is measured)")
    if not os.path.isfile(args.closure):
        parser.error(f"the yardstick {args.closure} does not exist (--closure)")

    manifest = json.loads(Path(args.manifest).read_text())
    apps = manifest["apps"]
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - {a["name"] for a in apps})
        if unknown:
            parser.error(f"unknown app(s) {', '.join(unknown)}; the manifest has "
                         + ", ".join(a["name"] for a in apps))
        apps = [a for a in apps if a["name"] in wanted]

    workdir = Path(tempfile.mkdtemp(prefix="lazyimport-realworld-"))
    try:
        runner = Runner(args, manifest, workdir)
        results = []
        for app in apps:
            print(f"{app['name']} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            results.append(runner.app(app))
            print(f"{app['name']}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"copies kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    meta = {
        "date": datetime.date.today().isoformat(),
        "lazyimport": args.lazyimport,
        "version": runner.version,
        "checkout": checkout_label(Path(args.checkout)),
        "python": platform.python_version(),
        "unsafe": runner.has_unsafe,
        "command": " ".join(shlex.quote(a) for a in ["python3", "benchmarks/realworld.py", *sys.argv[1:]]),
        "manifest": os.path.relpath(args.manifest),
    }
    report = markdown(results, meta, full=not args.brief)
    print(report)
    if args.markdown:
        Path(args.markdown).write_text(report + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "apps": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
