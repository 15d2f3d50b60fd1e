"""LI003: a lazy import (PEP 810) resolved while the module is imported anyway.

Decided here from the import's edge: the project graph marks an import lazy as
written (``lazy import``, or a module named in ``__lazy_modules__`` where that
counts) and names the first use that resolves it at import time
(:mod:`~lazyimport_codemod.parse.pep810`).  Such an import loads as an eager one
does, so its chain is followed as LI002 follows one; fix cannot help, since
nothing it writes gets past a use at import time, unless it cuts the chain
further down.
"""

from __future__ import annotations


from lazyimport_codemod.records import Action, Decision
from lazyimport_codemod.rules import li002
from lazyimport_codemod.rules.deferral import Verdict
from lazyimport_codemod.rules.wording import outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional
    from lazyimport_codemod.project.graph import Edge, ModuleFacts
    from lazyimport_codemod.rules.checker import Checker

CODE = "LI003"
TITLE = "lazy import resolved while the module is imported"

DOC = """\
**What it does.** Reports a lazy import (PEP 810: `lazy import x`, `lazy from x import y`, or
an import of a module named in `__lazy_modules__` when the target is Python 3.15+ or the
strategy is `lazy-modules`) of a heavy package, or of a first-party module that loads one,
when the module itself uses the name while it is imported: in a decorator, a default value, a
base class, a class body, a module-level statement, a function called at import time, or an
annotation that FastAPI or pydantic evaluates (route and dependency signatures, model and
dataclass fields). The message names the line that resolves it. Annotations of plain
functions, classes and variables do not count: Python 3.14+ evaluates them only when asked.
A lazy import resolved this way is followed like an eager one, so LI002 chains run through it.

**Why it matters.** `lazy` only postpones the import to the first use of the name. When that
first use runs while the module is imported, the package loads at the same moment as before,
and the `lazy` keyword only hides it. FastAPI and pydantic evaluate the annotations of routes,
dependencies and models when the module is imported, which ruff's TID255 cannot see.

**Example.**

```python
lazy from pandas import DataFrame

@router.post("/report")
def report(frame: DataFrame) -> dict:   # FastAPI evaluates this annotation at import
    ...
```

**Use instead.** Keep the heavy name out of what runs at import time: take plain types in the
route and build the heavy object inside it, or move the router behind
`include_lazily` (see [Routers that load on first request](#routers-that-load-on-first-request)).

```python
lazy from pandas import DataFrame

@router.post("/report")
def report(rows: list[dict]) -> dict:
    frame = DataFrame(rows)
    ...
```

**Fix safety.** Fix does not change a lazy import: nothing it writes gets past a use at import
time. When fix cuts the chain further down (the first-party module defers its own heavy
import), the message says where, as LI002's does.

**Options.** `heavy-packages`, `extend-heavy-packages`, `target-version`, `strategy`.
"""


def applies(edge: Edge) -> bool:
    """Whether the import's edge is this rule's: lazy as written, yet loaded at import time."""
    return edge.lazy and (edge.heavy is not None or bool(edge.targets))


def decision(edge: Edge) -> Decision:
    """What fix does with it: nothing, because of the use that resolves it."""
    use = edge.resolved
    assert use is not None
    return Decision(Action.LEAVE, f"`{edge.name.bound}` is used at import time at line {use.line} ({use.reason})",
                    line=use.line)


def verdict(checker: Checker, facts: ModuleFacts, edge: Edge) -> Optional[Verdict]:
    """The finding for one lazy import resolved at import time, or None when it loads
    nothing heavy beyond what was loaded before this module ran.  A first-party one is
    judged as LI002 judges an import (its decision being :func:`decision`)."""
    if edge.heavy is not None:
        return Verdict(edge, checker.decision(facts, edge), {edge.heavy: (edge.heavy,)})
    return li002.verdict(checker, facts, edge)


def message(edge: Edge, chain: tuple[str, ...], packages: str, decision: Decision, unsafe_fixes: bool = False) -> str:
    how = "lazy import" if edge.statement.lazy else "import listed in `__lazy_modules__`"
    if edge.heavy is not None:
        what = f"of heavy package `{edge.heavy}`"
    else:
        what = f"of `{chain[1]}`, which eagerly imports {packages} ({' -> '.join(chain)}),"
    where = ""
    if decision.action is not Action.LEAVE and edge.resolved is not None:  # a LEAVE's reason names the use
        where = f" (`{edge.name.bound}` at line {edge.resolved.line}: {edge.resolved.reason})"
    return f"{how} {what} is resolved while the module is imported{where}; {outcome(decision, unsafe_fixes)}"
