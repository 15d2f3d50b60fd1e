"""A package ``__init__`` made a lazy facade (PEP 562) behaves as before, without the weight.

The project's ``app/services/__init__.py`` re-exports modules that use fake heavy
packages at import time (so the deepest cut fix can make is the package itself):
by name, by a star import, and a submodule.  Each probe runs in a fresh interpreter,
before and after ``lazyimport fix``, and must print the same results; after the fix,
importing the package (or a light module under it) loads no heavy package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_fix_behaviour import FAKE_PACKAGES, lazyimport, python, write_tree

SERVICES = {
    "app/__init__.py": "",
    "app/hooks.py": """
        STARTED = []
    """,
    "app/services/__init__.py": """
        \"\"\"Services, re-exported.\"\"\"
        from .search import Searcher, score  # search
        from .models import *
        from . import embed
        from .light import ping

        __all__ = ["Searcher", "score", "Model", "Vector", "embed", "ping"]
    """,
    "app/services/search.py": """
        import fakeheavy

        DEFAULT = fakeheavy.compute(1)


        class Searcher:
            def find(self, q):
                return f"{q}:{DEFAULT}"


        def score(x):
            return x * DEFAULT
    """,
    "app/services/models.py": """
        import fakeheavy

        __all__ = ["Model", "Vector"]


        SCALE = fakeheavy.compute(2)


        class Model:
            def predict(self, x):
                return x * SCALE


        Vector = list
    """,
    "app/services/embed.py": """
        import fakeml

        SIZE = len(fakeml.embed("abc"))
    """,
    "app/services/light.py": """
        def ping():
            return "pong"
    """,
    "app/routers/__init__.py": "",
    "app/routers/health.py": """
        from app.services.light import ping


        def health():
            return ping()
    """,
}

# Every way a name is reached through the package, printed as JSON.
PROBE = """
    import json, sys
    out = {{}}
    import app.services as services
    out["heavy_after_package"] = sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)
    out["all"] = services.__all__
    out["dir"] = sorted(n for n in dir(services) if n in {names!r})
    out["attribute"] = services.Searcher().find("q")
    from app.services import score, Model
    out["from_import"] = [score(2), Model().predict(3), Model.__module__]
    import app.services.embed
    out["import_sub"] = app.services.embed.SIZE
    out["submodule_attribute"] = services.embed is sys.modules["app.services.embed"]
    star = {{}}
    exec("from app.services import *", star)
    out["star"] = sorted(k for k in star if not k.startswith("__"))
    out["star_same"] = star["Model"] is Model and star["Vector"] is list
    out["models_module"] = services.models.__name__
    print(json.dumps(out))
"""
NAMES = ["Searcher", "score", "Model", "Vector", "embed", "ping", "models", "search", "light"]


def _project(tmp_path: Path, files: dict[str, str]) -> tuple[Path, Path]:
    site = tmp_path / "site"
    write_tree(site, FAKE_PACKAGES)
    project = tmp_path / "proj"
    write_tree(project, {
        "pyproject.toml": '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\n',
        **files,
    })
    return project, site


def _run(project: Path, site: Path, code: str) -> dict[str, object]:
    result = python(project, code, site)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _light(project: Path, site: Path, module: str) -> list[str]:
    """The fake heavy packages importing ``module`` loads."""
    code = f"""
        import importlib, json, sys
        importlib.import_module({module!r})
        print(json.dumps(sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)))
    """
    return _run(project, site, code)  # type: ignore[return-value]


def test_facade_serves_every_name_as_before_and_loads_nothing_heavy(tmp_path: Path) -> None:
    project, site = _project(tmp_path, SERVICES)
    probe = PROBE.format(names=NAMES)
    before = _run(project, site, probe)
    assert _light(project, site, "app.routers.health") == ["fakeheavy", "fakeml"]
    lint = lazyimport(project, "lint", "app")
    assert "parent package `app.services`" in lint.stdout
    assert "app/services/__init__.py:2 (it turns that package into a lazy facade)" in lint.stdout
    assert "fix turns the package into a lazy facade" in lint.stdout

    assert lazyimport(project, "fix", "app").returncode in (0, 1)
    init = (project / "app/services/__init__.py").read_text()
    assert "lazy_exports(__name__" in init and "if TYPE_CHECKING:" in init

    after = _run(project, site, probe)
    assert after["heavy_after_package"] == []
    assert {**after, "heavy_after_package": None} == {**before, "heavy_after_package": None}
    assert _light(project, site, "app.routers.health") == []
    assert _light(project, site, "app.services.light") == []

    # A second run changes nothing, and lint finds nothing left that fix could do.
    assert lazyimport(project, "fix", "--check", "app").returncode in (0, 1)
    assert lazyimport(project, "fix", "--diff", "app").stdout == ""
    report = json.loads(lazyimport(project, "lint", "--format", "json", "app").stdout)
    assert [d for d in report if d["fixable"]] == []


def test_effect_submodule_stays_eager_unless_unsafe_fixes(tmp_path: Path) -> None:
    files = {
        **SERVICES,
        "app/services/__init__.py": """
            from .search import Searcher
            from .registry import Registered
        """,
        "app/services/registry.py": """
            import fakeml
            from app import hooks

            hooks.STARTED.append(fakeml.embed("x")[0])


            class Registered:
                pass
        """,
    }
    project, site = _project(tmp_path, files)
    code = """
        import json, sys
        import app.services, app.hooks
        print(json.dumps([app.hooks.STARTED, sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)]))
    """
    assert _run(project, site, code) == [[1], ["fakeheavy", "fakeml"]]
    lint = lazyimport(project, "lint", "app/services/__init__.py").stdout
    assert "(unsafe: importing `app.services.registry` runs a call to app.hooks.STARTED.append()" in lint

    lazyimport(project, "fix", "app")
    init = (project / "app/services/__init__.py").read_text()
    assert "from .registry import Registered\n" in init.split("if TYPE_CHECKING:")[0] + init.split("})")[-1]
    assert _run(project, site, code) == [[1], ["fakeml"]]  # the registration still runs

    lazyimport(project, "fix", "--unsafe-fixes", "app")
    assert _run(project, site, code) == [[], []]  # postponed: why it is unsafe


def test_facade_written_by_hand_or_by_lazy_loader_is_lazy_to_lint(tmp_path: Path) -> None:
    by_hand = """
        import importlib

        def __getattr__(name):
            if name == "Searcher":
                return importlib.import_module(".search", __name__).Searcher
            raise AttributeError(name)
    """
    attach = """
        import lazy_loader

        __getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={"search": ["Searcher"]})
    """
    for init in (by_hand, attach):
        project, _ = _project(tmp_path / str(len(init)), {**SERVICES, "app/services/__init__.py": init,
                                                           "app/services/more.py": "from .search import Searcher\n"})
        lint = lazyimport(project, "lint", "app/routers/health.py", "app/services/__init__.py")
        assert lint.returncode == 0, lint.stdout
        # A package with a facade of its own gets no second one.
        fixed = lazyimport(project, "fix", "--diff", "app/services/__init__.py")
        assert "lazy_exports" not in fixed.stdout


def test_mypy_sees_no_new_errors_after_facade(tmp_path: Path) -> None:
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.fail("mypy is a test dependency: pip install '.[test]'")
    files = {
        "app/__init__.py": "",
        "app/services/__init__.py": """
            from .search import Searcher
            from . import embed

            __all__ = ["Searcher", "embed"]
        """,
        "app/services/search.py": """
            import fakeheavy

            DEFAULT: int = fakeheavy.compute(1)


            class Searcher:
                def find(self, q: str) -> str:
                    return f"{q}:{DEFAULT}"
        """,
        "app/services/embed.py": """
            import fakeheavy

            SIZE: int = fakeheavy.compute(2)
        """,
        "app/use.py": """
            from app.services import Searcher, embed
            import app.services


            def run() -> str:
                size: int = embed.SIZE
                wrong: int = Searcher().find("q")
                return app.services.Searcher().find(str(size)) + str(wrong)
        """,
    }
    project, site = _project(tmp_path, files)
    (site / "fakeheavy" / "py.typed").write_text("")
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(site), str(Path(__file__).resolve().parent.parent)])}

    def errors() -> list[str]:
        out = subprocess.run([str(mypy), "--no-incremental", "--strict", "-p", "app"], cwd=project,
                             capture_output=True, text=True, env=env)
        return sorted(line.split(": error:", 1)[1] for line in out.stdout.splitlines() if ": error:" in line)

    before = errors()
    assert any("Incompatible types in assignment" in line for line in before)  # mypy sees the real type
    lazyimport(project, "fix", "app")
    assert "lazy_exports" in (project / "app/services/__init__.py").read_text()
    assert errors() == before
