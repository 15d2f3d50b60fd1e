"""Everything the analysis needs from one file, computed from its bytes alone.

Parsing and the usage walk are the expensive part of lint, and their result
depends only on the file's bytes and its module name.  :class:`FileFacts`
holds that result without the syntax tree, so it can be pickled: into the
on-disk cache (warm runs skip parsing) and back from worker processes (cold
runs over many files use every core).  The project graph and the decisions are
always computed afresh, because they depend on other files.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from pathlib import Path
from typing import NamedTuple, Optional

from lazyimport_codemod import __version__
from lazyimport_codemod.parse.imports import (
    collect_imports,
    has_future_annotations,
    walk_import_time,
)
from lazyimport_codemod.parse.source import ParsedSource, parse_source
from lazyimport_codemod.settings.heavy import HeavyMatcher
from lazyimport_codemod.parse.usage import Spelling, analyse_usage, module_bindings, normalised, occurrences
from lazyimport_codemod.records import ImportedName, ImportStatement, NameUsage, Where

# Bump when FileFacts or what feeds it changes shape; old entries are ignored.
_FORMAT = 8  # 8: statements and usages pickle their inner records as plain tuples


class FileFacts(NamedTuple):
    """Imports executed at import time, how each bound name is used, and display columns."""

    imports: tuple[ImportStatement, ...]
    usage: dict[str, NameUsage]
    columns: dict[tuple[int, int], int]  # (line, UTF-8 byte column) -> character column, where they differ
    noqa_line_one: Optional[frozenset[str]]
    # Module-level bindings of the names a proxy block adds, with the module they
    # are imported from ("" when bound some other way): a clash must stop fix.
    reserved: tuple[tuple[str, int, str], ...] = ()
    # First module-level statement that acts on something beyond this module
    # (a bare call, a decorator or assignment through an imported name): deferring
    # an import of this module would postpone that effect.
    side_effect: tuple[int, str] = (0, "")


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
    the project's roots, see :meth:`Project.first_party`) narrows the usage walk
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
    matcher = _matcher(heavy)
    names = {
        n.bound
        for stmt in imports
        for n in stmt.names
        if not n.star and (not _stdlib(n.module) or matcher.match(n.module) is not None)
    }
    traced = names if first_party is None else {
        n.bound
        for stmt in imports
        for n in stmt.names
        if n.bound in names and _may_load(n, matcher, first_party)
    }
    usage = (
        analyse_usage(parsed.tree, traced, has_future_annotations(parsed.tree), parsed.text)
        if traced
        else {}
    )
    return FileFacts(
        tuple(imports), usage, columns, parsed.noqa(1),
        _reserved(parsed, imports) if b"lazy_import" in data or b"TYPE_CHECKING" in data else (),
        _side_effect(walked, names),
    )


def _may_load(name: ImportedName, matcher: HeavyMatcher, first_party: frozenset[str]) -> bool:
    """Whether the import of ``name`` may be an edge the planner judges: one that loads a
    heavy package or a first-party module (see ``Project._edge``), or a relative
    import this file alone cannot resolve."""
    if name.module.startswith(".") or name.module.split(".", 1)[0] in first_party:
        return True
    if matcher.match(name.module) is not None:
        return True
    return name.attribute is not None and matcher.match(f"{name.module}.{name.attribute}") is not None


def _root_name(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _side_effect(walked: list[tuple[ast.stmt, Where, int]], imported: set[str]) -> tuple[int, str]:
    """Where importing this module does something to the outside world, if anywhere.

    ``walked`` is ``walk_import_time(tree.body)``.  Statements are told apart by
    exact type (``ast.parse`` makes no subclasses): most are none of these kinds,
    and one set lookup rejects them where ``isinstance`` took four calls."""
    for node, _, _ in walked:
        kind = type(node)
        if kind not in _ACTING:
            continue
        if kind is ast.Expr:
            if type(node.value) in (ast.Call, ast.Await):  # type: ignore[attr-defined]
                return node.lineno, "a call"
        elif kind is ast.Assign or kind is ast.AugAssign or kind is ast.AnnAssign:
            targets = node.targets if kind is ast.Assign else [node.target]  # type: ignore[attr-defined]
            for target in targets:
                if type(target) in (ast.Attribute, ast.Subscript) and _root_name(target) in imported:
                    return node.lineno, "an assignment into another module's object"
        else:  # a def or class
            for deco in node.decorator_list:  # type: ignore[attr-defined]
                if _root_name(deco) in imported:
                    return deco.lineno, "a decorator from another module"
    return 0, ""


_ACTING = frozenset({
    ast.Expr, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AugAssign, ast.AnnAssign,
})


RESERVED_NAMES = ("lazy_import", "TYPE_CHECKING")
_STDLIB: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", ()))


@functools.lru_cache(maxsize=4)
def _matcher(heavy: tuple[str, ...]) -> HeavyMatcher:
    return HeavyMatcher(heavy)


def _stdlib(module: str) -> bool:
    return module.split(".", 1)[0] in _STDLIB


def _reserved(parsed: ParsedSource, imports: list[ImportStatement]) -> tuple[tuple[str, int, str], ...]:
    sources = {
        (stmt.line, name.bound): name.module
        for stmt in imports
        for name in stmt.names
        if name.bound in RESERVED_NAMES
    }
    bindings = _reserved_by_imports(normalised(parsed.text), imports)
    if bindings is None:
        bindings = module_bindings(parsed.tree, set(RESERVED_NAMES), Spelling(parsed.text, RESERVED_NAMES))
    found = []
    for name, lines in bindings.items():
        for line in lines:
            found.append((name, line, sources.get((line, name), "")))
    return tuple(sorted(found))


def _reserved_by_imports(text: str, imports: list[ImportStatement]) -> Optional[dict[str, list[int]]]:
    """:func:`module_bindings` of the reserved names without walking the module, when each is
    spelled at most once and that once by an import outside class bodies (a router that
    imports TYPE_CHECKING and never uses it); None otherwise.

    Why it is the same answer: every binding spells the name (what ``module_bindings``
    with a spelling relies on too), so a name spelled once has at most that binding;
    an import statement run at import time outside a class body binds in the module
    namespace, and both walks leave out function bodies and ``if TYPE_CHECKING:`` bodies.
    The line is the statement's first, as there."""
    found: dict[str, list[int]] = {}
    for name in RESERVED_NAMES:
        spelled = occurrences(text, name)
        if next(spelled, None) is None:
            found[name] = []
            continue
        if next(spelled, None) is not None:
            return None
        lines = [
            stmt.line
            for stmt in imports
            if stmt.where is not Where.CLASS
            for imported in stmt.names
            if imported.bound == name
        ]
        if len(lines) != 1:
            return None
        found[name] = lines
    return found


@functools.lru_cache(maxsize=8)
def _scope_text(first_party: Optional[frozenset[str]]) -> str:
    """``first_party`` as part of a cache key (what gets traced depends on it)."""
    return "*" if first_party is None else ",".join(sorted(first_party))


# Part of every facts-cache key: one project may be linted by several Pythons.
_PYTHON = "%d.%d" % sys.version_info[:2]


class FactsCache:
    """Content-addressed FileFacts in ``<root>/.lazyimport_cache``.

    The key covers the bytes, the module name (relative imports resolve
    against it), the Python version (what parses, and the positions ``ast``
    gives, change between versions: a file in 3.12 syntax is an error on 3.9),
    the tool version and the format, so a stale entry can never be used.  Entries are written to a temporary file and renamed, so
    concurrent runs never see half an entry; an unreadable entry is a miss.
    """

    def __init__(self, root: Path, heavy: tuple[str, ...] = ()) -> None:
        self.folder = root / ".lazyimport_cache" / f"{__version__}-{_FORMAT}"
        self.heavy = heavy  # what gets traced depends on it, so it is part of every key
        self._ready = False

    def _key(
        self, data: bytes, module: Optional[str], is_package: bool, first_party: Optional[frozenset[str]]
    ) -> str:
        import hashlib  # only runs that parse something pay for it

        digest = hashlib.blake2b(data, digest_size=20)
        scope = _scope_text(first_party)
        digest.update(f"\0{module}\0{is_package}\0{','.join(self.heavy)}\0{scope}\0{_PYTHON}".encode())
        return digest.hexdigest()

    def get(
        self, data: bytes, module: Optional[str], is_package: bool, first_party: Optional[frozenset[str]] = None
    ) -> Optional[FileFacts]:
        """The facts ``extract`` would return for these arguments, if stored."""
        import pickle

        path = self.folder / self._key(data, module, is_package, first_party)
        try:
            with open(path, "rb") as handle:
                facts = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None
        return facts if isinstance(facts, FileFacts) else None

    def put(
        self, data: bytes, module: Optional[str], is_package: bool, facts: FileFacts,
        first_party: Optional[frozenset[str]] = None,
    ) -> None:
        import pickle
        import tempfile

        try:
            self._prepare()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(facts, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / self._key(data, module, is_package, first_party))
        except OSError:
            pass  # a read-only checkout simply runs without a cache

    def _prepare(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by lazyimport; safe to delete.\n*\n")
        self._ready = True
