"""The rule registry. A rule is a pure function Inventory -> findings, registered with metadata.

Like yamllint, a rule's docstring is its documentation: the first paragraph is the rationale,
and sections headed `Formula:`, `Example:` and `Fix:` feed `docs/rules.md` and `superpod rules ID`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from superpod_iac.diagnostics import Origin, Severity

if TYPE_CHECKING:
    from superpod_iac.model.inventory import Inventory

_ID_RE = re.compile(r"^[A-Z]{3}\d{3}$")


class Finding(NamedTuple):
    """What a rule yields: the message with its numbers, the object's origin, a hint."""

    message: str
    origin: Origin | None
    hint: str = ""
    sub: tuple[str | int, ...] = ()
    severity: Severity | None = None


Check = Callable[["Inventory"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    severity: Severity
    check: Check | None
    doc: str
    stage: str = "rules"
    """`rules` for Inventory checks; `source` / `manifest` / `model` for checks done upstream."""
    policy: tuple[str, ...] = ()
    """The site-policy keys the check reads (its Options; tests/test_rule_options.py keeps
    this true by recording what the check reads on its fixtures)."""

    @property
    def family(self) -> str:
        return self.id[:3]

    def section(self, name: str) -> str:
        """Text of a docstring section (`Formula`, `Example`, `Fix`), or ''."""
        m = re.search(rf"^{name}:\s*\n(.*?)(?=^\w[\w ]*:\s*$|\Z)", self.doc, re.S | re.M)
        return inspect.cleandoc(m.group(1)) if m else ""

    @property
    def rationale(self) -> str:
        return self.doc.split("\n\n", 1)[0].strip()


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str, severity: str = "error", stage: str = "rules",
         policy: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register a check function as rule `rule_id`; `policy` names the site-policy keys it
    reads (manifest/policy.py)."""
    if not _ID_RE.match(rule_id):
        raise ValueError(f"bad rule id {rule_id}")
    from superpod_iac.manifest.policy import KEYS

    unknown = sorted(set(policy) - set(KEYS))
    if unknown:
        raise ValueError(f"rule {rule_id}: unknown policy key(s) {unknown}")

    def register(func: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, summary, Severity(severity),
                              func if stage == "rules" else None,
                              inspect.cleandoc(func.__doc__ or ""), stage, tuple(policy))
        return func

    return register


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by ID (importing the rule modules registers them)."""
    import superpod_iac.rules.catalog  # noqa: F401  (registers every family)

    return dict(sorted(RULES.items()))
