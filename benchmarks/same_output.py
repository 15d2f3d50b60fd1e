"""Check that two revisions of lazyimport print and write exactly the same things.

Usage::

    python benchmarks/same_output.py [--base REV] [--rev REV] [--corpus DIR]...

A restructuring must not change behaviour.  This runs ``lint`` (text, json
and github formats) and ``fix`` (``--diff``, and a real run on a copy, whose
resulting files are compared too) with each revision over the example app,
every golden fixture and the benchmark corpora (built by ``corpora.py`` under
``benchmarks/.work/same-output/``), plus any ``--corpus`` folder given (a
real-app corpus, for example), and reports every command whose exit status,
stdout, stderr or written files differ.  ``--base`` defaults to ``HEAD``,
``--rev`` to the working tree.  Each revision is exported with ``git archive``
and run as ``python -m lazyimport_codemod`` with the export first on
``PYTHONPATH``, by the interpreter running this script (which must have
libcst and click).  Caches are off (``--no-cache``) so every run analyses.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "same-output"

sys.path.insert(0, str(HERE))
import corpora  # noqa: E402  (a sibling script, not a package)


def export(rev: str | None) -> Path:
    """A folder holding the package as of ``rev`` (None: the working tree)."""
    if rev is None:
        return REPO
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", rev], capture_output=True, text=True,
                         check=True).stdout.strip()
    dest = WORK / "src" / sha
    if not (dest / "lazyimport_codemod").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha, "lazyimport_codemod"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def targets(extra: list[Path]) -> list[tuple[str, Path, list[str]]]:
    """(label, working folder, paths to pass) for every input."""
    corpus = WORK / "corpus"
    if not (corpus / "routers").is_dir():
        corpora.build_all(WORK)
    found = [("example", REPO / "examples", ["slowapp"])]
    for case in sorted((REPO / "tests" / "fixtures").iterdir()):
        if case.is_dir() and case.name != "config":
            # A copy with settings of its own: the repository's exclude the fixtures.
            copy = WORK / "fixtures" / case.name
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(case, copy)
            settings = case / "case.toml"
            table = settings.read_text() if settings.exists() else ""
            (copy / "pyproject.toml").write_text("[tool.lazyimport]\n" + table)
            found.append((f"fixture:{case.name}", copy, ["."]))
    found += [
        ("routers", corpus / "routers", ["."]),
        ("stdlib", corpus / "stdlib", ["."]),
        ("startup", corpus / "startup" / "before", ["."]),
        ("one", corpus / "one", ["one_file.py"]),
    ]
    for folder in extra:
        for app in sorted(p for p in folder.iterdir() if p.is_dir()):
            found.append((f"corpus:{app.name}", app, ["."]))
    return found


def run(source: Path, cwd: Path, args: list[str]) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(source)
    env["PYTHONHASHSEED"] = "0"
    done = subprocess.run([sys.executable, "-m", "lazyimport_codemod", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, errors="replace")
    return done.returncode, done.stdout, done.stderr


def same_tree(left: Path, right: Path) -> list[str]:
    """Relative paths whose contents differ between two copies (or exist on one side only)."""
    differ = []
    comparison = filecmp.dircmp(left, right, ignore=[".lazyimport_cache", "__pycache__"])
    stack = [(comparison, "")]
    while stack:
        node, prefix = stack.pop()
        differ += [prefix + name for name in node.left_only + node.right_only + node.diff_files]
        for name, sub in node.subdirs.items():
            stack.append((sub, f"{prefix}{name}/"))
    return sorted(differ)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--rev", default=None, help="default: the working tree")
    parser.add_argument("--corpus", action="append", type=Path, default=[],
                        help="a folder of app folders to check too")
    args = parser.parse_args()
    base, new = export(args.base), export(args.rev)
    commands = [
        ["lint", "--no-cache"],
        ["lint", "--no-cache", "--format", "json"],
        ["lint", "--no-cache", "--format", "github"],
        ["fix", "--no-cache", "--diff"],
    ]
    checked = differences = 0
    for label, cwd, paths in targets(args.corpus):
        for command in commands:
            checked += 1
            if run(base, cwd, command + paths) != run(new, cwd, command + paths):
                differences += 1
                print(f"DIFFERS  {label}: {' '.join(command + paths)}")
        # A real fix on two copies: output and every written file.
        with tempfile.TemporaryDirectory() as scratch:
            copies = []
            for side in ("base", "new"):
                copy = Path(scratch) / side
                shutil.copytree(cwd, copy, ignore=shutil.ignore_patterns(".lazyimport_cache", "__pycache__"))
                copies.append(copy)
            checked += 1
            outputs = [run(source, copy, ["fix", "--no-cache", *paths]) for source, copy in zip((base, new), copies)]
            changed = same_tree(*copies)
            if outputs[0] != outputs[1] or changed:
                differences += 1
                print(f"DIFFERS  {label}: fix {' '.join(paths)} {changed[:5]}")
    print(f"{checked} commands compared, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
