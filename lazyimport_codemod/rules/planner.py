"""Decide, once, what fix would do with every heavy-carrying import.

Lint reports these decisions and fix applies them, so the two commands can
never disagree.  A decision depends on how the module uses the name
(:mod:`usage`), on where the import sits (``try``/``if``/class...), on the
strategy, and on the project graph: a name other first-party modules import
from this one must stay a module attribute, and a first-party import whose
heavy payload is cut further down (in a module being fixed too) needs no
change at all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, NamedTuple, Optional

from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project, absolute, ancestors
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.records import (
    Action,
    Decision,
    ImportedName,
    ImportStatement,
    NamePlan,
    NameUsage,
    UseKind,
    Where,
)

STRATEGIES = ("auto", "inline", "proxy")

_UNUSED = NameUsage()  # the usage of a name the module never reads (immutable, so shared)

_WHERE_REASONS = {
    Where.OPTIONAL: "it is an optional import (try/except ImportError at line {line}); "
    "deferring it would move the ImportError past its handler",
    Where.CONDITIONAL: "it is a conditional import (the block at line {line}); "
    "deferring it would ignore the condition",
    Where.WITH: "it runs inside the with block at line {line}, whose context would be lost",
    Where.LOOP: "it runs inside the loop at line {line}",
    Where.HANDLER: "it sits in the except/else/finally clause at line {line}",
    Where.CLASS: "it binds a class attribute (class body at line {line})",
}


class Verdict(NamedTuple):
    """The decision for one edge plus the chains lint shows for it."""

    edge: Edge
    decision: Decision
    reached: dict[str, tuple[str, ...]]  # heavy package -> chain (LI002) or {pkg: (pkg,)}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe_functions(functions: Iterable[tuple[int, str]]) -> str:
    items = [f"`{name}()` (line {line})" for line, name in functions]
    if len(items) <= 3:
        return ", ".join(items)
    return ", ".join(items[:3]) + f" and {len(items) - 3} more"


class Planner:
    """Holds the project and the set of files fix would rewrite; memoises decisions."""

    def __init__(
        self,
        project: Project,
        fix_paths: Iterable[Path],
        strategy: str = "auto",
        runtime_module: str = "lazyimport_codemod.runtime",
        importers: Optional[ImporterIndex] = None,
    ) -> None:
        self.project = project
        self.runtime_module = runtime_module
        self.fix_paths = frozenset(absolute(p) for p in fix_paths)
        self.strategy = strategy
        self._decisions: dict[tuple[Path, int, int, str], Decision] = {}
        self.importers = importers
        self._kept: dict[int, bool] = {}
        self._loaded: dict[Path, frozenset[str]] = {}
        self._shown: dict[Path, str] = {}

    def display(self, path: Path) -> str:
        """:func:`display_path`, memoised for the run: messages name the same files
        thousands of times, and ``os.path.relpath`` normalises both paths every time."""
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = display_path(path)
        return shown

    # -- project-wide facts ----------------------------------------------
    def taken_by_importers(self, facts: ModuleFacts, bound: str) -> tuple[str, str]:
        """(why the name must stay a module attribute, why not even a proxy will do)."""
        if facts.name is None or self.importers is None:
            return "", ""
        takers = [t for t in self.importers.takers(facts.name, bound) if t.path != facts.path]
        for taker in takers:
            where = f"{self.display(taker.path)}:{taker.line}"
            blocker = self._proxy_blocker(taker.path, taker.bound, where)
            if blocker:
                return "", blocker
        if takers:
            return f"another module imports it from here ({self.display(takers[0].path)}:{takers[0].line})", ""
        star = self.importers.star(facts.name)
        if star is not None and star.path != facts.path and not bound.startswith("_"):
            return f"another module star-imports this one ({self.display(star.path)}:{star.line})", ""
        user = self.importers.attribute_user(facts.name, bound, facts.path)
        if user is not None:
            return f"another module reads it as an attribute of this one ({self.display(user)})", ""
        return "", ""

    def _proxy_blocker(self, path: Path, bound: str, where: str) -> str:
        """Why a proxy handed to another module would behave differently there, if it would."""
        try:
            other = self.project.facts_for_path(path)
        except (OSError, SourceError):
            return f"{where} imports it, and that file cannot be analysed"
        usage = other.usage().get(bound)
        if usage is None:
            return (f"{where} imports it inside a function, where a lazy_import() proxy "
                    "would be handed over as it is")
        for use in usage.uses:
            if use.kind is UseKind.IMPORT_TIME:
                return f"{where} imports it and uses it at import time (line {use.line})"
            if use.needs_real:
                return f"{where} imports it and needs the real object (line {use.line}: {use.needs_real})"
        return ""

    # -- the decision ----------------------------------------------------
    def decide(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName) -> Decision:
        key = (facts.path, stmt.line, stmt.column, name.bound)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide(facts, stmt, name)
            self._decisions[key] = decision
        return decision

    def _decide(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName) -> Decision:
        if name.star:
            return Decision(Action.LEAVE, "it is a star import, so the names it binds are unknown")
        if stmt.where is not Where.MODULE:
            reason = _WHERE_REASONS[stmt.where].format(line=stmt.where_line)
            return Decision(Action.LEAVE, reason, line=stmt.where_line)
        usage = facts.usage().get(name.bound, _UNUSED)
        if usage.rebound_line:
            return Decision(
                Action.LEAVE,
                f"`{name.bound}` is bound again at line {usage.rebound_line}",
                line=usage.rebound_line,
            )
        if usage.dynamic_line:
            return Decision(
                Action.LEAVE,
                f"the module reads its own namespace as a whole (line {usage.dynamic_line}), "
                "so neither moving the name nor adding a proxy would go unnoticed",
                line=usage.dynamic_line,
            )
        for use in usage.uses:
            if use.kind is UseKind.IMPORT_TIME:
                return Decision(
                    Action.LEAVE,
                    f"`{name.bound}` is used at import time at line {use.line} ({use.reason})",
                    line=use.line,
                )
        sibling = _package_binding(facts, stmt, name)
        if sibling:
            return Decision(Action.LEAVE, sibling)
        taken, blocked = self.taken_by_importers(facts, name.bound)
        if blocked:
            return Decision(Action.LEAVE, f"it must stay a module attribute: {blocked}")
        needs_module_name = usage.exported or taken
        if not needs_module_name and usage.global_rebound_line:
            needs_module_name = f"a function rebinds it with `global` (line {usage.global_rebound_line})"
        if not needs_module_name:
            # (Not a set of the kinds: hashing an enum member is a Python call.)
            first = next((use for use in usage.uses if use.kind is UseKind.LAMBDA), None)
            if first is not None:
                needs_module_name = f"{first.reason} uses it at line {first.line}"
            elif any(use.kind is UseKind.ANNOTATION for use in usage.uses):
                needs_module_name = "annotations name it"
        if not usage.uses and not needs_module_name:
            return Decision(
                Action.LEAVE,
                f"`{name.bound}` is never used here, so the import is kept for its side effects",
            )
        if needs_module_name or self.strategy == "proxy":
            for use in usage.uses:
                if use.needs_real:
                    return Decision(
                        Action.LEAVE,
                        f"it must stay a module attribute ({needs_module_name or 'strategy proxy'}), "
                        f"but line {use.line} needs the real object ({use.needs_real}), "
                        "which a lazy_import() proxy cannot stand in for",
                        line=use.line,
                    )
        would_proxy = self.strategy == "proxy" or (bool(needs_module_name) and self.strategy == "auto")
        clash = self._reserved_clash(facts) if would_proxy else ""
        if clash:
            return Decision(Action.LEAVE, clash)
        if needs_module_name:
            if self.strategy == "inline":
                return Decision(Action.LEAVE, f"it must stay a module attribute: {needs_module_name}")
            return Decision(Action.PROXY, needs_module_name)
        if self.strategy == "proxy":
            return Decision(Action.PROXY, "strategy proxy")
        functions: dict[int, str] = {}
        for use in usage.uses:
            functions.setdefault(use.function_line, use.function_name)
        return Decision(Action.INLINE, functions=tuple(sorted(functions.items())))

    def _reserved_clash(self, facts: ModuleFacts) -> str:
        """Why a proxy block cannot be added: the module binds its names to something else."""
        wanted = {"lazy_import": self.runtime_module, "TYPE_CHECKING": "typing"}
        for name, line, source in facts.file.reserved:
            if source != wanted[name]:
                return (
                    f"a proxy needs the name `{name}`, which this module already binds "
                    f"at line {line} to something else"
                )
        return ""

    # -- the graph after fix ----------------------------------------------
    def keep_after_fix(self, facts: ModuleFacts, edge: Edge) -> bool:
        """Whether this edge still loads eagerly once fix has run over the fix paths."""
        kept = self._kept.get(id(edge))
        if kept is None:
            kept = self._kept[id(edge)] = self._keep(facts, edge)
        return kept

    def _keep(self, facts: ModuleFacts, edge: Edge) -> bool:
        if facts.path not in self.fix_paths or (edge.heavy is None and not edge.targets):
            return True  # not fixed, or loads nothing the graph follows: no decision needed
        code = "LI001" if edge.heavy else "LI002"
        if edge.statement.silenced(code):
            return True
        return not self.decide(facts, edge.statement, edge.name).deferrable

    def _remaining(
        self, start: Iterable[str], skip: frozenset[str] = frozenset(), excluded: Optional[str] = None
    ) -> dict[str, tuple[str, ...]]:
        """What ``start`` would still load eagerly after fix (searching only where it can)."""
        return self.project.heavy_reached(start, skip, self.keep_after_fix, excluded)

    def prepare(self) -> None:
        """Build now what every file's verdicts share (the importer index), so that
        processes forked to judge the files do not each build it."""
        if self.importers is not None:
            self.importers.build()

    def _cut_point(self, chain: tuple[str, ...]) -> Optional[str]:
        """Where fix breaks this chain: the deepest edge it defers (one cut serves every importer)."""
        for index in reversed(range(len(chain) - 1)):
            module = chain[index]
            facts = self.project.module(module)
            if facts is None:
                continue
            nxt = chain[index + 1]
            for edge in facts.edges:
                if edge.heavy == nxt or nxt in edge.targets:
                    if not self.keep_after_fix(facts, edge):
                        return f"{self.display(facts.path)}:{edge.statement.line}"
        return None

    def loaded_before(self, facts: ModuleFacts) -> frozenset[str]:
        """Modules already executed when this file's imports run: its packages' closure
        (see :meth:`Project.preloaded`) and itself.  Memoised: each import asks."""
        loaded = self._loaded.get(facts.path)
        if loaded is None:
            preloaded = self.project.preloaded(facts)
            loaded = self._loaded[facts.path] = preloaded | {facts.name} if facts.name else preloaded
        return loaded

    def verdict(self, facts: ModuleFacts, edge: Edge) -> Optional[Verdict]:
        """The diagnostic-worthy verdict for one edge of a linted file, or None if it is clean."""
        if edge.heavy is not None:
            decision = self.decide(facts, edge.statement, edge.name)
            return Verdict(edge, decision, {edge.heavy: (edge.heavy,)})
        if not edge.targets:
            return None
        skip = self.loaded_before(facts)
        if skip.issuperset(edge.targets):
            return None  # all loaded already: the search would start from nothing
        reached = self.project.heavy_reached(edge.targets, skip)
        if not reached:
            return None
        chains = {pkg: ((facts.name or facts.path.stem),) + chain for pkg, chain in reached.items()}
        remaining = self._remaining(edge.targets, skip)
        if not remaining and facts.path in self.fix_paths:
            first = min(reached.items(), key=lambda item: (len(item[1]), item[0]))
            where = self._cut_point(first[1])
            reason = f"fix cuts the chain at {where}" if where else "fix cuts the chain in the modules it imports"
            return Verdict(edge, Decision(Action.DOWNSTREAM, reason), chains)
        decision = self.decide(facts, edge.statement, edge.name)
        if decision.deferrable:
            effect = self._effect_of_loading(edge.targets, skip)
            if effect:
                decision = Decision(Action.LEAVE, effect)
        return Verdict(edge, decision, chains)

    def _effect_of_loading(self, targets: Iterable[str], skip: frozenset[str]) -> str:
        """A first-party module whose import does something beyond itself (registration...)."""
        for target in targets:
            if target in skip:
                continue
            module = self.project.module(target, force=True)
            if module is not None and module.file.side_effect[0]:
                line, what = module.file.side_effect
                return (f"importing `{target}` has an effect at import time ({what} at "
                        f"{self.display(module.path)}:{line}) that deferring would postpone")
        return ""

    def parent_verdict(self, facts: ModuleFacts) -> Optional[tuple[dict[str, tuple[str, ...]], Decision]]:
        """Heavy packages that arrive only through this module's own parent packages."""
        if facts.name is None:
            return None
        parents = ancestors(facts.name)
        if not parents:
            return None
        reached = self.project.heavy_reached(parents, excluded=facts.name)
        if not reached:
            return None
        chains = {pkg: (facts.name,) + chain for pkg, chain in reached.items()}
        remaining = self._remaining(parents, excluded=facts.name)
        if not remaining:
            first = min(reached.items(), key=lambda item: (len(item[1]), item[0]))
            where = self._cut_point(first[1])
            reason = f"fix cuts the chain at {where}" if where else "fix cuts the chain in the parent package"
            return chains, Decision(Action.DOWNSTREAM, reason)
        package = self.project.module(parents[-1])
        target = self.display(package.path) if package else parents[-1]
        reason = f"the import happens in a parent package, not in this file; edit {target}"
        return chains, Decision(Action.LEAVE, reason)

    # -- what fix applies ------------------------------------------------
    def plans(self, facts: ModuleFacts) -> list[NamePlan]:
        """The rewrites fix performs in one file of the fix paths."""
        plans: list[NamePlan] = []
        for edge in facts.edges:
            code = "LI001" if edge.heavy else "LI002"
            if edge.statement.silenced(code):
                continue
            verdict = self.verdict(facts, edge)
            if verdict is None or verdict.decision.action not in (Action.INLINE, Action.PROXY):
                continue
            plans.append(NamePlan(edge.statement, edge.name, verdict.decision))
        return plans


def _package_binding(facts: ModuleFacts, stmt: ImportStatement, name: ImportedName) -> str:
    """``import P.sub as x`` also makes ``P.sub`` reachable through another ``import P`` here.

    That matters only if the code spells ``P.sub`` somewhere (outside imports).
    """
    if name.attribute is not None or "." not in name.module:
        return ""
    top = name.module.split(".")[0]
    # The other import first: without one the answer is "" whatever the code spells,
    # and looking for the spelling scans the whole file.
    others = [(other_stmt, other) for other_stmt in facts.imports for other in other_stmt.names
              if other is not name and other.attribute is None and other.bound == top]
    if not others:
        return ""
    dotted = rb"\b" + rb"\s*\.\s*".join(re.escape(p.encode()) for p in name.module.split(".")) + rb"\b"
    import_lines = {line for st in facts.imports for line in range(st.line, st.end_line + 1)}
    spelled = any(
        facts.data.count(b"\n", 0, match.start()) + 1 not in import_lines
        for match in re.finditer(dotted, facts.data)
    )
    if not spelled:
        return ""
    other_stmt, other = others[0]
    return (
        f"`import {other.module}` at line {other_stmt.line} may rely on `{name.module}` "
        "being loaded by this import"
    )


def display_path(path: Path) -> str:
    """Paths in messages are relative to the current folder when possible."""
    text = os.fspath(path)
    here = os.getcwd()
    # The common case without ``os.path.relpath`` (a sixth of the time of a lint's
    # messages): a normalised path under the current folder.  relpath would split
    # both into components and drop the current folder's, which leaves exactly the
    # rest of the text (normalised: no empty, "." or ".." component in it).
    if (text.startswith(here) and text[len(here):len(here) + 1] == os.sep and not here.endswith(os.sep)
            and os.path.normpath(text) == text):
        return text[len(here) + 1:]
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
