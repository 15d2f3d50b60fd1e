"""Flask: ``add_lazy_view`` and ``register_blueprint_lazily``, in process and under gunicorn.

A lazily registered blueprint must behave as one registered at startup (its hooks, error
handlers and ``url_for``), load once under concurrent first requests, although Flask forbids
setup after the first request, and answer 500 while its import fails, then recover.
"""

from __future__ import annotations

import itertools
import logging
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

flask = pytest.importorskip("flask")

from lazyimport_codemod.routers import add_lazy_view, register_blueprint_lazily  # noqa: E402
from routers_apps import (  # noqa: E402
    ROUTERS,
    count,
    environment,
    get_json,
    gunicorn,
    log_lines,
    request,
    stop,
    wait_until_up,
    write_flask_app,
)

_counter = itertools.count()

BLUEPRINT = '''
import os
import time

from flask import Blueprint, abort, g, request, url_for

time.sleep({sleep})
if not os.path.exists({fixed!r}):
    raise RuntimeError("{name} is broken")
with open({log!r}, "a", encoding="utf-8") as _log:
    _log.write("imported\\n")

bp = Blueprint("reports", __name__)


@bp.before_request
def remember():
    g.seen = "blueprint hook"


@bp.after_request
def stamp(response):
    response.headers["x-blueprint"] = "yes"
    return response


@bp.errorhandler(404)
def missing(error):
    return {{"missing": request.path}}, 404


@bp.route("/items/<int:item_id>")
def read_item(item_id):
    return {{"item": item_id, "hook": g.seen, "self": url_for(".read_item", item_id=item_id)}}


@bp.route("/gone")
def gone():
    abort(404)


@bp.route("/echo", methods=["POST"])
def echo():
    return {{"body": request.get_data(as_text=True)}}


def summary():
    return {{"view": "summary"}}
'''


class Fake:
    def __init__(self, root: Path, sleep: float = 0.0, broken: bool = False) -> None:
        self.name = f"lazyflask_{next(_counter)}"
        self.log = root / f"{self.name}.log"
        self.fixed = root / f"{self.name}.fixed"
        if not broken:
            self.fixed.write_text("")
        source = BLUEPRINT.format(name=self.name, sleep=sleep, log=str(self.log), fixed=str(self.fixed))
        (root / f"{self.name}.py").write_text(textwrap.dedent(source))

    @property
    def imports(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0

    @property
    def loaded(self) -> bool:
        return self.name in sys.modules


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Fake]]:
    monkeypatch.syspath_prepend(str(tmp_path))
    made: List[Fake] = []

    def make(**kwargs: Any) -> Fake:
        fake = Fake(tmp_path, **kwargs)
        made.append(fake)
        return fake

    yield make
    for fake in made:
        sys.modules.pop(fake.name, None)


def build(fake: Fake, lazy: bool) -> Any:
    app = flask.Flask(__name__)

    @app.route("/health")
    def health() -> Any:
        return {"ok": True}

    @app.route("/link")
    def link() -> Any:
        return {"url": flask.url_for("reports.read_item", item_id=3)}

    if lazy:
        register_blueprint_lazily(app, f"{fake.name}:bp", url_prefix="/reports")
    else:
        app.register_blueprint(__import__(fake.name).bp, url_prefix="/reports")
    return app


REQUESTS = [
    ("GET", "/health", None),
    ("GET", "/reports/items/4", None),
    ("GET", "/reports/gone", None),  # the blueprint's own 404 handler
    ("GET", "/reports/nothing", None),
    ("POST", "/reports/echo", b"payload"),
    ("GET", "/reports/echo", None),  # 405
    ("GET", "/link", None),
]


def answers(app: Any) -> List[Any]:
    client = app.test_client()
    out = []
    for method, path, body in REQUESTS:
        response = client.open(path, method=method, data=body)
        out.append((method, path, response.status_code, response.get_data(as_text=True), response.headers.get("x-blueprint")))
    return out


def test_lazy_blueprint_answers_as_one_registered_at_startup(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    expected = answers(build(fake, lazy=False))
    sys.modules.pop(fake.name)
    app = build(fake, lazy=True)
    app.test_client().get("/health")  # Flask's first request: setup is closed from here on
    assert not fake.loaded
    assert answers(app) == expected
    assert [row[2] for row in expected] == [200, 200, 404, 404, 200, 405, 200]


def test_url_for_a_blueprint_not_yet_loaded_loads_it(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    app = build(fake, lazy=True)
    client = app.test_client()
    assert client.get("/health").status_code == 200 and not fake.loaded
    assert client.get("/link").get_json() == {"url": "/reports/items/3"}
    assert fake.loaded and fake.imports == 1
    assert client.get("/link").get_json() == {"url": "/reports/items/3"}
    with app.test_request_context("/health"):
        assert flask.url_for("reports.read_item", item_id=8, _anchor="top") == "/reports/items/8#top"


def test_concurrent_first_requests_import_and_register_once(fakes: Callable[..., Fake]) -> None:
    fake = fakes(sleep=0.3)
    app = build(fake, lazy=True)
    app.test_client().get("/health")

    def get(i: int) -> Any:
        return app.test_client().get(f"/reports/items/{i}").get_json()["item"]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(get, range(8))) == list(range(8))
    assert fake.imports == 1
    assert len([rule for rule in app.url_map.iter_rules() if rule.endpoint == "reports.read_item"]) == 1


def test_failed_import_gives_500_logs_once_then_retries(
    fakes: Callable[..., Fake], caplog: pytest.LogCaptureFixture
) -> None:
    fake = fakes(sleep=0.3, broken=True)
    app = build(fake, lazy=True)
    caplog.set_level(logging.ERROR, logger="lazyimport_codemod.routers")
    barrier = threading.Barrier(5)

    def get(i: int) -> int:
        barrier.wait(timeout=10)
        return int(app.test_client().get(f"/reports/items/{i}").status_code)

    with ThreadPoolExecutor(5) as pool:
        assert list(pool.map(get, range(5))) == [500] * 5
    records = [r for r in caplog.records if r.name == "lazyimport_codemod.routers"]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert app.test_client().get("/health").status_code == 200
    fake.fixed.write_text("")
    assert app.test_client().get("/reports/items/2").get_json()["item"] == 2


def test_lazy_view_imports_once_on_first_call(fakes: Callable[..., Fake]) -> None:
    fake = fakes(sleep=0.2)
    app = flask.Flask(__name__)
    view = add_lazy_view(app, "/summary", f"{fake.name}:summary")
    assert view.__name__ == "summary" and not fake.loaded
    with app.test_request_context():
        assert flask.url_for("summary") == "/summary"  # the endpoint exists before the import
    with ThreadPoolExecutor(6) as pool:
        bodies = list(pool.map(lambda _: app.test_client().get("/summary").get_json(), range(6)))
    assert bodies == [{"view": "summary"}] * 6 and fake.imports == 1


def test_lazy_view_failure_goes_through_the_apps_500_handler(fakes: Callable[..., Fake]) -> None:
    fake = fakes(broken=True)
    app = flask.Flask(__name__)
    add_lazy_view(app, "/summary", f"{fake.name}:summary", endpoint="sum")

    @app.errorhandler(500)
    def server_error(error: Any) -> Any:
        return {"error": type(getattr(error, "original_exception", error)).__name__}, 500

    response = app.test_client().get("/summary")
    assert (response.status_code, response.get_json()) == (500, {"error": "RuntimeError"})
    fake.fixed.write_text("")
    assert app.test_client().get("/summary").get_json() == {"view": "summary"}


def test_bad_url_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="url_prefix"):
        register_blueprint_lazily(flask.Flask(__name__), "pkg.mod:bp", url_prefix="/")


@pytest.fixture(scope="module")
def flask_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flask_site")
    write_flask_app(root)
    return root


def test_gunicorn_threads_worker_lazy_app(flask_site: Path, tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    seconds = {}
    for mode in ("eager", "lazy"):
        log = tmp_path / f"{mode}.log"
        env = environment(flask_site, log, FAKEHEAVY_FIXED=str(tmp_path / "fixed"))
        server = gunicorn(f"tenflask.{mode}:app", env, tmp_path, "-w", "1", "-k", "gthread", "--threads", "8")
        try:
            seconds[mode] = wait_until_up(server)
            if mode == "eager":
                continue
            assert log_lines(log) == []
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda i: get_json(server.url(f"/r2/items/{i}"), timeout=30), range(8)))
            assert [a[0] for a in answers] == [200] * 8
            assert answers[3][1] == {"router": "r2", "item": 3, "frame": "r2", "self": "/r2/items/3"}
            assert count(log, "end", "r2") == 1
            assert get_json(server.url("/link/r5"), timeout=30) == (200, {"url": "/r5/items/7"})
            assert request(server.url("/broken/items/1"), timeout=30)[0] == 500
            (tmp_path / "fixed").write_text("")
            assert get_json(server.url("/broken/items/1"), timeout=30)[0] == 200
            # Each failed attempt logged once (the url_for above tried the pending blueprints
            # declared before r5 only: broken comes last, so that is this request's attempt).
            assert count(log, "fail", "broken") == 1
            assert server.text().count("could not load tenflask.views.broken") == 1
            assert count(log, "end", "r9") == 0
        finally:
            stop(server)
    assert seconds["lazy"] * 2 < seconds["eager"], seconds
    assert {name for what, name, _ in log_lines(tmp_path / "eager.log") if what == "end"} == set(ROUTERS)
