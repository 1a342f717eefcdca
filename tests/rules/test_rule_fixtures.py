"""Every rule has a fixture that triggers it, at the expected line, and nothing else fires."""

from __future__ import annotations

from pathlib import Path

import pytest

from superpod_iac.rules.catalog import all_rules
from tests.conftest import RULE_FIXTURES, expectations, rule_fixtures

BASE = RULE_FIXTURES / "_base.yaml"
# Loader-level rules whose triggering input cannot be a text fixture; tested in test_loader.py.
GENERATED_INPUT = {"SCH008", "SCH009", "SCH011", "INT001"}
# INT001 (a rule that raises) is shown in test_cli.py with a rule made to crash.


@pytest.mark.parametrize("fixture", rule_fixtures(), ids=lambda p: p.stem)
def test_fixture_triggers_expected_rule(cli, fixture: Path) -> None:
    expected = expectations(fixture)
    res = cli("validate", "--format", "json", str(BASE.relative_to(BASE.parents[3])),
              str(fixture.relative_to(fixture.parents[3])))
    assert res.code == (1 if any(_is_error(r) for r, _ in expected) else 0), res.out
    diags = res.json()["diagnostics"]
    found = [(d["rule"], d["line"], d["file"]) for d in diags]
    errors = {d["rule"] for d in diags if d["severity"] == "error"}
    for rule_id, line in expected:
        hits = [f for f in found if f[0] == rule_id and f[2].endswith(fixture.name)]
        assert hits, f"{rule_id} not reported for {fixture.name}: {found}"
        if line is not None:
            assert line in [h[1] for h in hits], f"{rule_id} at lines {hits}, expected {line}"
    # no other rule fires at error level (warnings such as PRT004 may accompany a fixture)
    assert errors <= {r for r, _ in expected}, f"unexpected findings: {found}"


def test_every_rule_has_a_fixture() -> None:
    covered = {rule_id for p in rule_fixtures() for rule_id, _ in expectations(p)}
    missing = sorted(set(all_rules()) - covered - GENERATED_INPUT)
    assert not missing, f"rules without a triggering fixture in tests/fixtures/rules: {missing}"


def test_base_context_is_clean(cli) -> None:
    res = cli("validate", str(BASE.relative_to(BASE.parents[3])))
    assert res.code == 0, res.out


def _is_error(rule_id: str) -> bool:
    return all_rules()[rule_id].severity.value == "error"
