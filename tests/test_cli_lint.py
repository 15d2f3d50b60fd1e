"""`lazyimport lint` as a user runs it: exit codes, formats, bad input, the example app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lazyimport_codemod.cli.commands import main

REPO = Path(__file__).resolve().parent.parent
JSON_FIELDS = {
    "path", "line", "column", "end_line", "end_column", "code", "message",
    "package", "names", "fixable", "fix", "chain",
}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "lazyimport_codemod", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=60,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    app = tmp_path / "app"
    (app / "services").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "services" / "__init__.py").write_text("")
    (app / "services" / "embed.py").write_text(
        "import torch\n\n\ndef embed(t):\n    return torch.ones(len(t))\n"
    )
    (app / "search.py").write_text(
        "from app.services.embed import embed\n\n\ndef search(q):\n    return embed(q)\n"
    )
    (app / "clean.py").write_text("import json\n")
    return tmp_path


def test_clean_file_exits_zero(project: Path) -> None:
    result = run(["lint", "app/clean.py"], project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "All checks passed" in result.stderr


def test_text_output_and_exit_one(project: Path) -> None:
    result = run(["lint", "app"], project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{os.path.join('app', 'search.py')}:1:1: LI002 ")
    assert "app.search -> app.services.embed -> torch" in lines[0]
    assert "fix cuts the chain at " in lines[0]
    assert lines[1].startswith(f"{os.path.join('app', 'services', 'embed.py')}:1:1: LI001 ")
    assert "fix moves the import into `embed()` (line 4)" in lines[1]
    assert "Found 2 diagnostics" in result.stderr


def test_linting_only_the_router_defers_the_first_party_import(project: Path) -> None:
    result = run(["lint", "app/search.py"], project)
    assert result.returncode == 1
    assert "fix moves the import into `search()` (line 4)" in result.stdout


def test_json_output(project: Path) -> None:
    result = run(["lint", "--format", "json", "app"], project)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [d["code"] for d in data] == ["LI002", "LI001"]
    for item in data:
        assert JSON_FIELDS <= set(item)
    assert data[0]["chain"] == ["app.search", "app.services.embed", "torch"]
    assert data[0]["package"] == "torch" and data[0]["fixable"] is True
    assert data[1]["names"] == ["torch"] and data[1]["column"] == 1


def test_github_output(project: Path) -> None:
    result = run(["lint", "--format", "github", "app/services"], project)
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"::error file={os.path.join('app', 'services', 'embed.py')},line=1,col=1,"
    )
    assert "title=LI001::" in result.stdout


def test_heavy_package_options(project: Path) -> None:
    assert run(["lint", "--heavy-packages", "numpy", "app"], project).returncode == 0
    extended = run(["lint", "--heavy-packages", "numpy", "--extend-heavy-packages", "json", "app"], project)
    assert extended.returncode == 1
    assert "heavy package `json`" in extended.stdout


def test_missing_path_is_usage_error(project: Path) -> None:
    result = run(["lint", "nope"], project)
    assert result.returncode == 2
    assert "nope" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("syntax.py", b"import torch\ndef f(:\n", "syntax error", id="syntax error"),
        pytest.param("utf8.py", b"import torch\nx = '\xff\xfe'\n", "decode", id="invalid utf-8"),
        pytest.param("nul.py", b"import torch\x00\n", "", id="null byte"),
    ],
)
def test_bad_file_reported_and_others_still_checked(project: Path, name: str, data: bytes, reason: str) -> None:
    (project / "app" / name).write_bytes(data)
    result = run(["lint", "app"], project)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(error_lines) == 1 and error_lines[0].startswith(os.path.join("app", name))
    assert reason in error_lines[0]
    assert "LI001" in result.stdout  # embed.py is still checked


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xef\xbb\xbfimport torch\n\n\ndef f():\n    return torch\n", id="bom"),
        pytest.param(b"import torch\r\n\r\n\r\ndef f():\r\n    return torch\r\n", id="crlf"),
        pytest.param(b"# -*- coding: latin-1 -*-\nimport torch\nS = '\xe9'\n\n\ndef f():\n    return torch\n", id="latin-1 cookie"),
    ],
)
def test_encodings_and_line_endings(project: Path, data: bytes) -> None:
    (project / "app" / "enc.py").write_bytes(data)
    result = run(["lint", "app/enc.py"], project)
    assert result.returncode == 1, result.stderr
    assert "LI001" in result.stdout and "`f()`" in result.stdout


def test_empty_file(project: Path) -> None:
    (project / "app" / "empty.py").write_bytes(b"")
    assert run(["lint", "app/empty.py"], project).returncode == 0


def test_non_ascii_columns_are_characters(project: Path) -> None:
    (project / "app" / "uni.py").write_text("x = 'é'; import torch\n\n\ndef f():\n    return torch\n", encoding="utf-8")
    result = run(["lint", "--format", "json", "app/uni.py"], project)
    assert json.loads(result.stdout)[0]["column"] == 10  # 11 if bytes were counted


def test_noqa_silences(project: Path) -> None:
    (project / "app" / "services" / "embed.py").write_text(
        "import torch  # noqa: LI001\n\n\ndef embed(t):\n    return torch.ones(1)\n"
    )
    result = run(["lint", "app/services"], project)
    assert result.returncode == 0, result.stdout


def test_lint_does_not_import_libcst(project: Path) -> None:
    code = (
        "import sys\nfrom lazyimport_codemod.cli.commands import main\n"
        "try:\n    main(['lint', 'app'])\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_lint_of_an_edited_file_imports_neither_typing_nor_libcst(project: Path) -> None:
    # What the console script runs when pre-commit passes a file just edited: the settings
    # were read by the run before (the TOML parser imports typing), the files' facts cached.
    code = (
        "import os, sys\n"
        "before = set(sys.modules)  # what start-up imported (an editable install's finder...)\n"
        "exit = os._exit\n"
        "def report(status):\n"
        "    loaded = set(sys.modules) - before\n"
        "    print('loaded:', sorted(m for m in ('libcst', 'typing', 'pickle') if m in loaded), flush=True)\n"
        "    exit(status)\n"
        "os._exit = report\n"
        "sys.argv = ['lazyimport', 'lint', 'app']\n"
        "from lazyimport_codemod.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "report(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    settled = time.time() - 60  # settings older than the runs, as in a real checkout
    for path in (project, project / "pyproject.toml"):
        os.utime(path, (settled, settled))
    loaded = []
    for edit in ("", "# edited\n"):
        with open(project / "app" / "search.py", "a") as handle:
            handle.write(edit)
        os.utime(project, (settled, settled))  # the first run's cache folder, made long ago
        out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, env=env)
        assert "LI002" in out.stdout, out.stdout + out.stderr
        loaded.append(next(line for line in out.stdout.splitlines() if line.startswith("loaded:")))
    assert "libcst" not in loaded[0]
    assert loaded[1] == "loaded: []"


def test_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["lint", "examples/slowapp"])
    assert result.exit_code == 1
    out = result.output
    assert "slowapp.routers.search -> slowapp.services.embed -> torch" in out
    assert "LI001 heavy package `pandas`" in out
    assert "cannot defer" in out  # scoring.py's model is built at import time


def test_standard_library_module_listed_as_heavy_is_traced(project: Path) -> None:
    (project / "app" / "xmlish.py").write_text("import json\n\n\ndef f():\n    return json.dumps(1)\n")
    result = run(["lint", "--extend-heavy-packages", "json", "app/xmlish.py"], project)
    assert "fix moves the import into `f()` (line 4)" in result.stdout, result.stdout


def test_warnings_about_the_users_code_are_not_printed(project: Path) -> None:
    (project / "warn.py").write_text('import torch\n\nPATTERN = "\\d+"\n\n\ndef f():\n    return torch\n')
    for args in (["lint", "--no-cache", "warn.py"], ["fix", "--diff", "--no-cache", "warn.py"]):
        result = run(args, project)
        assert "Warning" not in result.stderr, result.stderr
        assert "warn.py" in result.stdout
