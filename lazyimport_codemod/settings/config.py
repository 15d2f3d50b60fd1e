"""Settings: ``[tool.lazyimport]`` found upward from each path, plus the command line.

Lookup, for a file or folder, walks up from its folder and stops after a folder
holding ``.git`` or ``.hg`` (or at the filesystem root):

* the nearest ``pyproject.toml`` with a ``[tool.lazyimport]`` table wins, even
  over a nearer ``pyproject.toml`` without one (as ruff skips a pyproject.toml
  without ``[tool.ruff]``), so a monorepo can keep one policy at its top;
* failing that, the nearest ``pyproject.toml``, ``ruff.toml`` or ``.ruff.toml``
  gives the project root (for ``src``) and ruff's heavy list;
* failing that, the repository root (the folder with ``.git``/``.hg``), else the
  current folder when the path is inside it, else the path's own folder is the
  root, with built-in settings.  (A project without pyproject.toml linted as
  ``lazyimport lint app/routers`` still resolves ``app.services`` imports.)

``--config FILE`` reads that file only: its ``[tool.lazyimport]`` table when it
has a ``tool`` table or is named ``pyproject.toml``; its top level otherwise
(a dedicated ``lazyimport.toml``); a ``ruff.toml``/``.ruff.toml`` gives its
banned-module-level-imports only.

When no ``heavy-packages`` is configured, ruff's ``banned-module-level-imports``
(rule TID253) replaces the built-in list, so teams already on TID253 keep one
policy.  It is read from the file ruff itself would use in the config's folder:
``.ruff.toml``, then ``ruff.toml``, then that pyproject.toml's ``[tool.ruff]``.

Every problem is a :class:`ConfigError` whose text is one line naming the file
and the key or position.  TOML is parsed (``tomllib``, or ``tomli`` before 3.11)
only when a file is actually found, and ``difflib`` is imported only to word an
error, so a run without config files pays for neither.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES, HeavyMatcher, is_glob
from lazyimport_codemod.named_tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping, Optional, Sequence
    from types import ModuleType

STRATEGIES = ("auto", "inline", "proxy", "lazy", "lazy-modules")
DEFAULT_STRATEGY = "auto"
# The Python versions a project may target, as ruff spells them; ``lazy`` imports (PEP 810)
# need the last one.
TARGET_VERSIONS = ("py39", "py310", "py311", "py312", "py313", "py314", "py315")
DEFAULT_TARGET = (3, 9)  # the oldest Python this tool supports
PEP810 = (3, 15)
DEFAULT_RUNTIME_MODULE = "lazyimport_codemod.runtime"
VALID_KEYS = (
    "heavy-packages",
    "extend-heavy-packages",
    "exclude",
    "extend-exclude",
    "src",
    "strategy",
    "runtime-module",
    "unsafe-fixes",
    "extend-pure-calls",
    "target-version",
)
_LIST_KEYS = ("heavy-packages", "extend-heavy-packages", "exclude", "extend-exclude", "src", "extend-pure-calls")
_MODULE_KEYS = ("heavy-packages", "extend-heavy-packages")
DEFAULT_LINE_LENGTH = 88  # ruff's and black's
_VCS_MARKERS = (".git", ".hg")
_RUFF_FILES = (".ruff.toml", "ruff.toml")  # ruff's own order of precedence
_RUFF_KEY = "banned-module-level-imports"
_TABLE = ("tool", "lazyimport")


class ConfigError(Exception):
    """A configuration problem; ``str(exc)`` is one line ready to print.

    For example ``pyproject.toml:12: unknown key 'heavy-package' in
    [tool.lazyimport]; did you mean 'heavy-packages'?`` or ``pyproject.toml:3:7:
    invalid TOML: expected '=' after a key in a key/value pair``.
    """


class Overrides(NamedTuple):
    """Settings given on the command line; ``None`` means "not given"."""

    config_file: Optional[Path] = None
    heavy_packages: Optional[tuple[str, ...]] = None
    extend_heavy_packages: tuple[str, ...] = ()
    strategy: Optional[str] = None
    unsafe_fixes: Optional[bool] = None
    target_version: Optional[str] = None  # "py39" ... "py315"


class Config(NamedTuple):
    """The effective settings for the files under one project root.

    A NamedTuple, not a frozen dataclass: importing :mod:`dataclasses` would add to
    every ``lint`` start-up.
    """

    root: Path
    path: Optional[Path]
    heavy_packages: tuple[str, ...]
    heavy_source: str
    exclude: tuple[str, ...]
    src: tuple[Path, ...]
    strategy: str
    runtime_module: str
    src_configured: bool = False  # ``src`` was set: its roots name modules whatever the __init__ files say
    unsafe_fixes: bool = False
    pure_calls: tuple[str, ...] = ()  # ``extend-pure-calls``
    target_version: tuple[int, int] = DEFAULT_TARGET  # the oldest Python the project runs on
    target_source: str = "default"  # where it was read, for messages

    @property
    def lazy_modules_count(self) -> bool:
        """Whether a module listed in ``__lazy_modules__`` is imported lazily: on a 3.15+
        target, or when the project chose that way of deferring (then it accepts that
        Pythons before 3.15 import it eagerly)."""
        return self.target_version >= PEP810 or self.strategy == "lazy-modules"

    def matcher(self) -> HeavyMatcher:
        """The matcher for :attr:`heavy_packages`, built once per distinct list."""
        found = _MATCHERS.get(self.heavy_packages)
        if found is None:
            found = _MATCHERS[self.heavy_packages] = HeavyMatcher(self.heavy_packages)
        return found


_MATCHERS: dict[tuple[str, ...], HeavyMatcher] = {}


def load_config(start: Path, overrides: Overrides = Overrides()) -> Config:
    """Return the settings that govern ``start`` (a file or a folder).

    Results are cached per folder and overrides, so asking for each of many
    files in one folder costs one lookup.
    """
    key = (folder_of(start, overrides), os.getcwd(), overrides)
    config = _CONFIGS.get(key)
    if config is None:
        folder = _abspath(start)
        config = _CONFIGS[key] = _build(folder if os.path.isdir(folder) else os.path.dirname(folder), overrides)
    return config


def folder_of(start: Path, overrides: Overrides) -> str:
    """The folder whose settings govern ``start``: its own, or ``start`` itself when it is
    one; "" with ``--config``, where every path shares one configuration."""
    if overrides.config_file:
        return ""
    folder = _abspath(start)
    return folder if os.path.isdir(folder) else os.path.dirname(folder)


def known_configs(overrides: Overrides) -> dict[str, Config]:
    """The configurations looked up so far from the current folder with these overrides,
    by :func:`folder_of`."""
    here = os.getcwd()
    return {folder: config for (folder, cwd, given), config in _CONFIGS.items() if cwd == here and given == overrides}


def remember_configs(overrides: Overrides, configs: Mapping[str, Config]) -> None:
    """Take configurations an earlier lookup found (by :func:`folder_of`), as if looked up
    from the current folder with these overrides; for a caller that knows the settings
    files they came from are unchanged."""
    here = os.getcwd()
    for folder, config in configs.items():
        _CONFIGS.setdefault((folder, here, overrides), config)


def clear_caches() -> None:
    """Forget every file read and lookup made; for tests and long-lived callers."""
    _CONFIGS.clear()
    _SEARCHES.clear()
    _DOCUMENTS.clear()


_CONFIGS: dict[tuple[str, str, Overrides], Config] = {}


# -- finding the file --------------------------------------------------------------


class _Search(NamedTuple):
    """What an upward search from one folder found."""

    table: Optional[str]  # nearest pyproject.toml with [tool.lazyimport]
    nearest: Optional[str]  # nearest pyproject.toml, ruff.toml or .ruff.toml
    vcs_root: Optional[str]  # the folder with .git/.hg where the search stopped


_SEARCHES: dict[str, _Search] = {}


def _search(folder: str) -> _Search:
    """Search upward from ``folder``, reusing (and filling) the per-folder cache.

    The walk stops at a cached folder, at a pyproject.toml with the table, or
    after a repository root or the filesystem root; then each folder walked is
    answered from the one above it, top down.
    """
    chain: list[str] = []
    above: Optional[_Search] = None
    current = folder
    while True:
        above = _SEARCHES.get(current)
        if above is not None:
            break
        chain.append(current)
        parent = os.path.dirname(current)
        if _has_table(current) or _is_vcs_root(current) or parent == current:
            break
        current = parent
    for here in reversed(chain):
        above = _SEARCHES[here] = _answer(here, above)
    assert above is not None  # the chain is never empty when nothing was cached
    return above


def _answer(folder: str, above: Optional[_Search]) -> _Search:
    """What a search from ``folder`` finds, given what one from its parent found.

    ``above`` is None for the folder where the walk ended.
    """
    own = _nearest_file(folder)
    if _has_table(folder):
        return _Search(os.path.join(folder, "pyproject.toml"), own, None)
    if above is None:
        return _Search(None, own, folder if _is_vcs_root(folder) else None)
    return _Search(above.table, own or above.nearest, above.vcs_root)


def _is_vcs_root(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, marker)) for marker in _VCS_MARKERS)


def _has_table(folder: str) -> bool:
    path = os.path.join(folder, "pyproject.toml")
    if not os.path.isfile(path):
        return False
    tool = _read(path).data.get("tool")
    if not isinstance(tool, dict):
        return False
    _check_table_name(path, tool)  # a misspelt table must not let a farther one win
    return "lazyimport" in tool


def _nearest_file(folder: str) -> Optional[str]:
    """The config file that makes ``folder`` a project root, pyproject.toml first."""
    for name in ("pyproject.toml", *_RUFF_FILES):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


# -- building the config -------------------------------------------------------------


class _Settings(NamedTuple):
    """The ``[tool.lazyimport]`` table of one file, and how to talk about it."""

    path: str
    table: Mapping[str, Any]
    section: tuple[str, ...]  # () when the table is the file's top level
    ruff_root: Optional[Mapping[str, Any]]  # ruff's settings in this very file
    ruff_siblings: bool  # whether ruff.toml beside it may supply the banned list

    @property
    def label(self) -> str:
        return f"[{'.'.join(self.section)}]" if self.section else ""


def _build(folder: str, overrides: Overrides) -> Config:
    settings = _settings_for(folder, overrides)
    if settings is not None:
        root = os.path.dirname(settings.path)
    else:  # no config file: see the module docstring for why not ``folder``
        search = _search(folder)
        root = search.vcs_root or _cwd_if_above(folder) or folder
    table: Mapping[str, Any] = settings.table if settings else {}
    if settings is not None:
        _check_keys(settings)
    heavy, source = _heavy_list(settings, overrides)
    exclude = _unique([*table.get("exclude", ()), *table.get("extend-exclude", ())])
    src = tuple(
        Path(_abspath(os.path.join(root, entry))) for entry in table.get("src", ("", "src"))
    )
    strategy = overrides.strategy or table.get("strategy", DEFAULT_STRATEGY)
    if strategy not in STRATEGIES:
        raise ConfigError(f"--strategy must be one of {_choices(STRATEGIES)}, not {strategy!r}")
    target, target_source = _target_version(settings, overrides, root)
    configured = settings is not None and "strategy" in table and not overrides.strategy
    check_strategy(strategy, target, target_source,
                   f"{_where(settings.path, settings.section, 'strategy')}: " if settings and configured else "")
    unsafe = overrides.unsafe_fixes if overrides.unsafe_fixes is not None else table.get("unsafe-fixes", False)
    return Config(
        root=Path(root),
        path=Path(settings.path) if settings else None,
        heavy_packages=heavy,
        heavy_source=source,
        exclude=exclude,
        src=_unique(src),
        strategy=strategy,
        runtime_module=table.get("runtime-module", DEFAULT_RUNTIME_MODULE),
        src_configured="src" in table,
        unsafe_fixes=bool(unsafe),
        pure_calls=_unique(table.get("extend-pure-calls", ())),
        target_version=target,
        target_source=target_source,
    )


def check_strategy(strategy: str, target: tuple[int, int], source: str, where: str = "") -> None:
    """``lazy`` writes syntax only Python 3.15+ runs: refuse it for an older target.
    ``where`` (``file:line: ``) says where the strategy was set, when in a file."""
    if strategy == "lazy" and target < PEP810:
        raise ConfigError(
            f"{where}strategy 'lazy' writes PEP 810 lazy imports, which need Python 3.15, but the target is "
            f"{version_name(target)} ({source}); set target-version = \"py315\" (or --target-version py315), "
            "or use strategy 'lazy-modules'"
        )


def version_name(version: tuple[int, int]) -> str:
    """``(3, 15)`` -> ``py315``."""
    return f"py{version[0]}{version[1]}"


def _settings_for(folder: str, overrides: Overrides) -> Optional[_Settings]:
    if overrides.config_file is not None:
        return _explicit(overrides.config_file)
    search = _search(folder)
    chosen = search.table or search.nearest
    return _discovered(chosen) if chosen else None


def _cwd_if_above(folder: str) -> Optional[str]:
    cwd = os.getcwd()
    return cwd if folder == cwd or folder.startswith(cwd.rstrip(os.sep) + os.sep) else None


def _explicit(config_file: Path) -> _Settings:
    """Settings from ``--config``: only that file is read."""
    path = _abspath(config_file)
    if not os.path.exists(path):
        raise ConfigError(f"config file '{config_file}' does not exist")
    if not os.path.isfile(path):
        raise ConfigError(f"config file '{config_file}' is not a file")
    name = os.path.basename(path)
    data = _read(path).data
    if name in _RUFF_FILES:
        return _Settings(path, {}, (), data, False)
    if name == "pyproject.toml" or "tool" in data:
        return _pyproject_settings(path, data, name == "pyproject.toml")
    return _Settings(path, data, (), None, False)


def _discovered(path: str) -> _Settings:
    data = _read(path).data
    if os.path.basename(path) == "pyproject.toml":
        return _pyproject_settings(path, data, True)
    return _Settings(path, {}, (), data, False)  # a ruff.toml


def _pyproject_settings(path: str, data: Mapping[str, Any], ruff_siblings: bool) -> _Settings:
    tool = data.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    _check_table_name(path, tool)
    table = tool.get("lazyimport", {})
    if not isinstance(table, dict):
        raise ConfigError(
            f"{_where(path, _TABLE[:1], 'lazyimport')}: [tool.lazyimport] must be a table, "
            f"not {_kind(table)}"
        )
    ruff = tool.get("ruff")
    return _Settings(path, table, _TABLE, ruff if isinstance(ruff, dict) else None, ruff_siblings)


def _check_table_name(path: str, tool: Mapping[str, Any]) -> None:
    """Catch ``[tool.lazy-import]`` and the like, which would be silently ignored."""
    if "lazyimport" in tool:
        return
    for name in tool:
        if name.replace("-", "").replace("_", "").lower() in ("lazyimport", "lazyimports"):
            line = _locate(_read(path).text, ("tool", name), None)
            where = f"{_show(path)}:{line}" if line else _show(path)
            raise ConfigError(
                f"{where}: unknown table [tool.{name}]; did you mean [tool.lazyimport]?"
            )


# -- the heavy list ------------------------------------------------------------------


def _heavy_list(settings: Optional[_Settings], overrides: Overrides) -> tuple[tuple[str, ...], str]:
    """The effective heavy list and where its base came from.

    The command line's list replaces everything (configured extensions too);
    otherwise the configured list, else ruff's, else the built-in one, each
    extended by ``extend-heavy-packages`` and ``--extend-heavy-packages``.
    """
    cli_extend = _cli_modules("--extend-heavy-packages", overrides.extend_heavy_packages)
    if overrides.heavy_packages is not None:
        base = _cli_modules("--heavy-packages", overrides.heavy_packages)
        return _sorted_unique([*base, *cli_extend]), "--heavy-packages"
    table = settings.table if settings else {}
    extend = [*table.get("extend-heavy-packages", ()), *cli_extend]
    if settings is not None and "heavy-packages" in table:
        source = f"{_show(settings.path)} {settings.label}".rstrip()
        return _sorted_unique([*table["heavy-packages"], *extend]), source
    ruff = _ruff_banned(settings) if settings else None
    if ruff is not None:
        path, banned = ruff
        return _sorted_unique([*banned, *extend]), f"{_show(path)} (ruff {_RUFF_KEY})"
    return _sorted_unique([*BUILTIN_HEAVY_PACKAGES, *extend]), "built-in"


def _cli_modules(option: str, values: Sequence[str]) -> tuple[str, ...]:
    for value in values:
        problem = _module_problem(value)
        if problem:
            raise ConfigError(f"{option}: {value!r} {problem}")
    return tuple(values)


def _ruff_banned(settings: _Settings) -> Optional[tuple[str, tuple[str, ...]]]:
    """Ruff's ``banned-module-level-imports`` from the file ruff would read, if any."""
    path, root = settings.path, settings.ruff_root
    section: tuple[str, ...] = ("tool", "ruff") if settings.section else ()
    if settings.ruff_siblings:
        folder = os.path.dirname(settings.path)
        for name in _RUFF_FILES:
            sibling = os.path.join(folder, name)
            if os.path.isfile(sibling):
                path, root, section = sibling, _read(sibling).data, ()
                break
    if root is None:
        return None
    for sub in (("lint", "flake8-tidy-imports"), ("flake8-tidy-imports",)):
        table: Any = root
        for part in sub:
            table = table.get(part) if isinstance(table, dict) else None
        if isinstance(table, dict) and _RUFF_KEY in table:
            where = (*section, *sub)
            return path, _check_ruff_list(path, where, table[_RUFF_KEY])
    return None


def _target_version(settings: Optional[_Settings], overrides: Overrides,
                    root: str) -> tuple[tuple[int, int], str]:
    """The oldest Python the project runs on, and where that was read: ``--target-version``,
    ``target-version`` in the table, ruff's ``target-version`` (from the file ruff reads),
    the lower bound of ``[project] requires-python``, else :data:`DEFAULT_TARGET`.

    Ruff's settings and ``requires-python`` belong to other tools: a value this tool cannot
    read there (or a file it cannot parse) counts as saying nothing.
    """
    if overrides.target_version is not None:
        if overrides.target_version not in TARGET_VERSIONS:
            raise ConfigError(f"--target-version must be one of {_choices(TARGET_VERSIONS)}, "
                              f"not {overrides.target_version!r}")
        return _parse_version(overrides.target_version), "--target-version"
    if settings is not None and "target-version" in settings.table:
        return _parse_version(settings.table["target-version"]), f"{_show(settings.path)} {settings.label}".rstrip()
    folder = os.path.dirname(settings.path) if settings is not None else root
    ruff_files = [os.path.join(folder, name) for name in _RUFF_FILES if os.path.isfile(os.path.join(folder, name))]
    pyproject = os.path.join(folder, "pyproject.toml")
    # Ruff reads the first of its own files it finds, else pyproject.toml's [tool.ruff].
    place = (ruff_files[0], ()) if ruff_files else (pyproject, ("tool", "ruff"))
    value = _quiet_get(place[0], place[1], "target-version")
    if isinstance(value, str) and _is_version_name(value):
        return _parse_version(value), f"ruff's target-version in {_show(place[0])}"
    lowest = _lower_bound(_quiet_get(pyproject, ("project",), "requires-python"))
    if lowest is not None:
        return lowest, f"requires-python in {_show(pyproject)}"
    return DEFAULT_TARGET, "default"


def _quiet_get(path: str, section: tuple[str, ...], key: str) -> Any:
    """``key`` of a table of a TOML file, or None when the file is missing, cannot be read or
    lacks it."""
    if not os.path.isfile(path):
        return None
    try:
        table: Any = _read(path).data
    except ConfigError:
        return None
    for part in section:
        table = table.get(part) if isinstance(table, dict) else None
    return table.get(key) if isinstance(table, dict) else None


def _is_version_name(value: str) -> bool:
    """``py39``, ``py315``: how ruff spells a Python version."""
    return value.startswith("py3") and value[3:].isdigit() and len(value) > 3


def _parse_version(name: str) -> tuple[int, int]:
    """``py315`` -> ``(3, 15)``."""
    return int(name[2]), int(name[3:])


def _lower_bound(requires: Any) -> Optional[tuple[int, int]]:
    """The lowest Python a ``requires-python`` specifier admits (``>=3.10,<4`` -> ``(3, 10)``),
    or None when it sets no lower bound this can read."""
    if not isinstance(requires, str):
        return None
    lowest: Optional[tuple[int, int]] = None
    for clause in requires.split(","):
        clause = clause.strip()
        operator = next((op for op in (">=", "~=", "===", "==", ">") if clause.startswith(op)), None)
        if operator is None:
            continue  # <, <=, != set no lower bound
        parts = clause[len(operator):].strip().split(".")
        if not parts[0].isdigit() or (len(parts) > 1 and not parts[1].isdigit()):
            continue
        version = (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
        lowest = version if lowest is None else max(lowest, version)
    return lowest


def line_length(config: Config) -> int:
    """The line length the project's formatter keeps, for the lines fix writes: ruff's
    ``line-length`` (``.ruff.toml``, ``ruff.toml``, then ``[tool.ruff]``), else black's,
    else 88.  Read from the configuration's folder; a file that cannot be read counts as
    saying nothing (lint never asks)."""
    folder = os.path.dirname(config.path) if config.path else str(config.root)
    candidates: list[tuple[str, tuple[str, ...]]] = [(name, ()) for name in _RUFF_FILES]
    candidates += [("pyproject.toml", ("tool", "ruff")), ("pyproject.toml", ("tool", "black"))]
    for name, section in candidates:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            table: Any = _read(path).data
        except ConfigError:
            continue
        for key in section:
            table = table.get(key) if isinstance(table, dict) else None
        value = table.get("line-length") if isinstance(table, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if name != "pyproject.toml" and table is not None:
            break  # ruff reads the first of its own files it finds, and only that one
    return DEFAULT_LINE_LENGTH


def _check_ruff_list(path: str, section: tuple[str, ...], value: Any) -> tuple[str, ...]:
    label = f"[{'.'.join(section)}]"
    where = _where(path, section, _RUFF_KEY)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{_RUFF_KEY}' in {label} must be a list of strings")
    for item in value:
        problem = _module_problem(item)
        if problem:
            raise ConfigError(f"{where}: {item!r} in '{_RUFF_KEY}' {problem}")
    return tuple(value)


# -- validation ----------------------------------------------------------------------


def _check_keys(settings: _Settings) -> None:
    """Reject unknown keys and wrong types, naming the key and suggesting a fix."""
    for key, value in settings.table.items():
        where = _where(settings.path, settings.section, key)
        within = f" in {settings.label}" if settings.label else ""
        if key not in VALID_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{within}; {_suggest(key)}")
        problem = _value_problem(key, value)
        if problem:
            raise ConfigError(f"{where}: {key!r}{within} {problem}")


def _value_problem(key: str, value: Any) -> Optional[str]:
    if key in _LIST_KEYS:
        if isinstance(value, str):
            return f"must be a list of strings, not a string (write [{_quote(value)}])"
        if not isinstance(value, list):
            return f"must be a list of strings, not {_kind(value)}"
        for number, item in enumerate(value, 1):
            if not isinstance(item, str):
                return f"must be a list of strings; item {number} is {_kind(item)}"
            if not item.strip():
                return f"must not contain an empty string (item {number})"
            problem = _module_problem(item) if key in _MODULE_KEYS else None
            if key == "extend-pure-calls" and not _is_dotted_name(item.strip()):
                problem = "is not a qualified name like 'tenacity.retry'"
            if problem:
                return f"has {item!r}, which {problem}"
        return None
    if key == "strategy":
        if value not in STRATEGIES:
            shown = repr(value) if isinstance(value, str) else _kind(value)
            return f"must be one of {_choices(STRATEGIES)}, not {shown}"
        return None
    if key == "target-version":
        if value not in TARGET_VERSIONS:
            shown = repr(value) if isinstance(value, str) else _kind(value)
            return f"must be one of {_choices(TARGET_VERSIONS)}, not {shown}"
        return None
    if key == "unsafe-fixes":
        return None if isinstance(value, bool) else f"must be true or false, not {_kind(value)}"
    if key == "runtime-module":
        if not isinstance(value, str) or not _is_dotted_name(value):
            shown = repr(value) if isinstance(value, str) else _kind(value)
            return f"must be a dotted module name like 'myapp.lazy', not {shown}"
        return None
    return None


def _module_problem(name: str) -> Optional[str]:
    """Why ``name`` cannot be a heavy-package entry, or None when it can."""
    text = name.strip()
    if is_glob(text):
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*?[]!-")
        if text and set(text) <= allowed and "" not in text.split("."):
            return None
        return "is not a module name or glob (like 'langchain*')"
    if _is_dotted_name(text):
        return None
    hint = " (write the name you import, like 'sklearn' for scikit-learn)" if "-" in text else ""
    return f"is not a module name{hint}"


def _is_dotted_name(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def _suggest(key: str) -> str:
    import difflib

    normal = key.strip().lower().replace("_", "-")
    close = difflib.get_close_matches(normal, VALID_KEYS, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"valid keys are {', '.join(VALID_KEYS)}"


def _choices(values: Iterable[str]) -> str:
    quoted = [repr(value) for value in values]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _kind(value: Any) -> str:
    """How a TOML value's type is named in errors."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- reading TOML --------------------------------------------------------------------


class _Document(NamedTuple):
    data: dict[str, Any]
    text: str  # kept to point errors at a line


_DOCUMENTS: dict[str, _Document] = {}


def _read(path: str) -> _Document:
    """Parse one TOML file once per run; every failure becomes a ConfigError."""
    document = _DOCUMENTS.get(path)
    if document is not None:
        return document
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{_show(path)}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_show(path)}: not valid UTF-8 (at byte {exc.start})") from None
    toml = toml_module()
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(_toml_message(path, text, exc)) from None
    document = _DOCUMENTS[path] = _Document(data, text)
    return document


def toml_module() -> ModuleType:
    """``tomllib``, or ``tomli`` before Python 3.11."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    else:  # pragma: no cover - covered by the Python 3.9/3.10 runs
        try:
            import tomli
        except ImportError:  # a dependency on these versions, but say so if missing
            raise ConfigError(
                "reading TOML on Python < 3.11 needs tomli: pip install tomli"
            ) from None
        return tomli


def _toml_message(path: str, text: str, exc: Exception) -> str:
    """``file:line:col: invalid TOML: reason`` from tomllib's or tomli's error."""
    import re

    message = str(getattr(exc, "msg", None) or exc)
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if at:
        line, column = int(at.group(1)), int(at.group(2))
        message = message[: at.start()]
    elif message.rstrip().endswith("(at end of document)"):
        message = message.rstrip()[: -len("(at end of document)")].rstrip()
        line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
    message = message.strip() or "syntax error"
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    position = f":{line}:{column}" if line and column else ""
    return f"{_show(path)}{position}: invalid TOML: {message}"


def _where(path: str, section: tuple[str, ...], key: Optional[str]) -> str:
    """``file:line`` of ``key`` in ``section`` when it can be found, else ``file``."""
    line = _locate(_read(path).text, section, key)
    return f"{_show(path)}:{line}" if line else _show(path)


def _locate(text: str, section: tuple[str, ...], key: Optional[str]) -> Optional[int]:
    """Best-effort line of a key (or, with ``key=None``, of a table header).

    Only the usual layout is recognised (a ``[table]`` header and ``key = ...``
    lines); a key written as a dotted key or inside an inline table gets no
    line, and the message still names it.
    """
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = _dotted(stripped.lstrip("[").split("]", 1)[0])
            if key is None and current == section:
                return number
        elif key is not None and current == section and "=" in stripped:
            if _dotted(stripped.split("=", 1)[0]) == (key,):
                return number
    return None


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


# -- small helpers -------------------------------------------------------------------


def _abspath(path: Path | str) -> str:
    return os.path.abspath(os.fspath(path))


def _show(path: str) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith(os.pardir) else relative


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _sorted_unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({item.strip() for item in items if item.strip()}))
