"""The rule registry. A rule is a pure function Inventory -> findings, registered with metadata.

Like yamllint, a rule's docstring is its documentation: the first paragraph is the rationale,
and sections headed `Formula:` and `Fix:` feed `docs/rules.md` and `superpod rules ID`. Its
Example and "Use instead" are the fixtures that test it (tests/fixtures/rules/ID.yaml and
pass/ID.yaml, copied into rules/examples.py by docsgen), so they cannot drift from what the rule
does; only a rule whose trigger cannot be a text file keeps an `Example:` in its docstring. The
site-policy keys a check reads are declared with `policy=` (its Options). Rules found before the
Inventory exists (SCH) are declared as data with `declare()`, and the stages that find them take
their severity from here (`declared_severity`).
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
    """The site-policy keys the check reads (its Options; tests/rules/test_rule_options.py keeps
    this true by recording what the check reads on its fixtures)."""
    inputs: tuple[str, ...] = ()
    """The declared figures the check reads, `Model.field` plus what happens when one is left
    out (issue #32, "a check that cannot run is a finding"): `!ID` the rule that reports it
    missing, `?` optional (the check applies where it is declared), `=` it has a default, no
    mark: the schema requires it. tests/rules/test_rule_inputs.py removes each and expects a finding."""

    def input_list(self) -> list[tuple[str, str]]:
        """(`Model.field`, what happens when it is missing) per declared input."""
        out = []
        for text in self.inputs:
            name, _, reporter = text.partition("!")
            if reporter:
                out.append((name, f"missing: reported by {reporter}"))
            elif name.endswith("?"):
                out.append((name[:-1], "optional: checked where declared"))
            elif name.endswith("="):
                out.append((name[:-1], "has a documented default"))
            else:
                out.append((name, "required by the schema" if "." in name else ""))
        return out

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


def _register(r: Rule) -> None:
    if not _ID_RE.match(r.id):
        raise ValueError(f"bad rule id {r.id}")
    if r.id in RULES:
        raise ValueError(f"rule {r.id} registered twice")
    if r.policy:
        from superpod_iac.manifest.policy import KEYS

        unknown = sorted(set(r.policy) - set(KEYS))
    if r.policy and unknown:
        raise ValueError(f"rule {r.id}: unknown policy key(s) {unknown}")
    RULES[r.id] = r


def rule(rule_id: str, summary: str, severity: str = "error", policy: tuple[str, ...] = (),
         inputs: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register a check function as rule `rule_id`; `policy` names the site-policy keys it
    reads (manifest/policy.py), `inputs` the declared figures (Rule.inputs)."""

    def register(func: Check) -> Check:
        _register(Rule(rule_id, summary, Severity(severity), func,
                       inspect.cleandoc(func.__doc__ or ""), "rules", tuple(policy),
                       tuple(inputs)))
        return func

    return register


def declare(rule_id: str, summary: str, *, stage: str, doc: str, severity: str = "error") -> None:
    """Declare a rule found before the rules run (`source`, `manifest`) or by the engine: it has
    an ID, documentation and a default severity like any rule, and no check function."""
    _register(Rule(rule_id, summary, Severity(severity), None, inspect.cleandoc(doc), stage))

