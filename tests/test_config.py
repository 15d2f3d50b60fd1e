"""Configuration: where settings come from, how they combine, and how mistakes are reported.

Projects are built in ``tmp_path`` with a ``.git`` folder so the upward search
never leaves them.  Mistakes are real files under ``tests/fixtures/config/``,
one folder per case, read from that folder so messages show short paths.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from lazyimport_codemod.settings.config import (
    DEFAULT_RUNTIME_MODULE,
    VALID_KEYS,
    Config,
    ConfigError,
    Overrides,
    clear_caches,
    load_config,
)
from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "fixtures" / "config"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository that is also the current folder."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- where the settings come from --------------------------------------------------------


def test_found_upward_from_a_file(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["mylib"]\n')
    module = write(repo / "app" / "routers" / "users.py", "")
    config = load_config(module)
    assert config.root == repo
    assert config.path == repo / "pyproject.toml"
    assert config.heavy_packages == ("mylib",)
    assert config.heavy_source == "pyproject.toml [tool.lazyimport]"


def test_found_upward_from_a_folder(repo: Path) -> None:
    write(repo / "pyproject.toml", "[tool.lazyimport]\n")
    (repo / "app" / "deep").mkdir(parents=True)
    assert load_config(repo / "app" / "deep").path == repo / "pyproject.toml"


def test_table_wins_over_a_nearer_pyproject_without_it(repo: Path) -> None:
    """A monorepo keeps one policy at the top; a package's pyproject.toml without
    [tool.lazyimport] does not hide it (ruff treats [tool.ruff] the same way)."""
    write(repo / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["top"]\n')
    write(repo / "packages" / "a" / "pyproject.toml", '[project]\nname = "a"\n')
    config = load_config(repo / "packages" / "a")
    assert config.path == repo / "pyproject.toml"
    assert config.root == repo
    assert config.heavy_packages == ("top",)


def test_nearer_table_wins_over_a_farther_one(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["top"]\n')
    write(repo / "svc" / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["inner"]\n')
    config = load_config(repo / "svc" / "main.py")
    assert (config.root, config.heavy_packages) == (repo / "svc", ("inner",))


def test_without_any_table_the_nearest_pyproject_is_the_root(repo: Path) -> None:
    write(repo / "pyproject.toml", "[project]\nname = 'top'\n")
    write(repo / "svc" / "pyproject.toml", "[project]\nname = 'svc'\n")
    config = load_config(repo / "svc" / "main.py")
    assert config.root == repo / "svc"
    assert config.path == repo / "svc" / "pyproject.toml"
    assert config.heavy_packages == BUILTIN_HEAVY_PACKAGES
    assert config.heavy_source == "built-in"


def test_a_ruff_toml_alone_marks_the_root(repo: Path) -> None:
    write(repo / "svc" / "ruff.toml", "line-length = 100\n")
    config = load_config(repo / "svc" / "main.py")
    assert (config.root, config.path) == (repo / "svc", repo / "svc" / "ruff.toml")


@pytest.mark.parametrize("marker", [".git", ".hg"])
def test_search_stops_at_the_repository_root(tmp_path: Path, marker: str) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["outside"]\n')
    inner = tmp_path / "checkout"
    (inner / marker).mkdir(parents=True)
    config = load_config(inner / "app.py")
    assert config.path is None
    assert config.root == inner  # the repository root, not the file's folder
    assert config.heavy_packages == BUILTIN_HEAVY_PACKAGES


def test_the_repository_root_itself_is_checked(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", '[tool.lazyimport]\nstrategy = "proxy"\n')
    assert load_config(tmp_path / "a" / "b.py").strategy == "proxy"


def test_no_config_and_no_repository_uses_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = (".git", ".hg", "pyproject.toml", "ruff.toml", ".ruff.toml")
    if any((folder / m).exists() for folder in tmp_path.parents for m in markers):
        pytest.skip("the temporary folder sits inside a project")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app" / "routers").mkdir(parents=True)
    config = load_config(Path("app/routers"))
    assert config.root == tmp_path  # so `app.services` still resolves from the routers
    assert config.src == (tmp_path, tmp_path / "src")
    assert config.path is None


def test_results_are_cached_per_folder(repo: Path) -> None:
    write(repo / "pyproject.toml", "[tool.lazyimport]\n")
    first = load_config(repo / "app" / "a.py")
    assert load_config(repo / "app" / "b.py") is first
    assert first.matcher() is first.matcher()


# -- --config ---------------------------------------------------------------------------


def test_config_file_with_top_level_keys(repo: Path) -> None:
    """A dedicated file (not named pyproject.toml, no [tool] table) is the table itself."""
    write(repo / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["ignored"]\n')
    settings = write(
        repo / "ci" / "lazyimport.toml", 'heavy-packages = ["mine"]\nstrategy = "inline"\n'
    )
    config = load_config(repo / "app", Overrides(config_file=settings))
    assert config.path == settings
    assert config.root == repo / "ci"
    assert config.heavy_packages == ("mine",)
    assert config.heavy_source == os.path.join("ci", "lazyimport.toml")
    assert config.strategy == "inline"


def test_config_file_with_a_tool_table(repo: Path) -> None:
    settings = write(repo / "shared.toml", '[tool.lazyimport]\nextend-heavy-packages = ["mine"]\n')
    config = load_config(repo, Overrides(config_file=settings))
    assert "mine" in config.heavy_packages and "torch" in config.heavy_packages


def test_config_pyproject_without_the_table_means_defaults(repo: Path) -> None:
    settings = write(repo / "other" / "pyproject.toml", "[project]\nname = 'x'\n")
    config = load_config(repo, Overrides(config_file=settings))
    assert (config.path, config.heavy_source) == (settings, "built-in")


def test_config_ruff_toml_gives_its_banned_list(repo: Path) -> None:
    settings = write(
        repo / "ruff.toml", '[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["a"]\n'
    )
    config = load_config(repo, Overrides(config_file=settings))
    assert config.heavy_packages == ("a",)


def test_config_file_missing(repo: Path) -> None:
    with pytest.raises(ConfigError, match=r"^config file 'nope\.toml' does not exist$"):
        load_config(repo, Overrides(config_file=Path("nope.toml")))


def test_config_file_is_a_folder(repo: Path) -> None:
    with pytest.raises(ConfigError, match="is not a file"):
        load_config(repo, Overrides(config_file=repo))


# -- combining lists and command-line overrides ------------------------------------------


def test_extend_adds_to_the_built_in_list(repo: Path) -> None:
    write(
        repo / "pyproject.toml", '[tool.lazyimport]\nextend-heavy-packages = ["mylib", "torch"]\n'
    )
    config = load_config(repo)
    assert config.heavy_packages == tuple(sorted({*BUILTIN_HEAVY_PACKAGES, "mylib"}))
    assert config.heavy_source == "built-in"


def test_replace_and_extend_together(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nheavy-packages = ["b", "a"]\nextend-heavy-packages = ["c", "a"]\n',
    )
    assert load_config(repo).heavy_packages == ("a", "b", "c")


def test_command_line_list_replaces_everything(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nheavy-packages = ["a"]\nextend-heavy-packages = ["b"]\n',
    )
    config = load_config(repo, Overrides(heavy_packages=("z", "y"), extend_heavy_packages=("x",)))
    assert config.heavy_packages == ("x", "y", "z")
    assert config.heavy_source == "--heavy-packages"


def test_command_line_extend_adds(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nheavy-packages = ["a"]\nextend-heavy-packages = ["b"]\n',
    )
    config = load_config(repo, Overrides(extend_heavy_packages=("c",)))
    assert config.heavy_packages == ("a", "b", "c")


def test_command_line_strategy_wins(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nstrategy = "inline"\n')
    assert load_config(repo).strategy == "inline"
    assert load_config(repo, Overrides(strategy="proxy")).strategy == "proxy"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            Overrides(heavy_packages=("scikit-learn",)),
            "--heavy-packages: 'scikit-learn' is not a module name",
        ),
        (
            Overrides(extend_heavy_packages=("a b",)),
            "--extend-heavy-packages: 'a b' is not a module name",
        ),
        (
            Overrides(strategy="eager"),
            "--strategy must be one of 'auto', 'inline', 'proxy', 'lazy' or 'lazy-modules', not 'eager'",
        ),
    ],
)
def test_bad_command_line_values(repo: Path, overrides: Overrides, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(repo, overrides)
    assert str(info.value).startswith(message)


def test_defaults(repo: Path) -> None:
    write(repo / "pyproject.toml", "[tool.lazyimport]\n")
    config = load_config(repo)
    assert config == Config(
        root=repo,
        path=repo / "pyproject.toml",
        heavy_packages=BUILTIN_HEAVY_PACKAGES,
        heavy_source="built-in",
        exclude=(),
        src=(repo, repo / "src"),
        strategy="auto",
        runtime_module=DEFAULT_RUNTIME_MODULE,
    )


def test_exclude_and_extend_exclude_combine_in_order(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nextend-exclude = ["b", "a"]\nexclude = ["migrations", "a"]\n',
    )
    assert load_config(repo).exclude == ("migrations", "a", "b")


def test_src_is_relative_to_the_config_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nsrc = ["lib", "../shared", "."]\n')
    monkeypatch.chdir(repo / ".git")  # the current folder must not matter
    assert load_config(repo).src == (repo / "lib", repo.parent / "shared", repo)


def test_runtime_module(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nruntime-module = "app._lazy"\n')
    assert load_config(repo).runtime_module == "app._lazy"


def test_globs_and_dotted_names_are_valid_heavy_entries(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nheavy-packages = ["langchain*", "google.cloud", "x_[ab]"]\n',
    )
    assert load_config(repo).heavy_packages == ("google.cloud", "langchain*", "x_[ab]")


# -- ruff's banned-module-level-imports ---------------------------------------------------

RUFF_CASES = [
    ("pyproject.toml", "[tool.ruff.lint.flake8-tidy-imports]\n"),
    ("pyproject.toml", "[tool.ruff.flake8-tidy-imports]\n"),
    ("ruff.toml", "[lint.flake8-tidy-imports]\n"),
    (".ruff.toml", "[flake8-tidy-imports]\n"),
]


@pytest.mark.parametrize(("name", "header"), RUFF_CASES)
def test_ruff_list_replaces_the_built_in_one(repo: Path, name: str, header: str) -> None:
    ruff = f'{header}banned-module-level-imports = ["torch", "pandas"]\n'
    ours = '[tool.lazyimport]\nextend-heavy-packages = ["extra"]\n'
    if name == "pyproject.toml":
        write(repo / name, f"{ours}\n{ruff}")
    else:
        write(repo / "pyproject.toml", ours)
        write(repo / name, ruff)
    config = load_config(repo)
    assert config.heavy_packages == ("extra", "pandas", "torch")
    assert config.heavy_source == f"{name} (ruff banned-module-level-imports)"


def test_ruff_list_without_a_lazyimport_table(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.ruff.lint.flake8-tidy-imports]\nbanned-module-level-imports = ["np2"]\n',
    )
    assert load_config(repo / "app.py").heavy_packages == ("np2",)


def test_ruff_toml_beats_pyproject_like_ruff_itself(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.ruff.lint.flake8-tidy-imports]\nbanned-module-level-imports = ["a"]\n',
    )
    write(repo / "ruff.toml", "line-length = 99\n")  # ruff reads this one, without a list
    config = load_config(repo)
    assert config.heavy_source == "built-in"


def test_lint_section_beats_the_legacy_one(repo: Path) -> None:
    write(
        repo / "ruff.toml",
        '[flake8-tidy-imports]\nbanned-module-level-imports = ["old"]\n'
        '[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["new"]\n',
    )
    assert load_config(repo).heavy_packages == ("new",)


def test_own_heavy_packages_beat_ruff(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        '[tool.lazyimport]\nheavy-packages = ["mine"]\n\n'
        '[tool.ruff.lint.flake8-tidy-imports]\nbanned-module-level-imports = ["theirs"]\n',
    )
    assert load_config(repo).heavy_packages == ("mine",)


def test_command_line_beats_ruff(repo: Path) -> None:
    write(
        repo / "ruff.toml", '[lint.flake8-tidy-imports]\nbanned-module-level-imports = ["theirs"]\n'
    )
    assert load_config(repo, Overrides(heavy_packages=("mine",))).heavy_packages == ("mine",)


def test_other_ruff_settings_are_not_validated(repo: Path) -> None:
    write(repo / "ruff.toml", 'whatever = 1\n[lint]\nselect = ["TID253"]\n')
    assert load_config(repo).heavy_source == "built-in"


def test_ruff_list_is_read_only_when_needed(repo: Path) -> None:
    """A broken ruff.toml does not matter when our own list is set."""
    write(repo / "pyproject.toml", '[tool.lazyimport]\nheavy-packages = ["a"]\n')
    write(repo / "ruff.toml", "[lint\n")
    assert load_config(repo).heavy_packages == ("a",)


# -- mistakes ---------------------------------------------------------------------------

ERROR_CASES = [
    (
        "unknown_key",
        "unknown_key/pyproject.toml:5: unknown key 'heavy-package' in [tool.lazyimport];"
        " did you mean 'heavy-packages'?",
    ),
    (
        "underscore_key",
        "underscore_key/pyproject.toml:2: unknown key 'extend_exclude' in"
        " [tool.lazyimport]; did you mean 'extend-exclude'?",
    ),
    (
        "unrelated_key",
        "unrelated_key/pyproject.toml:2: unknown key 'colour' in [tool.lazyimport];"
        " valid keys are " + ", ".join(VALID_KEYS),
    ),
    (
        "dotted_key",
        "dotted_key/pyproject.toml: unknown key 'heavy-packagez' in [tool.lazyimport];"
        " did you mean 'heavy-packages'?",
    ),
    (
        "string_not_list",
        "string_not_list/pyproject.toml:3: 'heavy-packages' in [tool.lazyimport]"
        ' must be a list of strings, not a string (write ["torch"])',
    ),
    (
        "item_not_string",
        "item_not_string/pyproject.toml:2: 'exclude' in [tool.lazyimport] must be"
        " a list of strings; item 2 is an integer",
    ),
    (
        "empty_item",
        "empty_item/pyproject.toml:2: 'src' in [tool.lazyimport] must not contain an"
        " empty string (item 1)",
    ),
    (
        "bad_strategy",
        "bad_strategy/pyproject.toml:2: 'strategy' in [tool.lazyimport] must be one"
        " of 'auto', 'inline', 'proxy', 'lazy' or 'lazy-modules', not 'eager'",
    ),
    (
        "strategy_not_string",
        "strategy_not_string/pyproject.toml:2: 'strategy' in"
        " [tool.lazyimport] must be one of 'auto', 'inline', 'proxy', 'lazy' or 'lazy-modules', not a boolean",
    ),
    (
        "bad_target_version",
        "bad_target_version/pyproject.toml:2: 'target-version' in [tool.lazyimport] must be one of"
        " 'py39', 'py310', 'py311', 'py312', 'py313', 'py314' or 'py315', not 'py38'",
    ),
    (
        "lazy_needs_py315",
        "lazy_needs_py315/pyproject.toml:6: strategy 'lazy' writes PEP 810 lazy imports, which need"
        " Python 3.15, but the target is py310 (requires-python in lazy_needs_py315/pyproject.toml);"
        ' set target-version = "py315" (or --target-version py315), or use strategy \'lazy-modules\'',
    ),
    (
        "bad_runtime_module",
        "bad_runtime_module/pyproject.toml:2: 'runtime-module' in"
        " [tool.lazyimport] must be a dotted module name like 'myapp.lazy', not 'my-app.lazy'",
    ),
    (
        "distribution_name",
        "distribution_name/pyproject.toml:2: 'extend-heavy-packages' in"
        " [tool.lazyimport] has 'scikit-learn', which is not a module name (write the name you"
        " import, like 'sklearn' for scikit-learn)",
    ),
    (
        "malformed",
        "malformed/pyproject.toml:3:10: invalid TOML: expected '=' after a key in a key/value pair",
    ),
    (
        "malformed_eof",
        "malformed_eof/pyproject.toml:1:17: invalid TOML: expected ']' at the end"
        " of a table declaration",
    ),
    (
        "table_typo",
        "table_typo/pyproject.toml:4: unknown table [tool.lazy-import]; did you mean"
        " [tool.lazyimport]?",
    ),
    (
        "table_not_table",
        "table_not_table/pyproject.toml:2: [tool.lazyimport] must be a table, not a string",
    ),
]


@pytest.mark.parametrize(("case", "message"), ERROR_CASES, ids=[c for c, _ in ERROR_CASES])
def test_mistakes_are_one_clear_line(
    case: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES)
    with pytest.raises(ConfigError) as info:
        load_config(Path(case) / "app.py")
    assert str(info.value) == message.replace("/", os.sep, 1)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "ruff_wrong_type/pyproject.toml",
            "ruff_wrong_type/pyproject.toml:2:"
            " 'banned-module-level-imports' in [tool.ruff.lint.flake8-tidy-imports] must be a list"
            " of strings",
        ),
        (
            "ruff_toml_malformed/ruff.toml",
            "ruff_toml_malformed/ruff.toml:2:32: invalid TOML: invalid value",
        ),
    ],
)
def test_mistakes_in_ruff_settings(
    settings: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES)
    with pytest.raises(ConfigError) as info:
        load_config(CASES, Overrides(config_file=Path(settings)))
    assert str(info.value) == message.replace("/", os.sep, 1)


def test_mistake_in_a_file_above_the_current_folder_shows_its_full_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "pyproject.toml", "[tool.lazyimport]\nstrategy = 1\n")
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    with pytest.raises(ConfigError) as info:
        load_config(Path("."))
    assert str(info.value).startswith(f"{repo / 'pyproject.toml'}:2: 'strategy'")


def test_not_utf8(repo: Path) -> None:
    (repo / "pyproject.toml").write_bytes(b"[tool.lazyimport]\nsrc = ['\xff']\n")
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: not valid UTF-8 \(at byte 26\)$"):
        load_config(repo)


def test_a_byte_order_mark_is_accepted(repo: Path) -> None:
    (repo / "pyproject.toml").write_bytes(b'\xef\xbb\xbf[tool.lazyimport]\nstrategy = "proxy"\n')
    assert load_config(repo).strategy == "proxy"


def test_toml_error_at_end_after_a_newline(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.lazyimport]\nsrc = "unterminated\n')
    with pytest.raises(ConfigError, match=r"^pyproject\.toml:2:\d+: invalid TOML: "):
        load_config(repo)


def test_a_broken_pyproject_above_the_repository_is_never_read(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.lazyimport\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert load_config(tmp_path / "repo").path is None


# -- start-up cost ----------------------------------------------------------------------


def test_importing_reads_no_toml_and_builds_no_suggestions() -> None:
    code = (
        "import sys, lazyimport_codemod.settings.config, lazyimport_codemod.settings.discovery;"
        "print(sorted(m for m in ('tomllib', 'tomli', 'difflib') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("files,expected", [
    ({"pyproject.toml": "[tool.lazyimport]\n"}, 88),
    ({"pyproject.toml": "[tool.lazyimport]\n[tool.black]\nline-length = 100\n"}, 100),
    ({"pyproject.toml": "[tool.lazyimport]\n[tool.ruff]\nline-length = 120\n[tool.black]\nline-length = 100\n"}, 120),
    ({"pyproject.toml": "[tool.lazyimport]\n[tool.ruff]\nline-length = 120\n", "ruff.toml": "line-length = 99\n"}, 99),
    ({"pyproject.toml": "[tool.lazyimport]\nheavy-packages = ['a']\n", "ruff.toml": "[lint\n"}, 88),  # unreadable
])
def test_fix_keeps_the_formatters_line_length(repo: Path, files: dict[str, str], expected: int) -> None:
    from lazyimport_codemod.settings.config import line_length

    for name, text in files.items():
        write(repo / name, text)
    assert line_length(load_config(repo)) == expected


# -- target version ----------------------------------------------------------------------


@pytest.mark.parametrize("files,overrides,expected,source", [
    ({}, Overrides(), (3, 9), "default"),
    ({"pyproject.toml": "[tool.lazyimport]\n"}, Overrides(), (3, 9), "default"),
    ({"pyproject.toml": "[tool.lazyimport]\ntarget-version = 'py315'\n"}, Overrides(), (3, 15),
     "pyproject.toml [tool.lazyimport]"),
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.11, <4'\n[tool.lazyimport]\n"}, Overrides(), (3, 11),
     "requires-python in pyproject.toml"),
    ({"pyproject.toml": "[project]\nrequires-python = '~=3.15.1'\n"}, Overrides(), (3, 15),
     "requires-python in pyproject.toml"),
    ({"pyproject.toml": "[project]\nrequires-python = '<3.13'\n"}, Overrides(), (3, 9), "default"),
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.10'\n[tool.ruff]\ntarget-version = 'py313'\n"},
     Overrides(), (3, 13), "ruff's target-version in pyproject.toml"),
    # ruff reads ruff.toml rather than [tool.ruff]; a ruff.toml without the key leaves requires-python
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.10'\n[tool.ruff]\ntarget-version = 'py313'\n",
      "ruff.toml": "target-version = 'py314'\n"}, Overrides(), (3, 14), "ruff's target-version in ruff.toml"),
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.10'\n[tool.ruff]\ntarget-version = 'py313'\n",
      "ruff.toml": "line-length = 100\n"}, Overrides(), (3, 10), "requires-python in pyproject.toml"),
    ({"pyproject.toml": "[tool.lazyimport]\ntarget-version = 'py311'\n[tool.ruff]\ntarget-version = 'py313'\n"},
     Overrides(), (3, 11), "pyproject.toml [tool.lazyimport]"),
    ({"pyproject.toml": "[tool.lazyimport]\ntarget-version = 'py311'\n"}, Overrides(target_version="py315"),
     (3, 15), "--target-version"),
    # other tools' settings this tool cannot read say nothing, and are no error
    ({"pyproject.toml": "[project]\nrequires-python = 3.9\n[tool.ruff]\ntarget-version = 'python3'\n"},
     Overrides(), (3, 9), "default"),
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.12'\n[tool.lazyimport]\nheavy-packages = ['a']\n",
      "ruff.toml": "[lint\n"}, Overrides(), (3, 12), "requires-python in pyproject.toml"),
])
def test_the_target_version_and_where_it_comes_from(
    repo: Path, files: dict[str, str], overrides: Overrides, expected: tuple[int, int], source: str
) -> None:
    for name, text in files.items():
        write(repo / name, text)
    config = load_config(repo, overrides)
    assert (config.target_version, config.target_source) == (expected, source)


def test_a_bad_target_version_on_the_command_line(repo: Path) -> None:
    with pytest.raises(ConfigError, match="--target-version must be one of 'py39', .* not 'py27'"):
        load_config(repo, Overrides(target_version="py27"))


@pytest.mark.parametrize("files,overrides", [
    ({"pyproject.toml": "[tool.lazyimport]\nstrategy = 'lazy'\ntarget-version = 'py315'\n"}, Overrides()),
    ({"pyproject.toml": "[project]\nrequires-python = '>=3.15'\n"}, Overrides(strategy="lazy")),
    ({"pyproject.toml": "[tool.lazyimport]\nstrategy = 'lazy'\n"}, Overrides(target_version="py315")),
    ({"pyproject.toml": "[tool.lazyimport]\nstrategy = 'lazy-modules'\n"}, Overrides()),  # any target
])
def test_the_lazy_strategies_where_they_apply(repo: Path, files: dict[str, str], overrides: Overrides) -> None:
    for name, text in files.items():
        write(repo / name, text)
    assert load_config(repo, overrides).strategy in ("lazy", "lazy-modules")


def test_strategy_lazy_needs_a_315_target_also_from_the_command_line(repo: Path) -> None:
    write(repo / "pyproject.toml", "[tool.lazyimport]\ntarget-version = 'py314'\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo, Overrides(strategy="lazy"))
    assert str(info.value) == (
        "strategy 'lazy' writes PEP 810 lazy imports, which need Python 3.15, but the target is py314"
        " (pyproject.toml [tool.lazyimport]); set target-version = \"py315\" (or --target-version py315),"
        " or use strategy 'lazy-modules'")


def test_lazy_modules_count_on_a_315_target_or_with_their_strategy(repo: Path) -> None:
    assert not load_config(repo).lazy_modules_count
    assert load_config(repo, Overrides(target_version="py315")).lazy_modules_count
    assert load_config(repo, Overrides(strategy="lazy-modules")).lazy_modules_count
