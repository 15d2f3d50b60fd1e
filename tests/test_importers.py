"""Who else imports a module's names (:mod:`lazyimport_codemod.project.importers`), read from bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyimport_codemod.pipeline import analyse
from lazyimport_codemod.settings.config import Overrides, load_config

FILES = {
    "pyproject.toml": "[tool.lazyimport]\n",
    "p/__init__.py": "",
    "p/m1.py": "name = 1\n",
    "p/m2.py": "",
    "p/m3.py": "",
    "p/sub/__init__.py": "",
    "p/sub/s1.py": "",
    "p/sub/s2.py": "a = b = 1\n",
    "p/sub/extra.py": (
        "import p.sub.s1 as alias, p.m1, os.path, p\n"
        "from .. import m2, m3 as three\n"
        "from . import *\n"
        "from ...toofar import x\n"
        "from .s2 import (a,\n    b as c)\n"
        "from numpy import array\n"
        "import pandas.io as pio\n"
        "\n"
        "def f():\n    return p.m1.name\n"
    ),
    "q/user.py": "from p import m1 as first\n\ndef g():\n    return first.name\n",
}


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    analysis = analyse(sorted(tmp_path.rglob("*.py")), load_config(tmp_path, Overrides()))
    found = analysis.checker.importers
    assert found is not None
    return found


def test_from_imports_are_takers_with_their_bound_names(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "p" / "sub" / "extra.py"
    assert [(t.path, t.line, t.bound) for t in index.takers("p", "m2")] == [(extra, 2, "m2")]
    assert [(t.path, t.line, t.bound) for t in index.takers("p", "m3")] == [(extra, 2, "three")]
    assert [t.bound for t in index.takers("p.sub.s2", "a")] == ["a"]
    assert [t.bound for t in index.takers("p.sub.s2", "b")] == ["c"]
    assert [t.path.name for t in index.takers("p", "m1")] == ["user.py"]
    assert index.takers("numpy", "array") == []  # only first-party modules are indexed


def test_star_imports_and_attribute_spellings_are_found(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    star = index.star("p.sub")
    assert star is not None and star.path.name == "extra.py" and star.line == 3
    assert index.star("p") is None
    # `import p.m1` then `p.m1.name`, and `from p import m1 as first` then `first.name`.
    assert index.attribute_user("p.m1", "name", tmp_path / "nowhere.py") is not None
    assert index.attribute_user("p.m1", "missing", tmp_path / "nowhere.py") is None
    assert index.attribute_user("p.sub.s1", "anything", tmp_path / "nowhere.py") is None
