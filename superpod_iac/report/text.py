"""Human text: `file:line:col: ID severity: message`, the hint below, and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.report.escape import terminal


def render(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{terminal(d.file)}:{d.line}:{d.column}: {d.rule} {d.severity.value}: "
                     f"{terminal(d.message)}")
        if d.hint:
            lines.append(f"    hint: {terminal(d.hint)}")
    counts = {s: sum(d.severity == s for d in diagnostics) for s in Severity}
    if diagnostics:
        lines.append(f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
                     f"{counts[Severity.INFO]} info in {files_checked} file(s)")
    else:
        lines.append(f"ok: {files_checked} file(s) checked, no findings")
    return "\n".join(lines) + "\n"
