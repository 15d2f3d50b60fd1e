"""Runs inside the interpreter that ``lazyimport verify`` checks; standard library only.

``verify`` copies this file into a temporary folder and runs it as a script:

    python verify_probe.py MODULE OUTPUT_JSON [SYS_PATH_ROOT...]

It imports MODULE once and writes what happened to OUTPUT_JSON. The script may
run under another interpreter than the tool (``--python``), where this package
is not installed, so it imports nothing from it, and it must stay valid
Python 3.7 so an old interpreter reports a clean error instead of a syntax error
in the probe.

How imports are observed: CPython routes every import that actually loads a
module (``import`` statements, ``__import__``, ``importlib.import_module``,
``from pkg import submodule``, imports made by C extensions through
``PyImport_ImportModule``) through ``importlib._bootstrap._find_and_load``,
looking it up on the module each time. Wrapping that one function is the same
point where ``-X importtime`` measures, so times agree with ``profile``, and it
sees modules however they are found, unlike a ``sys.meta_path`` finder that a
library can shadow by inserting its own finder in front. The wrapper keeps a
per-thread stack of modules being imported; the top of the stack when an
import starts is its importer. The file and line of the import statement come
from the first frame above the import machinery.

Nothing but builtin modules is imported before MODULE is, and ``json`` and
``traceback`` only after the list of loaded modules has been taken, so the
probe never shows up as the reason a module was loaded. That is also why there
is no ``from __future__ import annotations`` here (it imports ``__future__``):
annotations naming typing constructs are written as strings instead.
"""

import _thread
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from types import CodeType, FrameType
    from typing import Any, Callable, Dict, List, Optional

    Record = Dict[str, Any]

_BOOTSTRAP_PREFIX = "<frozen importlib"


class ImportRecorder:
    """Wraps ``_find_and_load`` and records one entry per module load attempt."""

    def __init__(self, probe_file: str) -> None:
        self.records: List[Record] = []
        self._stacks: Dict[int, List[str]] = {}
        self._probe_file = probe_file
        self._bootstrap: Any = sys.modules.get("_frozen_importlib")
        self._original: Optional[Callable[..., Any]] = getattr(self._bootstrap, "_find_and_load", None)
        self._installed = False

    @property
    def supported(self) -> bool:
        """False on interpreters whose import system has no ``_find_and_load`` (not CPython)."""
        return self._original is not None

    def install(self) -> None:
        """Start recording; a no-op where the hook point does not exist."""
        if self.supported:
            self._bootstrap._find_and_load = self._find_and_load
            self._installed = True

    def uninstall(self) -> None:
        """Stop recording and give the interpreter its own function back."""
        if self._installed:
            self._bootstrap._find_and_load = self._original
            self._installed = False

    def _find_and_load(self, name: str, import_: "Any", **options: "Any") -> "Any":
        # ``options``: what newer Pythons pass besides (3.15: ``lazy_submodule``, for PEP 810).
        if self._original is None:  # pragma: no cover - never installed without it
            raise ImportError(name)
        if not self._installed or name in sys.modules:
            # Already loaded (importlib.import_module of a loaded module still
            # comes here): nothing is loaded, so nothing to record.
            return self._original(name, import_, **options)
        stack = self._stacks.setdefault(_thread.get_ident(), [])
        record: Record = {
            "name": name,
            "importer": stack[-1] if stack else None,
            "file": None,
            "line": None,
            "function": None,
            "via": "statement",
            "ms": None,
            "error": None,
        }
        self._locate(record, sys._getframe(1), stack)
        self.records.append(record)
        stack.append(name)
        start = time.perf_counter()
        try:
            return self._original(name, import_, **options)
        except BaseException as exc:
            record["error"] = _one_line(exc)
            raise
        finally:
            record["ms"] = (time.perf_counter() - start) * 1000.0
            stack.pop()

    def _locate(self, record: "Record", frame: "Optional[FrameType]", stack: "List[str]") -> None:
        """Fill in where the import statement is, walking out of the import machinery.

        Frames of this wrapper met on the way are either an outer import still
        in progress whose parent package is being loaded first (keep walking to
        the statement that asked for the child), or the loading of a C
        extension that imports from its init function: no Python statement to
        point at.
        """
        name = record["name"]
        depth = 0
        wrapper = ImportRecorder._find_and_load.__code__
        while frame is not None:
            code = frame.f_code
            if code is wrapper:
                depth += 1
                outer = stack[-depth] if depth <= len(stack) else ""
                if not outer.startswith(name + "."):
                    record["via"] = "extension"
                    return
                record["via"] = "parent"
            elif code.co_filename == self._probe_file:
                if record["via"] == "statement":
                    record["via"] = "target"
                return
            elif not _is_machinery(code):
                record["file"] = code.co_filename
                record["line"] = frame.f_lineno
                record["function"] = code.co_name
                return
            frame = frame.f_back


def _is_machinery(code: "CodeType") -> bool:
    """Frames of the import system itself, including ``importlib.import_module``.

    The body of an ``importlib`` module is not machinery: its own imports are
    real statements.
    """
    filename = code.co_filename
    if filename.startswith(_BOOTSTRAP_PREFIX):
        return True
    if code.co_name == "<module>":
        return False
    importlib = sys.modules.get("importlib")
    package_file = getattr(importlib, "__file__", None)
    if not isinstance(package_file, str):
        return False
    folder = _dirname(package_file)
    return filename.startswith(folder) and filename[len(folder) : len(folder) + 1] in ("/", "\\")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return type(exc).__name__ + (": " + text[0] if text else "")


def _dirname(path: str) -> str:
    """``os.path.dirname`` for both separators, without importing anything."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    return path[:cut] if cut >= 0 else ""


def _prepare(argv: "List[str]") -> "tuple[str, str, List[str]]":
    """Read the arguments and make ``sys.path`` hold exactly the requested roots first.

    Running a script puts the script's folder in front of ``sys.path``; that is
    our temporary folder, so it is removed (unless ``-P`` or ``PYTHONSAFEPATH``
    kept it out in the first place).
    """
    if len(argv) < 3:
        raise SystemExit("usage: verify_probe.py MODULE OUTPUT_JSON [ROOT...]")
    target, output, roots = argv[1], argv[2], argv[3:]
    if sys.path and not getattr(sys.flags, "safe_path", False):
        del sys.path[0]
    sys.path[:0] = roots
    sys.argv[:] = [argv[0]]
    return target, output, roots


def _error_info(exc: BaseException, probe_file: str) -> "Record":
    """The module's own error, with the probe and import machinery cut out of the traceback."""
    import traceback

    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename != probe_file and not frame.filename.startswith(_BOOTSTRAP_PREFIX)
    ]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    file, line = _error_location(exc, frames)
    return {
        "type": type(exc).__name__,
        "message": _one_line(exc),
        "traceback": "".join(lines),
        "file": file,
        "line": line,
    }


def _error_location(exc: BaseException, frames: "List[Any]") -> "tuple[Optional[str], Optional[int]]":
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return None, None


def main(argv: "List[str]") -> int:
    """Import the target under the recorder and write the JSON report."""
    probe_file = sys._getframe().f_code.co_filename
    target, output, roots = _prepare(argv)
    recorder = ImportRecorder(probe_file)
    baseline = list(sys.modules)
    error: Optional[BaseException] = None
    started = time.perf_counter()
    recorder.install()
    try:
        __import__(target)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt at import are errors too
        error = exc
    finally:
        recorder.uninstall()
    elapsed = (time.perf_counter() - started) * 1000.0
    after = list(sys.modules)
    lazy_routers = _pending_routers() if error is None else []
    report: Record = {
        "target": target,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "supported": recorder.supported,
        "sys_path": list(sys.path),
        "baseline": baseline,
        "after": after,
        "records": recorder.records,
        "elapsed_ms": elapsed,
        "error": _error_info(error, probe_file) if error is not None else None,
        "lazy_routers": lazy_routers,
        "lazy_imports": _lazy_imports(),
    }
    _write(output, report)
    return 0


def _lazy_imports() -> "Record":
    """This interpreter's lazy imports mode (PEP 810; None before 3.15) and what set it;
    the record lazyimport_codemod.checks.lazy_mode reads (its CHILD_SOURCE, for profile)."""
    import os

    get = getattr(sys, "get_lazy_imports", None)
    return {
        "mode": get() if get is not None else None,
        "option": getattr(sys, "_xoptions", {}).get("lazy_imports"),
        "environment": os.environ.get("PYTHON_LAZY_IMPORTS"),
    }


def _pending_routers() -> "List[Record]":
    """What the module registered with ``lazyimport_codemod.routers`` and nothing loaded yet.

    Read from that module's registry if the import put it in ``sys.modules``;
    it is never imported here. A failure to read it (an older version without
    ``pending_routers``, an error in it) leaves the list empty rather than
    losing the report.
    """
    routers = sys.modules.get("lazyimport_codemod.routers")
    pending = getattr(routers, "pending_routers", None)
    if pending is None:
        return []
    try:
        return [
            {"helper": str(item["helper"]), "target": str(item["target"]), "prefix": str(item["prefix"])}
            for item in pending()
        ]
    except Exception:  # noqa: BLE001 - the heavy-package report matters more than this list
        return []


def _write(output: str, report: "Record") -> None:
    import json

    with open(output, "w", encoding="utf-8") as stream:
        json.dump(report, stream)


def _exit(code: int) -> None:
    """Leave without waiting for threads or atexit hooks the imported module may have started."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed or replaced stream must not hide the report
            pass
    os._exit(code)


if __name__ == "__main__":
    _exit(main(sys.argv))
