"""``NamedTuple`` for the package's records, built without evaluating their annotations.

Type checkers see :class:`typing.NamedTuple`.  At run time the class statement builds
what :func:`collections.namedtuple` would from the annotated fields and their defaults,
then adds what else the body defines (methods, properties, the docstring).  ``typing.NamedTuple``
would turn each field's annotation into a ``ForwardRef``, compiling it, and every
``lazyimport lint`` run defines a few dozen records before it reads a file.

The modules using it must have ``from __future__ import annotations``, so that the class
body keeps its annotations as a plain dictionary of strings.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from _collections import _tuplegetter
    from types import FunctionType

    # Set by the builder, or by the class statement for a type that is not the result.
    _NOT_COPIED = frozenset({"__module__", "__qualname__", "__annotations__", "__classcell__"})
    # Field count -> code of ``lambda _cls, a0, a1...: _tuple_new(_cls, (a0, a1...))``: each
    # record's ``__new__`` is that code with its own parameter names, so that only one
    # function per field count is compiled (collections.namedtuple compiles one per class).
    _NEW_CODES = {}

    def _new(name, fields, defaults):
        code = _NEW_CODES.get(len(fields))
        if code is None:
            parameters = ", ".join(f"a{index}" for index in range(len(fields)))
            template = eval(f"lambda _cls, {parameters}: _tuple_new(_cls, ({parameters},))")
            code = _NEW_CODES[len(fields)] = template.__code__
        renamed = {"co_varnames": ("_cls", *fields), "co_name": "__new__"}
        if hasattr(code, "co_qualname"):
            renamed["co_qualname"] = f"{name}.__new__"
        new = FunctionType(code.replace(**renamed), {"_tuple_new": tuple.__new__}, "__new__", defaults or None)
        new.__qualname__ = f"{name}.__new__"
        new.__doc__ = f"Create new instance of {name}({', '.join(fields)})"
        return new

    # What collections.namedtuple gives every record, written once for all of them.
    def _make(cls, iterable):
        result = tuple.__new__(cls, iterable)
        if len(result) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
        return result

    def _replace(self, **changes):
        result = self._make(map(changes.pop, self._fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return result

    def _repr(self):
        values = ", ".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"{type(self).__name__}({values})"

    def _asdict(self):
        return dict(zip(self._fields, self))

    def _getnewargs(self):
        return tuple(self)

    def _record_type(name, fields, defaults, module, qualname):
        fields = tuple(fields)
        namespace = {
            "__doc__": f"{name}({', '.join(fields)})",
            "__slots__": (),
            "__module__": module,
            "__qualname__": qualname,
            "_fields": fields,
            "_field_defaults": dict(zip(fields[len(fields) - len(defaults):], defaults)),
            "__match_args__": fields,
            "__new__": _new(name, fields, tuple(defaults)),
            "_make": classmethod(_make),
            "_replace": _replace,
            "__repr__": _repr,
            "_asdict": _asdict,
            "__getnewargs__": _getnewargs,
        }
        for index, field in enumerate(fields):
            namespace[field] = _tuplegetter(index, f"Alias for field number {index}")
        return type(name, (tuple,), namespace)

    class _NamedTupleMeta(type):
        def __new__(mcls, name, bases, namespace):
            if "__annotations__" not in namespace:
                raise TypeError(f"{name}: NamedTuple needs `from __future__ import annotations` in its module")
            fields = list(namespace["__annotations__"])
            defaults = [namespace[field] for field in fields if field in namespace]
            if not fields or any(field not in namespace for field in fields[len(fields) - len(defaults):]):
                raise TypeError(f"{name}: no fields, or a field without a default after one with a default")
            cls = _record_type(name, fields, defaults, namespace["__module__"], namespace.get("__qualname__", name))
            cls.__annotations__ = dict(namespace["__annotations__"])
            cell = namespace.get("__classcell__")
            if cell is not None:  # a method using super() or __class__
                cell.cell_contents = cls
            for key, value in namespace.items():
                if key not in _NOT_COPIED and key not in cls._field_defaults:
                    setattr(cls, key, value)
            return cls

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {"__module__": __name__})
