"""Run the selected rules over an Inventory and finish their diagnostics.

Checking is separated from reporting (check-jsonschema style): the engine attaches rule ID and
severity, finds file:line:col from the finding's path (cfn-lint style), applies inline
`# superpod: ignore[ID]` comments and the project configuration, and sorts deterministically.
"""

from __future__ import annotations

from collections.abc import Iterable

from superpod_iac.config import Config
from superpod_iac.diagnostics import Diagnostic
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import all_rules
from superpod_iac.source.loader import Document, SourceFile


def run_rules(inv: Inventory, config: Config) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in all_rules().values():
        if rule.check is None or not config.enabled(rule.id):
            continue
        for f in rule.check(inv):
            d = Diagnostic(rule.id, f.severity or rule.severity, f.message, hint=f.hint)
            out.append(d.at(f.origin, *f.sub))
    return out


def finish(diagnostics: Iterable[Diagnostic], sources: list[SourceFile], config: Config
           ) -> list[Diagnostic]:
    """Resolve positions, drop suppressed and deselected ones, apply severities, sort, dedupe."""
    docs: dict[tuple[str, int], Document] = {
        (d.file, d.index): d for s in sources for d in s.documents}
    ignores = {s.path: s.ignores for s in sources}
    out: set[Diagnostic] = set()
    for d in diagnostics:
        if not config.enabled(d.rule):
            continue
        doc = docs.get((d.file, d.doc))
        lines: list[int] = []
        if doc is not None:
            if d.line == 0:
                line, col = doc.position(d.path)
                d = d.with_position(line, col)
            lines = [doc.position(d.path[:cut])[0] for cut in range(len(d.path), -1, -1)]
        lines.append(d.line)
        if _suppressed(d.rule, lines, ignores.get(d.file, {})):
            continue
        sev = config.severity_of(d.rule, d.severity)
        if sev != d.severity:
            d = d.with_severity(sev)
        out.add(d)
    return sorted(out, key=Diagnostic.sort_key)


def _suppressed(rule_id: str, lines: list[int], ignores: dict[int, frozenset[str]]) -> bool:
    if not ignores:
        return False
    for line in set(lines):
        ids = ignores.get(line)
        if ids and any(i == "ALL" or rule_id.startswith(i) for i in ids):
            return True
    return False
