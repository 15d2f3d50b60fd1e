"""Helper annotations quoted by ``fix --unsafe-fixes``: the code behaves as before, lighter.

The annotations of plain helper functions, plain classes and module variables are
evaluated when their statement runs (before Python 3.14, without ``from __future__
import annotations``), so a heavy name in one pins its import.  With ``--unsafe-fixes``
fix quotes them and defers the import; without, it leaves them and lint says the fix is
unsafe.  Route, dependency and model annotations, which FastAPI and pydantic read, are
never quoted.  Each project runs before and after in fresh interpreters with fake heavy
packages that record their import (see ``test_fix_behaviour``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from test_fix_behaviour import FAKE_PACKAGES, REPO, lazyimport, observe, write_tree

HELPERS = {
    "pyproject.toml": '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\n',
    "app/__init__.py": "",
    "app/helpers.py": """
        \"\"\"Helpers that only name heavy types in their signatures.\"\"\"
        from typing import Dict, Literal, Optional, Union

        import fakeheavy
        import fakeml
        from fakeheavy import Model


        def predict(model: Model, x: int) -> int:
            return model.predict(x)


        def make(scale: int = 2) -> Optional[Model]:
            return fakeheavy.Model(scale)


        def table(
            models: Dict[
                str, Model
            ],
            *extra: Union[fakeheavy.Model, "Model"],
            key: Literal["a", 'b'] = "a",
            **named: Model,
        ) -> int:
            return models[key].predict(1) + len(extra) + len(named)


        def either(model: Model | None = None) -> str:
            return "none" if model is None else "model"


        def embed(text: str) -> fakeml.Vector:
            return fakeml.Vector(fakeml.embed(text))


        class Holder:
            model: Model
            count: int = 0

            def __init__(self, model: Model) -> None:
                self.model = model

            @property
            def scale(self) -> fakeheavy.Model:
                return self.model


        LIMIT: Optional[Model] = None
        double = lambda value: value * 2
    """,
}

# `X | None` is evaluated with the def before Python 3.14: only 3.10+ can run it unquoted.
EITHER = "Model | None" if sys.version_info >= (3, 10) else "Union[Model, None]"
HELPERS["app/helpers.py"] = HELPERS["app/helpers.py"].replace("Model | None", EITHER)

CALLS = [
    "predict(make(3), 4)",
    "table({'a': Model(5), 'b': Model(1)}, Model(), key='b', other=Model())",
    "either()",
    "either(Model())",
    "embed('banana')",
    "Holder(make()).scale.predict(7)",
    "Holder.count",
    "double(21)",
    "LIMIT",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The fake packages, fakeml with a type to name in annotations."""
    site = tmp_path / "site"
    write_tree(site, FAKE_PACKAGES)
    with open(site / "fakeml/__init__.py", "a", encoding="utf-8") as init:
        init.write("\n\nclass Vector(list):\n    pass\n")
    return site


@pytest.fixture
def helpers(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_tree(root, HELPERS)
    return root


def test_unsafe_fix_quotes_helper_annotations_and_defers_the_imports(helpers: Path, site: Path) -> None:
    before = observe(helpers, site, "app.helpers", CALLS)
    assert before["loaded"] == ["fakeheavy", "fakeml"]

    result = lazyimport(helpers, "fix", "--unsafe-fixes", "app")
    assert "Traceback" not in result.stderr
    text = (helpers / "app/helpers.py").read_text()
    assert 'def predict(model: "Model", x: int) -> int:' in text
    assert '-> "Optional[Model]":' in text
    assert 'models: """Dict[\n        str, Model\n    ]""",' in text  # over the same lines
    assert """*extra: 'Union[fakeheavy.Model, "Model"]',""" in text  # quotes that the code does not hold
    assert 'key: Literal["a", \'b\'] = "a",' in text  # no heavy name: as it was
    assert '**named: "Model",' in text
    assert f'def either(model: "{EITHER}" = None) -> str:' in text
    assert "    model: \"Model\"\n    count: int = 0" in text
    assert 'def scale(self) -> "fakeheavy.Model":' in text
    assert 'LIMIT: "Optional[Model]" = None' in text

    after = observe(helpers, site, "app.helpers", CALLS)
    assert after["loaded"] == []
    assert after["results"] == before["results"]

    # A second run changes nothing, and lint has nothing left to say.
    again = lazyimport(helpers, "fix", "--unsafe-fixes", "app")
    assert (helpers / "app/helpers.py").read_text() == text
    assert again.returncode == 0, again.stdout


def test_safe_fix_leaves_them_and_lint_says_the_fix_is_unsafe(helpers: Path) -> None:
    original = (helpers / "app/helpers.py").read_text()
    result = lazyimport(helpers, "fix", "app")
    assert (helpers / "app/helpers.py").read_text() == original
    assert result.returncode == 1
    assert "3 more with `--unsafe-fixes`" in result.stdout + result.stderr

    lint = lazyimport(helpers, "lint", "--format", "json", "app")
    found = {name: d for d in json.loads(lint.stdout) for name in d["names"]}
    assert set(found) == {"fakeheavy", "fakeml", "Model"}
    for diagnostic in found.values():
        assert diagnostic["fix_safety"] == "unsafe"
        assert diagnostic["fixable"] is False
        assert diagnostic["fix"].startswith("fix quotes the annotation")
        assert "applied with --unsafe-fixes" in diagnostic["fix"]
    assert "the annotations at lines 9, 13, 19, 23, 28, 37, 40 and 48 and binds" in found["Model"]["fix"]


ROUTER_APP = {
    "pyproject.toml": '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\n',
    "shop/__init__.py": "",
    "shop/deps.py": """
        from fakeheavy import Model


        def current_model(scale: int = 2) -> Model:
            return Model(scale)
    """,
    "shop/models.py": """
        from dataclasses import dataclass
        from typing import Optional

        from pydantic import BaseModel, ConfigDict

        from fakeheavy import HeavyError


        class Problem(BaseModel):
            model_config = ConfigDict(arbitrary_types_allowed=True)
            error: Optional[HeavyError] = None
            detail: str = ""


        @dataclass
        class Sized:
            error: HeavyError
    """,
    "shop/routers.py": """
        from fastapi import APIRouter, Depends

        import fakeml
        from fakeheavy import Model
        from fakeheavy.linalg import norm
        from shop.deps import current_model

        router = APIRouter()


        def total(values: list[float], model: Model) -> float:
            return norm(values) + model.predict(1)


        @router.get("/norm")
        def get_norm(model: Model = Depends(current_model)) -> dict:
            return {"total": total([1.0, -2.0], model)}


        def words(text: str) -> fakeml.Vector:
            return fakeml.Vector(fakeml.embed(text))


        @router.get("/embed/{text}")
        def get_embed(text: str) -> dict:
            return {"embed": words(text)}
    """,
    "shop/main.py": """
        from fastapi import FastAPI

        from shop import models, routers

        app = FastAPI(title="shop")
        app.include_router(routers.router)
    """,
}

APP_PROBE = """
    import json, sys
    from fastapi.testclient import TestClient
    from shop.main import app
    loaded = sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)
    client = TestClient(app)
    responses = [client.get("/norm").json(), client.get("/embed/banana").json()]
    print(json.dumps({"loaded": loaded, "responses": responses, "openapi": app.openapi()}))
"""


def _observe_app(project: Path, site: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site), str(REPO)])}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(APP_PROBE)], cwd=project,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_route_dependency_and_model_annotations_are_never_quoted(tmp_path: Path, site: Path) -> None:
    project = tmp_path / "proj"
    write_tree(project, ROUTER_APP)
    before = _observe_app(project, site)
    assert before["loaded"] == ["fakeheavy", "fakeml"]
    originals = {name: (project / name).read_text() for name in ("shop/deps.py", "shop/models.py")}

    result = lazyimport(project, "fix", "--unsafe-fixes", "shop")
    assert "Traceback" not in result.stderr
    routers = (project / "shop/routers.py").read_text()
    assert "def get_norm(model: Model = Depends(current_model)) -> dict:" in routers
    assert "def total(values: list[float], model: Model) -> float:" in routers  # Model is pinned anyway
    assert 'def words(text: str) -> "fakeml.Vector":' in routers
    # The dependency another module hands to FastAPI, and the models, are left as they were.
    assert {name: (project / name).read_text() for name in originals} == originals
    assert "annotation of `current_model`, which shop/routers.py:" in result.stdout.replace(os.sep, "/")

    after = _observe_app(project, site)
    assert after["loaded"] == ["fakeheavy"]  # the route's Model; fakeml only served a helper
    assert after["responses"] == before["responses"]
    assert after["openapi"] == before["openapi"]


def _mypy() -> str:
    mypy = shutil.which("mypy") or str(Path(sys.executable).with_name("mypy"))
    if not Path(mypy).exists():
        pytest.fail("mypy is a test dependency: pip install '.[test]'")
    return mypy


@pytest.mark.slow
def test_mypy_sees_no_new_errors_after_quoting(helpers: Path, site: Path) -> None:
    (site / "fakeheavy" / "py.typed").write_text("")
    (site / "fakeml" / "py.typed").write_text("")
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(site), str(REPO)])}

    def errors() -> list[str]:
        out = subprocess.run([_mypy(), "--no-incremental", "--strict", "--python-version", "3.11", "app"],
                             cwd=helpers, capture_output=True, text=True, env=env)
        assert out.returncode in (0, 1) and ("Success" in out.stdout or "Found" in out.stdout), out
        # Line numbers move when imports move; the messages must not change.
        return sorted(line.split(": error:", 1)[1] for line in out.stdout.splitlines() if ": error:" in line)

    before = errors()
    lazyimport(helpers, "fix", "--unsafe-fixes", "app")
    assert '"Optional[Model]"' in (helpers / "app/helpers.py").read_text()
    assert errors() == before
