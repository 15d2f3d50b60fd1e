"""``ast`` node classes for syntax newer than the running Python.

A file in newer syntax (``match`` on 3.9, ``type X = ...`` before 3.12, t-strings
before 3.14) is parsed through LibCST (:mod:`~lazyimport_codemod.parse.newer_syntax`)
into a tree of this Python's ``ast`` classes, plus, for the constructs this Python has
no class for, the classes below: same names, same ``_fields`` as in the Python that
introduced them, so the walks of :mod:`~lazyimport_codemod.parse.usage` and
:mod:`~lazyimport_codemod.parse.imports` treat them as they treat the real ones.
Where the running Python has the class, the name here is that class.

Standard library only, and cheap: the analysis imports this module on every run.
"""

from __future__ import annotations

import ast
import sys

_POSITIONS = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def _node(name: str, base: type, fields: tuple[str, ...], positioned: bool = True) -> type:
    """The running Python's ``ast.<name>``, or a class that stands in for it."""
    native = getattr(ast, name, None)
    if native is not None:
        return native  # type: ignore[no-any-return]
    return type(name, (base,), {
        "_fields": fields,
        "_attributes": _POSITIONS if positioned else (),
        "__module__": __name__,
        "__doc__": f"``ast.{name}`` of a newer Python ({', '.join(fields)}).",
    })


# PEP 634, Python 3.10.
pattern = _node("pattern", ast.AST, ())
Match = _node("Match", ast.stmt, ("subject", "cases"))
match_case = _node("match_case", ast.AST, ("pattern", "guard", "body"), positioned=False)
MatchValue = _node("MatchValue", pattern, ("value",))
MatchSingleton = _node("MatchSingleton", pattern, ("value",))
MatchSequence = _node("MatchSequence", pattern, ("patterns",))
MatchMapping = _node("MatchMapping", pattern, ("keys", "patterns", "rest"))
MatchClass = _node("MatchClass", pattern, ("cls", "patterns", "kwd_attrs", "kwd_patterns"))
MatchStar = _node("MatchStar", pattern, ("name",))
MatchAs = _node("MatchAs", pattern, ("pattern", "name"))
MatchOr = _node("MatchOr", pattern, ("patterns",))

# PEP 654, Python 3.11 (``try`` with ``except*`` handlers).
TryStar = _node("TryStar", ast.stmt, ("body", "handlers", "orelse", "finalbody"))

# PEP 695, Python 3.12 (``type X = ...``); type parameters with defaults (PEP 696) are 3.13's,
# so before 3.13 all three type-parameter classes stand in, with the ``default_value`` field.
TypeAlias = _node("TypeAlias", ast.stmt, ("name", "type_params", "value"))
if sys.version_info >= (3, 13):
    type_param = ast.type_param
    TypeVar = ast.TypeVar
    ParamSpec = ast.ParamSpec
    TypeVarTuple = ast.TypeVarTuple
else:
    type_param = type("type_param", (ast.AST,), {"_fields": (), "_attributes": _POSITIONS, "__module__": __name__})
    TypeVar = type("TypeVar", (type_param,), {
        "_fields": ("name", "bound", "default_value"), "_attributes": _POSITIONS, "__module__": __name__})
    ParamSpec = type("ParamSpec", (type_param,), {
        "_fields": ("name", "default_value"), "_attributes": _POSITIONS, "__module__": __name__})
    TypeVarTuple = type("TypeVarTuple", (type_param,), {
        "_fields": ("name", "default_value"), "_attributes": _POSITIONS, "__module__": __name__})

# PEP 750, Python 3.14.
TemplateStr = _node("TemplateStr", ast.expr, ("values",))
Interpolation = _node("Interpolation", ast.expr, ("value", "str", "conversion", "format_spec"))
