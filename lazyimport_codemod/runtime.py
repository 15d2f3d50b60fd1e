"""Deferred imports: ``np = lazy_import("numpy")`` binds a stand-in now and imports on first use.

``lazyimport fix --strategy proxy`` rewrites module-level imports of heavy packages into calls
to :func:`lazy_import` when the name has to exist at module level (other modules import it, a
class attribute refers to it, ...) but is not used while the module is being imported. The
web worker then boots without paying for torch or pandas; the first request that needs them
pays once.

Three constraints shape this file:

* It runs at application start-up, so importing it must be cheap: standard library only, no
  ``typing`` at run time, and nothing from the rest of ``lazyimport_codemod`` (which pulls in
  libcst and click). ``vendor_runtime`` also copies this file verbatim into user projects that
  don't want a run-time dependency on lazyimport, so it must work on its own.
* The proxy must behave like the real object for everything user code does with a module,
  class or function, including ``isinstance``, subclassing and operators, because the codemod
  promises unchanged behaviour.
* After the first use nothing should cost more than before the rewrite: the proxy swaps the
  real object into the globals of the module that created it.
"""

from __future__ import annotations

import importlib
import operator
import os
import sys
import types

try:
    # The C lock that threading.RLock returns; importing threading would cost a few ms at start-up.
    from _thread import RLock as _RLock
except ImportError:  # pragma: no cover - interpreters without the C implementation
    from threading import RLock as _RLock

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

__all__ = ["lazy_exports", "lazy_import"]

# The forms fix may write against this file: ``lazy_import``, its ``submodules`` keyword, and
# ``lazy_exports``.  A copy ``lazyimport write-runtime`` put in a project carries this line,
# which lazyimport reads as text (never importing the copy) so that fix writes only what the
# copy provides; a form added later adds its name here.
__lazyimport_runtime__ = ("lazy_import", "submodules", "lazy_exports")

_NOT_LOADED: Any = object()
_get_slot = object.__getattribute__
_set_slot = object.__setattr__


def lazy_import(module: str, attribute: str | None = None, *, top_level: bool = False,
                submodules: tuple[str, ...] = ()) -> Any:
    """Return a proxy that imports ``module`` (or ``attribute`` from it) the first time it is used.

    * ``lazy_import("pkg.mod")`` stands for ``import pkg.mod as name``: the module ``pkg.mod``.
    * ``lazy_import("pkg", "Name")`` stands for ``from pkg import Name``: the attribute, or the
      submodule ``pkg.Name`` when the package has no such attribute.
    * ``lazy_import("a.b.c", top_level=True)`` stands for ``import a.b.c``: imports ``a.b.c``
      and gives the top-level package ``a``.
    * A leading dot makes the import relative to the calling module's package, as in
      ``from . import x`` (``lazy_import(".", "x")``).
    * ``submodules`` lists more modules of the same package, imported after ``module`` on first
      use: ``lazy_import("a.b", top_level=True, submodules=("a.c",))`` stands for both
      ``import a.b`` and ``import a.c``, which bind the one name ``a``.  Not with an attribute.

    Nothing is imported here, even for a module that does not exist: the real ``ImportError``
    is raised at first use, naming this call's file and line. Creation only records the call
    site, because proxies are created for every deferred import at start-up.
    """
    if not isinstance(module, str):
        raise TypeError(f"lazy_import() module must be a str, not {type(module).__name__}")
    dotted = module.lstrip(".")
    if not module or (dotted and not all(part.isidentifier() for part in dotted.split("."))):
        raise ValueError(f"lazy_import(): {module!r} is not a module name")
    if attribute is not None and not (isinstance(attribute, str) and attribute.isidentifier()):
        raise ValueError(f"lazy_import(): {attribute!r} is not an attribute name")
    if top_level and (attribute is not None or dotted != module):
        raise ValueError(
            "lazy_import(): top_level=True stands for 'import a.b.c' and takes neither an"
            " attribute nor a relative module"
        )
    submodules = tuple(submodules)
    if submodules and (attribute is not None or dotted != module):
        raise ValueError("lazy_import(): submodules go with an absolute module and no attribute")
    top = module.partition(".")[0]
    for name in submodules:
        if not (isinstance(name, str) and name.partition(".")[0] == top
                and all(part.isidentifier() for part in name.split("."))):
            raise ValueError(f"lazy_import(): submodule {name!r} is not a module of {top!r}")

    filename, lineno, namespace = "<unknown>", 0, None
    get_frame = getattr(sys, "_getframe", None)
    if get_frame is not None:
        # Keep the frame's data, not the frame: a frame would keep all its locals alive.
        frame = get_frame(1)
        filename, lineno = frame.f_code.co_filename, frame.f_lineno or 0
        namespace = frame.f_globals
        del frame
    return _LazyProxy(module, attribute, top_level, filename, lineno, namespace, submodules)


def lazy_exports(
    package: str, attributes: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for a package ``__init__`` that serves its names lazily.

    ``lazyimport fix`` writes ``__getattr__, __dir__ = lazy_exports(__name__, {...})`` in
    place of a package's re-exports (PEP 562): each name is imported on its first access and
    then kept in the package's globals, so the next access costs nothing. Importers get the
    real object. ``attributes`` maps each name to where it comes from, as the import wrote it
    (a leading dot is relative to ``package``):

    * ``"module:attribute"`` stands for ``from module import attribute``;
    * ``"module"`` stands for the module itself, or, when it is ``package.name`` or below it,
      for the submodule ``package.name`` (``from . import name``, ``import package.name.sub``).

    A submodule that an entry lies in is an attribute too (``package.models`` once
    ``from .models import User`` is deferred): its first access imports every entry's module
    below it, as the eager imports did. ``__all__``, when the package defines none, is every
    public name of its namespace and of the table, as ``from package import *`` found before
    (but ``TYPE_CHECKING`` and the helper, which the facade's code binds).
    """
    namespace = sys.modules[package].__dict__
    table = dict(attributes)
    below: dict[str, list[str]] = {}  # submodule name -> modules of entries inside it
    prefix = package + "."
    for source in table.values():
        module = _resolve_name(source.partition(":")[0], package)
        if module.startswith(prefix):
            below.setdefault(module[len(prefix):].partition(".")[0], []).append(module)

    def __getattr__(name: str) -> Any:
        source = table.get(name)
        if source is not None and (":" in source or _resolve_name(source, package) not in below.get(name, ())):
            module, _, attribute = source.partition(":")
            loaded = importlib.import_module(module, package)
            value = _import_from(loaded, attribute) if attribute else loaded
        elif name in below:
            for module in below[name]:
                importlib.import_module(module)
            value = sys.modules[prefix + name]
        elif name == "__all__":
            # The names the facade's own code binds are no re-exports.
            hidden = {key for key, found in namespace.items()
                      if found is lazy_exports or (key == "TYPE_CHECKING" and found is False)}
            return sorted({*(key for key in namespace if not key.startswith("_")), *table, *below} - hidden)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *table, *below})

    return __getattr__, __dir__


def _resolve_name(module: str, package: str) -> str:
    """The absolute name of a module an entry of :func:`lazy_exports` names (as
    ``importlib.util.resolve_name`` does, without importing it)."""
    name = module.lstrip(".")
    level = len(module) - len(name)
    if not level:
        return module
    base = package.rsplit(".", level - 1)[0] if level > 1 else package
    return f"{base}.{name}" if name else base

def _resolve(proxy: _LazyProxy) -> Any:
    """Return the real object, importing it on the first call.

    Double-checked so that the loaded path is a single slot read. The lock is re-entrant
    because a circular import can use the proxy again, in the same thread, while its module
    is still executing; importlib then hands out the partially initialised module, exactly
    as a plain import statement would, instead of deadlocking.
    """
    target = _get_slot(proxy, "_LazyProxy__target")
    if target is not _NOT_LOADED:
        return target
    with _get_slot(proxy, "_LazyProxy__lock"):
        target = _get_slot(proxy, "_LazyProxy__target")
        if target is _NOT_LOADED:
            target = _load(proxy)
            _set_slot(proxy, "_LazyProxy__target", target)
            _replace_in_owner_globals(proxy, target)
    return target


def _load(proxy: _LazyProxy) -> Any:
    """Import the target, making any failure point at the ``lazy_import`` call that caused it.

    The traceback of a deferred import starts at some unrelated first use, so without the
    call site nobody could tell which line to fix. The exception object itself is kept (same
    type, ``name``, ``path``) so ``except ImportError`` handlers and tools keep working.
    """
    module: str = _get_slot(proxy, "_LazyProxy__module")
    attribute: str | None = _get_slot(proxy, "_LazyProxy__attribute")
    try:
        if module.startswith("."):
            package = _package_of(_get_slot(proxy, "_LazyProxy__globals"))
            if not package:
                raise ImportError("attempted relative import with no known parent package")
            loaded = importlib.import_module(module, package)
        else:
            loaded = importlib.import_module(module)
        for submodule in _get_slot(proxy, "_LazyProxy__submodules"):
            importlib.import_module(submodule)
        if attribute is not None:
            return _import_from(loaded, attribute, proxy)
        if _get_slot(proxy, "_LazyProxy__top_level"):
            return importlib.import_module(module.partition(".")[0])
        return loaded
    except ImportError as exc:
        where = f"{_describe(proxy)} called at {_call_site(proxy)}"
        message = exc.msg if exc.msg is not None else str(exc)
        if where not in message:  # the same exception may pass through nested proxies
            exc.msg = f"{message} ({where})"
            if len(exc.args) <= 1:
                exc.args = (exc.msg,)
        raise
    except Exception as exc:
        add_note = getattr(exc, "add_note", None)  # Python 3.11+
        if add_note is not None:
            add_note(f"while loading {_describe(proxy)} called at {_call_site(proxy)}")
        raise


def _import_from(module: Any, attribute: str, proxy: _LazyProxy | None = None) -> Any:
    """Do what ``from module import attribute`` does once ``module`` is imported.

    An existing attribute wins; otherwise a package's submodule of that name is imported,
    and as a last resort ``sys.modules`` is consulted (a submodule that is still being
    imported, in a circular import). The error matches the interpreter's own.  When the
    attribute is ``proxy`` itself (a package's ``__init__`` that stands for its own
    submodule with ``lazy_import(__name__, "sub")``), it is the submodule that is meant.
    """
    try:
        found = getattr(module, attribute)
    except AttributeError:
        pass
    else:
        if found is not proxy:
            return found
    module_name = getattr(module, "__name__", None)
    if isinstance(module_name, str):
        full_name = f"{module_name}.{attribute}"
        if hasattr(module, "__path__"):
            try:
                importlib.import_module(full_name)
            except ModuleNotFoundError as exc:
                if exc.name != full_name:  # the submodule exists but needs something missing
                    raise
        found = getattr(module, attribute, proxy)
        if found is not proxy:
            return found
        submodule = sys.modules.get(full_name)
        if submodule is not None:
            return submodule
    location = getattr(module, "__file__", None) or "unknown location"
    spec = getattr(module, "__spec__", None)
    if getattr(spec, "_initializing", False):
        message = (
            f"cannot import name {attribute!r} from partially initialized module"
            f" {module_name!r} (most likely due to a circular import) ({location})"
        )
    else:
        message = f"cannot import name {attribute!r} from {module_name!r} ({location})"
    raise ImportError(message, name=module_name, path=getattr(module, "__file__", None))


def _package_of(namespace: dict[str, Any] | None) -> str | None:
    """Work out the package a relative import starts from, the way the import system does."""
    if namespace is None:
        return None
    package = namespace.get("__package__")
    if package is None:
        spec = namespace.get("__spec__")
        if spec is not None:
            package = spec.parent
        else:
            package = namespace.get("__name__")
            if isinstance(package, str) and "__path__" not in namespace:
                package = package.rpartition(".")[0]
    return package if isinstance(package, str) else None


def _replace_in_owner_globals(proxy: _LazyProxy, target: Any) -> None:
    """Swap ``target`` in for every global of the creating module that still holds ``proxy``.

    Hot paths then read the real object straight from the module dict. Only names that still
    hold this very proxy are touched: a name rebound in the meantime belongs to its new value.
    A copy is iterated so that other threads adding globals concurrently are harmless.
    """
    namespace: dict[str, Any] | None = _get_slot(proxy, "_LazyProxy__globals")
    if namespace is None:
        return
    for name, value in namespace.copy().items():
        if value is proxy and namespace.get(name) is proxy:
            namespace[name] = target


def _describe(proxy: _LazyProxy) -> str:
    module: str = _get_slot(proxy, "_LazyProxy__module")
    attribute: str | None = _get_slot(proxy, "_LazyProxy__attribute")
    if attribute is not None:
        return f"lazy_import({module!r}, {attribute!r})"
    submodules: tuple[str, ...] = _get_slot(proxy, "_LazyProxy__submodules")
    extra = f", submodules={submodules!r}" if submodules else ""
    if _get_slot(proxy, "_LazyProxy__top_level"):
        return f"lazy_import({module!r}, top_level=True{extra})"
    return f"lazy_import({module!r}{extra})"


def _call_site(proxy: _LazyProxy) -> str:
    return f"{_get_slot(proxy, '_LazyProxy__filename')}:{_get_slot(proxy, '_LazyProxy__lineno')}"


def _same_object(target: Any) -> Any:
    """Unpickling helper: pickle stores a class or function by reference, this returns it."""
    return target


def _forward(function: Callable[..., Any]) -> Callable[..., Any]:
    """Make a special method that applies ``function`` to the real object and the arguments.

    Special methods are looked up on the type, never through ``__getattribute__``, so each
    operation the proxy supports needs its own method on the proxy class.
    """

    def forwarded(self: _LazyProxy, *args: Any) -> Any:
        return function(_resolve(self), *args)

    return forwarded


def _forward_reflected(function: Callable[..., Any]) -> Callable[..., Any]:
    """Like :func:`_forward` for ``__radd__`` and friends: the real object is the right operand."""

    def forwarded(self: _LazyProxy, other: Any, *args: Any) -> Any:
        return function(other, _resolve(self), *args)

    return forwarded


def _forward_protocol(name: str) -> Callable[..., Any]:
    """Forward a protocol method (``__enter__``, ``__await__``, ...) looked up on the real type.

    These have no operator-module equivalent; looking them up on the type, as the
    interpreter does, keeps an instance attribute of the same name from being picked up.
    """

    def forwarded(self: _LazyProxy, *args: Any) -> Any:
        target = _resolve(self)
        try:
            method = getattr(type(target), name)
        except AttributeError:
            raise TypeError(
                f"{type(target).__name__!r} object does not support {name}()"
            ) from None
        return method(target, *args)

    return forwarded


def _math(name: str) -> Callable[[Any], Any]:
    """``math.trunc``/``floor``/``ceil`` without importing ``math`` until someone needs it."""

    def apply(target: Any) -> Any:
        import math

        return getattr(math, name)(target)

    return apply


class _LazyProxy:
    """Stand-in for a module, class or function that is imported on first use.

    All state lives in name-mangled slots read with ``object.__getattribute__``, so nothing
    of the proxy can shadow an attribute of the real object: every attribute access, even
    ``__class__`` or ``__doc__``, is answered by the real object. ``repr`` is the exception,
    so that debuggers and logs can show a proxy without importing anything.
    """

    __slots__ = (
        "__module",
        "__attribute",
        "__top_level",
        "__submodules",
        "__filename",
        "__lineno",
        "__globals",
        "__lock",
        "__target",
        "__weakref__",
    )

    def __init__(
        self,
        module: str,
        attribute: str | None,
        top_level: bool,
        filename: str,
        lineno: int,
        namespace: dict[str, Any] | None,
        submodules: tuple[str, ...] = (),
    ) -> None:
        _set_slot(self, "_LazyProxy__module", module)
        _set_slot(self, "_LazyProxy__submodules", submodules)
        _set_slot(self, "_LazyProxy__attribute", attribute)
        _set_slot(self, "_LazyProxy__top_level", top_level)
        _set_slot(self, "_LazyProxy__filename", filename)
        _set_slot(self, "_LazyProxy__lineno", lineno)
        _set_slot(self, "_LazyProxy__globals", namespace)
        _set_slot(self, "_LazyProxy__lock", _RLock())
        _set_slot(self, "_LazyProxy__target", _NOT_LOADED)

    def __getattribute__(self, name: str) -> Any:
        if name in _OWN_ATTRIBUTES:
            return _get_slot(self, name)
        return getattr(_resolve(self), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_resolve(self), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_resolve(self), name)

    def __repr__(self) -> str:
        target = _get_slot(self, "_LazyProxy__target")
        if target is not _NOT_LOADED:
            return repr(target)
        module = _get_slot(self, "_LazyProxy__module")
        attribute = _get_slot(self, "_LazyProxy__attribute")
        if attribute is not None:
            return f"<lazy_import {attribute!r} from {module!r} (not loaded)>"
        if _get_slot(self, "_LazyProxy__top_level"):
            return f"<lazy_import {module!r} (top level, not loaded)>"
        return f"<lazy_import {module!r} (not loaded)>"

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        return _resolve(self)(*args, **kwargs)

    def __instancecheck__(self, instance: Any) -> bool:
        # isinstance(x, proxy) calls type(proxy).__instancecheck__(proxy, x).
        return isinstance(instance, _resolve(self))

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(subclass, _resolve(self))

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        # ``class A(proxy)`` must derive from the real class, not from the proxy.
        target = _resolve(self)
        if isinstance(target, type):
            return (target,)
        entries = getattr(target, "__mro_entries__", None)  # typing.NamedTuple, Generic[T], ...
        if entries is None:
            return (target,)
        bases = tuple(target if base is self else base for base in bases)
        result: tuple[Any, ...] = entries(bases)
        return result

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        # A function proxy stored as a class attribute must still bind ``self`` like a method.
        target = _resolve(self)
        bind = getattr(type(target), "__get__", None)
        return target if bind is None else bind(target, instance, owner)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # pickle/copy see the proxy's type, not the real one, so classes and functions (which
        # pickle stores by reference) would fail to pickle; instances reduce as themselves.
        target = _resolve(self)
        if isinstance(target, (type, types.FunctionType, types.BuiltinFunctionType)):
            return (_same_object, (target,))
        return target.__reduce_ex__(protocol)

    def __reduce__(self) -> Any:
        return _get_slot(self, "__reduce_ex__")(2)

    __dir__ = _forward(dir)
    __hash__ = _forward(hash)
    __bool__ = _forward(bool)
    __str__ = _forward(str)
    __bytes__ = _forward(bytes)
    __format__ = _forward(format)
    __fspath__ = _forward(os.fspath)

    __len__ = _forward(len)
    __iter__ = _forward(iter)
    __reversed__ = _forward(reversed)
    __contains__ = _forward(operator.contains)
    __getitem__ = _forward(operator.getitem)
    __setitem__ = _forward(operator.setitem)
    __delitem__ = _forward(operator.delitem)

    __eq__ = _forward(operator.eq)
    __ne__ = _forward(operator.ne)
    __lt__ = _forward(operator.lt)
    __le__ = _forward(operator.le)
    __gt__ = _forward(operator.gt)
    __ge__ = _forward(operator.ge)

    __neg__ = _forward(operator.neg)
    __pos__ = _forward(operator.pos)
    __abs__ = _forward(abs)
    __invert__ = _forward(operator.invert)
    __int__ = _forward(int)
    __float__ = _forward(float)
    __complex__ = _forward(complex)
    __index__ = _forward(operator.index)
    __round__ = _forward(round)
    __trunc__ = _forward(_math("trunc"))
    __floor__ = _forward(_math("floor"))
    __ceil__ = _forward(_math("ceil"))

    __add__ = _forward(operator.add)
    __sub__ = _forward(operator.sub)
    __mul__ = _forward(operator.mul)
    __matmul__ = _forward(operator.matmul)
    __truediv__ = _forward(operator.truediv)
    __floordiv__ = _forward(operator.floordiv)
    __mod__ = _forward(operator.mod)
    __divmod__ = _forward(divmod)
    __pow__ = _forward(pow)
    __lshift__ = _forward(operator.lshift)
    __rshift__ = _forward(operator.rshift)
    __and__ = _forward(operator.and_)
    __xor__ = _forward(operator.xor)
    __or__ = _forward(operator.or_)

    __radd__ = _forward_reflected(operator.add)
    __rsub__ = _forward_reflected(operator.sub)
    __rmul__ = _forward_reflected(operator.mul)
    __rmatmul__ = _forward_reflected(operator.matmul)
    __rtruediv__ = _forward_reflected(operator.truediv)
    __rfloordiv__ = _forward_reflected(operator.floordiv)
    __rmod__ = _forward_reflected(operator.mod)
    __rdivmod__ = _forward_reflected(divmod)
    __rpow__ = _forward_reflected(pow)
    __rlshift__ = _forward_reflected(operator.lshift)
    __rrshift__ = _forward_reflected(operator.rshift)
    __rand__ = _forward_reflected(operator.and_)
    __rxor__ = _forward_reflected(operator.xor)
    __ror__ = _forward_reflected(operator.or_)

    # ``proxy += x`` rebinds the name to what these return, as for the real object.
    __iadd__ = _forward(operator.iadd)
    __isub__ = _forward(operator.isub)
    __imul__ = _forward(operator.imul)
    __imatmul__ = _forward(operator.imatmul)
    __itruediv__ = _forward(operator.itruediv)
    __ifloordiv__ = _forward(operator.ifloordiv)
    __imod__ = _forward(operator.imod)
    __ipow__ = _forward(operator.ipow)
    __ilshift__ = _forward(operator.ilshift)
    __irshift__ = _forward(operator.irshift)
    __iand__ = _forward(operator.iand)
    __ixor__ = _forward(operator.ixor)
    __ior__ = _forward(operator.ior)

    __enter__ = _forward_protocol("__enter__")
    __exit__ = _forward_protocol("__exit__")
    __aenter__ = _forward_protocol("__aenter__")
    __aexit__ = _forward_protocol("__aexit__")
    __aiter__ = _forward_protocol("__aiter__")
    __await__ = _forward_protocol("__await__")


# Looked up as attributes (not on the type) by class creation, pickle and copy, yet they
# must come from the proxy: the real object's versions would act on the wrong thing.
_OWN_ATTRIBUTES = frozenset({"__mro_entries__", "__reduce_ex__", "__reduce__"})
