"""Whether deferring the import of first-party modules would postpone something beyond them.

Deferring ``from app.services import embed`` postpones running
``app/services/embed.py`` and every first-party module it loads that nothing
else loads first.  Building or changing their own objects is no matter.  An
effect on anything else is: a call of a function that may reach anywhere, an
assignment into an imported object, a decorator or base class that registers
what it is given (a task queue's ``@app.task``, a declarative model base, a
plugin registry).  The candidates come from
:mod:`~lazyimport_codemod.parse.effects`; here they are judged:

* pure: the curated names below (decorators and calls known to act only on
  what they are given, and base classes known not to register their
  subclasses), builtin base classes, a first-party base class whose own bases
  are pure and that does not register its subclasses, a first-party decorator
  whose body only wraps what it is given (:class:`~lazyimport_codemod.parse.effects.Wrapper`),
  a property's ``setter``, writing a log record, and the project's
  ``extend-pure-calls``;
* a direct subclass of a declarative base (``class Base(DeclarativeBase)``)
  starts a registry of its own, so it is the module's own affair; a subclass
  of that first-party ``Base`` elsewhere registers on it, which is not;
* anything else makes deferring *unsafe*: fix applies it only with
  ``--unsafe-fixes``, and the message names the first such effect (and the
  registration pattern it looks like, when it looks like one).
"""

from __future__ import annotations


from lazyimport_codemod.parse.effects import (
    ASSIGNMENT, BASE, CALL, DECORATOR, OWN, PARAMETER, Effect, Wrapper, bindings)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, Optional
    from lazyimport_codemod.project.graph import ModuleFacts, Project

# Modules whose decorators, calls and base classes act only on what they are given.
PURE_MODULES = frozenset({
    "abc", "attr", "attrs", "backoff", "cachetools", "collections", "contextlib", "dataclasses", "enum",
    "functools", "inspect", "numbers", "pydantic", "pydantic_settings", "strawberry", "tenacity", "typing",
    "typing_extensions",
})
# Single names of that kind from other modules.
PURE_NAMES = frozenset({
    "async_lru.alru_cache", "asyncio.iscoroutinefunction",
    "builtins.classmethod", "builtins.property", "builtins.staticmethod",
    "click.argument", "click.command", "click.group", "click.option", "click.pass_context", "click.pass_obj",
    "deprecated.deprecated", "warnings.deprecated",
    "django.db.migrations.Migration",
    "fastapi.APIRouter",
    "flask.views.MethodView", "flask.views.View", "flask_restx.Resource",
    "injector.inject", "injector.singleton",
    # They change only the app they are given (this package's own lazily included routers).
    "lazyimport_codemod.routers.add_lazy_view", "lazyimport_codemod.routers.include_lazily",
    "lazyimport_codemod.routers.register_blueprint_lazily", "lazyimport_codemod.routers.warm_up",
    "llama_index.core.workflow.step",
    "sqlalchemy.TypeDecorator", "sqlalchemy.types.TypeDecorator",
    "sqlalchemy.ext.declarative.declared_attr", "sqlalchemy.orm.declared_attr",
    "sqlalchemy.ext.hybrid.hybrid_method", "sqlalchemy.ext.hybrid.hybrid_property",
    "sqlalchemy.orm.reconstructor", "sqlalchemy.orm.validates",
    "starlette.authentication.requires",
    "threading.Thread",
    "yaml.Dumper", "yaml.FullLoader", "yaml.Loader", "yaml.SafeDumper", "yaml.SafeLoader",
    "torch.inference_mode", "torch.nn.Module", "torch.no_grad",
})

# Modules whose classes do not act on their subclasses (no metaclass or __init_subclass__
# registering them anywhere): a subclass of one is the subclassing module's own affair.
PURE_BASE_MODULES = frozenset({
    # the standard library's usual bases
    "argparse", "ast", "asyncio", "codecs", "concurrent", "ctypes", "datetime", "decimal", "email",
    "html", "http", "io", "json", "logging", "multiprocessing", "pathlib", "queue", "socketserver",
    "string", "threading", "unittest", "urllib", "xml",
    # libraries whose classes are plain classes or pydantic models
    "aiohttp", "anthropic", "diffusers", "fastapi", "fastapi_users", "httpx", "langchain",
    "langchain_community", "langchain_core", "langgraph", "litellm", "llama_index", "numpy", "openai",
    "pandas", "requests", "sklearn", "starlette", "torch", "transformers", "werkzeug",
})
# Families of packages (``langchain_openai``, ``llama_index_...``) of that kind.
_PURE_BASE_PREFIXES = ("langchain_", "llama_index")
# Bases whose direct subclass gets a registry of its own (a new declarative base).
ROOT_BASES = frozenset({"sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta"})
# Builtins a decorator's body may call without acting beyond what it is given.
_PURE_BUILTINS = frozenset({
    "all", "any", "bool", "bytes", "callable", "dict", "dir", "enumerate", "filter", "float", "format",
    "frozenset", "getattr", "hasattr", "hash", "id", "int", "isinstance", "issubclass", "iter", "len",
    "list", "map", "max", "min", "object", "range", "repr", "set", "sorted", "str", "tuple", "type", "zip",
})
# Writing a log record: where and when a message is logged is no behaviour the app's code
# depends on (configuring logging, as ``logging.basicConfig()`` does, is).
_LOGGERS = frozenset({"logging", "logging.getLogger", "loguru.logger", "structlog.get_logger",
                      "structlog.getLogger"})
_LOG_METHODS = frozenset({"critical", "debug", "error", "exception", "info", "log", "warn", "warning"})
_PROPERTY_PARTS = frozenset({"setter", "getter", "deleter"})
# How many re-exports (``from .timing import timed`` in a package) a name is followed through.
_REEXPORTS = 4

# What a registration looks like, for the message: (last part of the name, what it does).
_REGISTRATIONS = (
    ({"task", "shared_task", "periodic_task", "actor", "job", "cron"}, "registers a task with a task queue"),
    ({"register", "register_plugin", "plugin"}, "adds to a registry"),
    ({"route", "get", "post", "put", "patch", "delete", "websocket", "api_route", "include_router",
      "add_url_rule", "add_namespace"}, "adds to another module's router"),
    ({"connect", "receiver", "listens_for", "listen", "on_event", "subscribe"}, "connects a handler to a signal"),
    ({"Base", "DeclarativeBase", "Model", "SQLModel", "Document"}, "is a model base, which registers its subclasses"),
)


def is_pure(target: str, extra: Iterable[str] = ()) -> bool:
    """Whether a decorator, call or base class of this qualified name acts only on what
    it is given.  ``extra`` are the project's own (``extend-pure-calls``); a name covers
    what is inside it, as ``app.utils`` covers ``app.utils.retry``."""
    if target in PURE_NAMES or target.split(".", 1)[0] in PURE_MODULES:
        return True
    return any(target == name or target.startswith(name + ".") for name in extra)


def is_pure_base(target: str, extra: Iterable[str] = ()) -> bool:
    """Whether a base class of this qualified name leaves its subclasses alone: pure names,
    builtins, and the classes of :data:`PURE_BASE_MODULES`."""
    top = target.split(".", 1)[0]
    return (top == "builtins" or top in PURE_BASE_MODULES or top.startswith(_PURE_BASE_PREFIXES)
            or is_pure(target, extra))


def is_log_record(target: str) -> bool:
    """Whether a call writes a log record (``logger.warning(...)`` through logging, loguru, structlog)."""
    owner, _, method = target.rpartition(".")
    return method in _LOG_METHODS and owner in _LOGGERS


def describe(effect: Effect) -> str:
    """How a message names an effect: ``a decorator (celery.shared_task), which registers ...``."""
    name = effect.target.replace(f"{OWN}.", "")
    what = {
        CALL: f"a call to {name}()" if name else "a call",
        ASSIGNMENT: f"an assignment into {name}" if name else "an assignment into another module's object",
        DECORATOR: f"a decorator ({name})" if name else "a decorator",
        BASE: f"a subclass of {name}" if name else "a subclass of another module's class",
    }[effect.kind]
    last = name.rsplit(".", 1)[-1]
    for names, does in _REGISTRATIONS:
        if last in names:
            return f"{what}, which {does}"
    return what


class Effects:
    """The first unsafe effect of loading some first-party modules, for one project."""

    def __init__(self, project: Project, pure_calls: Iterable[str]) -> None:
        self.project = project
        self.pure_calls = tuple(pure_calls)
        self._steps: dict[str, tuple[Optional[tuple[Effect, str]], tuple[str, ...]]] = {}  # see _step
        self._bases: dict[str, bool] = {}  # base class -> whether it leaves its subclasses alone

    def of_loading(self, targets: Iterable[str], skip: frozenset[str]) -> Optional[tuple[Effect, str]]:
        """The first unsafe effect (and the module it is in) of executing ``targets`` and
        every first-party module they load in turn, leaving out ``skip`` (loaded anyway)."""
        # Breadth first, in import order: the first effect met is the one reported.  ``skip``
        # (often thousands of modules) is read, never copied.
        queue = [target for target in targets if target not in skip]
        seen = set(queue)
        steps = self._steps
        for module in queue:  # grows while it is read
            step = steps.get(module) or self._step(module)
            if step[0] is not None:
                return step[0]
            for target in step[1]:
                if target not in seen and target not in skip:
                    seen.add(target)
                    queue.append(target)
        return None

    def _step(self, module: str) -> tuple[Optional[tuple[Effect, str]], tuple[str, ...]]:
        """A module's first unsafe effect (with the module), and the first-party modules its
        imports load in order: what :meth:`of_loading` needs of each module it meets, read once."""
        facts = self.project.module(module, force=True)
        found = None
        loads: tuple[str, ...] = ()
        if facts is not None:
            found = next(((effect, module) for effect in facts.file.effects if not self._harmless(effect, module)),
                         None)
            loads = tuple(target for edge in facts.edges for target in edge.targets)
        step = self._steps[module] = (found, loads)
        return step

    def _harmless(self, effect: Effect, module: str) -> bool:
        target = effect.target
        if effect.kind == BASE:
            return target in ROOT_BASES or self._pure_base(target)
        if not target:
            return False
        if is_pure(target, self.pure_calls):
            return True
        if effect.kind == CALL:
            return is_log_record(target) or self._pure_wrapper(target.replace(OWN, module, 1), factory=False)
        if effect.kind == DECORATOR:
            if target.startswith(OWN) and target.rpartition(".")[2] in _PROPERTY_PARTS:
                return True  # ``@name.setter`` on a property of a class of this module
            return self._pure_wrapper(target.replace(OWN, module, 1), factory=effect.factory)
        return False

    def _pure_base(self, target: str) -> bool:
        """A base class known not to register its subclasses: builtin, curated, listed in
        ``extend-pure-calls``, or a first-party class whose own bases are such and which
        neither defines ``__init_subclass__`` nor takes a metaclass."""
        known = self._bases.get(target)
        if known is None:
            self._bases[target] = False  # a cycle of bases is no pure one
            known = self._bases[target] = bool(target) and self._judge_base(target)
        return known

    def _judge_base(self, target: str) -> bool:
        if is_pure_base(target, self.pure_calls):
            return True
        for facts, name, reexported in self._followed(target):
            for found in facts.file.classes:
                if found.name == name:
                    return not found.registers and all(self._pure_base(base) for base in found.bases)
            if is_pure_base(reexported, self.pure_calls):
                return True
        return False

    def _followed(self, target: str) -> Iterator[tuple[ModuleFacts, str, str]]:
        """(module, name, what the module binds the name to) for the first-party module a
        dotted ``target`` names, then for each module its import re-exports the name from."""
        for _ in range(_REEXPORTS):
            module, _, name = target.rpartition(".")
            facts = self.project.module(module, force=True) if module else None
            if facts is None:
                return
            target = bindings(facts.file.imports).get(name, "")
            yield facts, name, target

    def _pure_wrapper(self, target: str, factory: bool) -> bool:
        """Whether a first-party decorator (or a call of it) only wraps what it is given:
        its body, and for a decorator factory the body of the function it returns, call
        nothing beyond pure names."""
        wrapper = self._wrapper(target)
        if wrapper is None:
            return False
        if factory:
            applied = wrapper.returns
            return applied is not None and self._pure_calls(wrapper, False) and self._pure_calls(applied, True)
        return self._pure_calls(wrapper, True)

    def _pure_calls(self, wrapper: Wrapper, applied: bool) -> bool:
        """``applied``: the body receives the decorated function, whose own attributes it may set."""
        for call in wrapper.calls:
            if call == PARAMETER and applied:
                continue
            if call.startswith("builtins."):
                name = call[len("builtins."):]
                if name in _PURE_BUILTINS or name.endswith(("Error", "Exception", "Warning")):
                    continue
            if not call or not (is_pure(call, self.pure_calls) or is_pure_base(call, self.pure_calls)):
                return False
        return True

    def _wrapper(self, target: str) -> Optional[Wrapper]:
        """The :class:`Wrapper` a decorator's name leads to, following re-exports."""
        for facts, name, _ in self._followed(target):
            for wrapper in facts.file.wrappers:
                if wrapper.name == name:
                    return wrapper
        return None
