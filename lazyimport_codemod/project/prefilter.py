"""Decide from the raw bytes which files could possibly have a diagnostic.

``ast.parse`` is by far the largest cost of lint (about 8 ms for an average
standard-library file), while a regular expression over the same bytes costs
a few microseconds.  A file can only be reported if it imports a heavy
package, or a first-party module from which one is reachable.  So we scan
every file with one cheap pattern for import statements anywhere: at the start
of a line, after ``;`` or after the ``:`` of a one-line block, at any depth.
That over-approximates the module-level imports the real analysis sees
(function-level imports count too), so the set of modules that may reach a
heavy package is a superset of the true one, and skipping everything outside
it never hides a diagnostic.  Backslash continuations are joined first, as the
tokenizer does; a file with a NUL byte counts as hot so that the parser gets
to report it.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from pathlib import Path
from typing import Callable, Mapping, NamedTuple, Optional

from lazyimport_codemod.project.graph import Project, absolute, ancestors, importers_closure
from lazyimport_codemod.parse.imports import resolve_relative

_IMPORTS = re.compile(
    rb"(?:^|[;:\r])[ \t\f]*(?:"
    rb"from[ \t\f]+(?P<dots>\.*)[ \t\f]*(?P<module>[^\s(]*)[ \t\f]+import[ \t\f]*(?P<names>\([^)]*\)|[^\r\n#;]*)"
    rb"|import[ \t\f]+(?P<plain>[^\r\n#;]*))",
    re.MULTILINE,
)




class Scan(NamedTuple):
    """What the bytes of one file say, cheaply."""

    imports: tuple[tuple[int, str, tuple[str, ...]], ...]  # (level, module, names); names empty for `import x`
    unsure: bool


def _aliases(text: str) -> list[tuple[str, str]]:
    """``a as b, c`` -> [("a", "b"), ("c", "c")]."""
    text = text.strip().strip("()")
    out = []
    for part in text.replace("\n", " ").replace("\r", " ").split(","):
        words = part.split()
        if words:
            alias = words[2] if len(words) >= 3 and words[1] == "as" else words[0]
            out.append((words[0], alias))
    return out


_Aliases = tuple[tuple[str, str], ...]  # (name, bound) pairs
_Statement = tuple[int, Optional[str], _Aliases]  # ImportLine without its line


@functools.lru_cache(maxsize=4096)
def _window(lines: bytes) -> tuple[tuple[int, _Statement], ...]:
    """The statements the pattern finds in a window of whole lines, with their offsets.

    Memoised: a project's files repeat the same import lines.  A window starts
    at a line start, so the pattern reads it alone as it does inside the file.
    """
    found: list[tuple[int, _Statement]] = []
    for match in _IMPORTS.finditer(lines):
        if match.group("plain") is not None:
            statement: _Statement = (0, None, tuple(_aliases(match.group("plain").decode("utf-8", "replace"))))
        else:
            names = match.group("names").decode("utf-8", "replace")
            statement = (len(match.group("dots")), match.group("module").decode("utf-8", "replace"),
                         tuple(_aliases(names)))
        found.append((match.start(), statement))
    return tuple(found)


# A backslash continuation, as the tokenizer joins it.  One regular expression
# search is about four times faster than looking for the two spellings with
# ``in`` (the C string search is slow for a two-byte needle ending in a newline).
_CONTINUATION = re.compile(rb"\\\r?\n")


def _normalise(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _CONTINUATION.search(data) is not None:
        # Join backslash continuations the way the tokenizer does: each becomes a space,
        # as ``.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")`` would make it (the two
        # spellings never overlap, and a space never forms a new one).
        data = _CONTINUATION.sub(b" ", data)
    return data


class ImportLine(NamedTuple):
    """One import-looking statement: ``from <level dots><module> import <aliases>``,
    or ``import <aliases>`` when ``module`` is None; ``aliases`` holds (name, bound) pairs."""

    line: int
    level: int
    module: Optional[str]
    aliases: tuple[tuple[str, str], ...]


_new_tuple = tuple.__new__


def import_lines(data: bytes) -> list[ImportLine]:
    """Every import-looking statement of a file, in order.

    Lines are approximate once backslash continuations were joined; they only label messages.

    The pattern runs only on the lines that contain the word ``import`` (ten
    times faster than over the whole file, because most lines have a ``:`` or
    ``;`` where it could start), each window of lines through :func:`_window`.
    One loop, without a generator in between: the prefilter of a few hundred
    files meets thousands of such lines.
    """
    found: list[ImportLine] = []
    if b"import" not in data:
        return found
    data = _normalise(data)
    find, count = data.find, data.count
    size = len(data)
    line, counted = 1, 0
    pos = find(b"import")
    while pos != -1:
        start = data.rfind(b"\n", 0, pos) + 1
        end = find(b"\n", pos)
        if end == -1:
            end = size
        window = data[start:end]
        # An int operand makes ``in`` a plain byte search: far cheaper than a method
        # call such as ``count`` (which parses its arguments), for the few lines with "(".
        if 40 in window and window.count(b"(") > window.count(b")"):  # 40: "("
            close = find(b")", end)
            end = size if close == -1 else close + 1
            window = data[start:end]
        for offset, statement in _window(window):
            offset += start
            if offset < counted:  # ranges after a parenthesised import may step back
                line, counted = 1, 0
            line += count(b"\n", counted, offset)
            counted = offset
            # ImportLine(line, *statement) without the Python-level __new__ of a NamedTuple.
            found.append(_new_tuple(ImportLine, (line, *statement)))
        pos = find(b"import", end)
    return found


def scanned(project: Project, path: Path, data: bytes) -> list[ImportLine]:
    """``import_lines(data)``, once per file and run: the prefilter reads the import
    lines of every linted file, and the importer index those of every project file."""
    known = project.scanned.get(path)
    if known is not None and known[0] is data:
        return known[1]
    found = import_lines(data)
    project.scanned[path] = (data, found)
    return found


def scan(data: bytes, lines: Optional[list[ImportLine]] = None) -> Scan:
    """Every import-looking statement of a file (``lines``: its :func:`import_lines`, if known)."""
    imports: list[tuple[int, str, tuple[str, ...]]] = []
    for _, level, module, aliases in import_lines(data) if lines is None else lines:
        if module is None:
            imports.extend((0, name, ()) for name, _ in aliases)
        else:
            imports.append((level, module, tuple(name for name, _ in aliases)))
    # A NUL byte makes the file unparseable: let the parser report it.  (``0 in data``:
    # with an int operand ``in`` is a plain byte search, much cheaper than ``b"\\x00" in data``.)
    return Scan(tuple(imports), 0 in data)


def select_files(
    project: Project, datas: Mapping[Path, bytes], cache: dict[Path, bytes],
    on_heavy: Optional[Callable[[], None]] = None,
) -> set[Path]:
    """Files that may have a diagnostic (see :mod:`prefilter`); also gates the project.

    The others are never parsed: a syntax error in a file that mentions no heavy
    package and imports nothing that reaches one is left to the linters that
    check syntax, which is what keeps lint close to ruff's speed.  ``on_heavy()``
    runs once, as soon as one of ``datas`` imports a heavy package itself (it will
    be kept): lint then starts parsing while the prefilter goes on.
    """
    matcher = project.matcher
    direct: dict[str, bool] = {}
    edges: dict[str, set[str]] = {}  # also: the modules scanned so far
    lines: dict[tuple[str, tuple[str, ...], int], tuple[tuple[str, ...], bool]] = {}

    def line(module: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        """(first-party modules loaded, heavy?) of ``from module import names``: the same
        lines recur in many files, so each is worked out once (per set of roots: a file
        outside them adds one, and what an import finds may change)."""
        key = (module, names, len(project.roots))
        found = lines.get(key)
        if found is None:
            attributes = tuple(n for n in names if n != "*")
            heavy = matcher.match(module) is not None or any(
                matcher.match(f"{module}.{n}") is not None for n in attributes
            )
            found = lines[key] = (project.located(module, attributes), heavy)
        return found

    # What line() says about each statement without leading dots, added up as targets()
    # uses it: a project's files repeat the same statements (often the very same objects,
    # from _window's memo), so each is worked out once per set of roots, as line() is.
    statements: dict[tuple[Optional[str], _Aliases], tuple[tuple[str, ...], bool]] = {}
    statements_roots = [len(project.roots)]

    def absolute_statement(module: Optional[str], aliases: _Aliases) -> tuple[tuple[str, ...], bool]:
        """(first-party modules loaded, heavy?) of one statement without leading dots."""
        if module is None:  # import a, b.c: each name its own import, as scan() lists them
            located: tuple[str, ...] = ()
            heavy = False
            for name, _ in aliases:
                if name:
                    more, heavy_line = line(name, ())
                    located += more
                    heavy = heavy or heavy_line
            return located, heavy
        if not module:  # `from import x`: nothing to resolve, as in targets
            return (), False
        return line(module, tuple(name for name, _ in aliases))

    def targets(
        name: Optional[str], is_package: bool, found: list[ImportLine], unsure: bool
    ) -> tuple[set[str], bool]:
        """The first-party modules the statements ``found`` in a file load, and whether one
        is heavy (or ``unsure``: a NUL byte, the parser must see the file).  Straight from
        the import lines, without building :func:`scan`'s list first."""
        if statements_roots[0] != len(project.roots):
            statements.clear()
            statements_roots[0] = len(project.roots)
        out: set[str] = set()
        heavy = unsure
        for _, level, module, aliases in found:
            if level == 0:
                key = (module, aliases)
                known = statements.get(key)
                if known is None:
                    known = statements[key] = absolute_statement(module, aliases)
                if known[1]:
                    heavy = True
                out.update(known[0])
            else:  # relative: resolved against this file's name (only heavy when absolute)
                absolute = resolve_relative(name, is_package, level, module or None)
                if absolute is not None:
                    out.update(line(absolute, tuple(n for n, _ in aliases))[0])
        return out, heavy

    linted: dict[Path, tuple[Optional[str], bool, set[str]]] = {}
    queue: deque[str] = deque()
    for path, data in datas.items():
        name, is_package = project.name_for_path(path)
        # 0 in data: a NUL byte (see scan).
        outgoing, heavy = targets(name, is_package, scanned(project, path, data), 0 in data)
        if heavy and on_heavy is not None:
            on_heavy()
            on_heavy = None
        if name is not None:
            edges[name] = outgoing
            direct[name] = heavy
            queue.extend(ancestors(name))
        linted[path] = (name, heavy, outgoing)
        queue.extend(outgoing)
    while queue:
        module = queue.popleft()
        if module in edges:
            continue
        located = project.locate(module)
        if located is None or located[0].suffix != ".py":
            edges[module] = set()
            continue
        path = absolute(located[0])
        try:
            data = project._read(path)
        except OSError:
            data = b""
        cache[path] = data
        edges[module], direct[module] = targets(module, located[1], scanned(project, path, data), 0 in data)
        queue.extend(edges[module])
    hot = importers_closure((m for m, heavy in direct.items() if heavy), edges)
    project.gate = hot
    selected: set[Path] = set()
    for path, (name, heavy, outgoing) in linted.items():
        if heavy or outgoing & hot or (name and hot.intersection(ancestors(name))):
            selected.add(path)
    return selected
