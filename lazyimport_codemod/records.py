"""Immutable records shared by the analysis, lint, fix and the reporters.

Everything here is plain data: the analysis produces it from ``ast`` trees,
lint turns it into diagnostics and fix turns the same decisions into edits, so
the two commands can never disagree about what is deferrable.  The records are
NamedTuples rather than frozen dataclasses: every ``lint`` run imports this
module, and :mod:`dataclasses` would add to its start-up.
"""

from __future__ import annotations

import enum
from operator import itemgetter

from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional, Tuple

# The names a proxy block binds, each with the module it must be imported from
# (None: the configured runtime module).  A module that binds one of them otherwise
# gets no proxy block.
PROXY_NAMES: dict[str, Optional[str]] = {"lazy_import": None, "TYPE_CHECKING": "typing"}


class Where(enum.Enum):
    """Where a module-level import statement sits, which limits how it can be deferred."""

    MODULE = "module"  # plain module body, or the body of a try/finally
    OPTIONAL = "optional"  # try body whose handlers catch ImportError
    CONDITIONAL = "conditional"  # module-level if / elif / else (not TYPE_CHECKING)
    WITH = "with"  # module-level with block
    LOOP = "loop"  # module-level for / while
    HANDLER = "handler"  # an except / else / finally clause of a module-level try
    CLASS = "class"  # a class body executed at import time


# ENUM_READS: before Python 3.12, reading a member (``Where.CLASS``) goes through EnumType's
# ``__getattr__`` hook, several times slower than a global, and hashing one calls
# ``Enum.__hash__``, a Python function.  Code that compares members for every statement,
# decision or diagnostic reads them into module-level names once and tests membership in
# tuples (compared by identity), not sets.
IN_BRANCH = (Where.CONDITIONAL, Where.OPTIONAL)  # fix binds a deferred name in the branch that held it


class ImportedName(NamedTuple):
    """One name bound by an import statement.

    ``module`` is the absolute module the statement loads for this name and
    ``attribute`` the name taken from it (``from m import attribute``).  For
    ``import a.b.c`` the bound name is ``a`` while ``module`` is ``a.b.c``.
    """

    bound: str
    module: str
    attribute: Optional[str]
    asname: Optional[str]
    star: bool = False

    @property
    def written(self) -> str:
        """The name as it appears in the statement (``numpy as np`` -> ``numpy``)."""
        if self.attribute is not None:
            return self.attribute
        return self.module


class ImportStatement(NamedTuple):
    """A module-level ``import``/``from ... import`` executed while the module loads."""

    line: int  # 1-based
    column: int  # 0-based, as in ast (UTF-8 byte offset)
    end_line: int
    end_column: int
    is_from: bool
    level: int  # relative-import dots
    written_module: Optional[str]  # the ``from`` part as written, without dots
    names: Tuple[ImportedName, ...]
    where: Where
    where_line: int  # line of the enclosing try/if/with/for/class, or the statement itself
    noqa: Optional[frozenset[str]] = None  # None: no noqa; empty set: blanket noqa
    # ``lazy import``/``lazy from`` (PEP 810, Python 3.15): the module loads on first use of
    # a name it binds, not when the statement runs.  (``__lazy_modules__`` is not read
    # here: see ``FileFacts.lazy_modules``.)
    lazy: bool = False
    # CONDITIONAL: the first and last line of the innermost ``if``/``elif``/``else`` or
    # ``case`` block that holds the statement, where fix binds the deferred name.  OPTIONAL,
    # when fix can guard the ``try`` with find_spec: its body (see parse/optional.py).
    branch: Tuple[int, int] = (0, 0)

    def silenced(self, code: str) -> bool:
        """True when a ``# noqa`` comment on the statement's first line covers ``code``."""
        return self.noqa is not None and (not self.noqa or code in self.noqa)


class OptionalTry(NamedTuple):
    """A module-level ``try`` whose handler catches ImportError: an optional import."""

    line: int  # the ``try`` keyword
    # The top-level package every import in its body comes from: ``find_spec`` of it
    # answers, without importing it, whether those imports would find it.
    package: str
    # Why fix cannot guard it with ``find_spec`` ("" when it can); worded to follow
    # "it is an optional import (try/except ImportError at line N) and".
    blocker: str = ""


class UseKind(enum.Enum):
    """How a use of an imported name is evaluated."""

    FUNCTION = "function"  # inside a def body: runs only when the function is called
    LAMBDA = "lambda"  # inside a lambda body: deferred, but there is nowhere to put an import
    IMPORT_TIME = "import-time"  # evaluated while the module is imported
    ANNOTATION = "annotation"  # an annotation that is never evaluated at import time


class Use(NamedTuple):
    """One load of an imported name."""

    kind: UseKind
    line: int
    column: int
    reason: str = ""  # for IMPORT_TIME: "decorator", "default value", ...
    # FUNCTION: line and name of the innermost enclosing ``def``.  IMPORT_TIME "annotation"
    # (a plain annotation): line of its ``def`` or class, and the module-level function or
    # class that holds it.
    function_line: int = 0
    function_name: str = ""
    # Where a lazy_import() proxy cannot stand in for the object: ``except X``,
    # ``raise X``, ``case X()``, ``super(X, ...)``, ``is`` comparisons.
    needs_real: str = ""


class NameUsage(NamedTuple):
    """Everything the module does with one name bound by an import."""

    uses: Tuple[Use, ...] = ()
    exported: str = ""  # why the name must stay a module attribute ("listed in __all__", ...)
    rebound_line: int = 0  # another module-level binding of the same name
    global_rebound_line: int = 0  # a function rebinds it through ``global``
    dynamic_line: int = 0  # globals()/vars()/dir()/eval()/exec(): the namespace is read as a whole
    bindings: Tuple[int, ...] = ()  # every module-level binding's line, when there is more than one


class Action(enum.Enum):
    """What fix does with one imported name."""

    INLINE = "inline"
    PROXY = "proxy"
    LAZY = "lazy"  # PEP 810: ``lazy import`` / ``lazy from`` in place
    LAZY_MODULES = "lazy-modules"  # PEP 810: the module listed in ``__lazy_modules__``
    LEAVE = "leave"
    DOWNSTREAM = "downstream"  # nothing here: the heavy import is cut in another module
    FACADE = "facade"  # a package __init__ serves the names on first access (PEP 562 __getattr__)


class Decision(NamedTuple):
    """The shared verdict for one imported name: lint reports it, fix applies it."""

    action: Action
    reason: str = ""  # LEAVE: why not; DOWNSTREAM: where the cut happens
    functions: Tuple[Tuple[int, str], ...] = ()  # INLINE: (def line, name) of each target
    line: int = 0  # LEAVE: line of the first use that pins the import, if any
    unsafe: str = ""  # a fix: why it may change behaviour (then only --unsafe-fixes applies it)
    # FACADE: each attribute the package serves for this import, and its source as the
    # facade table writes it ("module:attribute", or "module" for a module).
    served: Tuple[Tuple[str, str], ...] = ()
    # A conditional import: the line of the ``if``/``elif``/``else`` or ``case`` block it stays in.
    branch_line: int = 0
    # ``import a.b`` and ``import a.c`` both binding ``a``: every module the group imports, in
    # order; fix defers them as one (each loaded on first use of the name).
    together: Tuple[str, ...] = ()
    # ``Alias = name`` lines that copy the proxy: they stay, and hold the same proxy.
    copied: Tuple[int, ...] = ()
    # ``Alias = name.attr`` lines fix binds to ``lazy_import(module, attribute)`` of their own:
    # (line, alias, module, attribute).
    attributes: Tuple[Tuple[int, str, str, str], ...] = ()
    quoted: Tuple[int, ...] = ()  # a fix: lines of the plain annotations naming it that fix quotes
    # An optional import: the top-level package whose ``importlib.util.find_spec`` replaces
    # the ``try`` at ``branch_line`` (its body the ``if`` branch, its handler the ``else``).
    guard: str = ""

    @property
    def deferrable(self) -> bool:
        return self.action is not Action.LEAVE


class Diagnostic(NamedTuple):
    """One reported problem, in the shape the json output promises."""

    path: str
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    code: str
    message: str
    package: str
    names: Tuple[str, ...]
    fixable: bool
    fix: Optional[str]
    chain: Tuple[str, ...] = ()
    packages: Tuple[str, ...] = ()
    fix_safety: Optional[str] = None  # "safe" or "unsafe" when there is a fix


# How diagnostics are sorted: by (path, line, column, code), fields 0, 1, 2 and 5.
DIAGNOSTIC_ORDER: Callable[[Diagnostic], tuple[str, int, int, str]] = itemgetter(0, 1, 2, 5)


class FileError(NamedTuple):
    """A file that could not be read or parsed; reported as ``path: error: message``."""

    path: str
    message: str


class LintResult:
    """All diagnostics and errors of one run, sorted for deterministic output.

    A plain class, not a dataclass (see the module docstring).
    """

    __slots__ = ("diagnostics", "errors", "files")

    def __init__(self, diagnostics: Optional[list[Diagnostic]] = None,
                 errors: Optional[list[FileError]] = None, files: int = 0) -> None:
        self.diagnostics: list[Diagnostic] = diagnostics if diagnostics is not None else []
        self.errors: list[FileError] = errors if errors is not None else []
        self.files = files

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LintResult):
            return NotImplemented
        return (self.diagnostics, self.errors, self.files) == (other.diagnostics, other.errors, other.files)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"LintResult(diagnostics={self.diagnostics!r}, errors={self.errors!r}, files={self.files})"


class NamePlan(NamedTuple):
    """The decision for one name of one statement: the unit fix applies."""

    statement: ImportStatement
    name: ImportedName
    decision: Decision
