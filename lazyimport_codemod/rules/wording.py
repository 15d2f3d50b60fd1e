"""The phrases every rule's message shares: what fix does, or why it cannot."""

from __future__ import annotations

from typing import Iterable, Optional

from lazyimport_codemod.records import Action, Decision


def describe_functions(functions: Iterable[tuple[int, str]]) -> str:
    """```f()` (line 3), `g()` (line 9)``, at most three named."""
    items = [f"`{name}()` (line {line})" for line, name in functions]
    if len(items) <= 3:
        return ", ".join(items)
    return ", ".join(items[:3]) + f" and {len(items) - 3} more"


def fix_text(decision: Decision) -> Optional[str]:
    """What fix does with the import (the json ``fix`` field), or None when it leaves it."""
    if decision.action is Action.INLINE:
        return f"fix moves the import into {describe_functions(decision.functions)}"
    if decision.action is Action.PROXY:
        return f"fix binds it with lazy_import() because it must stay a module attribute ({decision.reason})"
    if decision.action is Action.DOWNSTREAM:
        return decision.reason
    return None


def outcome(decision: Decision) -> str:
    """The end of every message: what fix does, or ``cannot defer: <why>``."""
    text = fix_text(decision)
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
    return Decision(first.action, "; ".join(reasons), tuple(functions), first.line)
