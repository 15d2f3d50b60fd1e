"""The decision at the heart of every rule: may this import be deferred, and how?

Both rules report an import statement that runs while its module is imported:
LI001 one of a heavy package, LI002 one of a first-party module that loads a
heavy package.  For each name such a statement binds, :meth:`Deferral.decide`
returns one :class:`~lazyimport_codemod.records.Decision`:

``INLINE``
    Every use of the name is inside function bodies, and nothing needs it as a
    module attribute: the import moves to the top of each of those functions.
``PROXY``
    The name must stay a module attribute (``__all__`` lists it, another module
    imports it from here, a lambda body or an unevaluated annotation names
    it...), but nothing touches it while the module is imported: it is bound
    to ``lazy_import(...)``, which loads on first use.
``LAZY`` / ``LAZY_MODULES``
    On a project that targets Python 3.15 (strategy ``auto`` or ``lazy``), or
    with strategy ``lazy-modules``: the import stays where it is and becomes
    lazy (PEP 810), marked ``lazy`` or listed in ``__lazy_modules__``.  Only
    directly in the module body (not in a ``try`` or any other block), and only
    where nothing resolves it anyway: an annotation of a plain function, class or
    variable does not (Python 3.14+ evaluates those only when asked), one that
    FastAPI or pydantic evaluates does.  Where ``lazy`` cannot defer the import
    (a ``try`` body, another module taking the name, which would load it there),
    the strategy falls back to what ``auto`` does without it.
``LEAVE``
    Deferring would change what the program does; the reason names the first
    thing that pins the import.

The questions are asked in order, and the first that pins the import decides
(so a message always names the earliest, most basic reason):

1. Where the statement sits.  A star import binds unknown names.  An import in
   a ``with`` block or a loop, in an ``except``/``else``/``finally`` clause or in
   a class body stays.  One under an ``if``/``elif``/``else`` or ``case`` is
   deferred inside that same block, so the condition still decides whether the
   name is bound: moved into functions only when that block defines every
   function that uses it, else bound to a proxy there.  An optional import
   (``try/except ImportError``) is deferred the same way once fix turns the
   ``try`` into ``if importlib.util.find_spec(package) is not None:`` with the
   handler as its ``else`` (:mod:`~lazyimport_codemod.parse.optional` says which
   ``try`` qualifies); an unsafe fix (:data:`OPTIONAL_UNSAFE`).  One of a
   first-party module stays: its ImportError would come from what it imports.
2. How the module uses the name (:mod:`~lazyimport_codemod.parse.usage`): bound
   a second time, the namespace read as a whole (``globals()``, ``eval``...), or
   used while the module is imported (a decorator, a default value, a base
   class, a class body, a route or model annotation FastAPI or pydantic
   evaluates, a module statement, a function called at import time).  Plain
   annotations alone do not pin it when quoting them frees it, an unsafe fix
   (:mod:`~lazyimport_codemod.rules.annotations`), or on a 3.14+ target.
3. ``import a.b`` when another ``import a`` here may rely on ``a.b`` being
   loaded by this statement.
4. How other modules use it (:mod:`~lazyimport_codemod.project.importers`):
   a module that imports the name and needs the real object, or uses it while
   it is imported, pins it; one that merely imports it makes it a module
   attribute (so a proxy).
5. Whether a proxy fits where one is needed: not where only the real object
   works (``except X``, ``raise X``, ``x is X``, ``case X()``, ``super(X, ...)``,
   ``type(X)``), and not in a module that binds ``lazy_import`` or
   ``TYPE_CHECKING`` to something else.  Names bound twice take one proxy only
   where the runtime module provides ``submodules``
   (:mod:`~lazyimport_codemod.rules.runtime_support`).
6. Finally the strategy: ``inline`` never proxies, ``proxy`` always does, and
   ``auto`` proxies only where a module attribute is needed.  A PEP 810 form,
   where one applies, comes before both (after step 4, since a name another
   module takes is loaded there).

An unused import of a third-party package is kept for its side effects.  An unused
import of a module of this project becomes a proxy: what importing that module does is
known, and the checker judges it (:mod:`~lazyimport_codemod.rules.effects`), so a fix
that would postpone an effect is an unsafe one.
"""

from __future__ import annotations

import re
from pathlib import Path

from lazyimport_codemod.parse.facts import LAZY_MODULES_UNREADABLE, first_party_module
from lazyimport_codemod.parse.optional import find as find_optional
from lazyimport_codemod.parse.pep810 import in_module_body, lazy_as_written, resolving_use
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.parse.usage import NONE_IDENTITY
from lazyimport_codemod.project.graph import Edge, ModuleFacts, Project
from lazyimport_codemod.project.importers import ImporterIndex
from lazyimport_codemod.records import (
    IN_BRANCH,
    PROXY_NAMES,
    Action,
    Decision,
    ImportedName,
    ImportStatement,
    NameUsage,
    Use,
    UseKind,
    Where,
)
from lazyimport_codemod.rules.annotations import UNSAFE as ANNOTATIONS_UNSAFE
from lazyimport_codemod.rules.annotations import PlainAnnotations
from lazyimport_codemod.rules.runtime_support import SUBMODULES, RuntimeSupport
from lazyimport_codemod.settings.config import DEFAULT_TARGET, PEP810
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional

_UNUSED = NameUsage()  # the usage of a name the module never reads

# Enum members compared on every decision, read once (see ENUM_READS in records.py).
_MODULE, _OPTIONAL = Where.MODULE, Where.OPTIONAL
_BODY_OR_BRANCH = (Where.MODULE, Where.CONDITIONAL)
_FUNCTION, _LAMBDA, _ANNOTATION, _IMPORT_TIME = UseKind.FUNCTION, UseKind.LAMBDA, UseKind.ANNOTATION, UseKind.IMPORT_TIME
_LEAVE, _PROXY, _LAZY, _LAZY_MODULES = Action.LEAVE, Action.PROXY, Action.LAZY, Action.LAZY_MODULES

# Why guarding an optional import with find_spec may change what the program does: the
# package may be found and still fail to import, and a from-import or a submodule may be
# missing from the version installed.  The original takes the fallback then; the fixed
# code raises the ImportError at first use.
OPTIONAL_UNSAFE = ("`{package}` may be installed but fail to import (a broken install, a missing system "
                   "library){part}: the original then binds the fallback, the fixed code raises the "
                   "ImportError at first use")
OPTIONAL_UNSAFE_PART = ", or be installed without `{module}`"
_OPTIONAL_REASON = "it is an optional import (try/except ImportError at line {line})"

_WHERE_REASONS = {
    Where.OPTIONAL: _OPTIONAL_REASON + " that is not directly in the module body, where alone fix can "
    "guard it with find_spec",
    Where.WITH: "it runs inside the with block at line {line}, whose context would be lost",
    Where.LOOP: "it runs inside the loop at line {line}",
    Where.HANDLER: "it sits in the except/else/finally clause at line {line}",
    Where.CLASS: "it binds a class attribute (class body at line {line})",
}

class Verdict(NamedTuple):
    """A rule's finding for one import edge: the decision, and the chains lint shows."""

    edge: Edge
    decision: Decision
    reached: dict[str, tuple[str, ...]]  # heavy package -> chain; LI001: {package: (package,)}


class Deferral:
    """Decides, once per imported name, whether and how fix defers it (see the module docstring)."""

    def __init__(self, project: Project, strategy: str, runtime_module: str,
                 importers: Optional[ImporterIndex], display: Callable[[Path], str],
                 target: tuple[int, int] = DEFAULT_TARGET) -> None:
        self.project = project
        self.display = display
        # lazy and lazy-modules fall back to what auto does where their form does not fit.
        self.strategy = strategy if strategy in ("inline", "proxy") else "auto"
        self.lazy_form = _lazy_form(strategy, target)
        self.runtime_module = runtime_module
        self.importers = importers
        self.annotations = PlainAnnotations(project, importers, display, target)
        self.runtime = RuntimeSupport(project, runtime_module, display)
        self._decisions: dict[tuple[Path, int, int, str], Decision] = {}
        self._listed: dict[tuple[Path, int, int, str], Decision] = {}

    def decide(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName) -> Decision:
        key = (facts.path, stmt.line, stmt.column, name.bound)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide(facts, stmt, name, self.lazy_form)
            if decision.action is _LAZY_MODULES and not self._listing_fits(facts, name):
                decision = self._decide(facts, stmt, name, None)
            self._decisions[key] = decision
        return decision

    def _listing_fits(self, facts: ModuleFacts, name: ImportedName) -> bool:
        """Listing a module in ``__lazy_modules__`` makes every import of it in the module
        lazy: each of them must be one to make lazy (not one used at import time, say)."""
        for stmt in facts.imports:
            for other in stmt.names:
                if other.module != name.module or stmt.lazy or not lazy_as_written(stmt, other, (name.module,),
                                                                                  facts.data):
                    continue
                key = (facts.path, stmt.line, stmt.column, other.bound)
                decision = self._listed.get(key)
                if decision is None:
                    decision = self._listed[key] = self._decide(facts, stmt, other, Action.LAZY_MODULES)
                if decision.action is not _LAZY_MODULES:
                    return False
        return True

    def _decide(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName,
                form: Optional[Action]) -> Decision:
        usage = facts.usage().get(name.bound, _UNUSED)
        together = _submodule_group(facts, name, usage) if usage.rebound_line else ()
        decision = self._decide_anywhere(facts, stmt, name, None if together else form, together)
        if stmt.where in IN_BRANCH and decision.deferrable:
            decision = decision._replace(branch_line=stmt.where_line)
        if stmt.where is _OPTIONAL and decision.deferrable:
            decision = _guarded(decision, facts, name)
        if together and decision.deferrable:
            decision = decision._replace(together=together)
            missing = self.runtime.missing(SUBMODULES) if decision.action is _PROXY else ""
            if missing:
                # One proxy for every import of the name is `lazy_import(..., submodules=...)`.
                return Decision(Action.LEAVE, f"`{name.bound}` is bound again at line {usage.rebound_line}, "
                                f"and one proxy for both imports needs lazy_import(submodules=...), but {missing}",
                                line=usage.rebound_line)
        return decision

    def _decide_anywhere(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName,
                         form: Optional[Action], together: tuple[str, ...], quote: bool = True) -> Decision:
        # 1. Where the statement sits.
        if name.star:
            return Decision(Action.LEAVE, "it is a star import, so the names it binds are unknown")
        if stmt.where is _OPTIONAL:
            reason = self._optional_blocker(facts, stmt, name)
            if reason:
                return Decision(Action.LEAVE, reason, line=stmt.where_line)
        elif stmt.where not in _BODY_OR_BRANCH:
            reason = _WHERE_REASONS[stmt.where].format(line=stmt.where_line)
            return Decision(Action.LEAVE, reason, line=stmt.where_line)
        # 2. How this module uses the name, and the aliases that copy it (``Alias = name``).
        usage, copies = self._with_copies(facts, stmt, name, facts.usage().get(name.bound, _UNUSED))
        if copies:
            form = None  # the copy would resolve a lazy import
        if form is not None and not _lazy_fits(facts, stmt, name, form):
            form = None
        if usage.rebound_line and not together:
            return Decision(Action.LEAVE, f"`{name.bound}` is bound again at line {usage.rebound_line}",
                            line=usage.rebound_line)
        if usage.dynamic_line:
            return Decision(
                Action.LEAVE,
                f"the module reads its own namespace as a whole (line {usage.dynamic_line}), "
                "so neither moving the name nor adding a proxy would go unnoticed",
                line=usage.dynamic_line,
            )
        pin = _pinning_use(usage, lazy=form is not None)
        unpinned = None
        if pin is not None and form is None and quote:
            # Plain annotations pin nothing once quoted (see rules/annotations.py).
            unpinned = self.annotations.unpinned(facts, usage)
        if unpinned is not None:
            usage, pin = unpinned.usage, None
        if pin is not None:
            return _pinned(name, self.annotations.pinning(facts, pin))
        decision = self._after_use(facts, stmt, name, form, usage, together, copies)
        if unpinned is None:
            return decision
        if decision.action is _LEAVE:
            # Even with its plain annotations quoted the name stays (strategy inline, a proxy
            # that does not fit...): the annotation is the first thing that pins it.
            return self._decide_anywhere(facts, stmt, name, form, together, quote=False)
        if not unpinned.quoted:
            return decision  # Python 3.14+ evaluates none of them with the def
        return decision._replace(quoted=unpinned.quoted, unsafe=ANNOTATIONS_UNSAFE)

    def _after_use(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName,
                   form: Optional[Action], usage: NameUsage, together: tuple[str, ...],
                   copies: tuple[_Copy, ...]) -> Decision:
        """Questions 3 to 6, for a name no use pins to import time."""
        # 3. Another import of the same package here.
        sibling = _package_binding(self.project, facts, name, together)
        if sibling:
            return Decision(Action.LEAVE, sibling)
        # 4. How other modules use it.
        taken, blocked = self._taken_by_importers(facts, name.bound)
        if blocked:
            return Decision(Action.LEAVE, f"it must stay a module attribute: {blocked}")
        if form is not None and taken:
            # Another module's `from here import name` (or star import, or `here.name`) would
            # load a lazy import there; a proxy passes the name on unloaded.
            form = None
            pin = _pinning_use(usage, lazy=False)
            if pin is not None:
                return _pinned(name, pin)
        needs_attribute = usage.exported or taken
        if not needs_attribute and copies:
            needs_attribute = _copy_reason(name, copies[0])
        if not needs_attribute and usage.global_rebound_line:
            needs_attribute = f"a function rebinds it with `global` (line {usage.global_rebound_line})"
        if not needs_attribute:
            first = next((use for use in usage.uses if use.kind is _LAMBDA), None)
            if first is not None:
                needs_attribute = f"{first.reason} uses it at line {first.line}"
            elif any(use.kind is _ANNOTATION for use in usage.uses):
                needs_attribute = "annotations name it"
        if not needs_attribute and stmt.where in IN_BRANCH:
            needs_attribute = _outside_branch(stmt, usage)
        if not usage.uses and not needs_attribute:
            if not first_party_module(name.module, self.project.modules.first_party()):
                return Decision(Action.LEAVE,
                                f"`{name.bound}` is never used here, so the import is kept for its side effects")
            # A module of this project: what importing it does is known (the checker judges its
            # effects, which make the fix unsafe if there are any), and a proxy keeps the name.
            needs_attribute = "nothing here uses it"
        if copies and self.strategy == "inline":
            return Decision(Action.LEAVE, f"it must stay a module attribute: {needs_attribute}")
        if copies:
            decision = self._decide_proxy(facts, usage, needs_attribute)
            if not decision.deferrable:
                return decision
            return decision._replace(copied=tuple(copy.line for copy in copies if copy.target is None),
                                     attributes=tuple((copy.line, copy.alias, *copy.target)
                                                      for copy in copies if copy.target is not None))
        if form is _LAZY:
            return Decision(Action.LAZY)
        if form is _LAZY_MODULES:
            return Decision(Action.LAZY_MODULES, name.module)
        # 5. Whether a proxy fits where one would be needed.
        if needs_attribute or self.strategy == "proxy":
            for use in usage.uses:
                if _needs_real(use, name):
                    return Decision(
                        Action.LEAVE,
                        f"it must stay a module attribute ({needs_attribute or 'strategy proxy'}), "
                        f"but line {use.line} needs the real object ({use.needs_real}), "
                        "which a lazy_import() proxy cannot stand in for",
                        line=use.line,
                    )
        would_proxy = self.strategy == "proxy" or (bool(needs_attribute) and self.strategy == "auto")
        clash = self._reserved_clash(facts) if would_proxy else ""
        if clash:
            return Decision(Action.LEAVE, clash)
        # 6. The strategy.
        if needs_attribute:
            if self.strategy == "inline":
                return Decision(Action.LEAVE, f"it must stay a module attribute: {needs_attribute}")
            return Decision(Action.PROXY, needs_attribute)
        if self.strategy == "proxy":
            return Decision(Action.PROXY, "strategy proxy")
        functions: dict[int, str] = {}
        for use in usage.uses:
            functions.setdefault(use.function_line, use.function_name)
        return Decision(Action.INLINE, functions=tuple(sorted(functions.items())))

    def _optional_blocker(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName) -> str:
        """Why an optional import cannot be guarded with find_spec ("" when it can)."""
        found = find_optional(facts.file.optional, stmt.where_line)
        if found is None:
            return _WHERE_REASONS[Where.OPTIONAL].format(line=stmt.where_line)
        reason = _OPTIONAL_REASON.format(line=stmt.where_line)
        if found.blocker:
            return f"{reason} and {found.blocker}"
        if first_party_module(name.module, self.project.modules.first_party()):
            return (f"{reason} of a module of this project: the ImportError it guards against would come "
                    "from what that module imports, which find_spec cannot tell without importing it")
        return ""

    def _with_copies(self, facts: ModuleFacts, stmt: ImportStatement, name: ImportedName,
                     usage: NameUsage) -> tuple[NameUsage, tuple[_Copy, ...]]:
        """The name's usage with each module-level ``Alias = name`` that a proxy can pass on
        taken as the alias' own uses (a copy of a proxy loads nothing; its uses load it), and
        those aliases.  Likewise ``Alias = name.attr`` where ``name`` is a module this import
        binds and ``attr`` one attribute of it: fix binds the alias to
        ``lazy_import(module, "attr")``.  An alias bound again, rebound by a function, or taken
        by another module that needs the real object stays a use at import time."""
        copies = []
        uses = list(usage.uses)
        for alias, line, source in facts.file.aliases:
            target = None
            if source != name.bound:
                target = _attribute_target(stmt, name, usage, source, line)
                if target is None:
                    continue
            own = facts.usage().get(alias, _UNUSED)
            if own.rebound_line or own.global_rebound_line:
                continue
            _, blocked = self._taken_by_importers(facts, alias)
            if blocked:
                continue
            copy = [use for use in uses if use.line == line and use.kind is _IMPORT_TIME]
            if len(copy) != 1:
                continue
            uses.remove(copy[0])
            uses.extend(own.uses)
            copies.append(_Copy(alias, line, source, target))
        if not copies:
            return usage, ()
        return usage._replace(uses=tuple(sorted(uses, key=lambda use: (use.line, use.column)))), tuple(copies)

    def _decide_proxy(self, facts: ModuleFacts, usage: NameUsage, needs_attribute: str) -> Decision:
        """A proxy that aliases copy: only where it can stand in for every use."""
        for use in usage.uses:
            if use.needs_real:
                return Decision(
                    Action.LEAVE,
                    f"it must stay a module attribute ({needs_attribute}), but line {use.line} needs the "
                    f"real object ({use.needs_real}), which a lazy_import() proxy cannot stand in for",
                    line=use.line,
                )
        clash = self._reserved_clash(facts)
        if clash:
            return Decision(Action.LEAVE, clash)
        return Decision(Action.PROXY, needs_attribute)

    def _taken_by_importers(self, facts: ModuleFacts, bound: str) -> tuple[str, str]:
        """(why the name must stay a module attribute, why not even a proxy will do)."""
        if facts.name is None or self.importers is None:
            return "", ""
        display = self.display
        takers = [t for t in self.importers.takers(facts.name, bound) if t.path != facts.path]
        for taker in takers:
            blocker = self._proxy_blocker(taker.path, taker.bound, f"{display(taker.path)}:{taker.line}")
            if blocker:
                return "", blocker
        if takers:
            return f"another module imports it from here ({display(takers[0].path)}:{takers[0].line})", ""
        star = self.importers.star(facts.name)
        if star is not None and star.path != facts.path and not bound.startswith("_"):
            return f"another module star-imports this one ({display(star.path)}:{star.line})", ""
        user = self.importers.attribute_user(facts.name, bound, facts.path)
        if user is not None:
            return f"another module reads it as an attribute of this one ({display(user)})", ""
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
            if use.kind is _IMPORT_TIME:
                return f"{where} imports it and uses it at import time (line {use.line})"
            if use.needs_real:
                return f"{where} imports it and needs the real object (line {use.line}: {use.needs_real})"
        return ""

    def _reserved_clash(self, facts: ModuleFacts) -> str:
        """Why a proxy block cannot be added: the module binds one of its names to something else."""
        for name, line, source in facts.file.reserved:
            if source != (PROXY_NAMES[name] or self.runtime_module):
                return (f"a proxy needs the name `{name}`, which this module already binds "
                        f"at line {line} to something else")
        return ""


class _Copy(NamedTuple):
    """A module-level ``alias = source`` of an imported name (see ``Deferral._with_copies``)."""

    alias: str
    line: int
    source: str  # "name", or "name.attr" for an attribute of the module it binds
    target: Optional[tuple[str, str]]  # (module, attribute) the alias gets on its own, or None: a copy


def _copy_reason(name: ImportedName, copy: _Copy) -> str:
    """Why an alias makes the name a module attribute, as lint words it."""
    if copy.target is None:
        return f"`{copy.alias} = {name.bound}` at line {copy.line} copies it, and the copy holds the same proxy"
    module, attribute = copy.target
    return (f"`{copy.alias} = {copy.source}` at line {copy.line} reads it, and fix binds `{copy.alias}` "
            f"to lazy_import(\"{module}\", \"{attribute}\") too")


def _attribute_target(stmt: ImportStatement, name: ImportedName, usage: NameUsage, source: str,
                      line: int) -> Optional[tuple[str, str]]:
    """(module, attribute) for ``alias = source`` when ``source`` is one attribute of the module
    this import binds (``np.float64`` after ``import numpy as np``, ``a.b.C`` after ``import
    a.b``), the import sits directly in the module body before it, and binds the name once."""
    if (name.attribute is not None or name.star or stmt.where is not _MODULE
            or usage.rebound_line or line <= stmt.end_line or name.module.startswith(".")):
        return None
    written = name.module if name.asname is None else name.asname
    if not source.startswith(written + "."):
        return None
    attribute = source[len(written) + 1:]
    if "." in attribute or not attribute.isidentifier():
        return None
    return name.module, attribute


def _lazy_form(strategy: str, target: tuple[int, int]) -> Optional[Action]:
    """The PEP 810 form fix writes where it fits, if the strategy and target call for one."""
    if strategy == "lazy-modules":
        return Action.LAZY_MODULES
    if strategy == "lazy" or (strategy == "auto" and target >= PEP810):
        return Action.LAZY
    return None


def _lazy_fits(facts: ModuleFacts, stmt: ImportStatement, name: ImportedName, form: Action) -> bool:
    """Whether the import can be made lazy in place: directly in the module body; for
    ``__lazy_modules__``, also an absolute module name and a list fix can add to, before it."""
    if not in_module_body(stmt, facts.data):
        return False
    if form is not _LAZY_MODULES:
        return True
    if name.module.startswith("."):
        return False  # a relative import this file alone cannot name
    line = facts.file.lazy_modules_line
    if line == 0:
        return True  # fix writes the list
    return 0 < line < stmt.line and LAZY_MODULES_UNREADABLE not in facts.file.lazy_modules


def _guarded(decision: Decision, facts: ModuleFacts, name: ImportedName) -> Decision:
    """An optional import's fix: guarded by find_spec on its top-level package, unsafe."""
    found = find_optional(facts.file.optional, decision.branch_line)
    assert found is not None
    written = name.module if name.attribute is None else f"{name.module}.{name.attribute}"
    part = OPTIONAL_UNSAFE_PART.format(module=written) if written != found.package else ""
    unsafe = OPTIONAL_UNSAFE.format(package=found.package, part=part)
    if decision.unsafe:
        unsafe = f"{decision.unsafe}; and {unsafe}"
    return decision._replace(guard=found.package, unsafe=unsafe)


def _outside_branch(stmt: ImportStatement, usage: NameUsage) -> str:
    """Why a conditional import cannot move into functions: a use outside the functions its
    own block defines (moving the import there would bind the name whatever the condition)."""
    first, last = stmt.branch
    for use in usage.uses:
        if use.kind is _FUNCTION and not first <= use.function_line <= last:
            return f"`{use.function_name}()` at line {use.function_line}, outside its branch, uses it"
        if use.kind is not _FUNCTION:
            return f"line {use.line}, outside its branch, uses it"
    return ""


def _needs_real(use: Use, name: ImportedName) -> bool:
    """Whether a proxy of ``name`` cannot stand in at ``use``: ``x is None`` needs no real
    module, since neither a module nor its proxy is ever None."""
    return bool(use.needs_real) and not (use.needs_real == NONE_IDENTITY and name.attribute is None)


def _pinning_use(usage: NameUsage, lazy: bool) -> Optional[Use]:
    """The first use at import time that deferring cannot get past (for a lazy import, one
    that resolves it: see :func:`~lazyimport_codemod.parse.pep810.resolving_use`)."""
    if lazy:
        return resolving_use(usage)
    return next((use for use in usage.uses if use.kind is _IMPORT_TIME), None)


def _pinned(name: ImportedName, use: Use) -> Decision:
    return Decision(Action.LEAVE, f"`{name.bound}` is used at import time at line {use.line} ({use.reason})",
                    line=use.line)


def _submodule_group(facts: ModuleFacts, name: ImportedName, usage: NameUsage) -> tuple[str, ...]:
    """The modules of ``import a.b`` / ``import a.c`` (or ``import a``), in order, when every
    module-level binding of the name is such an import, in the module body (or a
    ``try``/``finally``), and none is silenced or lazy: fix can defer them as one."""
    members = [(stmt, other) for stmt in facts.imports for other in stmt.names if other.bound == name.bound]
    if len(members) != len(usage.bindings) or sorted(stmt.line for stmt, _ in members) != sorted(usage.bindings):
        return ()
    for stmt, other in members:
        if (other.attribute is not None or other.asname is not None or stmt.where is not _MODULE
                or stmt.noqa is not None or stmt.lazy):
            return ()
    return tuple(dict.fromkeys(other.module for _, other in members))


def _package_binding(project: Project, facts: ModuleFacts, name: ImportedName, together: tuple[str, ...] = ()) -> str:
    """``import P.sub as x`` also makes ``P.sub`` reachable through another ``import P`` here,
    at module level or in a function (where a fix of an earlier round may have moved it).

    That matters only if the code spells ``P.sub`` somewhere outside imports.  The imports of
    a group deferred ``together`` load each other's modules, so they do not count.
    """
    if name.attribute is not None or "." not in name.module:
        return ""
    top = name.module.split(".")[0]
    own_line = next(stmt.line for stmt in facts.imports if any(other is name for other in stmt.names))
    grouped = {stmt.line for stmt in facts.imports for other in stmt.names if together and other.bound == top}
    others = [(other_stmt.line, other.module) for other_stmt in facts.imports for other in other_stmt.names
              if other is not name and other.attribute is None and other.bound == top
              and other_stmt.line not in grouped]
    others += [(found.line, written) for found in project.import_lines(facts.path, facts.data) if found.module is None
               for written, bound in found.aliases
               if found.line != own_line and found.line not in grouped
               and (bound if bound != written else written.split(".")[0]) == top]
    if not others:
        return ""
    dotted = rb"\b" + rb"\s*\.\s*".join(re.escape(p.encode()) for p in name.module.split(".")) + rb"\b"
    import_line_numbers = {line for st in facts.imports for line in range(st.line, st.end_line + 1)}
    spelled = any(
        facts.data.count(b"\n", 0, match.start()) + 1 not in import_line_numbers
        and not _on_an_import_line(facts.data, match.start())
        for match in re.finditer(dotted, facts.data)
    )
    if not spelled:
        return ""
    line, module = min(others)
    return f"`import {module}` at line {line} may rely on `{name.module}` being loaded by this import"


def _on_an_import_line(data: bytes, offset: int) -> bool:
    """Whether the line holding ``offset`` is an import statement (at any depth)."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data[start:offset].lstrip().startswith((b"import ", b"from "))
