"""`lazyimport fix` keeps behaviour: run the code before and after in fresh interpreters.

Fake heavy packages (written by the tests, they sleep on import and record
that they loaded) stand in for torch and friends, so the suite stays fast and
deterministic.  For each project we import the entry module, note which fake
packages got loaded, call its functions and compare with the original.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Mapping, Union

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = "fakeheavy,fakeml"

FAKE_PACKAGES = {
    "fakeheavy/__init__.py": """
        import time
        time.sleep(0.05)
        VERSION = "1.0"

        class Model:
            def __init__(self, scale=2):
                self.scale = scale

            def predict(self, x):
                return x * self.scale

        class HeavyError(Exception):
            pass

        def compute(x):
            return x + 1
    """,
    "fakeheavy/linalg.py": """
        def norm(xs):
            return sum(abs(x) for x in xs)
    """,
    "fakeml/__init__.py": """
        import time
        time.sleep(0.05)

        def embed(text):
            return [len(text), text.count("a")]
    """,
}


def write_tree(root: Path, files: Mapping[str, Union[str, bytes]]) -> None:
    """Write a small tree: text is dedented, bytes are written as they are."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def python(project: Path, code: str, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site), str(REPO)])}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=project,
                          capture_output=True, text=True, env=env, timeout=120)


def lazyimport(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lazyimport_codemod", *args], cwd=project,
                          capture_output=True, text=True, env=env, timeout=120)


PROBE = """
    import importlib, json, sys
    module = importlib.import_module({module!r})
    loaded = sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules)
    results = {{}}
    for call in {calls!r}:
        results[call] = repr(eval(call, vars(module)))
    print(json.dumps({{"loaded": loaded, "results": results}}))
"""


def observe(project: Path, site: Path, module: str, calls: list[str]) -> dict[str, object]:
    result = python(project, PROBE.format(module=module, calls=calls), site)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_tree(site, FAKE_PACKAGES)
    return site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(f'[tool.lazyimport]\nheavy-packages = {HEAVY.split(",")!r}\n'.replace("'", '"'))
    return root


APP = {
    "app/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/embed.py": """
        \"\"\"Embeddings.\"\"\"
        import fakeml  # the ML stack


        def vector(text):
            \"\"\"Embed text.\"\"\"
            return fakeml.embed(text)
    """,
    "app/routers/__init__.py": "",
    "app/routers/search.py": """
        from app.services.embed import vector


        def search(q):
            return {"q": q, "v": vector(q)}
    """,
    "app/routers/models.py": """
        import os, fakeheavy
        from fakeheavy import Model, HeavyError
        from fakeheavy.linalg import norm

        __all__ = ["Model", "predict"]


        def predict(x):
            return Model().predict(x) + fakeheavy.compute(0)


        def safe(x):
            try:
                raise HeavyError("no")
            except Exception as exc:
                return type(exc).__name__


        async def anorm(xs):
            return norm(xs)


        class Service:
            def run(self, x):
                def inner():
                    return fakeheavy.compute(x)
                return inner()

        scale = lambda x: Model(3).predict(x)  # noqa: E731
        SEP = os.sep
    """,
    "app/main.py": """
        from app.routers import models, search
        import asyncio


        def handle():
            return (
                search.search("banana"),
                models.predict(2),
                models.safe(1),
                asyncio.run(models.anorm([1, -2])),
                models.Service().run(4),
                models.scale(5),
                models.Model.__name__,
            )
    """,
}
CALLS = ["handle()"]


def test_fix_defers_heavy_imports_and_keeps_results(project: Path, site: Path) -> None:
    write_tree(project, APP)
    before = observe(project, site, "app.main", CALLS)
    assert before["loaded"] == ["fakeheavy", "fakeml"]

    result = lazyimport(project, "fix", "app")
    assert result.returncode == 1, result.stdout + result.stderr  # files changed
    assert "Traceback" not in result.stderr

    after = observe(project, site, "app.main", CALLS)
    assert after["loaded"] == []
    assert after["results"] == before["results"]

    # The cut was made once, in the service, not in the router.
    assert (project / "app/routers/search.py").read_text().startswith("from app.services.embed import vector")
    # A second run changes nothing and finds nothing left.
    again = lazyimport(project, "fix", "app")
    assert again.returncode == 0, again.stdout + again.stderr
    assert lazyimport(project, "lint", "app").returncode == 0


def test_fix_only_router_defers_first_party_import(project: Path, site: Path) -> None:
    write_tree(project, APP)
    before = observe(project, site, "app.routers.search", ['search("x")'])
    assert lazyimport(project, "fix", "app/routers/search.py").returncode == 1
    after = observe(project, site, "app.routers.search", ['search("x")'])
    assert before["loaded"] == ["fakeml"] and after["loaded"] == []
    assert after["results"] == before["results"]
    assert (project / "app/services/embed.py").read_text().startswith('"""Embeddings."""\nimport fakeml')


@pytest.mark.parametrize("strategy", ["inline", "proxy"])
def test_strategies_keep_results(project: Path, site: Path, strategy: str) -> None:
    write_tree(project, APP)
    before = observe(project, site, "app.main", CALLS)
    result = lazyimport(project, "fix", "--strategy", strategy, "app")
    assert result.returncode in (0, 1), result.stderr
    after = observe(project, site, "app.main", CALLS)
    assert after["results"] == before["results"]
    if strategy == "proxy":
        assert after["loaded"] == []


def test_optional_dependency_stays_optional(project: Path, site: Path) -> None:
    write_tree(project, {"opt.py": """
        try:
            import fakeheavy
        except ImportError:
            fakeheavy = None


        def available():
            return fakeheavy is not None
    """})
    result = lazyimport(project, "fix", "opt.py")
    assert result.returncode == 1  # left, and reported
    assert "optional import" in result.stdout
    empty_site = site.parent / "empty"
    empty_site.mkdir()
    assert observe(project, empty_site, "opt", ["available()"])["results"] == {"available()": "False"}


def test_unfixable_left_with_reason_and_code_untouched(project: Path, site: Path) -> None:
    write_tree(project, {"pinned.py": """
        import fakeheavy

        DEFAULT = fakeheavy.Model()


        def f():
            return DEFAULT.predict(1)
    """})
    original = (project / "pinned.py").read_bytes()
    result = lazyimport(project, "fix", "pinned.py")
    assert result.returncode == 1
    assert "cannot defer: `fakeheavy` is used at import time at line 3 (module statement)" in result.stdout
    assert (project / "pinned.py").read_bytes() == original


def test_bad_files_untouched_while_neighbours_fixed(project: Path, site: Path) -> None:
    bad = {
        "syntax.py": b"import fakeheavy\ndef f(:\n",
        "undecodable.py": b"import fakeheavy\nx = '\xff'\n\ndef f():\n    return fakeheavy\n",
    }
    for name, data in bad.items():
        (project / name).write_bytes(data)
    write_tree(project, {"good.py": "import fakeheavy\n\n\ndef f():\n    return fakeheavy.VERSION\n"})
    result = lazyimport(project, "fix", ".")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name, data in bad.items():
        assert (project / name).read_bytes() == data
        assert f"{name}: error: " in result.stderr
    assert "    import fakeheavy\n" in (project / "good.py").read_text()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"import fakeheavy\r\n\r\n\r\ndef f():\r\n    return fakeheavy\r\n",
                     b"def f():\r\n    import fakeheavy\r\n    return fakeheavy\r\n", id="crlf"),
        pytest.param(b"\xef\xbb\xbfimport fakeheavy\n\n\ndef f():\n    return fakeheavy\n",
                     b"\xef\xbb\xbfdef f():\n    import fakeheavy\n    return fakeheavy\n", id="bom"),
        pytest.param(b"# -*- coding: latin-1 -*-\nimport fakeheavy\nS = '\xe9'\n\n\ndef f():\n\treturn fakeheavy, S\n",
                     b"# -*- coding: latin-1 -*-\nS = '\xe9'\n\n\ndef f():\n\timport fakeheavy\n\treturn fakeheavy, S\n",
                     id="latin-1 cookie and tabs"),
    ],
)
def test_encoding_line_endings_and_mode_kept(project: Path, data: bytes, expected: bytes) -> None:
    path = project / "enc.py"
    path.write_bytes(data)
    path.chmod(0o754)
    result = lazyimport(project, "fix", "enc.py")
    assert result.returncode == 1, result.stderr
    assert path.read_bytes() == expected
    assert path.stat().st_mode & 0o777 == 0o754


def test_diff_and_check_write_nothing(project: Path) -> None:
    source = "import fakeheavy\n\n\ndef f():\n    return fakeheavy\n"
    write_tree(project, {"m.py": source})
    diff = lazyimport(project, "fix", "--diff", "m.py")
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/m.py\n+++ b/m.py\n")
    assert "+    import fakeheavy\n" in diff.stdout
    check = lazyimport(project, "fix", "--check", "m.py")
    assert check.returncode == 1
    assert "Would fix m.py" in check.stderr
    assert (project / "m.py").read_text() == source


def test_write_runtime_and_custom_runtime_module(project: Path, site: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\nruntime-module = "app._lazy"\n'
    )
    write_tree(project, {"app/__init__.py": "", "app/m.py": """
        from fakeheavy import Model

        __all__ = ["Model"]


        def f():
            return Model().predict(2)
    """})
    assert lazyimport(project, "write-runtime").returncode == 0
    assert lazyimport(project, "fix", "app").returncode == 1
    text = (project / "app/m.py").read_text()
    assert "from app._lazy import lazy_import" in text
    # The fixed module needs nothing from lazyimport_codemod at run time.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site)])}
    code = ("import sys, app.m; assert 'fakeheavy' not in sys.modules; print(app.m.f()); "
            "print(any(k.startswith('lazyimport_codemod') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["4", "False"], out.stderr


@pytest.mark.slow
def test_mypy_sees_real_types_after_proxy_fix(project: Path, site: Path) -> None:
    mypy = shutil.which("mypy") or str(Path(sys.executable).with_name("mypy"))
    if not Path(mypy).exists():
        pytest.fail("mypy is a test dependency: pip install '.[test]'")
    (site / "fakeheavy" / "py.typed").write_text("")
    write_tree(project, {"typed.py": """
        from fakeheavy import Model

        __all__ = ["Model", "use"]


        def use(x: int) -> int:
            m: Model = Model()
            return m.predict(x)
    """})
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(site), str(REPO)])}

    def errors() -> str:
        out = subprocess.run([mypy, "--no-incremental", "--strict", "typed.py"], cwd=project,
                             capture_output=True, text=True, env=env)
        # Line numbers move when imports move; the messages must not change.
        return "\n".join(line.split(": error:", 1)[1] for line in out.stdout.splitlines() if ": error:" in line)

    before = errors()
    assert lazyimport(project, "fix", "typed.py").returncode == 1
    assert "lazy_import(" in (project / "typed.py").read_text()
    assert errors() == before
