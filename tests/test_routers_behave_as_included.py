"""``include_lazily`` and ``warm_up`` in process: a lazy router behaves as ``include_router``.

Every comparison runs the same requests against two apps built the same way, one with
``include_router`` and one with ``include_lazily``, on whatever FastAPI is installed (0.137+
keeps an included router as one node in ``app.routes``; older versions copy its routes).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

pytest.importorskip("fastapi")

import httpx  # noqa: E402
from fastapi import Depends, FastAPI, Header, HTTPException, Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from lazyimport_codemod.routers import include_lazily, warm_up  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
_counter = itertools.count()

ROUTER = '''
import os
import time

from fastapi import APIRouter, Depends, Request, WebSocket

from {errors} import Teapot

time.sleep({sleep})
if not os.path.exists({fixed!r}):
    raise RuntimeError("{name} is broken")
with open({log!r}, "a", encoding="utf-8") as _log:
    _log.write("imported\\n")

router = APIRouter()


def who() -> str:
    return "real"


@router.get("/items/{{item_id}}", responses={{404: {{"description": "no such item"}}}})
def read_item(item_id: int, caller: str = Depends(who)):
    return {{"item": item_id, "who": caller}}


@router.get("/teapot")
def teapot():
    raise Teapot()


@router.post("/echo")
async def echo(request: Request):
    return {{"body": (await request.body()).decode()}}


@router.get("/first")
def lazy_first():
    return {{"from": "lazy router"}}


@router.get("/later")
def lazy_later():
    return {{"from": "lazy router"}}


@router.get("/{{anything}}")
def catch_all(anything: str):
    return {{"anything": anything}}


@router.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text("echo " + await websocket.receive_text())
    await websocket.close()
'''


class Fake:
    """A lazily imported router module, with a log of its imports and a switch to break it."""

    def __init__(self, root: Path, sleep: float = 0.0, broken: bool = False) -> None:
        n = next(_counter)
        self.name = f"lazyrouters_{n}"
        self.errors = f"lazyrouters_errors_{n}"
        self.log = root / f"{self.name}.log"
        self.fixed = root / f"{self.name}.fixed"
        if not broken:
            self.fixed.write_text("")
        (root / f"{self.errors}.py").write_text("class Teapot(Exception):\n    pass\n")
        source = ROUTER.format(name=self.name, errors=self.errors, sleep=sleep, log=str(self.log), fixed=str(self.fixed))
        (root / f"{self.name}.py").write_text(textwrap.dedent(source))

    @property
    def spec(self) -> str:
        return f"{self.name}:router"

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
        sys.modules.pop(fake.errors, None)


def pending(app: FastAPI) -> bool:
    return any(type(route).__name__ == "PendingRouter" for route in app.routes)


def require_token(x_token: str = Header(default="")) -> None:
    if x_token != "secret":
        raise HTTPException(status_code=401, detail="no token")


def build(fake: Fake, lazy: bool) -> FastAPI:
    """The same app, with the router included eagerly or lazily, between two app routes."""
    errors = __import__(fake.errors)
    app = FastAPI()

    @app.middleware("http")
    async def mark(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["x-middleware"] = "yes"
        return response

    @app.exception_handler(errors.Teapot)
    async def teapot(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"handled": "teapot"}, status_code=418)

    @app.get("/health")
    def health() -> Dict[str, bool]:
        return {"ok": True}

    @app.get("/reports/first")
    def app_first() -> Dict[str, str]:
        return {"from": "app, declared before"}

    options: Dict[str, Any] = dict(
        prefix="/reports",
        tags=["reports"],
        dependencies=[Depends(require_token)],
        responses={418: {"description": "teapot"}},
    )
    if lazy:
        include_lazily(app, fake.spec, **options)
    else:
        app.include_router(__import__(fake.name).router, **options)

    @app.get("/reports/later")
    def app_later() -> Dict[str, str]:
        return {"from": "app, declared after"}

    return app


REQUESTS = [
    ("GET", "/reports/items/3", {"x-token": "secret"}, None),
    ("GET", "/reports/items/3", {}, None),  # the include-level dependency refuses it
    ("GET", "/reports/items/abc", {"x-token": "secret"}, None),  # validation error
    ("GET", "/reports/teapot", {"x-token": "secret"}, None),  # the app's exception handler
    ("POST", "/reports/echo", {"x-token": "secret"}, b"payload"),
    ("POST", "/reports/items/3", {"x-token": "secret"}, None),  # 405
    ("GET", "/reports/first", {"x-token": "secret"}, None),  # the app's earlier route wins
    ("GET", "/reports/later", {"x-token": "secret"}, None),  # the router's route wins
    ("GET", "/reports/other", {"x-token": "secret"}, None),
    ("GET", "/reports", {"x-token": "secret"}, None),
    ("GET", "/reports/a/b/c", {"x-token": "secret"}, None),  # 404 under the prefix
    ("GET", "/health", {}, None),
    ("GET", "/elsewhere", {}, None),
]


def answers(app: FastAPI) -> List[Any]:
    client = TestClient(app)
    out = []
    for method, path, headers, body in REQUESTS:
        response = client.request(method, path, headers=headers, content=body)
        out.append((method, path, response.status_code, response.text, response.headers.get("x-middleware")))
    return out


def test_importing_the_module_imports_no_web_framework() -> None:
    code = (
        "import sys, lazyimport_codemod.routers\n"
        "found = [m for m in ('fastapi', 'starlette', 'anyio', 'flask', 'werkzeug', 'pydantic') if m in sys.modules]\n"
        "assert not found, found\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(REPO))


def test_lazy_router_answers_every_request_as_the_eager_one(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    expected = answers(build(fake, lazy=False))
    sys.modules.pop(fake.name)
    lazy_app = build(fake, lazy=True)
    assert answers(lazy_app) == expected
    assert fake.imports == 2  # once for the eager app, once for the lazy one
    assert [r[2] for r in expected[:6]] == [200, 401, 422, 418, 200, 405]
    assert [r[3] for r in expected[6:8]] == ['{"from":"app, declared before"}', '{"from":"lazy router"}']


def test_openapi_schema_is_the_eager_apps(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    eager = build(fake, lazy=False).openapi()
    sys.modules.pop(fake.name)
    lazy_app = build(fake, lazy=True)
    assert not fake.loaded
    assert TestClient(lazy_app).get("/openapi.json").json() == eager  # loaded off the event loop
    sys.modules.pop(fake.name)
    direct = build(fake, lazy=True)
    assert direct.openapi() == eager  # loaded by a direct call too


def test_nothing_loads_before_a_request_under_the_prefix(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    client = TestClient(build(fake, lazy=True))
    for path in ("/health", "/elsewhere", "/reportsx", "/reports/first"):
        client.get(path, headers={"x-token": "secret"})
    assert not fake.loaded  # /reports/first goes to the app's route, declared before the router
    assert client.get("/reports/items/1", headers={"x-token": "secret"}).status_code == 200
    assert fake.loaded


def test_route_list_holds_the_router_where_include_lazily_was_called(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    eager = build(fake, lazy=False)
    sys.modules.pop(fake.name)
    lazy_app = build(fake, lazy=True)
    TestClient(lazy_app).get("/reports/items/1", headers={"x-token": "secret"})

    def shape(app: FastAPI) -> List[str]:
        return [type(route).__name__ + ":" + str(getattr(route, "path", "")) for route in app.routes]

    assert shape(lazy_app) == shape(eager)


def test_dependency_overrides_apply_to_lazy_routes(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    app = build(fake, lazy=True)
    module = __import__(fake.name)  # a test suite imports the router to override its dependency
    app.dependency_overrides[module.who] = lambda: "override"
    response = TestClient(app).get("/reports/items/1", headers={"x-token": "secret"})
    assert response.json() == {"item": 1, "who": "override"}


def test_websocket_under_the_prefix_loads_the_router(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    client = TestClient(build(fake, lazy=True))
    with client.websocket_connect("/reports/ws", headers={"x-token": "secret"}) as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "echo hi"


async def _gather(app: FastAPI, paths: List[str], also: List[str] = []) -> List[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        tasks = [client.get(p, headers={"x-token": "secret"}) for p in paths + also]
        return list(await asyncio.gather(*tasks))


def test_concurrent_first_requests_share_one_import(fakes: Callable[..., Fake]) -> None:
    fake = fakes(sleep=0.3)
    app = build(fake, lazy=True)
    responses = asyncio.run(_gather(app, [f"/reports/items/{i}" for i in range(10)]))
    assert [r.json()["item"] for r in responses] == list(range(10))
    assert fake.imports == 1


def test_other_requests_do_not_wait_for_the_import(fakes: Callable[..., Fake]) -> None:
    fake = fakes(sleep=1.0)
    app = build(fake, lazy=True)
    finished: Dict[str, float] = {}

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def get(path: str) -> None:
                await client.get(path, headers={"x-token": "secret"})
                finished[path] = time.monotonic()

            heavy = asyncio.ensure_future(get("/reports/items/1"))
            await asyncio.sleep(0.1)
            await get("/health")
            await heavy

    asyncio.run(run())
    assert finished["/health"] < finished["/reports/items/1"] - 0.5


def test_failed_import_gives_500_logs_once_then_the_next_request_retries(
    fakes: Callable[..., Fake], caplog: pytest.LogCaptureFixture
) -> None:
    fake = fakes(sleep=0.3, broken=True)
    app = build(fake, lazy=True)
    caplog.set_level(logging.ERROR, logger="lazyimport_codemod.routers")
    responses = asyncio.run(_gather(app, [f"/reports/items/{i}" for i in range(6)], also=["/health"]))
    assert [r.status_code for r in responses] == [500] * 6 + [200]
    records = [r for r in caplog.records if r.name == "lazyimport_codemod.routers"]
    assert len(records) == 1 and "could not load" in records[0].getMessage()
    assert "is broken" in caplog.text
    fake.fixed.write_text("")
    responses = asyncio.run(_gather(app, ["/reports/items/5"]))
    assert responses[0].json() == {"item": 5, "who": "real"}


def test_openapi_leaves_out_a_failing_router_and_retries_it(fakes: Callable[..., Fake]) -> None:
    fake = fakes(broken=True)
    client = TestClient(build(fake, lazy=True))
    assert "/reports/items/{item_id}" not in client.get("/openapi.json").json()["paths"]
    fake.fixed.write_text("")
    assert "/reports/items/{item_id}" in client.get("/openapi.json").json()["paths"]


def test_warm_up_at_import_starts_after_the_apps_own_startup(fakes: Callable[..., Fake]) -> None:
    fake = fakes(sleep=0.2)
    events: List[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        events.append("startup")
        yield {"db": "ready"}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/state")
    def state(request: Request) -> Dict[str, str]:
        return {"db": request.state.db}

    include_lazily(app, fake.spec, prefix="/reports")
    assert warm_up(app) is None  # no event loop yet: hooked on the lifespan
    assert not fake.loaded
    with TestClient(app) as client:
        assert events == ["startup"]
        assert client.get("/state").json() == {"db": "ready"}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and pending(app):
            time.sleep(0.02)
        assert fake.imports == 1
        assert not pending(app)
        assert client.get("/reports/items/4").json() == {"item": 4, "who": "real"}
    assert events == ["startup", "shutdown"] and fake.imports == 1


def test_warm_up_called_inside_a_lifespan_starts_at_once(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    threads = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        threads.append(warm_up(app, delay=0.05))
        yield

    app = FastAPI(lifespan=lifespan)
    include_lazily(app, fake.spec, prefix="/reports")
    with TestClient(app) as client:
        threads[0].join(timeout=20)
        assert fake.imports == 1
        assert client.get("/reports/items/2").json() == {"item": 2, "who": "real"}


def test_starlette_app_mounts_the_lazy_router(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    monkeypatch.syspath_prepend(str(tmp_path))
    name = f"lazystarlette_{next(_counter)}"
    (tmp_path / f"{name}.py").write_text(
        "from starlette.responses import PlainTextResponse\n"
        "from starlette.routing import Route, Router\n"
        "router = Router([Route('/hello/{who}', lambda r: PlainTextResponse('hello ' + r.path_params['who']))])\n"
    )
    app = Starlette(routes=[Route("/health", lambda r: PlainTextResponse("ok"))])
    include_lazily(app, f"{name}:router", prefix="/s")
    client = TestClient(app)
    assert client.get("/health").text == "ok" and name not in sys.modules
    assert client.get("/s/hello/you").text == "hello you"
    assert client.get("/s/nothing").status_code == 404
    with pytest.raises(TypeError, match="include_router"):
        include_lazily(app, f"{name}:router", prefix="/t", tags=["x"])
    sys.modules.pop(name, None)


@pytest.mark.parametrize(
    "target, prefix, error",
    [
        ("pkg.mod:router", "", "prefix"),
        ("pkg.mod:router", "/reports/", "prefix"),
        ("pkg.mod:router", "reports", "prefix"),
        ("pkg.mod", "/reports", "package.module:attribute"),
        ("pkg mod:router", "/reports", "package.module:attribute"),
    ],
)
def test_bad_arguments_are_refused_at_once(target: str, prefix: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        include_lazily(FastAPI(), target, prefix=prefix)


def test_prefix_with_a_path_parameter(fakes: Callable[..., Fake]) -> None:
    fake = fakes()
    app = FastAPI()
    include_lazily(app, fake.spec, prefix="/tenants/{tenant}")
    client = TestClient(app)
    assert client.get("/tenants").status_code == 404 and not fake.loaded
    assert client.get("/tenants/acme/items/9").json() == {"item": 9, "who": "real"}


@pytest.mark.parametrize("attribute", ["missing", "Teapot"])
def test_a_target_that_is_not_a_router_answers_500_and_is_logged(
    attribute: str, fakes: Callable[..., Fake], caplog: pytest.LogCaptureFixture
) -> None:
    fake = fakes()
    app = FastAPI()

    @app.get("/health")
    def health() -> Dict[str, bool]:
        return {"ok": True}

    # "missing" fails on import (no such attribute), "Teapot" when include_router gets a class.
    include_lazily(app, f"{fake.errors}:{attribute}", prefix="/reports")
    client = TestClient(app)
    caplog.set_level(logging.ERROR, logger="lazyimport_codemod.routers")
    assert client.get("/reports/x").status_code == 500
    assert client.get("/health").status_code == 200
    assert len([r for r in caplog.records if r.name == "lazyimport_codemod.routers"]) == 1
    assert pending(app)
