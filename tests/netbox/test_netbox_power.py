"""The power model a push gives NetBox, without a server: every device fed by its cabinet's
power shelves has one busbar power port per feed, each cabled to its own outlet of a shelf on
that feed, and the draws NetBox will add up are the design's loads (the live check against
NetBox's own utilisation: tests/test_netbox_live.py)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.config import load_config
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.netbox.desired import build, busbar, slugify
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT


@pytest.mark.parametrize("design", ["specs/gb200-nvl72", "specs/gb300-nvl72"])
def test_busbar_cords_reach_every_feed_and_add_up_to_the_design_s_load(design: str) -> None:
    project = load_project([str(ROOT / design)], load_config(None))
    assert not project.errors
    inv = project.inventory
    st = build(inv, "t")
    bus = busbar(inv)
    assert bus.cords
    outlets = [(s.address, n) for _, _, s, n in bus.cords]
    assert len(outlets) == len(set(outlets))  # no outlet feeds two ports
    feeds_of: dict[str, set[str]] = defaultdict(set)
    for cab in inv.cabinets.values():
        feeds_of[cab.name] = {s.feeds[0] for s in cab.devices
                              if s.type.power_output is not None and s.feeds}
    reached: dict[str, set[str]] = defaultdict(set)
    allocated: dict[str, float] = defaultdict(float)
    for d, k, shelf, n in bus.cords:
        assert shelf.cabinet == d.cabinet and n <= bus.outlets[shelf.type_name]
        reached[d.address].add(shelf.feeds[0])
        port = st.objects["power-port-templates"][(slugify(d.type_name), f"busbar{k}")]
        allocated[d.cabinet] += port.fields["allocated_draw"]
        assert port.fields["allocated_draw"] <= port.fields["maximum_draw"]
    for d, _, _, _ in bus.cords:
        assert reached[d.address] == feeds_of[d.cabinet], d.address  # every feed, once each
    for cab, watts in allocated.items():
        ports = sum(1 for d, _, _, _ in bus.cords if d.cabinet == cab)
        assert abs(watts - cabinet_loads(inv)[cab].typical_w) <= ports * 0.5  # rounding
    # a shelf's outlets belong to its inlet, dealt over the three feed legs
    for (_dt, name), want in st.objects["power-outlet-templates"].items():
        if name.startswith("out"):
            assert want.fields["power_port"] == "input1" and want.fields["feed_leg"] in "ABC"


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.booleans()), min_size=1, max_size=12))
def test_pulled_devices_fold_back_into_exactly_the_same_devices(spec: list[tuple[str, bool]]
                                                                ) -> None:
    """`netbox pull --design` folds runs of devices into replicated entries: expanded again,
    they are the same devices at the same U with the same type and feeds."""
    from superpod_iac.model.expand import expand
    from superpod_iac.netbox.pull_design import fold_devices

    devices = []
    for u, (kind, fed) in enumerate(spec, start=1):
        d: dict[str, object] = {"name": f"{kind}{u:02d}", "type": kind, "u": u}
        if fed:
            d["feeds"] = ["f1"]
        devices.append(d)
    back = []
    for e in fold_devices([dict(d) for d in devices]):
        names = list(expand(str(e["name"])))
        us = list(range(int(str(e["u"]).strip("[]").split("-")[0]),
                        int(str(e["u"]).strip("[]").split("-")[-1]) + 1))
        assert len(names) == len(us)
        back += [{**e, "name": n, "u": u} for n, u in zip(names, us, strict=True)]
    assert back == devices
