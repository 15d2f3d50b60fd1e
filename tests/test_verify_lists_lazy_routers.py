"""`lazyimport verify` names the routers an app leaves to load on first request.

A router included with `include_lazily` (or a blueprint or view registered with the Flask
helpers) is not imported with the app, so its heavy packages are not among those verify
reports. Verify says so: after the heavy-package section it lists every router, blueprint
and view that `lazyimport_codemod.routers` still holds unloaded, one line each with its target
and prefix, without failing the run. The probe reads them from that module's registry,
never importing it itself.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fake_packages import FakeProject, make_fake_project

from lazyimport_codemod.checks import verify
from lazyimport_codemod.cli.check_commands import verify_command

pytest.importorskip("fastapi")

# Routers whose signatures name a class of the fake heavy package: importing them loads it.
HEAVY_ROUTER = """
    from fastapi import APIRouter

    from fakeheavy.core import VALUE

    router = APIRouter()


    @router.get("/value")
    def value() -> int:
        return VALUE
    """

LAZY_MAIN = """
    from fastapi import FastAPI

    from lazyimport_codemod.routers import include_lazily

    app = FastAPI()
    include_lazily(app, "app.routers.ml:router", prefix="/ml", tags=["ml"])
    include_lazily(app, "app.routers.reports:router", prefix="/orgs/{org}/reports")
    """

PENDING_LINES = [
    "app.lazy_main: 2 lazy routers not loaded (each loads on its first request; this check did not import them)",
    "  app.routers.ml:router       under /ml                  (include_lazily)",
    "  app.routers.reports:router  under /orgs/{org}/reports  (include_lazily)",
]


def invoke(*args: str) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(verify_command, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """The fake app of fake_packages, plus two heavy routers and an app that includes them lazily."""
    project = make_fake_project(tmp_path, monkeypatch)
    project.write("app/routers/ml.py", HEAVY_ROUTER)
    project.write("app/routers/reports.py", HEAVY_ROUTER)
    project.write("app/lazy_main.py", LAZY_MAIN)
    return project


def test_lazy_routers_are_listed_and_do_not_fail_the_run(project: FakeProject) -> None:
    result = invoke("app.lazy_main")
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.lazy_main: ok, no heavy package loaded (")
    assert lines[1:] == PENDING_LINES
    assert result.stderr.strip() == "No heavy package loaded (1 module checked)."


def test_they_come_after_the_heavy_packages_of_a_failing_run(project: FakeProject) -> None:
    # The eager search router still brings fakeheavy in: the run fails for that, and only that.
    project.write("app/lazy_main.py", textwrap.dedent(LAZY_MAIN) + "from app.routers import search\n")
    result = invoke("app.lazy_main")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "app.lazy_main: heavy packages loaded at import"
    assert lines[1].split()[0] == "fakeheavy" and "app.routers.search" in lines[1]
    assert "app.routers.ml" not in lines[1] and "app.routers.reports" not in lines[1]
    assert lines[2:] == PENDING_LINES
    assert result.stderr.strip() == "Found 1 heavy package (1 module checked)."


def test_json_has_a_lazy_routers_field(project: FakeProject) -> None:
    result = invoke("app.lazy_main", "app.main", "--format", "json")
    lazy, eager = json.loads(result.stdout)
    assert lazy["ok"] is True and lazy["heavy"] == []
    assert lazy["lazy_routers"] == [
        {"helper": "include_lazily", "target": "app.routers.ml:router", "prefix": "/ml"},
        {"helper": "include_lazily", "target": "app.routers.reports:router", "prefix": "/orgs/{org}/reports"},
    ]
    assert eager["lazy_routers"] == []  # an app without lazy routers: an empty list


def test_a_router_loaded_while_the_app_is_imported_is_not_listed(project: FakeProject) -> None:
    # Building the schema at import time loads every pending router: the routers are no longer
    # pending, and their heavy package is loaded and reported, with the chain through the loader.
    project.write("app/lazy_main.py", textwrap.dedent(LAZY_MAIN) + "SCHEMA = app.openapi()\n")
    (document,) = json.loads(invoke("app.lazy_main", "--format", "json").stdout)
    assert document["lazy_routers"] == []
    (hit,) = document["heavy"]
    modules = [link["module"] for link in hit["chain"]]
    assert modules[0] == "app.lazy_main" and modules[-2:] == ["app.routers.ml", "fakeheavy.core"]


def test_flask_blueprints_and_views_are_listed(project: FakeProject) -> None:
    pytest.importorskip("flask")
    project.write("app/flask_main.py", """
        from flask import Blueprint, Flask

        from lazyimport_codemod.routers import add_lazy_view, register_blueprint_lazily

        app = Flask(__name__)
        register_blueprint_lazily(app, "app.views.reports:bp", url_prefix="/reports")
        add_lazy_view(app, "/summary/<int:year>", "app.views.summary:summary", methods=["GET", "POST"])
        """)
    result = invoke("app.flask_main")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:] == [
        "app.flask_main: 2 lazy routers not loaded (each loads on its first request; this check did not import them)",
        "  app.views.reports:bp       under /reports          (register_blueprint_lazily)",
        "  app.views.summary:summary  at /summary/<int:year>  (add_lazy_view)",
    ]


@pytest.mark.parametrize(
    "stand_in",
    [
        "types.SimpleNamespace()",  # an older lazyimport: no pending_routers
        "types.SimpleNamespace(pending_routers=lambda: 1 / 0)",  # one that fails
    ],
)
def test_a_registry_that_cannot_be_read_leaves_the_report_intact(project: FakeProject, stand_in: str) -> None:
    project.write("app/odd.py", f"""
        import sys
        import types

        import fakeheavy

        sys.modules["lazyimport_codemod.routers"] = {stand_in}
        """)
    (document,) = json.loads(invoke("app.odd", "--format", "json").stdout)
    assert document["lazy_routers"] == []
    assert [hit["package"] for hit in document["heavy"]] == ["fakeheavy"]


def test_the_probe_does_not_import_the_registry(project: FakeProject) -> None:
    report = verify.run_probe("app.main", paths=verify.search_paths(()))
    assert report["lazy_routers"] == []
    assert "lazyimport_codemod.routers" not in report["after"]
    assert not any(name.startswith("lazyimport_codemod") for name in report["after"])


def test_assert_light_passes_with_lazy_routers(project: FakeProject) -> None:
    result = verify.assert_light("app.lazy_main")
    assert [router.target for router in result.lazy_routers] == [
        "app.routers.ml:router",
        "app.routers.reports:router",
    ]
