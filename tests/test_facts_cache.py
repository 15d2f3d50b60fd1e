"""Facts kept between runs give the answers a fresh parse gives, and never answer for changed input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lazyimport_codemod.pipeline import analyse, check
from lazyimport_codemod.records import LintResult
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.speed import facts_cache, parallel

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "examples", root)
    shutil.copytree(REPO / "tests" / "fixtures" / "li002_parent_package" / "app", root / "app")
    monkeypatch.chdir(root)
    return root


def _run(root: Path, **options: object) -> LintResult:
    config = load_config(root, Overrides())
    files = sorted(p for p in root.rglob("*.py") if ".lazyimport_cache" not in p.parts)
    return check(analyse(files, config, **options))  # type: ignore[arg-type]


def test_cached_facts_and_processes_give_the_same_answers(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _run(project)
    assert plain.diagnostics  # the example has plenty
    assert _run(project, jobs=2, prefilter=False).diagnostics == _run(project, prefilter=False).diagnostics
    assert _run(project, jobs=2) == plain
    cold = _run(project, cache=True)
    assert (project / ".lazyimport_cache" / ".gitignore").read_text().endswith("*\n")

    def no_parsing(*args: object) -> None:
        raise AssertionError("a warm run must not parse")

    monkeypatch.setattr(facts_cache, "extract", no_parsing)
    monkeypatch.setattr(parallel, "extract", no_parsing)
    monkeypatch.setattr("lazyimport_codemod.project.graph.extract", no_parsing)
    warm = _run(project, cache=True)
    assert cold == plain and warm == plain


def test_corrupt_or_stale_entries_are_misses(project: Path) -> None:
    _run(project, cache=True)
    folder = next((project / ".lazyimport_cache").glob("*-*"))
    for entry in folder.iterdir():
        entry.write_bytes(b"not a pickle")
    assert _run(project, cache=True) == _run(project)


def test_changed_file_is_analysed_again(project: Path) -> None:
    _run(project, cache=True)
    embed = project / "slowapp" / "services" / "embed.py"
    embed.write_text(embed.read_text().replace("import torch\n", ""))
    fresh = _run(project, cache=True)
    assert not [d for d in fresh.diagnostics if d.package == "torch"]
    assert fresh == _run(project)


def test_an_entry_made_by_another_python_is_not_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What parses (and the positions ast gives) depends on the Python version: a facts
    entry written by one Python must not answer another."""
    expected = _run(project, cache=True)
    monkeypatch.setattr(facts_cache, "_PYTHON", "2.7")
    parsed: list[str] = []
    real = facts_cache.extract

    def counted(data: bytes, filename: str, *args: object, **kwargs: object) -> object:
        parsed.append(filename)
        return real(data, filename, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(facts_cache, "extract", counted)
    monkeypatch.setattr(parallel, "extract", counted)
    assert _run(project, cache=True) == expected
    assert any(name.endswith("embed.py") for name in parsed)
