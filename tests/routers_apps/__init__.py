"""Test apps for ``lazyimport_codemod.routers``, written into a tmp dir, and server helpers.

Each router imports its own fake heavy package, ``fakeheavy_<name>``, which sleeps on import
(``FAKEHEAVY_SECONDS``, or ``FAKEHEAVY_SECONDS_<name>`` for one package) and appends
``start <name> <time>`` and ``end <name> <time>`` lines to the file named by ``FAKEHEAVY_LOG``,
so a test can count imports and see when one ran. ``fakeheavy_broken`` raises at the end of
its import until the file named by ``FAKEHEAVY_FIXED`` exists.

The apps come in pairs: ``<app>.eager`` imports and includes every router at startup, as the
app would without lazyimport; ``<app>.lazy`` names them with ``include_lazily`` /
``register_blueprint_lazily``; ``<app>.lazy_warm`` also calls ``warm_up``. Login and health are
eager in all of them.

Servers run on 127.0.0.1 on a free port, in their own process group (so gunicorn's workers go
with them), and are always stopped by :func:`stop`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[2]
ROUTERS = [f"r{i}" for i in range(10)]

FAKEHEAVY = '''
import os
import time

_NAME = {name!r}


def _log(what):
    with open(os.environ["FAKEHEAVY_LOG"], "a", encoding="utf-8") as log:
        log.write("%s %s %.6f\\n" % (what, _NAME, time.time()))


_log("start")
time.sleep(float(os.environ.get("FAKEHEAVY_SECONDS_" + _NAME, os.environ.get("FAKEHEAVY_SECONDS", "0.5"))))
if _NAME == "broken" and not os.path.exists(os.environ.get("FAKEHEAVY_FIXED", "")):
    _log("fail")
    raise RuntimeError("fakeheavy_broken cannot load yet")
_log("end")


class Frame:
    """Stands for a heavy class (a DataFrame) that a route signature names."""

    source = _NAME
'''

FASTAPI_ROUTER = '''
from fastapi import APIRouter, Depends, WebSocket

from fakeheavy_{name} import Frame

router = APIRouter()


def get_frame() -> Frame:
    return Frame()


@router.get("/items/{{item_id}}")
def read_item(item_id: int, frame: Frame = Depends(get_frame)):
    return {{"router": {name!r}, "item": item_id, "frame": frame.source}}


@router.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text({name!r} + ":" + await websocket.receive_text())
    await websocket.close()
'''

FASTAPI_COMMON = '''
from fastapi import APIRouter, FastAPI

app = FastAPI()
login = APIRouter()
health = APIRouter()


@login.get("/login")
def do_login():
    return {"token": "t"}


@health.get("/health")
def check_health():
    return {"ok": True}


app.include_router(login)
app.include_router(health)
'''

FLASK_BLUEPRINT = '''
from flask import Blueprint, url_for

from fakeheavy_{name} import Frame

bp = Blueprint({name!r}, __name__)


@bp.route("/items/<int:item_id>")
def read_item(item_id):
    return {{"router": {name!r}, "item": item_id, "frame": Frame.source, "self": url_for(".read_item", item_id=item_id)}}
'''

FLASK_COMMON = '''
from flask import Flask, url_for

app = Flask(__name__)


@app.route("/login")
def do_login():
    return {"token": "t"}


@app.route("/health")
def check_health():
    return {"ok": True}


@app.route("/link/<name>")
def link(name):
    return {"url": url_for(name + ".read_item", item_id=7)}
'''


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def write_fake_heavy(site: Path, names: List[str]) -> None:
    for name in names:
        _write(site / f"fakeheavy_{name}" / "__init__.py", FAKEHEAVY.format(name=name))


def write_fastapi_app(site: Path, package: str = "tenapp", routers: List[str] = ROUTERS) -> None:
    """``<package>.eager``, ``<package>.lazy`` (plus a ``broken`` router) and ``<package>.lazy_warm``."""
    write_fake_heavy(site, routers + ["broken"])
    _write(site / package / "__init__.py", "")
    _write(site / package / "routers" / "__init__.py", "")
    for name in routers + ["broken"]:
        _write(site / package / "routers" / f"{name}.py", FASTAPI_ROUTER.format(name=name))
    eager = FASTAPI_COMMON + "".join(
        f"from {package}.routers.{name} import router as {name}_router\n"
        f"app.include_router({name}_router, prefix='/{name}', tags=[{name!r}])\n"
        for name in routers
    )
    lazy = (
        FASTAPI_COMMON
        + "from lazyimport_codemod.routers import include_lazily, warm_up\n"
        + "".join(
            f"include_lazily(app, '{package}.routers.{name}:router', prefix='/{name}', tags=[{name!r}])\n"
            for name in routers + ["broken"]
        )
    )
    _write(site / package / "eager.py", eager)
    _write(site / package / "lazy.py", lazy)
    _write(site / package / "lazy_warm.py", lazy + "warm_up(app)\n")


def write_flask_app(site: Path, package: str = "tenflask", routers: List[str] = ROUTERS) -> None:
    """``<package>.eager`` and ``<package>.lazy`` (plus a ``broken`` blueprint)."""
    write_fake_heavy(site, routers + ["broken"])
    _write(site / package / "__init__.py", "")
    _write(site / package / "views" / "__init__.py", "")
    for name in routers + ["broken"]:
        _write(site / package / "views" / f"{name}.py", FLASK_BLUEPRINT.format(name=name))
    eager = FLASK_COMMON + "".join(
        f"from {package}.views.{name} import bp as {name}_bp\n"
        f"app.register_blueprint({name}_bp, url_prefix='/{name}')\n"
        for name in routers
    )
    lazy = (
        FLASK_COMMON
        + "from lazyimport_codemod.routers import register_blueprint_lazily\n"
        + "".join(
            f"register_blueprint_lazily(app, '{package}.views.{name}:bp', url_prefix='/{name}')\n"
            for name in routers + ["broken"]
        )
    )
    _write(site / package / "eager.py", eager)
    _write(site / package / "lazy.py", lazy)


def log_lines(log: Path) -> List[Tuple[str, str, float]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        what, name, at = line.split()
        rows.append((what, name, float(at)))
    return rows


def count(log: Path, what: str, name: str) -> int:
    return sum(1 for row in log_lines(log) if row[0] == what and row[1] == name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(site: Path, log: Path, **extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(REPO)])
    env["FAKEHEAVY_LOG"] = str(log)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def uvicorn_worker_class() -> str:
    try:
        import uvicorn_worker  # noqa: F401
    except ImportError:
        return "uvicorn.workers.UvicornWorker"
    return "uvicorn_worker.UvicornWorker"


class Server:
    def __init__(self, argv: List[str], env: Dict[str, str], port: int, output: Path) -> None:
        self.port = port
        self.output = output
        self._out = open(output, "wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            argv,
            env=env,
            cwd=str(output.parent),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() takes the workers too
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def uvicorn(module: str, env: Dict[str, str], tmp: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    return Server(argv, env, port, tmp / f"uvicorn-{port}.log")


def gunicorn(module: str, env: Dict[str, str], tmp: Path, *args: str) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", module, "--bind", f"127.0.0.1:{port}"]
    argv += ["--log-level", "warning", "--graceful-timeout", "2", "--timeout", "60", *args]
    return Server(argv, env, port, tmp / f"gunicorn-{port}.log")


def stop(server: Optional[Server]) -> None:
    if server is None:
        return
    process = server.process
    try:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
    except ProcessLookupError:
        pass
    finally:
        server._out.close()


def request(url: str, timeout: float = 10.0, data: Optional[bytes] = None) -> Tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url: str, timeout: float = 10.0) -> Tuple[int, object]:
    status, body = request(url, timeout)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode("utf-8", "replace")


def wait_until_up(server: Server, path: str = "/login", limit: float = 60.0) -> float:
    """Seconds from process start to the first 200 on ``path`` (bounded loop)."""
    deadline = server.started + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited with {server.process.returncode}:\n{server.text()}")
        try:
            status, _ = request(server.url(path), timeout=2.0)
        except (OSError, urllib.error.URLError):
            status = 0
        if status == 200:
            return time.monotonic() - server.started
        time.sleep(0.02)
    raise AssertionError(f"no 200 on {path} within {limit} s:\n{server.text()}")


def wait_for(predicate, limit: float = 30.0, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
