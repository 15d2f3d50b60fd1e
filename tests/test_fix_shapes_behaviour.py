"""Conditional imports, names bound twice, aliases and optional imports keep their behaviour.

Each case is a module run before and after ``lazyimport fix`` in fresh interpreters, through
every branch: each condition true and false (set by environment variables), each fake heavy
package installed and missing, each name and alias used.  After the fix no fake heavy package
is loaded by importing the module, every call gives the same answer (or raises the same
exception), a second fix changes nothing, lint finds nothing more to fix and the output compiles.
"""

from __future__ import annotations

import json
import os
import py_compile
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Mapping, Sequence

import pytest

from test_fix_behaviour import lazyimport, write_tree

REPO = Path(__file__).resolve().parent.parent
FAKES = ("fakeaws", "fakeheavy", "fakeml")

# Fake heavy packages; each records nothing but its presence in sys.modules.
SITE = {
    "fakeaws/__init__.py": """
        def client(name):
            return f"aws:{name}"
    """,
    "fakeheavy/__init__.py": """
        NAME = "heavy"

        class Chunk:
            kind = "chunk"

        def zeros(n):
            return [0] * n
    """,
    "fakeheavy/linalg.py": """
        def norm(xs):
            return sum(abs(x) for x in xs)
    """,
    "fakeheavy/stats.py": """
        def mean(xs):
            return sum(xs) / len(xs)
    """,
    "fakeml/__init__.py": """
        def zeros(n):
            return (0,) * n
    """,
}

PROBE = """
import importlib, json, os, sys
results = {}
try:
    module = importlib.import_module(MODULE)
except Exception as exc:
    print(json.dumps({"import_error": f"{type(exc).__name__}: {exc}"}))
    raise SystemExit(0)
loaded = sorted(m for m in FAKES if m in sys.modules)
for call in CALLS:
    try:
        results[call] = repr(eval(call, vars(module)))
    except Exception as exc:
        results[call] = f"{type(exc).__name__}"
print(json.dumps({"loaded": loaded, "results": results}))
"""


def _observe(project: Path, site: Path, module: str, calls: Sequence[str],
             env: Mapping[str, str]) -> dict[str, object]:
    code = f"MODULE = {module!r}\nCALLS = {list(calls)!r}\nFAKES = {FAKES!r}\n" + PROBE
    environment = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(project), str(site), str(REPO)])}
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _sites(tmp_path: Path) -> dict[str, Path]:
    """Every fake package installed, and each of them missing in turn."""
    sites = {}
    for missing in ("", *FAKES):
        site = tmp_path / f"site-{missing or 'all'}"
        write_tree(site, {name: text for name, text in SITE.items() if not missing or not name.startswith(missing + "/")})
        sites[missing or "all"] = site
    return sites


def _fixed(tmp_path: Path, source: str, *options: str) -> tuple[Path, Path, str]:
    """(the original project, the fixed copy, the fixed source), checking the fix's promises."""
    before = tmp_path / "before"
    write_tree(before, {"mod.py": source})
    (before / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeaws", "fakeheavy", "fakeml"]\n')
    after = tmp_path / "after"
    shutil.copytree(before, after)
    result = lazyimport(after, "fix", *options, "mod.py")
    assert result.returncode in (0, 1), result.stderr
    fixed = (after / "mod.py").read_text()
    assert fixed != textwrap.dedent(source).lstrip("\n"), result.stdout
    py_compile.compile(str(after / "mod.py"), doraise=True)
    again = lazyimport(after, "fix", *options, "mod.py")
    assert again.returncode in (0, 1), again.stderr
    assert (after / "mod.py").read_text() == fixed, "a second fix changed the file"
    lint = lazyimport(after, "lint", "--format", "json", "mod.py")
    assert not [d for d in json.loads(lint.stdout) if d["fixable"]], lint.stdout
    return before, after, fixed


def _same_everywhere(tmp_path: Path, before: Path, after: Path, calls: Sequence[str],
                     envs: Sequence[Mapping[str, str]]) -> None:
    """Same answers before and after, in every environment and with every package missing;
    after the fix, importing the module loads no fake heavy package."""
    for site_name, site in _sites(tmp_path).items():
        for env in envs:
            old = _observe(before, site, "mod", calls, env)
            new = _observe(after, site, "mod", calls, env)
            if str(old.get("import_error", "")).startswith("ModuleNotFoundError"):
                # A required package that is missing: any deferral moves its error to the
                # first use (the runtime helper's promise), past the import of the module.
                continue
            assert new.get("results") == old.get("results"), (site_name, env, old, new)
            assert new.get("import_error") == old.get("import_error"), (site_name, env, old, new)
            if "loaded" in new:
                assert new["loaded"] == [], (site_name, env, new)


CONDITIONAL = """
    import os

    SECRETS = os.environ.get("SECRETS", "env")

    if SECRETS == "env":
        secrets = "env"
    elif SECRETS == "kms":
        import fakeaws  # the AWS SDK
    else:
        fakeaws = None

    if os.environ.get("BACKEND") == "heavy":
        import fakeheavy as backend
    elif os.environ.get("BACKEND") == "ml":
        import fakeml as backend
    else:
        backend = None

    if os.environ.get("STATS"):
        import fakeheavy.stats

        def mean(xs):
            return fakeheavy.stats.mean(xs)


    def kms():
        return fakeaws.client("kms")


    def zeros(n):
        return backend.zeros(n)
"""


def test_conditional_imports_keep_every_branch(tmp_path: Path) -> None:
    before, after, fixed = _fixed(tmp_path, CONDITIONAL)
    assert "    if TYPE_CHECKING:\n        import fakeaws" in fixed
    assert 'backend = lazy_import("fakeml")' in fixed
    assert "def mean(xs):\n        import fakeheavy.stats" in fixed
    envs = [{}, {"SECRETS": "kms"}, {"SECRETS": "vault"}, {"BACKEND": "heavy"}, {"BACKEND": "ml"},
            {"STATS": "1"}]
    _same_everywhere(tmp_path, before, after, ["kms()", "zeros(2)", "mean([1, 3])"], envs)


BOUND_TWICE = """
    import fakeheavy.linalg
    import fakeheavy.stats

    import fakeml
    import fakeml

    __all__ = ["fakeheavy"]


    def norm(xs):
        return fakeheavy.linalg.norm(xs)


    def mean(xs):
        return fakeheavy.stats.mean(xs)


    def zeros(n):
        return fakeml.zeros(n)
"""


@pytest.mark.parametrize("strategy", ["auto", "proxy"])
def test_names_bound_twice_defer_as_one(tmp_path: Path, strategy: str) -> None:
    before, after, fixed = _fixed(tmp_path, BOUND_TWICE, "--strategy", strategy)
    assert 'lazy_import("fakeheavy.linalg", top_level=True, submodules=("fakeheavy.stats",))' in fixed
    calls = ["norm([1, -2])", "mean([1, 3])", "zeros(2)", "fakeheavy.NAME", "sorted(vars(fakeheavy.stats))[:3]"]
    _same_everywhere(tmp_path, before, after, calls, [{}])


ALIASES = """
    from fakeheavy import Chunk
    import fakeml as ml

    ChunkType = Chunk
    Backend = ml


    def kind():
        return ChunkType.kind, Chunk.kind


    def same():
        return isinstance(Chunk(), ChunkType), ChunkType == Chunk


    def zeros(n):
        return Backend.zeros(n), ml.zeros(n)
"""


def test_aliases_of_heavy_names_defer_both_names(tmp_path: Path) -> None:
    before, after, fixed = _fixed(tmp_path, ALIASES)
    assert 'Chunk = lazy_import("fakeheavy", "Chunk")' in fixed and "ChunkType = Chunk\n" in fixed
    calls = ["kind()", "same()", "zeros(2)", "Backend.zeros(1)", "ChunkType.__name__"]
    _same_everywhere(tmp_path, before, after, calls, [{}])


ATTRIBUTE_ALIASES = """
    import fakeheavy as fh
    import fakeheavy.linalg
    import fakeml

    ChunkType = fh.Chunk  # the chunk class
    Norm = fakeheavy.linalg.norm
    Zeros = fakeml.zeros


    def kind():
        return ChunkType.kind, fh.Chunk.kind


    def same():
        return isinstance(fh.Chunk(), ChunkType), ChunkType == fh.Chunk, Norm == fakeheavy.linalg.norm


    def zeros(n):
        return Zeros(n), Norm([1, -2])
"""


def test_aliases_of_module_attributes_defer_both_names(tmp_path: Path) -> None:
    before, after, fixed = _fixed(tmp_path, ATTRIBUTE_ALIASES)
    assert ("if TYPE_CHECKING:\n    ChunkType = fh.Chunk  # the chunk class\n"
            'else:\n    ChunkType = lazy_import("fakeheavy", "Chunk")\n') in fixed
    assert 'Norm = lazy_import("fakeheavy.linalg", "norm")' in fixed
    assert 'Zeros = lazy_import("fakeml", "zeros")' in fixed
    assert 'fh = lazy_import("fakeheavy")' in fixed
    calls = ["kind()", "same()", "zeros(2)", "ChunkType.__name__", "Zeros(1)", "Norm([3])"]
    _same_everywhere(tmp_path, before, after, calls, [{}])


def test_attribute_alias_pinned_by_its_own_use_at_import_time(tmp_path: Path) -> None:
    source = """
        import fakeheavy as fh

        ChunkType = fh.Chunk
        KIND = ChunkType.kind


        def make():
            return fh.Chunk()
    """
    write_tree(tmp_path, {"mod.py": source})
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\n')
    lint = lazyimport(tmp_path, "lint", "--format", "json", "mod.py")
    (found,) = json.loads(lint.stdout)
    assert not found["fixable"] and "line 4" in found["message"], found


def test_mypy_sees_no_new_errors_after_attribute_alias(tmp_path: Path) -> None:
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.fail("mypy is a test dependency: pip install '.[test]'")
    source = """
        from __future__ import annotations

        import fakeheavy as fh
        import fakeheavy.linalg

        ChunkType = fh.Chunk
        Norm = fakeheavy.linalg.norm


        def make() -> ChunkType:
            return ChunkType()


        def norm(xs: list[int]) -> int:
            wrong: str = Norm(xs)
            return Norm(xs)
    """
    site = {
        "fakeheavy/__init__.py": "class Chunk:\n    kind = 'chunk'\n",
        "fakeheavy/linalg.py": "def norm(xs: list[int]) -> int:\n    return sum(xs)\n",
        "fakeheavy/py.typed": "",
    }
    before, after, fixed = _fixed(tmp_path, source)
    outputs = []
    for project in (before, after):
        write_tree(project, site)
        result = subprocess.run([str(mypy), "--no-incremental", "--strict", "mod.py"], cwd=project,
                                capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        outputs.append(sorted(line.split(": error:", 1)[1] for line in result.stdout.splitlines()
                              if ": error:" in line))
    assert any("Incompatible types in assignment" in line for line in outputs[0])  # mypy sees the real type
    assert 'ChunkType = lazy_import("fakeheavy", "Chunk")' in fixed
    assert outputs[1] == outputs[0], fixed
