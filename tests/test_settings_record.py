"""A lint of a just-edited file takes its settings from the last run's record, when the
settings files are unchanged (:mod:`lazyimport_codemod.speed.settings_record`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lint_runs import age, fresh, run, write_project

from lazyimport_codemod.settings import config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.lazyimport]\nextend-heavy-packages = ["mlpkg"]\n')
    (tmp_path / "app" / "ml.py").write_text("import mlpkg\n\n\ndef f():\n    return mlpkg\n")
    age(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(path: Path, line: str) -> None:
    with path.open("a") as handle:
        handle.write(line)


def _lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose settings are looked up from their files from now on."""
    looked: list[str] = []
    real = config._build

    def counted(folder: str, overrides: config.Overrides) -> config.Config:
        looked.append(folder)
        return real(folder, overrides)

    monkeypatch.setattr(config, "_build", counted)
    return looked


def test_an_edited_file_is_linted_with_the_recorded_settings(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("app/ml.py")  # records the settings of app/
    looked = _lookups(monkeypatch)
    _edit(project / "app" / "ml.py", "# edited\n")
    assert run("app/ml.py") == fresh("app/ml.py")
    assert looked == [str(project / "app")]  # only the --no-cache run looked them up
    assert "mlpkg" in run("app/ml.py")[1]


def test_a_changed_setting_is_looked_up_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("app/ml.py")
    (project / "pyproject.toml").write_text("[tool.lazyimport]\n")  # mlpkg is no longer heavy
    _edit(project / "app" / "ml.py", "# edited\n")
    looked = _lookups(monkeypatch)
    outcome = run("app/ml.py")
    assert looked == [str(project / "app")]
    assert "mlpkg" not in outcome[1]
    assert outcome == fresh("app/ml.py")


def test_a_record_vouches_only_for_the_folders_its_run_looked_up(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("app/services/embed.py")  # records app/services
    run("app/ml.py")  # restores it, looks up app/, records app/ alone (its stamps cover no more)
    (project / "app" / "services" / "pyproject.toml").write_text('[tool.lazyimport]\nheavy-packages = ["x"]\n')
    looked = _lookups(monkeypatch)
    assert run("app/services/embed.py") == fresh("app/services/embed.py")
    assert looked.count(str(project / "app" / "services")) == 2  # by both runs


def test_a_lint_of_an_edited_file_imports_no_toml_parser(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = ("import sys\nfrom lazyimport_codemod.cli.entry import main\n"
            "try:\n    main(['lint', 'app/ml.py'])\nexcept SystemExit:\n    pass\n"
            "print('toml' if {'tomllib', 'tomli'} & set(sys.modules) else 'none', file=sys.stderr)\n")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert first.stderr.strip().endswith("toml")
    _edit(project / "app" / "ml.py", "# edited\n")
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert second.stderr.strip().endswith("none"), second.stderr
    assert second.stdout == first.stdout
