"""Cluster replication (model/replicate.py) on the 3-cabinet `mini` superpod
(tests/fixtures/render/mini: 14 devices, 34 links, 9 power nodes, 2 CDUs in a group, one hall):
counts, names, renamed references, independence of the replicas, cascades, and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.pipeline import load_project
from superpod_iac.source.loader import LoadLimits
from tests.conftest import FIXTURES

MINI = FIXTURES / "render" / "mini"


OWN = "  per_replica: [utility, hall1, tower-loop]\n"
"""Every replica its own utility (and so its whole power tree), hall and facility loop."""


def _cluster(tmp_path: Path, spec: str, own: str = OWN) -> Inventory:
    path = tmp_path / "cluster.yaml"
    path.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {name: trio}\n"
                    "spec:\n  superpod: mini\n" + own + spec, encoding="utf-8")
    return load_project([str(MINI), str(path)], Config(), check=False).inventory


RING = """  cascade:
    - type: ring
      uplinks: "net1/leaf*:p[17-20]"
      cable: smf-os2-lc
      transceiver: 400g-fr4
      length_m: 40
"""


def test_replicas_copy_every_object_under_their_own_names(tmp_path: Path) -> None:
    inv = _cluster(tmp_path, '  replicas: 3\n  names: "m-[1-3]"\n')
    assert list(inv.superpods) == ["m-1", "m-2", "m-3"]  # the template became m-1
    assert {p.template for p in inv.superpods.values()} == {"mini"}
    assert inv.superpods["m-2"].cabinets == ["m-2.net1", "m-2.rk1", "m-2.rk2"]
    assert sorted(inv.cabinets) == [f"m-{r}.{c}" for r in (1, 2, 3) for c in ("net1", "rk1", "rk2")]
    assert (len(inv.devices), len(inv.links)) == (3 * 14, 3 * 34)
    assert len(inv.power_nodes) == 3 * 9 and "utility" not in inv.power_nodes
    assert sorted(inv.cdus) == ["m-1.cdu-1", "m-1.cdu-2", "m-2.cdu-1", "m-2.cdu-2", "m-3.cdu-1",
                                "m-3.cdu-2"]
    assert sorted(inv.cdu_groups) == ["m-1.cdus", "m-2.cdus", "m-3.cdus"]
    assert sorted(inv.halls) == ["m-1.hall1", "m-2.hall1", "m-3.hall1"]
    assert sorted(inv.loops) == ["m-1.tower-loop", "m-2.tower-loop", "m-3.tower-loop"]
    assert sorted(inv.rows) == [("m-1.hall1", "A"), ("m-2.hall1", "A"), ("m-3.hall1", "A")]
    assert inv.clusters["trio"].replicas == ["m-1", "m-2", "m-3"]
    assert not inv.problems.unresolved and not inv.problems.expansion


def test_replica_references_point_into_the_same_replica(tmp_path: Path) -> None:
    inv = _cluster(tmp_path, '  replicas: 3\n  names: "m-[1-3]"\n')
    cab = inv.cabinets["m-3.rk2"]
    assert (cab.feeds, cab.cdu, cab.hall, cab.row, cab.slot, cab.superpod) == \
        (["m-3.rk2-A", "m-3.rk2-B"], "m-3.cdus", "m-3.hall1", "A", 2, "m-3")
    assert [d.feeds for d in cab.devices[:2]] == [["m-3.rk2-A"], ["m-3.rk2-B"]]
    assert inv.power_nodes["m-2.rk1-A"].spec.parent == "m-2.ups-A"
    assert inv.power_nodes["m-2.ups-A"].children == ["m-2.rk1-A", "m-2.rk2-A", "m-2.net1-A"]
    assert inv.power_nodes["m-2.utility"].spec.parent is None
    assert (inv.cdus["m-3.cdu-1"].spec.group, inv.cdus["m-3.cdu-1"].spec.loop) == \
        ("m-3.cdus", "m-3.tower-loop")
    # device indices are dense and every link stays inside one replica
    assert [d.index for d in inv.devices] == list(range(42))
    assert all(inv.device_index[d.address] == d.index for d in inv.devices)
    t = inv.links
    pods = {(inv.devices[t.a_dev[i]].cabinet.split(".")[0],
             inv.devices[t.b_dev[i]].cabinet.split(".")[0]) for i in range(len(t))}
    assert pods == {("m-1", "m-1"), ("m-2", "m-2"), ("m-3", "m-3")}


def test_replicas_share_no_mutable_state(tmp_path: Path) -> None:
    inv = _cluster(tmp_path, '  replicas: 2\n  names: "m-[1-2]"\n')
    one, two = inv.cabinets["m-1.rk1"], inv.cabinets["m-2.rk1"]
    for attr in ("labels", "feeds", "devices"):
        assert getattr(one, attr) is not getattr(two, attr), attr
    assert one.devices[0] is not two.devices[0]
    assert one.devices[0].feeds is not two.devices[0].feeds
    assert one.devices[0].outlets is not two.devices[0].outlets
    a, b = inv.power_nodes["m-1.ups-A"], inv.power_nodes["m-2.ups-A"]
    assert a.spec is not b.spec and a.children is not b.children
    assert inv.cdus["m-1.cdu-1"].spec is not inv.cdus["m-2.cdu-1"].spec
    assert inv.superpods["m-1"].cabinets is not inv.superpods["m-2"].cabinets
    one.labels["mark"] = "x"
    one.devices[0].feeds.append("elsewhere")
    a.children.append("elsewhere")
    assert "mark" not in two.labels
    assert two.devices[0].feeds == ["m-2.rk1-A"]
    assert "elsewhere" not in b.children


def test_one_replica_is_the_template_renamed(tmp_path: Path) -> None:
    inv = _cluster(tmp_path, "  replicas: 1\n")
    assert list(inv.superpods) == ["mini-1"]  # default names: <superpod>-[1-N]
    assert sorted(inv.cabinets) == ["mini-1.net1", "mini-1.rk1", "mini-1.rk2"]
    assert (len(inv.devices), len(inv.links)) == (14, 34)


def test_ring_cascade_links_each_replica_to_the_next(tmp_path: Path) -> None:
    inv = _cluster(tmp_path, '  replicas: 3\n  names: "m-[1-3]"\n' + RING)
    fab = inv.fabrics["trio-cascade"]
    t = inv.links
    ring = [(inv.endpoint(t.a_dev[i], t.a_port[i]), inv.endpoint(t.b_dev[i], t.b_port[i]))
            for i in range(len(t)) if t.fabric[i] == fab.index]
    # 8 uplinks per replica (2 leaves x p17-p20): leaf1's half east, leaf2's half west
    assert len(ring) == 3 * 4 and len(t) == 3 * 34 + 12
    assert ring[:2] == [("m-1.net1/leaf1:p17", "m-2.net1/leaf2:p17"),
                        ("m-1.net1/leaf1:p18", "m-2.net1/leaf2:p18")]
    assert ring[-1] == ("m-3.net1/leaf1:p20", "m-1.net1/leaf2:p20")  # the ring closes
    i = next(i for i in range(len(t)) if t.fabric[i] == fab.index)
    assert (t.cable_of(i), t.xcvrs_of(i), t.length_m[i]) == \
        ("smf-os2-lc", ("400g-fr4", "400g-fr4"), 40.0)


@pytest.mark.parametrize(("spec", "message"), [
    ('  replicas: 3\n  names: "m-[1-2]"\n', "names 'm-[1-2]' expand to 2 replicas, not 3"),
    ('  replicas: 2\n' + RING.replace("p[17-20]", "p[17-99]"),
     "cascade: port 'p33' is not on net1/leaf1 (mini-leaf)"),
    ('  replicas: 2\n' + RING.replace("p[17-20]", "p[17-19]").replace("leaf*", "leaf1"),
     "cascade: uplinks 'net1/leaf1:p[17-19]' select 3 ports; a ring needs an even, non-zero "
     "number"),
    ('  replicas: 2\n  cascade: [{type: clos, uplinks: "net1/leaf*:p17"}]\n',
     "cascade clos: needs `cores` and `core_ports`"),
])
def test_replication_problems_are_reported_not_raised(tmp_path: Path, spec: str,
                                                      message: str) -> None:
    inv = _cluster(tmp_path, spec)
    assert [p.message for p in inv.problems.expansion] == [message]


def test_an_unknown_superpod_is_an_unresolved_reference(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {name: c2}\n"
                    "spec: {superpod: minni, replicas: 2}\n", encoding="utf-8")
    inv = load_project([str(MINI), str(path)], Config(), check=False).inventory
    [ref] = inv.problems.unresolved
    assert (ref.what, ref.name, ref.context, ref.origin.path) == \
        ("superpod", "minni", "cluster c2", ("spec", "superpod"))
    assert list(inv.superpods) == ["mini"]  # nothing replicated


def test_too_many_replicas_is_a_limit_not_work(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {name: trio}\n"
                    "spec: {superpod: mini, replicas: 3}\n", encoding="utf-8")
    inv = load_project([str(MINI), str(path)], Config(), check=False,
                       limits=LoadLimits(max_replicas=2)).inventory
    assert [p.message for p in inv.problems.limits] == \
        ["cluster trio asks for 3 replicas > limit 2 (limit max_replicas)"]
    assert list(inv.superpods) == ["mini"]


def test_replica_cdus_keep_every_resolved_figure(tmp_path: Path) -> None:
    """A replica's CDU has the template's capacity, flow, set point and approach (an approach
    dropped in a replica fell back to the policy's 3 K: CLG006 then judged the cluster's
    trays against water 3 K cooler than the single pod's)."""
    design = (MINI / "design.yaml").read_text(encoding="utf-8")
    hot = design.replace("{name: tower-loop, capacity_kw: 200, supply_c: 25}",
                         "{name: tower-loop, capacity_kw: 200, supply_c: 40}").replace(
        "loop: tower-loop, fluid: pg25}", "loop: tower-loop, fluid: pg25, approach_c: 6}")
    assert hot.count("approach_c: 6") == 1 and hot.count("max_coolant_supply_c: 45") == 1
    (tmp_path / "mini").mkdir()
    (tmp_path / "mini" / "design.yaml").write_text(hot, encoding="utf-8")
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {name: trio}\n"
        'spec:\n  superpod: mini\n  replicas: 3\n  names: "m-[1-3]"\n', encoding="utf-8")
    pod = load_project([str(tmp_path / "mini")], Config())
    cluster = load_project([str(tmp_path / "mini"), str(tmp_path / "cluster.yaml")], Config())
    template = pod.inventory.cdus["cdu-1"]
    assert template.approach_c == 6
    for r in (1, 2, 3):
        c = cluster.inventory.cdus[f"m-{r}.cdu-1"]
        assert (c.capacity_kw, c.flow_lpm, c.supply_c, c.approach_c) == \
            (template.capacity_kw, template.flow_lpm, template.supply_c, 6)
    # 40 C water + 6 K = 46 C > 45 C (with the policy's 3 K it would pass): what fires for the
    # pod fires for each of its three replicas, reported once per mistake (m-1, naming m-2, m-3)
    pod_hits = [d for d in pod.diagnostics if d.rule == "CLG006"]
    cluster_hits = [d for d in cluster.diagnostics if d.rule == "CLG006"]
    assert pod_hits and len(cluster_hits) == len(pod_hits), (pod_hits, cluster_hits)
    for p, c in zip(pod_hits, cluster_hits, strict=True):
        assert c.message == p.message.replace("rk", "m-1.rk") + \
            " (the same in 2 other replica(s): m-[2-3])", (p, c)


def test_replica_objects_copy_every_field_of_the_template(tmp_path: Path) -> None:
    """Cabinets, devices, power nodes and CDUs of a replica equal the template's in every
    dataclass field except those replication renames: a field added to a model object and
    forgotten by the cloning code fails here rather than falling back to a default."""
    from dataclasses import fields

    pod = load_project([str(MINI)], Config(), check=False).inventory
    inv = _cluster(tmp_path, '  replicas: 2\n  names: "m-[1-2]"\n')
    renamed = {"name", "cabinet", "feeds", "index", "hall", "cdu", "superpod", "devices",
               "spec", "children", "origin"}
    pairs = [(pod.cabinets[n], inv.cabinets[f"m-2.{n}"]) for n in pod.cabinets]
    pairs += [(d, inv.cabinets[f"m-2.{d.cabinet}"].devices[i])
              for c in pod.cabinets.values() for i, d in enumerate(c.devices)]
    pairs += [(pod.power_nodes[n], inv.power_nodes[f"m-2.{n}"]) for n in pod.power_nodes
              if f"m-2.{n}" in inv.power_nodes]
    pairs += [(pod.cdus[n], inv.cdus[f"m-2.{n}"]) for n in pod.cdus]
    assert len(pairs) > 20
    for template, replica in pairs:
        for f in fields(template):
            if f.name not in renamed:
                assert getattr(replica, f.name) == getattr(template, f.name), \
                    (type(template).__name__, f.name)


OUTSIDE = """apiVersion: superpod-iac/v1alpha1
kind: PowerSystem
metadata: {name: core-power}
spec:
  nodes:
    - {name: core-A, type: feed, parent: ups-A, side: A, voltage_v: 415, breaker_a: 60}
    - {name: core-B, type: feed, parent: ups-B, side: B, voltage_v: 415, breaker_a: 60}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: core1}
spec:
  type: mini-rack
  location: {hall: hall1, row: A, slot: 4}
  feeds: [core-A, core-B]
  cdu: cdus
  devices:
    - {name: "host[1-2]", type: mini-host, u: "[3-5/2]"}
"""


def test_infrastructure_shared_with_cabinets_outside_the_template_stays(tmp_path: Path) -> None:
    """A cabinet outside the replicated superpod on the same UPSs, CDU group and hall: each
    replica gets its own copies, and the originals stay for the outside cabinet. They were
    retired with the template, leaving its feeds hung from deleted UPSs (its load counted
    nowhere), its CDU group and its hall unknown: its power, cooling, floor load and air
    side went unchecked."""
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {name: trio}\n"
        'spec:\n  superpod: mini\n  replicas: 3\n  names: "m-[1-3]"\n' + OWN, encoding="utf-8")
    (tmp_path / "core.yaml").write_text(OUTSIDE, encoding="utf-8")
    inv = load_project([str(MINI), str(tmp_path)], Config(), check=False).inventory
    core = inv.cabinets["core1"]
    assert core.hall in inv.halls and ("hall1", "A") in inv.rows
    assert core.cdu in inv.cdu_groups and {"cdu-1", "cdu-2"} <= set(inv.cdus)
    assert "tower-loop" in inv.loops
    for name, node in inv.power_nodes.items():
        assert node.spec.parent is None or node.spec.parent in inv.power_nodes, name
    assert {"ups-A", "ups-B", "utility"} <= set(inv.power_nodes)
    assert "m-2.ups-A" in inv.power_nodes and "m-2.hall1" in inv.halls   # replicas: own copies
    assert "rk1-A" not in inv.power_nodes   # used by the template only: retired
    from superpod_iac.model.power import power_tree

    tree = power_tree(inv)
    assert tree.normal.loads_w["ups-A"] > 0 and tree.normal.loads_w["utility"] > 0


def test_each_replica_records_the_devices_its_generators_built(tmp_path: Path) -> None:
    """A Clos generator's record (Inventory.generated) is cloned per replica: its leaves,
    spines and endpoints are the replica's built devices, the same the replica's generated
    links join (read from the link table, not from names), in the generator's order."""
    from superpod_iac.model.linkstats import columns
    from tests.conftest import RULE_FIXTURES

    text = (RULE_FIXTURES / "pass" / "TOP003-replicas.yaml").read_text(encoding="utf-8")
    path = tmp_path / "clos.yaml"
    path.write_text(text.replace('replicas: 2, names: "r[1-2]"', 'replicas: 3, names: "r[1-3]"'),
                    encoding="utf-8")
    inv = load_project([str(RULE_FIXTURES / "_base.yaml"), str(path)], Config(),
                       check=False).inventory
    runs = inv.generated
    assert [r.replica for r in runs] == ["r1", "r2", "r3"]
    col = columns(inv)
    for run in runs:
        pod = inv.superpods[run.replica or ""]
        mine = {d.index for c in pod.cabinets for d in inv.cabinets[c].devices}
        roles = run.roles
        assert set(roles["endpoints"]) | set(roles["leaves"]) | set(roles["spines"]) <= mine
        assert [inv.devices[d].address for d in roles["leaves"]] == \
            [f"{run.replica}.rk/lf1", f"{run.replica}.rk/lf2"]
        made = col["origin"] == inv.links.intern_origin(run.origin)
        a, b = col["a_dev"][made], col["b_dev"][made]
        in_pod = np.isin(a, list(mine))
        assert int(in_pod.sum()) == run.links == 8  # 2 hosts x 2 NICs + 2 leaves x 2 up
        ends = set(a[in_pod].tolist()) | set(b[in_pod].tolist())
        assert ends == set(roles["endpoints"]) | set(roles["leaves"]) | set(roles["spines"])
