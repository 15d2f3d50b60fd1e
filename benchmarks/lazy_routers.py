"""Seconds from ``gunicorn`` start to the first 200 on ``/login``: eager, lazy, login-only.

The app has a login router, a health router and 62 routers whose route signatures name heavy
classes, so no import deferral can make them light: ``frame: pandas.DataFrame =
Depends(load_frame)``, a pydantic model with a ``numpy.ndarray`` field
(``arbitrary_types_allowed``), ``scipy.stats.rv_continuous``, ``sklearn`` estimators,
``matplotlib.figure.Figure``, ``boto3.session.Session`` and ``sympy.Symbol``, cycling over the
routers. Three variants of its ``main`` module are measured:

* ``eager``: imports and includes all 64 routers, as the app is written today;
* ``lazy``: login and health eager, the 62 others with ``include_lazily`` (this module's point);
* ``login_only``: only login and health: the floor.

Target: lazy within 20% of login-only. Each variant is started with
``gunicorn <variant>:app -k uvicorn_worker.UvicornWorker -w 1`` on 127.0.0.1, polled every
10 ms until ``/login`` answers 200, then stopped. Rounds alternate the variants (after one
untimed warm-up round, so every run reads warm file caches); the figure is the median of
``--repeat`` rounds. After the timed rounds, one lazy server is checked untimed: a heavy route
answers 200 and ``/openapi.json`` lists all 62 routers' paths.

It creates ``benchmarks/.work/venv-routers-X.Y`` on first use (fastapi, uvicorn,
uvicorn-worker, gunicorn, pandas, numpy, scipy, scikit-learn, matplotlib, boto3, sympy; about
600 MB) and generates the app under ``benchmarks/.work/lazy_routers/``. The code measured is the
working tree: the repository root is put first on the servers' ``PYTHONPATH``.

    python3 benchmarks/lazy_routers.py [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
VENV = WORK / f"venv-routers-{sys.version_info[0]}.{sys.version_info[1]}"
APP = WORK / "lazy_routers"
ROUTERS = 62
VARIANTS = ("eager", "lazy", "login_only")
REQUIREMENTS = [
    "fastapi",
    "uvicorn",
    "uvicorn-worker",
    "gunicorn",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "boto3",
    "sympy",
]

# (import line, annotation in the route signature, dependency body): FastAPI evaluates the
# annotation when the module is imported, so the import cannot move into a function.
HEAVY = [
    ("import pandas as pd", "pd.DataFrame", "pd.DataFrame({'a': [1, 2]})"),
    ("import numpy as np", "Stats", "Stats(values=np.arange(3))"),
    ("from scipy import stats", "stats.rv_continuous", "stats.norm"),
    ("from sklearn.linear_model import LinearRegression", "LinearRegression", "LinearRegression()"),
    ("from matplotlib.figure import Figure", "Figure", "Figure()"),
    ("from boto3.session import Session", "Session", "Session(region_name='eu-west-1')"),
    ("from sympy import Symbol", "Symbol", "Symbol('x')"),
]

ROUTER = '''
from typing import Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

{import_line}


class Stats(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    values: Optional[{array}] = None


class Item(BaseModel):
    name: str
    price: float = 0.0


router = APIRouter()


def heavy_thing() -> {annotation}:
    return {body}


@router.get("/items/{{item_id}}")
def read_item(item_id: int, thing: {annotation} = Depends(heavy_thing)) -> dict:
    return {{"router": {k}, "item": item_id, "thing": type(thing).__name__}}


@router.post("/items")
def create_item(item: Item, thing: {annotation} = Depends(heavy_thing)) -> Item:
    return item


@router.get("/summary")
def summary(thing: {annotation} = Depends(heavy_thing)) -> dict:
    return {{"router": {k}}}
'''

COMMON = '''
from fastapi import FastAPI

from benchapp.routers import health, login

app = FastAPI(title="lazy routers benchmark")
app.include_router(login.router)
app.include_router(health.router)
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def build_app() -> None:
    shutil.rmtree(APP, ignore_errors=True)
    pkg = APP / "benchapp"
    write(pkg / "__init__.py", "")
    write(pkg / "routers" / "__init__.py", "")
    write(pkg / "routers" / "login.py", '''
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/login")
        def login() -> dict:
            return {"token": "t"}
        ''')
    write(pkg / "routers" / "health.py", '''
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/health")
        def health() -> dict:
            return {"ok": True}
        ''')
    names = [f"r{k:02d}" for k in range(ROUTERS)]
    for k, name in enumerate(names):
        import_line, annotation, body = HEAVY[k % len(HEAVY)]
        # Every router's model names a numpy array: numpy comes with pandas, scipy, sklearn...
        array = "np.ndarray" if "numpy" in import_line else "list"
        write(pkg / "routers" / f"{name}.py", ROUTER.format(
            import_line=import_line, annotation=annotation, body=body, array=array, k=k))
    write(pkg / "eager.py", COMMON + "from benchapp.routers import (\n" + "".join(
        f"    {name},\n" for name in names) + ")\n\n" + "".join(
        f"app.include_router({name}.router, prefix='/{name}', tags=[{name!r}])\n" for name in names))
    write(pkg / "lazy.py", COMMON + "from lazyimport_codemod.routers import include_lazily\n\n" + "".join(
        f"include_lazily(app, 'benchapp.routers.{name}:router', prefix='/{name}', tags=[{name!r}])\n"
        for name in names))
    write(pkg / "login_only.py", COMMON)


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / ".complete"
    if not marker.exists():
        print(f"creating {VENV} (first run; about 600 MB)", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        marker.write_text("")
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


class Gunicorn:
    def __init__(self, python: Path, variant: str) -> None:
        self.port = free_port()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(APP), str(REPO)])
        self.log = open(WORK / "lazy_routers_server.log", "ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [str(python), "-m", "gunicorn", f"benchapp.{variant}:app", "-k", "uvicorn_worker.UvicornWorker",
             "-w", "1", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "120"],
            env=env, cwd=str(APP), stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def seconds_to_login(self, limit: float = 120.0) -> float:
        while time.monotonic() - self.started < limit:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            if get(self.url("/login"), timeout=2.0) == 200:
                return time.monotonic() - self.started
            time.sleep(0.01)
        raise SystemExit(f"no 200 on /login within {limit} s")

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        finally:
            self.log.close()


def measure(python: Path, variant: str) -> float:
    server = Gunicorn(python, variant)
    try:
        return server.seconds_to_login()
    finally:
        server.stop()


def check_lazy(python: Path) -> Dict[str, object]:
    server = Gunicorn(python, "lazy")
    try:
        server.seconds_to_login()
        started = time.monotonic()
        status = get(server.url("/r00/items/1"), timeout=120)
        first_heavy = time.monotonic() - started
        with urllib.request.urlopen(server.url("/openapi.json"), timeout=300) as response:
            paths = json.loads(response.read())["paths"]
        listed = sum(1 for k in range(ROUTERS) if f"/r{k:02d}/items/{{item_id}}" in paths)
        return {"heavy_route_status": status, "first_heavy_request_s": round(first_heavy, 3),
                "routers_in_openapi": listed}
    finally:
        server.stop()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    python = ensure_venv()
    build_app()
    (WORK / "lazy_routers_server.log").unlink(missing_ok=True)
    for variant in VARIANTS:  # warm-up round, untimed: file caches, .pyc files
        measure(python, variant)
    runs: Dict[str, List[float]] = {variant: [] for variant in VARIANTS}
    for round_ in range(args.repeat):
        order = VARIANTS if round_ % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            runs[variant].append(measure(python, variant))
    median = {variant: statistics.median(values) for variant, values in runs.items()}
    check = check_lazy(python)
    result = {
        "python": sys.version.split()[0],
        "repeat": args.repeat,
        "seconds": {k: [round(v, 3) for v in values] for k, values in runs.items()},
        "median_s": {k: round(v, 3) for k, v in median.items()},
        "lazy_over_login_only": round(median["lazy"] / median["login_only"], 3),
        "eager_over_login_only": round(median["eager"] / median["login_only"], 3),
        "target_lazy_over_login_only": 1.2,
        "check": check,
    }
    (WORK / "lazy_routers.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"gunicorn start -> first 200 on /login, median of {args.repeat} (Python {result['python']}):")
        for variant in VARIANTS:
            print(f"  {variant:<11} {median[variant]:6.3f} s   runs: {result['seconds'][variant]}")
        print(f"  lazy / login-only  = {result['lazy_over_login_only']:.3f} (target <= 1.20)")
        print(f"  eager / login-only = {result['eager_over_login_only']:.3f}")
        print(f"  lazy server check: {check}")
    return 0 if median["lazy"] <= 1.2 * median["login_only"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
