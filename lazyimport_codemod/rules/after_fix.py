"""The import graph as it will be once fix has run: which edges it cuts, and where.

LI002 follows chains of first-party imports.  When fix defers the heavy
import at the end of a chain (or any import along it) in a module it rewrites,
every chain through that edge is cut, and the imports further up need no
change at all.  Lint says so ("fix cuts the chain at services/embed.py:3")
instead of proposing a second deferral, and fix, which applies the same
decisions, makes exactly that one cut.

An edge is kept unless its module is among the files being fixed and fix
applies the decision for the name it carries (:meth:`Checker.decision`: a
deferrable one, and a safe one unless unsafe fixes are on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional

from typing import TYPE_CHECKING

from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project
from lazyimport_codemod.project.reach import Chains

if TYPE_CHECKING:
    from lazyimport_codemod.rules.checker import Checker


class AfterFix:
    """Answers "what still loads eagerly once fix has run over ``fix_paths``?"."""

    def __init__(self, project: Project, checker: Checker, fix_paths: frozenset[Path],
                 display: Callable[[Path], str]) -> None:
        self.project = project
        self.checker = checker
        self.fix_paths = fix_paths
        self.display = display
        self._kept: dict[int, bool] = {}

    def keeps(self, facts: ModuleFacts, edge: Edge) -> bool:
        """Whether this edge still loads eagerly once fix has run."""
        kept = self._kept.get(id(edge))
        if kept is None:
            kept = self._kept[id(edge)] = self._keeps(facts, edge)
        return kept

    def _keeps(self, facts: ModuleFacts, edge: Edge) -> bool:
        if facts.path not in self.fix_paths or (edge.heavy is None and not edge.targets):
            return True  # not fixed, or loads nothing the graph follows
        code = "LI001" if edge.heavy else "LI002"
        if edge.statement.silenced(code):
            return True
        return not self.checker.applies(self.checker.decision(facts, edge))

    def remaining(self, start: Iterable[str], skip: frozenset[str] = frozenset(),
                  excluded: Optional[str] = None) -> Chains:
        """What importing ``start`` would still load eagerly after fix."""
        return self.project.reach.heavy_reached(start, skip, self.keeps, excluded)

    def cut_point(self, chain: tuple[str, ...]) -> Optional[tuple[str, str]]:
        """(``path:line``, why it is unsafe or "") of the edge fix cuts on this chain: the
        deepest one it defers, as one cut there serves every importer."""
        for index in reversed(range(len(chain) - 1)):
            facts = self.project.module(chain[index])
            if facts is None:
                continue
            following = chain[index + 1]
            for edge in facts.edges:
                if (edge.heavy == following or following in edge.targets) and not self.keeps(facts, edge):
                    unsafe = self.checker.decision(facts, edge).unsafe
                    return f"{self.display(facts.path)}:{edge.statement.line}", unsafe
        return None
