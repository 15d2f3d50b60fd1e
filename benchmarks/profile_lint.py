"""Where does ``lazyimport lint`` (and ``fix``) spend its time?  Profile it on the benchmark corpora.

Usage::

    python benchmarks/profile_lint.py [--corpus stdlib,routers,one,fix] [--repeat N] [--rev REV]

Uses the venv and corpora of ``run.py`` (it builds them when missing).  For
each corpus (``fix`` means ``lazyimport fix .`` on a fresh copy of the
router corpus, made before every run) it runs, each in a fresh interpreter (the corpus folder as the
working directory, like ``run.py``):

* ``wall``: the whole ``lazyimport lint .`` command, median of ``--repeat``;
  ``python -c pass`` and ``python -c "import lazyimport_codemod.cli.commands"`` give
  the interpreter start-up and the import cost of the CLI before ``main`` runs;
* ``gc``: the lint in-process, with ``gc.callbacks`` summing the time spent in
  cyclic garbage collection, and once more with ``gc.disable()``;
* ``py-spy`` (an external sampler at 1 kHz, so no overhead on the measured
  process; ``--subprocesses`` so worker processes count too, their samples
  adding up): the samples of the whole command split into categories by the
  innermost frame of lazyimport's own code (standard-library helpers such as
  ``ast.walk`` or ``dict.get`` count for the lazyimport code that called
  them), except ``ast.parse``, pathlib and start-up imports (module bodies and
  importlib), which are categories of their own.  Where py-spy cannot attach
  (no ptrace permission) pyinstrument samples in-process instead;
* ``cProfile``: the top functions by own and cumulative time, written to
  ``.work/profile/<corpus>.cprofile.txt`` (deterministic profiling inflates
  Python-heavy code several times, so its percentages are not used).

It also counts the files that have an import line naming a heavy package
(``(import|from) (numpy|pandas|...)\b``), which is what a text prefilter would
still have to parse for LI001, and times reading and scanning them all.

The report is printed as Markdown and saved to ``.work/profile/report.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CATEGORY_BY_MODULE = {
    "discovery": "file discovery",
    "config": "config lookup",
    "heavy": "heavy-list matching",
    "analysis.source": "source decoding, noqa",
    "analysis.imports": "import extraction",
    "analysis.usage": "usage analysis (scopes)",
    "analysis.graph": "project graph (resolve, reach)",
    "analysis.plan": "planner (verdicts)",
    "models": "planner (verdicts)",
    "engine": "diagnostics assembly",
    "report": "output",
    "cli": "cli (collect, sort)",
    "cache": "cache",
    "fix.transform": "fix transform (our LibCST visitors)",
    "fix.writer": "fix writer",
    "fixer": "fixer (plan, re-lint)",
}


def categorize_frame(file_path: str, function: str) -> Optional[str]:
    """A category for a frame that is its own, or None to charge it to its lazyimport caller."""
    path = "/" + file_path.replace("\\", "/").lstrip("/")
    if function == "<module>" and ("/lazyimport_codemod/" in path or "/click/" in path):
        return "start-up imports"
    if "importlib._bootstrap" in path:
        return "start-up imports"
    if "/lazyimport_codemod/" in path:
        module = path.split("/lazyimport_codemod/", 1)[1][:-3].replace("/", ".")
        return CATEGORY_BY_MODULE.get(module, f"lazyimport {module}")
    if path.endswith("/ast.py") and function == "parse":
        return "ast.parse (compile to AST)"
    if path.endswith("/pathlib.py"):
        return "pathlib objects"
    if "/click/" in path:
        return "click"
    if "/multiprocessing/" in path or "/concurrent/futures/" in path:
        return "process pool (start, pickling, waiting)"
    if "/libcst/" in path:
        return "LibCST internals (parse, metadata, codegen)"
    return None


# -- inner: runs inside the benchmark venv, in the corpus folder --------------------------


def _quiet_run(args: list[str]) -> None:
    import contextlib
    import io

    from lazyimport_codemod.cli.entry import main  # the console script's entry: lint skips click

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(args)
        except SystemExit:
            pass


def inner(mode: str, lint_args: list[str], out: str) -> None:
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", cwd, str(HERE))]
    import gc

    result: dict[str, Any] = {}
    if mode == "gc":
        spent = [0.0, 0.0]

        def callback(phase: str, info: dict[str, Any]) -> None:
            if phase == "start":
                spent[1] = time.perf_counter()
            else:
                spent[0] += time.perf_counter() - spent[1]

        import lazyimport_codemod.cli.commands  # noqa: F401
        gc.callbacks.append(callback)
        start = time.perf_counter()
        _quiet_run(lint_args)
        result = {"total": time.perf_counter() - start, "gc": spent[0]}
    elif mode == "nogc":
        import lazyimport_codemod.cli.commands  # noqa: F401
        gc.disable()
        start = time.perf_counter()
        _quiet_run(lint_args)
        result = {"total": time.perf_counter() - start}
    elif mode == "pyinstrument":
        from pyinstrument import Profiler

        import lazyimport_codemod.cli.commands  # noqa: F401
        profiler = Profiler(interval=0.0005)
        profiler.start()
        _quiet_run(lint_args)
        profiler.stop()
        session = profiler.last_session
        totals: dict[str, float] = {}

        def walk(frame: Any, owner: str) -> None:
            own = categorize_frame(frame.file_path or "", frame.function or "")
            category = own or owner
            children = list(frame.children)
            self_time = frame.time - sum(c.time for c in children)
            totals[category] = totals.get(category, 0.0) + max(self_time, 0.0)
            for child in children:
                walk(child, category)

        root = session.root_frame()
        if root is not None:
            walk(root, "other (outside lazyimport code)")
        result = {"total": session.duration, "categories": totals}
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        Path(out).with_suffix(".txt").write_text(text)
    elif mode == "cprofile":
        import cProfile
        import io
        import pstats

        import lazyimport_codemod.cli.commands  # noqa: F401
        profile = cProfile.Profile()
        profile.enable()
        _quiet_run(lint_args)
        profile.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumtime").print_stats(40)
        Path(out).with_suffix(".txt").write_text(buffer.getvalue())
        result = {"total": stats.total_tt}  # type: ignore[attr-defined]
    Path(out).write_text(json.dumps(result))


# -- outer: drives the runs and writes the report ----------------------------------------


def pyspy_categories(raw: Path, rate: int) -> dict[str, float]:
    """Sampled seconds per category from ``py-spy record --format raw`` (collapsed stacks).

    With worker processes the samples of every process add up, so the total can
    exceed the wall time.  Stacks of helper threads (the process pool's manager
    and feeder threads, which only wait) are left out.
    """
    counts: dict[str, int] = {}
    frame_re = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::\d+)?\)$")
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or "Thread._bootstrap" in stack:
            continue
        category = "other (outside lazyimport code)"
        for frame in reversed(stack.split(";")):
            match = frame_re.match(frame)
            if match is None:
                continue
            found = categorize_frame(match.group("file"), match.group("func"))
            if found is not None:
                category = found
                break
        counts[category] = counts.get(category, 0) + int(count)
    return {k: v / rate for k, v in counts.items()}


def heavy_pattern(python: str) -> "re.Pattern[bytes]":
    names = json.loads(subprocess.run(
        [python, "-c", "import json; from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES as B; "
                       "print(json.dumps(list(B)))"], check=True, capture_output=True, text=True).stdout)
    alternatives = sorted({n.split(".")[0].rstrip("*") for n in names}, key=len, reverse=True)
    # Conservative enough for a statistic: `import x` / `from x` naming a heavy top-level package.
    return re.compile(rb"(?:import|from)[ \t]+(?:" + b"|".join(re.escape(a.encode()) for a in alternatives) + rb")\b")


def prefilter_stats(corpus: Path, pattern: "re.Pattern[bytes]") -> tuple[int, int, float]:
    start = time.perf_counter()
    files = sorted(corpus.rglob("*.py"))
    hits = sum(1 for f in files if pattern.search(f.read_bytes()))
    return len(files), hits, time.perf_counter() - start


def importtime_section(python: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """What ``lazyimport lint one_file.py`` imports before and while it runs (``-X importtime``)."""
    runs: list[dict[str, tuple[int, int, int]]] = []
    for _ in range(5):
        proc = subprocess.run([python, "-X", "importtime", *cmd], cwd=cwd, env=env, capture_output=True, text=True)
        rows: dict[str, tuple[int, int, int]] = {}
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            try:
                self_us, cumulative, name = line[len("import time:"):].split("|")
                depth = (len(name) - len(name.lstrip()) - 1) // 2
                rows[name.strip()] = (int(self_us), int(cumulative), depth)
            except ValueError:
                continue
        runs.append(rows)
    names = set().union(*runs)
    med = {n: (statistics.median(r[n][0] for r in runs if n in r), statistics.median(r[n][1] for r in runs if n in r),
               runs[-1].get(n, (0, 0, 0))[2]) for n in names}
    total = sum(v[0] for v in med.values())
    top_level = sorted(((n, v) for n, v in med.items() if v[2] == 0), key=lambda kv: -kv[1][1])[:12]
    top_self = sorted(med.items(), key=lambda kv: -kv[1][0])[:12]
    out = ["### start-up imports of `lazyimport lint one_file.py` (`-X importtime`, median of 5)", "",
           f"All imports: {total / 1000:.0f} ms of self time in {len(med)} modules.", "",
           "| top-level import | cumulative ms |", "|---|---:|"]
    out += [f"| {n} | {v[1] / 1000:.1f} |" for n, v in top_level]
    out += ["", "| module (any depth) | self ms |", "|---|---:|"]
    out += [f"| {n} | {v[0] / 1000:.1f} |" for n, v in top_self]
    return out + [""]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="stdlib,routers,one,fix",
                        help="comma-separated: stdlib, routers, one (lint one_file.py), fix (fix on routers); "
                             "NAME-warm profiles lint with its cache primed")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rev", help="profile lazyimport_codemod as of this git revision (see run.py --rev)")
    parser.add_argument("--inner", nargs=3, metavar=("MODE", "LINT_ARGS_JSON", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args.inner[0], json.loads(args.inner[1]), args.inner[2])
        return 0

    import corpora
    import run

    def log(message: str) -> None:
        print(f"[profile] {message}", file=sys.stderr, flush=True)

    run.set_source(args.rev)
    run.ensure_venv(log)
    if not (run.CORPUS / "routers").exists() or not (run.CORPUS / "stdlib").exists():
        corpora.build_all(run.WORK)
    python = run.python()
    out_dir = run.WORK / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    lint_args = ["--no-cache"] if run.lint_supports_no_cache() else []
    pattern = heavy_pattern(python)
    env = run.clean_env()
    report: list[str] = [f"Profile of `lazyimport` ({run.describe_machine()})", ""]

    for name in [c.strip() for c in args.corpus.split(",") if c.strip()]:
        if name == "fix":  # lazyimport fix on a fresh copy of the router corpus
            source = run.CORPUS / "routers"
            corpus = run.WORK / "profile" / "fixcopy"
            command = ["fix", "."]

            def prepare(source: Path = source, corpus: Path = corpus) -> None:
                shutil.rmtree(corpus, ignore_errors=True)
                shutil.copytree(source, corpus, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
        elif name.endswith("-warm"):  # cache primed by the first (untimed) run, never deleted
            corpus = run.CORPUS / name[: -len("-warm")]
            command = ["lint", "one_file.py" if corpus.name == "one" else "."]
            run.remove_caches(corpus)

            def prepare() -> None:
                pass
        else:
            corpus = run.CORPUS / name
            command = ["lint", *lint_args, "one_file.py" if name == "one" else "."]

            def prepare(corpus: Path = corpus) -> None:
                run.remove_caches(corpus)
        prepare()
        log(f"{name}: wall times")

        def wall(cmd: list[str], fresh: bool = False) -> float:
            runs = []
            for _ in range(args.repeat + 1):
                if fresh:
                    prepare()
                start = time.perf_counter()
                subprocess.run(cmd, cwd=corpus, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                runs.append(time.perf_counter() - start)
            return statistics.median(runs[1:])

        t_lint = wall([*run.lazyimport_cmd(), *command], fresh=True)
        t_pass = wall([python, "-c", "pass"])
        t_import = wall([python, "-c", "import lazyimport_codemod.cli.commands"])
        results: dict[str, dict[str, Any]] = {}
        for mode in ("gc", "nogc", "cprofile"):
            log(f"{name}: {mode}")
            prepare()
            out = out_dir / f"{name}.{mode}.json"
            subprocess.run([python, str(Path(__file__).resolve()), "--inner", mode,
                            json.dumps(command), str(out)], cwd=corpus, env=env, check=True)
            results[mode] = json.loads(out.read_text())
        log(f"{name}: py-spy")
        prepare()
        raw = out_dir / f"{name}.pyspy.txt"
        spy = subprocess.run([str(run.venv_bin("py-spy")), "record", "--subprocesses", "--format", "raw",
                              "--rate", "1000",
                              "--output", str(raw), "--", *run.lazyimport_cmd(), *command],
                             cwd=corpus, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if raw.exists() and raw.stat().st_size:
            sampler = "py-spy, whole command, all processes"
            seconds = pyspy_categories(raw, 1000)
        else:  # no ptrace permission, for instance: sample in-process instead
            log(f"py-spy failed ({spy.stderr.strip()[-200:]}); using pyinstrument")
            prepare()
            out = out_dir / f"{name}.pyinstrument.json"
            subprocess.run([python, str(Path(__file__).resolve()), "--inner", "pyinstrument",
                            json.dumps(command), str(out)], cwd=corpus, env=env, check=True)
            cats = json.loads(out.read_text())["categories"]
            total = sum(cats.values()) or 1.0
            sampler = "pyinstrument, in-process (inflates Python-call-heavy code)"
            seconds = {k: v / total * results["gc"]["total"] for k, v in cats.items()}
        prepare()
        files, hits, scan = prefilter_stats(corpus, pattern)
        in_process = results["gc"]["total"]
        report += [f"### {name} ({files} files)", "",
                   f"- wall: `lazyimport {' '.join(command)}` {t_lint * 1000:.0f} ms; `python -c pass` {t_pass * 1000:.0f} ms; "
                   f"`import lazyimport_codemod.cli.commands` {(t_import - t_pass) * 1000:.0f} ms more; "
                   f"the command itself (in-process) {in_process * 1000:.0f} ms",
                   f"- cyclic GC: {results['gc']['gc'] * 1000:.0f} ms of the in-process {in_process * 1000:.0f} ms "
                   f"({100 * results['gc']['gc'] / in_process:.0f}%); with `gc.disable()` it takes "
                   f"{results['nogc']['total'] * 1000:.0f} ms",
                   f"- files with an import line naming a heavy package: {hits} of {files} "
                   f"(reading + regex scan of all: {scan * 1000:.0f} ms)",
                   "", f"| where ({sampler}) | sampled ms | % |", "|---|---:|---:|"]
        sampled = sum(seconds.values()) or 1.0
        for category, secs in sorted(seconds.items(), key=lambda kv: -kv[1]):
            if secs / sampled >= 0.005:
                report.append(f"| {category} | {secs * 1000:.0f} | {100 * secs / sampled:.1f} |")
        report.append("")
    report += importtime_section(python, [str(run.venv_bin("lazyimport")), "lint", *lint_args, "one_file.py"],
                                 run.CORPUS / "one", env)
    text = "\n".join(report)
    (out_dir / "report.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
