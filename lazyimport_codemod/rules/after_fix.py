"""The import graph as it will be once fix has run: which edges it cuts, and where.

LI002 follows chains of first-party imports.  When fix defers the heavy
import at the end of a chain (or any import along it) in a module it rewrites,
every chain through that edge is cut, and the imports further up need no
change at all.  Lint says so ("fix cuts the chain at services/embed.py:3")
instead of proposing a second deferral, and fix, which applies the same
decisions, makes exactly that one cut.

For that to hold, an edge counts as cut exactly when fix rewrites it:

* a heavy import (LI001) of a file being fixed, whose decision fix applies
  (deferrable, and safe unless unsafe fixes are on);
* a first-party import (LI002) likewise, and only when it is worth a rewrite:
  importing its targets loads a heavy package that is not loaded anyway when
  the module runs, and that still would once every other edge fix rewrites is
  cut.  Otherwise the diagnostic says which cut further down serves it;
* a re-export of a package ``__init__`` that fix turns into a facade entry
  (:mod:`~lazyimport_codemod.rules.facade`): the package no longer loads it, but a
  kept ``from package import name`` elsewhere still does, through the facade.

Whether one edge is rewritten depends on the edges below it, so
:meth:`AfterFix.settle` decides every edge of the files being fixed that imports
first-party modules once, in a fixed order (the same in every process that
judges files), before any diagnostic or plan is made.  An edge whose decision is
still open when a cycle of imports leads back to it counts as kept, which can
only make another edge be rewritten where a cut below would have served: never
the other way round.  A heavy import leads nowhere in the graph, so its decision
depends on no other edge: it is made when first asked, in whichever process asks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project
from lazyimport_codemod.project.reach import Chains
from lazyimport_codemod.records import Action
from lazyimport_codemod.rules import code_of
from lazyimport_codemod.rules.facade import loads_after_fix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Callable, Iterable, Optional
    from lazyimport_codemod.rules.checker import Checker

_OPEN = None  # an edge being decided

# Deciding an edge asks about the edges below it, one nested call chain per module. Settling
# dependencies first keeps that shallow (a few levels in real apps), except inside import
# cycles (a package imports its submodules, which run the package first), where a large
# project can nest a few thousand calls. So the settle runs in the calling thread while the
# nesting stays within what its recursion limit leaves room for (each level takes about ten
# Python frames; _FRAMES_PER_LEVEL allows twice that, _FRAMES_SPARE the work below the last
# level); deeper, it is dropped and made again from the start in a thread whose stack and
# recursion limit allow it (a thread costs milliseconds, so only such projects pay for one).
_MAX_LEVELS = 40
_FRAMES_PER_LEVEL = 20
_FRAMES_SPARE = 200
_DEEP_LIMIT = 50_000
_DEEP_STACK = 256 * 1024 * 1024


class _TooDeep(Exception):
    """The settle nested deeper than the calling thread has room for."""


class AfterFix:
    """Answers "what still loads eagerly once fix has run over ``fix_paths``?"."""

    def __init__(self, project: Project, checker: Checker, fix_paths: frozenset[Path],
                 display: Callable[[Path], str]) -> None:
        self.project = project
        self.checker = checker
        self.fix_paths = fix_paths
        self.display = display
        self._rewritten: dict[int, Optional[bool]] = {}
        self._settled = False
        self._levels = 0  # rewritten() calls in progress
        self._max_levels: Optional[int] = None  # while settling in the calling thread

    def settle(self, modules: Iterable[ModuleFacts]) -> None:
        """Decide, in order, whether fix rewrites each edge of these modules (the files being
        fixed) that loads first-party modules, then forget the searches made while some
        were still open."""
        if self._settled:
            return
        ordered = self._dependencies_first(sorted(modules, key=lambda module: str(module.path)))

        def decide_all() -> None:
            for facts in ordered:
                for edge in facts.edges:
                    if edge.targets:
                        self.rewritten(facts, edge)

        self._max_levels = _room_for_levels()
        try:
            decide_all()
        except (_TooDeep, RecursionError):
            # Nothing decided so far is kept: the thread decides every edge again, in order.
            # (RecursionError: the levels took more frames than allowed for; every memo of
            # the work below is stored only once complete, so none is left half made.)
            self._rewritten.clear()
            self.project.reach.forget_kept()
            self._max_levels = None
            _with_deep_stack(decide_all)
        finally:
            self._max_levels = None
        self._settled = True
        self.project.reach.forget_kept()

    def _dependencies_first(self, modules: list[ModuleFacts]) -> list[ModuleFacts]:
        """``modules`` in that order, except that each comes after the modules among them it
        imports (a depth-first post-order; a cycle is broken where the walk meets it).
        Deciding an edge asks about the edges below it, so deciding those first keeps the
        questions shallow: asked top-down, a long chain of imports would nest one call per
        module."""
        wanted = {id(facts) for facts in modules}  # each module has one ModuleFacts
        done: set[int] = set()
        ordered: list[ModuleFacts] = []
        for root in modules:
            if id(root) in done:
                continue
            done.add(id(root))
            stack = [(root, iter(self._imported(root, wanted)))]
            while stack:
                facts, below = stack[-1]
                following = next(below, None)
                if following is None:
                    stack.pop()
                    ordered.append(facts)
                elif id(following) not in done:
                    done.add(id(following))
                    stack.append((following, iter(self._imported(following, wanted))))
        return ordered

    def _imported(self, facts: ModuleFacts, wanted: set[int]) -> list[ModuleFacts]:
        """The modules among ``wanted`` (by id) that an import of ``facts`` executes, in order."""
        module = self.project.module
        found = []
        for edge in facts.edges:
            for target in edge.targets:
                target_facts = module(target)
                if target_facts is not None and id(target_facts) in wanted:
                    found.append(target_facts)
        return found

    def keeps(self, facts: ModuleFacts, edge: Edge) -> bool:
        """Whether this edge still loads eagerly once fix has run."""
        return not self.rewritten(facts, edge)

    def rewritten(self, facts: ModuleFacts, edge: Edge) -> bool:
        """Whether fix rewrites the import of this edge (see the module docstring)."""
        key = id(edge)
        if key in self._rewritten:
            return bool(self._rewritten[key])  # decided, or still open (a cycle): kept
        if self._max_levels is not None and self._levels >= self._max_levels:
            raise _TooDeep  # before anything is marked: see settle()
        self._rewritten[key] = _OPEN
        self._levels += 1
        try:
            decided = self._rewritten[key] = self._decide(facts, edge)
        finally:
            self._levels -= 1
        return decided

    def _decide(self, facts: ModuleFacts, edge: Edge) -> bool:
        if (edge.heavy is None and not edge.targets) or facts.path not in self.fix_paths:
            return False  # loads nothing the graph follows, or not fixed
        if edge.statement.silenced(code_of(edge)):
            return False
        if edge.heavy is not None:
            return self.checker.applies(self.checker.decision(facts, edge))
        # What the import loads is asked first: most first-party imports load nothing heavy,
        # and then their decision is never needed.
        skip = self.checker.loaded_before(facts)
        if skip.issuperset(edge.targets) or not self.project.reach.reaches_heavy(edge.targets, skip):
            return False  # it loads nothing heavy that is not loaded anyway
        if not self.checker.applies(self.checker.decision(facts, edge)):
            return False
        return bool(self.remaining(edge.targets, skip))

    def remaining(self, start: Iterable[str], skip: frozenset[str] = frozenset(),
                  excluded: Optional[str] = None) -> Chains:
        """What importing ``start`` would still load eagerly after fix."""
        return self.project.reach.heavy_reached(start, skip, self.keeps, excluded, self._facade_loads)

    def _facade_loads(self, facts: ModuleFacts, edge: Edge) -> tuple[str, ...]:
        """What a kept ``from package import name`` loads through the facade fix writes."""
        return loads_after_fix(self.checker, facts, edge)

    def cut_point(self, chain: tuple[str, ...]) -> Optional[tuple[str, str, bool]]:
        """(``path:line``, why it is unsafe or "", whether it is a facade entry) of the edge
        fix cuts on this chain: the deepest one it rewrites, as one cut there serves every
        importer."""
        for index in reversed(range(len(chain) - 1)):
            facts = self.project.module(chain[index])
            if facts is None:
                continue
            following = chain[index + 1]
            for edge in facts.edges:
                if (edge.heavy == following or following in edge.targets) and self.rewritten(facts, edge):
                    decision = self.checker.decision(facts, edge)
                    return (f"{self.display(facts.path)}:{edge.statement.line}", decision.unsafe,
                            decision.action is Action.FACADE)
        return None


def _room_for_levels() -> int:
    """How many nested decisions the calling thread has room for (see ``_MAX_LEVELS``)."""
    frames = 0
    frame: Optional[FrameType] = sys._getframe()
    while frame is not None:
        frames += 1
        frame = frame.f_back
    room = (sys.getrecursionlimit() - frames - _FRAMES_SPARE) // _FRAMES_PER_LEVEL
    return max(0, min(_MAX_LEVELS, room))


def _with_deep_stack(work: Callable[[], None]) -> None:
    """Run ``work`` in a thread with a large stack and recursion limit (see ``_MAX_LEVELS``),
    raising what it raised."""
    import threading

    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the calling thread
            failed.append(error)

    limit = sys.getrecursionlimit()
    size = threading.stack_size(_DEEP_STACK)
    try:
        sys.setrecursionlimit(max(limit, _DEEP_LIMIT))
        thread = threading.Thread(target=run, name="lazyimport-settle")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if failed:
        raise failed[0]
