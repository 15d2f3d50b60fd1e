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
  are pure and that does not register its subclasses, and the project's
  ``extend-pure-calls``;
* anything else makes deferring *unsafe*: fix applies it only with
  ``--unsafe-fixes``, and the message names the first such effect (and the
  registration pattern it looks like, when it looks like one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from lazyimport_codemod.parse.effects import ASSIGNMENT, BASE, CALL, DECORATOR, OWN, Effect

if TYPE_CHECKING:
    from lazyimport_codemod.project.graph import Project

# Modules whose decorators, calls and base classes act only on what they are given.
PURE_MODULES = frozenset({
    "abc", "attr", "attrs", "backoff", "cachetools", "collections", "contextlib", "dataclasses", "enum",
    "functools", "numbers", "pydantic", "pydantic_settings", "strawberry", "tenacity", "typing",
    "typing_extensions",
})
# Single names of that kind from other modules.
PURE_NAMES = frozenset({
    "async_lru.alru_cache",
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
    "torch.inference_mode", "torch.nn.Module", "torch.no_grad",
})

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
        self._first: dict[str, Optional[tuple[Effect, str]]] = {}  # module -> (effect, module) or None

    def of_loading(self, targets: Iterable[str], skip: frozenset[str]) -> Optional[tuple[Effect, str]]:
        """The first unsafe effect (and the module it is in) of executing ``targets`` and
        every first-party module they load in turn, leaving out ``skip`` (loaded anyway)."""
        seen = set(skip)
        queue = [target for target in targets if target not in seen]
        seen.update(queue)
        while queue:
            module = queue.pop(0)
            found = self._own(module)
            if found is not None:
                return found
            facts = self.project.module(module, force=True)
            for edge in facts.edges if facts is not None else ():
                for target in edge.targets:
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
        return None

    def _own(self, module: str) -> Optional[tuple[Effect, str]]:
        if module not in self._first:
            facts = self.project.module(module, force=True)
            found = None
            for effect in facts.file.effects if facts is not None else ():
                if not self._harmless(effect):
                    found = (effect, module)
                    break
            self._first[module] = found
        return self._first[module]

    def _harmless(self, effect: Effect) -> bool:
        if effect.kind == BASE:
            return self._pure_base(effect.target, set())
        return bool(effect.target) and is_pure(effect.target, self.pure_calls)

    def _pure_base(self, target: str, seen: set[str]) -> bool:
        """A base class known not to register its subclasses: builtin, curated, listed in
        ``extend-pure-calls``, or a first-party class whose own bases are such and which
        neither defines ``__init_subclass__`` nor takes a metaclass."""
        if not target or target in seen:
            return False
        seen.add(target)
        if target.startswith("builtins.") or is_pure(target, self.pure_calls):
            return True
        module, _, name = target.rpartition(".")
        facts = self.project.module(module, force=True) if module else None
        for found in facts.file.classes if facts is not None else ():
            if found.name == name:
                return not found.registers and all(self._pure_base(base, seen) for base in found.bases)
        return False
