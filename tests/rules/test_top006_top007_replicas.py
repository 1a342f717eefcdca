"""TOP006/TOP007 (a fabric's declared shape) in a superpod a Cluster replicates: every
replica is checked, from the devices the model built for the shape's selectors in it (the
selectors are written before replication: `r1/h*` names no device of replica x2, `x2.r1/h1`),
and the same finding in every replica is reported once by the engine's replica fold."""

from __future__ import annotations

from pathlib import Path

import pytest

from superpod_iac.model.inventory import SHAPE_SELECTION
from superpod_iac.model.shape import analyse, analyse_replicas
from superpod_iac.rules.catalog import all_rules
from tests.conftest import RULE_FIXTURES
from tests.rules.replicas import assert_folded, load_replicas, rule_findings


@pytest.mark.parametrize("rule_id", ["TOP006", "TOP007"])
@pytest.mark.parametrize("replicas", [1, 3, 5])
def test_every_replica_is_checked_and_one_mistake_is_one_finding(
        tmp_path: Path, rule_id: str, replicas: int) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / f"{rule_id}-replicas.yaml", replicas)
    records = [r for r in inv.generated if r.generator == SHAPE_SELECTION]
    assert sorted(r.replica or "" for r in records) == [f"x{i}" for i in range(1, replicas + 1)]
    raw = [f.message for f in all_rules()[rule_id].check(inv)]  # type: ignore[misc]
    assert len(raw) == replicas  # one per replica, each naming its own devices ...
    assert sorted(m.split(".r")[0].rsplit(" ", 1)[-1] for m in raw) == \
        sorted(f"x{i}" for i in range(1, replicas + 1))
    assert_folded(rule_findings(inv, rule_id), replicas, "from x1.r")  # ... folded into one


@pytest.mark.parametrize("rule_id", ["TOP006", "TOP007"])
def test_the_fix_is_clean_in_every_replica(tmp_path: Path, rule_id: str) -> None:
    inv = load_replicas(tmp_path, RULE_FIXTURES / "pass" / f"{rule_id}-replicas.yaml", 4)
    reps = analyse_replicas(inv)
    assert [r.replica for r in reps] == [f"x{i}" for i in range(1, 5)]
    assert all(not r.structure and not r.hops and r.max_hops is not None for r in reps)
    assert len({(r.nodes, r.max_hops, r.bisection_gbps) for r in reps}) == 1
    assert [r.replica for r in analyse(inv)] == ["x1"]  # the summary's: one per fabric
    assert rule_findings(inv, rule_id) == []


@pytest.mark.parametrize("rule_id", ["TOP006", "TOP007"])
def test_a_reused_report_is_what_analysing_the_replica_gives(tmp_path: Path, rule_id: str) -> None:
    """Replicas whose links and selections are those of an analysed replica (in the replica's
    own device positions) reuse its report, renamed; analysing each afresh gives the same."""
    import numpy as np

    from superpod_iac.model.linkstats import columns
    from superpod_iac.model.shape import analyse_fabric, link_speeds

    inv = load_replicas(tmp_path, RULE_FIXTURES / f"{rule_id}-replicas.yaml", 3)
    col = columns(inv)
    runs = {r.replica: r for r in inv.generated if r.generator == SHAPE_SELECTION}
    for rep in analyse_replicas(inv):
        fab = inv.fabrics[rep.fabric]
        assert fab.spec is not None and fab.spec.shape is not None
        run = runs[rep.replica]
        mine = np.zeros(len(inv.devices), dtype=bool)
        pod = inv.superpods[rep.replica or ""]
        mine[[d.index for c in pod.cabinets for d in inv.cabinets[c].devices]] = True
        sel = np.nonzero((col["fabric"] == fab.index) & mine[col["a_dev"]]
                         & mine[col["b_dev"]])[0]
        fresh = analyse_fabric(inv, fab, fab.spec.shape, run.roles["nodes"],
                               run.roles.get("switches", []), col["a_dev"][sel].astype(np.int64),
                               col["b_dev"][sel].astype(np.int64), link_speeds(inv)[sel])
        assert (fresh.structure, fresh.hops, fresh.max_hops, fresh.bisection_gbps) == \
            (rep.structure, rep.hops, rep.max_hops, rep.bisection_gbps)
        assert all(f"{rep.replica}.r" in s for s in rep.structure + rep.hops)
