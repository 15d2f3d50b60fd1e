"""What importing a module does beyond itself, and which deferrals that makes unsafe.

Deferring a first-party import postpones the module's body: harmless when it only
builds its own objects (decorators and base classes known to act only on what they
are given included), unsafe when it may act on something else (a registration, an
unknown call); fix applies unsafe deferrals only with ``--unsafe-fixes``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lazyimport_codemod.parse.effects import BASE, CALL, DECORATOR, Effect
from lazyimport_codemod.parse.facts import extract
from lazyimport_codemod.pipeline import analyse, check, fix_files
from lazyimport_codemod.settings.config import Overrides, clear_caches, load_config

REPO = Path(__file__).resolve().parent.parent


def effects_of(source: str, module: str = "app.m") -> tuple[Effect, ...]:
    return extract(textwrap.dedent(source).encode(), "m.py", module, False).effects


def test_effects_are_named_through_the_modules_imports() -> None:
    found = effects_of("""
        import logging
        from pydantic import BaseModel, field_validator
        from app.celery import app as celery_app
        from registry import PLUGINS
        REGISTRY = {}
        logging.basicConfig()
        REGISTRY["x"] = 1
        PLUGINS["y"] = 2
        print("hello")
        def setup():
            pass
        setup()
        class User(BaseModel):
            @field_validator("name")
            @classmethod
            def check(cls, value):
                return value
        @celery_app.task(bind=True)
        def job():
            pass
        """)
    assert [(e.kind, e.target) for e in found] == [
        (CALL, "logging.basicConfig"),
        ("assignment", "registry.PLUGINS"),
        (CALL, "builtins.print"),
        (CALL, "<own>.setup"),
        (BASE, "pydantic.BaseModel"),
        (DECORATOR, "pydantic.field_validator"),
        (DECORATOR, "builtins.classmethod"),
        (DECORATOR, "app.celery.app.task"),
    ]


def test_calls_on_the_modules_own_objects_are_no_effect() -> None:
    assert effects_of("""
        from collections import defaultdict
        from fastapi import APIRouter
        router = APIRouter()
        ROUTES = defaultdict(list)
        for name in ("a", "b"):
            ROUTES[name].append(name)
        router.add_api_route("/x", lambda: 1)
        @router.get("/")
        def index():
            return 1
        """) == ()


def test_after_a_star_import_an_unknown_name_is_unknown() -> None:
    assert [(e.kind, e.target) for e in effects_of("from helpers import *\nregister_all()\n")] == [(CALL, "")]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


ROUTER = """\
    from app.tasks import run


    def endpoint():
        return run()
    """


def verdict(root: Path, tasks: str, settings: str = "", **files: str) -> tuple[str, bool, str]:
    """(message, fixable, fix_safety) of the router's LI002 when ``app/tasks.py`` is ``tasks``."""
    (root / "pyproject.toml").write_text(f"[tool.lazyimport]\n{settings}")
    write(root, {"app/__init__.py": "", "app/router.py": ROUTER, "app/tasks.py": tasks, **files})
    clear_caches()
    config = load_config(root, Overrides())
    (found,) = [d for d in check(analyse([root / "app" / "router.py"], config)).diagnostics]
    return found.message, found.fixable, found.fix_safety or ""


# A decorator that keeps what it is given in its own module's list: an effect beyond the
# decorated module.
REGISTERING_RETRY = "RETRIED = []\n\ndef retry(f):\n    RETRIED.append(f)\n    return f\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("body", [
    "from functools import lru_cache\n\n@lru_cache\ndef cached():\n    return 1\n",
    "from pydantic import BaseModel, field_validator\n\nclass M(BaseModel):\n    x: int\n\n"
    "    @field_validator('x')\n    @classmethod\n    def check(cls, v):\n        return v\n",
    "from sqlalchemy.orm import declared_attr\n\nclass Mixin:\n    @declared_attr\n    def t(cls):\n        return 1\n",
    "from collections import defaultdict\n\nTABLE = defaultdict(list)\nfor k in 'ab':\n    TABLE[k].append(k)\n",
    "import tenacity\n\n@tenacity.retry(stop=tenacity.stop_after_attempt(3))\ndef flaky():\n    return 1\n",
], ids=["functools", "pydantic validators", "sqlalchemy declared_attr", "own dict", "tenacity retry"])
def test_a_module_that_only_builds_its_own_objects_is_deferred_safely(root: Path, body: str) -> None:
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n")
    assert fixable and safety == "safe", message
    assert "unsafe" not in message


@pytest.mark.parametrize("body,named", [
    ("from app.celery import app\n\n@app.task\ndef job():\n    return 1\n",
     "a decorator (app.celery.app.task), which registers a task with a task queue"),
    ("from app.db import Base\n\nclass User(Base):\n    pass\n",
     "a subclass of app.db.Base, which is a model base, which registers its subclasses"),
    ("from app.registry import PLUGINS\n\nPLUGINS['tasks'] = 1\n", "an assignment into app.registry.PLUGINS"),
    ("from dotenv import load_dotenv\n\nload_dotenv()\n", "a call to dotenv.load_dotenv()"),
    ("from app.utils import retry\n\n@retry\ndef job():\n    return 1\n", "a decorator (app.utils.retry)"),
], ids=["task", "model base", "registry", "call", "unknown decorator"])
def test_an_effect_beyond_the_module_makes_the_deferral_unsafe(root: Path, body: str, named: str) -> None:
    files = {"app/celery.py": "app = object()\n", "app/db.py": "Base = object\n", "app/registry.py": "PLUGINS = {}\n",
             "app/utils.py": REGISTERING_RETRY}
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n", **files)
    assert (fixable, safety) == (False, "unsafe")
    assert f"unsafe: importing `app.tasks` runs {named} at app/tasks.py:" in message
    assert message.endswith("; applied with --unsafe-fixes)")


def test_the_project_can_declare_its_own_calls_pure(root: Path) -> None:
    body = "import torch\nfrom app.utils import retry\n\n@retry\ndef run():\n    return torch\n"
    files = {"app/utils.py": REGISTERING_RETRY}
    assert verdict(root, body, **files)[2] == "unsafe"
    assert verdict(root, body, 'extend-pure-calls = ["app.utils.retry"]\n', **files)[1:] == (True, "safe")


def test_a_first_party_base_class_is_judged_by_its_own_bases(root: Path) -> None:
    files = {"app/schemas.py": "from pydantic import BaseModel\n\nclass Base(BaseModel):\n    pass\n\n"
                               "class Named(Base):\n    name: str = ''\n",
             "app/plugins.py": "class Plugin:\n    def __init_subclass__(cls):\n        REGISTRY.append(cls)\n"}
    safe = "import torch\nfrom app.schemas import Named\n\nclass Out(Named):\n    pass\n\ndef run():\n    return torch\n"
    assert verdict(root, safe, **files)[2] == "safe"
    registering = "import torch\nfrom app.plugins import Plugin\n\nclass P(Plugin):\n    pass\n\ndef run():\n    return torch\n"
    assert verdict(root, registering, **files)[2] == "unsafe"


def test_an_effect_in_a_module_loaded_through_the_deferred_one_counts(root: Path) -> None:
    files = {"app/jobs.py": "from app.celery import app\n\n@app.task\ndef job():\n    return 1\n",
             "app/celery.py": "app = object()\n"}
    message, _, safety = verdict(root, "import torch\nimport app.jobs\n\ndef run():\n    return torch, app.jobs\n",
                                 **files)
    assert safety == "unsafe" and "importing `app.jobs` runs a decorator (app.celery.app.task)" in message


def test_fix_applies_an_unsafe_deferral_only_when_asked(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    write(root, {"app/__init__.py": "", "app/router.py": ROUTER, "app/celery.py": "app = object()\n",
                 "app/tasks.py": "import torch\nfrom app.celery import app\n\n@app.task\ndef run():\n    return torch\n"})
    config = load_config(root, Overrides())
    router = root / "app" / "router.py"
    assert fix_files([router], config).changes == []
    (change,) = fix_files([router], config._replace(unsafe_fixes=True)).changes
    assert b"def endpoint():\n    from app.tasks import run\n" in change[2]


def test_lint_counts_the_fixes_left_to_unsafe_fixes(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    write(root, {"app/__init__.py": "", "app/router.py": ROUTER, "app/celery.py": "app = object()\n",
                 "app/tasks.py": "import torch\nfrom app.celery import app\n\n@app.task\ndef run():\n    return torch\n"})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "lazyimport_codemod", "lint", "--no-cache", "--format", "json",
                           "app/router.py"], cwd=root, capture_output=True, text=True, env=env)
    (item,) = json.loads(done.stdout)
    assert (item["fixable"], item["fix_safety"]) == (False, "unsafe")
    assert "(0 fixable with `lazyimport fix`, 1 more with `--unsafe-fixes`)" in done.stderr


WRAPPING = """\
import functools
import inspect
from functools import wraps


def timed(func):
    \"\"\"Log how long a call takes.\"\"\"
    @wraps(func)
    def inner(*args, **kwargs):
        print("timing")
        return func(*args, **kwargs)

    @functools.wraps(func)
    async def ainner(*args, **kwargs):
        return await func(*args, **kwargs)

    inner.timed = True
    return ainner if inspect.iscoroutinefunction(func) else inner


def timeout(seconds=5):
    if seconds < 0:
        raise ValueError("seconds")

    def decorator(func):
        func.timeout = seconds
        return func

    return decorator


def mark(func):
    func.marked = True
    return func


HANDLERS = []


def handler(name):
    def decorator(func):
        HANDLERS.append((name, func))
        return func
    return decorator


def bind(app):
    app.bound = True

    def decorator(func):
        return func
    return decorator
"""


@pytest.mark.parametrize("body", [
    "from app.utils import timed\n\n@timed\ndef job():\n    return 1\n",
    "from app.utils import timeout\n\n@timeout(3)\ndef job():\n    return 1\n",
    "from app.utils import mark\n\n@mark\ndef job():\n    return 1\n",
    "from app import timed\n\n@timed\ndef job():\n    return 1\n",
    "import app.utils\n\n@app.utils.timeout(seconds=1)\ndef job():\n    return 1\n",
    "from functools import wraps\n\ndef own(func):\n    @wraps(func)\n    def inner():\n        return func()\n"
    "    return inner\n\n@own\ndef job():\n    return 1\n",
], ids=["wrapper", "factory", "sets an attribute", "re-exported", "dotted factory", "own module's"])
def test_a_first_party_decorator_that_only_wraps_is_pure(root: Path, body: str) -> None:
    files = {"app/utils.py": WRAPPING, "app/__init__.py": "from app.utils import timed\n"}
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n", **files)
    assert (fixable, safety) == (True, "safe"), message


@pytest.mark.parametrize("body,named", [
    ("from app.utils import handler\n\n@handler('x')\ndef job():\n    return 1\n", "a decorator (app.utils.handler)"),
    ("from app.utils import bind\nfrom app.celery import app as celery\n\n@bind(celery)\ndef job():\n    return 1\n",
     "a decorator (app.utils.bind)"),
], ids=["registers", "changes its argument"])
def test_a_first_party_decorator_that_acts_elsewhere_is_not(root: Path, body: str, named: str) -> None:
    files = {"app/utils.py": WRAPPING, "app/celery.py": "app = object()\n"}
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n", **files)
    assert (fixable, safety) == (False, "unsafe")
    assert f"runs {named} at app/tasks.py:" in message


@pytest.mark.parametrize("body", [
    "import logging\n\nlogger = logging.getLogger(__name__)\nlogging.getLogger(__name__).warning('loaded')\n"
    "logging.info('x')\n",
    "from loguru import logger\n\nlogger.debug('loaded')\n",
    "import json\n\nclass Encoder(json.JSONEncoder):\n    pass\n",
    "from fastapi.responses import StreamingResponse\n\nclass Stream(StreamingResponse):\n    pass\n",
    "from sqlalchemy.orm import DeclarativeBase\n\nclass Base(DeclarativeBase):\n    pass\n\n"
    "class User(Base):\n    pass\n",
    "class Item:\n    @property\n    def name(self):\n        return 1\n\n    @name.setter\n"
    "    def name(self, value):\n        pass\n",
], ids=["log record", "loguru", "stdlib base", "fastapi base", "declarative base of its own", "property setter"])
def test_more_that_stays_within_the_module(root: Path, body: str) -> None:
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n")
    assert (fixable, safety) == (True, "safe"), message


@pytest.mark.parametrize("body,named", [
    ("import logging\n\nlogging.basicConfig(level='INFO')\n", "a call to logging.basicConfig()"),
    ("from app.db import Base\n\nclass User(Base):\n    pass\n", "a subclass of app.db.Base"),
], ids=["logging configured", "model of another module's declarative base"])
def test_what_reaches_beyond_the_module_stays_unsafe(root: Path, body: str, named: str) -> None:
    files = {"app/db.py": "from sqlalchemy.orm import DeclarativeBase\n\nclass Base(DeclarativeBase):\n    pass\n"}
    message, fixable, safety = verdict(root, "import torch\n" + body + "\ndef run():\n    return torch\n", **files)
    assert (fixable, safety) == (False, "unsafe")
    assert f"runs {named}" in message


def test_a_base_reached_twice_through_a_diamond_is_still_pure(root: Path) -> None:
    files = {"app/schemas.py": "from pydantic import BaseModel\n\nclass Protocol:\n    pass\n\n"
                               "class Block(BaseModel, Protocol):\n    pass\n\n"
                               "class Cached(Block, Protocol):\n    pass\n"}
    body = "import torch\nfrom app.schemas import Cached, Protocol\n\nclass Text(Cached, Protocol):\n    pass\n\n" \
           "def run():\n    return torch\n"
    assert verdict(root, body, **files)[1:] == (True, "safe")


def test_a_base_re_exported_by_a_package_is_judged_where_it_is_defined(root: Path) -> None:
    files = {"app/schemas/__init__.py": "from app.schemas.nodes import Node\nfrom .plugins import Plugin\n",
             "app/schemas/nodes.py": "from pydantic import BaseModel\n\nclass Node(BaseModel):\n    pass\n",
             "app/schemas/plugins.py": "class Plugin:\n    def __init_subclass__(cls):\n        pass\n"}
    body = "import torch\nfrom app.schemas import {}\n\nclass Text({}):\n    pass\n\ndef run():\n    return torch\n"
    assert verdict(root, body.format("Node", "Node"), **files)[1:] == (True, "safe")
    assert verdict(root, body.format("Plugin", "Plugin"), **files)[1:] == (False, "unsafe")


@pytest.mark.parametrize("router,safety", [
    ("from app.tasks import run\n\n\ndef endpoint():\n    return run()\n", "unsafe"),
    ("from app.config import settings\nfrom app.tasks import run\n\n\ndef endpoint():\n    return run(settings)\n",
     "safe"),
    ("from app.tasks import run\nfrom app.tasks import NAME\n\nTITLE = NAME.title()\n\n\ndef endpoint():\n"
     "    return run()\n", "safe"),
], ids=["postponed", "config imported anyway", "module kept by another name"])
def test_an_effect_the_file_runs_anyway_is_not_postponed(root: Path, router: str, safety: str) -> None:
    # app.config loads the environment; the router keeps importing it (or app.tasks) eagerly.
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    write(root, {"app/__init__.py": "", "app/router.py": router,
                 "app/config.py": "from dotenv import load_dotenv\n\nload_dotenv()\nsettings = {}\n",
                 "app/tasks.py": "import torch\nimport app.config\n\nNAME = 'tasks'\n\n\ndef run(*a):\n    return torch\n"})
    clear_caches()
    config = load_config(root, Overrides())
    found = [d for d in check(analyse([root / "app" / "router.py"], config)).diagnostics if "run" in d.names]
    assert [d.fix_safety for d in found] == [safety]
