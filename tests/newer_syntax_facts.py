"""The facts of the sources in ``tests/newer_syntax/``, as JSON, on whatever Python runs this.

``python tests/newer_syntax_facts.py`` prints them (one JSON object, by file name), so
that two interpreters' answers can be compared; ``--write`` (Python 3.15 only: its own
``ast`` parses every file) rewrites the ``*.facts.json`` files the tests compare with.
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "newer_syntax"
if __name__ == "__main__":  # run as a script from anywhere: the package of this checkout
    sys.path.insert(0, str(HERE.parent))

from lazyimport_codemod.parse.facts import FileFacts, extract  # noqa: E402

# Each file is read as this module of a package, so its relative imports resolve.
MODULE = "app.routers.{}"


def as_json(value: Any) -> Any:
    """Records as objects by field, enums by value, sets sorted, dicts as sorted pairs."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {field: as_json(getattr(value, field)) for field in value._fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, dict):
        return [[as_json(k), as_json(v)] for k, v in sorted(value.items(), key=lambda item: repr(item[0]))]
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    return value


def facts(path: Path) -> FileFacts:
    return extract(path.read_bytes(), str(path), MODULE.format(path.stem), False)


def sources() -> list[Path]:
    return sorted(CASES.glob("*.py"))


def golden(path: Path) -> Path:
    return path.with_suffix(".facts.json")


def main() -> None:
    answers = {path.name: as_json(facts(path)) for path in sources()}
    if "--write" in sys.argv:
        if sys.version_info[:2] < (3, 15):
            sys.exit("write the facts with Python 3.15: its own ast parses every file")
        for path in sources():
            golden(path).write_text(json.dumps(answers[path.name], indent=1) + "\n", encoding="utf-8")
        return
    json.dump(answers, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
