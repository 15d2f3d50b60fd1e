"""ARCHITECTURE.md matches the tree: every module belongs to a layer, and imports only what
its layer may import (every import statement counts, wherever it sits)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "lazyimport_codemod"


def _layers() -> dict[str, set[str]]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- layers -->\n(.*?)<!-- /layers -->", text, re.S)
    assert table, "ARCHITECTURE.md has no layers table"
    rows = [line for line in table.group(1).splitlines() if line.startswith("| `")]
    everything = {name.rstrip("/") for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])}
    allowed: dict[str, set[str]] = {}
    for row in rows:
        _, names, may, _ = row.split("|")
        permitted = {name.rstrip("/") for name in re.findall(r"`([^`]+)`", may)}
        if may.strip().startswith("everything"):
            permitted = everything - permitted
        for name in re.findall(r"`([^`]+)`", names):
            allowed[name.rstrip("/")] = permitted
    return allowed


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_layers(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "lazyimport_codemod" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_module_belongs_to_a_layer_of_the_table() -> None:
    layers = _layers()
    modules = {_layer(path) for path in PACKAGE.rglob("*.py")} - {"__init__", "__main__"}
    assert modules == set(layers), "the layers table and the tree differ"


def test_each_module_imports_only_what_its_layer_may() -> None:
    layers = _layers()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(path)
        if layer in ("__init__", "__main__"):
            continue
        for other in _imported_layers(path) - {layer} - layers[layer]:
            wrong.append(f"{path.relative_to(REPO)} imports {other}")
    assert not wrong, wrong


def test_the_speed_machinery_is_reached_only_from_the_pipeline_and_the_cli() -> None:
    importers = {_layer(path) for path in PACKAGE.rglob("*.py") if "speed" in _imported_layers(path)}
    assert importers - {"speed"} <= {"pipeline", "cli"}
