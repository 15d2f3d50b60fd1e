"""The README's promises stay true: example output, heavy list, test command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from lazyimport_codemod.settings.heavy import BUILTIN_HEAVY_PACKAGES

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} block"
    return match.group(1)


def test_example_lint_output_matches() -> None:
    shown = _block("lint-output").split("```text\n", 1)[1].rsplit("```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-m", "lazyimport_codemod", "lint", "examples/slowapp"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert result.stdout + result.stderr == shown


def test_heavy_list_matches() -> None:
    listed = re.findall(r"`([^`]+)`", _block("heavy-list"))
    assert listed == list(BUILTIN_HEAVY_PACKAGES)


def test_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "test-command" in ci
    assert "pytest" in _block("test-command")


def test_rule_docs_are_the_rules_own() -> None:
    """The README's rule section is rendered from the rule modules; regenerate it with
    ``LAZYIMPORT_UPDATE_README=1 pytest tests/test_readme.py``."""
    from lazyimport_codemod.rules import RULES, documentation

    if os.environ.get("LAZYIMPORT_UPDATE_README") == "1":
        (REPO / "README.md").write_text(README.replace(_block("rules"), documentation()), encoding="utf-8")
        return
    assert _block("rules") == documentation()
    assert [rule.CODE for rule in RULES] == sorted(rule.CODE for rule in RULES)
    for rule in RULES:
        for section in ("**What it does.**", "**Why it matters.**", "**Example.**", "**Use instead.**", "**Fix safety.**",
                        "**Options.**"):
            assert section in rule.DOC, (rule.CODE, section)
