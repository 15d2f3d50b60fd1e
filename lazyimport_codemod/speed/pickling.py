"""Compact pickles for the records that cross processes and land in the facts cache.

A file's :class:`~lazyimport_codemod.parse.facts.FileFacts` hold a few dozen
records (import statements, their names, each name's usage and its uses), and
they are pickled twice on a cold run: by a forked parser handing its answers
back, and by the facts cache.  A NamedTuple pickles and unpickles through
Python-level methods, one call per record on each side.  Registered here, an
import statement pickles its names as plain tuples and a usage its uses, and
both are rebuilt with ``tuple.__new__`` in C: only the outer record costs a
Python call.  The records come back equal, field for field and type for type.

Importing this module registers the reducers with :mod:`copyreg`; the
unpickling functions are named in every pickle, so loading one imports this
module wherever it happens.
"""

from __future__ import annotations

import copyreg
from functools import partial

from lazyimport_codemod.records import ImportedName, ImportStatement, NameUsage, Use, Where

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

_new_tuple = tuple.__new__
_imported_name = partial(_new_tuple, ImportedName)
_use = partial(_new_tuple, Use)


def _reduce_statement(statement: ImportStatement) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return _statement, (*statement[:7], tuple(map(tuple, statement[7])), *statement[8:])


def _statement(
    line: int, column: int, end_line: int, end_column: int, is_from: bool, level: int,
    written_module: Optional[str], names: tuple[tuple[Any, ...], ...], where: Where, where_line: int,
    noqa: Optional[frozenset[str]], lazy: bool, branch: tuple[int, int],
) -> ImportStatement:
    """The statement :func:`_reduce_statement` took apart (its fields, in order)."""
    return _new_tuple(ImportStatement, (line, column, end_line, end_column, is_from, level, written_module,
                                        tuple(map(_imported_name, names)), where, where_line, noqa, lazy,
                                        branch))


def _reduce_usage(usage: NameUsage) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return _usage, (tuple(map(tuple, usage[0])), *usage[1:])


def _usage(uses: tuple[tuple[Any, ...], ...], exported: str, rebound_line: int, global_rebound_line: int,
           dynamic_line: int, bindings: tuple[int, ...]) -> NameUsage:
    """The usage :func:`_reduce_usage` took apart (its fields, in order)."""
    return _new_tuple(NameUsage, (tuple(map(_use, uses)), exported, rebound_line, global_rebound_line,
                                  dynamic_line, bindings))


copyreg.pickle(ImportStatement, _reduce_statement)
copyreg.pickle(NameUsage, _reduce_usage)
