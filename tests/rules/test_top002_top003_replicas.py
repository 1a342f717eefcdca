"""TOP002 (oversubscription) and TOP003 (rail alignment) in a superpod a Cluster replicates: the
generator's selectors are written before replication (`rk/lf1`) and name no built device of a
replica (`r1.rk/lf1`), so the rules read the devices each generator built, per replica, from
the model (Inventory.generated). Every replica is checked; the same template mistake in every
replica is one finding; a generator whose devices cannot be found is a finding, not silence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns
from superpod_iac.rules.catalog import all_rules
from tests.conftest import RULE_FIXTURES
from tests.rules.replicas import assert_folded, load_replicas, rule_findings


@pytest.mark.parametrize("rule_id", ["TOP002", "TOP003"])
@pytest.mark.parametrize("replicas", [1, 3, 7])
def test_a_template_mistake_is_one_finding_however_many_replicas(
        tmp_path: Path, rule_id: str, replicas: int) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / f"{rule_id}-replicas.yaml", replicas)
    raw = list(all_rules()[rule_id].check(inv))  # type: ignore[misc]
    assert len(raw) == replicas  # every replica checked ...
    assert sorted(f.message.split(".rk/")[0].rsplit(" ", 1)[-1] for f in raw) == \
        sorted(f"r{i}" for i in range(1, replicas + 1))
    assert_folded(rule_findings(inv, rule_id), replicas, "r1.rk/")  # ... and reported once


@pytest.mark.parametrize("rule_id", ["TOP002", "TOP003"])
def test_the_fix_is_clean_in_every_replica(tmp_path: Path, rule_id: str) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / f"{rule_id}-replicas.yaml", 3)
    assert len([r for r in inv.generated if r.links]) == 3
    assert rule_findings(inv, rule_id) == []


def _swap_rails(inv: Inventory, host: str) -> None:
    """Cable `host`'s two NICs to each other's leaf (in that replica only)."""
    col = columns(inv)
    dev = inv.device_index[host]
    mine = np.nonzero(col["a_dev"] == dev)[0]
    assert len(mine) == 2
    i, j = (int(x) for x in mine)
    t = inv.links
    t.b_dev[i], t.b_dev[j] = t.b_dev[j], t.b_dev[i]
    t.b_port[i], t.b_port[j] = t.b_port[j], t.b_port[i]
    inv.invalidate()


def test_a_mistake_in_one_replica_only_is_found_in_that_replica(tmp_path: Path) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP003-replicas.yaml", 3)
    _swap_rails(inv, "r3.rk/host1")
    found = rule_findings(inv, "TOP003")
    assert len(found) == 1, found
    assert "2 link(s) off their rail" in found[0] and "r3.rk/host1:osfp" in found[0]
    assert "other replica" not in found[0]


def test_a_generator_whose_devices_are_lost_is_a_finding(tmp_path: Path) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP002-replicas.yaml", 3)
    r2 = next(r for r in inv.generated if r.replica == "r2")
    r2.roles["spines"] = []
    top2 = rule_findings(inv, "TOP002")
    assert len(top2) == 1 and "spines are not among the built devices of r2" in top2[0], top2
    assert "oversubscription check did not run" in top2[0]
    assert rule_findings(inv, "TOP003") == []  # the leaves are still there: the rail check ran
    r2.roles["leaves"] = []
    assert any("leaves" in m and "of r2: the rail check did not run" in m
               for m in rule_findings(inv, "TOP003"))
    inv.generated.clear()  # no record of the line at all
    for rule_id, check in (("TOP002", "oversubscription"), ("TOP003", "rail")):
        found = rule_findings(inv, rule_id)
        assert len(found) == 1 and f"the {check} check did not run" in found[0], found


def test_a_generator_that_made_no_links_stays_silent(tmp_path: Path) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP002-replicas.yaml", 2)
    for run in inv.generated:
        run.links, run.roles = 0, {}
    assert rule_findings(inv, "TOP002") == [] and rule_findings(inv, "TOP003") == []
