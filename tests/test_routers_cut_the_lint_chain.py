"""`lazyimport lint` on an app whose heavy routers are included with `include_lazily`.

Lint follows import statements only: a router named by a string
(`include_lazily(app, "app.routers.ml:router", prefix="/ml")`) is no edge of the import
graph, so the app's `main` does not reach the router's heavy packages, and neither does
anything that imports `main`. The same app written with `from app.routers import ml` and
`app.include_router(ml.router)` gets LI002 for each heavy router, at `main` and at its
importers. The routers' own heavy imports are still reported (LI001): importing them is
still heavy; it just no longer happens at start-up.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict

import pytest
from lint_runs import fresh

# Heavy names in route signatures: FastAPI evaluates them when the router is imported, so no
# import deferral can make these routers light.
ROUTERS: Dict[str, str] = {
    "app/routers/ml.py": """
        from fastapi import APIRouter, Depends
        import torch

        router = APIRouter()


        def get_model() -> torch.nn.Module:
            return torch.nn.Linear(2, 2)


        @router.get("/predict")
        def predict(model: torch.nn.Module = Depends(get_model)):
            return {"ok": True}
        """,
    "app/routers/reports.py": """
        from fastapi import APIRouter, Depends
        import pandas as pd

        router = APIRouter()


        def frame() -> pd.DataFrame:
            return pd.DataFrame()


        @router.get("/summary")
        def summary(data: pd.DataFrame = Depends(frame)):
            return {"rows": len(data)}
        """,
    "app/routers/auth.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/login")
        def login():
            return {"token": "t"}
        """,
    # Imports the app and uses it only inside a function: deferrable unless `main` is heavy.
    "app/worker.py": """
        from app import main


        def run():
            return main.app
        """,
}

LAZY_MAIN = """
    from fastapi import FastAPI

    from app.routers import auth
    from lazyimport_codemod.routers import include_lazily, warm_up

    app = FastAPI()
    app.include_router(auth.router)
    include_lazily(app, "app.routers.ml:router", prefix="/ml", tags=["ml"])
    include_lazily(app, "app.routers.reports:router", prefix="/reports")
    warm_up(app)
    """

EAGER_MAIN = """
    from fastapi import FastAPI

    from app.routers import auth, ml, reports

    app = FastAPI()
    app.include_router(auth.router)
    app.include_router(ml.router, prefix="/ml", tags=["ml"])
    app.include_router(reports.router, prefix="/reports")
    """

ROUTERS_LI001 = [
    "app/routers/ml.py:2:1: LI001 heavy package `torch` is imported at module level; cannot defer:"
    " `torch` is used at import time at line 7 (annotation of a route or model)",
    "app/routers/reports.py:2:1: LI001 heavy package `pandas` is imported at module level; cannot defer:"
    " `pd` is used at import time at line 7 (annotation of a route or model)",
]


def write(root: Path, files: Dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, {"pyproject.toml": "[tool.lazyimport]\n", "app/__init__.py": "",
                     "app/routers/__init__.py": "", **ROUTERS})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint_lines(*paths: str) -> list[str]:
    status, out, err = fresh(*paths)
    assert status in (0, 1), err
    return out.splitlines()


def test_lazily_included_routers_give_main_and_its_importers_no_li002(project: Path) -> None:
    write(project, {"app/main.py": LAZY_MAIN})
    assert lint_lines(".") == ROUTERS_LI001


def test_the_same_app_including_them_eagerly_gets_li002_for_each(project: Path) -> None:
    write(project, {"app/main.py": EAGER_MAIN})
    assert lint_lines(".") == [
        "app/main.py:3:1: LI002 `app.routers.ml` eagerly imports `torch` (app.main -> app.routers.ml -> torch);"
        " cannot defer: `ml` is used at import time at line 7 (module statement)",
        "app/main.py:3:1: LI002 `app.routers.reports` eagerly imports `pandas`"
        " (app.main -> app.routers.reports -> pandas); cannot defer: `reports` is used at import time at"
        " line 8 (module statement)",
        *ROUTERS_LI001,
        "app/worker.py:1:1: LI002 `app.main` eagerly imports `pandas` and 1 more (torch)"
        " (app.worker -> app.main -> app.routers.reports -> pandas); fix moves the import into `run()` (line 4)",
    ]


def test_fix_leaves_the_lazy_main_alone(project: Path) -> None:
    write(project, {"app/main.py": LAZY_MAIN})
    from lazyimport_codemod.cli.commands import main
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["fix", "--no-cache", "--diff", "."])
    assert result.exit_code == 1  # the routers' own LI001 remain, and fix cannot change them
    assert "app/main.py" not in result.output and "+++" not in result.output


@pytest.mark.parametrize(
    "first_call",
    [
        'include_lazily(app, "app.routers.ml:router", prefix="/ml")',
        "app.include_router(auth.router)",
    ],
)
def test_include_lazily_like_include_router_changes_only_the_app(
    project: Path, first_call: str
) -> None:
    """When `main` still reaches a heavy package another way, deferring an import of `main`
    postpones what its body does: `include_lazily(app, ...)`, like `app.include_router(...)`,
    changes only `main`'s own app, which is no effect beyond it, so the deferral is safe."""
    write(project, {
        "app/routers/legacy.py": "import sklearn\n\nMODEL = sklearn.clone()\n",
        "app/main.py": f"""
            from fastapi import FastAPI

            from app.routers import auth
            from lazyimport_codemod.routers import include_lazily

            app = FastAPI()
            {first_call}

            from app.routers import legacy

            LEGACY = legacy.MODEL  # pins the import here: the cut is the worker's
            """,
    })
    (worker,) = [line for line in lint_lines(".") if line.startswith("app/worker.py")]
    assert worker == (
        "app/worker.py:1:1: LI002 `app.main` eagerly imports `sklearn`"
        " (app.worker -> app.main -> app.routers.legacy -> sklearn); fix moves the import into `run()` (line 4)"
    )
