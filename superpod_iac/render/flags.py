"""Rule IDs on flagged nodes: the validation's findings, passed in by the caller (the CLI), are
matched to the boxes of any diagram by the object names a box stands for (`Node.members`).
Nothing is re-checked here: a box is flagged when a finding names one of its objects."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.render.graph import Graph
from superpod_iac.render.labels import esc

RED = "#d93025"
_TOKEN = re.compile(r"[A-Za-z0-9_.\-/\[\]]+")


def rule_index(findings: Sequence[Diagnostic] | None) -> dict[str, set[str]]:
    """Name -> the rule IDs of the findings (errors and warnings) whose message names it (a
    device `cab/dev` also flags its cabinet `cab`)."""
    index: dict[str, set[str]] = defaultdict(set)
    for d in findings or ():
        if d.severity not in (Severity.ERROR, Severity.WARNING):
            continue
        for tok in _TOKEN.findall(d.message):
            tok = tok.strip(".")
            index[tok].add(d.rule)
            if "/" in tok:
                index[tok.partition("/")[0]].add(d.rule)
    return index


def rules_of(members: Iterable[str], index: dict[str, set[str]]) -> list[str]:
    return sorted({r for m in members for r in index.get(m, ())})


def flag(graph: Graph, index: dict[str, set[str]]) -> int:
    """Add the rule IDs under the label of every box whose objects a finding names; returns
    how many boxes were flagged."""
    flagged = 0
    for node in graph.nodes.values():
        rules = rules_of(node.members, index)
        if not rules:
            continue
        flagged += 1
        text = " · ".join(rules)
        if node.html:
            node.label = ('<table border="0" cellspacing="0" cellpadding="0"><tr><td>'
                          f'{node.label}</td></tr><tr><td align="left"><font color="{RED}">'
                          f'<b>{esc(text)}</b></font></td></tr></table>')
        else:
            node.label = f"{node.label}\n{text}"
    if flagged:
        graph.notes.append("Red rule IDs under a box: the validation's findings naming it "
                           "(`superpod rules ID` explains each).")
    return flagged
