"""GitHub Actions workflow commands (`::error file=...,line=...::message`), annotating PRs."""

from __future__ import annotations

from collections.abc import Sequence

from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.report.escape import terminal

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal(text)  # other control characters (ANSI escapes) made visible


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    lines = []
    for d in diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{_LEVEL[d.severity]} file={_prop(d.file)},line={max(d.line, 1)},"
                     f"col={max(d.column, 1)},title={_prop(d.rule)}::{_data(message)}")
    errors = sum(d.severity == Severity.ERROR for d in diagnostics)
    lines.append(f"superpod: {len(diagnostics)} finding(s), {errors} error(s) in "
                 f"{files_checked} file(s)")
    return "\n".join(lines) + "\n"
