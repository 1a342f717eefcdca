"""Each rule declares the site-policy keys it reads (`@rule(..., policy=(...))`, printed as its
Options by `superpod rules ID` and docs/rules.md): running every rule on its fixtures with the
policy's reads recorded shows the declaration is exactly what the check reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from superpod_iac.config import Config
from superpod_iac.manifest.policy import KEYS, Policy
from superpod_iac.pipeline import load_project
from superpod_iac.rules.catalog import all_rules
from superpod_iac.rules.registry import Rule
from tests.conftest import RULE_FIXTURES, expectations, rule_fixtures

BASE = RULE_FIXTURES / "_base.yaml"
PASS = RULE_FIXTURES / "pass"


class _Recorded:
    """A policy whose key reads are recorded."""

    def __init__(self, policy: Policy, seen: set[str]) -> None:
        self._policy, self._seen = policy, seen

    def __getattr__(self, name: str) -> Any:
        if name in KEYS:
            self._seen.add(name)
        return getattr(self._policy, name)


def _fixtures(rule_id: str) -> list[Path]:
    """The fixtures that exercise a rule: the base context alone, those expecting the rule, and
    its passing variant."""
    found = [p for p in rule_fixtures() if any(r == rule_id for r, _ in expectations(p))]
    return [BASE, *found, *(p for p in [PASS / f"{rule_id}.yaml"] if p.is_file())]


def reads(rule: Rule, fixture: Path) -> set[str]:
    """The policy keys `rule` reads on `fixture` (with the shared base context) while it runs on
    a freshly built inventory: its own reads and those of the quantities the model derives on
    demand for it (the derating of a feed, the approach of a CDU)."""
    assert rule.check is not None
    paths = [str(BASE)] + ([str(fixture)] if fixture != BASE else [])
    inv = load_project(paths, Config(), check=False).inventory
    seen: set[str] = set()
    inv.policy = _Recorded(inv.policy, seen)  # type: ignore[assignment]
    inv.hall_policies = {h: _Recorded(p, seen)  # type: ignore[misc]
                         for h, p in inv.hall_policies.items()}
    list(rule.check(inv))
    return seen


CHECKED = [r for r in all_rules().values() if r.check is not None]


@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.id)
def test_declared_policy_keys_are_the_keys_read(rule: Rule) -> None:
    fixtures = _fixtures(rule.id)
    assert fixtures, f"{rule.id} has no fixture"
    seen = set().union(*(reads(rule, f) for f in fixtures))
    assert sorted(rule.policy) == sorted(seen), (
        f"{rule.id} reads policy keys {sorted(seen)} but declares {sorted(rule.policy)}: "
        "fix `policy=` in its @rule(...)")


def test_an_undeclared_key_is_refused() -> None:
    from superpod_iac.rules.registry import rule

    with pytest.raises(ValueError, match="unknown policy key"):
        rule("ZZZ999", "x", policy=("no_such_key",))(lambda inv: iter(()))


@pytest.mark.parametrize("rule", list(all_rules().values()), ids=lambda r: r.id)
def test_a_policy_key_the_documentation_names_is_declared(rule: Rule) -> None:
    """A docstring that says "policy `x`" promises an Option the rule must declare."""
    import re

    named = sorted(k for k in KEYS if re.search(rf"\b{k}\b", rule.doc))
    assert set(named) <= set(rule.policy), (rule.id, named, rule.policy)
