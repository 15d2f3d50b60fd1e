"""Which file is which first-party module: the project's import roots.

A first-party module is one found under an import root.  A file's name comes
from its packages: the folder above the topmost package that holds it is its
root (``backend/app/api/users.py`` is ``app.api.users`` when ``backend/`` is no
package but ``backend/app/`` is), and that root is added to the roots.  A
folder without ``__init__.py`` inside a package is a namespace sub-package of
it.  A file in folders without any ``__init__.py`` is a namespace module named
from the root holding it (``helpers/api.py`` is ``helpers.api``), unless its
folder holds packages, which makes that folder their root and the file a
top-level module beside them (``backend/main.py`` next to ``backend/app/``).
The walk never climbs above the configured root that holds the file.  A root
set explicitly with the ``src`` setting names its files from itself instead, whatever the
``__init__.py`` files say, which is how namespace packages (folders without
``__init__.py``) get their full dotted names.  The default roots (the
configuration's folder and its ``src/``) are where lookups start.

This class answers both directions, module name -> file and file -> module
name, and remembers each answer until a new root appears (a new root can
change both).
"""

from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional, Sequence, Union


def absolute(path: Union[str, os.PathLike[str]]) -> Path:
    """``Path(os.path.abspath(path))``, reusing ``path`` when it already is one (files are
    handed around many times, and a new Path costs more than the string work)."""
    text = os.fspath(path)
    normal = os.path.abspath(text)
    return path if isinstance(path, Path) and normal == text else Path(normal)


def ancestors(module: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``: packages Python imports before the module."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


class ModuleMap:
    """Import roots, and the module <-> file lookups made against them."""

    def __init__(self, roots: Sequence[Path], explicit: Sequence[Path] = ()) -> None:
        self.roots: list[Path] = []  # deepest first: a file under src/ is named relative to src/
        self.explicit = frozenset(Path(os.path.abspath(root)) for root in explicit)
        self.epoch = 0  # how many times the roots changed; memos elsewhere compare it
        self._tops: dict[Path, frozenset[str]] = {}  # root -> names of its entries
        self._first_party: Optional[tuple[int, frozenset[str]]] = None
        self._files: dict[str, Optional[tuple[Path, bool]]] = {}  # module -> (file, is package)
        self._names: dict[str, tuple[Optional[str], bool]] = {}  # file -> (module, is package)
        self._folders: dict[str, tuple[int, tuple[str, ...]]] = {}  # see _name_in_folder
        self._loaded: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}  # see `loaded`
        # (folder, bound) -> _package_root's answer, which depends on the files only
        self._package_roots: dict[tuple[Path, Optional[Path]], Path] = {}
        self._known: dict[str, Path] = {}  # see know()
        for root in roots:
            self.add_root(root)

    def add_root(self, root: Path) -> None:
        root = Path(os.path.abspath(root))
        if root in self.roots:
            return
        self.roots.append(root)
        self.roots.sort(key=lambda r: len(r.parts), reverse=True)
        self.epoch += 1
        self._files.clear()
        self._names.clear()
        self._loaded.clear()

    def _entries(self, root: Path) -> frozenset[str]:
        """The names a root's entries give to top-level modules (``x.py`` -> ``x``)."""
        found = self._tops.get(root)
        if found is None:
            names: set[str] = set()
            try:
                with os.scandir(root) as entries:
                    for entry in entries:
                        names.add(entry.name[:-3] if entry.name.endswith(".py") else entry.name)
            except OSError:
                pass
            found = self._tops[root] = frozenset(names)
        return found

    def first_party(self) -> frozenset[str]:
        """Top-level names under the roots: every first-party module starts with one.

        Only names a module can have: the set is part of every facts-cache key, so
        ``.lazyimport_cache``, ``__pycache__`` or a README appearing must not change it.
        """
        if self._first_party is None or self._first_party[0] != self.epoch:
            names = frozenset(name for root in self.roots for name in self._entries(root)
                              if name.isidentifier() and name != "__pycache__")
            self._first_party = (self.epoch, names)
        return self._first_party[1]

    def know(self, paths: Iterable[Path]) -> None:
        """Hand :meth:`locate` the Path objects of files it may find (the files being
        linted): it answers with those instead of building new ones, which costs more than
        the lookup and makes every later comparison of the two compare their text."""
        self._known.update((os.fspath(path), path) for path in paths)

    def locate(self, module: str) -> Optional[tuple[Path, bool]]:
        """File of a first-party module and whether it is a package (a namespace package:
        its folder, where nothing runs), or None when no root holds it."""
        if module in self._files:
            return self._files[module]
        found: Optional[tuple[Path, bool]] = None
        top = module.split(".", 1)[0]
        parts = [part for part in module.split(".") if part]
        for root in self.roots:
            if top not in self._entries(root):
                continue
            base = os.path.join(root, *parts)
            init = os.path.join(base, "__init__.py")
            if os.path.isfile(init):
                found = (self._known.get(init) or Path(init), True)
            elif os.path.isfile(base + ".py"):
                found = (self._known.get(base + ".py") or Path(base + ".py"), False)
            elif os.path.isdir(base):
                found = (Path(base), True)
            if found:
                break
        self._files[module] = found
        return found

    def loaded(self, module: str, attributes: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The first-party modules ``from module import *attributes`` executes, parents first."""
        key = (module, attributes)
        found = self._loaded.get(key)
        if found is None:
            candidates = ancestors(module) + [module]
            located = self.locate(module)
            if located is not None and located[1]:  # only a package has submodules
                candidates += [f"{module}.{a}" for a in attributes]
            found = self._loaded[key] = tuple(c for c in candidates if self.locate(c) is not None)
        return found

    def name_for_path(self, path: Path) -> tuple[Optional[str], bool]:
        """Dotted module name of a file and whether it is a package ``__init__``: from the
        deepest root holding it, else from its packages (whose parent becomes a root)."""
        key = os.fspath(path)
        known = self._names.get(key)
        if known is None:
            folder, _, file = key.rpartition(os.sep)
            known = self._name_in_folder(folder, file)
            if known is None:
                known = self._name_for_path(absolute(path))
                self._note_folder(folder, file, known)
            self._names[key] = known
        return known

    def _name_in_folder(self, folder: str, file: str) -> Optional[tuple[Optional[str], bool]]:
        """The name of a ``.py`` file from what another file of its folder was named (the
        root and the packages that name it depend on the folder alone), or None when
        only :meth:`_name_for_path` can tell."""
        known = self._folders.get(folder)
        if known is None or known[0] != self.epoch or not file.endswith(".py"):
            return None
        parts, stem = known[1], file[:-3]
        if stem == "__init__":
            return (".".join(parts), True) if parts else None
        return (".".join((*parts, stem)), False) if stem.isidentifier() else None

    def _note_folder(self, folder: str, file: str, named: tuple[Optional[str], bool]) -> None:
        """Remember the packages a ``.py`` file's name gives its folder (see :meth:`_name_in_folder`)."""
        name, is_package = named
        if name is None or not file.endswith(".py"):
            return
        parts = tuple(name.split("."))
        if not is_package:
            parts = parts[:-1]
        self._folders[folder] = (self.epoch, parts)

    def named(self, path: Path) -> bool:
        """Whether :meth:`name_for_path` knows this path already (so asking cannot add a root)."""
        return os.fspath(path) in self._names

    def _name_for_path(self, path: Path) -> tuple[Optional[str], bool]:
        is_package = path.name == "__init__.py"
        text = str(path)
        folded = os.path.normcase(text)  # as Path compares: case-folded on Windows
        for root in self.roots:
            prefix = os.path.join(os.path.normcase(str(root)), "")
            if not folded.startswith(prefix):
                continue
            if root not in self.explicit:
                own = self._package_root(path.parent, root)
                if own != root:
                    if own in self.roots:  # deeper, so tried already: its name was no module name
                        continue
                    self.add_root(own)
                    return self._name_for_path(path)
            parts = text[len(prefix):].split(os.sep)
            parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
            if is_package:
                parts = parts[:-1]
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts), is_package
        folder = self._package_root(path.parent, None)
        self.add_root(folder)
        parts = list(path.relative_to(folder).parts)
        parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        return (name if name and all(p.isidentifier() for p in parts) else None), is_package

    def _package_root(self, folder: Path, bound: Optional[Path]) -> Path:
        key = (folder, bound)
        found = self._package_roots.get(key)
        if found is None:
            found = self._package_roots[key] = _package_root(folder, bound)
        return found

    def folders_probed(self) -> set[Path]:
        """Every folder whose entries decided a lookup so far: a file or folder created in
        one of them can change what an import resolves to."""
        folders: set[Path] = set(self.roots)
        for module in self._files:
            parts = module.split(".")
            for root in self.roots:
                if parts[0] in self._entries(root):
                    folders.add(root.joinpath(*parts[:-1]))
        return folders

    def looked_up(self) -> frozenset[str]:
        """Every module name looked up so far."""
        return frozenset(self._files)


def _package_root(folder: Path, bound: Optional[Path]) -> Path:
    """The root the packages holding ``folder`` hang from.

    Below a ``bound`` (a root), that is the folder above the topmost package
    between ``folder`` and the bound, so that a folder without ``__init__.py``
    inside a package (a namespace sub-package, ``app/generated/``) stays part of
    it.  Without a package on the way, ``folder`` itself when it holds packages
    (``backend/main.py`` beside ``backend/app/``, run from ``backend/``), else the
    bound (``helpers/api.py`` is the namespace module ``helpers.api``).  Without a
    bound (a file outside every root), the walk stops at the first folder without
    ``__init__.py``.
    """
    if bound is None:
        while (folder / "__init__.py").is_file() and folder.parent != folder:
            folder = folder.parent
        return folder
    top: Optional[Path] = None
    current = folder
    while current != bound and current.parent != current:
        if (current / "__init__.py").is_file():
            top = current
        current = current.parent
    if top is not None:
        return top.parent
    return folder if _holds_package(folder) else bound


def _holds_package(folder: Path) -> bool:
    """Whether a folder holds a package (a sub-folder with ``__init__.py``): then it is where
    those packages are imported from, and its own modules are top-level beside them."""
    try:
        with os.scandir(folder) as entries:
            return any(entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py"))
                       for entry in entries)
    except OSError:
        return False
