"""Measure lazyimport against its baselines, side by side, in one run.

Usage::

    python benchmarks/run.py [--only NAME[,NAME...]] [--repeat N] [--json FILE] [--markdown]

Every figure is a ratio of two wall times measured in this run, on this
machine, with the two commands alternating (A B, B A, A B, ...) after one
untimed warm-up of each, and the median of ``--repeat`` runs (default 5) taken
on each side.  Absolute times on a shared two-core machine drift; a ratio of
interleaved runs drifts far less.  Nothing here runs under pytest.

The script installs what it needs into its own virtual environment,
``benchmarks/.work/venv-X.Y`` (for the running Python X.Y: ruff, libcst, click, fastapi and the real heavy
packages for the start-up figure), makes the working tree's
``lazyimport_codemod`` importable there through a ``.pth`` file (so the code
measured is the code checked out, with no reinstall), and has the venv's pip
write the ``lazyimport`` console script, as it does on install.  The
corpora are rebuilt under ``benchmarks/.work/corpus`` on every run by
``corpora.py``.

Figures (``--only`` takes these names, or any prefix such as ``lint``):

``app_import``
    ``import app.main`` (seconds inside the interpreter) on the 62-router app
    after ``lazyimport fix``, divided by the same with the heavy imports
    deleted.  Needs ``lazyimport fix``; skipped while it does not exist.
``app_import_before``
    The same before the fix: what is at stake (information, no target).
``lint_stdlib_cold`` / ``lint_routers_cold``
    ``lazyimport lint .`` without its cache vs ``ruff check --no-cache
    --select TID253`` with the same heavy list.
``lint_stdlib_warm`` / ``lint_routers_warm``
    Both tools with their caches primed by the warm-up run.
``lint_one_file``
    ``lazyimport lint one_file.py`` vs ``python -c pass`` (the results cache,
    primed by the warm-up run, answers).
``lint_one_file_nocache``
    The same with ``--no-cache``: start-up plus a real analysis (information).
``lint_edited_router``
    ``lazyimport lint app/routers/r07.py`` in the 62-router app right after the
    router was edited (its text changes before every run, untimed, as an editor
    saves it), vs ``python -c pass``: what a pre-commit hook pays.  No recorded
    answer applies; the other files' facts are cached from an earlier run.
``fix_routers``
    ``lazyimport fix .`` on a fresh copy of the router corpus vs ``python -m
    libcst.tool codemod remove_unused_imports.RemoveUnusedImportsCommand -j 2
    --no-format .`` on another fresh copy (copies made untimed before each run).
``lazy_attr``
    Attribute access through a name bound by ``lazy_import`` after its first
    use vs the same through a plain import, timed with ``timeit`` in a
    subprocess.
``lazy_routers_login``
    Seconds from ``gunicorn`` start (one uvicorn worker) to the first 200 on
    ``/login`` for the app of ``lazy_routers.py``: login and health routers
    plus 62 routers whose route signatures name real heavy classes, the 62
    included with ``include_lazily``, vs the same app with only login and
    health.  The three variants of that script (eager, lazy, login-only)
    alternate in every round.  Then, untimed, one lazy server answers a heavy
    route and ``/openapi.json`` (both timed once, for the note).  This figure
    always measures the working tree's ``routers.py``, even with ``--rev``.
``lazy_routers_login_eager``
    The same rounds: the 62 routers included eagerly vs login-only
    (information: what the lazy routers save).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
import venv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
VENV = WORK / f"venv-{sys.version_info[0]}.{sys.version_info[1]}"  # one per interpreter version
CORPUS = WORK / "corpus"

sys.path.insert(0, str(HERE))
import corpora  # noqa: E402  (a sibling script, not a package)
import lazy_routers  # noqa: E402  (likewise)

# What the benchmark venv needs: lazyimport's own dependencies, the baselines,
# the real heavy packages of the start-up figure and a profiler.
REQUIREMENTS = [
    "pip>=25.2",  # its console scripts no longer run `import re` (see ensure_venv)
    "libcst>=1.0",
    "click>=8.0",
    "tomli>=1.1; python_version < '3.11'",
    "ruff",
    "fastapi",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "boto3",
    "sympy",
    "pyinstrument",
    "py-spy",
    "uvicorn",  # lazy_routers_login: the servers
    "uvicorn-worker",
    "gunicorn",
]

HEAVY_REAL = ("pandas", "numpy", "scipy", "sklearn", "matplotlib", "boto3", "sympy")


# -- environment -----------------------------------------------------------------


def venv_bin(name: str) -> Path:
    folder = VENV / ("Scripts" if os.name == "nt" else "bin")
    return folder / (name + (".exe" if os.name == "nt" and name != "lazyimport" else ""))


def python() -> str:
    return str(venv_bin("python"))


def clean_env(**extra: str) -> dict[str, str]:
    """The environment every measured command gets: the venv first on PATH, nothing leaking in."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE",
                        "PYTHONPROFILEIMPORTTIME", "VIRTUAL_ENV", "RUFF_CACHE_DIR"}}
    env["PATH"] = str(venv_bin("python").parent) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    env["MPLBACKEND"] = "Agg"
    env.update(extra)
    return env


def export_revision(rev: str) -> Path:
    """Extract ``lazyimport_codemod`` at a git revision into ``.work/src/<sha>`` (read-only use of git)."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip()
    dest = WORK / "src" / sha
    if not (dest / "pyproject.toml").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha, "lazyimport_codemod",
                                  "pyproject.toml"], cwd=REPO,
                                 check=True, capture_output=True).stdout
        import io
        import tarfile
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(dest, **options)  # type: ignore[arg-type]
    return dest


SOURCE = REPO  # where the measured lazyimport_codemod lives; --rev changes it


def ensure_venv(log: Callable[[str], None]) -> None:
    """Create ``.work/venv`` and install :data:`REQUIREMENTS` unless already done."""
    stamp = VENV / ".benchmark-requirements"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if not venv_bin("python").exists():
        log(f"creating {VENV.relative_to(REPO)}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not stamp.exists() or stamp.read_text() != wanted:
        log("installing " + ", ".join(r.split(";")[0] for r in REQUIREMENTS) + " (once)")
        subprocess.run([python(), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True,
                       env=clean_env())
        stamp.write_text(wanted)
    purelib = subprocess.run([python(), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True, env=clean_env()).stdout.strip()
    # The working tree's package (or --rev's export), importable as if installed in editable mode.
    pth = Path(purelib) / "lazyimport_worktree.pth"
    if not pth.exists() or pth.read_text().strip() != str(SOURCE):
        pth.write_text(str(SOURCE) + "\n")
    # The console script for [project.scripts] lazyimport, read from the measured revision's
    # pyproject.toml (the entry point moved from cli:main to launcher:main), written by the
    # venv's own pip (upgraded by REQUIREMENTS): what `pip install lazyimport` gives a user.
    module, function = entry_point(SOURCE / "pyproject.toml")
    subprocess.run([python(), "-c", PIP_SCRIPT_MAKER, str(venv_bin("python").parent),
                    f"lazyimport = {module}:{function}"], check=True, env=clean_env())
    # Information figures: the template of pip < 25.2 (and of pypa/installer) runs `import re`
    # first (about 5 ms of start-up here); uv writes no `import re` either.
    old_pip_text = (f"#!{python()}\nimport re\nimport sys\nfrom {module} import {function}\n"
                    "if __name__ == '__main__':\n"
                    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                    f"    sys.exit({function}())\n")
    uv_text = (f"#!{python()}\nimport sys\nfrom {module} import {function}\n"
               "if __name__ == '__main__':\n"
               "    if sys.argv[0].endswith('-script.pyw'):\n"
               "        sys.argv[0] = sys.argv[0][:-11]\n"
               "    elif sys.argv[0].endswith('.exe'):\n"
               "        sys.argv[0] = sys.argv[0][:-4]\n"
               f"    sys.exit({function}())\n")
    for path, content in ((venv_bin("lazyimport-oldpip"), old_pip_text), (venv_bin("lazyimport-uv"), uv_text)):
        if not path.exists() or path.read_text() != content:
            path.write_text(content)
            path.chmod(0o755)


# Run by the venv's python: pip's own script maker writes the console script, as on install.
PIP_SCRIPT_MAKER = """\
import sys
from pip._internal.operations.install.wheel import PipScriptMaker
maker = PipScriptMaker(None, sys.argv[1])
maker.clobber = True
maker.variants = {""}
maker.set_mode = True
maker.make(sys.argv[2])
"""


def entry_point(pyproject: Path) -> tuple[str, str]:
    """``(module, function)`` of the ``lazyimport`` console script in ``pyproject``."""
    found = re.search(r'^lazyimport\s*=\s*"([\w.]+):(\w+)"', pyproject.read_text(), re.MULTILINE)
    if found is None:
        raise SystemExit(f"no lazyimport console script in {pyproject}")
    return found.group(1), found.group(2)


def lazyimport_cmd(script_name: str = "lazyimport") -> list[str]:
    script = venv_bin(script_name)
    return [python(), str(script)] if os.name == "nt" else [str(script)]


def ruff_banned_list() -> list[str]:
    """The built-in heavy list without globs (ruff has no ``langchain*``)."""
    out = subprocess.run(
        [python(), "-c", "import json; from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES as B; "
                         "print(json.dumps([b for b in B if '*' not in b]))"],
        check=True, capture_output=True, text=True, env=clean_env())
    return json.loads(out.stdout)


def ruff_cmd(no_cache: bool) -> list[str]:
    banned = json.dumps(ruff_banned_list())
    cmd = [str(venv_bin("ruff")), "check"]
    if no_cache:
        cmd.append("--no-cache")
    return cmd + ["--select", "TID253", "--config",
                  f"lint.flake8-tidy-imports.banned-module-level-imports={banned}", "."]


def lint_supports_no_cache() -> bool:
    out = subprocess.run([*lazyimport_cmd(), "lint", "--help"], capture_output=True, text=True, env=clean_env())
    return "--no-cache" in out.stdout


def fix_available() -> tuple[bool, str]:
    if not (SOURCE / "lazyimport_codemod" / "fix" / "transform.py").exists():
        return False, "lazyimport_codemod/fix/transform.py does not exist yet"
    out = subprocess.run([*lazyimport_cmd(), "fix", "--help"], capture_output=True, text=True, env=clean_env())
    if out.returncode != 0:
        return False, "`lazyimport fix --help` failed: " + (out.stderr.strip().splitlines() or ["?"])[-1]
    return True, ""


# -- timing ----------------------------------------------------------------------


class CommandFailed(Exception):
    pass


def timed(cmd: Sequence[str], cwd: Path, ok: Sequence[int] = (0,), env: Optional[dict[str, str]] = None) -> float:
    """Wall time of one command, output discarded; an unexpected exit code is an error."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=cwd, env=env or clean_env(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    # Exit code 1 means "diagnostics" for lint and fix, but Python exits 1 on a crash too.
    if proc.returncode not in ok or b"Traceback (most recent call last)" in proc.stderr:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise CommandFailed(f"{' '.join(cmd[:3])}... in {cwd} exited {proc.returncode}: " + " | ".join(tail))
    return elapsed


def alternate(a: Callable[[], float], b: Callable[[], float], repeat: int, warmup: int = 1) -> tuple[list[float], list[float]]:
    """Run a and b alternately (a b, b a, ...) after ``warmup`` untimed rounds."""
    for _ in range(warmup):
        a()
        b()
    xs: list[float] = []
    ys: list[float] = []
    for i in range(repeat):
        if i % 2 == 0:
            xs.append(a())
            ys.append(b())
        else:
            ys.append(b())
            xs.append(a())
    return xs, ys


@dataclass
class Figure:
    name: str
    label: str
    target: str
    limit: Optional[float]  # ratio must be <= limit; None: information only
    ours: Optional[float] = None
    base: Optional[float] = None
    ours_runs: list[float] = field(default_factory=list)
    base_runs: list[float] = field(default_factory=list)
    note: str = ""
    skipped: str = ""

    @property
    def ratio(self) -> Optional[float]:
        if self.ours is None or not self.base:
            return None
        return self.ours / self.base

    @property
    def ok(self) -> str:
        if self.skipped:
            return "skip"
        if self.limit is None or self.ratio is None:
            return "-"
        return "yes" if self.ratio <= self.limit else "NO"

    def record(self, xs: list[float], ys: list[float]) -> None:
        self.ours_runs, self.base_runs = xs, ys
        self.ours, self.base = statistics.median(xs), statistics.median(ys)


# -- figures ---------------------------------------------------------------------


def remove_caches(root: Path) -> None:
    """Delete every ``.lazyimport_cache`` folder in the corpus, so the next run is cold."""
    for cache in list(root.rglob(".lazyimport_cache")):
        shutil.rmtree(cache, ignore_errors=True)


def prime_cache(cmd: list[str], folder: Path) -> None:
    """A user's cache already exists; here the first run creates it.  Lint stores results
    only from stamps older than two seconds (and creating the cache folder makes the
    corpus folder young), so prime it as a second session would: one run, then a pause."""
    timed(cmd, folder, ok=(0, 1))
    time.sleep(2.1)


def edited_router_figure(fig: Figure, repeat: int) -> None:
    """See ``lint_edited_router`` in the module docstring."""
    app = CORPUS / "startup" / "before"
    router = app / "app" / "routers" / "r07.py"
    original = router.read_text()
    command = [*lazyimport_cmd(), "lint", "app/routers/r07.py"]
    edits = iter(range(10 ** 6))
    remove_caches(app)
    prime_cache(command, app)

    def ours() -> float:
        router.write_text(original + f"# edit {next(edits)}\n")
        return timed(command, app, ok=(0, 1))

    try:
        fig.record(*alternate(ours, lambda: timed([python(), "-c", "pass"], app), repeat))
    finally:
        router.write_text(original)


def lint_figure(fig: Figure, corpus: Path, repeat: int, warm: bool, no_cache_flag: bool,
                script_name: str = "lazyimport") -> None:
    ours_cmd = [*lazyimport_cmd(script_name), "lint", "."]
    if not warm and no_cache_flag:
        ours_cmd.insert(-1, "--no-cache")
    base_cmd = ruff_cmd(no_cache=not warm)
    if warm:
        remove_caches(corpus)
        shutil.rmtree(corpus / ".ruff_cache", ignore_errors=True)

    def ours() -> float:
        if not warm:
            remove_caches(corpus)
        return timed(ours_cmd, corpus, ok=(0, 1))

    def base() -> float:
        return timed(base_cmd, corpus, ok=(0, 1))

    if warm and no_cache_flag:
        prime_cache(ours_cmd, corpus)
    fig.record(*alternate(ours, base, repeat))
    if warm and not no_cache_flag:
        fig.note = "lazyimport has no cache yet: warm = cold"


IMPORT_SNIPPET = """\
import json, sys, time
start = time.perf_counter()
import app.main
elapsed = time.perf_counter() - start
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(%r))
print(json.dumps({"seconds": elapsed, "heavy": heavy}))
""" % (HEAVY_REAL,)


def import_time(folder: Path, seen_heavy: dict[str, list[str]]) -> float:
    proc = subprocess.run([python(), "-c", IMPORT_SNIPPET], cwd=folder, env=clean_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CommandFailed(f"import app.main in {folder} failed: " + " | ".join(proc.stderr.strip().splitlines()[-5:]))
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    seen_heavy[folder.name] = data["heavy"]
    return float(data["seconds"])


def fixed_startup_app(log: Callable[[str], None]) -> Path:
    """Copy the 'before' app to 'fixed' and run ``lazyimport fix`` on it."""
    before = CORPUS / "startup" / "before"
    fixed = CORPUS / "startup" / "fixed"
    if fixed.exists():
        shutil.rmtree(fixed)
    shutil.copytree(before, fixed, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([*lazyimport_cmd(), "fix", "app"], cwd=fixed, env=clean_env(),
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise CommandFailed("lazyimport fix on the start-up app exited "
                            f"{proc.returncode}: {proc.stderr.strip()[-500:]}")
    summary = (proc.stderr.strip().splitlines() or ["(no summary)"])[-1]
    log(f"fix on the start-up app: exit {proc.returncode}: {summary}")
    (WORK / "startup-fix.log").write_text(proc.stdout + proc.stderr)
    return fixed


def app_import_figure(fig: Figure, variant: Path, repeat: int) -> None:
    stripped = CORPUS / "startup" / "stripped"
    heavy: dict[str, list[str]] = {}
    fig.record(*alternate(lambda: import_time(variant, heavy), lambda: import_time(stripped, heavy), repeat))
    fig.note = f"heavy packages loaded: {variant.name}: {', '.join(heavy.get(variant.name, [])) or 'none'}"


def fix_figure(fig: Figure, repeat: int) -> None:
    source = CORPUS / "routers"
    ours_dir = WORK / "fix" / "lazyimport"
    base_dir = WORK / "fix" / "libcst"

    def fresh(dest: Path) -> None:
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache", ".lazyimport_cache"))

    def ours() -> float:
        fresh(ours_dir)
        return timed([*lazyimport_cmd(), "fix", "."], ours_dir, ok=(0, 1))

    def base() -> float:
        fresh(base_dir)
        return timed([python(), "-m", "libcst.tool", "codemod", "remove_unused_imports.RemoveUnusedImportsCommand",
                      "-j", "2", "--no-format", "."], base_dir, ok=(0,))

    # No warm-up round: every run starts from a fresh copy anyway, and a libcst run costs minutes.
    fig.record(*alternate(ours, base, repeat, warmup=0))
    changed = sum(1 for path in source.rglob("*.py")
                  if path.read_bytes() != (ours_dir / path.relative_to(source)).read_bytes())
    fig.note = f"files rewritten by lazyimport fix: {changed}"


LAZY_MOD = '''\
"""Bound by lazy_import, touched once at import (which loads json and rebinds the name)."""
from lazyimport_codemod.runtime import lazy_import

js = lazy_import("json")
js.dumps  # first use


def access():
    return (js.dumps, js.loads, js.dumps, js.loads, js.dumps,
            js.loads, js.dumps, js.loads, js.dumps, js.loads)
'''

PLAIN_MOD = '''\
"""The same with a plain import."""
import json as js


def access():
    return (js.dumps, js.loads, js.dumps, js.loads, js.dumps,
            js.loads, js.dumps, js.loads, js.dumps, js.loads)
'''

LAZY_TIMER = '''\
import json, timeit, types
import lazy_mod, plain_mod
assert isinstance(lazy_mod.js, types.ModuleType), type(lazy_mod.js)
best = {"lazy": float("inf"), "plain": float("inf")}
for i in range(10):
    for name, mod in ((("lazy", lazy_mod), ("plain", plain_mod)) if i % 2 == 0 else (("plain", plain_mod), ("lazy", lazy_mod))):
        t = timeit.Timer(mod.access).timeit(number=200_000) / 200_000 / 10
        best[name] = min(best[name], t)
print(json.dumps({**best, "bound_type": type(lazy_mod.js).__name__}))
'''


def lazy_attr_figure(fig: Figure, repeat: int) -> None:
    folder = WORK / "lazyattr"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lazy_mod.py").write_text(LAZY_MOD)
    (folder / "plain_mod.py").write_text(PLAIN_MOD)
    (folder / "timer.py").write_text(LAZY_TIMER)
    xs: list[float] = []
    ys: list[float] = []
    bound = ""
    for _ in range(repeat):
        proc = subprocess.run([python(), "timer.py"], cwd=folder, env=clean_env(), capture_output=True, text=True)
        if proc.returncode != 0:
            raise CommandFailed("lazy_attr timer failed: " + proc.stderr.strip()[-500:])
        data = json.loads(proc.stdout)
        xs.append(data["lazy"])
        ys.append(data["plain"])
        bound = data["bound_type"]
    fig.record(xs, ys)
    fig.note = f"per attribute access (ns); after first use the name is a {bound}"


def lazy_routers_runs(repeat: int, log: Callable[[str], None]) -> dict[str, object]:
    """Seconds to the first /login for every variant of ``lazy_routers.py``, and a check of lazy.

    Rounds alternate the order of the variants after one untimed round (warm
    file caches, ``.pyc`` files written: the measured servers get
    :func:`clean_env`, without ``PYTHONDONTWRITEBYTECODE``).
    """
    from unittest import mock

    lazy_routers.build_app()
    venv_python = Path(python())
    runs: dict[str, list[float]] = {variant: [] for variant in lazy_routers.VARIANTS}
    # lazy_routers.Gunicorn starts from os.environ (adding its own PYTHONPATH).
    with mock.patch.dict(os.environ, clean_env(), clear=True):
        for variant in lazy_routers.VARIANTS:
            lazy_routers.measure(venv_python, variant)
        for round_ in range(repeat):
            order = lazy_routers.VARIANTS if round_ % 2 == 0 else tuple(reversed(lazy_routers.VARIANTS))
            for variant in order:
                runs[variant].append(lazy_routers.measure(venv_python, variant))
        log("lazy_routers: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in runs.items()))
        check = lazy_routers_check(venv_python)
    return {"runs": runs, "check": check}


def lazy_routers_check(venv_python: Path) -> str:
    """One lazy server, untimed by the figure: a heavy route, then the first and second schema."""
    server = lazy_routers.Gunicorn(venv_python, "lazy")
    try:
        server.seconds_to_login()
        started = time.monotonic()
        status = lazy_routers.get(server.url("/r00/items/1"), timeout=120)
        first_route = time.monotonic() - started
        started = time.monotonic()
        with urllib.request.urlopen(server.url("/openapi.json"), timeout=300) as response:
            paths = json.loads(response.read())["paths"]
        first_schema = time.monotonic() - started
        started = time.monotonic()
        again = lazy_routers.get(server.url("/openapi.json"), timeout=60)
        second_schema = time.monotonic() - started
        listed = sum(1 for k in range(lazy_routers.ROUTERS) if f"/r{k:02d}/items/{{item_id}}" in paths)
        answered = [lazy_routers.get(server.url(f"/r{k:02d}/items/1"), timeout=60) for k in range(1, 8)]
    except (OSError, ValueError, KeyError) as exc:
        return f"lazy server check failed: {exc!r} (see {server.log.name})"
    finally:
        server.stop()
    return (f"lazy server: first /r00/items/1 (imports pandas) {status} in {first_route:.2f} s; "
            f"first /openapi.json (imports the other 61) in {first_schema:.2f} s, lists "
            f"{listed}/{lazy_routers.ROUTERS} routers; second {again} in {second_schema * 1000:.0f} ms; "
            f"/r01..r07/items/1 answer {sorted(set(answered))}")


_LAZY_ROUTER_RESULTS: dict[str, object] = {}


def lazy_routers_figure(fig: Figure, repeat: int, log: Callable[[str], None]) -> None:
    """``lazy_routers_login`` (lazy vs login-only) or ``..._eager`` (eager vs login-only), one set of rounds."""
    if not _LAZY_ROUTER_RESULTS:
        try:
            _LAZY_ROUTER_RESULTS.update(lazy_routers_runs(repeat, log))
        except SystemExit as exc:  # lazy_routers.py stops that way when a server fails
            raise CommandFailed(str(exc)) from None
    runs: dict[str, list[float]] = _LAZY_ROUTER_RESULTS["runs"]  # type: ignore[assignment]
    variant = "eager" if fig.name.endswith("_eager") else "lazy"
    fig.record(runs[variant], runs["login_only"])
    if variant == "lazy":
        fig.note = str(_LAZY_ROUTER_RESULTS["check"])


# -- driver ----------------------------------------------------------------------


FIGURES = [
    Figure("app_import", "import app.main after fix / heavy imports deleted (62 routers)", "<= 1.10", 1.10),
    Figure("app_import_before", "import app.main before fix / heavy imports deleted", "~7.8 (info)", None),
    Figure("lint_stdlib_cold", "lint, cold: stdlib copy (clean) vs ruff TID253", "<= 3x", 3.0),
    Figure("lint_routers_cold", "lint, cold: generated routers (dirty) vs ruff TID253", "<= 10x", 10.0),
    Figure("lint_stdlib_warm", "lint, warm (cache allowed): stdlib copy vs ruff", "<= 1.5x", 1.5),
    Figure("lint_routers_warm", "lint, warm (cache allowed): routers vs ruff", "<= 1.5x", 1.5),
    Figure("lint_stdlib_warm_uvscript", "the same as lint_stdlib_warm, console script as uv writes it",
           "info", None),
    Figure("lint_stdlib_warm_oldpipscript", "the same as lint_stdlib_warm, console script as pip < 25.2 "
           "wrote it (`import re` first)", "info", None),
    Figure("lint_one_file", "lint one_file.py vs python -c pass", "<= 4x", 4.0),
    Figure("lint_one_file_nocache", "lint --no-cache one_file.py vs python -c pass", "info", None),
    Figure("lint_edited_router", "lint of one just-edited router in the 62-router app vs python -c pass",
           "<= 4x", 4.0),
    Figure("fix_routers", "fix on the router corpus vs libcst remove_unused_imports -j 2", "<= 0.5x", 0.5),
    Figure("lazy_attr", "attribute access via lazy_import name (after first use) vs plain import", "1.00x (<= 1.05)", 1.05),
    Figure("lazy_routers_login", "gunicorn start to first 200 on /login: 62 heavy routers included lazily "
           "vs login and health only", "<= 1.20", 1.20),
    Figure("lazy_routers_login_eager", "the same with the 62 routers included eagerly vs login and health only",
           "info", None),
]


def selected(only: Optional[str]) -> list[Figure]:
    if not only:
        return list(FIGURES)
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    out = [f for f in FIGURES if any(f.name == w or f.name.startswith(w) for w in wanted)]
    if not out:
        raise SystemExit(f"--only {only!r} matches no figure; names: {', '.join(f.name for f in FIGURES)}")
    return out


def fmt_seconds(value: Optional[float], name: str) -> str:
    if value is None:
        return "-"
    if name == "lazy_attr":
        return f"{value * 1e9:.2f} ns"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def table(figures: list[Figure], markdown: bool) -> str:
    rows = [("figure", "lazyimport", "baseline", "ratio", "target", "ok")]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}"
        rows.append((f.name, fmt_seconds(f.ours, f.name), fmt_seconds(f.base, f.name), ratio, f.target,
                     f.ok if not f.skipped else "skip"))
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def describe_machine() -> str:
    if SOURCE != REPO:
        rev, dirty = SOURCE.name, ""
    else:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lazyimport_codemod"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
    ruff = subprocess.run([str(venv_bin("ruff")), "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{ruff}, lazyimport {rev}{'+dirty' if dirty else ''}")


def set_source(rev: Optional[str]) -> None:
    """Measure the working tree (None) or a git revision."""
    global SOURCE
    SOURCE = export_revision(rev) if rev else REPO


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated figure names or prefixes (e.g. lint,lazy_attr)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per side (median taken); default 5")
    parser.add_argument("--json", type=Path, help="also write the results here (default .work/results.json)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--rev", help="measure lazyimport_codemod as of this git revision (exported with "
                                      "git archive) instead of the working tree")
    args = parser.parse_args(argv)
    set_source(args.rev)

    def log(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    figures = selected(args.only)
    WORK.mkdir(exist_ok=True)
    ensure_venv(log)
    counts = corpora.build_all(WORK)
    log("corpora: " + ", ".join(f"{k} {v} files" for k, v in counts.items()))
    no_cache_flag = lint_supports_no_cache()
    fix_ok, fix_why = fix_available()
    fixed_app: Optional[Path] = None

    for fig in figures:
        log(f"{fig.name} ...")
        started = time.perf_counter()
        try:
            if fig.name == "app_import":
                if not fix_ok:
                    fig.skipped = fix_why
                    continue
                fixed_app = fixed_app or fixed_startup_app(log)
                app_import_figure(fig, fixed_app, args.repeat)
            elif fig.name == "app_import_before":
                app_import_figure(fig, CORPUS / "startup" / "before", args.repeat)
            elif fig.name == "lint_edited_router":
                edited_router_figure(fig, args.repeat)
            elif fig.name.startswith("lint_") and not fig.name.startswith("lint_one_file"):
                corpus = CORPUS / fig.name.split("_")[1]
                script_name = {"uvscript": "lazyimport-uv", "oldpipscript": "lazyimport-oldpip"}.get(
                    fig.name.rsplit("_", 1)[1], "lazyimport")
                lint_figure(fig, corpus, args.repeat, warm="_warm" in fig.name, no_cache_flag=no_cache_flag,
                            script_name=script_name)
            elif fig.name.startswith("lint_one_file"):
                one = CORPUS / "one"
                flags = ["--no-cache"] if fig.name.endswith("_nocache") else []
                if not flags:
                    prime_cache([*lazyimport_cmd(), "lint", "one_file.py"], one)
                fig.record(*alternate(lambda: timed([*lazyimport_cmd(), "lint", *flags, "one_file.py"], one,
                                                    ok=(0, 1)),
                                      lambda: timed([python(), "-c", "pass"], one), args.repeat))
            elif fig.name == "fix_routers":
                if not fix_ok:
                    fig.skipped = fix_why
                    continue
                fix_figure(fig, args.repeat)
            elif fig.name == "lazy_attr":
                lazy_attr_figure(fig, args.repeat)
            elif fig.name.startswith("lazy_routers_login"):
                lazy_routers_figure(fig, args.repeat, log)
        except CommandFailed as exc:
            fig.skipped = f"failed: {exc}"
        finally:
            log(f"{fig.name}: {time.perf_counter() - started:.1f} s"
                + (f" ({fig.skipped})" if fig.skipped else f", ratio {fig.ratio:.2f}" if fig.ratio else ""))

    machine = describe_machine()
    print(f"\n{machine}; repeat={args.repeat}, medians of alternating runs\n")
    print(table(figures, args.markdown))
    notes = [f"  {f.name}: {f.skipped or f.note}" for f in figures if f.skipped or f.note]
    if notes:
        print("\nnotes:\n" + "\n".join(notes))
    out = args.json or WORK / "results.json"
    out.write_text(json.dumps({"machine": machine, "repeat": args.repeat, "corpora": counts,
                               "figures": [{**asdict(f), "ratio": f.ratio, "ok": f.ok} for f in figures]},
                              indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
