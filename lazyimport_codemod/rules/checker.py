"""Run the rules over one parsed file: lint's diagnostics, and the plans fix applies.

Lint and fix ask the same :class:`Checker` about the same edges, so they can
never disagree: a diagnostic says "fix moves the import into ..." exactly when
:meth:`Checker.plans` hands that move to the transform.  Each import edge
belongs to one rule (LI001 for a heavy package, LI002 for first-party modules,
LI003 for a lazy import of either that is resolved anyway); a ``# noqa`` for
that code on the statement's first line silences it for both commands.  Names
of one statement that fix treats alike share one diagnostic.
"""

from __future__ import annotations

from pathlib import Path

from lazyimport_codemod.files import DisplayPaths
from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.records import Action, Decision, Diagnostic, NamePlan
from lazyimport_codemod.rules import code_of, li001, li002, li003
from lazyimport_codemod.rules.after_fix import AfterFix
from lazyimport_codemod.rules.deferral import Deferral, Verdict
from lazyimport_codemod.rules.effects import Effects, describe
from lazyimport_codemod.rules.facade import Facades
from lazyimport_codemod.rules.wording import fix_text, merged, packages, safety
from lazyimport_codemod.settings.config import DEFAULT_TARGET

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional


class Checker:
    """The rules, set up for one analysis: the project, the files fix would rewrite
    (``fix_paths``, absolute as :func:`~lazyimport_codemod.project.modules.absolute` makes
    them: lint asks about those too, to say what fix would do), the strategy and the
    oldest Python the project targets."""

    def __init__(self, project: Project, fix_paths: Iterable[Path], strategy: str, runtime_module: str,
                 importers: Optional[ImporterIndex] = None, unsafe_fixes: bool = False,
                 pure_calls: Iterable[str] = (), target: tuple[int, int] = DEFAULT_TARGET) -> None:
        self.project = project
        self.importers = importers
        self.unsafe_fixes = unsafe_fixes
        self.display = DisplayPaths()
        self.deferral = Deferral(project, strategy, runtime_module, importers, self.display, target)
        self.facades = Facades(project, strategy, runtime_module, importers, self.display, self.deferral.runtime)
        self.effects = Effects(project, pure_calls)
        self.after_fix = AfterFix(project, self, frozenset(fix_paths), self.display)
        self._loaded: dict[Path, frozenset[str]] = {}
        self._anyway: dict[Path, frozenset[str]] = {}
        self._raw: dict[int, Decision] = {}
        self._decisions: dict[int, Decision] = {}
        self._kept_targets: dict[Path, tuple[str, ...]] = {}  # see _kept_loads

    def prepare(self, files: Iterable[ModuleFacts]) -> None:
        """Decide now what every file's verdicts share: the importer index, and which edges
        fix rewrites (:meth:`AfterFix.settle`).  Call it before any verdict, with every
        file being checked, so that every process answers alike."""
        if self.importers is not None:
            self.importers.build()
        self.after_fix.settle(files)

    def loaded_before(self, facts: ModuleFacts) -> frozenset[str]:
        """Modules already executed when this file's imports run: what its packages load
        (:meth:`Project.preloaded`), and itself."""
        loaded = self._loaded.get(facts.path)
        if loaded is None:
            loaded = self._loaded[facts.path] = self.project.preloaded(facts)
        return loaded

    def loaded_anyway(self, facts: ModuleFacts) -> frozenset[str]:
        """Modules executed while this file is imported whatever fix does: those loaded
        before it, and what its first-party imports that fix never rewrites load in turn
        (imports that load nothing heavy, or whose names are needed at import time)."""
        anyway = self._anyway.get(facts.path)
        if anyway is None:
            found = set(self.loaded_before(facts))
            queue = [facts]
            while queue:
                for target in self._kept_loads(queue.pop()):
                    if target not in found:
                        found.add(target)
                        loaded = self.project.module(target, force=True)
                        if loaded is not None:
                            queue.append(loaded)
            anyway = self._anyway[facts.path] = frozenset(found)
        return anyway

    def _kept_loads(self, facts: ModuleFacts) -> tuple[str, ...]:
        """The first-party modules this module's imports that fix never rewrites load, in
        order (:meth:`loaded_anyway` asks it of every module on the way, for every file)."""
        loads = self._kept_targets.get(facts.path)
        if loads is None:
            loads = self._kept_targets[facts.path] = tuple(
                target for edge in facts.edges
                if not edge.heavy and edge.targets and self._never_rewritten(facts, edge)
                for target in edge.targets)
        return loads

    def _never_rewritten(self, facts: ModuleFacts, edge: Edge) -> bool:
        """Whether fix leaves this first-party import of ``facts`` as it is, whatever else it
        does (what the import loads is asked before its decision, which most never need)."""
        return (facts.path not in self.after_fix.fix_paths or edge.statement.silenced(li002.CODE)
                or not self.project.reach.reaches_heavy(edge.targets, self.loaded_before(facts))
                or not self._raw_decision(facts, edge).deferrable)

    def _raw_decision(self, facts: ModuleFacts, edge: Edge) -> Decision:
        decision = self._raw.get(id(edge))
        if decision is None:
            decision = self.deferral.decide(facts, edge.statement, edge.name)
            decision = self._raw[id(edge)] = self.facades.decide(facts, edge, decision)
        return decision

    def decision(self, facts: ModuleFacts, edge: Edge) -> Decision:
        """Whether and how fix defers the name this edge binds: the deferral decision (or an
        entry of a package facade, :mod:`~lazyimport_codemod.rules.facade`), made unsafe when deferring a first-party import would postpone an effect beyond the
        modules it loads and beyond what this file loads anyway (a module still imported
        by the file runs its effects while the file is imported, as before:
        :mod:`~lazyimport_codemod.rules.effects`)."""
        decision = self._decisions.get(id(edge))
        if decision is None and edge.lazy:
            decision = self._decisions[id(edge)] = li003.decision(edge)
        if decision is None:
            decision = self._raw_decision(facts, edge)
            if edge.heavy is None and edge.targets and decision.deferrable:
                found = self.effects.of_loading(edge.targets, self.loaded_before(facts))
                if found is not None:
                    found = self.effects.of_loading(edge.targets, self.loaded_anyway(facts))
                if found is not None:
                    effect, module = found
                    where = self.project.module(module, force=True)
                    place = f"{self.display(where.path)}:{effect.line}" if where is not None else module
                    postponed = f"importing `{module}` runs {describe(effect)} at {place}, which deferring would postpone"
                    decision = decision._replace(unsafe="; ".join(filter(None, (decision.unsafe, postponed))))
            self._decisions[id(edge)] = decision
        return decision

    def applies(self, decision: Decision) -> bool:
        """Whether fix rewrites the import for this decision with the options of the run."""
        return decision.action in _REWRITES and (not decision.unsafe or self.unsafe_fixes)

    def resolves(self, decision: Decision) -> bool:
        """Whether a fix run makes the diagnostic of this decision go away: it rewrites the
        import, or the cut further down it names (see :mod:`~lazyimport_codemod.rules.after_fix`)."""
        return decision.action is _DOWNSTREAM or self.applies(decision)

    def verdict(self, facts: ModuleFacts, edge: Edge) -> Optional[Verdict]:
        """The rules' finding for one import edge, or None when it loads nothing heavy."""
        if li003.applies(edge):
            return li003.verdict(self, facts, edge)
        if li001.applies(edge):
            return li001.verdict(self, facts, edge)
        if li002.applies(edge):
            return li002.verdict(self, facts, edge)
        return None

    def plans(self, facts: ModuleFacts) -> list[NamePlan]:
        """The rewrites fix makes in one file."""
        found: list[NamePlan] = []
        for edge in facts.edges:
            if edge.statement.silenced(code_of(edge)):
                continue
            verdict = self.verdict(facts, edge)
            if verdict is not None and self.applies(verdict.decision):
                found.append(NamePlan(edge.statement, edge.name, verdict.decision))
        return found

    def diagnostics(self, facts: ModuleFacts) -> list[Diagnostic]:
        """LI001/LI002/LI003 diagnostics of one parsed file, honouring ``# noqa``."""
        path = self.display(facts.path)
        groups: dict[tuple[int, int, str, str, Action], list[Verdict]] = {}
        for edge in facts.edges:
            if edge.heavy is None and not edge.targets:
                continue
            code = code_of(edge)
            if edge.statement.silenced(code):
                continue
            verdict = self.verdict(facts, edge)
            if verdict is None:
                continue
            target = edge.heavy or "|".join(edge.targets)
            key = (edge.statement.line, edge.statement.column, code, target, verdict.decision.action)
            groups.setdefault(key, []).append(verdict)
        found: list[Diagnostic] = []
        for (line, _, code, _, _), verdicts in groups.items():
            stmt = verdicts[0].edge.statement
            decision = merged([v.decision for v in verdicts])
            names = tuple(v.edge.name.bound for v in verdicts)
            column = facts.file.columns.get((stmt.line, stmt.column), stmt.column) + 1
            end_column = facts.file.columns.get((stmt.end_line, stmt.end_column), stmt.end_column) + 1
            if code == li001.CODE:
                package = verdicts[0].edge.heavy or ""
                message = li001.message(package, decision, self.unsafe_fixes)
                chain: tuple[str, ...] = ()
                reached: tuple[str, ...] = (package,)
            else:
                chains: dict[str, tuple[str, ...]] = {}
                for verdict in verdicts:
                    for pkg, pkg_chain in verdict.reached.items():
                        chains.setdefault(pkg, pkg_chain)
                text, chain, reached = packages(chains)
                if code == li003.CODE:
                    message = li003.message(verdicts[0].edge, chain, text, decision, self.unsafe_fixes)
                    chain = chain if verdicts[0].edge.heavy is None else ()
                else:
                    message = li002.message(chain, text, decision, self.unsafe_fixes)
            fix = fix_text(decision, self.unsafe_fixes)
            found.append(Diagnostic(path, line, column, stmt.end_line, end_column, code, message,
                                    reached[0], names, fix is not None and self.resolves(decision), fix, chain,
                                    reached, safety(decision)))
        parent = li002.parent_verdict(self, facts)
        if parent is not None and not _silenced_line_one(facts):
            chains, decision = parent
            text, chain, reached = packages(chains)
            fix = fix_text(decision, self.unsafe_fixes)
            message = li002.parent_message(chain, text, decision, self.unsafe_fixes)
            found.append(Diagnostic(path, 1, 1, 1, 1, li002.CODE, message, reached[0], (),
                                    fix is not None and self.resolves(decision), fix, chain, reached, safety(decision)))
        return found


# The actions fix rewrites an import for; a tuple, and members read once (see ENUM_READS in records.py).
_REWRITES = (Action.INLINE, Action.PROXY, Action.LAZY, Action.LAZY_MODULES, Action.FACADE)
_DOWNSTREAM = Action.DOWNSTREAM


def _silenced_line_one(facts: ModuleFacts) -> bool:
    codes = facts.file.noqa_line_one
    return codes is not None and (not codes or li002.CODE in codes)
