"""TOP004 (scale-up islands) in a superpod a Cluster replicates: every replica's scale-up links
are checked on their own (the rule used to look at the first replica's only, so a later
replica split in two passed silently), and the same islands in every replica are one finding,
folded by the engine ("the same in N other replica(s)")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.catalog import all_rules
from tests.conftest import RULE_FIXTURES
from tests.rules.replicas import load_replicas, rule_findings


def _raw(inv: Inventory) -> list[str]:
    return [f.message for f in all_rules()["TOP004"].check(inv)]  # type: ignore[misc]


def _split(inv: Inventory, replica: str) -> None:
    """Recable `replica`'s NVLink links so that tray01 reaches only nvsw1 and tray02 only
    nvsw2 (in that replica only): its domain splits in two islands."""
    dev = inv.device_index
    t1, t2 = dev[f"{replica}.nvl72-01/tray01"], dev[f"{replica}.nvl72-01/tray02"]
    s1, s2 = dev[f"{replica}.nvl72-01/nvsw1"], dev[f"{replica}.nvl72-01/nvsw2"]
    t = inv.links
    a, b = np.frombuffer(t.a_dev, dtype=np.int32), np.frombuffer(t.b_dev, dtype=np.int32)
    moved = 0
    for ends, other in ((a, t.b_dev), (b, t.a_dev)):
        for tray, wrong, right in ((t1, s2, s1), (t2, s1, s2)):
            for i in np.nonzero((ends == tray) & (np.frombuffer(other, np.int32) == wrong))[0]:
                other[int(i)] = right
                moved += 1
    assert moved
    inv.invalidate()


@pytest.mark.parametrize("replicas", [1, 2, 3])
def test_a_template_mistake_is_one_finding_however_many_replicas(
        tmp_path: Path, replicas: int) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "TOP004-replicas.yaml", replicas)
    raw = _raw(inv)
    assert len(raw) == replicas  # every replica checked, each naming its own devices ...
    assert sorted(m.split(".nvl72-01/")[0].rsplit(" ", 1)[-1] for m in raw) == \
        sorted(f"x{i}" for i in range(1, replicas + 1))
    found = rule_findings(inv, "TOP004")  # ... reported once
    assert len(found) == 1, found
    assert "form 2 islands of 1, 1 devices" in found[0] and "x1.nvl72-01/tray" in found[0]
    if replicas > 1:
        assert f"(the same in {replicas - 1} other replica(s)" in found[0]
    else:
        assert "other replica" not in found[0]


def test_the_fix_is_clean_in_every_replica(tmp_path: Path) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP004-replicas.yaml", 3)
    assert _raw(inv) == []


@pytest.mark.parametrize("replica", ["x2", "x3"])
def test_a_later_replica_split_in_two_is_found_in_that_replica(
        tmp_path: Path, replica: str) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP004-replicas.yaml", 3)
    _split(inv, replica)
    found = rule_findings(inv, "TOP004")
    assert len(found) == 1, found
    assert "form 2 islands of 1, 1 devices" in found[0]
    assert f"{replica}.nvl72-01/tray0" in found[0] and "other replica" not in found[0]


def test_every_replica_split_the_same_way_is_one_finding(tmp_path: Path) -> None:
    """Replicas whose links are the same (in their own device positions) share one analysis;
    each is named with its own devices, so the engine folds them."""
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP004-replicas.yaml", 3)
    for r in ("x1", "x2", "x3"):
        _split(inv, r)
    raw = _raw(inv)
    assert len(raw) == 3 and len({m.replace("x2.", "x1.").replace("x3.", "x1.")
                                  for m in raw}) == 1, raw
    found = rule_findings(inv, "TOP004")
    assert len(found) == 1 and "(the same in 2 other replica(s): x[2-3])" in found[0], found


def test_links_across_replicas_make_one_domain_checked_as_one(tmp_path: Path) -> None:
    """A scale-up link from one replica into another joins their domains: they are checked
    together, not each replica's links on their own (which would count x2.tray02, joined to
    x1 through that link, as an island of x2)."""
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / "TOP004-replicas.yaml", 2)
    _split(inv, "x2")
    dev = inv.device_index
    tray, own, other = (dev["x2.nvl72-01/tray02"], dev["x2.nvl72-01/nvsw2"],
                        dev["x1.nvl72-01/nvsw1"])
    t = inv.links
    i = next(i for i in range(len(t)) if {t.a_dev[i], t.b_dev[i]} == {tray, own})
    if t.a_dev[i] == own:
        t.a_dev[i] = other
    else:
        t.b_dev[i] = other
    inv.invalidate()
    found = rule_findings(inv, "TOP004")
    assert len(found) == 1, found
    assert "form 2 islands of 3, 1 devices (e.g. x2.nvl72-01/tray01)" in found[0], found
