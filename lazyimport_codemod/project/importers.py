"""Who else in the project uses a module's names, so fix never pulls one out from under them.

Pre-commit hands fix only the changed files, so the modules that import a
name from a fixed file are often not among the paths given.  This index reads
every Python file of the project once (bytes only, through
:mod:`~lazyimport_codemod.parse.import_lines`) and answers three questions
about module ``M``: which files do ``from M import name`` (and under what alias), which do
``from M import *``, and which import ``M`` itself and then spell
``m.name`` somewhere (attribute access, ``mock.patch("pkg.m.name")``).
Each answer over-approximates, which can only make fix more careful.
"""

from __future__ import annotations

import re
from pathlib import Path

from lazyimport_codemod.parse.imports import resolve_relative
from lazyimport_codemod.project.graph import Project
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Optional

# A lookahead, so that `pkg.m.Model` yields both ("pkg", "m") and ("m", "Model").
_ATTRIBUTE = re.compile(r"\b(?=(\w+)\s*\.\s*(\w+))")


class Taker(NamedTuple):
    """A file that binds a module's name: ``from M import name as bound`` at ``line``."""

    path: Path
    line: int
    bound: str


class ImporterIndex:
    """Built on first use from every project file; see the module docstring."""

    def __init__(self, project: Project, files: Callable[[], Iterable[Path]]) -> None:
        self._project = project
        self._files = files
        self._from: Optional[dict[str, dict[str, list[Taker]]]] = None
        self._star: dict[str, Taker] = {}
        self._module_users: dict[str, list[tuple[Path, bytes, str]]] = {}
        self._pairs: dict[Path, frozenset[tuple[str, str]]] = {}

    def _build(self, files: Optional[list[Path]] = None) -> dict[str, dict[str, list[Taker]]]:
        taken: dict[str, dict[str, list[Taker]]] = {}
        importing: list[tuple[Path, bytes, Optional[str], bool]] = []
        for path in self._files() if files is None else files:
            try:
                data = self._project.read(path)
            except OSError:
                continue
            if b"import" in data:
                importing.append((path, data, *self._project.modules.name_for_path(path)))
        # Only first-party modules are asked about (the files being judged), so imports
        # of anything else (most lines: the standard library, frameworks) are skipped.
        # Named after the loop above: naming a file outside every root adds a root.
        first_party = self._project.modules.first_party()
        module_users = self._module_users
        # Each import line's names in turn, as :func:`bindings` lists them, but a
        # `from` line is resolved (and, most often, passed over) once for all its names.
        for path, data, name, is_package in importing:
            for line, level, module, aliases in self._project.import_lines(path, data):
                if module is None:  # import a.b [as c], ...: binds modules
                    for imported, alias in aliases:
                        top = imported.split(".", 1)[0]
                        if top in first_party:
                            bound = alias if alias != imported else imported.split(".")[0]
                            module_users.setdefault(imported, []).append((path, data, bound))
                    continue
                absolute = resolve_relative(name, is_package, level, module or None)
                if absolute is None or absolute.split(".", 1)[0] not in first_party:
                    continue
                for attribute, bound in aliases:
                    if attribute == "*":
                        self._star.setdefault(absolute, Taker(path, line, "*"))
                        continue
                    taken.setdefault(absolute, {}).setdefault(attribute, []).append(Taker(path, line, bound))
                    # `from pkg import m` binds the submodule pkg.m as a module object.
                    module_users.setdefault(f"{absolute}.{attribute}", []).append((path, data, bound))
        return taken

    def build(self) -> dict[str, dict[str, list[Taker]]]:
        """The index (built on first call): module -> name -> files that import it from there."""
        if self._from is None:
            self._from = self._build()
        return self._from

    def build_if_named(self) -> None:
        """Build the index now if every project file is already named (see
        :meth:`ModuleMap.named`), else leave it for its first use.

        Naming a file the project has not named yet may add a root, which changes
        how later imports resolve, so the index is built early (while another
        process parses, for instance) only when that cannot happen: then it is
        the same whenever it is built.
        """
        if self._from is None:
            files = list(self._files())
            if all(self._project.modules.named(path) for path in files):
                self._from = self._build(files)

    def takers(self, module: str, name: str) -> list[Taker]:
        """Files that do ``from module import name``."""
        return self.build().get(module, {}).get(name, [])

    def star(self, module: str) -> Optional[Taker]:
        self.build()
        return self._star.get(module)

    def attribute_user(self, module: str, name: str, own: Path) -> Optional[Path]:
        """A file that imports ``module`` and spells ``<its last part or alias>.name``."""
        found = self.attribute_readers(module, name, own)
        return found[0][0] if found else None

    def attribute_readers(self, module: str, name: str, own: Path) -> list[tuple[Path, str]]:
        """Each file that imports ``module`` and spells ``<its last part or alias>.name``,
        with the name its import binds."""
        self.build()
        last = module.rsplit(".", 1)[-1]
        found = []
        for path, data, bound in self._module_users.get(module, []):
            if path != own:
                spelled = self._spelled(path, data)
                if (last, name) in spelled or (bound, name) in spelled:
                    found.append((path, bound))
        return found

    def _spelled(self, path: Path, data: bytes) -> frozenset[tuple[str, str]]:
        """Every ``word.attribute`` pair a file spells, read once per file."""
        pairs = self._pairs.get(path)
        if pairs is None:
            text = data.decode("utf-8", "replace")
            pairs = self._pairs[path] = frozenset(_ATTRIBUTE.findall(text))
        return pairs
