"""`lazyimport profile`: -X importtime over fresh interpreters, medians, table, tree, suggestion, --write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
from click.testing import CliRunner, Result
from fake_packages import HEAVY_SLEEP, FakeProject, make_fake_project

from lazyimport_codemod.checks import profile
from lazyimport_codemod.cli.check_commands import profile_command
from lazyimport_codemod.settings.config import clear_caches


def invoke(*args: str) -> Result:
    """Run the command as click would, with stdout and stderr kept apart (click 8.1 and 8.2+)."""
    clear_caches()  # the tests edit pyproject.toml between runs
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(profile_command, list(args), catch_exceptions=False)



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """The fake app as the current folder (see fake_packages)."""
    return make_fake_project(tmp_path, monkeypatch)


# --------------------------------------------------------------------------- the command


def test_ranks_the_slow_package_first(project: FakeProject) -> None:
    result = invoke("app.main", "--repeat", "2")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.main: ") and "median of 2 runs" in lines[0]
    header = lines.index(next(line for line in lines if line.split()[:3] == ["cumul", "ms", "self"]))
    cumulative, own, package, kind = lines[header + 1].split(None, 3)
    assert package == "fakeheavy"
    assert float(cumulative) >= HEAVY_SLEEP * 1000 * 0.9
    assert kind == "third-party, heavy"
    assert "fakelight" in result.stdout
    assert "Slowest import chains:" in result.stdout
    tree = result.stdout.split("Slowest import chains:")[1]
    assert tree.index("app.main") < tree.index("app.routers.search") < tree.index("fakeheavy")


def test_json_output(project: FakeProject) -> None:
    result = invoke("app.main", "--repeat", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["module"] == "app.main"
    assert len(document["runs_ms"]) == 1
    assert document["import_ms"] >= HEAVY_SLEEP * 1000 * 0.9
    first = document["packages"][0]
    assert (first["package"], first["kind"], first["heavy"]) == ("fakeheavy", "third-party", True)
    assert {"json", "fakelight"} <= {item["package"] for item in document["packages"]}
    kinds = {item["package"]: item["kind"] for item in document["packages"]}
    assert kinds["json"] == "stdlib"
    (root,) = document["tree"]
    assert root["module"] == "app.main"
    assert document["suggested"] == ["fakeheavy"]
    assert document["heavy_packages_line"] == 'heavy-packages = ["fakeheavy"]'


def test_threshold_and_suggestion(project: FakeProject) -> None:
    result = invoke("app.main", "--repeat", "1", "--threshold", "100")
    assert result.stdout.splitlines()[-1] == 'heavy-packages = ["fakeheavy"]'
    result = invoke("app.main", "--repeat", "1", "--threshold", "10")
    assert result.stdout.splitlines()[-1] == 'heavy-packages = ["fakeheavy", "fakelight"]'
    result = invoke("app.main", "--repeat", "1", "--threshold", "100000")
    assert "nothing to suggest" in result.stdout.splitlines()[-1]


def test_first_party_packages_are_never_suggested(project: FakeProject) -> None:
    project.write("app/__init__.py", "import time\ntime.sleep(0.2)\n")
    project.write("helpers/__init__.py", "import time\ntime.sleep(0.2)\n")
    project.write("app/uses_helpers.py", "import helpers\n")
    document = json.loads(invoke("app.uses_helpers", "--repeat", "1", "--format", "json").stdout)
    assert {"package": "helpers", "kind": "first-party"}.items() <= document["packages"][0].items()
    assert document["own_self_ms"] >= 150
    assert document["suggested"] == []


def test_write_adds_the_line_and_keeps_every_other_byte(project: FakeProject) -> None:
    original = (
        b"# project settings\r\n"
        b"[project]\r\n"
        b'name = "fakeapp"  # keep this comment\r\n'
        b"\r\n"
        b"[tool.lazyimport]\r\n"
        b'strategy = "auto"   # odd   spacing stays\r\n'
        b"\r\n"
        b"[tool.other]\r\n"
        b"items = [\r\n"
        b'  "[tool.lazyimport]",  # a header inside a string\r\n'
        b"]"
    )
    pyproject = project.root / "pyproject.toml"
    pyproject.write_bytes(original)
    result = invoke("app.main", "--repeat", "1", "--write")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == 'Updated pyproject.toml: heavy-packages = ["fakeheavy"]'
    inserted = b'heavy-packages = ["fakeheavy"]\r\n'
    at = original.index(b"\r\n\r\n[tool.other]") + 2
    assert pyproject.read_bytes() == original[:at] + inserted + original[at:]
    again = invoke("app.main", "--repeat", "1", "--write")
    assert "already has" in again.stderr
    assert pyproject.read_bytes() == original[:at] + inserted + original[at:]


def test_write_replaces_and_merges_an_existing_list(project: FakeProject) -> None:
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(
        '[tool.lazyimport]\nheavy-packages = [\n    "torch",  # ml\n    "pandas",\n]  # ours\nsrc = ["."]\n'
    )
    result = invoke("app.main", "--repeat", "1", "--write", "--heavy-packages", "fakeheavy")
    assert result.exit_code == 0, result.stderr
    assert pyproject.read_text() == (
        '[tool.lazyimport]\nheavy-packages = ["fakeheavy", "pandas", "torch"]  # ours\nsrc = ["."]\n'
    )


def test_write_creates_the_table_or_the_file(project: FakeProject) -> None:
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "fakeapp"\n')
    assert invoke("app.main", "--repeat", "1", "--write", "--heavy-packages", "x").exit_code == 0
    assert pyproject.read_text() == (
        '[project]\nname = "fakeapp"\n\n[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\n'
    )
    pyproject.unlink()
    (project.root / ".git").mkdir()  # the project root, where the new file belongs
    result = invoke("app.main", "--repeat", "1", "--write")
    assert result.stderr.strip() == 'Created pyproject.toml: heavy-packages = ["fakeheavy"]'
    assert pyproject.read_text() == '[tool.lazyimport]\nheavy-packages = ["fakeheavy"]\n'


def test_write_refuses_what_it_cannot_edit_safely(project: FakeProject) -> None:
    pyproject = project.root / "pyproject.toml"
    original = '[tool]\nlazyimport.strategy = "auto"\n'
    pyproject.write_text(original)
    result = invoke("app.main", "--repeat", "1", "--write")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "by hand: heavy-packages = " in result.stderr
    assert pyproject.read_text() == original


def test_module_that_raises_gives_exit_2_with_its_error(project: FakeProject) -> None:
    result = invoke("app.broken", "--repeat", "1")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1] == "app.broken: error: RuntimeError: boom at import (app/broken.py:3)"
    assert lines[0] == "Traceback (most recent call last):"
    assert not any("<string>" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param([], "error: Missing argument 'MODULE'.", id="no module"),
        pytest.param(["a", "b"], "error: Got unexpected extra argument (b)", id="two modules"),
        pytest.param(["app.main", "--threshold", "x"], "error: Invalid value for '--threshold'",
                     id="bad threshold"),
        pytest.param(["app.main", "--python", "/no/such/python"],
                     "error: --python: '/no/such/python' not found",
                     id="unknown interpreter"),
    ],
)
def test_usage_errors_are_one_line(project: FakeProject, args: List[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message)


# --------------------------------------------------------------------------- parsing and aggregation

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |       torch._C
import time:      5000 |       5100 |     torch
import time:        50 |       5150 |   torch.nn
import time:       200 |        200 |     json.decoder
import time:       300 |        500 |   json
import time:        10 |       5660 | app.main
"""


def test_parse_importtime_rebuilds_the_tree() -> None:
    (root,) = profile.parse_importtime(IMPORTTIME.splitlines())
    assert (root.name, root.self_us, root.cumulative_us) == ("app.main", 10, 5660)
    assert [child.name for child in root.children] == ["torch.nn", "json"]
    assert root.children[0].children[0].children[0].name == "torch._C"


def test_package_times_do_not_double_count() -> None:
    times = profile.package_times(profile.parse_importtime(IMPORTTIME.splitlines()))
    assert times["torch"] == (5150, 5150)
    assert times["json"] == (500, 500)


def test_parse_run_keeps_only_the_target_import() -> None:
    stderr = (
        "import time:       999 |        999 | site\n"
        f"{profile._START}\n{IMPORTTIME}a warning the module printed\n{profile._END}\n"
        "import time:       999 |        999 | sysconfig\n"
        f'{profile._META}{{"kinds": {{"torch": "third-party"}}, "python": "3.11.7"}}\n'
    )
    run = profile.parse_run("app.main", stderr)
    assert [root.name for root in run.roots] == ["app.main"]
    assert run.kinds == {"torch": "third-party"} and run.python == "3.11.7"


def test_aggregate_takes_medians() -> None:
    def run(torch_us: int) -> profile.Run:
        lines = [
            f"import time: {torch_us:9d} | {torch_us:10d} |   torch",
            f"import time: 1 | {torch_us + 1} | app",
        ]
        return profile.Run(profile.parse_importtime(lines), {"torch": "third-party", "app": "first-party"})

    result = profile.aggregate("app", [run(1000), run(9000), run(3000)], threshold_ms=2.0)
    assert result.runs_ms == (1.001, 9.001, 3.001)
    assert result.import_ms == 3.001
    assert [(item.package, item.cumulative_ms) for item in result.packages] == [("torch", 3.0)]
    assert result.tree[0].children[0].cumulative_ms == 3.0
    assert result.suggested == ("torch",)


def test_tree_fits_the_width() -> None:
    deep = "\n".join(
        f"import time: {10:9d} | {100000 - depth:10d} | {'  ' * depth}package_with_a_long_name.level{depth}"
        for depth in reversed(range(12))
    )
    run = profile.Run(profile.parse_importtime(deep.splitlines()), {})
    result = profile.aggregate("package_with_a_long_name.level0", [run])
    lines = profile.render_tree(result.tree, width=60, unicode=True)
    assert len(lines) == 13
    assert all(len(line) <= 60 for line in lines)
    assert lines[2].split()[2] == "└─"
    ascii_lines = profile.render_tree(result.tree, width=60, unicode=False)
    assert all(line.isascii() for line in ascii_lines)


# --------------------------------------------------------------------------- editing pyproject.toml


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("", '[tool.lazyimport]\nheavy-packages = ["a"]\n', id="empty file"),
        pytest.param("[project]\nname = 'x'",
                     "[project]\nname = 'x'\n\n[tool.lazyimport]\nheavy-packages = [\"a\"]\n",
                     id="no table, no final newline"),
        pytest.param("[tool.lazyimport]", '[tool.lazyimport]\nheavy-packages = ["a"]\n',
                     id="empty table at end"),
        pytest.param('[ tool . lazyimport ]\r\n  exclude = ["x"]\r\n[b]\r\n',
                     '[ tool . lazyimport ]\r\n  exclude = ["x"]\r\n  heavy-packages = ["a"]\r\n[b]\r\n',
                     id="spaced header, indented keys, CRLF"),
        pytest.param('[tool.lazyimport]\n"heavy-packages" = [] # c\n',
                     '[tool.lazyimport]\n"heavy-packages" = ["a"] # c\n',
                     id="quoted key"),
        pytest.param('s = """\n[tool.lazyimport]\n"""\n[tool.lazyimport]\n',
                     's = """\n[tool.lazyimport]\n"""\n[tool.lazyimport]\nheavy-packages = ["a"]\n',
                     id="header inside a multi-line string"),
        pytest.param('d = 1979-05-27 07:32:00Z\n[[arr]]\nx = {a = [1, 2], b = "]"}\n',
                     'd = 1979-05-27 07:32:00Z\n[[arr]]\nx = {a = [1, 2], b = "]"}\n'
                     '\n[tool.lazyimport]\nheavy-packages = ["a"]\n',
                     id="dates, arrays of tables, inline tables"),
    ],
)
def test_set_heavy_packages(before: str, after: str) -> None:
    assert profile.set_heavy_packages(before, ["a"]) == after


def test_set_heavy_packages_at_top_level_of_a_dedicated_file() -> None:
    after = profile.set_heavy_packages('# c\nstrategy = "auto"\n', ["a"], ())
    assert after == '# c\nstrategy = "auto"\nheavy-packages = ["a"]\n'


def test_write_keeps_bom_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"\xef\xbb\xbf[tool.lazyimport]\n")
    path.chmod(0o640)
    assert profile.write_heavy_packages(path, ["a"]) == "updated"
    assert path.read_bytes() == b'\xef\xbb\xbf[tool.lazyimport]\nheavy-packages = ["a"]\n'
    assert path.stat().st_mode & 0o777 == 0o640
    assert profile.write_heavy_packages(path, ["a"]) == "unchanged"


def test_write_refuses_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.lazyimport\n")
    with pytest.raises(profile.WriteError, match="by hand"):
        profile.write_heavy_packages(path, ["a"])
    assert path.read_text() == "[tool.lazyimport\n"
