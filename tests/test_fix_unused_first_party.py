"""An unused import of the project's own module becomes a proxy, judged by that module's effects.

``from app.agent import AgentContext`` that nothing in the module uses still binds the name,
and may be there for what importing ``app.agent`` does.  For a module of the project that is
known: fix binds a proxy (the name stays, the module loads on first use) when importing it has
no effect beyond itself, and only with ``--unsafe-fixes`` when it does (here a subclass that
registers on another module's base).  Run before and after in fresh interpreters: the same
answers, the heavy packages left unloaded, and the registration postponed only by the unsafe
fix, which is the difference it is unsafe for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_fix_behaviour import REPO, lazyimport, write_tree

PROJECT = {
    "pyproject.toml": '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "fakeml"]\n',
    "app/__init__.py": "",
    "app/agent.py": """
        import fakeheavy

        ZERO = fakeheavy.zeros(1)


        class AgentContext:
            kind = "agent"
    """,
    "app/base.py": """
        REGISTRY = []


        class Model:
            def __init_subclass__(cls):
                REGISTRY.append(cls.__name__)
    """,
    "app/plugins.py": """
        import fakeml

        from app.base import Model

        TABLE = fakeml.zeros(2)


        class Plugin(Model):
            pass
    """,
    "app/api.py": """
        from app.agent import AgentContext
        from app import plugins


        def handle():
            return 1
    """,
}

SITE = {
    "fakeheavy/__init__.py": "def zeros(n):\n    return [0] * n\n",
    "fakeml/__init__.py": "def zeros(n):\n    return (0,) * n\n",
}

PROBE = """
import json, sys
import app.api, app.base
state = {"loaded": sorted(m for m in ("fakeheavy", "fakeml") if m in sys.modules),
         "registry": list(app.base.REGISTRY), "handle": app.api.handle()}
state["kind"] = app.api.AgentContext.kind
state["plugin"] = app.api.plugins.Plugin.__name__
state["registry_after_use"] = list(app.base.REGISTRY)
print(json.dumps(state))
"""


def _run(project: Path, site: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site), str(REPO)])}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=project, capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_unused_imports_of_own_modules_become_proxies_judged_by_effects(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    before = tmp_path / "before"
    write_tree(before, PROJECT)
    original = _run(before, site)
    assert original == {"loaded": ["fakeheavy", "fakeml"], "registry": ["Plugin"], "handle": 1, "kind": "agent",
                        "plugin": "Plugin", "registry_after_use": ["Plugin"]}

    lint = json.loads(lazyimport(before, "lint", "--format", "json", "app/api.py").stdout)
    by_line = {d["line"]: d for d in lint}
    assert by_line[1]["fix_safety"] == "safe" and "nothing here uses it" in by_line[1]["fix"]
    assert by_line[2]["fix_safety"] == "unsafe" and "registers its subclasses" in by_line[2]["fix"]

    safe = tmp_path / "safe"
    shutil.copytree(before, safe)
    assert lazyimport(safe, "fix", "app").returncode in (0, 1)
    assert 'AgentContext = lazy_import("app.agent", "AgentContext")' in (safe / "app/api.py").read_text()
    assert "from app import plugins\n" in (safe / "app/api.py").read_text()
    assert _run(safe, site) == {**original, "loaded": ["fakeml"]}

    unsafe = tmp_path / "unsafe"
    shutil.copytree(before, unsafe)
    assert lazyimport(unsafe, "fix", "--unsafe-fixes", "app").returncode in (0, 1)
    assert 'plugins = lazy_import("app", "plugins")' in (unsafe / "app/api.py").read_text()
    # The difference the fix is unsafe for: Plugin registers on first use, not on import.
    assert _run(unsafe, site) == {**original, "loaded": [], "registry": []}
    fixed = (unsafe / "app/api.py").read_text()
    assert lazyimport(unsafe, "fix", "--unsafe-fixes", "app").returncode in (0, 1)
    assert (unsafe / "app/api.py").read_text() == fixed  # one run reaches the fixed point
