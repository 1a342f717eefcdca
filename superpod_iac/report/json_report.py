"""Machine-readable JSON: a list of diagnostics plus counts; stable key order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from superpod_iac.diagnostics import Diagnostic, Severity


def as_dict(d: Diagnostic) -> dict[str, object]:
    return {
        "rule": d.rule,
        "severity": d.severity.value,
        "message": d.message,
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "path": list(d.path),
        "hint": d.hint,
    }


def render(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    doc = {
        "files_checked": files_checked,
        "counts": {s.value: sum(d.severity == s for d in diagnostics) for s in Severity},
        "diagnostics": [as_dict(d) for d in diagnostics],
    }
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
