"""Optional imports (``try: import x`` / ``except ImportError: <fallback>``) keep their
behaviour once ``fix --unsafe-fixes`` guards them with ``importlib.util.find_spec``.

The module runs before and after the fix in fresh interpreters with each fake heavy package
installed and missing: the same answers, the same fallbacks, and after the fix no fake heavy
package loaded by importing the module.  With a package that is installed but fails to import
(a broken install) the difference the fix is unsafe for shows: the original binds the
fallback, the fixed module raises the ImportError at first use.  Without ``--unsafe-fixes``
fix leaves the ``try`` and lint says the fix exists and why it is unsafe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from test_fix_behaviour import REPO, lazyimport, write_tree
from test_fix_shapes_behaviour import SITE, _fixed, _observe, _same_everywhere

OPTIONAL = """
    import logging

    logger = logging.getLogger(__name__)

    try:
        import fakeheavy
    except ImportError:  # optional
        fakeheavy = None

    try:
        import fakeml as ml
        HAS_ML = True
    except (ImportError, AttributeError):
        HAS_ML = False
        logger.info("fakeml is missing")

    STATS = "none"
    try:
        from fakeheavy.stats import mean
    except ModuleNotFoundError:
        def mean(xs):
            return "no stats"
    else:
        # fakeheavy.stats is here
        STATS = "fakeheavy"

    try: import fakeaws
    except ImportError: fakeaws = None

    HAS_S3 = False
    try:
        import fakeaws as s3
    except ImportError:
        s3 = None
    else: HAS_S3 = True  # an else clause on one line


    def heavy_name():
        return None if fakeheavy is None else fakeheavy.NAME


    def zeros(n):
        return ml.zeros(n) if HAS_ML else "no ml"


    def average(xs):
        return mean(xs), STATS


    def client():
        return fakeaws.client("s3") if fakeaws is not None else "no aws"


    def bucket():
        return s3.client("bucket") if HAS_S3 else "no s3"
"""

CALLS = ["heavy_name()", "zeros(2)", "average([1, 3])", "client()", "HAS_ML", "bucket()", "HAS_S3"]


def test_optional_imports_keep_their_fallbacks(tmp_path: Path) -> None:
    before, after, fixed = _fixed(tmp_path, OPTIONAL, "--unsafe-fixes")
    assert 'if importlib.util.find_spec("fakeheavy") is not None:\n    if TYPE_CHECKING:\n        import fakeheavy' in fixed
    assert "else:  # optional\n    fakeheavy = None" in fixed
    assert 'mean = lazy_import("fakeheavy.stats", "mean")' in fixed
    assert '        s3 = lazy_import("fakeaws")\n    # an else clause on one line\n    HAS_S3 = True\nelse:' in fixed
    assert "try" not in fixed
    with (after / "pyproject.toml").open("a") as config:
        config.write("unsafe-fixes = true\n")  # lint as fix ran (lint has no flag for it)
    lint = lazyimport(after, "lint", "--format", "json", "mod.py")
    assert not [d for d in json.loads(lint.stdout) if d["fixable"]], lint.stdout
    _same_everywhere(tmp_path, before, after, CALLS, [{}])


def test_broken_install_is_the_unsafe_difference(tmp_path: Path) -> None:
    before, after, _ = _fixed(tmp_path, OPTIONAL, "--unsafe-fixes")
    broken = tmp_path / "site-broken"
    write_tree(broken, {**SITE, "fakeml/__init__.py": 'raise ImportError("libfake.so: cannot open shared object")'})
    old = _observe(before, broken, "mod", ["zeros(2)", "HAS_ML"], {})
    new = _observe(after, broken, "mod", ["zeros(2)", "HAS_ML"], {})
    assert old["results"] == {"zeros(2)": "'no ml'", "HAS_ML": "False"}
    assert new["results"] == {"zeros(2)": "ImportError", "HAS_ML": "True"}


def test_without_unsafe_fixes_the_try_stays_and_lint_says_why(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mod.py": OPTIONAL})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeaws", "fakeheavy", "fakeml"]\n')
    source = (tmp_path / "mod.py").read_text()
    result = lazyimport(tmp_path, "fix", "mod.py")
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "mod.py").read_text() == source
    lint = json.loads(lazyimport(tmp_path, "lint", "--format", "json", "mod.py").stdout)
    assert {d["fix_safety"] for d in lint} == {"unsafe"}
    assert all("may be installed but fail to import" in d["fix"] for d in lint)
    stats = next(d for d in lint if d["names"] == ["mean"])
    assert "or be installed without `fakeheavy.stats.mean`" in stats["message"]


@pytest.mark.parametrize("handler, why", [
    ("except ImportError as exc:\n    fakeheavy = None\n    REASON = str(exc)", "reads the exception (`as exc`)"),
    ("except ImportError:\n    logger.exception('no fakeheavy')\n    fakeheavy = None", "calls `exception()`"),
    ("except ImportError:\n    raise", "re-raises"),
    ("except ModuleNotFoundError:\n    fakeheavy = None\nexcept ImportError:\n    fakeheavy = False",
     "more than one except clause"),
    ("except ImportError:\n    fakeheavy = None\nfinally:\n    DONE = True", "finally clause"),
    ("except* ImportError:\n    fakeheavy = None", "its handler is an `except*` clause"),
])
def test_handlers_that_need_the_exception_stay(tmp_path: Path, handler: str, why: str) -> None:
    source = ("import logging\nlogger = logging.getLogger()\ntry:\n    import fakeheavy\n" + handler
              + "\n\n\ndef name():\n    return fakeheavy.NAME\n")
    write_tree(tmp_path, {"mod.py": source})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\nunsafe-fixes = true\n')
    lint = json.loads(lazyimport(tmp_path, "lint", "--format", "json", "mod.py").stdout)
    (found,) = lint
    assert found["fix"] is None and why in found["message"], found["message"]
    lazyimport(tmp_path, "fix", "--unsafe-fixes", "mod.py")
    assert (tmp_path / "mod.py").read_text() == source


def test_a_body_on_the_try_line_with_an_else_clause_stays(tmp_path: Path) -> None:
    source = "try: import fakeheavy\nexcept ImportError: fakeheavy = None\nelse: FOUND = True\n"
    write_tree(tmp_path, {"mod.py": source + "\n\ndef f():\n    return fakeheavy\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\nunsafe-fixes = true\n')
    (found,) = json.loads(lazyimport(tmp_path, "lint", "--format", "json", "mod.py").stdout)
    assert found["fix"] is None and "written on the `try:` line and it has an else clause" in found["message"]
    result = lazyimport(tmp_path, "fix", "--unsafe-fixes", "mod.py")
    assert result.returncode == 1 and "error" not in result.stderr, result.stderr


@pytest.mark.parametrize("binding, fixed", [
    ("from json import decoder as importlib", False),
    ("importlib = None", False),
    ("import importlib.metadata as importlib", False),
    ("import importlib", True),
    ("import importlib.machinery", True),
])
def test_a_module_binding_importlib_otherwise_keeps_its_try(tmp_path: Path, binding: str, fixed: bool) -> None:
    # The guard imports importlib.util, which would rebind any other `importlib`.
    source = (f"{binding}\n\ntry:\n    import fakeheavy\nexcept ImportError:\n    fakeheavy = None\n\n\n"
              "def f():\n    return fakeheavy, importlib\n")
    write_tree(tmp_path, {"mod.py": source})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\nunsafe-fixes = true\n')
    (found,) = json.loads(lazyimport(tmp_path, "lint", "--format", "json", "mod.py").stdout)
    assert (found["fix"] is not None) is fixed, found["message"]
    if not fixed:
        assert "the module binds `importlib` at line 1 to something else" in found["message"]
    before = subprocess.run([sys.executable, "-c", "import mod; print(repr(mod.f()[1]))"], cwd=tmp_path,
                            capture_output=True, text=True).stdout
    result = lazyimport(tmp_path, "fix", "--unsafe-fixes", "mod.py")
    assert result.returncode in (0, 1) and "error" not in result.stderr, result.stderr
    assert ("find_spec" in (tmp_path / "mod.py").read_text()) is fixed
    after = subprocess.run([sys.executable, "-c", "import mod; print(repr(mod.f()[1]))"], cwd=tmp_path,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    assert before and after == before


def test_body_importing_two_packages_stays(tmp_path: Path) -> None:
    source = "try:\n    import fakeheavy\n    import fakeml\nexcept ImportError:\n    fakeheavy = fakeml = None\n"
    write_tree(tmp_path, {"mod.py": source + "\n\ndef f():\n    return fakeheavy, fakeml\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\nunsafe-fixes = true\n')
    lint = json.loads(lazyimport(tmp_path, "lint", "--format", "json", "mod.py").stdout)
    assert all("more than one package (`fakeheavy`, `fakeml`)" in d["message"] for d in lint), lint


def test_mypy_sees_no_new_errors_after_optional_fix(tmp_path: Path) -> None:
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.fail("mypy is a test dependency: pip install '.[test]'")
    source = """
        from typing import Optional

        try:
            import fakeheavy
        except ImportError:
            fakeheavy = None  # type: ignore[assignment]


        def name() -> Optional[str]:
            return None if fakeheavy is None else fakeheavy.NAME


        def wrong() -> int:
            return fakeheavy.NAME
    """
    before, after, _ = _fixed(tmp_path, source, "--unsafe-fixes")
    site = tmp_path / "site-typed"
    write_tree(site, {**SITE, "fakeheavy/py.typed": ""})
    (site / "fakeheavy" / "__init__.py").write_text('NAME: str = "heavy"\n')
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(site), str(Path(__file__).resolve().parent.parent)])}

    def errors(project: Path) -> list[str]:
        out = subprocess.run([str(mypy), "--no-incremental", "--strict", "mod.py"], cwd=project,
                             capture_output=True, text=True, env=env)
        return sorted(line.split(": error:", 1)[1] for line in out.stdout.splitlines() if ": error:" in line)

    found = errors(before)
    assert any("Incompatible return value" in error for error in found), found
    assert errors(after) == found
