"""First-party modules are found without configuration: each file's root is the folder above
its topmost package, so an app under ``backend/``, ``server/`` or ``py/`` resolves as it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyimport_codemod.pipeline import analyse, check
from lazyimport_codemod.records import Diagnostic
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.settings.discovery import discover_files

SERVICE = "import torch\n\n\ndef embed(text):\n    return torch.ones(len(text))\n"
ROUTER = "from app.services.embed import embed\n\n\ndef search(q):\n    return embed(q)\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def lint(root: Path, *paths: str) -> list[Diagnostic]:
    config = load_config(root, Overrides())
    files = [file for path in paths for file in discover_files(root / path, config)]
    return check(analyse(files, config)).diagnostics


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("folder", ["backend", "server", "py", "services/api"])
def test_an_app_in_a_subfolder_resolves_its_own_imports(root: Path, folder: str) -> None:
    write(root, {f"{folder}/app/__init__.py": "", f"{folder}/app/services/__init__.py": "",
                 f"{folder}/app/services/embed.py": SERVICE, f"{folder}/app/routers/__init__.py": "",
                 f"{folder}/app/routers/search.py": ROUTER})
    found = lint(root, f"{folder}/app/routers/search.py")  # the router alone, as pre-commit passes it
    assert [(d.code, d.chain) for d in found] == [
        ("LI002", ("app.routers.search", "app.services.embed", "torch"))]


def test_a_folder_without_init_inside_a_package_is_part_of_it(root: Path) -> None:
    write(root, {"app/__init__.py": "", "app/generated/steps.py": SERVICE,
                 "app/search.py": "from app.generated.steps import embed\n\n\ndef f(q):\n    return embed(q)\n"})
    assert [d.chain for d in lint(root, "app/search.py")] == [("app.search", "app.generated.steps", "torch")]


def test_src_names_namespace_packages_from_itself(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.lazyimport]\nsrc = ['src']\n")
    write(root, {"src/ns/svc/__init__.py": "", "src/ns/svc/embed.py": SERVICE,
                 "src/ns/api/search.py": "from ns.svc.embed import embed\n\n\ndef f(q):\n    return embed(q)\n"})
    assert [d.chain for d in lint(root, "src/ns/api/search.py")] == [("ns.api.search", "ns.svc.embed", "torch")]


def test_the_walk_stops_at_the_projects_root(root: Path) -> None:
    write(root, {"__init__.py": "", "app/__init__.py": "", "app/services/__init__.py": "",
                 "app/services/embed.py": SERVICE, "app/search.py": ROUTER.replace("app.services", "app.services")})
    assert [d.chain for d in lint(root, "app/search.py")] == [("app.search", "app.services.embed", "torch")]


@pytest.mark.parametrize("init", [True, False], ids=["package", "namespace sub-package"])
def test_a_package_named_build_inside_a_package_is_linted(root: Path, init: bool) -> None:
    write(root, {"app/__init__.py": "", "app/services/__init__.py": "", "app/services/embed.py": SERVICE,
                 "app/features/__init__.py": "", **({"app/features/build/__init__.py": ""} if init else {}),
                 "app/features/build/api.py": ROUTER,
                 "build/lib/app/__init__.py": "", "build/lib/app/copy.py": "import torch\n"})  # setuptools' copy
    found = lint(root, ".")
    assert {d.path for d in found} == {"app/features/build/api.py", "app/services/embed.py"}


def test_a_file_whose_name_is_no_module_name_under_src_is_skipped_not_looped(root: Path) -> None:
    # Django-style migrations: 0001_initial.py is no identifier, so no root names it.
    write(root, {"src/app/__init__.py": "", "src/app/migrations/__init__.py": "",
                 "src/app/migrations/0001_initial.py": "import torch\n",
                 "src/app/search.py": "from app.svc import embed\n", "src/app/svc.py": SERVICE})
    found = lint(root, "src/app")
    assert sorted((Path(d.path).name, d.chain) for d in found) == [
        ("0001_initial.py", ()), ("search.py", ("app.search", "app.svc", "torch")),
        ("svc.py", ())]


def test_folders_without_any_package_are_namespace_packages_of_the_root(root: Path) -> None:
    # As run from the project's folder: api/agents.py imports helpers.api, nothing has __init__.py.
    write(root, {"helpers/api.py": "from agent import Agent\n\n\nclass Handler(Agent):\n    pass\n",
                 "agent.py": "import torch\n\n\nclass Agent(torch.nn.Module):\n    pass\n",
                 "api/agents.py": "from helpers.api import Handler\n\n\nclass Agents(Handler):\n    pass\n"})
    assert [d.chain for d in lint(root, "api/agents.py")] == [("api.agents", "helpers.api", "agent", "torch")]


def test_a_script_beside_its_packages_imports_them_as_top_level(root: Path) -> None:
    write(root, {"backend/app/__init__.py": "", "backend/app/embed.py": SERVICE,
                 "backend/main.py": "from app.embed import embed\n\n\ndef search(q):\n    return embed(q)\n"})
    assert [d.chain for d in lint(root, "backend/main.py")] == [("main", "app.embed", "torch")]


# Shapes whose naming differs: packages, a namespace folder inside a package, a script beside
# its packages, names that are no module names, a package's __init__ and its modules, a src root.
NAMING_TREE = {
    "backend/app/__init__.py": "", "backend/app/main.py": "", "backend/app/my-script.py": "",
    "backend/app/routers/__init__.py": "", "backend/app/routers/a.py": "", "backend/app/routers/b.py": "",
    "backend/app/generated/steps.py": "", "backend/app/generated/more.py": "",
    "backend/manage.py": "", "backend/run-me.py": "", "tools/helpers/api.py": "", "tools/helpers/db.py": "",
    "src/ns/svc/__init__.py": "", "src/ns/svc/embed.py": "", "src/ns/api/search.py": "",
    "2024/report.py": "", "2024/notes.py": "", "top.py": "",
}


@pytest.mark.parametrize("order", ["sorted", "reversed", "inits last"])
def test_a_file_is_named_from_its_folder_as_a_full_lookup_names_it(
    root: Path, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files of one folder share their root and packages, so after the first the map names the
    others from the folder alone: the answers are those of a full lookup, in any order."""
    from lazyimport_codemod.project.modules import ModuleMap

    write(root, NAMING_TREE)
    paths = sorted(root / name for name in NAMING_TREE)
    if order == "reversed":
        paths.reverse()
    elif order == "inits last":
        paths.sort(key=lambda path: path.name == "__init__.py")

    config = load_config(root, Overrides())

    def names(shortcut: bool) -> list[tuple[object, ...]]:
        modules = ModuleMap(config.src, config.src if config.src_configured else ())
        if not shortcut:
            monkeypatch.setattr(modules, "_name_in_folder", lambda folder, file: None)
        found = [(str(path), *modules.name_for_path(path)) for path in paths]
        return found + [tuple(sorted(str(r) for r in modules.roots))]

    with_shortcut = names(True)
    assert with_shortcut == names(False)
    named = {path: name for path, name, _ in with_shortcut[:-1]}
    assert named[str(root / "backend/app/routers/b.py")] == "app.routers.b"
    assert named[str(root / "backend/app/my-script.py")] is None
    assert named[str(root / "backend/app/generated/more.py")] == "app.generated.more"


@pytest.mark.parametrize("given", ["module first", "package first", "module alone"])
def test_a_package_wins_over_a_module_of_the_same_name_whatever_is_parsed_first(
    root: Path, given: str
) -> None:
    """``app/providers/__init__.py`` and ``app/providers.py`` are both named ``app.providers``;
    Python imports the package.  The parsers' order (which depends on timing when two
    processes share the files) must not decide which one the graph follows, nor the prefilter."""
    write(root, {"app/__init__.py": "", "app/providers/__init__.py": "import torch\n\nMODEL = torch.nn\n",
                 "app/providers.py": "MODEL = None\n",
                 "app/router.py": "from app.providers import MODEL\n\n\ndef route():\n    return MODEL\n"})
    shadowed, package = "app/providers.py", "app/providers/__init__.py"
    paths = {"module first": (shadowed, package), "package first": (package, shadowed), "module alone": (shadowed,)}
    found = lint(root, *paths[given], "app/router.py")
    assert [(d.path, d.chain) for d in found if d.code == "LI002"] == [
        ("app/router.py", ("app.router", "app.providers", "torch"))]
