"""Shortcuts in the project graph and the verdicts, each compared with the plain path it
replaces (copied here as it was), on inputs chosen to trip them:

- ``Dominators`` leaves out edges that cannot change a dominator (a node's edge to
  itself, edges into a root) and stops after one pass when that pass met no
  predecessor still unprocessed (no cycle left);
- ``graph._without`` hands back the search's own answer when no chain passes
  through the excluded module;
- ``Project._adjacency`` does not ask ``keep_edge`` about imports that load nothing
  it follows, and ``Planner.verdict`` answers None without a search when every
  target is loaded already;
- ``plan._package_binding`` looks for the other ``import P`` before scanning the file;
- ``plan.display_path`` cuts the current folder off a normalised path itself;
- ``ImporterIndex`` resolves a ``from`` line once for all its names;
- ``engine._packages_text`` sorts by length, then name, with a stable sort.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Callable, Iterable, Optional

import pytest

from lazyimport_codemod.project import dominators

from lazyimport_codemod.project import graph

from lazyimport_codemod.rules import planner as plan
from lazyimport_codemod.project.importers import ImporterIndex, Taker
from lazyimport_codemod.parse.imports import resolve_relative
from lazyimport_codemod.project.prefilter import ImportLine, scanned
from lazyimport_codemod.settings.config import Overrides, load_config
from lazyimport_codemod.pipeline import _packages_text, analyse
from lazyimport_codemod.records import ImportedName, ImportStatement

# -- dominators ------------------------------------------------------------------


def _reference_dominators(roots: Iterable[str], successors: Callable[[str], Iterable[str]]
                          ) -> tuple[frozenset[str], dict[str, str]]:
    """Cooper, Harvey and Kennedy's algorithm over every edge, until nothing changes
    (as :class:`Dominators` was): reachable nodes and each one's immediate dominator."""
    order: list[str] = []
    preds: dict[str, list[str]] = {dominators._ROOT: []}
    seen = {dominators._ROOT}
    stack: list[tuple[str, list[str], int]] = [(dominators._ROOT, list(dict.fromkeys(roots)), 0)]
    while stack:
        node, pending, position = stack[-1]
        if position < len(pending):
            stack[-1] = (node, pending, position + 1)
            nxt = pending[position]
            preds.setdefault(nxt, []).append(node)
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, list(dict.fromkeys(successors(nxt))), 0))
        else:
            order.append(node)
            stack.pop()
    number = {node: i for i, node in enumerate(order)}
    pred_numbers = [[number[p] for p in preds[node]] for node in order]
    root = len(order) - 1
    idom = [-1] * len(order)
    idom[root] = root
    changed = True
    while changed:
        changed = False
        for node in range(root - 1, -1, -1):
            new = -1
            for pred in pred_numbers[node]:
                if idom[pred] != -1:
                    if new == -1:
                        new = pred
                    else:
                        a, b = pred, new
                        while a != b:
                            while a < b:
                                a = idom[a]
                            while b < a:
                                b = idom[b]
                        new = a
            if idom[node] != new:
                idom[node] = new
                changed = True
    return frozenset(order[:root]), {order[n]: order[idom[n]] for n in range(root)}


def _dominated(idom: dict[str, str], excluded: str) -> set[str]:
    """``excluded`` and every node it dominates, from the immediate dominators."""
    out = {excluded} if excluded in idom else set()
    for node in idom:
        up = node
        while up in idom:
            if up == excluded:
                out.add(node)
                break
            up = idom[up]
    return out


def _random_graph(rng: random.Random) -> tuple[list[str], dict[str, list[str]]]:
    """Nodes with random edges, self-loops, duplicate edges, and edges back to the roots
    and to their parents (as ``from . import x`` in a package makes)."""
    nodes = [f"m{i}" for i in range(rng.randint(1, 30))]
    roots = rng.sample(nodes, rng.randint(1, min(4, len(nodes))))
    if rng.random() < 0.3:
        roots.append(roots[0])  # a root given twice
    graph_: dict[str, list[str]] = {}
    for node in nodes:
        out = [rng.choice(nodes) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.3:
            out.append(node)
        if rng.random() < 0.4:
            out.append(rng.choice(roots))
        if out and rng.random() < 0.3:
            out.append(out[0])
        graph_[node] = out
    return roots, graph_


@pytest.mark.parametrize("seed", range(300))
def test_dominators_match_the_full_algorithm(seed: int) -> None:
    rng = random.Random(seed)
    roots, graph_ = _random_graph(rng)
    tree = dominators.Dominators(roots, lambda n: graph_.get(n, []))
    reachable, idom = _reference_dominators(roots, lambda n: graph_.get(n, []))
    assert tree.reachable == reachable
    for excluded in [*graph_, "absent"]:
        assert tree.without(excluded) == reachable - _dominated(idom, excluded), excluded


def test_dominators_of_a_chain_closed_by_a_cycle() -> None:
    """A cycle that decides a dominator: without the edge c -> b, b's dominator is a."""
    graph_ = {"a": ["b"], "b": ["c"], "c": ["b"], "r": ["c"]}
    tree = dominators.Dominators(["a", "r"], lambda n: graph_.get(n, []))
    assert tree.without("a") == {"r", "b", "c"}
    assert tree.without("b") == {"a", "r", "c"}
    assert tree.without("c") == {"a", "r", "b"}


def test_the_first_pass_can_be_the_last() -> None:
    """The case the shortcut is for does occur: only self-loops and edges into roots close
    cycles, and the answer is still the full algorithm's."""
    graph_ = {"p": ["p", "p.a", "p.b"], "p.a": ["p", "p.a", "s"], "p.b": ["p", "s"], "s": ["p"]}
    tree = dominators.Dominators(["p"], lambda n: graph_.get(n, []))
    reachable, idom = _reference_dominators(["p"], lambda n: graph_.get(n, []))
    assert idom == {"p": dominators._ROOT, "p.a": "p", "p.b": "p", "s": "p"}
    for excluded in graph_:
        assert tree.without(excluded) == reachable - _dominated(idom, excluded)


# -- random projects -------------------------------------------------------------

HEAVY = ("numpy", "pandas", "torch")


def _random_project(root: Path, seed: int) -> list[Path]:
    """Packages ``p`` and ``p.sub`` importing each other (absolute, relative, parents,
    submodules through ``from . import``), heavy packages, and the standard library."""
    rng = random.Random(seed)
    (root / "pyproject.toml").write_text("[tool.lazyimport]\n")
    names = ["p", "p.sub"] + [f"p.m{i}" for i in range(6)] + [f"p.sub.s{i}" for i in range(5)]
    for name in names:
        is_package = name in ("p", "p.sub")
        folder = root.joinpath(*name.split(".")) if is_package else root.joinpath(*name.split(".")[:-1])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "__init__.py" if is_package else folder / f"{name.rsplit('.', 1)[1]}.py"
        lines = ["import os", "from typing import Any"]
        for other in rng.sample(names, rng.randint(0, 4)):
            if other == name:
                continue
            head, _, last = other.rpartition(".")
            form = rng.randrange(4)
            if form == 0 or not head:
                lines.append(f"import {other}")
            elif form == 1:
                lines.append(f"from {head} import {last}")
            elif form == 2:
                lines.append(f"from {other} import thing, other as alias")
            elif head == name.rpartition(".")[0] or (is_package and head == name):
                lines.append(f"from . import {last}")
            else:
                lines.append(f"from {head} import {last} as {last}_")
        lines += [f"import {pkg}" for pkg in HEAVY if rng.random() < 0.3]
        if rng.random() < 0.2:
            lines.append(f"import {rng.choice(HEAVY)}  # noqa: LI001")
        rng.shuffle(lines)
        uses = "\n".join(f"    {line.split()[-1]}" for line in lines if rng.random() < 0.5)
        path.write_text("\n".join(lines) + f"\n\nthing = other = 1\n\ndef f():\n{uses or '    pass'}\n")
    return sorted(root.rglob("*.py"))


@pytest.mark.parametrize("seed", range(30))
def test_graph_shortcuts_on_random_projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            seed: int) -> None:
    files = _random_project(tmp_path, seed)
    monkeypatch.chdir(tmp_path)
    analysis = analyse(files, load_config(tmp_path, Overrides()))
    project, planner = analysis.project, analysis.planner
    modules = sorted(name for name in (f.name for f in analysis.facts.values()) if name)
    shortcut = 0
    # _without: its answer is the loop's, shared or not.
    for start in [("p",), ("p", "p.sub"), tuple(modules[:3])]:
        for keep in (None, planner.keep_after_fix):
            search = project._search(start, frozenset(), keep)
            for excluded in modules:
                derived = graph._without(search, excluded)
                assert derived == graph._rechained(search, excluded), (start, excluded)
                if derived is search.found:
                    shortcut += 1
                    assert list(derived) == list(graph._rechained(search, excluded) or {})
    # _adjacency: the same lists as when keep_edge is asked about every edge.
    for module in modules:
        facts = project.module(module)
        assert facts is not None
        for keep in (None, planner.keep_after_fix):
            heavies: list[str] = []
            targets: list[str] = []
            for edge in facts.edges:
                if edge.heavy is not None and edge.statement.silenced("LI001"):
                    continue
                if keep is not None and not keep(facts, edge):
                    continue
                if edge.heavy is not None:
                    heavies.append(edge.heavy)
                else:
                    targets.extend(t for t in edge.targets if project._hot is None or t in project._hot)
            assert project._adjacency(module, keep) == (heavies, targets), module
    # verdict: None exactly when the search finds nothing (without one when every
    # target is loaded already: then it starts from nothing).
    loaded = 0
    for facts in analysis.facts.values():
        skip = planner.loaded_before(facts)
        for edge in facts.edges:
            if edge.heavy is None and edge.targets:
                reached = project.heavy_reached(edge.targets, skip)
                assert (planner.verdict(facts, edge) is None) == (not reached), edge
                if skip.issuperset(edge.targets):
                    loaded += 1
                    assert reached == {}
    assert shortcut > 0 and loaded > 0


# -- _package_binding -------------------------------------------------------------


def _reference_package_binding(facts: graph.ModuleFacts, stmt: ImportStatement, name: ImportedName) -> str:
    """``plan._package_binding`` as it was: the file scanned before the other import is sought."""
    if name.attribute is not None or "." not in name.module:
        return ""
    top = name.module.split(".")[0]
    dotted = rb"\b" + rb"\s*\.\s*".join(re.escape(p.encode()) for p in name.module.split(".")) + rb"\b"
    import_lines = {line for st in facts.imports for line in range(st.line, st.end_line + 1)}
    spelled = any(
        facts.data.count(b"\n", 0, match.start()) + 1 not in import_lines
        for match in re.finditer(dotted, facts.data)
    )
    if not spelled:
        return ""
    for other_stmt in facts.imports:
        for other in other_stmt.names:
            if other is name or other.attribute is not None or other.bound != top:
                continue
            return (
                f"`import {other.module}` at line {other_stmt.line} may rely on `{name.module}` "
                "being loaded by this import"
            )
    return ""


SOURCES = [
    "import numpy.linalg as la\nimport numpy\n\ndef f():\n    return numpy.linalg.norm(la)\n",
    "import numpy.linalg as la\nimport numpy\n\ndef f():\n    return numpy.sum(la)\n",
    "import numpy.linalg as la\n\ndef f():\n    return numpy.linalg.norm(la)\n",
    "import numpy.linalg as la, numpy\nx = 1\n\ndef f():\n    return numpy . linalg(la)\n",
    "import numpy.linalg\nimport numpy.fft\n\ndef f():\n    return numpy.fft.fft(numpy.linalg)\n",
    "import numpy.linalg as la\nfrom numpy import linalg\nimport numpy as numpy\n\ndef f():\n    return (la, numpy.\\\n  linalg)\n",
    "import numpy.linalg as la\nimport numpy\n# numpy.linalg in a comment\n\ndef f():\n    return la\n",
    "import numpy.linalg as la\nimport numpy\nimport numpy.linalg.x\n\ndef f():\n    return la\n",
    "import numpy.linalg as la\nfrom compat import numpy\n\ndef f():\n    return numpy.linalg.norm(la)\n",
    "import torch.nn as nn\ntry:\n    import torch\nexcept ImportError:\n    torch = None\n\ndef f():\n    return torch.nn, nn\n",
]


@pytest.mark.parametrize("index", range(len(SOURCES)))
def test_package_binding_matches_the_plain_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                index: int) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    path = tmp_path / "mod.py"
    path.write_text(SOURCES[index])
    monkeypatch.chdir(tmp_path)
    analysis = analyse([path], load_config(tmp_path, Overrides()))
    facts = analysis.facts[path]
    answers = [plan._package_binding(facts, stmt, name) for stmt in facts.imports for name in stmt.names]
    assert answers == [_reference_package_binding(facts, stmt, name)
                       for stmt in facts.imports for name in stmt.names]
    if index == 0:
        assert answers[0].startswith("`import numpy` at line 2")


# -- display_path ------------------------------------------------------------------


@pytest.mark.parametrize("here", ["deep", "/"])
def test_display_path_matches_relpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, here: str) -> None:
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "ab").mkdir()
    monkeypatch.chdir(folder if here == "deep" else here)
    cwd = os.getcwd()
    texts = [
        f"{cwd}/x.py", f"{cwd}/c/d.py", f"{cwd}", f"{cwd}/", f"{cwd}//x.py", f"{cwd}/./x.py",
        f"{cwd}/c/../x.py", f"{cwd}/../x.py", f"{cwd}x.py", f"{cwd}/x.py/", f"{tmp_path}/ab/x.py",
        f"{tmp_path}/a/bc.py", "/x.py", "//x/y.py", "relative/x.py", "./x.py", "../up.py",
    ]
    for text in texts:
        assert plan.display_path(Path(text)) == os.path.relpath(Path(text)), text
        assert plan.display_path(text) == os.path.relpath(text), text  # type: ignore[arg-type]


# -- the importer index -------------------------------------------------------------


def bindings(lines: list[ImportLine]) -> list[tuple[int, int, str, Optional[str], str]]:
    """(line, level, module, imported name or None, bound name) for every imported name: how the
    importer index read the import lines before it resolved a from-line once (moved here from
    the prefilter, its only user now)."""
    found: list[tuple[int, int, str, Optional[str], str]] = []
    for line, level, module, aliases in lines:
        for name, alias in aliases:
            if module is None:
                found.append((line, 0, name, None, alias if alias != name else name.split(".")[0]))
            else:
                found.append((line, level, module, name, alias))
    return found


def _reference_index(index: ImporterIndex, files: list[Path]) -> tuple[dict, dict, dict]:  # type: ignore[type-arg]
    """The index as ``ImporterIndex._build`` made it, one :func:`bindings` entry at a time."""
    project = index._project
    taken: dict[str, dict[str, list[Taker]]] = {}
    star: dict[str, Taker] = {}
    users: dict[str, list[tuple[Path, bytes, str]]] = {}
    first_party = project.first_party()
    for path in files:
        data = path.read_bytes()
        if b"import" not in data:
            continue
        name, is_package = project.name_for_path(path)
        for line, level, module, attribute, bound in bindings(scanned(project, path, data)):
            absolute = resolve_relative(name, is_package, level, module or None)
            if absolute is None or absolute.split(".", 1)[0] not in first_party:
                continue
            if attribute is None:
                users.setdefault(absolute, []).append((path, data, bound))
                continue
            if attribute == "*":
                star.setdefault(absolute, Taker(path, line, "*"))
                continue
            taken.setdefault(absolute, {}).setdefault(attribute, []).append(Taker(path, line, bound))
            users.setdefault(f"{absolute}.{attribute}", []).append((path, data, bound))
    return taken, star, users


def test_importer_index_matches_one_binding_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _random_project(tmp_path, 7)
    extra = tmp_path / "p" / "sub" / "extra.py"
    extra.write_text(
        "import p.sub.s1 as alias, p.m1, os.path, p\n"
        "from .. import m2, m3 as three\n"
        "from . import *\n"
        "from ...toofar import x\n"
        "from .s2 import (a,\n    b as c)\n"
        "from p.sub import *\n"
        "from numpy import array\n"
        "import pandas.io as pio\n"
    )
    files.append(extra)
    monkeypatch.chdir(tmp_path)
    analysis = analyse(files, load_config(tmp_path, Overrides()))
    index = analysis.planner.importers
    assert index is not None
    built = index.build()
    taken, star, users = _reference_index(index, sorted(files))
    assert built == taken and list(built) == list(taken)
    assert index._star == star
    assert index._module_users == users and list(index._module_users) == list(users)
    assert star and users["p.sub.s1"]


# -- the order of packages in a message ---------------------------------------------


@pytest.mark.parametrize("seed", range(50))
def test_packages_text_order(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"pkg{i}" for i in range(rng.randint(1, 25))] + ["a.b", "A", "z"]
    chains = {name: tuple(f"m{j}" for j in range(rng.randint(1, 4))) + (name,)
              for name in rng.sample(names, rng.randint(1, len(names)))}
    ordered = sorted(chains, key=lambda pkg: (len(chains[pkg]), pkg))
    text, chain, packages = _packages_text(chains)
    assert packages == tuple(ordered)
    assert chain == chains[ordered[0]]
    assert text.startswith(f"`{ordered[0]}`")
