"""Paths in messages: relative to the current folder when inside it, else as they are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lazyimport_codemod.files import DisplayPaths, display_path


@pytest.mark.parametrize("here", ["deep", "/"])
def test_paths_inside_the_current_folder_are_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      here: str) -> None:
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "ab").mkdir()
    monkeypatch.chdir(folder if here == "deep" else here)
    cwd = os.getcwd()
    inside = [f"{cwd}/x.py", f"{cwd}/c/d.py", f"{cwd}//x.py", f"{cwd}/./x.py", f"{cwd}/c/../x.py", "relative/x.py",
              "./x.py"]
    for text in inside:
        assert display_path(text) == os.path.relpath(text), text
        assert display_path(Path(text)) == os.path.relpath(text), text
    if here == "deep":
        for text in [f"{cwd}x.py", f"{tmp_path}/ab/x.py", f"{tmp_path}/a/bc.py", "/x.py"]:
            assert display_path(text) == text, text  # outside: shown whole


def test_a_run_works_each_path_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shown = DisplayPaths()
    path = tmp_path / "pkg" / "mod.py"
    assert shown(path) == os.path.join("pkg", "mod.py")
    monkeypatch.chdir("/")
    assert shown(path) == os.path.join("pkg", "mod.py")  # the folder the run started in
