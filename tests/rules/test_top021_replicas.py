"""TOP021 (optical pass-through ports) in a superpod a Cluster replicates: the fabric's
`optical_through` selector is written before replication (`rk-1/ocs1`) and names no built
device of a replica (`r1.rk-1/ocs1`), so the rule reads the devices the model built for it,
per replica, and holds each replica's optical links to that replica's devices. The same
shortfall in every replica is one finding; devices outside the replicas carry them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from superpod_iac.model.inventory import OPTICAL_THROUGH
from superpod_iac.rules.catalog import all_rules
from tests.conftest import RULE_FIXTURES
from tests.rules.replicas import load_replicas, rule_findings


@pytest.mark.parametrize("replicas", [1, 3, 6])
def test_a_template_shortfall_is_one_finding_however_many_replicas(
        tmp_path: Path, replicas: int) -> None:
    inv = load_replicas(tmp_path, (RULE_FIXTURES / "TOP021-replicas.yaml").read_text(encoding="utf-8"),
                replicas)
    records = [r for r in inv.generated if r.generator == OPTICAL_THROUGH]
    assert sorted(r.replica or "" for r in records) == sorted(f"r{i}" for i in
                                                              range(1, replicas + 1))
    assert all(len(r.roles["through"]) == 1 for r in records)
    raw = [f.message for f in all_rules()["TOP021"].check(inv)]  # type: ignore[misc]
    assert len(raw) == replicas  # every replica checked, each against its own links ...
    assert all("2 optical links = 4 link ends" in m and "2 short" in m for m in raw)
    found = rule_findings(inv, "TOP021")  # ... and reported once
    assert len(found) == 1, found
    assert "(r1.rk-1/ocs1) with 2 ports, 2 short" in found[0]
    if replicas > 1:
        assert f"(the same in {replicas - 1} other replica(s)" in found[0]


@pytest.mark.parametrize("replicas", [1, 2, 5])
def test_the_fix_is_clean_in_every_replica(tmp_path: Path, replicas: int) -> None:
    text = (RULE_FIXTURES / "pass" / "TOP021-replicas.yaml").read_text(encoding="utf-8")
    assert rule_findings(load_replicas(tmp_path, text, replicas), "TOP021") == []


SHARED = """---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: ocs-rk}
spec:
  type: light-rack
  location: {hall: hall1, row: B, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: "ocs[1-6]", type: fx-ocs, u: "[20-25]"}
"""


@pytest.mark.parametrize(("replicas", "short"), [(2, None), (3, None), (4, 4), (5, 8)])
def test_devices_outside_the_replicas_carry_every_replicas_links(
        tmp_path: Path, replicas: int, short: int | None) -> None:
    text = (RULE_FIXTURES / "pass" / "TOP021-replicas.yaml").read_text(encoding="utf-8")
    text = text.replace('optical_through: "rk-*/ocs1"', 'optical_through: "ocs-rk/ocs*"')
    inv = load_replicas(tmp_path, text + SHARED, replicas)
    records = [r for r in inv.generated if r.generator == OPTICAL_THROUGH]
    assert [(r.replica, len(r.roles["through"])) for r in records] == [(None, 6)]
    found = rule_findings(inv, "TOP021")
    if short is None:  # 6 OCS x 2 ports = 12 >= 2 links x 2 ends x replicas
        assert found == []
    else:
        assert len(found) == 1, found
        assert f"{2 * replicas} optical links = {4 * replicas} link ends" in found[0]
        assert f"with 12 ports, {short} short" in found[0]


def test_a_selector_finding_nothing_is_still_a_finding(tmp_path: Path) -> None:
    text = (RULE_FIXTURES / "pass" / "TOP021-replicas.yaml").read_text(encoding="utf-8")
    inv = load_replicas(tmp_path, text.replace('"rk-*/ocs1"', '"nowhere/ocs*"'), 3)
    found = rule_findings(inv, "TOP021")
    assert len(found) == 1, found
    assert "6 optical links = 12 link ends pass through 0 device(s)" in found[0]
    assert "(no ports to land on)" in found[0]
