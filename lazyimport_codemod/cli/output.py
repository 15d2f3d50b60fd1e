"""Render diagnostics as text, JSON or GitHub workflow commands.

Output is deterministic (the engine sorts) and greppable: one diagnostic per
line in ``path:line:col: CODE message`` form, like flake8 and ruff, so editors
and CI annotators can parse it.  Summaries go to stderr.
"""

from __future__ import annotations


from lazyimport_codemod.records import Diagnostic, FileError, LintResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

FORMATS = ("text", "json", "github")


def _text_line(diag: Diagnostic) -> str:
    return f"{diag.path}:{diag.line}:{diag.column}: {diag.code} {diag.message}"


def _github_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def _github_line(diag: Diagnostic) -> str:
    props = (
        f"file={_github_escape(diag.path, True)},line={diag.line},col={diag.column},"
        f"endLine={diag.end_line},endColumn={diag.end_column},title={diag.code}"
    )
    return f"::error {props}::{_github_escape(diag.message)}"


def as_json(diag: Diagnostic) -> dict[str, Any]:
    return {
        "path": diag.path,
        "line": diag.line,
        "column": diag.column,
        "end_line": diag.end_line,
        "end_column": diag.end_column,
        "code": diag.code,
        "message": diag.message,
        "package": diag.package,
        "packages": list(diag.packages),
        "names": list(diag.names),
        "fixable": diag.fixable,
        "fix": diag.fix,
        "fix_safety": diag.fix_safety,
        "chain": list(diag.chain),
    }


def write_diagnostics(result: LintResult, fmt: str, out: TextIO) -> None:
    """Write the diagnostics of ``result`` to ``out`` in the chosen format."""
    if fmt == "json":
        import json  # only this format needs it; lint starts faster without

        json.dump([as_json(d) for d in result.diagnostics], out, indent=2)
        out.write("\n")
        return
    render = _github_line if fmt == "github" else _text_line
    for diag in result.diagnostics:
        out.write(render(diag) + "\n")
    if fmt == "github":
        for error in result.errors:
            out.write(f"::error file={_github_escape(error.path, True)},title=lazyimport::"
                      f"{_github_escape(error.message)}\n")


def write_errors(errors: list[FileError], err: TextIO) -> None:
    for error in errors:
        err.write(f"{error.path}: error: {error.message}\n")


def summary(result: LintResult) -> str:
    """One line for stderr: what was found, how much fix can handle."""
    count = len(result.diagnostics)
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    if not count and not result.errors:
        return f"All checks passed ({files})."
    parts = []
    if count:
        fixable = sum(d.fixable for d in result.diagnostics)
        hidden = sum(d.fix_safety == "unsafe" and not d.fixable for d in result.diagnostics)
        more = f", {hidden} more with `--unsafe-fixes`" if hidden else ""
        noun = "diagnostic" if count == 1 else "diagnostics"
        parts.append(f"Found {count} {noun} in {files} ({fixable} fixable with `lazyimport fix`{more})")
    if result.errors:
        errors = len(result.errors)
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be checked")
    return "; ".join(parts) + "."


def render_result(result: LintResult, fmt: str, quiet: bool, extra: str = "") -> tuple[str, str]:
    """What :func:`write_result` prints: (stdout, stderr) as text.  A lint run keeps it so
    that the same command can print it again without analysing anything
    (:mod:`lazyimport_codemod.speed.replay`)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    write_diagnostics(result, fmt, out)
    write_errors(result.errors, err)
    if not quiet:
        err.write(f"{extra}{summary(result)}\n")
    return out.getvalue(), err.getvalue()


def write_result(result: LintResult, fmt: str, quiet: bool, extra: str = "") -> None:
    """Diagnostics to stdout, file errors and (unless ``quiet``) the summary to stderr,
    printed as a replayed run prints them."""
    from lazyimport_codemod.speed.replay import print_output

    print_output(*render_result(result, fmt, quiet, extra))
