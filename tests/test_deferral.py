"""Focused cases of the deferral decision (:mod:`lazyimport_codemod.rules.deferral`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyimport_codemod.pipeline import analyse
from lazyimport_codemod.rules.deferral import _package_binding
from lazyimport_codemod.settings.config import Overrides, load_config

# (source, the names pinned because another `import P` may rely on this `import P.sub`)
PACKAGE_BINDINGS = [
    ("import numpy.linalg as la\nimport numpy\n\ndef f():\n    return numpy.linalg.norm(la)\n", ["la"]),
    ("import numpy.linalg as la\nimport numpy\n\ndef f():\n    return numpy.sum(la)\n", []),
    ("import numpy.linalg as la\n\ndef f():\n    return numpy.linalg.norm(la)\n", []),  # no other import
    ("import numpy.linalg as la, numpy\nx = 1\n\ndef f():\n    return numpy . linalg(la)\n", ["la"]),
    ("import numpy.linalg\nimport numpy.fft\n\ndef f():\n    return numpy.fft.fft(numpy.linalg)\n",
     ["numpy", "numpy"]),
    ("import numpy.linalg as la\nimport numpy\n# numpy.linalg in a comment\n\ndef f():\n    return la\n",
     ["la"]),  # a comment spells it too: careful, never wrong
    ("import numpy.linalg as la\nimport numpy\nimport numpy.linalg.x\n\ndef f():\n    return la\n", []),
    ("import numpy.linalg as la\nfrom compat import numpy\n\ndef f():\n    return numpy.linalg.norm(la)\n", []),
    ("import torch.nn as nn\ntry:\n    import torch\nexcept ImportError:\n    torch = None\n\n"
     "def f():\n    return torch.nn, nn\n", ["nn"]),
]


@pytest.mark.parametrize("source,pinned", PACKAGE_BINDINGS)
def test_an_import_of_a_submodule_another_import_may_rely_on_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, pinned: list[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lazyimport]\n")
    path = tmp_path / "mod.py"
    path.write_text(source)
    monkeypatch.chdir(tmp_path)
    analysis = analyse([path], load_config(tmp_path, Overrides()))
    facts = analysis.facts[path]
    reasons = {(stmt.line, name.bound): _package_binding(analysis.project, facts, name)
               for stmt in facts.imports for name in stmt.names}
    assert [bound for (_, bound), reason in reasons.items() if reason] == pinned
    for reason in filter(None, reasons.values()):
        assert "may rely on" in reason


@pytest.mark.parametrize("seed", range(50))
def test_the_package_with_the_shortest_chain_is_named_first(seed: int) -> None:
    import random

    from lazyimport_codemod.rules.wording import packages

    rng = random.Random(seed)
    names = [f"pkg{i}" for i in range(rng.randint(1, 25))] + ["a.b", "A", "z"]
    chains = {name: tuple(f"m{j}" for j in range(rng.randint(1, 4))) + (name,)
              for name in rng.sample(names, rng.randint(1, len(names)))}
    ordered = sorted(chains, key=lambda pkg: (len(chains[pkg]), pkg))
    text, chain, found = packages(chains)
    assert found == tuple(ordered)
    assert chain == chains[ordered[0]]
    assert text.startswith(f"`{ordered[0]}`")
