"""First use of every lazy router under real servers, and health while one loads, on Flask too.

The issue's bar: every route answers correctly on first use, and the health route is never
blocked while a router loads, for ``include_lazily`` (uvicorn) and for the Flask helpers
(gunicorn's threaded worker; a sync worker serves one request at a time, whatever the app
does). The apps are those of ``routers_apps``: each router imports a fake heavy package that
sleeps on import and logs when its import starts and ends.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from routers_apps import (
    FLASK_COMMON,
    ROUTERS,
    _write,
    count,
    environment,
    get_json,
    gunicorn,
    log_lines,
    stop,
    uvicorn,
    wait_for,
    wait_until_up,
    write_fake_heavy,
    write_fastapi_app,
    write_flask_app,
)

SLOW = "r9"


@pytest.fixture(scope="module")
def asgi_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    root = tmp_path_factory.mktemp("first_use_asgi")
    write_fastapi_app(root)
    return root


@pytest.fixture(scope="module")
def flask_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("flask")
    pytest.importorskip("gunicorn")
    root = tmp_path_factory.mktemp("first_use_flask")
    write_flask_app(root)
    # The same views, one add_lazy_view each, the slow one's module importing a slow package.
    write_fake_heavy(root, ["view_slow"])
    _write(root / "tenflask" / "views" / "plain.py", '''
        from fakeheavy_view_slow import Frame


        def slow_view():
            return {"view": "slow", "frame": Frame.source}
        ''')
    _write(root / "tenflask" / "lazy_views.py", FLASK_COMMON + (
        "from lazyimport_codemod.routers import add_lazy_view\n"
        "add_lazy_view(app, '/slow', 'tenflask.views.plain:slow_view')\n"
    ))
    return root


def first_answers(base_url: str) -> List[Tuple[int, object]]:
    return [get_json(f"{base_url}/{name}/items/{index}", timeout=30) for index, name in enumerate(ROUTERS)]


def test_every_fastapi_router_answers_correctly_on_first_use(asgi_site: Path, tmp_path: Path) -> None:
    log = tmp_path / "imports.log"
    server = uvicorn("tenapp.lazy:app", environment(asgi_site, log, FAKEHEAVY_SECONDS="0.1"), tmp_path)
    try:
        wait_until_up(server)
        assert log_lines(log) == []
        answers = first_answers(server.url(""))
    finally:
        stop(server)
    assert answers == [(200, {"router": name, "item": index, "frame": name}) for index, name in enumerate(ROUTERS)]
    assert all(count(log, "end", name) == 1 for name in ROUTERS)


def test_every_flask_blueprint_answers_correctly_on_first_use(flask_site: Path, tmp_path: Path) -> None:
    log = tmp_path / "imports.log"
    env = environment(flask_site, log, FAKEHEAVY_SECONDS="0.1")
    server = gunicorn("tenflask.lazy:app", env, tmp_path, "-w", "1", "-k", "gthread", "--threads", "4")
    try:
        wait_until_up(server)
        assert log_lines(log) == []
        answers = first_answers(server.url(""))
    finally:
        stop(server)
    assert answers == [
        (200, {"router": name, "item": index, "frame": name, "self": f"/{name}/items/{index}"})
        for index, name in enumerate(ROUTERS)
    ]


def health_while_loading(server_url: str, log: Path, path: str, package: str) -> Dict[str, object]:
    """Start the first request to ``path``; once ``package``'s import has started, ask for
    health five times; return the answers and when the import ended."""
    result: Dict[str, object] = {}

    def first_request() -> None:
        result["response"] = get_json(server_url + path, timeout=30)

    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        assert wait_for(lambda: count(log, "start", package) == 1, limit=20)
        result["health"] = [get_json(server_url + "/health", timeout=10) + (time.time(),) for _ in range(5)]
    finally:
        worker.join(timeout=40)
    result["ended"] = [at for what, name, at in log_lines(log) if what == "end" and name == package]
    return result


@pytest.mark.parametrize(
    ("module", "path", "package", "expected"),
    [
        ("tenflask.lazy", f"/{SLOW}/items/5", SLOW,
         {"router": SLOW, "item": 5, "frame": SLOW, "self": f"/{SLOW}/items/5"}),
        ("tenflask.lazy_views", "/slow", "view_slow", {"view": "slow", "frame": "view_slow"}),
    ],
    ids=["register_blueprint_lazily", "add_lazy_view"],
)
def test_flask_health_answers_while_a_lazy_target_imports(
    flask_site: Path, tmp_path: Path, module: str, path: str, package: str, expected: Dict[str, object]
) -> None:
    log = tmp_path / "imports.log"
    env = environment(flask_site, log, FAKEHEAVY_SECONDS="2.0")
    server = gunicorn(f"{module}:app", env, tmp_path, "-w", "1", "-k", "gthread", "--threads", "4")
    try:
        wait_until_up(server)
        result = health_while_loading(server.url(""), log, path, package)
    finally:
        stop(server)
    assert result["response"] == (200, expected)
    health = result["health"]
    assert [answer[:2] for answer in health] == [(200, {"ok": True})] * 5  # type: ignore[attr-defined]
    (ended,) = result["ended"]  # type: ignore[misc]
    # All five health answers came back while the 2 s import was still running.
    assert health[-1][2] < ended, (health, ended)  # type: ignore[index]
