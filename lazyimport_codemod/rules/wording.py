"""The phrases every rule's message shares: what fix does, or why it cannot."""

from __future__ import annotations


from lazyimport_codemod.records import Action, Decision

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional

# Compared for every diagnostic: read once (see ENUM_READS in records.py).
_INLINE, _PROXY, _LAZY, _LAZY_MODULES, _FACADE, _DOWNSTREAM, _LEAVE = (
    Action.INLINE, Action.PROXY, Action.LAZY, Action.LAZY_MODULES, Action.FACADE, Action.DOWNSTREAM, Action.LEAVE)


def describe_functions(functions: Iterable[tuple[int, str]]) -> str:
    """```f()` (line 3), `g()` (line 9)``, at most three named."""
    items = [f"`{name}()` (line {line})" for line, name in functions]
    if len(items) <= 3:
        return ", ".join(items)
    return ", ".join(items[:3]) + f" and {len(items) - 3} more"


def describe_annotations(lines: tuple[int, ...]) -> str:
    """``the annotation at line 3`` / ``the annotations at lines 3, 7 and 9``."""
    if len(lines) == 1:
        return f"the annotation at line {lines[0]}"
    shown = ", ".join(map(str, lines[:-1]))
    return f"the annotations at lines {shown} and {lines[-1]}"


def fix_text(decision: Decision, unsafe_fixes: bool = False) -> Optional[str]:
    """What fix does with the import (the json ``fix`` field), or None when it leaves it;
    an unsafe fix says why, and how to apply it when the run does not."""
    action = decision.action
    if action is _INLINE:
        text = f"fix moves the import into {describe_functions(decision.functions)}"
        if decision.branch_line:
            text += f", which its branch of the conditional at line {decision.branch_line} defines"
    elif action is _PROXY:
        where = ""
        if decision.guard:
            where = (f" in the `if importlib.util.find_spec(\"{decision.guard}\") is not None:` that replaces "
                     f"the optional import's try at line {decision.branch_line}, whose handler becomes its `else`,")
        elif decision.branch_line:
            where = (f" in its branch of the conditional at line {decision.branch_line}, so the condition "
                     "still decides whether it is bound,")
        text = f"fix binds it with lazy_import(){where} because it must stay a module attribute ({decision.reason})"
        if decision.quoted:
            text = f"fix quotes {describe_annotations(decision.quoted)} and b{text[5:]}"
    elif action is _LAZY:
        text = "fix marks the import `lazy` (PEP 810)"
    elif action is _LAZY_MODULES:
        text = f"fix lists `{decision.reason}` in `__lazy_modules__` (lazy on Python 3.15+)"
    elif action is _FACADE:
        text = "fix turns the package into a lazy facade that imports it on first access (PEP 562 `__getattr__`)"
    elif action is _DOWNSTREAM:
        return decision.reason
    else:
        return None
    if decision.together:
        modules = " and ".join(f"`import {module}`" for module in decision.together)
        text += f" ({modules} bind the same name and are deferred together)"
    if decision.unsafe:
        text += f" (unsafe: {decision.unsafe}{'' if unsafe_fixes else '; applied with --unsafe-fixes'})"
    return text


def safety(decision: Decision) -> Optional[str]:
    """The json ``fix_safety`` field: "safe", "unsafe", or None when fix does nothing for it."""
    if decision.action is _LEAVE:
        return None
    return "unsafe" if decision.unsafe else "safe"


def outcome(decision: Decision, unsafe_fixes: bool = False) -> str:
    """The end of every message: what fix does, or ``cannot defer: <why>``."""
    text = fix_text(decision, unsafe_fixes)
    return text if text is not None else f"cannot defer: {decision.reason}"


def packages(chains: dict[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(```torch` and 2 more (a, b)``, the chain shown, every package in order): the
    package with the shortest chain first, then by name."""
    ordered = sorted(sorted(chains), key=lambda package: len(chains[package]))
    first = ordered[0]
    text = f"`{first}`"
    if len(ordered) > 1:
        text += f" and {len(ordered) - 1} more ({', '.join(ordered[1:])})"
    return text, chains[first], tuple(ordered)


def merged(decisions: list[Decision]) -> Decision:
    """One decision for names of one statement that fix treats alike: functions united,
    reasons listed once each."""
    first = decisions[0]
    if len(decisions) == 1:
        return first
    reasons = list(dict.fromkeys(d.reason for d in decisions if d.reason))
    functions = sorted({f for d in decisions for f in d.functions})
    unsafe = next((d.unsafe for d in decisions if d.unsafe), "")
    quoted = tuple(sorted({line for d in decisions for line in d.quoted}))
    return first._replace(reason="; ".join(reasons), functions=tuple(functions), unsafe=unsafe, quoted=quoted)
