"""Stage 5: reporters turn diagnostics into text, json, sarif or GitHub workflow commands.

Reporters only format; they never compute physics or decide severities.
"""

from collections.abc import Callable, Sequence

from superpod_iac.diagnostics import Diagnostic
from superpod_iac.report import github, json_report, sarif, text

Reporter = Callable[[Sequence[Diagnostic], int], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["REPORTERS", "Reporter"]
