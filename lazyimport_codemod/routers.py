"""Routers that load on first request: keep login and health eager, import the rest later.

The problem
-----------
``lazyimport fix`` defers heavy imports that a router only uses inside its functions. It cannot
defer the names FastAPI evaluates while the router module is imported: the types in route
signatures, ``response_model=``, ``Depends(...)`` defaults, pydantic models with fields typed
by a heavy class. A router like that costs its full import before the worker answers anything,
even ``/token`` or ``/health``. This module moves the whole router instead: the app's module
names it by a string, and the first request under its prefix imports it.

How it works (FastAPI and Starlette)
------------------------------------
:func:`include_lazily` puts a placeholder route where ``include_router`` would have put the
router's routes. The placeholder claims every path under the prefix, for any method, HTTP and
WebSocket. The first request it claims imports the module in a worker thread (the event loop
goes on serving other requests), calls the real ``include_router(router, prefix=..., **options)``
on the same app or router, puts whatever that call added at the placeholder's position (a copy
of each route on FastAPI < 0.137, one included-router node on 0.137+), drops the placeholder,
then routes the request again through the same router, so routes, dependencies, middleware and
exception handlers behave as with a plain ``include_router``. Requests that arrive during the
import wait for the same import; if it fails they all get a 500, the error is logged once on
the ``lazyimport_codemod.routers`` logger, and the next request tries again. The route list is
replaced by a new list, never changed in place, so a request being routed at that moment sees
either the old list or the new one.

Route ordering rule: a lazy router's routes end up exactly where ``include_router`` at the
``include_lazily`` line would have put them, so once loaded the app is the app you would have
written eagerly. Until then, a request under the prefix that an earlier route matches goes to
that route without loading anything; one that reaches the placeholder loads the router first,
then is routed again from the top, so it gets the route the eager app would give, even when
that route was declared later on the app (the load was then spent for nothing, once). Paths
outside the prefix never load anything, which is why the prefix is required.

The OpenAPI schema lists every lazy route: on a FastAPI app, ``include_lazily`` wraps
``app.openapi`` and puts a route ahead of ``openapi_url``. Before the schema is built, both load
every pending router: the route in a worker thread, ``app.openapi()`` called directly in the
calling thread. The cost is that the first ``/openapi.json`` (or ``/docs`` page's fetch of it)
pays the import of every router not yet loaded. A router whose import fails is logged and left
out of that schema, which is then not cached, so a later request tries again.

:func:`warm_up` loads the pending routers one after another in a background thread after
startup, so that the first user of a route does not pay for its import. :func:`pending_routers`
lists the routers, blueprints and views of the process not loaded yet; ``lazyimport verify``
prints it after importing the app, and a readiness route can serve it.

How it works (Flask)
--------------------
:func:`add_lazy_view` is Flask's "lazily loading views" pattern: the rule and endpoint exist at
startup (``url_for`` works), the view function is imported at its first call, once, under a
lock. :func:`register_blueprint_lazily` wraps ``app.wsgi_app``: the first request whose path is
under the prefix imports the blueprint and registers it with ``register_blueprint``, before Flask
routes the request, so the request and every later one are served by Flask as if the blueprint
had been registered at startup (its hooks, error handlers, templates and static files included).
Flask refuses setup calls after its first request because changing the URL map while other
threads match against it is unsafe; here registration runs under a lock, adds the rules to a
copy of the URL map, and swaps the copy in with one assignment. ``url_for`` for an endpoint of a
blueprint not yet loaded loads it first (a ``url_build_error_handlers`` entry), in the calling
thread.

Costs
-----
Nothing is imported at startup beyond this module (standard library only; Starlette, FastAPI,
anyio, Flask and Werkzeug are imported inside the functions that need them). After a router is
loaded, its requests go through no extra layer: the placeholder is gone. Before that, each
request on an ASGI app costs one regular-expression match per pending router that it reaches in
the route list, and on Flask one prefix check per pending blueprint. The first request under a
prefix waits for the import, as every request would have at startup without this module.

Limitations
-----------
* ``include_lazily`` must be given the app (or the router that the app dispatches with,
  ``app.router``; the OpenAPI hooks need the app). An ``APIRouter`` that is later included in
  another one is not supported: FastAPI's ``include_router`` skips routes of unknown kinds
  (FastAPI < 0.137 copies only API, plain and WebSocket routes; 0.137+ only builds contexts for
  known kinds), so the placeholder would vanish. Include lazily on the app with the full prefix
  and the outer router's options instead.
* The lazy router's own startup/shutdown handlers and lifespan never run: the app has started
  before it is loaded. Keep routers that need them eager.
* ``request.url_for`` / ``app.url_path_for`` for a route of a router not yet loaded raises
  ``NoMatchFound``; :func:`warm_up` makes that window short.
* While an import fails, its 500 answers come from this module, not from the app's exception
  handlers (the Flask view's 500 goes through Flask's handlers as an ``InternalServerError``).
* Flask: pass ``methods=`` to :func:`add_lazy_view` (the view's own ``methods`` attribute is not
  known before it is imported); ``url_for`` inside the blueprint's ``record`` callbacks sees the
  app as it is at first request. :func:`warm_up` is for ASGI apps only.
* Deferring an import moves its side effects and its errors to the first request, and the
  first request under each prefix is slow (as slow as the import); use :func:`warm_up`.
* Including happens on the event loop's thread (between two requests). On FastAPI 0.137+ that
  adds one node; older versions copy every route of the router, which for a router of
  hundreds of routes takes milliseconds during which the loop serves nothing else.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import re
import threading
import weakref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

__all__ = ["add_lazy_view", "include_lazily", "pending_routers", "register_blueprint_lazily", "warm_up"]

logger = logging.getLogger("lazyimport_codemod.routers")

_MISSING: Any = object()
_ENTRIES_ATTRIBUTE = "_lazyimport_routers"
_FLASK_EXTENSION = "lazyimport_codemod.routers"
_GATE_PASSED = "lazyimport_codemod.openapi_gate"
# Set while the OpenAPI gate re-routes its request: the routers were just loaded off the loop.
_IN_GATE: contextvars.ContextVar[bool] = contextvars.ContextVar("lazyimport_gate", default=False)
_SPEC = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
# Every registration made in this process, in order, for pending_routers(); weak, so that an
# app dropped (in tests, say) takes its entries with it.
_REGISTERED: list[weakref.ref[Any]] = []
_REGISTERED_LOCK = threading.Lock()


def _remember(entry: Any) -> None:
    with _REGISTERED_LOCK:
        _REGISTERED.append(weakref.ref(entry))


def pending_routers() -> list[dict[str, str]]:
    """The routers, blueprints and views registered to load on first request that are not loaded yet.

    One dict per :func:`include_lazily`, :func:`register_blueprint_lazily` or
    :func:`add_lazy_view` call made in this process whose target has not been loaded (a router
    whose import or ``include_router`` failed stays pending), in the order of the calls:

    * ``helper``: the name of the function that registered it;
    * ``target``: ``"package.module:attribute"``, as given;
    * ``prefix``: the URL prefix whose first request loads it (for :func:`add_lazy_view`, the
      rule as given, so relative to the blueprint's prefix for a view added to a blueprint).

    ``lazyimport verify`` reads it after importing the app, to list what it did not load. An app
    can serve it from a readiness route: the list is empty once :func:`warm_up` has loaded
    everything.
    """
    with _REGISTERED_LOCK:
        alive = [entry for entry in (ref() for ref in _REGISTERED) if entry is not None]
        if len(alive) < len(_REGISTERED):
            _REGISTERED[:] = [ref for ref in _REGISTERED if ref() is not None]
    return [
        {"helper": entry.helper, "target": entry.loader.spec, "prefix": entry.prefix}
        for entry in alive
        if not entry.loaded
    ]


# ---------------------------------------------------------------------------------------------
# Importing, once, shared by every thread that asks while an import runs


class _LoadError(Exception):
    def __init__(self, spec: str, original: BaseException) -> None:
        super().__init__(f"could not load {spec}: {original!r}")
        self.original = original


class _Attempt:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = _MISSING
        self.error: _LoadError | None = None


class _Loader:
    """Imports ``package.module:attribute`` once; concurrent callers share one attempt."""

    def __init__(self, spec: str) -> None:
        if not isinstance(spec, str) or not _SPEC.match(spec):
            raise ValueError(f"expected 'package.module:attribute', got {spec!r}")
        self.spec = spec
        self.module, _, self.attribute = spec.partition(":")
        self._lock = threading.Lock()
        self._value: Any = _MISSING
        self._attempt: _Attempt | None = None
        self._failures = 0

    @property
    def loaded(self) -> bool:
        return self._value is not _MISSING

    def load(self) -> Any:
        value = self._value
        if value is not _MISSING:
            return value
        with self._lock:
            if self._value is not _MISSING:
                return self._value
            attempt = self._attempt
            owner = attempt is None
            if attempt is None:
                attempt = self._attempt = _Attempt()
        if not owner:
            attempt.done.wait()
            if attempt.error is not None:
                raise attempt.error
            return attempt.value
        try:
            if self._failures:
                # A retry after a failure: the fix may be a file created since the last try.
                importlib.invalidate_caches()
            obj: Any = importlib.import_module(self.module)
            for part in self.attribute.split("."):
                obj = getattr(obj, part)
        except BaseException as exc:
            self._failures += 1
            attempt.error = _LoadError(self.spec, exc)
            logger.error(
                "lazyimport: could not load %s; requests that need it get a 500 until a later"
                " request loads it",
                self.spec,
                exc_info=exc,
            )
            if isinstance(exc, Exception):
                raise attempt.error from exc
            raise
        else:
            attempt.value = obj
            self._value = obj
            return obj
        finally:
            with self._lock:
                self._attempt = None
            attempt.done.set()


# ---------------------------------------------------------------------------------------------
# FastAPI and Starlette


class _Flight:
    def __init__(self, event: Any) -> None:
        self.event = event
        self.error: _LoadError | None = None


_INSTALL_LOCK = threading.Lock()


class _LazyInclude:
    helper = "include_lazily"

    def __init__(
        self, app: Any, router: Any, loader: _Loader, prefix: str, options: dict[str, Any]
    ) -> None:
        self.app = app
        self.router = router
        self.loader = loader
        self.prefix = prefix
        self.options = options
        self.installed = False
        self.placeholder: Any = None
        # One import in flight per event loop; an event loop lives in one thread.
        self._flights: dict[int, _Flight] = {}

    def install(self, value: Any) -> None:
        # Runs in the event loop's thread, or in the thread of a direct app.openapi() call.
        with _INSTALL_LOCK:
            if self.installed:
                return
            routes = self.router.routes
            before = len(routes)
            try:
                include = getattr(self.app, "include_router", None)
                if include is not None:
                    include(value, prefix=self.prefix, **self.options)
                else:
                    from starlette.routing import Mount

                    routes.append(Mount(self.prefix, app=value))
            except Exception as exc:
                del routes[before:]
                logger.error("lazyimport: could not include %s", self.loader.spec, exc_info=exc)
                raise _LoadError(self.loader.spec, exc) from exc
            added = routes[before:]
            kept = routes[:before]
            for index, route in enumerate(kept):
                if route is self.placeholder:
                    kept[index : index + 1] = added
                    break
            else:
                kept.extend(added)
            entries = getattr(self.router, _ENTRIES_ATTRIBUTE, ())
            if all(entry.installed or entry is self for entry in entries):
                _, gate_class = _starlette_classes()
                kept = [route for route in kept if not isinstance(route, gate_class)]
            # A new list: a request being routed right now keeps iterating the old one.
            self.router.routes = kept
            mark_changed = getattr(self.router, "_mark_routes_changed", None)
            if mark_changed is not None:  # FastAPI 0.137+: caches keyed by a routes version
                mark_changed()
            self.installed = True

    @property
    def loaded(self) -> bool:
        return self.installed

    def load_blocking(self) -> None:
        if not self.installed:
            self.install(self.loader.load())

    async def ensure_loaded(self) -> None:
        import anyio
        import anyio.to_thread

        key = threading.get_ident()
        while not self.installed:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = _Flight(anyio.Event())
                try:
                    self.install(await anyio.to_thread.run_sync(self.loader.load))
                except _LoadError as exc:  # logged once, by whoever tried
                    flight.error = exc
                finally:
                    del self._flights[key]
                    flight.event.set()
            else:
                await flight.event.wait()
            if flight.error is not None:
                raise flight.error


def _path_pattern(prefix: str) -> re.Pattern[str]:
    from starlette.routing import compile_path

    regex = compile_path(prefix)[0].pattern
    if not regex.endswith("$"):  # pragma: no cover - every Starlette version ends it so
        raise ValueError(f"cannot match under prefix {prefix!r}")
    return re.compile(regex[:-1] + "(?:/.*)?$", re.DOTALL)


def _route_path(scope: Any) -> str:
    try:
        from starlette._utils import get_route_path
    except ImportError:  # Starlette < 0.33 matched on scope["path"]
        return scope["path"]  # type: ignore[no-any-return]
    return get_route_path(scope)


def _starlette_classes() -> tuple[type, type]:
    cached: tuple[type, type] | None = _CLASSES.get("starlette")
    if cached is not None:
        return cached
    from starlette.routing import BaseRoute, Match, NoMatchFound

    async def fail(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1011, "reason": ""})
            return
        from starlette.responses import PlainTextResponse

        await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)

    class PendingRouter(BaseRoute):
        """Stands in for a router until the first request under its prefix loads it."""

        def __init__(self, entry: _LazyInclude) -> None:
            self.entry = entry
            self.path = self.path_format = entry.prefix + "/{path:path}"
            self.name = "lazy:" + entry.loader.spec
            self.include_in_schema = False
            self._pattern = _path_pattern(entry.prefix)

        def matches(self, scope: Any) -> tuple[Any, dict[str, Any]]:
            if (
                not self.entry.installed
                and scope["type"] in ("http", "websocket")
                and self._pattern.match(_route_path(scope))
            ):
                return Match.FULL, {}
            return Match.NONE, {}

        def url_path_for(self, name: str, /, **path_params: Any) -> Any:
            raise NoMatchFound(name, path_params)

        async def handle(self, scope: Any, receive: Any, send: Any) -> None:
            try:
                await self.entry.ensure_loaded()
            except _LoadError:
                await fail(scope, receive, send)
                return
            await self.entry.router.app(scope, receive, send)

        def __repr__(self) -> str:
            return f"<lazy router {self.entry.loader.spec} under {self.entry.prefix}>"

    class OpenAPIGate(BaseRoute):
        """Loads every pending router before the OpenAPI route builds the schema."""

        def __init__(self, app: Any, entries: list[_LazyInclude]) -> None:
            self.app = app
            self.entries = entries
            self.path = self.path_format = app.openapi_url
            self.name = "lazy:openapi"
            self.include_in_schema = False

        def matches(self, scope: Any) -> tuple[Any, dict[str, Any]]:
            if (
                scope["type"] == "http"
                and not scope.get(_GATE_PASSED)
                and _route_path(scope) == self.app.openapi_url
                and any(not entry.installed for entry in self.entries)
            ):
                return Match.FULL, {}
            return Match.NONE, {}

        def url_path_for(self, name: str, /, **path_params: Any) -> Any:
            raise NoMatchFound(name, path_params)

        async def handle(self, scope: Any, receive: Any, send: Any) -> None:
            for entry in list(self.entries):
                try:
                    await entry.ensure_loaded()
                except _LoadError:
                    pass  # logged; the schema goes out without it, and is not cached
            scope[_GATE_PASSED] = True
            token = _IN_GATE.set(True)
            try:
                await self.app.router.app(scope, receive, send)
            finally:
                _IN_GATE.reset(token)

    _CLASSES["starlette"] = (PendingRouter, OpenAPIGate)
    return PendingRouter, OpenAPIGate


_CLASSES: dict[str, Any] = {}


def _router_of(app_or_router: Any) -> Any:
    router = getattr(app_or_router, "router", app_or_router)
    if not hasattr(router, "routes") or not hasattr(router, "app"):
        raise TypeError(
            f"expected a FastAPI or Starlette app or router, got {type(app_or_router).__name__}"
        )
    return router


def _entries(router: Any) -> list[_LazyInclude]:
    entries: list[_LazyInclude] | None = getattr(router, _ENTRIES_ATTRIBUTE, None)
    if entries is None:
        entries = []
        setattr(router, _ENTRIES_ATTRIBUTE, entries)
    return entries


def _hook_openapi(app: Any, entries: list[_LazyInclude]) -> None:
    _, gate_class = _starlette_classes()
    app.router.routes.insert(0, gate_class(app, entries))
    build = app.openapi

    def openapi() -> dict[str, Any]:
        for entry in list(entries) if not _IN_GATE.get() else ():
            try:
                entry.load_blocking()
            except _LoadError:
                pass  # logged; the schema goes out without that router
        schema: dict[str, Any] = build()
        if any(not entry.installed for entry in entries):
            app.openapi_schema = None  # not cached: the next call tries the failed ones again
        return schema

    openapi.__doc__ = build.__doc__
    app.openapi = openapi


def include_lazily(app_or_router: Any, target: str, *, prefix: str, **options: Any) -> None:
    """Include the router named by ``target`` when the first request under ``prefix`` arrives.

    ``include_lazily(app, "myapp.routers.reports:router", prefix="/reports", tags=["reports"])``
    behaves like ``from myapp.routers.reports import router`` followed by
    ``app.include_router(router, prefix="/reports", tags=["reports"])`` at this line, except that
    nothing is imported now.

    :param app_or_router: a ``FastAPI`` app (or its ``app.router``), or a Starlette app or
        ``Router``. Not an ``APIRouter`` that will itself be included elsewhere (see the
        module's limitations); give the app and the full prefix instead.
    :param target: ``"package.module:attribute"``; the attribute may be dotted
        (``"pkg.mod:api.router"``). Only its syntax is checked here.
    :param prefix: required, non-empty, starting with ``/`` and not ending with one, as for
        ``include_router``; may hold path parameters (``/users/{user_id}``). Every route of the
        router must be under it (``include_router`` makes them so).
    :param options: passed to ``include_router`` unchanged (``tags``, ``dependencies``,
        ``responses``, ``deprecated``, ``include_in_schema``, ...). A Starlette app or router has
        no ``include_router``: the loaded router (or any ASGI app) is mounted with
        ``Mount(prefix, app=...)`` instead, and options are refused.

    On first request under ``prefix``: the import runs in a worker thread, once however many
    requests arrive meanwhile (they all wait for it; other paths are served as usual); the
    router is included at this call's position in the route list; the request is routed again
    from the top. If the import (or ``include_router``) fails, the waiting requests get a 500
    (a WebSocket is closed with code 1011), the error is logged once, and the next request
    tries again. On a FastAPI app, the OpenAPI schema lists these routes (see the module
    docstring for what that costs).
    """
    if not isinstance(prefix, str) or not prefix.startswith("/") or prefix.endswith("/"):
        raise ValueError(
            f"include_lazily: prefix must start with '/' and not end with '/', got {prefix!r}"
        )
    loader = _Loader(target)
    router = _router_of(app_or_router)
    include_owner = app_or_router if hasattr(app_or_router, "include_router") else router
    if options and not hasattr(include_owner, "include_router"):
        raise TypeError(
            "include_lazily: options are include_router arguments, and"
            f" {type(app_or_router).__name__} has no include_router: got {sorted(options)}"
        )
    pending_class, _ = _starlette_classes()
    entry = _LazyInclude(include_owner, router, loader, prefix, dict(options))
    entry.placeholder = pending_class(entry)
    entries = _entries(router)
    if not entries and getattr(app_or_router, "openapi_url", None) and router is not app_or_router:
        _hook_openapi(app_or_router, entries)
    entries.append(entry)
    router.routes.append(entry.placeholder)
    _remember(entry)


class _WarmUp:
    def __init__(self, entries: list[_LazyInclude], delay: float) -> None:
        import asyncio

        self.loop: Any = None
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        self.entries = list(entries)
        self.delay = delay
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lazyimport-warm-up", daemon=True)

    def _install(self, entry: _LazyInclude, value: Any) -> None:
        try:
            entry.install(value)
        except _LoadError:
            pass  # logged; the next request under its prefix tries again

    def _run(self) -> None:
        if self.stopped.wait(self.delay):
            return
        for entry in self.entries:
            if self.stopped.is_set():
                return
            if entry.installed:
                continue
            try:
                value = entry.loader.load()
            except _LoadError:
                continue  # logged; the next request under its prefix tries again
            if self.loop is None:
                self._install(entry, value)
                continue
            try:
                self.loop.call_soon_threadsafe(self._install, entry, value)
            except RuntimeError:  # the loop is closed: the server is shutting down
                return


def warm_up(app: Any, delay: float = 0.0) -> threading.Thread | None:
    """Load the app's lazily included routers in a background thread after startup.

    Either call it once where the app is built (``warm_up(app)`` at module level, next to the
    ``include_lazily`` calls): it then wraps the app's lifespan and starts when startup has
    finished, in every worker process, including gunicorn workers forked from a ``--preload``
    master (threads do not survive a fork, so none is started at import time), and stops at
    shutdown. Or call it from inside your own lifespan or startup handler (``warm_up(app)``
    while the event loop runs): it starts at once.

    The thread waits ``delay`` seconds (letting health checks and the first logins through
    first), then imports the routers one after another in the order they were declared, and
    hands each to the event loop, which includes it between two requests: the loop is never
    blocked on an import (imports do compete for the GIL, which slows the loop a little while
    they run). A router that a request has loaded meanwhile is skipped; one that fails to import
    is logged and left for the next request to retry.

    Hooked on the lifespan, it needs the server to run it: uvicorn and its gunicorn worker do
    by default (``--lifespan auto``); with ``--lifespan off`` call it from a startup handler.

    Returns the started thread when called while an event loop runs, else ``None``.
    """
    router = _router_of(app)
    entries = _entries(router)
    if delay < 0:
        raise ValueError(f"warm_up: delay must be >= 0, got {delay!r}")
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        warm = _WarmUp(entries, delay)
        warm.thread.start()
        return warm.thread

    import contextlib

    original = router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(lifespan_app: Any) -> Any:
        async with original(lifespan_app) as state:
            warm = _WarmUp(entries, delay)
            warm.thread.start()
            try:
                yield state
            finally:
                warm.stopped.set()

    router.lifespan_context = lifespan
    return None


# ---------------------------------------------------------------------------------------------
# Flask


class _LazyView:
    helper = "add_lazy_view"

    def __init__(self, loader: _Loader, rule: str) -> None:
        self.loader = loader
        self.prefix = rule
        self._view: Any = _MISSING
        self.__name__ = loader.attribute.rpartition(".")[2]
        self.__qualname__ = loader.attribute
        self.__module__ = loader.module
        self.__doc__ = None

    def _load(self) -> Any:
        view = self._view
        if view is _MISSING:
            try:
                obj = self.loader.load()
            except _LoadError as exc:
                from werkzeug.exceptions import InternalServerError

                # An HTTP exception: Flask answers 500 through the app's handlers without
                # logging the traceback again for each waiting request.
                raise InternalServerError(original_exception=exc.original) from exc.original
            as_view = getattr(obj, "as_view", None)
            view = self._view = as_view(self.__name__) if isinstance(obj, type) and as_view else obj
        return view

    @property
    def loaded(self) -> bool:
        return self._view is not _MISSING

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<lazy view {self.loader.spec}>"


def add_lazy_view(app_or_blueprint: Any, rule: str, target: str, **options: Any) -> Callable[..., Any]:
    """Route ``rule`` to the view ``target`` (``"package.module:view"``), imported on first call.

    Flask's "lazily loading views" pattern, made thread-safe: ``add_url_rule(rule,
    view_func=<stand-in>, **options)`` now, on the app or a blueprint (before it is registered),
    so the endpoint exists and ``url_for`` works at once; the first request imports the module
    once, however many threads ask at the same time, and later calls go straight to the view.
    A class with ``as_view`` (a ``flask.views.View``) is turned into a view with
    ``as_view(endpoint name)`` when loaded.

    ``options`` are ``add_url_rule``'s; the endpoint defaults to the attribute's last name.
    Pass ``methods=`` when the view is not GET-only: a lazily imported view's own ``methods``
    attribute cannot be read before it is imported. If the import fails, the requests waiting
    for it get a 500 (an ``InternalServerError`` carrying the import's exception as
    ``original_exception``, so the app's 500 handlers run), the error is logged once, and the
    next request tries again.

    Returns the stand-in view function.
    """
    view = _LazyView(_Loader(target), rule)
    app_or_blueprint.add_url_rule(rule, view_func=view, **options)
    _remember(view)
    return view


def _prefix_pattern(url_prefix: str) -> re.Pattern[str]:
    parts = re.split(r"(<[^>]*>)", url_prefix)
    regex = "".join(
        ((".+" if part[1:].startswith("path:") else "[^/]+") if part.startswith("<") else re.escape(part))
        for part in parts
    )
    return re.compile("^" + regex + "(?:/.*)?$", re.DOTALL)


class _LazyBlueprint:
    helper = "register_blueprint_lazily"

    def __init__(self, loader: _Loader, options: dict[str, Any]) -> None:
        self.loader = loader
        self.options = options
        self.prefix: str = options["url_prefix"]
        self.name: str | None = options.get("name")
        self.pattern = _prefix_pattern(self.prefix)
        self.installed = False

    @property
    def loaded(self) -> bool:
        return self.installed


def _copy_url_map(live: Any) -> Any:
    internal = {"_matcher", "_rules", "_rules_by_endpoint", "_remap", "_remap_lock"}
    copy = type(live)()
    for key, value in vars(live).items():
        if key not in internal:
            setattr(copy, key, value)
    copy.converters = dict(live.converters)
    copy.merge_slashes = live.merge_slashes
    copy.strict_slashes = live.strict_slashes
    for rule in live.iter_rules():
        fresh = rule.empty()
        if hasattr(rule, "provide_automatic_options"):
            fresh.provide_automatic_options = rule.provide_automatic_options
        copy.add(fresh)
    return copy


class _BlueprintDispatcher:
    """Wraps ``app.wsgi_app``: registers a lazy blueprint before Flask routes its first request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.entries: list[_LazyBlueprint] = []
        self.pending: tuple[_LazyBlueprint, ...] = ()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        pending = self.pending
        if pending:
            path = environ.get("PATH_INFO") or "/"
            for entry in pending:
                if not entry.installed and entry.pattern.match(path):
                    try:
                        self.ensure(entry)
                    except _LoadError:
                        start_response(
                            "500 INTERNAL SERVER ERROR",
                            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "21")],
                        )
                        return [b"Internal Server Error"]
        return self.wsgi_app(environ, start_response)

    def ensure(self, entry: _LazyBlueprint) -> None:
        if entry.installed:
            return
        blueprint = entry.loader.load()
        with self.lock:
            if entry.installed:
                return
            try:
                self._register(blueprint, entry.options)
            except Exception as exc:
                logger.error(
                    "lazyimport: register_blueprint failed for %s", entry.loader.spec, exc_info=exc
                )
                raise _LoadError(entry.loader.spec, exc) from exc
            entry.name = entry.options.get("name") or blueprint.name
            entry.installed = True
            self.pending = tuple(e for e in self.entries if not e.installed)

    def _register(self, blueprint: Any, options: dict[str, Any]) -> None:
        app = self.app
        live = app.url_map
        staging = _copy_url_map(live)
        # Flask refuses setup calls once it has served a request (_check_setup_finished), to keep
        # other threads from matching against a URL map being changed. Here the new rules go to
        # a copy (the live map's add is redirected), swapped in below with one assignment.
        app._check_setup_finished = lambda f_name: None
        live.add = staging.add
        try:
            app.register_blueprint(blueprint, **options)
        finally:
            del live.add
            del app._check_setup_finished
        staging.update()
        app.url_map = staging

    def build_error(self, error: Exception, endpoint: str, values: dict[str, Any]) -> str:
        name = endpoint.partition(".")[0]
        candidates = [
            entry
            for entry in self.entries
            if entry.name == name or (entry.name is None and not entry.installed)
        ]
        if not candidates or "." not in endpoint:
            raise error
        # Named ones first; then unnamed ones in declaration order, until the name turns up.
        candidates.sort(key=lambda entry: entry.name != name)
        for entry in candidates:
            if entry.name == name and entry.installed:
                break
            try:
                self.ensure(entry)
            except _LoadError:
                continue
            if entry.name == name:
                break
        else:
            raise error
        import flask
        from urllib.parse import quote

        values = dict(values)
        anchor = values.pop("_anchor", None)
        method = values.pop("_method", None)
        scheme = values.pop("_scheme", None)
        external = values.pop("_external", False)
        # The current request's URL adapter was bound to the map before the blueprint was added.
        adapter = self.app.create_url_adapter(flask.request if flask.has_request_context() else None)
        if adapter is None:
            raise error
        self.app.inject_url_defaults(endpoint, values)
        url: str = adapter.build(
            endpoint, values, method=method, url_scheme=scheme, force_external=external
        )
        if anchor is not None:
            url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
        return url


def register_blueprint_lazily(app: Any, target: str, *, url_prefix: str, **options: Any) -> None:
    """Register the blueprint named by ``target`` when the first request under ``url_prefix`` arrives.

    ``register_blueprint_lazily(app, "myapp.reports:bp", url_prefix="/reports")`` behaves like
    ``app.register_blueprint(bp, url_prefix="/reports")`` done at startup, except that nothing is
    imported now. ``options`` are ``register_blueprint``'s (``name``, ``subdomain``,
    ``url_defaults``, ...); ``url_prefix`` is required (it may hold converters,
    ``/<lang>/reports``), since only requests under it load the blueprint.

    It wraps ``app.wsgi_app`` (once per app). The first request whose path is under the prefix
    imports the module (once; concurrent requests wait for that import) and registers the
    blueprint before Flask routes the request, so that request and all later ones are handled by
    Flask exactly as if the blueprint had been registered at startup. Registration after the
    first request is made safe by building a copy of the URL map and swapping it in; see the
    module docstring. If the import or the registration fails, the waiting requests get a plain
    500, the error is logged once, and the next request tries again.

    ``url_for`` of an endpoint of a blueprint not yet loaded loads it in the calling thread,
    then builds the URL. Before its import a blueprint's name is not known, so such a
    ``url_for`` loads the pending blueprints registered without ``name=``, in declaration order,
    until one has the endpoint's name; pass ``name=`` to load only the right one.
    """
    if not isinstance(url_prefix, str) or not url_prefix.startswith("/") or url_prefix == "/":
        raise ValueError(
            f"register_blueprint_lazily: url_prefix must start with '/' and not be '/', got {url_prefix!r}"
        )
    url_prefix = url_prefix.rstrip("/")
    loader = _Loader(target)
    dispatcher = app.extensions.get(_FLASK_EXTENSION)
    if dispatcher is None:
        dispatcher = app.extensions[_FLASK_EXTENSION] = _BlueprintDispatcher(app)
        app.wsgi_app = dispatcher
        app.url_build_error_handlers.append(dispatcher.build_error)
    entry = _LazyBlueprint(loader, dict(options, url_prefix=url_prefix))
    dispatcher.entries.append(entry)
    dispatcher.pending = dispatcher.pending + (entry,)
    _remember(entry)
