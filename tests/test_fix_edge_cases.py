"""Adversarial edge cases for ``lazyimport fix``: behaviour before and after must be the same.

Each case writes a small project that imports the fake heavy package ``fakeheavy``
(configured as the only heavy package), runs ``lazyimport fix`` in-process, and
then imports the original and the rewritten copy in one fresh interpreter (the
project modules and ``fakeheavy`` are purged from ``sys.modules`` between the
two), comparing what the module's functions return and whether importing it
loaded ``fakeheavy``.

The first half guards corner cases that already work (scoping, syntax, file
formats, proxies); the second half pins bugs, one focused test each.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

import pytest
from click.testing import CliRunner, Result
from test_fix_behaviour import write_tree

from lazyimport_codemod.cli.commands import main
from lazyimport_codemod.settings.config import clear_caches

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = '[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\n'
Files = Dict[str, Union[str, bytes]]

FAKEHEAVY = {
    "fakeheavy/__init__.py": '''
        VERSION = "1.0"


        class Model:
            def __init__(self, scale=2):
                self.scale = scale

            def predict(self, x):
                return x * self.scale


        class Error(Exception):
            pass


        def compute(x):
            return x + 1
    ''',
    "fakeheavy/sub.py": '''
        VALUE = "sub"


        def f():
            return "subf"
    ''',
    "fakeheavy/other.py": '''
        VALUE = "other"
    ''',
}

# Runs in a fresh interpreter: for each job, import a module from a given folder
# and evaluate expressions in its namespace.  Everything loaded from under BASE
# (projects and the fake site) is dropped between jobs.
PROBE = r'''
import importlib, json, sys
jobs, base = json.load(sys.stdin)
out = []
for job in jobs:
    for name, module in list(sys.modules.items()):
        if name.startswith("fakeheavy") or (getattr(module, "__file__", None) or "").startswith(base):
            del sys.modules[name]
    sys.path[:] = [p for p in sys.path if not p.startswith(base) or p == job["site"]]
    sys.path.insert(0, job["path"])
    importlib.invalidate_caches()
    record = {}
    try:
        module = importlib.import_module(job["module"])
    except BaseException as exc:
        record["import_error"] = f"{type(exc).__name__}: {exc}"
        out.append(record)
        continue
    record["loaded"] = "fakeheavy" in sys.modules
    results = {}
    for call in job["calls"]:
        try:
            results[call] = repr(eval(call, vars(module)))
        except BaseException as exc:
            results[call] = f"raised {type(exc).__name__}: {exc}"
    record["results"] = results
    out.append(record)
print(json.dumps(out))
'''


# -- helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_tree(root, FAKEHEAVY)
    return root


def make_project(tmp_path: Path, files: Files) -> Tuple[Path, Path]:
    """The project to fix (``after``) and an untouched copy (``before``)."""
    after = tmp_path / "after"
    after.mkdir()
    (after / "pyproject.toml").write_text(PYPROJECT)
    write_tree(after, files)
    before = tmp_path / "before"
    shutil.copytree(after, before)
    return before, after


def invoke(root: Path, *args: str) -> Result:
    """``lazyimport ARGS`` in ``root``, in-process (much faster than a subprocess)."""
    clear_caches()
    old = os.getcwd()
    os.chdir(root)
    try:
        try:
            runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
        except TypeError:
            runner = CliRunner()
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def text_of(result: Result) -> str:
    """stdout and stderr, whatever the click version keeps apart."""
    try:
        err = result.stderr
    except ValueError:  # click < 8.2 without mix_stderr=False
        err = ""
    return result.stdout + err


def fix(root: Path, *args: str) -> Result:
    result = invoke(root, "fix", "--no-cache", *(args or (".",)))
    assert result.exit_code in (0, 1), text_of(result)
    assert "internal error" not in text_of(result)
    return result


def observe(site: Path, jobs: Sequence[Tuple[Path, str, Sequence[str]]]) -> List[Dict[str, Any]]:
    """Import each (folder, module) in one fresh interpreter and evaluate the calls."""
    base = str(site.parent)  # pytest's basetemp: holds the site and every project
    payload = [
        {"path": str(path), "module": module, "calls": list(calls), "site": str(site)}
        for path, module, calls in jobs
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    env.pop("PYTHONSAFEPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], input=json.dumps([payload, base]), cwd=site,
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def before_after(
    site: Path, before: Path, after: Path, module: str, calls: Sequence[str], path: str = ""
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    old, new = observe(site, [(before / path, module, calls), (after / path, module, calls)])
    assert "import_error" not in old, old
    return old, new


def src(root: Path, name: str) -> str:
    return (root / name).read_text(encoding="utf-8")


# -- corner cases that work: guards against regressions ------------------------------

INLINE_CASES: Files = {
    "scoping.py": '''
        import fakeheavy
        from fakeheavy import Model, Error, compute


        def shadowed():
            fakeheavy = "local"
            return fakeheavy


        def not_shadowed():
            return fakeheavy.compute(1)


        def param(compute=None):
            return compute


        def alias():
            x = fakeheavy
            return x.compute(5)


        def caught():
            try:
                raise Error("x")
            except Error:
                return "caught"


        def instance(x):
            return isinstance(x, (Model, int)), type(Model()).__name__


        def fstring():
            return f"{fakeheavy.VERSION}!{compute(0)!r:>3}"


        def gen():
            yield compute(1)
            yield compute(2)


        async def coro():
            return compute(10)


        def walrus():
            if (y := compute(3)) > 0:
                return y


        def comprehensions():
            return [compute(i) for i in range(3)], {k: Model(k).scale for k in range(2)}


        def genexp():
            return sum(compute(i) for i in range(3))


        def lambdas():
            f = lambda z: compute(z)
            return f(7)


        def closure():
            def inner():
                return compute(100)
            return inner()


        def nonlocal_():
            v = 0
            def inner():
                nonlocal v
                v = compute(v)
                return v
            return inner()


        def nested_global():
            x = compute(1)
            def inner():
                global compute
                return compute(2)
            return x, inner()


        def nested_default():
            def inner(v=compute(4)):
                return v
            return inner()


        def local_class():
            class B:
                y = [compute(i) for i in range(2)]
                def m(self):
                    return compute(3)
            return B.y, B().m()


        class Methods:
            def m(self):
                return compute(8)

            async def am(self):
                return compute(9)


        def try_all():
            try:
                v = compute(1)
            except Error:
                v = -1
            else:
                v += 1
            finally:
                pass
            return v


        def deleted():
            compute = 1
            del compute
            return "ok"
    ''',
    "oneliners.py": '''
        """Module docstring."""
        import os; import fakeheavy; import sys
        from fakeheavy import (
            Model,  # the model
            compute,  # the function
        )
        import functools
        def semi(): x = 1; return compute(x)
        def doc_semi(): "doc"; return compute(4)
        def trailing(): return fakeheavy.VERSION  # trailing comment
        def docstring_only():
            """Only a docstring."""
        @functools.lru_cache()
        def cached(): return compute(3)
        def header():  # header comment
            """Doc."""

            return Model(2).scale, os.sep, sys.platform
        if True:
            def cond(): return compute(8)
        else:
            def cond(): return 0
        try:
            def in_try(): return compute(9)
        except Exception:
            pass
        def last(): return compute(10)''',
    "calls_at_import.py": '''
        from fakeheavy import compute
        import fakeheavy


        def main():
            return compute(1)


        class K:
            value = fakeheavy.VERSION


        if __name__ == "__main__":
            print(main())
    ''',
    "optional.py": '''
        try:
            import fakeheavy
        except ImportError:
            fakeheavy = None


        def f():
            return fakeheavy.compute(1) if fakeheavy else None
    ''',
}
if sys.version_info >= (3, 10):
    INLINE_CASES["matching.py"] = '''
        from fakeheavy import Model, compute


        def match_it(v):
            match v:
                case Model(scale=s):
                    return ("model", s)
                case [x, *rest]:
                    return compute(x)
                case _:
                    return "other"
    '''

INLINE_CALLS = {
    "scoping": [
        "shadowed()", "not_shadowed()", "param()", "alias()", "caught()",
        "instance(__import__('fakeheavy').Model())", "instance(3)", "fstring()", "list(gen())",
        "__import__('asyncio').run(coro())", "walrus()", "comprehensions()", "genexp()",
        "lambdas()", "closure()", "nonlocal_()", "nested_global()", "nested_default()",
        "local_class()", "Methods().m()", "__import__('asyncio').run(Methods().am())",
        "try_all()", "deleted()",
    ],
    "oneliners": [
        "semi()", "doc_semi()", "doc_semi.__doc__", "trailing()", "docstring_only()",
        "docstring_only.__doc__", "cached()", "header()", "header.__doc__", "cond()", "in_try()",
        "last()",
    ],
    "calls_at_import": ["main()", "K.value"],
    "optional": ["f()"],
    "matching": [
        "match_it(__import__('fakeheavy').Model(5))", "match_it([4, 5])", "match_it(1)",
    ],
}
LIGHT_AFTER_FIX = {"scoping", "oneliners", "matching"}


def test_inline_corner_cases_keep_behaviour(site: Path, tmp_path: Path) -> None:
    before, after = make_project(tmp_path, INLINE_CASES)
    result = fix(after)
    assert result.exit_code == 1

    modules = [name[:-3] for name in INLINE_CASES]
    jobs = [(root, m, INLINE_CALLS[m]) for m in modules for root in (before, after)]
    records = observe(site, jobs)
    for index, module in enumerate(modules):
        old, new = records[2 * index], records[2 * index + 1]
        assert "import_error" not in new, (module, new)
        assert new["results"] == old["results"], module
        assert new["loaded"] is (module not in LIGHT_AFTER_FIX), module

    for name in INLINE_CASES:
        compile((after / name).read_bytes(), name, "exec")
    # What could not be deferred is left alone, with its reason.
    assert src(after, "optional.py") == src(before, "optional.py")
    assert "import fakeheavy" in src(after, "calls_at_import.py").splitlines()  # class body uses it
    assert "the model" in src(after, "oneliners.py")

    snapshot = {name: (after / name).read_bytes() for name in INLINE_CASES}
    again = fix(after)
    assert again.exit_code == 1  # optional.py and calls_at_import.py are left, with reasons
    assert {name: (after / name).read_bytes() for name in INLINE_CASES} == snapshot
    assert "Fixed" not in text_of(again)
    lint = invoke(after, "lint", "--no-cache", ".")
    reported = {line.split(":")[0] for line in text_of(lint).splitlines() if ": LI00" in line}
    assert reported == {"optional.py", "calls_at_import.py"}


PROXY_CASES: Files = {
    "exported.py": '''
        import fakeheavy
        from fakeheavy import Model, compute
        import fakeheavy.sub as fs
        from fakeheavy import other

        __all__ = ["fakeheavy", "Model", "compute", "fs", "other", "use"]


        def use(x):
            return (
                fakeheavy.compute(1), compute(2), Model(3).scale, fs.VALUE, other.VALUE,
                isinstance(x, Model), issubclass(type(x), Model), Model.__name__,
            )


        def subclass():
            class Sub(Model):
                pass
            return Sub(4).predict(2)
    ''',
    "leave_real.py": '''
        from fakeheavy import Error
        __all__ = ["Error", "check"]


        def check():
            try:
                raise Error("x")
            except Error:
                return "caught"
    ''',
    "lambda_user.py": '''
        from fakeheavy import compute
        SCALE = lambda x: compute(x) * 2  # noqa: E731
    ''',
    "future_annotations.py": '''
        from __future__ import annotations

        from fakeheavy import Model


        def plain(x: Model) -> Model:
            return x
    ''',
    "reexport_provider.py": '''
        from fakeheavy import Model


        def make():
            return Model(6)
    ''',
    "reexport_user.py": '''
        from reexport_provider import Model


        def use():
            return Model(7).scale
    ''',
}
PROXY_CALLS = {
    "exported": ["use(__import__('fakeheavy').Model())", "subclass()"],
    "leave_real": ["check()"],
    "lambda_user": ["SCALE(1)"],
    "future_annotations": ["plain(1)", "sorted(plain.__annotations__.items())"],
    "reexport_user": ["use()"],
}


def test_proxy_corner_cases_keep_behaviour(site: Path, tmp_path: Path) -> None:
    before, after = make_project(tmp_path, PROXY_CASES)
    fix(after)

    modules = list(PROXY_CALLS)
    jobs = [(root, m, PROXY_CALLS[m]) for m in modules for root in (before, after)]
    records = observe(site, jobs)
    for index, module in enumerate(modules):
        old, new = records[2 * index], records[2 * index + 1]
        assert "import_error" not in new, (module, new)
        assert new["results"] == old["results"], module
        assert new["loaded"] is (module == "leave_real"), module

    text = src(after, "exported.py")
    assert "if TYPE_CHECKING:" in text
    assert 'fs = lazy_import("fakeheavy.sub")' in text
    assert 'other = lazy_import("fakeheavy", "other")' in text
    # `except Error` needs the real class: a proxy is never used for it.
    assert src(after, "leave_real.py") == src(before, "leave_real.py")
    assert "lazy_import" in src(after, "reexport_provider.py")
    assert src(after, "reexport_user.py") == src(before, "reexport_user.py")

    # A second run changes nothing; an existing block is extended, not duplicated.
    snapshot = {name: (after / name).read_bytes() for name in PROXY_CASES}
    fix(after)
    assert {name: (after / name).read_bytes() for name in PROXY_CASES} == snapshot
    (after / "exported.py").write_text(text + "\nfrom fakeheavy import Error\n__all__.append('Error')\n")
    fix(after)
    merged = src(after, "exported.py")
    assert merged.count("if TYPE_CHECKING:") == 1
    assert 'Error = lazy_import("fakeheavy", "Error")' in merged


FORMAT_CASES: Dict[str, bytes] = {
    "crlf.py": b"# header\r\nimport os\r\nimport fakeheavy  # heavy\r\n\r\ndef f():\r\n"
               b'    """Doc."""\r\n    return fakeheavy.compute(1), os.sep\r\n',
    "bom.py": b"\xef\xbb\xbfimport fakeheavy\n\ndef f():\n    return fakeheavy.compute(2)\n",
    "tabs.py": b"import fakeheavy\n\ndef f():\n\tif True:\n\t\treturn fakeheavy.compute(3)\n",
    "nonl.py": b"import fakeheavy\ndef f(): return fakeheavy.compute(4)",
    "cookie.py": "# -*- coding: latin-1 -*-\nimport fakeheavy\n\ndef f():\n"
                 "    return '\xe9', fakeheavy.compute(5)\n".encode("latin-1"),
    "proxy_crlf.py": b'import fakeheavy\r\n__all__ = ["fakeheavy", "f"]\r\n\r\ndef f():\r\n'
                     b"    return fakeheavy.compute(7)\r\n",
    "proxy_tabs.py": b'import fakeheavy\n__all__ = ["fakeheavy", "f"]\n\ndef f():\n\treturn fakeheavy.compute(8)\n',
    "continued.py": b"import os, \\\n    fakeheavy\ndef f(): return fakeheavy.compute(9), os.sep\n",
    "unicode_col.py": 'x = "\U0001f600"; import fakeheavy as \\\n fh\ndef f(): return fh.compute(10), x\n'.encode(),
    "try_oneline.py": b"try: import fakeheavy\nexcept KeyError: pass\ndef f(): return fakeheavy.compute(11)\n",
    "partial.py": b"from fakeheavy import (  # lead\n    Error,  # kept because unused\n"
                  b"    compute  # moved\n)\ndef f(): return compute(12)\n",
}


def test_file_formats_are_kept(site: Path, tmp_path: Path) -> None:
    before, after = make_project(tmp_path, dict(FORMAT_CASES))
    fix(after)
    modules = [name[:-3] for name in FORMAT_CASES]
    records = observe(site, [(root, m, ["f()"]) for m in modules for root in (before, after)])
    for index, module in enumerate(modules):
        assert records[2 * index + 1].get("results") == records[2 * index]["results"], module

    out = {name: (after / name).read_bytes() for name in FORMAT_CASES}
    for name, data in out.items():
        assert data != FORMAT_CASES[name], name
        compile(data, name, "exec")
    assert b"\n" not in out["crlf.py"].replace(b"\r\n", b"")
    assert b"    import fakeheavy  # heavy\r\n" in out["crlf.py"]
    assert out["bom.py"].startswith(b"\xef\xbb\xbfdef f():")
    assert b"\n\timport fakeheavy\n" in out["tabs.py"]
    assert not out["nonl.py"].endswith(b"\n")
    assert out["cookie.py"].startswith(b"# -*- coding: latin-1 -*-\n") and b"'\xe9'" in out["cookie.py"]
    assert b"\r\nelse:\r\n    fakeheavy = lazy_import(" in out["proxy_crlf.py"]
    assert b"\nelse:\n\tfakeheavy = lazy_import(" in out["proxy_tabs.py"]
    assert out["partial.py"].startswith(b"from fakeheavy import (  # lead\n    Error  # kept because unused\n)")
    assert b"    # moved\n    from fakeheavy import compute\n" in out["partial.py"]

    fix(after)
    assert {name: (after / name).read_bytes() for name in FORMAT_CASES} == out


# -- bugs: behaviour changes ---------------------------------------------------------


def test_name_read_as_attribute_by_another_module_still_exists(site: Path, tmp_path: Path) -> None:
    """`from pkg import m; m.fakeheavy...` reads the name from the module just like
    `from pkg.m import fakeheavy` does; fix must keep it (a proxy), not move it away."""
    before, after = make_project(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/m.py": '''
            import fakeheavy
            from fakeheavy import Model


            def f():
                return fakeheavy.compute(1), Model(2).scale
        ''',
        "pkg/user.py": '''
            from pkg import m
            import pkg.m


            def use():
                return m.fakeheavy.compute(10), pkg.m.Model(3).scale
        ''',
    })
    fix(after)
    old, new = before_after(site, before, after, "pkg.user", ["use()"])
    assert new["results"] == old["results"] == {"use()": "(11, 3)"}


def test_fixing_some_files_keeps_names_other_project_files_import(site: Path, tmp_path: Path) -> None:
    """pre-commit passes only the changed files: `lazyimport fix pkg/m.py` must still see
    that other/user.py (not given) does `from pkg.m import Model`."""
    before, after = make_project(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/m.py": '''
            from fakeheavy import Model


            def f():
                return Model(2).scale
        ''',
        "other/__init__.py": "",
        "other/user.py": '''
            from pkg.m import Model


            def use():
                return Model(3).scale
        ''',
    })
    fix(after, "pkg/m.py")
    old, new = before_after(site, before, after, "other.user", ["use()"])
    assert new["results"] == old["results"]  # loading later is the point; the answers must not change


def test_proxy_taken_by_another_module_is_never_a_stand_in_for_the_real_object(
    site: Path, tmp_path: Path
) -> None:
    """The importer binds the proxy object itself (only the owner's globals are swapped
    on first use), so `except Error` / `x is Model` there see a proxy forever."""
    before, after = make_project(tmp_path, {
        "m.py": '''
            from fakeheavy import Error, Model


            def f():
                return Error, Model
        ''',
        "other.py": '''
            from m import Error, Model


            def catch():
                try:
                    raise __import__("fakeheavy").Error("x")
                except Error:
                    return "caught"


            def same(x):
                return x is Model
        ''',
    })
    fix(after)
    calls = ["catch()", "same(__import__('fakeheavy').Model)"]
    old, new = before_after(site, before, after, "other", calls)
    assert new["results"] == old["results"] == {calls[0]: "'caught'", calls[1]: "True"}


def test_proxy_of_relative_import_stays_relative(site: Path, tmp_path: Path) -> None:
    """pyproject.toml at the repository root, the app run from backend/ (a monorepo).
    `from .svc import thing` must become lazy_import(".svc", ...), which the runtime
    supports, not the absolute name guessed from the folder layout (`backend.app.svc`)."""
    before, after = make_project(tmp_path, {
        "backend/app/__init__.py": "",
        "backend/app/svc.py": '''
            import fakeheavy
            VERSION = str(fakeheavy.VERSION)


            def thing():
                return fakeheavy.compute(1)
        ''',
        "backend/app/router.py": '''
            from .svc import thing
            from . import svc
            __all__ = ["thing", "svc"]


            def route():
                return thing(), svc.thing()
        ''',
    })
    fix(after)
    assert src(after, "backend/app/router.py") != src(before, "backend/app/router.py")
    old, new = before_after(site, before, after, "app.router", ["route()"], path="backend")
    assert new["results"] == old["results"] == {"route()": "(2, 2)"}


@pytest.mark.parametrize("case", ["imported", "defined"])
def test_generated_names_do_not_collide_with_the_modules_own(
    site: Path, tmp_path: Path, case: str
) -> None:
    """fix reuses any `from x import lazy_import` (another project's helper), and its own
    `from ... import lazy_import` line rebinds a `lazy_import` the module already defines."""
    modules = {
        "imported": '''
            from helpers import lazy_import
            import fakeheavy
            __all__ = ["fakeheavy", "f", "g"]


            def f():
                return fakeheavy.compute(1)


            def g():
                return lazy_import("json")
        ''',
        "defined": '''
            def lazy_import(name):
                return "mine " + name


            import fakeheavy
            __all__ = ["fakeheavy", "f", "g"]


            def f():
                return fakeheavy.compute(1)


            def g():
                return lazy_import("json")
        ''',
    }
    before, after = make_project(tmp_path, {
        "helpers.py": '''
            def lazy_import(name):
                return ("helper", __import__(name).__name__)
        ''',
        "m.py": modules[case],
    })
    fix(after)
    old, new = before_after(site, before, after, "m", ["f()", "g()"])
    assert new["results"] == old["results"]


def test_class_with_the_same_name_rebinds_the_import(site: Path, tmp_path: Path) -> None:
    """A module-level `class Model:` rebinds the imported name; functions see the class."""
    before, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import Model


        def f():
            return Model.__module__


        class Model:
            pass
    '''})
    fix(after)
    old, new = before_after(site, before, after, "m", ["f()"])
    assert new["results"] == old["results"] == {"f()": "'m'"}


REBINDINGS = {
    "walrus_in_for": "for _ in [compute := (lambda x: -x)]:\n    pass\n",
    "walrus_in_assert": "assert (compute := (lambda x: -x))\n",
    "walrus_in_with": "import contextlib\nwith contextlib.nullcontext(compute := (lambda x: -x)):\n    pass\n",
}
if sys.version_info >= (3, 10):
    REBINDINGS["match_capture"] = "match (lambda x: -x):\n    case compute:\n        pass\n"
if sys.version_info >= (3, 11):
    REBINDINGS["except_star_as"] = "try:\n    raise ValueError\nexcept* ValueError as compute:\n    pass\n"


@pytest.mark.parametrize("kind", sorted(REBINDINGS))
def test_module_level_rebinding_forms_are_seen(site: Path, tmp_path: Path, kind: str) -> None:
    """Functions read the module global, which these statements rebind after the import."""
    source = "from fakeheavy import compute\n\n\ndef f():\n    return compute(1)\n\n\n" + REBINDINGS[kind]
    before, after = make_project(tmp_path, {"m.py": source.encode()})
    fix(after)
    old, new = before_after(site, before, after, "m", ["f()"])
    assert new["results"] == old["results"]


def test_submodule_imported_elsewhere_stays_an_attribute(site: Path, tmp_path: Path) -> None:
    """`import fakeheavy.other as oth` also sets `fakeheavy.other`, which g() relies on."""
    before, after = make_project(tmp_path, {"m.py": '''
        import fakeheavy
        import fakeheavy.other as oth


        def f():
            return oth.VALUE


        def g():
            return fakeheavy.other.VALUE
    '''})
    fix(after)
    old, new = before_after(site, before, after, "m", ["g()"])
    assert new["results"] == old["results"] == {"g()": "'other'"}


def test_type_calls_need_the_real_object(site: Path, tmp_path: Path) -> None:
    """`type(Model)` and `type(name, (Model,), ns)` on a proxy give _LazyProxy / TypeError."""
    before, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import Model
        __all__ = ["Model", "kind", "make"]


        def kind():
            return type(Model).__name__


        def make():
            return type("Sub", (Model,), {})(4).scale
    '''})
    fix(after)
    for call, expected in [("kind()", "'type'"), ("make()", "4")]:
        old, new = before_after(site, before, after, "m", [call])  # each on first use
        assert new["results"] == old["results"] == {call: expected}


@pytest.mark.parametrize("build", [
    '__all__ = ["f"]\n__all__.insert(0, "fakeheavy")\n',
    '__all__ = sorted(["f", "fakeheavy"])\n',
    '__all__ = [n for n in dir() if not n.startswith("_")]\n',
], ids=["insert", "sorted", "dir"])
def test_dunder_all_it_cannot_read_keeps_the_names(site: Path, tmp_path: Path, build: str) -> None:
    """When `__all__` is built in a way the analysis does not read, the module's public
    names must be kept: `from m import *` (outside the project) and `m.__all__` must not change."""
    source = "import fakeheavy\n\n\ndef f():\n    return fakeheavy.compute(1)\n\n\n" + build
    before, after = make_project(tmp_path, {"m.py": source.encode()})
    fix(after)
    star = "(lambda ns: (exec('from m import *', ns), sorted(k for k in ns if k != '__builtins__'))[1])({})"
    calls = ["sorted(__all__)", star]
    old, new = before_after(site, before, after, "m", calls)
    assert new["results"] == old["results"]


def test_class_body_inside_a_function_reads_globals(site: Path, tmp_path: Path) -> None:
    """A class body that assigns `compute` looks `compute` up in globals (LOAD_NAME), not in
    the enclosing function, so an import moved into the function is not seen there."""
    before, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import compute


        def f():
            class A:
                x = compute(1)
                compute = 2
            return A.x
    '''})
    fix(after)
    old, new = before_after(site, before, after, "m", ["f()"])
    assert new["results"] == old["results"] == {"f()": "2"}


def test_first_statement_with_an_fstring_is_not_a_docstring(site: Path, tmp_path: Path) -> None:
    """`"doc" f"{compute(1)}"` is an expression that runs; the import must go before it."""
    before, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import compute


        def f():
            "doc" f"{compute(1)}"
            return compute(2)
    '''})
    fix(after)
    old, new = before_after(site, before, after, "m", ["f()"])
    assert new["results"] == old["results"] == {"f()": "3"}


def test_registration_side_effects_of_a_deferred_first_party_import(site: Path, tmp_path: Path) -> None:
    """plugin_a registers itself when imported; deferring `from plugin_a import run` (LI002)
    into go() leaves the registry empty at start-up."""
    before, after = make_project(tmp_path, {
        "registry.py": "PLUGINS = {}\n",
        "plugin_a.py": '''
            import fakeheavy
            from registry import PLUGINS
            PLUGINS["a"] = fakeheavy.VERSION


            def run():
                return "ran"
        ''',
        "main.py": '''
            from registry import PLUGINS
            from plugin_a import run


            def available():
                return sorted(PLUGINS)


            def go():
                return run()
        ''',
    })
    fix(after)
    old, new = before_after(site, before, after, "main", ["available()"])
    assert new["results"] == old["results"] == {"available()": "['a']"}


# -- bugs: code that type checkers can no longer read ----------------------------------


def test_function_type_comment_stays_first_in_the_body(tmp_path: Path) -> None:
    """PEP 484 function type comments must directly follow the `def` line; with the import
    above it, `ast.parse(type_comments=True)` (what mypy uses) raises SyntaxError."""
    _, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import compute


        def f(a,  # type: int
              ):
            # type: (...) -> int
            return compute(a)
    '''})
    fix(after)
    tree = ast.parse(src(after, "m.py"), type_comments=True)
    function = tree.body[-1]
    assert isinstance(function, ast.FunctionDef) and function.type_comment == "(...) -> int"
    assert any(isinstance(node, ast.ImportFrom) for node in function.body)


# -- bugs: lint and fix say the import is gone when it is not ----------------------------


@pytest.mark.parametrize("case", ["proxy_used_by_importer", "transitive_call", "method_call"])
def test_after_fix_lint_does_not_claim_a_module_is_light_when_it_is_not(
    site: Path, tmp_path: Path, case: str
) -> None:
    """README: after `fix`, `lint` reports only what cannot be deferred.  Here fakeheavy still
    loads when the module is imported, and lint says "All checks passed"."""
    projects: Dict[str, Files] = {
        "proxy_used_by_importer": {
            "svc.py": "from fakeheavy import Model\n\n\ndef make():\n    return Model(2)\n",
            "m.py": "from svc import Model\n\n\nclass R(Model):\n    pass\n",
        },
        "transitive_call": {
            "m.py": '''
                from fakeheavy import compute


                def helper():
                    return compute(1)


                def outer():
                    return helper()


                X = outer()
            ''',
        },
        "method_call": {
            "m.py": '''
                from fakeheavy import Model


                class A:
                    def m(self):
                        return Model(5).scale


                A_VAL = A().m()
            ''',
        },
    }
    _, after = make_project(tmp_path, projects[case])
    fix(after)
    [record] = observe(site, [(after, "m", [])])
    lint = invoke(after, "lint", "--no-cache", ".")
    assert not record["loaded"] or lint.exit_code == 1, text_of(lint)


@pytest.mark.parametrize("name, data", [
    ("cr_only.py", b"import os\rimport fakeheavy\rdef f(): return fakeheavy.compute(1)\r"),
    ("form_feed.py", b"import os\n\x0cimport fakeheavy\ndef f(): return fakeheavy.compute(1)\n"),
], ids=["cr_only", "form_feed"])
def test_lint_sees_heavy_imports_whatever_the_line_breaks(tmp_path: Path, name: str, data: bytes) -> None:
    """The byte prefilter only finds imports after `\\n` (then spaces or tabs), so a
    CR-only file or a line starting with a form feed is never parsed: lint and fix miss it."""
    compile(data, name, "exec")  # both are valid Python
    _, after = make_project(tmp_path, {name: data})
    lint = invoke(after, "lint", "--no-cache", ".")
    assert lint.exit_code == 1 and "LI001" in text_of(lint), text_of(lint)


def test_class_attribute_of_the_same_name_is_not_a_module_rebinding(tmp_path: Path) -> None:
    """`compute = 1` in a class body binds a class attribute, yet lint says "`compute` is bound
    again at line 9" (the class body) and nothing is deferred."""
    _, after = make_project(tmp_path, {"m.py": '''
        from fakeheavy import compute


        def f():
            return compute(1)


        class K:
            compute = 1
    '''})
    lint = invoke(after, "lint", "--no-cache", ".")
    assert "bound again" not in text_of(lint)
    fix(after)
    assert src(after, "m.py").startswith("def f():\n    from fakeheavy import compute\n")


# -- bugs: cosmetic ---------------------------------------------------------------------


def test_cr_only_file_keeps_its_last_line_break(tmp_path: Path) -> None:
    data = b"import fakeheavy\rdef f():\r    return fakeheavy.compute(6)\r"
    _, after = make_project(tmp_path, {"cr.py": data})
    fix(after)
    out = (after / "cr.py").read_bytes()
    assert out == b"def f():\r    import fakeheavy\r    return fakeheavy.compute(6)\r"
