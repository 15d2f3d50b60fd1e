"""LI002: a first-party import that eagerly loads a heavy package.

Decided here: the import's first-party targets are searched for heavy packages
(:mod:`~lazyimport_codemod.project.reach`), then the graph after fix
(:mod:`~lazyimport_codemod.rules.after_fix`) says whether fix cuts the chain
further down; if not, the import itself is judged by the shared deferral
decision, and a target module whose import has an effect beyond itself pins it.
Worded by :func:`message` and :func:`parent_message`; fixed by
:mod:`~lazyimport_codemod.fix.transform`, like LI001.
"""

from __future__ import annotations


from lazyimport_codemod.project.modules import ancestors
from lazyimport_codemod.records import Action, Decision
from lazyimport_codemod.rules.deferral import Verdict
from lazyimport_codemod.rules.facade import DOC as FACADE_DOC
from lazyimport_codemod.rules.wording import outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional
    from lazyimport_codemod.project.graph import Edge, ModuleFacts
    from lazyimport_codemod.rules.checker import Checker

CODE = "LI002"
TITLE = "first-party import that eagerly loads a heavy package"

DOC = """\
**What it does.** Follows the project's own imports (absolute and relative, including the
package `__init__.py` files Python runs first) and reports a module-level import of a
first-party module that loads a heavy package, directly or through further first-party modules.
The message shows the shortest chain, e.g. `app.routers.search -> app.services.embed -> torch`,
and is reported at the import statement that starts it. When the heavy package arrives only
through the linted module's own parent package, it is reported once, at line 1, since no edit
to the file itself helps. Dynamic imports (`importlib.import_module`) are not followed; use
`lazyimport verify` to see those.

**Why it matters.** In a survey of 17 open-source FastAPI/Flask apps, 502 of 599 routers reached
a heavy package, almost always through the app's own modules rather than directly.

**Example.**

```python
# app/routers/search.py
from app.services.embed import embed   # app/services/embed.py does `import torch`
```

**Use instead.** Defer the heavy import where it happens (one cut serves every importer), or,
when that module cannot be changed, defer the first-party import in the router. `lazyimport fix`
picks the deepest cut it can make among the files it is given.

**Fix safety.** Deferring a first-party import postpones running that module and what it
loads. When one of them does something beyond itself while imported (an unknown call or
decorator, a registration with a task queue, a model base or a registry, an assignment into
another module's object), the fix is unsafe and applied only with `--unsafe-fixes`; the
message names the first such effect. Known to stay within the module, so safe: building
its own objects; decorators and calls of the curated pure list (`functools`, `typing`,
`dataclasses`, pydantic's validators, SQLAlchemy's `declared_attr`...) and of
`extend-pure-calls`; a first-party decorator whose body only wraps what it is given
(`@wraps(func)` and a nested function, for a factory too); writing a log record; a subclass
of a builtin, standard-library or curated library class, or of a first-party class built
only on those; a declarative base of its own (`class Base(DeclarativeBase)`). A model of
another module's declarative base registers on it, so that one is unsafe. A cut further
down ("fix cuts the chain at ...") is counted as that cut is.

**Options.** `heavy-packages`, `extend-heavy-packages`, `src`, `unsafe-fixes`, `extend-pure-calls`.
"""
DOC += "\n" + FACADE_DOC.strip() + "\n"


def applies(edge: Edge) -> bool:
    """Whether the import's edge is this rule's: it executes first-party modules, eagerly
    as written (a lazy import resolved anyway is LI003's)."""
    return edge.heavy is None and bool(edge.targets) and not edge.lazy


def verdict(checker: Checker, facts: ModuleFacts, edge: Edge) -> Optional[Verdict]:
    """The finding for one first-party import, or None when it loads nothing heavy
    beyond what was loaded before this module ran (LI003 asks it too, for a lazy one)."""
    skip = checker.loaded_before(facts)
    if skip.issuperset(edge.targets):
        return None
    reached = checker.project.reach.heavy_reached(edge.targets, skip)
    if not reached:
        return None
    chains = {package: ((facts.name or facts.path.stem),) + chain for package, chain in reached.items()}
    after_fix = checker.after_fix
    if (facts.path in after_fix.fix_paths and not after_fix.rewritten(facts, edge)
            and not after_fix.remaining(edge.targets, skip)):
        return Verdict(edge, _cut_below(checker, reached, "fix cuts the chain in the modules it imports"), chains)
    return Verdict(edge, checker.decision(facts, edge), chains)


def parent_verdict(checker: Checker, facts: ModuleFacts) -> Optional[tuple[dict[str, tuple[str, ...]], Decision]]:
    """Heavy packages that arrive only through this module's own parent packages, which
    Python imports before it: no edit to the module itself helps."""
    if facts.name is None:
        return None
    parents = ancestors(facts.name)
    if not parents:
        return None
    reached = checker.project.reach.heavy_reached(parents, excluded=facts.name)
    if not reached:
        return None
    chains = {package: (facts.name,) + chain for package, chain in reached.items()}
    if not checker.after_fix.remaining(parents, excluded=facts.name):
        return chains, _cut_below(checker, reached, "fix cuts the chain in the parent package")
    # The package whose __init__.py starts the shortest chain is the file to edit.
    start = min(reached.items(), key=lambda item: (len(item[1]), item[0]))[1][0]
    package = checker.project.module(start)
    target = checker.display(package.path) if package else start
    return chains, Decision(Action.LEAVE, f"the import happens in a parent package, not in this file; edit {target}")


def _cut_below(checker: Checker, reached: dict[str, tuple[str, ...]], fallback: str) -> Decision:
    """Nothing to do here: fix cuts the (shortest) chain further down."""
    first = min(reached.items(), key=lambda item: (len(item[1]), item[0]))
    found = checker.after_fix.cut_point(first[1])
    if found is None:
        return Decision(Action.DOWNSTREAM, fallback)
    where, unsafe, facade = found
    how = " (it turns that package into a lazy facade)" if facade else ""
    return Decision(Action.DOWNSTREAM, f"fix cuts the chain at {where}{how}", unsafe=unsafe)


def message(chain: tuple[str, ...], packages: str, decision: Decision, unsafe_fixes: bool = False) -> str:
    return f"`{chain[1]}` eagerly imports {packages} ({' -> '.join(chain)}); {outcome(decision, unsafe_fixes)}"


def parent_message(chain: tuple[str, ...], packages: str, decision: Decision, unsafe_fixes: bool = False) -> str:
    return (f"parent package `{chain[1]}` eagerly imports {packages} ({' -> '.join(chain)}); "
            f"{outcome(decision, unsafe_fixes)}")
