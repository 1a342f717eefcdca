"""Findings delta: which findings a change introduces, which it fixes, which stay.

Findings are matched without their line numbers (an edit above a finding moves it) and
with the measured numbers in their messages blanked (a cabinet still over its rating after
the change is the same finding at 41 kW as at 42 kW), as a multiset, so two identical
findings on two objects stay two.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from superpod_iac.diagnostics import Diagnostic, Severity

_NUMBER = re.compile(r"(?<![\w\-/.:\[])[-+]?\d[\d,]*(?:\.\d+)?")


def _key(d: Diagnostic, root: str) -> tuple[str, str, str, str]:
    rel = os.path.relpath(d.file, root) if d.file and root else d.file
    if rel == ".":
        rel = os.path.basename(d.file)
    return (d.rule, str(d.severity),
            rel, _NUMBER.sub("#", d.message))


@dataclass
class FindingsDelta:
    new: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    unchanged: list[Diagnostic] = field(default_factory=list)
    """In the new revision, also present before."""

    @property
    def new_errors(self) -> int:
        return sum(d.severity == Severity.ERROR for d in self.new)

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "fixed": len(self.fixed), "unchanged": len(self.unchanged),
                "new_errors": self.new_errors}


def findings_delta(old: Sequence[Diagnostic], new: Sequence[Diagnostic], old_root: str,
                   new_root: str) -> FindingsDelta:
    out = FindingsDelta()
    remaining: Counter[tuple[str, str, str, str]] = Counter(_key(d, old_root) for d in old)
    for d in sorted(new, key=Diagnostic.sort_key):
        k = _key(d, new_root)
        if remaining[k] > 0:
            remaining[k] -= 1
            out.unchanged.append(d)
        else:
            out.new.append(d)
    for d in sorted(old, key=Diagnostic.sort_key):
        k = _key(d, old_root)
        if remaining[k] > 0:
            remaining[k] -= 1
            out.fixed.append(d)
    return out
