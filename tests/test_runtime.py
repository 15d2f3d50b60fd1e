"""Behaviour of ``lazyimport_codemod.runtime.lazy_import``.

Whether something was imported is only observable in a fresh interpreter, so most tests run
a snippet in a subprocess next to ``fakeheavy``, a package written by the test that sleeps
on import (so racing threads overlap) and appends its name to a log file (so the test can
count how often it was initialised).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

from lazyimport_codemod.runtime import lazy_import

REPO = Path(__file__).resolve().parents[1]

FAKEHEAVY = {
    "fakeheavy/__init__.py": '''
        import os
        import time

        time.sleep(0.05)  # long enough for racing threads to pile up on the import
        with open(os.environ["FAKEHEAVY_LOG"], "a", encoding="utf-8") as _log:
            _log.write(__name__ + "\\n")

        TOKEN = object()
        VALUE = 41
        items = [1, 2, 3]
        mapping = {"a": 1, "b": 2}
        shadow = "attribute wins"


        def make(x):
            return ("made", x)


        def method_like(self):
            return ("bound", self)


        class Widget:
            def __init__(self, size=1):
                self.size = size


        class SubWidget(Widget):
            pass


        class Ctx:
            exited = False

            def __enter__(self):
                return "entered"

            def __exit__(self, *exc_info):
                self.exited = True
                return False


        class Ready:
            def __await__(self):
                yield from ()
                return "awaited"


        class AsyncThing:
            async def __aenter__(self):
                return "async-entered"

            async def __aexit__(self, *exc_info):
                return False

            def __aiter__(self):
                return self._numbers()

            async def _numbers(self):
                yield 1
                yield 2


        ctx = Ctx()
        ready = Ready()
        athing = AsyncThing()


        class Fresh:
            @property
            def me(self):
                return self


        def __getattr__(name):
            # A lazily computed attribute: every lookup builds a new object, so only a proxy
            # that looks it up once can hand all threads the same one.
            if name == "fresh":
                time.sleep(0.01)
                return Fresh()
            raise AttributeError(name)
    ''',
    "fakeheavy/sub.py": '''
        import os

        with open(os.environ["FAKEHEAVY_LOG"], "a", encoding="utf-8") as _log:
            _log.write(__name__ + "\\n")


        def hello():
            return "hello from sub"
    ''',
    # Must never be imported: the package attribute of the same name wins.
    "fakeheavy/shadow.py": '''
        import os

        with open(os.environ["FAKEHEAVY_LOG"], "a", encoding="utf-8") as _log:
            _log.write(__name__ + "\\n")
    ''',
    "fakeheavy/broken.py": """
        import missing_dependency_xyz
    """,
}

PRELUDE = """
import sys
from lazyimport_codemod.runtime import lazy_import


def loaded(name="fakeheavy"):
    return name in sys.modules


def drive(coroutine):
    # Run a coroutine that never suspends, without importing asyncio.
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("coroutine suspended")
"""


@dataclass
class Sandbox:
    """A folder holding ``fakeheavy`` plus any test modules, and a way to run code there."""

    root: Path

    @property
    def log_path(self) -> Path:
        return self.root / "import.log"

    def log(self) -> list[str]:
        if not self.log_path.exists():
            return []
        return self.log_path.read_text(encoding="utf-8").split()

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")

    def run(self, code: str, *, timeout: float = 60) -> str:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(self.root), str(REPO)])
        env["FAKEHEAVY_LOG"] = str(self.log_path)
        env.pop("PYTHONSTARTUP", None)
        script = PRELUDE + textwrap.dedent(code)
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            pytest.fail(f"snippet failed:\n{script}\n--- stderr ---\n{result.stderr}")
        return result.stdout


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    box.write(FAKEHEAVY)
    return box


def test_creating_proxies_imports_nothing(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        m = lazy_import("fakeheavy")
        w = lazy_import("fakeheavy", "Widget")
        s = lazy_import("fakeheavy", "sub")
        t = lazy_import("fakeheavy.sub", top_level=True)
        missing = lazy_import("no_such_module_xyz")  # no error until used
        proxies = [m, w, s, t, missing]
        for proxy in proxies:
            repr(proxy)
            assert proxy is not None
            assert type(proxy).__name__ != "module"

        class Holder:  # storing a proxy as a class attribute is not a use
            widget = w

        def default(x=w):
            return x

        assert not loaded()
        assert not loaded("fakeheavy.sub")
        assert not loaded("no_such_module_xyz")
        """
    )
    assert sandbox.log() == []


@dataclass(frozen=True)
class Use:
    """One kind of first use: ``setup`` makes proxies, ``use`` must import, ``check`` verifies."""

    setup: str
    use: str
    check: str


# Everything runs inside a function: the proxies are locals, so they are never swapped out
# of module globals and the checks after the first use still go through the proxy.
FIRST_USES = {
    "getattr": Use("m = lazy_import('fakeheavy')", "value = m.VALUE", "assert value == 41"),
    "getattr_dunder": Use(
        "m = lazy_import('fakeheavy')",
        "name = m.__name__",
        "assert name == 'fakeheavy'\nassert m.__dict__ is sys.modules['fakeheavy'].__dict__",
    ),
    "isinstance_of_proxy": Use(
        "import types\nm = lazy_import('fakeheavy')",
        "ok = isinstance(m, types.ModuleType)",
        "assert ok",
    ),
    "setattr": Use(
        "m = lazy_import('fakeheavy')", "m.NEW = 5", "assert sys.modules['fakeheavy'].NEW == 5"
    ),
    "delattr": Use(
        "m = lazy_import('fakeheavy')",
        "del m.VALUE",
        "assert not hasattr(sys.modules['fakeheavy'], 'VALUE')",
    ),
    "dir": Use("m = lazy_import('fakeheavy')", "names = dir(m)", "assert 'Widget' in names"),
    "call": Use(
        "f = lazy_import('fakeheavy', 'make')",
        "result = f(2)",
        "assert result == ('made', 2)\nassert f(x=3) == ('made', 3)",
    ),
    "isinstance": Use(
        "W = lazy_import('fakeheavy', 'Widget')",
        "result = isinstance(3, W)",
        "assert result is False\n"
        "assert isinstance(sys.modules['fakeheavy'].SubWidget(), W)\n"
        "assert isinstance(W(), W)",
    ),
    "issubclass": Use(
        "W = lazy_import('fakeheavy', 'Widget')",
        "result = issubclass(bool, W)",
        "assert result is False\n"
        "assert issubclass(sys.modules['fakeheavy'].SubWidget, W)\n"
        "assert issubclass(W, object)",
    ),
    "subclassing": Use(
        "W = lazy_import('fakeheavy', 'Widget')",
        "class Mine(W):\n    pass",
        "real = sys.modules['fakeheavy'].Widget\n"
        "assert Mine.__mro__ == (Mine, real, object)\n"
        "assert Mine(4).size == 4\n"
        "assert isinstance(Mine(), W) and isinstance(Mine(), real)",
    ),
    "contains": Use("L = lazy_import('fakeheavy', 'items')", "result = 2 in L", "assert result"),
    "iter": Use(
        "L = lazy_import('fakeheavy', 'items')",
        "result = list(L)",
        "assert result == [1, 2, 3]\nassert list(reversed(L)) == [3, 2, 1]",
    ),
    "len": Use("L = lazy_import('fakeheavy', 'items')", "result = len(L)", "assert result == 3"),
    "bool": Use(
        "L = lazy_import('fakeheavy', 'items')", "result = bool(L)", "assert result is True"
    ),
    "getitem": Use(
        "D = lazy_import('fakeheavy', 'mapping')", "result = D['a']", "assert result == 1"
    ),
    "setitem": Use(
        "D = lazy_import('fakeheavy', 'mapping')",
        "D['c'] = 3",
        "assert sys.modules['fakeheavy'].mapping == {'a': 1, 'b': 2, 'c': 3}",
    ),
    "delitem": Use(
        "D = lazy_import('fakeheavy', 'mapping')",
        "del D['a']",
        "assert sys.modules['fakeheavy'].mapping == {'b': 2}",
    ),
    "eq": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = V == 41",
        "assert result is True\nassert V != 40 and not (V != 41)",
    ),
    "ordering": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = V < 42",
        "assert result is True\nassert V <= 41 and V > 40 and V >= 41 and not V < 41",
    ),
    "hash": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = hash(V)",
        "assert result == hash(41)\nassert {V: 'x'}[41] == 'x'",
    ),
    "binary_operators": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = V + 1",
        "assert result == 42\n"
        "assert (V - 1, V * 2, V / 2, V // 2, V % 5) == (40, 82, 20.5, 20, 1)\n"
        "assert (divmod(V, 5), V ** 2, pow(V, 2, 5)) == ((8, 1), 1681, 1)\n"
        "assert (V << 1, V >> 1, V & 1, V | 2, V ^ 1) == (82, 20, 1, 43, 40)",
    ),
    "reflected_operators": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = 1 + V",
        "assert result == 42\n"
        "assert (100 - V, 2 * V, 82 / V, 100 // V, 100 % V) == (59, 82, 2.0, 2, 18)\n"
        "assert (divmod(100, V), 2 ** V) == ((2, 18), 2 ** 41)\n"
        "assert (1 << V, 2 ** 42 >> V, 1 & V, 2 | V, 1 ^ V) == (2 ** 41, 2, 1, 43, 40)",
    ),
    "inplace_immutable": Use(
        "V = lazy_import('fakeheavy', 'VALUE')\nn = V",
        "n += 1",
        "assert n == 42 and type(n) is int\nassert sys.modules['fakeheavy'].VALUE == 41",
    ),
    "inplace_mutable": Use(
        "L = lazy_import('fakeheavy', 'items')",
        "L += [4]",
        "assert L is sys.modules['fakeheavy'].items\nassert L == [1, 2, 3, 4]",
    ),
    "unary_and_conversions": Use(
        "import math, operator\nV = lazy_import('fakeheavy', 'VALUE')",
        "result = -V",
        "assert result == -41\n"
        "assert (+V, abs(V), ~V, int(V)) == (41, 41, -42, 41)\n"
        "assert (float(V), complex(V)) == (41.0, 41 + 0j)\n"
        "assert (operator.index(V), round(V), round(V, -1)) == (41, 41, 40)\n"
        "assert (math.trunc(V), math.floor(V), math.ceil(V)) == (41, 41, 41)",
    ),
    "index": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = list(range(50))[V]",
        "assert result == 41",
    ),
    "str_and_format": Use(
        "V = lazy_import('fakeheavy', 'VALUE')",
        "result = str(V)",
        "assert result == '41'\nassert f'{V:>4}' == '  41'",
    ),
    "with": Use(
        "C = lazy_import('fakeheavy', 'ctx')",
        "with C as entered:\n    pass",
        "assert entered == 'entered'\nassert sys.modules['fakeheavy'].ctx.exited",
    ),
    "await": Use(
        "R = lazy_import('fakeheavy', 'ready')\n"
        "async def wait_for(x):\n"
        "    return await x",
        "result = drive(wait_for(R))",
        "assert result == 'awaited'",
    ),
    "async_with_and_for": Use(
        "A = lazy_import('fakeheavy', 'athing')\n"
        "async def use_async(x):\n"
        "    async with x as entered:\n"
        "        seen = [entered]\n"
        "        async for number in x:\n"
        "            seen.append(number)\n"
        "    return seen",
        "result = drive(use_async(A))",
        "assert result == ['async-entered', 1, 2]",
    ),
    "method_descriptor": Use(
        "M = lazy_import('fakeheavy', 'method_like')\nclass K:\n    method = M",
        "k = K()\nresult = k.method()",
        "assert result == ('bound', k)",
    ),
    "pickle_function": Use(
        "import pickle\n"
        "F = lazy_import('fakeheavy', 'make')\n"
        "W = lazy_import('fakeheavy', 'Widget')",
        "data = pickle.dumps(F)",
        "assert pickle.loads(data) is sys.modules['fakeheavy'].make\n"
        "assert pickle.loads(pickle.dumps(W)) is sys.modules['fakeheavy'].Widget",
    ),
    "copy": Use(
        "import copy\nL = lazy_import('fakeheavy', 'items')",
        "result = copy.copy(L)",
        "assert result == [1, 2, 3] and result is not sys.modules['fakeheavy'].items\n"
        "assert copy.deepcopy(L) == [1, 2, 3]",
    ),
}


@pytest.mark.parametrize("kind", sorted(FIRST_USES))
def test_first_use_imports_once(sandbox: Sandbox, kind: str) -> None:
    use = FIRST_USES[kind]

    def indent(text: str) -> str:
        return textwrap.indent(text, "    ")

    sandbox.run(
        "def case():\n"
        + indent(use.setup)
        + "\n    assert not loaded(), 'imported before first use'\n"
        + indent(use.use)
        + "\n    assert loaded(), 'first use did not import'\n"
        + indent(use.check)
        + "\n\ncase()\n"
    )
    assert sandbox.log() == ["fakeheavy"]


def test_repr_does_not_load(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        def case():
            m = lazy_import("fakeheavy")
            w = lazy_import("fakeheavy", "Widget")
            t = lazy_import("fakeheavy.sub", top_level=True)
            assert repr(m) == "<lazy_import 'fakeheavy' (not loaded)>", repr(m)
            assert repr(w) == "<lazy_import 'Widget' from 'fakeheavy' (not loaded)>", repr(w)
            assert repr(t) == "<lazy_import 'fakeheavy.sub' (top level, not loaded)>", repr(t)
            assert f"{m!r} {[w]}"
            assert not loaded()
            m.VALUE
            assert repr(m) == repr(sys.modules["fakeheavy"])
            assert "(not loaded)" in repr(w)  # each proxy resolves on its own first use
            w.__name__
            assert repr(w) == repr(sys.modules["fakeheavy"].Widget)

        case()
        """
    )


def test_missing_module_raises_real_error_at_first_use(sandbox: Sandbox) -> None:
    sandbox.write(
        {
            "app.py": """
                from lazyimport_codemod.runtime import lazy_import

                missing = lazy_import("no_such_module_xyz")
                missing_name = lazy_import("fakeheavy", "no_such_name")
                broken = lazy_import("fakeheavy.broken")
            """
        }
    )
    out = sandbox.run(
        """
        import json
        import app  # creating the proxies must not fail

        results = {}
        for name in ("missing", "missing_name", "broken"):
            try:
                getattr(app, name).anything
            except ImportError as error:
                assert error.args == (str(error),), (error.args, str(error))
                results[name] = [type(error).__name__, error.name, str(error)]
        print(json.dumps(results))
        """
    )
    results = json.loads(out)
    app_py = str(sandbox.root / "app.py")

    kind, name, message = results["missing"]
    assert (kind, name) == ("ModuleNotFoundError", "no_such_module_xyz")
    assert "No module named 'no_such_module_xyz'" in message
    assert f"{app_py}:3" in message

    kind, name, message = results["missing_name"]
    assert (kind, name) == ("ImportError", "fakeheavy")
    assert "cannot import name 'no_such_name' from 'fakeheavy'" in message
    assert f"{app_py}:4" in message

    # An import failing inside the deferred module also names the lazy_import call.
    kind, name, message = results["broken"]
    assert (kind, name) == ("ModuleNotFoundError", "missing_dependency_xyz")
    assert f"{app_py}:5" in message


def test_failed_first_use_is_retried(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        import importlib, pathlib

        late = lazy_import("late_module")
        try:
            late.ANSWER
        except ModuleNotFoundError:
            pass
        else:
            raise AssertionError("expected ModuleNotFoundError")
        pathlib.Path("late_module.py").write_text("ANSWER = 42\\n")
        importlib.invalidate_caches()
        assert late.ANSWER == 42
        """
    )


def test_relative_import_without_package_fails_at_first_use(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        orphan = lazy_import(".sibling")
        try:
            orphan.x
        except ImportError as error:
            assert "no known parent package" in str(error), str(error)
        else:
            raise AssertionError("expected ImportError")
        """
    )


@pytest.mark.parametrize("variant", ["module", "attribute", "submodule", "global", "computed"])
def test_threads_racing_first_use_get_the_same_object(sandbox: Sandbox, variant: str) -> None:
    setup, read = {
        "module": ("proxy = lazy_import('fakeheavy')", "proxy.__dict__"),
        "attribute": ("proxy = lazy_import('fakeheavy', 'Widget')", "proxy.__mro__[0]"),
        "submodule": ("proxy = lazy_import('fakeheavy', 'sub')", "proxy.__dict__"),
        # Readers go through the module global while first use swaps it for the real module.
        "global": ("global heavy\nheavy = lazy_import('fakeheavy')", "heavy.__dict__"),
        "computed": ("proxy = lazy_import('fakeheavy', 'fresh')", "proxy.me"),
    }[variant]
    expected = {
        "module": "sys.modules['fakeheavy'].__dict__",
        "attribute": "sys.modules['fakeheavy'].Widget",
        "submodule": "sys.modules['fakeheavy.sub'].__dict__",
        "global": "sys.modules['fakeheavy'].__dict__",
        "computed": "results[0]",
    }[variant]
    sandbox.run(
        f"""
        import threading

        THREADS = 32

        def case():
            {setup.replace(chr(10), chr(10) + " " * 12)}
            barrier = threading.Barrier(THREADS)
            results = [None] * THREADS
            errors = []

            def worker(i):
                barrier.wait()
                try:
                    results[i] = {read}
                except BaseException as error:
                    errors.append(repr(error))

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == [], errors
            assert results[0] is not None
            assert all(result is {expected} for result in results), results

        case()
        if {variant!r} == "global":
            assert heavy is sys.modules["fakeheavy"]
        """
    )
    log = sandbox.log()
    assert log.count("fakeheavy") == 1
    assert log.count("fakeheavy.sub") == (1 if variant == "submodule" else 0)


def test_first_use_replaces_proxy_in_owner_globals(sandbox: Sandbox) -> None:
    sandbox.write(
        {
            "app.py": """
                from lazyimport_codemod.runtime import lazy_import

                fh = lazy_import("fakeheavy")
                alias = fh
                rebound = fh
                Widget = lazy_import("fakeheavy", "Widget")


                def use():
                    return fh.VALUE
            """
        }
    )
    sandbox.run(
        """
        import app

        proxy = app.fh
        app.rebound = "something else"
        assert repr(app.fh) == "<lazy_import 'fakeheavy' (not loaded)>"

        assert app.use() == 41
        real = sys.modules["fakeheavy"]
        assert app.fh is real
        assert app.alias is real  # every name bound to this proxy
        assert app.rebound == "something else"  # a rebound name is left alone
        assert "(not loaded)" in repr(app.Widget)  # other proxies are untouched

        # Only the creating module's globals change: this reference stays a working proxy.
        assert type(proxy) is not type(real)
        assert proxy.VALUE == 41

        # Whoever triggers the first use, the owner module gets the real object.
        assert isinstance(app.Widget(), real.Widget)
        assert app.Widget is real.Widget
        """
    )
    assert sandbox.log() == ["fakeheavy"]


def test_top_level_binds_the_top_package(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        def case():
            top = lazy_import("fakeheavy.sub", top_level=True)
            sub = lazy_import("fakeheavy.sub")
            assert not loaded() and not loaded("fakeheavy.sub")
            assert top.sub.hello() == "hello from sub"
            assert loaded("fakeheavy.sub")
            assert top.__dict__ is sys.modules["fakeheavy"].__dict__
            assert sub.__name__ == "fakeheavy.sub"

        case()
        """
    )
    assert sandbox.log() == ["fakeheavy", "fakeheavy.sub"]


def test_submodules_load_with_the_top_package(sandbox: Sandbox) -> None:
    """``import fakeheavy.sub`` and ``import fakeheavy.shadow`` bind one name: one proxy
    imports both on first use, in order, and gives the top-level package."""
    sandbox.run(
        """
        def case():
            top = lazy_import("fakeheavy.sub", top_level=True, submodules=("fakeheavy.shadow",))
            assert not loaded()
            assert "not loaded" in repr(top)
            assert top.sub.hello() == "hello from sub"
            assert loaded("fakeheavy.sub") and loaded("fakeheavy.shadow")
            assert top.__dict__ is sys.modules["fakeheavy"].__dict__

        case()
        """
    )
    assert sandbox.log() == ["fakeheavy", "fakeheavy.sub", "fakeheavy.shadow"]


def test_from_import_falls_back_to_submodule(sandbox: Sandbox) -> None:
    sandbox.run(
        """
        def case():
            sub = lazy_import("fakeheavy", "sub")
            shadow = lazy_import("fakeheavy", "shadow")
            assert sub.hello() == "hello from sub"
            assert sub.__dict__ is sys.modules["fakeheavy.sub"].__dict__
            # An attribute wins over a submodule of the same name, as with 'from x import y'.
            assert shadow == "attribute wins"
            assert not loaded("fakeheavy.shadow")

        case()
        """
    )
    assert sandbox.log() == ["fakeheavy", "fakeheavy.sub"]


def test_a_package_standing_for_its_own_submodule_gets_the_submodule(sandbox: Sandbox) -> None:
    """``pkg/__init__.py`` binding ``sub = lazy_import("pkg", "sub")``: the attribute it finds
    on the package is the proxy itself, and what it means is the submodule."""
    sandbox.write({
        "pkg/__init__.py": """
            from lazyimport_codemod.runtime import lazy_import

            sub = lazy_import("pkg", "sub")
            """,
        "pkg/sub.py": "VALUE = 42\n",
    })
    sandbox.run(
        """
        import pkg
        assert pkg.sub.VALUE == 42
        assert pkg.sub is sys.modules["pkg.sub"]
        """
    )


def test_relative_imports_resolve_against_the_calling_package(sandbox: Sandbox) -> None:
    sandbox.write(
        {
            "relpkg/__init__.py": "",
            "relpkg/sibling.py": "X = 'sibling'\n",
            "relpkg/user.py": """
                from lazyimport_codemod.runtime import lazy_import

                sib = lazy_import(".sibling")
                sib_from = lazy_import(".", "sibling")
                X = lazy_import(".sibling", "X")
            """,
        }
    )
    sandbox.run(
        """
        import relpkg.user as user

        assert not loaded("relpkg.sibling")
        assert user.sib.X == "sibling"
        assert user.sib_from.__dict__ is sys.modules["relpkg.sibling"].__dict__
        assert user.sib_from is sys.modules["relpkg.sibling"]  # swapped in by the first use
        assert user.X == "sibling"
        assert user.X is sys.modules["relpkg.sibling"].X
        """
    )


def test_circular_use_during_import_does_not_deadlock(sandbox: Sandbox) -> None:
    sandbox.write(
        {
            "circ_app.py": """
                from lazyimport_codemod.runtime import lazy_import

                B = lazy_import("circ_b")


                def first_use():
                    return B.LATE
            """,
            "circ_b.py": """
                EARLY = "early"
                import circ_app

                SEEN = circ_app.B.EARLY  # the proxy is used again while circ_b runs
                LATE = "late"
            """,
        }
    )
    sandbox.run(
        """
        import circ_app

        assert circ_app.first_use() == "late"
        assert sys.modules["circ_b"].SEEN == "early"
        assert circ_app.B is sys.modules["circ_b"]
        """,
        timeout=30,
    )


def test_importing_runtime_loads_nothing_heavy(sandbox: Sandbox) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import lazyimport_codemod.runtime\n"
        "print(repr(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=sandbox.root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    new = eval(result.stdout)  # a list literal printed by repr
    ours = [name for name in new if name.split(".")[0] == "lazyimport_codemod"]
    assert ours == ["lazyimport_codemod", "lazyimport_codemod.runtime"]
    tops = {name.split(".")[0] for name in new} - {"lazyimport_codemod"}
    assert not tops & {"libcst", "click", "typing", "threading"}, tops
    if sys.version_info >= (3, 10):
        assert tops <= set(sys.stdlib_module_names), tops - set(sys.stdlib_module_names)


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((3,), {}, TypeError),
        (("",), {}, ValueError),
        (("a..b",), {}, ValueError),
        (("a.b-c",), {}, ValueError),
        (("a", "b.c"), {}, ValueError),
        (("a", ""), {}, ValueError),
        (("a", "b"), {"top_level": True}, ValueError),
        ((".a",), {"top_level": True}, ValueError),
        (("a", "b"), {"submodules": ("a.c",)}, ValueError),
        ((".a",), {"submodules": (".a.c",)}, ValueError),
        (("a.b",), {"top_level": True, "submodules": ("x.c",)}, ValueError),
        (("a.b",), {"top_level": True, "submodules": ("a..c",)}, ValueError),
    ],
)
def test_invalid_arguments_fail_at_call_time(
    args: tuple[typing.Any, ...], kwargs: dict[str, typing.Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        lazy_import(*args, **kwargs)


def test_subclassing_a_typing_special_form() -> None:
    # NamedTuple is a function with __mro_entries__: the proxy must defer to it.
    named_tuple = lazy_import("typing", "NamedTuple")

    class Point(named_tuple):  # type: ignore[valid-type, misc]
        x: int
        y: int = 0

    assert Point(1) == (1, 0)
    assert Point._fields == ("x", "y")
    assert tuple in Point.__mro__
