"""What must hold for fix on any project, checked on generated ones (hypothesis).

A project is a package ``app`` of modules importing each other (no cycles) and
two fake heavy packages (imported plainly, conditionally or optionally), using the
imported names in functions, at import time,
in decorators and annotations, with effects (a registration in a heavy package),
``# noqa`` comments, and an ``__init__.py`` that may re-export its modules (which fix
may turn into a lazy package facade).  For
each one:

* one ``fix`` run reaches the fixed point: a second run changes nothing;
* lint after fix reports nothing fix would fix (every cut lint announced was made);
* every file fix writes compiles (parses, for PEP 810 ``lazy`` imports before Python 3.15);
* the fixed project behaves as the original: importing every module and calling
  every function gives the same results, and the heavy registrations happen.

The same holds with the PEP 810 forms: strategy ``lazy`` and ``auto`` for a 3.15 target
(``lazy`` imports), and ``lazy-modules``; and with unsafe fixes (optional imports guarded
by ``find_spec``, effects postponed), all but the behaviour, which is what they may change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_fixtures import compiles  # noqa: E402

from lazyimport_codemod.pipeline import analyse, check, fix_files  # noqa: E402
from lazyimport_codemod.settings.config import Overrides, load_config  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HEAVY = {
    "hv1/__init__.py": "VALUE = 1\nLOADED = True\n\n\ndef use():\n    return 'hv1'\n",
    "hv1/sub.py": "NAME = 'sub'\n",
    "hv2/__init__.py": "REGISTERED = []\n\n\ndef register(name):\n    REGISTERED.append(name)\n\n\n"
                       "def decorate(function):\n    return function\n",
}

# How module i may import what it uses: (import line, expression that uses it).
HEAVY_IMPORTS = [
    ("import hv1", "hv1.use()"),
    ("from hv1 import VALUE", "VALUE"),
    ("import hv1.sub as hsub", "hsub.NAME"),
    ("from hv2 import register", "register.__name__"),
    ("import hv2", "hv2.REGISTERED"),
    ("import hv1.sub", "hv1.sub.NAME"),  # with `import hv1`, a name bound twice
    ("if __name__ != '__main__':\n    import hv2 as hv2c", "hv2c.REGISTERED"),  # conditional
    ("try:\n    import hv1 as hopt\nexcept ImportError:\n    hopt = None", "hopt is None or hopt.VALUE"),  # optional
]


@st.composite
def projects(draw: st.DrawFn) -> dict[str, str]:
    count = draw(st.integers(min_value=2, max_value=5))
    files = {"pyproject.toml": "[tool.lazyimport]\nheavy-packages = ['hv1', 'hv2']\n"}
    for i in range(count):
        lines: list[str] = []
        uses: list[str] = []
        for line, use in draw(st.lists(st.sampled_from(HEAVY_IMPORTS), max_size=3, unique=True)):
            noqa = draw(st.sampled_from(["", "", "", "  # noqa: LI001"]))
            lines.append(line + noqa)
            uses.append(use)
        for j in draw(st.lists(st.integers(min_value=i + 1, max_value=count - 1), max_size=2, unique=True)
                      if i + 1 < count else st.just([])):
            form = draw(st.sampled_from(["from app import m{j}", "from app.m{j} import f{j}", "import app.m{j}"]))
            lines.append(form.format(j=j))
            uses.append({"from app import m{j}": "m{j}.f{j}()", "from app.m{j} import f{j}": "f{j}()",
                         "import app.m{j}": "app.m{j}.f{j}()"}[form].format(j=j))
        body = [f'"""Module {i}."""', *lines, ""]
        pin = draw(st.sampled_from(["none", "statement", "decorator", "annotation", "effect", "effect own", "alias"]))
        if pin == "statement" and uses:
            body.append(f"PINNED = [{uses[0]}]")
        elif pin == "decorator" and any(line.startswith("import hv2") for line in lines):
            body += ["", "", "@hv2.decorate", "def decorated():", "    return 1"]
        elif pin == "annotation" and any(line.startswith("from hv1 import VALUE") for line in lines):
            body += ["", "", "def typed(x: VALUE = None):", "    return x"]
        elif pin == "effect" and any(line.startswith("from hv2 import register") for line in lines):
            body.append(f"register('m{i}')")
        elif pin == "alias" and any(line.startswith("from hv2 import register") for line in lines):
            body.append("REGISTER = register")
            uses.append("REGISTER.__name__")
        elif pin == "effect own":
            body += ["REGISTRY = {}", f"REGISTRY['m{i}'] = {i}"]
        body += ["", "", f"def f{i}():", f"    return [{', '.join(uses)}]" if uses else f"    return [{i}]", ""]
        files[f"app/m{i}.py"] = "\n".join(body)
    exports = draw(st.lists(st.integers(min_value=0, max_value=count - 1), max_size=2, unique=True))
    # Re-exports a package facade may serve: a submodule, or a name of one.
    forms = [draw(st.sampled_from(["from app import m{j}", "from app.m{j} import f{j}"]))
             for _ in exports]
    files["app/__init__.py"] = "".join(form.format(j=j) + "\n" for form, j in zip(forms, exports))
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


_PROBE = textwrap.dedent("""
    import importlib, json, sys
    results = {}
    for name in sorted(sys.argv[1:]):
        module = importlib.import_module(name)
        index = name.rsplit(".m", 1)[1]
        results[name] = repr(getattr(module, "f" + index)())
    import hv2
    results["registered"] = sorted(hv2.REGISTERED)
    print(json.dumps(results))
    """)


def _behaviour(root: Path, modules: list[str]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "site"), str(REPO)])}
    done = subprocess.run([sys.executable, "-c", _PROBE, *modules], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


_PIN = ('"""Module 1."""\nfrom app import m2\n\nPINNED = [m2.f2()]\n\n\ndef f1():\n    return [m2.f2()]\n')
_HEAVY_PIN = '"""Module 2."""\nimport hv1\n\nPINNED = [hv1.use()]\n\n\ndef f2():\n    return [hv1.use()]\n'
_USES_M1 = '"""Module 0."""\nfrom app import m1\n\n\n\ndef f0():\n    return [m1.f1()]\n'
_PROJECT = "[tool.lazyimport]\nheavy-packages = ['hv1', 'hv2']\n"


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=projects())
# A cut claimed where no rewrite happens: app loads m0 before m2, but m0 judges its import of
# m1 with m2 loaded by its parent package.
@example(files={"pyproject.toml": _PROJECT, "app/m0.py": _USES_M1, "app/m1.py": _PIN, "app/m2.py": _HEAVY_PIN,
                "app/__init__.py": "from app import m0\nfrom app import m2\n"})
# A proxy in a package for its own submodule.
@example(files={"pyproject.toml": _PROJECT, "app/m0.py": _USES_M1, "app/m1.py": _PIN, "app/m2.py": _HEAVY_PIN,
                "app/__init__.py": "from app import m1\n"})
def test_one_fix_run_reaches_a_fixed_point_and_keeps_behaviour(files: dict[str, str], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    _check_fix(files, tmp_path_factory.mktemp("project"), Overrides())


# The PEP 810 forms.  `lazy` imports (a 3.15 target) run on Python 3.15 only: elsewhere the
# fixed projects are checked for all but their behaviour; `__lazy_modules__` runs everywhere.
PEP810_OVERRIDES = {
    "lazy": Overrides(strategy="lazy", target_version="py315"),
    "auto-py315": Overrides(target_version="py315"),
    "lazy-modules": Overrides(strategy="lazy-modules"),
}


@pytest.mark.parametrize("form", sorted(PEP810_OVERRIDES))
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=projects())
@example(files={"pyproject.toml": _PROJECT, "app/m0.py": _USES_M1, "app/m1.py": _PIN, "app/m2.py": _HEAVY_PIN,
                "app/__init__.py": "from app import m1\n"})
def test_pep810_fixes_reach_a_fixed_point_and_keep_behaviour(form: str, files: dict[str, str], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    _check_fix(files, tmp_path_factory.mktemp("project"), PEP810_OVERRIDES[form],
               runs=form == "lazy-modules" or sys.version_info >= (3, 15))


# With unsafe fixes the same promises hold but behaviour: postponing an effect (a registration,
# an optional import guarded by find_spec) is the change such a fix is unsafe for.
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=projects())
def test_unsafe_fixes_reach_a_fixed_point(files: dict[str, str], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    _check_fix(files, tmp_path_factory.mktemp("project"), Overrides(unsafe_fixes=True), runs=False)


def _check_fix(files: dict[str, str], root: Path, overrides: Overrides, runs: bool = True) -> None:
    """The properties of the module docstring; the behaviour only when this Python ``runs``
    the fixed code."""
    _write(root, files)
    _write(root / "site", HEAVY)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(root, overrides)
        paths = sorted((root / "app").glob("*.py"))
        first = fix_files(paths, config)
        fixed = {path: after for path, _, after in first.changes}
        for path, after in fixed.items():
            compiles(after, path)
        second = fix_files(paths, config, contents=fixed)
        assert second.changes == [], [str(path) for path, _, _ in second.changes]
        after_lint = check(analyse(paths, config, contents=fixed))
        assert [d for d in after_lint.diagnostics if d.fixable] == []
        assert after_lint == first.remaining
    finally:
        os.chdir(cwd)
    if not runs:
        return
    modules = sorted(f"app.{path.stem}" for path in paths if path.stem != "__init__")
    before = _behaviour(root, modules)
    for path, after in fixed.items():
        path.write_bytes(after)
    assert _behaviour(root, modules) == before
