"""Lazily included routers under real servers: uvicorn, gunicorn with uvicorn workers.

The app has login and health routers (eager) and ten routers, each importing a fake package
that sleeps 0.5 s on import (see ``routers_apps``). Timings are compared, never asserted in
absolute terms, and with wide margins: the machine running this is shared and noisy.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from routers_apps import (  # noqa: E402
    ROUTERS,
    count,
    environment,
    get_json,
    gunicorn,
    log_lines,
    request,
    stop,
    uvicorn,
    uvicorn_worker_class,
    wait_for,
    wait_until_up,
    write_fastapi_app,
)

SLOW = "r9"  # made slower in the shared lazy server, to watch health while it loads


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("asgi_site")
    write_fastapi_app(root)
    return root


@pytest.fixture(scope="module")
def lazy_server(site: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("lazy_server")
    log = tmp / "imports.log"
    env = environment(
        site, log, FAKEHEAVY_FIXED=str(tmp / "fixed"), **{f"FAKEHEAVY_SECONDS_{SLOW}": "2.0"}
    )
    server = uvicorn("tenapp.lazy:app", env, tmp)
    try:
        wait_until_up(server)
        yield server, log, tmp
    finally:
        stop(server)


def _gunicorn_available() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("runner", ["uvicorn", "gunicorn"])
def test_lazy_app_answers_login_far_sooner_than_eager(runner: str, site: Path, tmp_path: Path) -> None:
    if runner == "gunicorn" and not _gunicorn_available():
        pytest.skip("gunicorn is not installed")
    seconds = {}
    for mode in ("eager", "lazy"):
        log = tmp_path / f"{mode}.log"
        env = environment(site, log)
        if runner == "uvicorn":
            server = uvicorn(f"tenapp.{mode}:app", env, tmp_path)
        else:
            server = gunicorn(f"tenapp.{mode}:app", env, tmp_path, "-w", "1", "-k", uvicorn_worker_class())
        try:
            seconds[mode] = wait_until_up(server)
        finally:
            stop(server)
        imported = {name for what, name, _ in log_lines(log) if what == "end"}
        assert imported == (set(ROUTERS) if mode == "eager" else set()), mode
    # Eager pays 10 x 0.5 s of imports by construction; lazy pays none of them.
    assert seconds["lazy"] * 2 < seconds["eager"], seconds


def test_health_answers_while_a_router_imports(lazy_server) -> None:  # type: ignore[no-untyped-def]
    server, log, _ = lazy_server
    result = {}

    def first_request() -> None:
        result["response"] = get_json(server.url(f"/{SLOW}/items/5"), timeout=30)
        result["at"] = time.time()

    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        assert wait_for(lambda: count(log, "start", SLOW) == 1, limit=20)
        answered = []
        for _ in range(5):
            status, body = get_json(server.url("/health"), timeout=10)
            answered.append((status, body, time.time()))
    finally:
        worker.join(timeout=40)
    ended = [at for what, name, at in log_lines(log) if what == "end" and name == SLOW]
    assert result["response"] == (200, {"router": SLOW, "item": 5, "frame": SLOW})
    assert [a[:2] for a in answered] == [(200, {"ok": True})] * 5
    # Five health answers came back while the 2 s import was still running.
    assert len(ended) == 1 and answered[-1][2] < ended[0], (answered, ended)


def test_concurrent_first_requests_import_once(lazy_server) -> None:  # type: ignore[no-untyped-def]
    server, log, _ = lazy_server
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: get_json(server.url(f"/r1/items/{i}"), timeout=30), range(8)))
    assert answers == [(200, {"router": "r1", "item": i, "frame": "r1"}) for i in range(8)]
    assert count(log, "start", "r1") == 1 and count(log, "end", "r1") == 1


def test_openapi_lists_every_router(lazy_server) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = lazy_server
    status, schema = get_json(server.url("/openapi.json"), timeout=60)
    assert status == 200
    paths = set(schema["paths"])  # type: ignore[index]
    expected = {"/login", "/health"} | {f"/{name}/items/{{item_id}}" for name in ROUTERS}
    # broken cannot load yet: logged, left out, and the schema is not cached.
    assert paths == expected
    assert schema["paths"]["/r3/items/{item_id}"]["get"]["tags"] == ["r3"]  # type: ignore[index]
    status, page = request(server.url("/docs"))
    assert status == 200 and b"/openapi.json" in page


def test_failed_import_answers_500_then_a_later_request_loads_it(lazy_server) -> None:  # type: ignore[no-untyped-def]
    server, log, tmp = lazy_server
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: request(server.url(f"/broken/items/{i}"), timeout=30), range(4)))
    assert [status for status, _ in answers] == [500] * 4
    assert request(server.url("/login"))[0] == 200
    attempts = count(log, "fail", "broken")
    # Each failed attempt is logged once, however many requests were waiting on it.
    assert wait_for(lambda: server.text().count("could not load tenapp.routers.broken") == attempts, limit=5)
    (tmp / "fixed").write_text("")
    assert get_json(server.url("/broken/items/2"), timeout=30) == (
        200,
        {"router": "broken", "item": 2, "frame": "broken"},
    )
    status, schema = get_json(server.url("/openapi.json"))
    assert "/broken/items/{item_id}" in schema["paths"]  # type: ignore[index]


def test_warm_up_loads_every_router_in_each_gunicorn_worker_after_fork(site: Path, tmp_path: Path) -> None:
    if not _gunicorn_available():
        pytest.skip("gunicorn is not installed")
    log = tmp_path / "imports.log"
    env = environment(site, log, FAKEHEAVY_SECONDS="0.1", FAKEHEAVY_FIXED=str(tmp_path / "fixed"))
    (tmp_path / "fixed").write_text("")
    # --preload imports the app in the master, then forks: warm-up must start in each worker.
    server = gunicorn(
        "tenapp.lazy_warm:app", env, tmp_path, "-w", "2", "--preload", "-k", uvicorn_worker_class()
    )
    try:
        wait_until_up(server)
        names = ROUTERS + ["broken"]
        assert wait_for(lambda: all(count(log, "end", name) == 2 for name in names), limit=40), log_lines(log)
        status, body = get_json(server.url("/r4/items/1"))
        assert (status, body) == (200, {"router": "r4", "item": 1, "frame": "r4"})
        assert all(count(log, "end", name) == 2 for name in names)
    finally:
        stop(server)
