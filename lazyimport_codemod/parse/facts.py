"""Everything the analysis needs from one file, computed from its bytes alone.

Parsing and the usage walk are the expensive part of lint, and their result
depends only on the file's bytes, its module name and a few settings.
:class:`FileFacts` holds that result without the syntax tree, as plain
records: it can be kept between runs and handed between processes.  What
depends on other files (the project graph, the decisions) is computed later,
from the facts of every file involved.
"""

from __future__ import annotations

import ast
import functools
import sys

from lazyimport_codemod.parse.effects import ClassFacts, Effect, Wrapper, bindings, classes, effects, wrappers
from lazyimport_codemod.parse.exports import PackageInit, read_package_init
from lazyimport_codemod.parse.imports import collect_imports, has_future_annotations, walk_import_time
from lazyimport_codemod.parse.optional import optional_tries
from lazyimport_codemod.parse.source import ParsedSource, parse_source
from lazyimport_codemod.parse.usage import Spelling, analyse_usage, listed_strings, module_bindings
from lazyimport_codemod.records import PROXY_NAMES, ImportStatement, NameUsage, OptionalTry, Where
from lazyimport_codemod.settings.heavy import HeavyMatcher
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional


class FileFacts(NamedTuple):
    """Imports executed at import time, how each bound name is used, and display columns."""

    imports: tuple[ImportStatement, ...]
    usage: dict[str, NameUsage]
    columns: dict[tuple[int, int], int]  # (line, UTF-8 byte column) -> character column, where they differ
    noqa_line_one: Optional[frozenset[str]]
    # Module-level bindings of the names a proxy block adds, with the module they
    # are imported from ("" when bound some other way): a clash must stop fix.
    reserved: tuple[tuple[str, int, str], ...] = ()
    # Statements run at import time that may act beyond this module (see parse/effects.py):
    # deferring an import of this module would postpone them.
    effects: tuple[Effect, ...] = ()
    classes: tuple[ClassFacts, ...] = ()  # module-level classes and their bases
    # The module names listed in a module-level ``__lazy_modules__`` (PEP 810: on Python
    # 3.15+ the imports of those modules are lazy; before, it is a plain list), in order.
    # LAZY_MODULES_UNREADABLE among them: the list is also built in a way that cannot be
    # read (a call, a comprehension, ``insert``...), so any module may be listed.
    lazy_modules: tuple[str, ...] = ()
    # The line of the first statement that binds ``__lazy_modules__`` at import time, when
    # it is a list or tuple of strings directly in the module body (which fix can extend);
    # negated when it is anything else; 0 when there is none.
    lazy_modules_line: int = 0
    # Module-level functions whose call only builds and returns values: such a decorator or
    # call, used by another module, acts on nothing beyond what it is given.
    wrappers: tuple[Wrapper, ...] = ()
    # ``Alias = name`` or ``Alias = name.attr.attr`` directly in the module body, where an
    # import binds ``name``: (alias, line, "name" or "name.attr.attr").  ``usage`` traces each
    # alias too, so a deferral can judge both.
    aliases: tuple[tuple[str, int, str], ...] = ()
    # Module-level ``try/except ImportError`` around imports, each judged: can fix guard it
    # with find_spec (see parse/optional.py)?
    optional: tuple[OptionalTry, ...] = ()
    # Of a package ``__init__``: what deciding its facade needs (see parse/exports.py).
    package_init: Optional[PackageInit] = None


# In FileFacts.lazy_modules: ``__lazy_modules__`` is (also) computed, and may list any module.
LAZY_MODULES_UNREADABLE = "*"


def extract(
    data: bytes,
    filename: str,
    module: Optional[str],
    is_package: bool,
    heavy: tuple[str, ...] = (),
    first_party: Optional[frozenset[str]] = None,
) -> FileFacts:
    """Parse once and summarise; raises SourceError when the file cannot be parsed.

    ``heavy`` is the configured heavy list: standard-library names are not
    traced unless they are on it.  ``first_party`` (the top-level names under
    the project's roots, see :meth:`ModuleMap.first_party`) narrows the usage walk
    to the names the planner can ask about: those bound by an import that may
    load a heavy package or a first-party module.  ``None`` traces them all.
    """
    parsed = parse_source(data, filename)
    walked = walk_import_time(parsed.tree.body)
    imports = []
    columns: dict[tuple[int, int], int] = {}
    ascii_only = data.isascii()  # then every UTF-8 byte column is the character column
    for stmt in collect_imports(parsed.tree, module, is_package, walked):
        noqa = parsed.noqa(stmt.line)
        imports.append(stmt if noqa is None else stmt._replace(noqa=noqa))
        if ascii_only:
            continue
        for line, column in ((stmt.line, stmt.column), (stmt.end_line, stmt.end_column)):
            char = parsed.char_column(line, column)
            if char != column:  # only where non-ASCII text makes them differ
                columns[(line, column)] = char
    # Standard-library names are never deferred, so their uses need not be traced.
    kinds = _tracing(heavy, first_party).kinds
    imported = [(n.bound, *kinds(n.module, n.attribute)) for stmt in imports for n in stmt.names if not n.star]
    names = {bound for bound, deferrable, _ in imported if deferrable}
    traced = {bound for bound, _, loads in imported if loads and bound in names}
    aliases = _aliases(parsed.tree, traced)
    usage = (
        analyse_usage(parsed.tree, traced | {alias for alias, _, _ in aliases},
                      has_future_annotations(parsed.tree), parsed.text)
        if traced
        else {}
    )
    qualified = bindings(imports)
    star = any(name.star for stmt in imports for name in stmt.names)
    optional = Where.OPTIONAL  # read once (see ENUM_READS in records.py)
    return FileFacts(
        tuple(imports), usage, columns, parsed.noqa(1),
        _reserved(parsed, imports) if b"lazy_import" in data or b"TYPE_CHECKING" in data else (),
        effects(walked, qualified, star),
        classes(parsed.tree, qualified, module),
        *(_lazy_modules(parsed.tree, walked) if b"__lazy_modules__" in data else ((), 0)),
        wrappers(walked, qualified),
        aliases,
        (optional_tries(parsed.tree.body, _importlib_clash(parsed, imports))
         if any(stmt.where is optional for stmt in imports) else ()),
        read_package_init(parsed.tree) if is_package else None,
    )


def _aliases(tree: ast.Module, names: set[str]) -> tuple[tuple[str, int, str], ...]:
    """``Alias = name`` and ``Alias = name.a.b`` statements directly in the module body, for
    the traced ``names``."""
    found = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id not in names):
            continue
        value, attributes = node.value, []
        while isinstance(value, ast.Attribute):
            attributes.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in names:
            found.append((node.targets[0].id, node.lineno, ".".join([value.id, *reversed(attributes)])))
    return tuple(found)


def _lazy_modules(tree: ast.Module, walked: list[tuple[ast.stmt, Where, int]]) -> tuple[tuple[str, ...], int]:
    names, unreadable = listed_strings(tree, "__lazy_modules__")
    if unreadable and LAZY_MODULES_UNREADABLE not in names:
        names.append(LAZY_MODULES_UNREADABLE)
    return tuple(names), _literal_line(tree, walked)


def _literal_line(tree: ast.Module, walked: list[tuple[ast.stmt, Where, int]]) -> int:
    """Line of the first statement run at import time that binds ``__lazy_modules__``: as
    is when it is a list or tuple of strings (annotated or not) in the module body itself,
    negated otherwise; 0 when there is none."""
    top = {id(node) for node in tree.body}
    for node, _, _ in walked:
        value: Optional[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets, value = [node.target], node.value
        else:
            continue
        if not any(isinstance(target, ast.Name) and target.id == "__lazy_modules__" for target in targets):
            continue
        literal = (isinstance(node, (ast.Assign, ast.AnnAssign)) and len(targets) == 1 and id(node) in top
                   and isinstance(value, (ast.List, ast.Tuple)) and all(
                       isinstance(item, ast.Constant) and isinstance(item.value, str) for item in value.elts))
        return node.lineno if literal else -node.lineno
    return 0


def first_party_module(module: str, first_party: frozenset[str]) -> bool:
    """Whether ``module`` (as an import writes it) is a module of the project: relative, or
    under a top-level name of its roots (``first_party``, :meth:`ModuleMap.first_party`)."""
    return module.startswith(".") or module.split(".", 1)[0] in first_party


class _Tracing:
    """Which imported names the usage walk traces, for one heavy list and one set of
    first-party names, memoised per imported module and attribute (the files of a
    project import the same modules over and over)."""

    def __init__(self, heavy: tuple[str, ...], first_party: Optional[frozenset[str]]) -> None:
        self.matcher = HeavyMatcher(heavy)
        self.first_party = first_party
        self._known: dict[tuple[str, Optional[str]], tuple[bool, bool]] = {}

    def kinds(self, module: str, attribute: Optional[str]) -> tuple[bool, bool]:
        """For ``from module import attribute`` (or ``import module``): whether fix may defer
        the name at all (not the standard library, unless it is on the heavy list), and
        whether the import may be an edge the planner judges (:func:`_may_load`; without
        ``first_party``, every import may be)."""
        key = (module, attribute)
        known = self._known.get(key)
        if known is None:
            match = self.matcher.match
            deferrable = not _stdlib(module) or match(module) is not None
            loads = self.first_party is None or _may_load(module, attribute, match, self.first_party)
            known = self._known[key] = (deferrable, loads)
        return known


def _may_load(module: str, attribute: Optional[str], match: Callable[[str], Optional[str]],
              first_party: frozenset[str]) -> bool:
    """Whether this import may be an edge the planner judges: one that loads a heavy package
    or a first-party module (see ``Project._what_loads``), or a relative import this file
    alone cannot resolve."""
    if first_party_module(module, first_party):
        return True
    if match(module) is not None:
        return True
    return attribute is not None and match(f"{module}.{attribute}") is not None


RESERVED_NAMES = tuple(PROXY_NAMES)
_STDLIB: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", ()))


@functools.lru_cache(maxsize=4)
def _tracing(heavy: tuple[str, ...], first_party: Optional[frozenset[str]]) -> _Tracing:
    return _Tracing(heavy, first_party)


def _stdlib(module: str) -> bool:
    return module.split(".", 1)[0] in _STDLIB


def _importlib_clash(parsed: ParsedSource, imports: list[ImportStatement]) -> int:
    """The first line binding ``importlib`` in the module namespace other than ``import
    importlib[.sub]``, or 0."""
    if b"importlib" not in parsed.data:
        return 0
    imported = {stmt.line for stmt in imports if not stmt.is_from
                for name in stmt.names
                if name.bound == "importlib" and name.asname is None and name.module.split(".")[0] == "importlib"}
    bound = module_bindings(parsed.tree, {"importlib"}, Spelling(parsed.text, ("importlib",)))["importlib"]
    return next((line for line in sorted(bound) if line not in imported), 0)


def _reserved(parsed: ParsedSource, imports: list[ImportStatement]) -> tuple[tuple[str, int, str], ...]:
    sources = {
        (stmt.line, name.bound): name.module
        for stmt in imports
        for name in stmt.names
        if name.bound in RESERVED_NAMES
    }
    bindings = _imported_only(parsed.data, imports)
    if bindings is None:
        bindings = module_bindings(parsed.tree, set(RESERVED_NAMES), Spelling(parsed.text, RESERVED_NAMES))
    found = []
    for name, lines in bindings.items():
        for line in lines:
            found.append((name, line, sources.get((line, name), "")))
    return tuple(sorted(found))


def _imported_only(data: bytes, imports: list[ImportStatement]) -> Optional[dict[str, list[int]]]:
    """:func:`module_bindings` of the reserved names without a walk, when the text shows
    that imports bind them and nothing else can: every occurrence of each name is the
    bound name of an import run in the module namespace.  None when the walk must answer
    (non-ASCII text may spell a name in other characters that normalise to it)."""
    if not data.isascii():
        return None
    bound: dict[str, list[int]] = {name: [] for name in RESERVED_NAMES}
    in_class = Where.CLASS  # read once (see ENUM_READS in records.py)
    for stmt in imports:
        if stmt.where is in_class:  # binds a class attribute
            continue
        for name in stmt.names:
            lines = bound.get(name.bound)
            if lines is not None and not name.star:
                lines.append(stmt.line)
    # Each such import spells its name at least once, so equal counts leave no other spelling.
    if all(data.count(name.encode()) == len(lines) for name, lines in bound.items()):
        return bound
    return None
