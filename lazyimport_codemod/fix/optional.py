"""Optional imports guarded by ``importlib.util.find_spec`` instead of ``try/except``.

Before the other edits, each ``try`` that a plan's decision guards
(``Decision.guard``, see :mod:`~lazyimport_codemod.parse.optional`) becomes::

    if importlib.util.find_spec("x") is not None:
        <the try body, then its else clause>
    else:
        <the handler>

The ``try`` body keeps its lines and its imports their positions (their columns move with the
header only when written on the ``try`` line), so the plans still find them; they are then
deferred as the imports of any ``if`` branch are.  The whole statement keeps its line count:
the ``else:`` line of the ``try``, if any, becomes a blank line (or its comment) above the
statements it held.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from lazyimport_codemod.records import NamePlan, Where

# What the guard's condition needs bound: fix adds it next to the proxy block's imports.
SUPPORT_IMPORT = "import importlib.util"


class GuardError(Exception):
    """A planned ``try`` is not where, or not what, the analysis saw; one line."""


def guard_condition(package: str) -> str:
    return f'importlib.util.find_spec("{package}") is not None'


def with_guards(source: bytes, plans: Sequence[NamePlan]) -> tuple[bytes, list[NamePlan]]:
    """``source`` with the guarded ``try`` statements rewritten, and the plans with their
    statements as the rewrite holds them (conditional imports, columns moved)."""
    guards = {plan.decision.branch_line: plan.decision.guard for plan in plans if plan.decision.guard}
    if not guards:
        return source, list(plans)
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    rewritten, shifts = _rewrite(module, positions, guards)
    moved = []
    for plan in plans:
        if not plan.decision.guard:
            moved.append(plan)
            continue
        statement = plan.statement._replace(where=Where.CONDITIONAL)
        shift = shifts.get(statement.line, 0)
        if shift:
            statement = statement._replace(column=statement.column + shift)
            if statement.end_line == statement.line:
                statement = statement._replace(end_column=statement.end_column + shift)
        moved.append(plan._replace(statement=statement))
    return rewritten.bytes, moved


def _rewrite(module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange],
             guards: dict[int, str]) -> tuple[cst.Module, dict[int, int]]:
    body = list(module.body)
    shifts: dict[int, int] = {}
    done = set()
    for position, statement in enumerate(body):
        line = positions[statement].start.line
        if line not in guards:
            continue
        if not isinstance(statement, cst.Try) or len(statement.handlers) != 1 or statement.finalbody is not None:
            raise GuardError(f"the statement at line {line} is not the optional import the analysis saw")
        condition = guard_condition(guards[line])
        body[position] = _as_if(statement, condition)
        if isinstance(statement.body, cst.SimpleStatementSuite):  # ``try: import x`` on one line
            shifts[line] = len(f"if {condition}") - len("try")
        done.add(line)
    missing = sorted(set(guards) - done)
    if missing:
        raise GuardError(f"no optional import directly in the module body at line {missing[0]}")
    return module.with_changes(body=body), shifts


def _as_if(node: cst.Try, condition: str) -> cst.If:
    handler = node.handlers[0]
    body = node.body
    if node.orelse is not None:
        body = _with_else_clause(body, node.orelse)
    return cst.If(
        test=cst.parse_expression(condition),
        body=body,
        orelse=cst.Else(body=handler.body, leading_lines=handler.leading_lines,
                        whitespace_before_colon=handler.whitespace_before_colon),
        leading_lines=node.leading_lines,
        whitespace_after_test=node.whitespace_before_colon,
    )


def _with_else_clause(body: cst.BaseSuite, orelse: cst.Else) -> cst.IndentedBlock:
    """The try body followed by the statements of its ``else`` clause, the ``else:`` line
    (and what stood around it) kept as blank or comment lines."""
    if not isinstance(body, cst.IndentedBlock):
        raise GuardError("a try written on one line with an else clause")
    clause = orelse.body
    if isinstance(clause, cst.SimpleStatementSuite):  # ``else: flag = True``: its own line now
        clause = cst.IndentedBlock(header=clause.trailing_whitespace, body=[cst.SimpleStatementLine(body=clause.body)])
    assert isinstance(clause, cst.IndentedBlock)
    moved = list(clause.body)
    comment = clause.header.comment
    between = [*body.footer, *orelse.leading_lines, cst.EmptyLine(indent=comment is not None, comment=comment)]
    first = moved[0]
    assert isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    moved[0] = first.with_changes(leading_lines=[*between, *first.leading_lines])
    return body.with_changes(body=[*body.body, *moved], footer=clause.footer)
