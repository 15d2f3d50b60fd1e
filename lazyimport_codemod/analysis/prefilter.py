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

import re
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

from lazyimport_codemod.analysis.graph import Project, ancestors, importers_closure
from lazyimport_codemod.analysis.imports import resolve_relative

_IMPORTS = re.compile(
    rb"(?:^|[;:\r])[ \t\f]*(?:"
    rb"from[ \t\f]+(?P<dots>\.*)[ \t\f]*(?P<module>[^\s(]*)[ \t\f]+import[ \t\f]*(?P<names>\([^)]*\)|[^\r\n#;]*)"
    rb"|import[ \t\f]+(?P<plain>[^\r\n#;]*))",
    re.MULTILINE,
)




@dataclass(frozen=True)
class Scan:
    """What the bytes of one file say, cheaply."""

    imports: tuple[tuple[int, str, tuple[str, ...]], ...]  # (level, module, names); names empty for `import x`
    unsure: bool


def _names(text: str) -> list[str]:
    return [name for name, _ in _aliases(text)]


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


def _matches(data: bytes) -> Iterator["re.Match[bytes]"]:
    """Import statements on the lines that contain the word ``import``.

    Running the pattern only there is ten times faster than over the whole file,
    because most lines have a ``:`` or ``;`` where the pattern could start.
    """
    pos = data.find(b"import")
    while pos != -1:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end == -1 else end
        if data.count(b"(", start, end) > data.count(b")", start, end):
            close = data.find(b")", end)
            end = len(data) if close == -1 else close + 1
        yield from _IMPORTS.finditer(data, start, end)
        pos = data.find(b"import", end)


def _normalise(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\\\n" in data or b"\\\r\n" in data:
        # Join backslash continuations the way the tokenizer does.
        data = data.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")
    return data


def bindings(data: bytes) -> list[tuple[int, int, str, Optional[str], str]]:
    """(line, level, module, imported name or None, bound name) for every import-looking statement.

    Lines are approximate once backslash continuations were joined; they only label messages.
    """
    data = _normalise(data)
    found: list[tuple[int, int, str, Optional[str], str]] = []
    for match in _matches(data):
        line = data.count(b"\n", 0, match.start()) + 1
        if match.group("plain") is not None:
            for name, alias in _aliases(match.group("plain").decode("utf-8", "replace")):
                bound = alias if alias != name else name.split(".")[0]
                found.append((line, 0, name, None, bound))
        else:
            module = match.group("module").decode("utf-8", "replace")
            for name, alias in _aliases(match.group("names").decode("utf-8", "replace")):
                found.append((line, len(match.group("dots")), module, name, alias))
    return found


def scan(data: bytes) -> Scan:
    """Every import-looking statement of a file."""
    imports: list[tuple[int, str, tuple[str, ...]]] = []
    # A NUL byte makes the file unparseable: let the parser report it.
    unsure = b"\x00" in data
    if b"import" in data:
        data = _normalise(data)
        for match in _matches(data):
            tail = match.group("names") if match.group("plain") is None else match.group("plain")
            text = tail.decode("utf-8", "replace")
            if match.group("plain") is not None:
                for name in _names(text):
                    imports.append((0, name, ()))
            else:
                module = match.group("module").decode("utf-8", "replace")
                imports.append((len(match.group("dots")), module, tuple(_names(text))))
    return Scan(tuple(imports), unsure)


def select_files(
    project: Project, datas: Mapping[Path, bytes], cache: dict[Path, bytes]
) -> set[Path]:
    """Files that may have a diagnostic (see :mod:`prefilter`); also gates the project.

    The others are never parsed: a syntax error in a file that mentions no heavy
    package and imports nothing that reaches one is left to the linters that
    check syntax, which is what keeps lint close to ruff's speed.
    """
    matcher = project.matcher
    scans: dict[str, Scan] = {}
    direct: dict[str, bool] = {}
    edges: dict[str, set[str]] = {}

    def targets(name: Optional[str], is_package: bool, found: Scan) -> tuple[set[str], bool]:
        out: set[str] = set()
        heavy = found.unsure
        for level, module, names in found.imports:
            absolute = resolve_relative(name, is_package, level, module or None)
            if absolute is None:
                continue
            if level == 0 and not heavy:
                heavy = matcher.match(absolute) is not None or any(
                    matcher.match(f"{absolute}.{n}") is not None for n in names if n != "*"
                )
            candidates = ancestors(absolute) + [absolute]
            candidates += [f"{absolute}.{n}" for n in names if n != "*"]
            out.update(c for c in candidates if project.locate(c) is not None)
        return out, heavy

    linted: dict[Path, tuple[Optional[str], bool, set[str]]] = {}
    queue: deque[str] = deque()
    for path, data in datas.items():
        name, is_package = project.name_for_path(path)
        found = scan(data)
        outgoing, heavy = targets(name, is_package, found)
        if name is not None:
            scans[name] = found
            edges[name] = outgoing
            direct[name] = heavy
            queue.extend(ancestors(name))
        linted[path] = (name, heavy, outgoing)
        queue.extend(outgoing)
    while queue:
        module = queue.popleft()
        if module in scans:
            continue
        located = project.locate(module)
        if located is None or located[0].suffix != ".py":
            scans[module] = Scan((), False)
            edges[module] = set()
            continue
        try:
            data = project._read(located[0])
        except OSError:
            data = b""
        cache[Path(os.path.abspath(located[0]))] = data
        found = scans[module] = scan(data)
        edges[module], direct[module] = targets(module, located[1], found)
        queue.extend(edges[module])
    hot = importers_closure((m for m, heavy in direct.items() if heavy), edges)
    project.gate = hot
    selected: set[Path] = set()
    for path, (name, heavy, outgoing) in linted.items():
        parents = ancestors(name) if name else []
        if heavy or outgoing & hot or hot.intersection(parents):
            selected.add(path)
    return selected
