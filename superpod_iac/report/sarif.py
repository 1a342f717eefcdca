"""SARIF 2.1.0 for code-scanning upload.

Written as plain dicts: the SARIF libraries on PyPI (sarif-om, pysarif, pydantic-sarif) are
unmaintained or need heavy serialisation helpers, and the subset we emit is small. The output
is validated against the official OASIS schema in the test suite.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from urllib.parse import quote

from superpod_iac import __version__
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.report.escape import sarif_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """A relative URI reference: `#`, `?`, `%`, spaces and controls in a file name are
    percent-encoded (a raw `#` would start a fragment)."""
    return quote(PurePath(path).as_posix(), safe="/:@!$&'()*+,;=-._~")


def render(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    from superpod_iac.rules.catalog import all_rules  # every family: only when writing SARIF

    rules = all_rules()
    ids = sorted(rules)
    index = {rid: i for i, rid in enumerate(ids)}
    driver = {
        "name": "superpod",
        "version": __version__,
        "informationUri": "https://github.com/superpod-iac/superpod-iac",
        "rules": [
            {
                "id": rid,
                "name": rules[rid].summary,
                "shortDescription": {"text": rules[rid].summary},
                "fullDescription": {"text": rules[rid].rationale or rules[rid].summary},
                "help": {"text": rules[rid].doc or rules[rid].summary},
                "defaultConfiguration": {"level": _LEVEL[rules[rid].severity]},
                "properties": {"tags": [rid[:3]]},
            }
            for rid in ids
        ],
    }
    results = []
    for d in diagnostics:
        text = sarif_text(d.message + (f" (hint: {d.hint})" if d.hint else ""))
        result: dict[str, object] = {
            "ruleId": d.rule,
            "level": _LEVEL[d.severity],
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.file)},
                    "region": {"startLine": max(d.line, 1), "startColumn": max(d.column, 1)},
                }
            }],
        }
        if d.rule in index:
            result["ruleIndex"] = index[d.rule]
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"filesChecked": files_checked},
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
