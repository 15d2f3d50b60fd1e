"""`lazyimport verify` and `assert_light`: a real interpreter imports the module and tells the truth."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest
from click.testing import CliRunner, Result
from fake_packages import HEAVY_SLEEP, FakeProject, make_fake_project

from lazyimport_codemod.checks import verify
from lazyimport_codemod.cli.check_commands import verify_command

EAGER_CHAIN = (
    "app.main -> app.routers.search (app/main.py:3)"
    " -> app.services.embed (app/routers/search.py:1)"
    " -> fakeheavy (app/services/embed.py:1)"
)


def invoke(*args: str) -> Result:
    """Run the command as click would, with stdout and stderr kept apart (click 8.1 and 8.2+)."""
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(verify_command, list(args), catch_exceptions=False)



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """The fake app as the current folder (see fake_packages)."""
    return make_fake_project(tmp_path, monkeypatch)


# --------------------------------------------------------------------------- the command


def test_fails_naming_the_chain_and_its_time(project: FakeProject) -> None:
    result = invoke("app.main")
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "app.main: heavy packages loaded at import"
    package, ms, unit, chain = lines[1].split(None, 3)
    assert (package, unit) == ("fakeheavy", "ms")
    assert float(ms) >= HEAVY_SLEEP * 1000 * 0.9
    assert chain == EAGER_CHAIN
    assert result.stderr.strip() == "Found 1 heavy package (1 module checked)."


def test_passes_after_the_import_is_deferred(project: FakeProject) -> None:
    project.defer_heavy_import()
    result = invoke("app.main")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("app.main: ok, no heavy package loaded (")
    assert "modules imported in" in result.stdout
    assert result.stderr.strip() == "No heavy package loaded (1 module checked)."


def test_json_output(project: FakeProject) -> None:
    result = invoke("app.main", "app.routers.search", "--format", "json")
    assert result.exit_code == 1
    documents = json.loads(result.stdout)  # the module's own print() must not leak in
    assert [document["module"] for document in documents] == ["app.main", "app.routers.search"]
    first = documents[0]
    assert {"module", "ok", "heavy", "modules_imported", "import_ms", "error"} <= set(first)
    assert first["ok"] is False and first["error"] is None
    assert first["modules_imported"] > 5 and first["import_ms"] >= HEAVY_SLEEP * 1000 * 0.9
    (hit,) = first["heavy"]
    assert hit["package"] == "fakeheavy"
    assert hit["cumulative_ms"] >= HEAVY_SLEEP * 1000 * 0.9
    assert [(link["module"], link["file"], link["line"]) for link in hit["chain"]] == [
        ("app.main", None, None),
        ("app.routers.search", "app/main.py", 3),
        ("app.services.embed", "app/routers/search.py", 1),
        ("fakeheavy", "app/services/embed.py", 1),
    ]
    assert documents[1]["heavy"][0]["chain"][0]["module"] == "app.routers.search"
    assert result.stderr == ""


def test_module_that_raises_gives_exit_2_with_its_error(project: FakeProject) -> None:
    result = invoke("app.broken")
    assert result.exit_code == 2
    headline = result.stdout.splitlines()[0]
    assert headline == "app.broken: error: RuntimeError: boom at import (app/broken.py:3)"
    assert 'raise RuntimeError("boom at import")' in result.stderr
    assert "verify_probe" not in result.stderr and "frozen importlib" not in result.stderr


def test_missing_module_gives_exit_2(project: FakeProject) -> None:
    result = invoke("app.nope", "--format", "json")
    assert result.exit_code == 2
    (document,) = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["error"]["type"] == "ModuleNotFoundError"
    assert "app.nope" in document["error"]["message"]


def test_allow_accepts_a_package(project: FakeProject) -> None:
    result = invoke("app.main", "--allow", "other,fakeheavy")
    assert result.exit_code == 0, result.stdout
    assert "allowed: fakeheavy" in result.stdout


def test_heavy_packages_options_override_the_config(project: FakeProject) -> None:
    project.defer_heavy_import()
    assert invoke("app.main", "--extend-heavy-packages", "fakelight").exit_code == 1
    result = invoke("app.main", "--heavy-packages", "fakelight", "--format", "json")
    (document,) = json.loads(result.stdout)
    assert [hit["package"] for hit in document["heavy"]] == ["fakelight"]


def test_max_ms_budget(project: FakeProject) -> None:
    result = invoke("app.slow_own_code", "--max-ms", "50", "--repeat", "2")
    assert result.exit_code == 1
    assert "app.slow_own_code: import took" in result.stdout
    assert "over the 50 ms budget (median of 2 runs:" in result.stdout
    assert invoke("app.slow_own_code", "--max-ms", "5000", "--repeat", "1").exit_code == 0


def test_dynamic_import_in_a_function_called_at_import(project: FakeProject) -> None:
    result = invoke("app.dynamic")
    assert result.exit_code == 1
    assert "app.dynamic -> fakeheavy (app/dynamic.py:5 in load_plugins())" in result.stdout


def test_import_run_by_an_already_loaded_module(project: FakeProject) -> None:
    # The importer is the module being imported at the time; the line is where the statement is.
    result = invoke("app.warm_at_start")
    assert "app.warm_at_start -> fakeheavy (app/services/warm.py:2 in warmup())" in result.stdout


def test_submodule_imported_by_its_own_package_init(project: FakeProject) -> None:
    # fakeheavy/__init__.py imports fakeheavy.core, the module this statement asks for.
    project.write("app/direct.py", "from fakeheavy.core import VALUE\n")
    result = invoke("app.direct")
    package, ms, unit, chain = result.stdout.splitlines()[1].split(None, 3)
    assert (package, unit, chain) == ("fakeheavy", "ms", "app.direct -> fakeheavy.core (app/direct.py:1)")
    assert float(ms) >= HEAVY_SLEEP * 1000 * 0.9


def test_chain_through_a_third_party_package(project: FakeProject) -> None:
    result = invoke("app.via_lib")
    assert "app.via_lib -> thirdlib (app/via_lib.py:1) -> fakeheavy (thirdlib/__init__.py:1)" in result.stdout
    (document,) = json.loads(invoke("app.via_lib", "--format", "json").stdout)
    assert document["heavy"][0]["chain"][-1]["file"] == str(project.site / "thirdlib" / "__init__.py")


def test_import_made_by_a_c_extension(project: FakeProject) -> None:
    # _decimal (C) imports `numbers` from its init function: no Python line to point at.
    startup = subprocess.run(
        [sys.executable, "-c", "import sys; print('numbers' in sys.modules or '_decimal' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )
    if startup.stdout.strip() != "False":
        pytest.skip("numbers or _decimal is loaded at interpreter start-up here")
    result = invoke("decimal", "--heavy-packages", "numbers", "--format", "json")
    (document,) = json.loads(result.stdout)
    (hit,) = document["heavy"]
    assert [link["module"] for link in hit["chain"]][-2:] == ["_decimal", "numbers"]
    assert hit["chain"][-1]["via"] == "extension"


def test_module_left_running_threads_does_not_hang(project: FakeProject) -> None:
    project.write(
        "app/threads.py",
        """
        import threading
        import time

        threading.Thread(target=time.sleep, args=(60,)).start()
        """,
    )
    started = time.monotonic()
    assert invoke("app.threads", "--timeout", "30").exit_code == 0
    assert time.monotonic() - started < 20


def test_timeout_is_an_error(project: FakeProject) -> None:
    project.write("app/forever.py", "import time\ntime.sleep(60)\n")
    result = invoke("app.forever", "--timeout", "0.5")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: app.forever: import did not finish within 0.5 s"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param([], "error: Missing argument 'MODULE...'.", id="no module"),
        pytest.param(["app/main.py"], "error: 'app/main.py' is not a module name (did you mean 'app.main'?)",
                     id="path instead of module"),
        pytest.param(["app.main", "--python", "no-such-python"],
                     "error: --python: 'no-such-python' not found",
                     id="unknown interpreter"),
        pytest.param(["app.main", "--repeat", "0"], "error: Invalid value for '--repeat'", id="bad repeat"),
        pytest.param(["app.main", "--format", "xml"], "error: Invalid value for '--format'", id="bad format"),
    ],
)
def test_usage_errors_are_one_line(project: FakeProject, args: List[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message)


def test_config_error_exits_2(project: FakeProject) -> None:
    bad = project.write("bad.toml", "[tool.lazyimport\n")
    result = invoke("app.main", "--config", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1


def test_python_option_accepts_a_virtualenv_folder(tmp_path: Path) -> None:
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text("")
    assert verify.resolve_python(str(tmp_path / "venv")) == str(venv / "python")
    assert verify.resolve_python(None) == sys.executable


def test_explicit_interpreter_runs_the_probe(project: FakeProject) -> None:
    result = invoke("app.main", "--python", sys.executable)
    assert result.exit_code == 1


# --------------------------------------------------------------------------- pytest helper


def test_assert_light_raises_with_the_chain(project: FakeProject) -> None:
    with pytest.raises(AssertionError) as failure:
        verify.assert_light("app.main")
    assert EAGER_CHAIN in str(failure.value)


def test_assert_light_passes_after_fix(project: FakeProject) -> None:
    project.defer_heavy_import()
    result = verify.assert_light("app.main")
    assert result.ok and result.heavy == ()
    verify.assert_light("app.main", allow=["fakeheavy"], paths=[project.root])


def test_assert_light_reports_import_errors(project: FakeProject) -> None:
    with pytest.raises(AssertionError, match="RuntimeError: boom at import"):
        verify.assert_light("app.broken")


# --------------------------------------------------------------------------- analysis on synthetic reports


def record(name: str, importer: Optional[str], ms: float = 1.0, **extra: Any) -> Dict[str, Any]:
    base = {"name": name, "importer": importer, "file": f"/p/{importer}.py" if importer else None,
            "line": 1, "function": "<module>", "via": "statement", "ms": ms, "error": None}
    return {**base, **extra}


def report(
    records: List[Dict[str, Any]], baseline: Sequence[str] = (), extra: Sequence[str] = ()
) -> Dict[str, Any]:
    names = [item["name"] for item in records if item["error"] is None]
    return {"target": "app", "baseline": list(baseline), "after": list(baseline) + names + list(extra),
            "records": records, "elapsed_ms": 1.0}


def heavy_torch(name: str) -> Optional[str]:
    return "torch" if name == "torch" or name.startswith("torch.") else None


def test_package_time_sums_entry_points_without_double_counting() -> None:
    found, _ = verify.find_heavy(
        report([
            record("app", None, 500.0, via="target"),
            record("torch.nn", "app", 300.0),
            record("torch", "torch.nn", 250.0, via="parent"),
            record("torch._C", "torch", 100.0),
            record("app.late", "app", 60.0),
            record("torch.fft", "app.late", 40.0),
        ]),
        heavy_torch,
    )
    (hit,) = found
    assert hit.cumulative_ms == 340.0
    assert [link.module for link in hit.chain] == ["app", "torch.nn"]


def test_failed_attempt_does_not_hide_the_successful_load() -> None:
    found, _ = verify.find_heavy(
        report([
            record("app", None, via="target"),
            record("torch", "app", 1.0, error="ImportError: x"),
            record("app.retry", "app"),
            record("torch", "app.retry", 7.0),
        ]),
        heavy_torch,
    )
    assert [link.module for link in found[0].chain] == ["app", "app.retry", "torch"]
    assert found[0].cumulative_ms == 7.0


def test_submodule_that_its_package_init_imports_keeps_the_apps_statement() -> None:
    """`from torch.nn import Module` in app: torch.nn's import sets off torch's, whose
    `__init__` imports torch.nn itself; the app's statement stays the entry point."""
    data = report([
        record("app", None, via="target"),
        record("torch.nn", "app", 9.0),
        record("torch", "torch.nn", 8.5, via="parent", file="/p/app.py"),
        record("torch.nn", "torch", 2.0, file="/site/torch/__init__.py"),
    ])
    data["after"] = list(dict.fromkeys(data["after"]))  # sys.modules holds it once
    found, _ = verify.find_heavy(data, heavy_torch)
    (hit,) = found
    assert [(link.module, link.file) for link in hit.chain] == [("app", None), ("torch.nn", "/p/app.py")]
    assert hit.cumulative_ms == 9.0 and hit.note is None


def test_heavy_package_imported_by_another_thread() -> None:
    found, _ = verify.find_heavy(
        report([record("app", None, via="target"), record("torch", None, 5.0, file="/p/worker.py")]),
        heavy_torch,
    )
    assert found[0].note == "imported by another thread while app was being imported"
    assert [link.module for link in found[0].chain] == ["torch"]


def test_heavy_package_loaded_before_the_module() -> None:
    found, _ = verify.find_heavy(report([record("app", None, via="target")], baseline=["torch"]), heavy_torch)
    assert found[0].note is not None and "before app was imported" in found[0].note
    assert found[0].cumulative_ms is None


def test_heavy_package_without_import_record() -> None:
    found, _ = verify.find_heavy(report([record("app", None, via="target")], extra=["torch"]), heavy_torch)
    assert found[0].note is not None and "without an import record" in found[0].note


def test_allowed_packages_match_submodule_entries() -> None:
    found, allowed = verify.find_heavy(
        report([record("app", None, via="target"), record("torch", "app")]), heavy_torch, allow=["torch"]
    )
    assert found == () and allowed[0].package == "torch"


def test_median() -> None:
    assert verify.median([3.0, 1.0, 2.0]) == 2.0
    assert verify.median([4.0, 1.0]) == 2.5


def test_exit_codes() -> None:
    clean = verify.VerifyResult("a", import_ms=1.0)
    heavy = verify.VerifyResult("b", heavy=(verify.HeavyHit("torch", (verify.Link("torch"),), 1.0),))
    slow = verify.VerifyResult("c", import_ms=10.0, max_ms=5.0)
    broken = verify.VerifyResult("d", error=verify.ModuleError("E", "E: x", ""))
    assert verify.exit_code([clean]) == 0
    assert verify.exit_code([clean, heavy]) == 1
    assert verify.exit_code([slow]) == 1
    assert verify.exit_code([heavy, broken]) == 2


# --------------------------------------------------------------------------- the probe stays light


def test_probe_imports_only_the_standard_library() -> None:
    source = Path(verify.__file__).with_name("verify_probe.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.partition(".")[0])
    assert imported <= {"__future__", "sys", "time", "_thread", "json", "os", "traceback", "types", "typing"}


def test_probe_loads_nothing_before_the_target(tmp_path: Path) -> None:
    (tmp_path / "target_module.py").write_text("")
    report_data = verify.run_probe("target_module", paths=[tmp_path], cwd=tmp_path)
    startup = subprocess.run(
        [sys.executable, "-c", "import sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=str(tmp_path),
    )
    # json is what the -c command itself imports; the probe must add nothing else before the import.
    json_modules = {"json", "json.decoder", "json.scanner", "json.encoder", "_json"}
    expected = set(json.loads(startup.stdout)) - json_modules
    assert set(report_data["baseline"]) - expected - {"__main__"} <= {"_thread", "time"}
    assert report_data["sys_path"][0] == str(tmp_path)


def test_commands_module_imports_no_implementation() -> None:
    """verify and profile (subprocess machinery, json) load only when their command runs."""
    code = (
        "import sys, lazyimport_codemod.cli.check_commands; "
        "print(sorted(m for m in sys.modules if m.startswith('lazyimport_codemod.checks') or m == 'subprocess'))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=str(Path(verify.__file__).parent.parent.parent))
    assert output.stdout.strip() == "[]"
