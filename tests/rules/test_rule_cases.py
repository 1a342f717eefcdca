"""One place for a rule's edge cases: beside its fixture, found by file name.

A rule's cases are `tests/fixtures/rules/ID.yaml` (its Example, `# expect: ID LINE`) and
`ID-<case>.yaml` (more failing cases), and `pass/ID.yaml` (its "Use instead", `# passes: ID`)
and `pass/ID-<case>.yaml` (more passing cases: the edges where the rule must stay silent).
test_rule_fixtures.py and test_rule_passing.py run every one with the shared base, each case's
test id its file name, so `pytest tests/rules -k PWR003` runs all of PWR003's cases (-k is
case-insensitive: a Python test of one rule, for what a YAML case cannot say, carries the ID in
its name, `test_pwr003_...`, in tests/rules/test_<family>.py). This file keeps the names true:
a case file names an existing rule, and the rule it names is the one its header expects.
"""

from __future__ import annotations

import re

from superpod_iac.rules.catalog import all_rules
from tests.conftest import CASE_RE, RULE_FIXTURES, expectations, rule_cases

PASSES_RE = re.compile(r"^# passes: ([A-Z]{3}\d{3})\s*$", re.M)


def test_every_case_file_is_named_for_a_rule_it_tests() -> None:
    rules = all_rules()
    wrong = []
    for folder, header in ((RULE_FIXTURES, "expect"), (RULE_FIXTURES / "pass", "passes")):
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "_base.yaml":
                continue
            m = CASE_RE.match(path.name)
            text = path.read_text(encoding="utf-8")
            named = ({r for r, _ in expectations(path)} if header == "expect"
                     else set(PASSES_RE.findall(text)))
            if m is None:
                wrong.append(f"{path.name}: not ID.yaml or ID-<case>.yaml")
            elif m.group(1) not in rules:
                wrong.append(f"{path.name}: no rule {m.group(1)}")
            elif m.group(1) not in named:
                wrong.append(f"{path.name}: its header does not `# {header}: {m.group(1)}`")
    assert not wrong, "\n".join(wrong)


def test_a_rules_cases_are_found_by_its_id() -> None:
    """rule_cases finds the edge cases beside the Example and only that rule's: PWR003 has
    `PWR003-replicas.yaml` on both sides; PWR001's cases are not PWR0010's or PWR001x's."""
    failing, passing = rule_cases("PWR003")
    assert [p.name for p in failing] == ["PWR003-replicas.yaml", "PWR003.yaml"]
    assert [p.name for p in passing] == ["PWR003-replicas.yaml", "PWR003.yaml"]
    for rule_id in all_rules():
        failing, passing = rule_cases(rule_id)
        assert all(p.name.startswith((f"{rule_id}.", f"{rule_id}-")) for p in failing + passing)
