"""A FastAPI app fixed by the tool answers every route exactly as before, same OpenAPI schema.

The app mixes what real routers do: heavy names used only inside endpoints
(deferred), a heavy class in a route signature and a ``Depends`` default
(pinned at import time, left alone), a pydantic model, a service module that
drags a heavy package in, and ``from __future__ import annotations``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from test_fix_behaviour import FAKE_PACKAGES, lazyimport, write_tree

APP = {
    "pyproject.toml": '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\n',
    "shop/__init__.py": "",
    "shop/services/__init__.py": "",
    "shop/services/ml.py": """
        import fakeml


        def score(text: str) -> list:
            return fakeml.embed(text)
    """,
    "shop/routers/__init__.py": "",
    "shop/routers/items.py": """
        from __future__ import annotations

        from fastapi import APIRouter, Depends
        from pydantic import BaseModel

        import fakeheavy
        from fakeheavy.linalg import norm
        from shop.services.ml import score

        router = APIRouter(prefix="/items")


        class Item(BaseModel):
            name: str
            price: float


        def get_scale() -> int:
            return 3


        @router.get("/{item_id}", response_model=Item)
        def read_item(item_id: int, scale: int = Depends(get_scale)) -> Item:
            \"\"\"Read one item.\"\"\"
            return Item(name=f"item{item_id}", price=fakeheavy.Model(scale).predict(item_id))


        @router.post("/norm")
        async def post_norm(values: list[float]) -> dict:
            return {"norm": norm(values)}


        @router.get("/score/{text}")
        def get_score(text: str) -> dict:
            return {"score": score(text)}
    """,
    "shop/routers/pinned.py": """
        from fastapi import APIRouter, Depends

        from fakeheavy import Model

        router = APIRouter(prefix="/pinned")


        def get_model(scale: int = 2) -> Model:
            return Model(scale)


        @router.get("/")
        def pinned(model: Model = Depends(get_model)) -> dict:
            return {"value": model.predict(5)}
    """,
    "shop/main.py": """
        from fastapi import FastAPI

        from shop.routers import items

        app = FastAPI(title="shop")
        app.include_router(items.router)


        @app.get("/health")
        def health() -> dict:
            return {"ok": True}
    """,
}

PROBE = """
    import json, sys
    from fastapi.testclient import TestClient
    from shop.main import app
    loaded = sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)
    client = TestClient(app)
    responses = [
        client.get("/health").json(),
        client.get("/items/4").json(),
        client.get("/items/4", params={"scale": 1}).json(),
        client.post("/items/norm", json=[1, -2.5]).json(),
        client.get("/items/score/banana").json(),
        client.get("/items/nope").status_code,
    ]
    print(json.dumps({"loaded": loaded, "responses": responses, "openapi": app.openapi()}))
"""


def observe(project: Path, site: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site)])}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE)], cwd=project,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_fastapi_app_answers_the_same(tmp_path: Path) -> None:
    site, project = tmp_path / "site", tmp_path / "proj"
    write_tree(site, FAKE_PACKAGES)
    write_tree(project, APP)
    before = observe(project, site)
    assert before["loaded"] == ["fakeheavy", "fakeml"]

    result = lazyimport(project, "fix", "shop")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    # Only the pinned router is left, and lint explains why.
    assert result.stdout.count("LI001") == 1
    assert "shop/routers/pinned.py" in result.stdout.replace(os.sep, "/")
    assert "annotation of a route or model" in result.stdout or "default value" in result.stdout

    after = observe(project, site)
    assert after["loaded"] == []
    assert after["responses"] == before["responses"]
    assert after["openapi"] == before["openapi"]
