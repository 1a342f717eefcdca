"""Every rule has a passing variant next to its failing fixture (its "Use instead").

`tests/fixtures/rules/pass/ID.yaml` (header `# passes: ID`) is the nearest correct design: it
validates with the shared base context and reports no error at all, and not rule ID at any level.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
PASS = RULE_FIXTURES / "pass"
PASSES_RE = re.compile(r"^# passes: ([A-Z]{3}\d{3})\s*$", re.M)
# Every rule has a passing variant (its "Use instead" in docs/rules.md), except those whose
# trigger cannot be a text fixture (tests/rules/test_rule_fixtures.py GENERATED_INPUT).


def _passes(path: Path) -> list[str]:
    return PASSES_RE.findall(path.read_text(encoding="utf-8"))


def _fixtures() -> list[Path]:
    return sorted(PASS.glob("*.yaml"))


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.stem)
def test_passing_variant_is_clean(cli, fixture: Path) -> None:
    rules = _passes(fixture)
    assert rules, f"{fixture.name} has no `# passes: ID` header"
    res = cli("validate", "--format", "json", str(BASE.relative_to(BASE.parents[3])),
              str(fixture.relative_to(fixture.parents[4])))
    diags = res.json()["diagnostics"]
    errors = [(d["rule"], d["line"], d["message"]) for d in diags if d["severity"] == "error"]
    assert res.code == 0 and not errors, errors
    fired = [d for d in diags if d["rule"] in rules]
    assert not fired, fired


def test_every_rule_has_a_passing_variant() -> None:
    from superpod_iac.rules.catalog import all_rules
    from tests.rules.test_rule_fixtures import GENERATED_INPUT

    covered = {r for p in _fixtures() for r in _passes(p)}
    missing = sorted(r for r in all_rules() if r not in covered and r not in GENERATED_INPUT)
    assert not missing, f"rules without a passing variant in tests/fixtures/rules/pass: {missing}"


def test_every_rule_family_has_a_section_in_the_rule_reference() -> None:
    from superpod_iac.rules.catalog import all_rules
    from superpod_iac.rules.docs import FAMILIES

    missing = sorted({r.family for r in all_rules().values()} - set(FAMILIES))
    assert not missing, f"families without a docs/rules.md section (rules/docs.py): {missing}"
