"""Atomic writes that keep the file mode, and git-style diffs for ``fix --diff``."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from lazyimport_codemod.files import write_atomic
from lazyimport_codemod.fix.diff import unified_diff

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and symlinks")


def test_write_replaces_contents_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "mod.py"
    target.write_bytes(b"old\n")
    write_atomic(target, b"new\r\n")
    assert target.read_bytes() == b"new\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]


@posix_only
def test_write_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "script.py"
    target.write_bytes(b"#!/usr/bin/env python\n")
    target.chmod(0o751)
    write_atomic(target, b"#!/usr/bin/env python\nprint()\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o751


@posix_only
def test_write_through_a_symlink_updates_the_target(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "mod.py"
    real.write_bytes(b"old\n")
    link_dir = tmp_path / "links"
    link_dir.mkdir()
    link = link_dir / "mod.py"
    link.symlink_to(real)
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"
    assert sorted(p.name for p in real_dir.iterdir()) == ["mod.py"]
    assert sorted(p.name for p in link_dir.iterdir()) == ["mod.py"]


def test_failed_write_leaves_the_original_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mod.py"
    target.write_bytes(b"original\n")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("lazyimport_codemod.files.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"half a mod")
    assert target.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]


def test_write_to_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "new.py"
    write_atomic(target, b"x = 1\n")
    assert target.read_bytes() == b"x = 1\n"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_diff_headers_and_hunks() -> None:
    before = b"import os\nimport numpy as np\n\n\ndef f():\n    return np.zeros(1)\n"
    after = b"import os\n\n\ndef f():\n    import numpy as np\n    return np.zeros(1)\n"
    assert unified_diff("app/routers/search.py", before, after) == (
        "--- a/app/routers/search.py\n"
        "+++ b/app/routers/search.py\n"
        "@@ -1,6 +1,6 @@\n"
        " import os\n"
        "-import numpy as np\n"
        " \n"
        " \n"
        " def f():\n"
        "+    import numpy as np\n"
        "     return np.zeros(1)\n"
    )


def test_diff_of_identical_bytes_is_empty() -> None:
    assert unified_diff("x.py", b"a = 1\n", b"a = 1\n") == ""


def test_diff_decodes_with_the_file_encoding_and_hides_crlf() -> None:
    before = "# -*- coding: latin-1 -*-\r\nA = 'é'\r\nimport numpy\r\n".encode("latin-1")
    after = "# -*- coding: latin-1 -*-\r\nA = 'é'\r\n".encode("latin-1")
    diff = unified_diff("m.py", before, after)
    assert "\r" not in diff
    assert " A = 'é'\n-import numpy\n" in diff


def test_diff_with_bom() -> None:
    diff = unified_diff("m.py", b"\xef\xbb\xbfx = 1\n", b"\xef\xbb\xbfx = 2\n")
    assert diff.endswith("-x = 1\n+x = 2\n")
    assert "\ufeff" not in diff


def test_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("m.py", b"a\nb", b"a\nc")
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")


def test_diff_does_not_split_lines_at_form_feeds() -> None:
    diff = unified_diff("m.py", b"a\x0cb\nc\n", b"a\x0cb\nd\n")
    assert " a\x0cb\n-c\n+d\n" in diff


def test_diff_survives_undecodable_bytes() -> None:
    diff = unified_diff("m.py", b"x = '\xff'\n", b"y = '\xff'\n")
    assert "-x = '\\xff'\n+y = '\\xff'\n" in diff
