"""Which files a command-line path stands for: skip rules, exclude globs, order."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Iterator

import pytest

from lazyimport_codemod.settings.config import Config, Overrides, clear_caches, load_config
from lazyimport_codemod.settings.discovery import PathNotFound, discover_files, translate_path_glob


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def config_for(root: Path, *exclude: str) -> Config:
    lines = ", ".join(f'"{pattern}"' for pattern in exclude)
    (root / "pyproject.toml").write_text(f"[tool.lazyimport]\nexclude = [{lines}]\n")
    clear_caches()
    return load_config(root)


def found(root: Path, config: Config, path: Path | None = None) -> list[str]:
    files = discover_files(path if path is not None else root, config)
    assert files == sorted(files)
    assert all(file.is_absolute() for file in files)
    return [file.relative_to(root).as_posix() for file in files]


def test_walk_skips_what_is_not_project_code(repo: Path) -> None:
    touch(
        repo,
        "app/main.py",
        "app/__init__.py",
        "app/notes.txt",
        "app/stub.pyi",
        "app/.hidden.py",
        "app/.#main.py",
        "app/__pycache__/main.py",
        "app/.cache/x.py",
        ".venv/lib/x.py",
        "venv/lib/x.py",
        "myenv/pyvenv.cfg",
        "myenv/lib/x.py",
        "conda/conda-meta/history",
        "conda/lib/x.py",
        "build/lib/app.py",
        "dist/app.py",
        "node_modules/pkg/x.py",
        "lib/site-packages/x.py",
        "__pypackages__/3.11/lib/x.py",
        "app.egg-info/x.py",
        "tests/test_main.py",
        "setup.py",
    )
    assert found(repo, config_for(repo)) == [
        "app/__init__.py",
        "app/main.py",
        "setup.py",
        "tests/test_main.py",
    ]


def test_order_is_sorted_whatever_the_creation_order(repo: Path) -> None:
    touch(repo, "z.py", "b/a.py", "a.py", "b.py", "a/z.py", "A.py")
    assert found(repo, config_for(repo)) == sorted(
        ["z.py", "b/a.py", "a.py", "b.py", "a/z.py", "A.py"], key=lambda p: Path(p).parts
    )


def test_a_folder_named_explicitly_is_walked_even_if_it_would_be_skipped(repo: Path) -> None:
    touch(repo, "build/gen.py", "build/__pycache__/gen.py")
    assert found(repo, config_for(repo), repo / "build") == ["build/gen.py"]


def test_a_virtual_environment_named_explicitly_skips_its_site_packages(repo: Path) -> None:
    touch(repo, "pyvenv.cfg", "app.py", "lib/python3.11/site-packages/torch/__init__.py")
    assert found(repo, config_for(repo)) == ["app.py"]


def test_a_file_is_returned_as_itself(repo: Path) -> None:
    touch(repo, "scripts/manage", "build/x.py")
    config = config_for(repo)
    assert found(repo, config, Path("scripts/manage")) == ["scripts/manage"]
    assert found(repo, config, Path("build/x.py")) == ["build/x.py"]


def test_relative_and_absolute_paths_give_the_same_files(repo: Path) -> None:
    touch(repo, "app/a.py")
    config = config_for(repo)
    assert discover_files(Path("app"), config) == discover_files(repo / "app", config)
    assert discover_files(Path("./app/a.py"), config) == [repo / "app" / "a.py"]


def test_missing_path(repo: Path) -> None:
    with pytest.raises(PathNotFound) as info:
        discover_files(Path("nope/x.py"), config_for(repo))
    assert str(info.value) == "path 'nope/x.py' does not exist"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlinked_folders_are_not_followed(repo: Path) -> None:
    touch(repo, "app/a.py", "real/b.py")
    (repo / "app" / "loop").symlink_to(repo / "app", target_is_directory=True)
    (repo / "app" / "linked.py").symlink_to(repo / "real" / "b.py")
    (repo / "app" / "dangling.py").symlink_to(repo / "missing.py")
    assert found(repo, config_for(repo), repo / "app") == ["app/a.py", "app/linked.py"]


def test_unreadable_folders_are_skipped(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(repo, "a.py", "locked/b.py")
    real_scandir = os.scandir

    def scandir(path: "os.PathLike[str] | str") -> "os._ScandirIterator[str]":
        # chmod 0 does not stop root, so the permission error is simulated.
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert found(repo, config_for(repo)) == ["a.py"]


# -- exclude globs ------------------------------------------------------------------------

TREE = (
    "app/main.py",
    "app/models_pb2.py",
    "app/migrations/0001_initial.py",
    "app/api/v1/users.py",
    "app/api/generated/client.py",
    "generated/top.py",
    "tests/fixtures/case/input.py",
    "tests/test_app.py",
)

EXCLUDES = [
    ((), list(TREE)),
    (("migrations",), [p for p in TREE if "migrations" not in p]),
    (("*_pb2.py",), [p for p in TREE if not p.endswith("_pb2.py")]),
    (("tests/fixtures/**",), [p for p in TREE if "fixtures" not in p]),
    (("tests/fixtures",), [p for p in TREE if "fixtures" not in p]),
    (("./tests/fixtures/",), [p for p in TREE if "fixtures" not in p]),
    (("**/generated/*.py",), [p for p in TREE if "generated" not in p]),
    (("generated/*.py",), [p for p in TREE if p != "generated/top.py"]),
    (("app/*.py",), [p for p in TREE if p not in ("app/main.py", "app/models_pb2.py")]),
    (("app/**/*.py",), [p for p in TREE if not p.startswith("app/")]),
    (("app/api/v?/*",), [p for p in TREE if p != "app/api/v1/users.py"]),
    (("app/[am]*.py",), [p for p in TREE if p not in ("app/main.py", "app/models_pb2.py")]),
    (("tests",), [p for p in TREE if not p.startswith("tests/")]),
    (("test_*.py", "app"), ["generated/top.py", "tests/fixtures/case/input.py"]),
]


@pytest.mark.parametrize(
    ("exclude", "expected"), EXCLUDES, ids=[" ".join(e) or "none" for e, _ in EXCLUDES]
)
def test_exclude_globs_in_a_walk(repo: Path, exclude: tuple[str, ...], expected: list[str]) -> None:
    touch(repo, *TREE)
    assert found(repo, config_for(repo, *exclude)) == sorted(expected, key=lambda p: Path(p).parts)


def test_extend_exclude_is_honoured(repo: Path) -> None:
    touch(repo, *TREE)
    (repo / "pyproject.toml").write_text(
        '[tool.lazyimport]\nexclude = ["tests"]\nextend-exclude = ["app"]\n'
    )
    assert found(repo, load_config(repo)) == ["generated/top.py"]


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("tests/fixtures/case/input.py", True),  # inside an excluded folder
        ("app/migrations/0001_initial.py", True),  # an ancestor's name matches
        ("app/models_pb2.py", True),
        ("app/main.py", False),
        ("tests/fixtures", True),  # an excluded folder named explicitly
        ("tests", False),
    ],
)
def test_explicit_paths_honour_excludes(repo: Path, path: str, excluded: bool) -> None:
    """pre-commit passes file names; an excluded file must stay excluded (ruff --force-exclude)."""
    touch(repo, *TREE)
    config = config_for(repo, "tests/fixtures/**", "migrations", "*_pb2.py")
    files = found(repo, config, Path(path))
    assert (files == []) is excluded


def test_paths_are_relative_to_the_config_root_not_the_current_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(repo, "svc/app/gen/x.py", "svc/app/main.py")
    (repo / "svc" / "pyproject.toml").write_text('[tool.lazyimport]\nexclude = ["app/gen"]\n')
    monkeypatch.chdir(repo / "svc" / "app")
    config = load_config(Path("."))
    assert found(repo, config, Path(".")) == ["svc/app/main.py"]


def test_outside_the_config_root_only_name_globs_apply(repo: Path) -> None:
    touch(repo, "elsewhere/gen/a.py", "elsewhere/b_pb2.py", "elsewhere/c.py")
    settings = repo / "conf" / "lazy.toml"
    settings.parent.mkdir()
    settings.write_text('exclude = ["*_pb2.py", "elsewhere/gen"]\n')
    config = load_config(repo / "elsewhere", Overrides(config_file=settings))
    assert found(repo, config, repo / "elsewhere") == ["elsewhere/c.py", "elsewhere/gen/a.py"]


GLOBS = [
    ("a/b", "a/b", True),
    ("a/b", "a/b/c", False),
    ("a/*", "a/b", True),
    ("a/*", "a/b/c", False),
    ("a/**", "a", True),
    ("a/**", "a/b/c", True),
    ("a/**", "ab", False),
    ("**/b", "b", True),
    ("**/b", "x/y/b", True),
    ("**/b", "xb", False),
    ("a/**/c", "a/c", True),
    ("a/**/c", "a/x/y/c", True),
    ("a/?.py", "a/b.py", True),
    ("a/?.py", "a//.py", False),
    ("a/[bc].py", "a/c.py", True),
    ("a/[!bc].py", "a/c.py", False),
    ("a/[!bc].py", "a/d.py", True),
    ("a/[x", "a/[x", True),
    ("a/x**y/z", "a/xqqy/z", True),
    ("a/x**y/z", "a/x/y/z", False),
    ("a.b/c+", "a.b/c+", True),
    ("a.b/c+", "axb/cc", False),
]


@pytest.mark.parametrize(("pattern", "path", "matches"), GLOBS)
def test_path_glob_translation(pattern: str, path: str, matches: bool) -> None:
    assert bool(re.match(translate_path_glob(pattern), path)) is matches


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_root_and_path_reached_through_different_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real"
    touch(real, "keep.py", "gen/drop.py")
    (real / ".git").mkdir()
    (real / "pyproject.toml").write_text('[tool.lazyimport]\nexclude = ["gen/*.py"]\n')
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    config = load_config(real)
    files = discover_files(tmp_path / "link", config)
    assert [file.name for file in files] == ["keep.py"]


def test_path_order_is_paths_own_order() -> None:
    from lazyimport_codemod.settings.discovery import path_order

    names = ["/a/b", "/a-b", "/a/b/c", "/a/B", "/a.b/c", "/a/_x", "/a/b_c", "/ab", "/a/b.py",
             "/a/b/__init__.py", "/a/b-c/d.py", "/a0/z", "/a/b c/x.py"]
    assert [Path(n) for n in sorted(names, key=path_order)] == sorted(Path(n) for n in names)
