"""``NamedTuple`` for the package's records, built without evaluating their annotations.

Type checkers see :class:`typing.NamedTuple`.  At run time the class statement builds a
:func:`collections.namedtuple` from the annotated fields and their defaults, then adds
what else the body defines (methods, properties, the docstring).  ``typing.NamedTuple``
would turn each field's annotation into a ``ForwardRef``, compiling it, and every
``lazyimport lint`` run defines a few dozen records before it reads a file.

The modules using it must have ``from __future__ import annotations``, so that the class
body keeps its annotations as a plain dictionary of strings.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # Set by namedtuple itself, or by the class statement for a type that is not the result.
    _NOT_COPIED = frozenset({"__module__", "__qualname__", "__annotations__", "__classcell__"})

    class _NamedTupleMeta(type):
        def __new__(mcls, name, bases, namespace):
            if "__annotations__" not in namespace:
                raise TypeError(f"{name}: NamedTuple needs `from __future__ import annotations` in its module")
            fields = list(namespace["__annotations__"])
            defaults = [namespace[field] for field in fields if field in namespace]
            if any(field not in namespace for field in fields[len(fields) - len(defaults):]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = collections.namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            cls.__qualname__ = namespace.get("__qualname__", name)
            cls.__annotations__ = dict(namespace["__annotations__"])
            cell = namespace.get("__classcell__")
            if cell is not None:  # a method using super() or __class__
                cell.cell_contents = cls
            for key, value in namespace.items():
                if key not in _NOT_COPIED and key not in cls._field_defaults:
                    setattr(cls, key, value)
            return cls

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {"__module__": __name__})
