"""``pending_routers()``: what this process registered to load on first request and has not loaded.

It is what ``lazyimport verify`` lists after importing an app, and what a readiness route can
serve. Other tests in this process register apps too, so each test looks only at its own
targets (a package name made for the test).
"""

from __future__ import annotations

import gc
import itertools
import sys
import textwrap
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from lazyimport_codemod.routers import (  # noqa: E402
    add_lazy_view,
    include_lazily,
    pending_routers,
    register_blueprint_lazily,
    warm_up,
)

_counter = itertools.count()

FILES = {
    "__init__.py": "",
    "fast_a.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/x")
        def x():
            return {"router": "a"}
        """,
    "fast_b.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/x")
        def x():
            return {"router": "b"}
        """,
    "fast_broken.py": """
        raise RuntimeError("cannot load")
        """,
    "views.py": """
        from flask import Blueprint

        bp = Blueprint("reports", __name__)


        @bp.route("/x")
        def x():
            return {"blueprint": "reports"}


        def summary():
            return {"view": "summary"}
        """,
}


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh package of routers on ``sys.path``; its name prefixes every target of the test."""
    name = f"pending_pkg_{next(_counter)}"
    for relative, source in FILES.items():
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / relative).write_text(textwrap.dedent(source).lstrip())
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def mine(package: str) -> List[Dict[str, str]]:
    return [entry for entry in pending_routers() if entry["target"].startswith(package + ".")]


def test_lists_lazy_routers_until_each_is_loaded(package: str) -> None:
    app = FastAPI()
    include_lazily(app, f"{package}.fast_a:router", prefix="/a")
    include_lazily(app, f"{package}.fast_b:router", prefix="/orgs/{org}/b", tags=["b"])
    assert mine(package) == [
        {"helper": "include_lazily", "target": f"{package}.fast_a:router", "prefix": "/a"},
        {"helper": "include_lazily", "target": f"{package}.fast_b:router", "prefix": "/orgs/{org}/b"},
    ]
    client = TestClient(app)
    assert client.get("/a/x").json() == {"router": "a"}
    assert [entry["target"] for entry in mine(package)] == [f"{package}.fast_b:router"]
    assert client.get("/openapi.json").status_code == 200  # loads every pending router
    assert mine(package) == []


def test_a_router_that_failed_to_load_stays_pending(package: str) -> None:
    app = FastAPI()
    include_lazily(app, f"{package}.fast_broken:router", prefix="/broken")
    assert TestClient(app).get("/broken/x").status_code == 500
    assert [entry["target"] for entry in mine(package)] == [f"{package}.fast_broken:router"]


def test_empty_once_warm_up_has_loaded_everything(package: str) -> None:
    app = FastAPI()
    include_lazily(app, f"{package}.fast_a:router", prefix="/a")
    include_lazily(app, f"{package}.fast_b:router", prefix="/b")
    warm_up(app)
    with TestClient(app):  # runs the lifespan, which starts the warm-up thread
        deadline = time.monotonic() + 10
        while mine(package) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mine(package) == []


def test_flask_blueprints_and_views_until_loaded(package: str) -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)
    register_blueprint_lazily(app, f"{package}.views:bp", url_prefix="/reports")
    add_lazy_view(app, "/summary", f"{package}.views:summary")
    assert mine(package) == [
        {"helper": "register_blueprint_lazily", "target": f"{package}.views:bp", "prefix": "/reports"},
        {"helper": "add_lazy_view", "target": f"{package}.views:summary", "prefix": "/summary"},
    ]
    client = app.test_client()
    assert client.get("/reports/x").get_json() == {"blueprint": "reports"}
    assert [entry["helper"] for entry in mine(package)] == ["add_lazy_view"]
    assert client.get("/summary").get_json() == {"view": "summary"}
    assert mine(package) == []


def test_an_app_that_is_gone_takes_its_entries_with_it(package: str) -> None:
    app = FastAPI()
    include_lazily(app, f"{package}.fast_a:router", prefix="/a")
    assert len(mine(package)) == 1
    del app
    gc.collect()
    assert mine(package) == []
