"""`superpod netbox push|diff|pull` against a real NetBox (scripts/netbox-dev, one per session).

The tests run in file order on one NetBox: push both reference designs, read everything back
through the API and compare it with the design, re-plan (nothing to do), then drift, ownership,
pull and the CSV bulk import.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pynetbox
import pytest
from ruamel.yaml import YAML

from superpod_iac.config import load_config
from superpod_iac.model.inventory import Inventory
from superpod_iac.netbox.desired import CABLE_TYPES, MEDIUM_FIELD
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT
from tests.netbox.conftest import NetBoxServer

DESIGNS = os.environ.get("SUPERPOD_NETBOX_TEST_DESIGNS", "specs/gb200-nvl72").split(",")
"""The NVL72 by default; SUPERPOD_NETBOX_TEST_DESIGNS=specs/gb200-nvl72,specs/cloudmatrix-384
adds CloudMatrix 384, whose 6,192 cables NetBox itself takes 7-14 minutes to save on this
machine class, depending on what else runs (docs/netbox.md). CI (.ci/run) sets both; `make
test` on a workstation keeps the NVL72 alone."""


HAZARD = "tests/fixtures/netbox/hazard"
"""The design the hazard tests (drift, operator edits, stale plans, protected deletes, a killed
apply, ...) change and put back: specs/gb200-nvl72 cut to 2 compute trays and 1 NVLink switch
tray, renamed hz-*, with its own site and scope. Each of its plans reads and each push writes
a few hundred objects where the reference design has 4,700 (the reference design is pushed,
read back, re-planned and pulled by the tests above them)."""


def _inv(path: str) -> Inventory:
    project = load_project([str(ROOT / path)], load_config(None))
    assert not project.errors
    return project.inventory


@pytest.fixture(autouse=True)
def _token(netbox: NetBoxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB_TEST_TOKEN", netbox.token)


@pytest.fixture
def nb(netbox: NetBoxServer) -> Any:
    return pynetbox.api(netbox.url, token=netbox.token)


def _push(cli: Any, netbox: NetBoxServer, *args: str) -> Any:
    yes = () if "--plan" in args else ("--yes",)  # not a terminal: nobody to confirm
    return cli("netbox", "push", *args, "--url", netbox.url, "--token-env", "NB_TEST_TOKEN",
               "--quiet", *yes)


def _plan(cli: Any, netbox: NetBoxServer, *args: str) -> Any:
    return cli("netbox", "plan", *args, "--url", netbox.url, "--token-env", "NB_TEST_TOKEN")


def _apply(cli: Any, plan: Path) -> Any:
    return cli("netbox", "apply", str(plan), "--token-env", "NB_TEST_TOKEN", "--quiet")


LIBRARY = ROOT / "tests" / "fixtures" / "netbox" / "devicetype-library" / "device-types"
"""Real devicetype-library files (CC0-1.0, tests/fixtures/netbox/devicetype-library/SOURCE.md)."""


def _library_type(nb: Any, path: Path, **override: Any) -> Any:
    """Create a device type as an operator importing the devicetype-library would: the file's
    fields and its interface and power-port templates, no superpod-iac tag."""
    doc = {**YAML(typ="safe").load(path.read_text()), **override}
    maker = nb.dcim.manufacturers.get(name__ie=doc["manufacturer"]) or \
        nb.dcim.manufacturers.create(name=doc["manufacturer"], slug=doc["manufacturer"].lower())
    dt = nb.dcim.device_types.create(manufacturer=maker.id, model=doc["model"],
                                     slug=doc["slug"], u_height=doc.get("u_height", 1),
                                     is_full_depth=doc.get("is_full_depth", True))
    for i in doc.get("interfaces", []):
        nb.dcim.interface_templates.create(device_type=dt.id, name=i["name"], type=i["type"],
                                           mgmt_only=bool(i.get("mgmt_only", False)))
    for pp in doc.get("power-ports", []):
        nb.dcim.power_port_templates.create(device_type=dt.id, name=pp["name"],
                                            type=pp.get("type"),
                                            maximum_draw=pp.get("maximum_draw"))
    return dt


def _templates(nb: Any, dt_id: int) -> list[tuple[str, str, Any, str]]:
    out = []
    for ep in (nb.dcim.interface_templates, nb.dcim.power_port_templates,
               nb.dcim.power_outlet_templates):
        out += [(r.name, str(r.type), getattr(r, "maximum_draw", None), str(r.last_updated))
                for r in ep.filter(device_type_id=dt_id, limit=1000)]
    return sorted(out)


def test_foreign_device_type_with_same_model_is_left_untouched(cli: Any, netbox: NetBoxServer,
                                                               nb: Any) -> None:
    """An operator imported the devicetype-library's SN2201 and the Arista beside it (no
    superpod-iac tag); the SN2201 carries the model the design's management switch has. The
    push reads it as the design's type, never adds templates to it, and refuses: its ports
    are not the design's. Nothing is written; its templates are as they were."""
    foreign = _library_type(nb, LIBRARY / "Nvidia" / "SN2201.yaml", model="nvl72-mgmt-switch",
                            manufacturer="NVIDIA")
    arista = _library_type(nb, LIBRARY / "Arista" / "DCS-7060DX5-32-F.yaml")
    before = (_templates(nb, foreign.id), _templates(nb, arista.id))
    res = _push(cli, netbox, "specs/gb200-nvl72")
    assert res.code == 1, res.out + res.err
    assert "never adds templates to a type it does not own" in res.out
    assert "nothing was sent to NetBox" in res.err
    assert (_templates(nb, foreign.id), _templates(nb, arista.id)) == before
    assert len(nb.dcim.devices.all()) == 0 and len(nb.dcim.racks.all()) == 0
    assert nb.extras.tags.get(slug="superpod-iac") is None  # not even the tag
    # the operator removes the clashing type; the Arista stays through every later push
    foreign.delete()


def test_an_operator_s_custom_field_with_the_tool_s_name_is_never_reused(
        cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    """An operator made a `superpod_medium` custom field of their own on cables (no
    superpod-iac mark in its description). The push refuses before any write: it would
    otherwise write the design's media into the operator's field. The field is as it was."""
    theirs = nb.extras.custom_fields.create(name=MEDIUM_FIELD, type="text",
                                            object_types=["dcim.cable", "dcim.device"],
                                            description="cable medium, by the ops team")
    before = dict(nb.extras.custom_fields.get(theirs.id))
    res = _push(cli, netbox, "specs/gb200-nvl72")
    assert res.code == 1, res.out + res.err
    assert f"custom field '{MEDIUM_FIELD}' exists in NetBox without superpod-iac's mark" \
        in res.out, res.out
    assert "nothing was sent to NetBox" in res.err
    assert dict(nb.extras.custom_fields.get(theirs.id)) == before
    assert nb.extras.custom_fields.get(name="superpod_catalog") is None  # nothing written
    assert len(nb.dcim.devices.all()) == 0
    # the operator renames theirs out of the way: the push makes its own beside it later
    theirs.name = "ops_medium"
    assert theirs.save()


def _plan_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Plan:"))


def test_plan_then_push_both_designs(cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    for design in DESIGNS:
        res = _push(cli, netbox, design, "--plan")
        assert res.code == 0, res.err
        # an empty NetBox: everything is an addition, nothing changes or goes
        assert " to add, 0 to change, 0 to destroy." in _plan_line(res.out), res.out
        assert "+ devices" in res.out and "+ cables" in res.out
    assert len(nb.dcim.devices.all()) == 0  # --plan touched nothing
    for design in DESIGNS:
        res = _push(cli, netbox, design)
        assert res.code == 0, res.err + res.out
        assert "Applied:" in res.out


def _value(v: Any) -> Any:
    """A choice field's value (NetBox answers {"value": ..., "label": ...})."""
    return v.get("value") if isinstance(v, dict) else v


def _ends(nb_cable: dict[str, Any], names: dict[tuple[str, int], tuple[str, str]]) -> Any:
    sides = []
    for side in ("a_terminations", "b_terminations"):
        sides.append(tuple(sorted(names[(t["object_type"], t["object_id"])]
                                  for t in nb_cable[side])))
    return tuple(sorted(sides))


@pytest.mark.parametrize("design", DESIGNS)
def test_read_back_equals_design(design: str, nb: Any) -> None:
    inv = _inv(design)
    hall = next(iter(inv.cabinets.values())).hall
    site = nb.dcim.sites.get(slug=hall)
    assert site is not None
    # devices at their rack and U, of their type
    got = {d.name: d for d in nb.dcim.devices.filter(site_id=site.id, limit=1000)}
    want = {f"{d.cabinet}-{d.name}": d for d in inv.devices}
    assert set(got) == set(want)
    for name, d in want.items():
        g = got[name]
        assert g.rack.name == d.cabinet
        assert g.device_type.slug == d.type_name
        assert (g.position or 0) == (d.u if d.type.height_u else 0)
        assert "superpod-iac" in [t.slug for t in g.tags]
    # racks at their row and slot
    racks = {r.name: r for r in nb.dcim.racks.filter(site_id=site.id)}
    assert set(racks) == set(inv.cabinets)
    for cab in inv.cabinets.values():
        assert racks[cab.name].u_height == cab.type.height_u
        assert racks[cab.name].facility_id == f"{cab.row}/{cab.slot}"
    # every port of every device, with its management flag
    names: dict[tuple[str, int], tuple[str, str]] = {}
    ifaces: dict[str, set[tuple[str, bool]]] = {}
    for i in nb.dcim.interfaces.filter(site_id=site.id, limit=1000,
                                       fields="id,name,device,mgmt_only"):
        names[("dcim.interface", i.id)] = (i.device.name, i.name)
        ifaces.setdefault(i.device.name, set()).add((i.name, i.mgmt_only))
    for kind, ep in (("dcim.frontport", nb.dcim.front_ports), ("dcim.rearport", nb.dcim.rear_ports),
                     ("dcim.powerport", nb.dcim.power_ports),
                     ("dcim.poweroutlet", nb.dcim.power_outlets)):
        for p in ep.filter(site_id=site.id, limit=1000, fields="id,name,device"):
            names[(kind, p.id)] = (p.device.name, p.name)
    for name, d in want.items():
        if d.type.role == "patch-panel":
            continue
        ports = inv.catalog.ports(d.type_name)[0]
        assert ifaces.get(name, set()) == {(p.name, p.group.plane == "management")
                                           for p in ports}, name
    # cables: exactly the design's links, end to end, with type and length
    feeds = {f.id: f for f in nb.dcim.power_feeds.filter(site_id=site.id)}
    for fid, f in feeds.items():
        names[("dcim.powerfeed", fid)] = (f.name, "")
    cables = {c.id: {**dict(c), "a_terminations": [], "b_terminations": []}
              for c in nb.dcim.cables.filter(site_id=site.id, limit=1000,
                                             fields="id,type,length,custom_fields")}
    ids = sorted(cables)
    for k in range(0, len(ids), 200):
        for term in nb.dcim.cable_terminations.filter(
                cable_id=ids[k:k + 200], limit=1000,
                fields="cable,cable_end,termination_type,termination_id"):
            t = dict(term)
            cid = t["cable"]["id"] if isinstance(t["cable"], dict) else t["cable"]
            side = "a_terminations" if t["cable_end"] == "A" else "b_terminations"
            cables[cid][side].append({"object_type": t["termination_type"],
                                      "object_id": t["termination_id"]})
    cables = list(cables.values())
    data_cables = [c for c in cables if c["type"] != "power"]
    got_links = sorted(_ends(c, names) for c in data_cables)
    t = inv.links
    want_links = []
    want_types = {}
    for i in range(len(t)):
        a, b = inv.devices[t.a_dev[i]], inv.devices[t.b_dev[i]]
        ends = tuple(sorted([((f"{a.cabinet}-{a.name}", inv.port_name(a.index, t.a_port[i])),),
                             ((f"{b.cabinet}-{b.name}", inv.port_name(b.index, t.b_port[i])),)]))
        want_links.append(ends)
        medium = inv.catalog.cable_types[t.cable_of(i) or ""].medium
        want_types[ends] = (CABLE_TYPES[medium], medium)
    assert got_links == sorted(want_links)
    # every cable typed (NVLink backplane copper: dac-passive), its design medium beside it
    got_types = {_ends(c, names): (_value(c["type"]), c["custom_fields"][MEDIUM_FIELD])
                 for c in data_cables}
    assert got_types == want_types
    lengths = sorted(round(c["length"], 2) for c in data_cables if c["length"] is not None)
    want_len = sorted(round(t.length_m[i], 2) for i in range(len(t))
                      if t.length_m[i] == t.length_m[i])
    assert lengths == want_len
    # power feeds: one per facility feed, with the feed's ratings
    want_feeds = {f for c in inv.cabinets.values() for f in c.feeds}
    assert {f.name for f in feeds.values()} == want_feeds
    for f in feeds.values():
        node = inv.power_nodes[f.name].spec
        assert f.voltage == node.voltage_v and f.amperage == node.breaker_a
        assert f.phase.value == ("three-phase" if node.phases == 3 else "single-phase")
        assert f.power_panel.name == node.parent
    shelf_feeds = {(f"{d.cabinet}-{d.name}", feed) for d in inv.devices for feed in d.feeds}
    power = [_ends(c, names) for c in cables if c["type"] == "power"]
    from_feeds = [ends for ends in power if any(e[1] == "" for side in ends for e in side)]
    got_power = set()
    for ends in from_feeds:
        feed = next(e[0] for side in ends for e in side if e[1] == "")
        got_power |= {(e[0], feed) for side in ends for e in side if e[1]}
    assert got_power == shelf_feeds
    # every busbar-fed device: one power cable per feed, from its busbarK port to a shelf outlet
    from superpod_iac.netbox.desired import busbar

    want_bus = {tuple(sorted([((f"{d.cabinet}-{d.name}", f"busbar{k}"),),
                              ((f"{s.cabinet}-{s.name}", f"out{n}"),)]))
                for d, k, s, n in busbar(inv).cords}
    assert {ends for ends in power if ends not in from_feeds} == want_bus


def _web(netbox: NetBoxServer) -> Any:
    """A logged-in session on NetBox's web UI (what NetBox computes but its REST API does not
    return, such as a rack's power utilisation, is on its pages)."""
    import re

    import requests

    web = requests.Session()
    page = web.get(f"{netbox.url}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    login = web.post(f"{netbox.url}/login/", timeout=60, data={
        "csrfmiddlewaretoken": token.group(1), "username": netbox.user,
        "password": netbox.password, "next": "/"}, headers={"Referer": f"{netbox.url}/login/"})
    assert login.ok and "sessionid" in web.cookies
    return web


def test_netbox_power_utilisation_equals_the_design_s_load(netbox: NetBoxServer,
                                                           nb: Any) -> None:
    """NetBox adds up the power draw itself: a shelf's inlet has no draw of its own, so NetBox
    sums what is cabled to the shelf's outlets (the busbar ports of the trays and switches,
    each with its share of the device's draw); the rack page's power utilisation (allocated
    draw over the available power of the rack's feeds, NetBox's Rack.get_power_utilization)
    must then be the design's typical load over the feeds' derated capacity."""
    import math
    import re

    from superpod_iac.model.loads import cabinet_loads

    inv = _inv("specs/gb200-nvl72")
    cab = inv.cabinets["nvl72-01"]
    rack = nb.dcim.racks.get(name=cab.name)
    shelf = nb.dcim.power_ports.get(device=f"{cab.name}-pwr1", name="input1")
    assert shelf.type.value == "iec-60309-3p-n-e-6h" and shelf.maximum_draw is None
    assert shelf.link_peers_type == "dcim.powerfeed"
    tray = nb.dcim.power_ports.get(device=f"{cab.name}-tray01", name="busbar1")
    assert (tray.maximum_draw, tray.allocated_draw) == (6370 / 2, 5400 / 2)
    assert tray.link_peers_type == "dcim.poweroutlet"
    outlet = nb.dcim.power_outlets.get(id=tray.link_peers[0].id)
    assert outlet.power_port.name == "input1" and outlet.feed_leg.value in "ABC"
    available = 0.0
    for f in nb.dcim.power_feeds.filter(rack_id=rack.id):
        available += f.voltage * f.amperage * f.max_utilization / 100 * (
            math.sqrt(3) if f.phase.value == "three-phase" else 1)
    assert available == pytest.approx(2 * 415 * 300 * 0.8 * math.sqrt(3))
    want = cabinet_loads(inv)[cab.name].typical_w / available * 100
    page = _web(netbox).get(f"{netbox.url}/dcim/racks/{rack.id}/", timeout=120)
    assert page.ok, page.status_code
    after = page.text[page.text.lower().index("power utilization"):]
    got = float(re.search(r'aria-valuenow="([0-9.]+)"', after).group(1))  # type: ignore[union-attr]
    assert got == pytest.approx(want, abs=0.05), (got, want)  # NetBox rounds to 0.1 %
    assert want == pytest.approx(31.9, abs=0.1)  # 110.1 kW typical over 2 x 172.5 kVA


def test_transceivers_are_modules_in_module_bays(cli: Any, netbox: NetBoxServer,
                                                 nb: Any, tmp_path: Path) -> None:
    """Every optic the model places is a module of its transceiver's module type, installed
    in the module bay named after the cage; a second push plans nothing."""
    from superpod_iac.netbox.desired import scope_tag

    base = ROOT / "tests" / "fixtures" / "rules"
    paths = []
    for src in (base / "_base.yaml", base / "pass" / "OPT001.yaml"):  # a hall of its own
        dst = tmp_path / src.name
        dst.write_text(src.read_text().replace("hall1", "optics-hall"))
        paths.append(str(dst))
    assert _push(cli, netbox, *paths, "--scope", "optics-test").code == 0
    res = _push(cli, netbox, *paths, "--scope", "optics-test", "--plan")
    assert _plan_line(res.out) == "Plan: 0 to add, 0 to change, 0 to destroy.", res.out
    inv = load_project(paths, load_config(None)).inventory
    want = set()
    t = inv.links
    for i in range(len(t)):
        for dev, port, x in zip((t.a_dev[i], t.b_dev[i]), (t.a_port[i], t.b_port[i]),
                                t.xcvrs_of(i), strict=True):
            d = inv.devices[dev]
            if x is not None:
                want.add((f"{d.cabinet}-{d.name}", inv.port_name(dev, port).split("/")[0],
                          inv.catalog.transceiver_types[x].model or x))
    got = {(m.device.name, m.module_bay.name, m.module_type.model)
           for m in nb.dcim.modules.filter(tag=scope_tag("optics-test"))}
    assert got == want and len(want) == 2


def test_second_push_plans_nothing(cli: Any, netbox: NetBoxServer) -> None:
    """A push prints its plan before it applies (`--plan` stops there: the first push's
    test): one push reads NetBox once, plans nothing and does nothing (a `--plan` before it
    read all of CloudMatrix 384 a second time for the same plan)."""
    for design in DESIGNS:
        res = _push(cli, netbox, design)
        assert res.code == 0, res.err
        assert _plan_line(res.out) == "Plan: 0 to add, 0 to change, 0 to destroy.", res.out
        assert "nothing to do" in res.out


def test_pull_design_round_trips(cli: Any, netbox: NetBoxServer, tmp_path: Path) -> None:
    """push -> pull --design -> the same design: it validates clean, and the resolved design
    (cabinets, devices at their U with their feeds, links, BOM) and its power figures are the
    pushed one's; what NetBox has no field for (max and typical draw, accelerators, the
    shelves' output) came back through the tool's custom fields."""
    from superpod_iac.diff.consequences import design_totals, impacts
    from superpod_iac.diff.objects import object_diff

    out = tmp_path / "pulled"
    res = cli("netbox", "pull", "--design", "gb200-nvl72", "--url", netbox.url,
              "--token-env", "NB_TEST_TOKEN", "--out", str(out))
    assert res.code == 0, res.err
    # the cables' design media came back from `superpod_medium` (NetBox's types approximate)
    inv = _inv("specs/gb200-nvl72")
    media = Counter(inv.catalog.cable_types[inv.links.cable_of(i) or ""].medium
                    for i in range(len(inv.links)))
    assert "cables in NetBox by medium: " + ", ".join(
        f"{media[m]:,} {m}" for m in sorted(media)) + "\n" in res.err, res.err
    assert "backplane" in media and MEDIUM_FIELD not in res.err  # none untyped or re-typed
    # the types are the built-in catalog's, unchanged: no catalog.yaml is needed
    assert sorted(p.name for p in out.iterdir()) == ["cabinets.yaml", "design.yaml"]
    res = cli("validate", str(out), "--strict")
    assert res.code == 0, res.out + res.err
    orig, back = _inv("specs/gb200-nvl72"), _inv(str(out))
    d = object_diff(orig, back)
    assert d.empty, (d.objects, d.link_examples, d.bom_changes)
    assert impacts(orig, back) == []  # every cabinet, feed, node and CDU: same load, margin
    assert all(t.old == t.new for t in design_totals(orig, back))
    tray = back.catalog.device_types["gb200-compute-tray"]
    assert (tray.max_w, tray.typical_w, tray.accelerators.count) == (6370, 5400, 4)
    shelf = back.catalog.device_types["nvl72-power-shelf-33kw"]
    assert shelf.power_output is not None and shelf.power_output.psu_w == 5500
    res = cli("diff", "specs/gb200-nvl72", str(out))
    assert res.code == 0, res.out + res.err
    assert "No changes." in res.out and "Findings: 0 new, 0 fixed" in res.out, res.out


def _diff(cli: Any, netbox: NetBoxServer, design: str) -> Any:
    return cli("netbox", "diff", design, "--url", netbox.url, "--token-env", "NB_TEST_TOKEN",
               "--exit-code")


def test_push_of_the_hazard_design(cli: Any, netbox: NetBoxServer) -> None:
    """The small design the hazard tests below change and put back (HAZARD), beside the
    reference designs, under its own scope: it pushes clean and then shows no drift."""
    res = _push(cli, netbox, HAZARD)
    assert res.code == 0 and "Applied:" in res.out, res.err + res.out
    assert _diff(cli, netbox, HAZARD).code == 0


def test_manual_changes_are_drift(cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    design = HAZARD
    clean = _diff(cli, netbox, design)
    assert clean.code == 0 and "No drift" in clean.out, clean.out
    # an operator moves a tray two U up, unplugs a cable and re-rates a feed by hand
    tray = nb.dcim.devices.get(name="hz-01-mgmt2")
    tray.position = 40
    tray.save()
    cable = next(iter(nb.dcim.cables.filter(device="hz-01-nvsw1", limit=1)))
    cable_ends = {t["object"]["name"] for t in dict(cable)["a_terminations"]
                  + dict(cable)["b_terminations"]}
    cable.delete()
    feed = nb.dcim.power_feeds.get(name="hz-feed-B1")
    rated = _inv(design).power_nodes["hz-feed-B1"].spec.breaker_a  # the design's rating
    assert rated is not None and rated != 200
    feed.amperage = 200
    feed.save()
    res = _diff(cli, netbox, design)
    assert res.code == 1
    assert "hz-01/mgmt2: position 37.0 in the design, 40.0 in NetBox" in res.out, res.out
    assert "**Cables missing in NetBox** (1)" in res.out
    assert any(e in res.out for e in cable_ends)
    assert "**Power feeds with other ratings** (1)" in res.out
    assert f"amperage {rated:g} in the design, 200 in NetBox" in res.out, res.out
    # push puts the design back: three changes planned, then no drift
    plan = _push(cli, netbox, design, "--plan")
    assert _plan_line(plan.out) == "Plan: 1 to add, 2 to change, 0 to destroy.", plan.out
    assert _push(cli, netbox, design).code == 0
    assert _diff(cli, netbox, design).code == 0


def test_objects_not_ours_are_never_deleted(cli: Any, netbox: NetBoxServer, nb: Any,
                                            tmp_path: Path) -> None:
    site = nb.dcim.sites.get(slug="hz-hall")
    rack = nb.dcim.racks.get(name="hz-01")
    role = nb.dcim.device_roles.get(slug="management")
    dtype = nb.dcim.device_types.get(slug="nvl72-mgmt-switch")
    hand = nb.dcim.devices.create(name="hand-racked-console", site=site.id, rack=rack.id,
                                  position=46, face="front", role=role.id,
                                  device_type=dtype.id)
    # a design without the management switches: ours go, the hand-made device stays
    design = tmp_path / "nvl72"
    shutil.copytree(ROOT / HAZARD, design)
    cab = design / "cabinet.yaml"
    cab.write_text(cab.read_text().replace(
        '    - {name: "mgmt[1-2]", type: nvl72-mgmt-switch, u: "[36-37]"}\n', ""))
    res = _push(cli, netbox, str(design), "--plan")
    assert res.code == 0, res.err
    assert "- devices" in res.out and "hz-01-mgmt1" in res.out
    assert "hand-racked-console" not in res.out
    # the two switches and their four busbar power cables (one per switch and feed)
    assert " 0 to add, 0 to change, 6 to destroy" in _plan_line(res.out), res.out
    assert "hz-01-mgmt2:busbar2" in res.out
    assert _push(cli, netbox, str(design)).code == 0
    assert nb.dcim.devices.get(hand.id) is not None
    assert nb.dcim.devices.get(name="hz-01-mgmt1") is None
    drift = _diff(cli, netbox, str(design))
    assert "in NetBox, not in the design** (1)" in drift.out and "hand-racked-console" in drift.out
    # back to the reference design
    nb.dcim.devices.get(hand.id).delete()
    assert _push(cli, netbox, HAZARD).code == 0
    assert _diff(cli, netbox, HAZARD).code == 0


def test_cable_length_and_status_update_applies(cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    """An operator re-measures a cable and marks it connected: the design's length is put
    back (a cable update once crashed the push: KeyError '_key'), the operator's status stays."""
    design = HAZARD
    site = nb.dcim.sites.get(slug="hz-hall")
    cable = next(c for c in nb.dcim.cables.filter(site_id=site.id, limit=1000) if c.length)
    length = cable.length
    cable.length, cable.status = length + 7, "connected"
    cable.save()
    plan = _push(cli, netbox, design, "--plan")
    assert _plan_line(plan.out) == ("Plan: 0 to add, 1 to change, 0 to destroy, "
                                    "1 operator edits kept."), plan.out
    assert "      length: " in plan.out and "status: 'connected' in NetBox" in plan.out
    res = _push(cli, netbox, design)
    assert res.code == 0, res.err + res.out
    after = nb.dcim.cables.get(cable.id)
    assert after.length == length and after.status.value == "connected"
    after.status = "planned"  # back to the reference state for the tests after
    after.save()


def test_operator_active_status_survives_a_push(cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    design = HAZARD
    rack = nb.dcim.racks.get(name="hz-01")
    tray = nb.dcim.devices.get(name="hz-01-tray01")
    for obj in (rack, tray):
        obj.status = "active"
        obj.serial = "SN-BY-HAND" if obj is tray else ""
        obj.save()
    plan = _push(cli, netbox, design, "--plan")
    assert _plan_line(plan.out) == ("Plan: 0 to add, 0 to change, 0 to destroy, "
                                    "2 operator edits kept."), plan.out
    assert "operator-owned: left as it is" in plan.out
    res = _push(cli, netbox, design)
    assert res.code == 0 and "nothing to do" in res.out, res.out
    assert nb.dcim.racks.get(rack.id).status.value == "active"
    tray = nb.dcim.devices.get(tray.id)
    assert tray.status.value == "active" and tray.serial == "SN-BY-HAND"
    # drift still tells: the as-built is not the design
    assert "status 'planned' in the design, 'active' in NetBox" in _diff(cli, netbox, design).out
    for obj in (nb.dcim.racks.get(rack.id), tray):
        obj.status = "planned"
        obj.save()


def test_stale_plan_is_refused(cli: Any, netbox: NetBoxServer, nb: Any,
                               tmp_path: Path) -> None:
    design = HAZARD
    tray = nb.dcim.devices.get(name="hz-01-mgmt2")
    tray.position = 40
    tray.save()
    saved = tmp_path / "plan.json"
    res = _plan(cli, netbox, design, "--out", str(saved))
    assert res.code == 0, res.err
    assert _plan_line(res.out) == "Plan: 0 to add, 1 to change, 0 to destroy.", res.out
    # someone edits the device the plan changes: the plan no longer holds
    tray = nb.dcim.devices.get(tray.id)
    tray.position = 41
    tray.save()
    res = _apply(cli, saved)
    assert res.code == 1 and "stale" in res.err, res.err
    assert nb.dcim.devices.get(tray.id).position == 41  # nothing written
    # planned again, applied exactly
    assert _plan(cli, netbox, design, "--out", str(saved)).code == 0
    res = _apply(cli, saved)
    assert res.code == 0 and "Applied: 0 added, 1 changed, 0 destroyed." in res.out, res.err
    assert nb.dcim.devices.get(tray.id).position == 37
    assert "Nothing left to apply" in _apply(cli, saved).out


def test_scope_collision_is_refused(cli: Any, netbox: NetBoxServer, nb: Any) -> None:
    """`Pod.A` pushed first; `pod-a` slugifies to the same tag: refused before any write."""
    nb.extras.tags.create(name="superpod-iac: Pod.A", slug="superpod-iac-pod-a")
    before = len(nb.dcim.devices.all())
    res = _push(cli, netbox, HAZARD, "--scope", "pod-a")
    assert res.code == 1
    assert "collides with the scope tag 'superpod-iac: Pod.A'" in res.out, res.out
    assert len(nb.dcim.devices.all()) == before
    assert nb.extras.tags.get(slug="superpod-iac-pod-a").name == "superpod-iac: Pod.A"


def test_65_character_name_is_a_plan_error(cli: Any, netbox: NetBoxServer, nb: Any,
                                          tmp_path: Path) -> None:
    design = tmp_path / "long"
    shutil.copytree(ROOT / HAZARD, design)
    cab = design / "cabinet.yaml"
    long = "m" * (65 - len("hz-01-"))  # device names are <cabinet>-<device>
    cab.write_text(cab.read_text().replace('name: "mgmt[1-2]"', f'name: "{long}[1-2]"'))
    before = len(nb.dcim.devices.all())
    res = _push(cli, netbox, str(design))
    assert res.code == 1, res.out + res.err
    assert "is 66 characters long; NetBox allows 64" in res.out, res.out
    assert len(nb.dcim.devices.all()) == before


def test_protected_delete_is_reported_and_netbox_consistent(cli: Any, netbox: NetBoxServer,
                                                           nb: Any, tmp_path: Path) -> None:
    """A second cabinet is pushed, another team racks a device in it, and the design drops
    the cabinet: our devices in it go, NetBox refuses the rack (HTTP 409: it holds a device
    that is not ours) and the push says so, naming it; nothing else is left half-done."""
    design = tmp_path / "two"
    shutil.copytree(ROOT / HAZARD, design)
    (design / "cabinet2.yaml").write_text(CABINET2)
    assert _push(cli, netbox, str(design)).code == 0
    rack = nb.dcim.racks.get(name="hz-02")
    site = nb.dcim.sites.get(slug="hz-hall")
    other = nb.dcim.devices.create(
        name="other-team-console", site=site.id, rack=rack.id, position=40, face="front",
        role=nb.dcim.device_roles.get(slug="management").id,
        device_type=nb.dcim.device_types.get(slug="nvl72-mgmt-switch").id)
    res = _push(cli, netbox, HAZARD)
    assert res.code == 1, res.out + res.err
    assert "NetBox refused to delete racks (hz-02)" in res.err and "HTTP 409" in res.err
    assert nb.dcim.devices.get(name="hz-02-mgmt1") is None  # ours went
    assert nb.dcim.devices.get(other.id) is not None  # theirs stays, in the rack
    assert nb.dcim.racks.get(rack.id) is not None
    # consistent: the next plan is exactly the refused delete
    plan = _push(cli, netbox, HAZARD, "--plan")
    assert _plan_line(plan.out) == "Plan: 0 to add, 0 to change, 1 to destroy.", plan.out
    nb.dcim.devices.get(other.id).delete()
    assert _push(cli, netbox, HAZARD).code == 0
    assert _diff(cli, netbox, HAZARD).code == 0


def test_killed_apply_resumes_from_its_journal(cli: Any, netbox: NetBoxServer, nb: Any,
                                               tmp_path: Path) -> None:
    """`apply` killed (SIGKILL) after its first accepted request; run again, it goes on from
    the journal and NetBox ends as the plan said."""
    import signal
    import subprocess
    import sys
    import time

    design = tmp_path / "two"
    shutil.copytree(ROOT / HAZARD, design)
    (design / "cabinet2.yaml").write_text(CABINET2)
    saved = tmp_path / "two.plan"
    res = _plan(cli, netbox, str(design), "--out", str(saved))
    assert res.code == 0, res.err
    journal = tmp_path / "two.plan.journal"
    proc = subprocess.Popen(
        [sys.executable, "-m", "superpod_iac", "netbox", "apply", str(saved), "--token-env",
         "NB_TEST_TOKEN", "--quiet"], cwd=ROOT, env={**os.environ, "NB_TEST_TOKEN": netbox.token},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and journal.read_text().strip():
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert journal.read_text().strip(), "the apply wrote no journal line before it ended"
    res = _apply(cli, saved)
    assert res.code == 0, res.err + res.out
    assert _diff(cli, netbox, str(design)).code == 0
    assert nb.dcim.racks.get(name="hz-02") is not None
    assert _push(cli, netbox, HAZARD).code == 0  # back to the reference


CABINET2 = """apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata:
  name: hz-02
spec:
  type: nvl72-rack
  location: {hall: hz-hall, row: A, slot: 4}
  feeds: [hz-feed-A1, hz-feed-B1]
  cdu: hz-cdu-1
  devices:
    - {name: "mgmt[1-2]", type: nvl72-mgmt-switch, u: "[36-37]"}
"""


def test_netbox_dev_stop_of_another_instance_leaves_this_one_running(
        netbox: NetBoxServer, nb: Any, tmp_path: Path) -> None:
    """Two caches, two ports: `stop` of the other stops only what the other started."""
    import subprocess

    env = {**os.environ, "SUPERPOD_NETBOX_CACHE": str(tmp_path / "other"),
           "NETBOX_PORT": "1", "NETBOX_PG_PORT": "2", "NETBOX_REDIS_PORT": "3"}
    res = subprocess.run([str(ROOT / "scripts" / "netbox-dev"), "stop"], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert nb.status()["netbox-version"]
    import requests

    svg = requests.get(f"{netbox.url}/api/dcim/racks/{nb.dcim.racks.get(name='nvl72-01').id}"
                       "/elevation/?render=svg", headers={"Authorization": f"Token {netbox.token}"},
                       timeout=120)
    assert svg.status_code == 200 and "<svg" in svg.text  # collectstatic ran


def test_push_refuses_a_design_with_errors(cli: Any, netbox: NetBoxServer, nb: Any,
                                           tmp_path: Path) -> None:
    design = tmp_path / "bad"
    shutil.copytree(ROOT / HAZARD, design)
    cab = design / "cabinet.yaml"
    cab.write_text(cab.read_text().replace('u: "[36-37]"', 'u: "[35-36]"'))  # overlaps pwr8
    before = len(nb.dcim.devices.all())
    res = _push(cli, netbox, str(design))
    assert res.code == 1
    assert "nothing was sent to NetBox" in res.err
    assert len(nb.dcim.devices.all()) == before


def test_pull_writes_a_catalog(cli: Any, netbox: NetBoxServer, tmp_path: Path) -> None:
    out = tmp_path / "pulled.yaml"
    res = cli("netbox", "pull", "--url", netbox.url, "--token-env", "NB_TEST_TOKEN",
              "--out", str(out))
    assert res.code == 0, res.err
    doc = YAML(typ="safe").load(out.read_text())
    assert doc["kind"] == "Catalog"
    types = {d["name"]: d for d in doc["spec"]["device_types"]}
    for design in DESIGNS:  # every device type the pushed designs use
        assert {d.type_name for d in _inv(design).devices} <= set(types), design
    tray = types["gb200-compute-tray"]
    assert tray["height_u"] == 1 and tray["weight_kg"] == 45
    ports = sum(len(list(_expand(g["ports"]))) for g in tray["port_groups"])
    # every port comes back, the 72 NVLink ports too: NetBox types them `other` (it has no
    # NVLink type), and their real form factor and rate ride in the device type's custom
    # field `superpod_catalog`, which the push writes and the pull reads
    assert ports == 72 + 4 + 2 + 1
    nvlink = next(g for g in tray["port_groups"] if g["name"] == "nvlink")
    assert (nvlink["form_factor"], nvlink["speed_gbps"]) == ("backplane", 400)
    assert "left out" not in res.err
    api = pynetbox.api(netbox.url, token=netbox.token)
    nv = api.dcim.interfaces.get(device="nvl72-01-tray01", name="g1n01")
    assert nv.type.value == "other"  # NetBox has no NVLink type
    # its real type: in the template's description (NetBox copies a template's label, not
    # its description, to the devices' interfaces) and in the type's custom field (above)
    dtype = api.dcim.device_types.get(slug="gb200-compute-tray")
    tmpl = api.dcim.interface_templates.get(device_type_id=dtype.id, name="g1n01")
    assert tmpl.description == "superpod-iac: backplane 400 Gb/s"
    # and what NetBox has no field for: draw, accelerators, a shelf's output
    assert (tray["max_w"], tray["typical_w"]) == (6370, 5400)
    assert tray["accelerators"] == {"type": "b200", "count": 4}
    shelf = types["nvl72-power-shelf-33kw"]
    assert shelf["power_output"]["psu_count"] == 6 and shelf["power_output"]["psu_w"] == 5500
    racks = {c["name"] for c in doc["spec"]["cabinet_types"]}
    assert "nvl72-rack" in racks
    if "specs/cloudmatrix-384" in DESIGNS:
        assert {"cm384-compute-rack", "cm384-comm-rack"} <= racks
    assert cli("validate", str(out)).code == 0


def _expand(nodeset: str) -> list[str]:
    from superpod_iac.model.expand import expand

    return list(expand(nodeset))


def test_csv_export_imports_through_netbox_bulk_import(cli: Any, netbox: NetBoxServer,
                                                        nb: Any, tmp_path: Path) -> None:
    """The export's files go through NetBox's own bulk-import forms (the web UI's import
    pages), in dependency order, and NetBox then holds the design's racks, devices, cables
    and power feeds."""
    import re

    import requests

    out = tmp_path / "nb"
    design = "specs/muxi-3d-mesh"
    assert cli("export", "netbox", design, "--out", str(out)).code == 0
    web = requests.Session()
    page = web.get(f"{netbox.url}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    login = web.post(f"{netbox.url}/login/", timeout=60, data={
        "csrfmiddlewaretoken": token.group(1), "username": netbox.user,
        "password": netbox.password, "next": "/"}, headers={"Referer": f"{netbox.url}/login/"})
    assert login.ok and "sessionid" in web.cookies

    def bulk_import(path: str, data: str, fmt: str) -> None:
        url = f"{netbox.url}/{path}/import/"
        form = web.get(url, timeout=60)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert csrf is not None
        res = web.post(url, timeout=600, headers={"Referer": url}, data={
            "csrfmiddlewaretoken": csrf.group(1), "import_method": "direct", "data": data,
            "format": fmt, "csv_delimiter": "auto"}, allow_redirects=False)
        # NetBox redirects after a successful import; a form with errors comes back as 200
        errors = re.findall(r'(?:errorlist|text-danger|alert-danger)[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)',
                            res.text)
        assert res.status_code == 302, (path, res.status_code, errors[:5])

    types = "".join(p.read_text() for p in sorted((out / "device-types").glob("*.yaml")))
    # roles and manufacturers the pushes already made are there: an operator imports the rest
    for path, name, ep in (("dcim/manufacturers", "manufacturers.csv", nb.dcim.manufacturers),
                           ("dcim/device-roles", "device-roles.csv", nb.dcim.device_roles)):
        lines = (out / name).read_text().splitlines()
        rows = [r for r in lines[1:] if ep.get(slug=r.split(",")[-2 if "roles" in name else -1])
                is None]
        if rows:
            bulk_import(path, "\n".join([lines[0], *rows]) + "\n", "csv")
    for path, name in (("dcim/sites", "sites.csv"), ("dcim/racks", "racks.csv")):
        bulk_import(path, (out / name).read_text(), "csv")
    bulk_import("dcim/device-types", types, "yaml")
    for path, name in (("dcim/devices", "devices.csv"), ("dcim/cables", "cables.csv"),
                       ("dcim/power-panels", "power-panels.csv"),
                       ("dcim/power-feeds", "power-feeds.csv")):
        bulk_import(path, (out / name).read_text(), "csv")
    inv = _inv(design)
    site = nb.dcim.sites.get(slug="muxi-3d-mesh-hall")
    assert {r.name for r in nb.dcim.racks.filter(site_id=site.id)} == set(inv.cabinets)
    devices = {d.name: d for d in nb.dcim.devices.filter(site_id=site.id, limit=1000)}
    assert set(devices) == {f"{d.cabinet}-{d.name}" for d in inv.devices}
    for d in inv.devices:
        assert devices[f"{d.cabinet}-{d.name}"].position == d.u
    assert nb.dcim.cables.count(site_id=site.id) == len(inv.links)
    assert nb.dcim.power_feeds.count(site_id=site.id) == len(
        {f for c in inv.cabinets.values() for f in c.feeds})


def test_pdu_outlets_psu_cords_and_module_types(cli: Any, netbox: NetBoxServer,
                                                nb: Any) -> None:
    """Servers on rack PDUs: the PDU's device type gets its outlets, the server's its PSU
    power ports (plug type, share of the draw), and every cord becomes a power cable from a
    PSU to the outlet the model assigns it; re-pushing plans nothing. The transceivers a
    design's links use are module types."""
    from superpod_iac.model.outlets import cabinet_outlets
    from superpod_iac.netbox.desired import outlet_names

    base = ROOT / "tests" / "fixtures" / "rules"
    paths = [str(base / "_base.yaml"), str(base / "pass" / "OUT001.yaml")]
    assert _push(cli, netbox, *paths, "--scope", "pdu-test").code == 0
    res = _push(cli, netbox, *paths, "--scope", "pdu-test", "--plan")
    assert _plan_line(res.out) == "Plan: 0 to add, 0 to change, 0 to destroy.", res.out
    project = load_project(paths, load_config(None))
    inv = project.inventory
    pdu_type = nb.dcim.device_types.get(slug="rack-pdu-415v-60a")
    outlets = {(o.name, o.type.value) for o in nb.dcim.power_outlet_templates.filter(
        device_type_id=pdu_type.id, limit=1000)}
    t = inv.catalog.device_types["rack-pdu-415v-60a"]
    assert outlets == {(n, "iec-60320-" + b.type) for n, b in zip(
        outlet_names(t), [b for b in t.outlets for _ in range(b.count)], strict=True)}
    server = nb.dcim.device_types.get(slug="fx-gpu-server")
    psus = {(p.name, p.type.value, p.maximum_draw) for p in nb.dcim.power_port_templates.filter(
        device_type_id=server.id)}
    assert psus == {("psu1", "iec-60320-c20", 2000), ("psu2", "iec-60320-c20", 2000)}
    # every cord: a power cable from the server's PSU to its outlet
    want = set()
    for co in cabinet_outlets(inv).values():
        for cord in co.cords:
            assert cord.outlet is not None
            want.add((f"{cord.device.cabinet}-{cord.device.name}", f"psu{cord.k + 1}",
                      f"{cord.outlet.pdu.cabinet}-{cord.outlet.pdu.name}",
                      outlet_names(cord.outlet.pdu.type)[cord.outlet.number - 1]))
    got = set()
    site = nb.dcim.sites.get(slug=next(iter(inv.cabinets.values())).hall)
    for port in nb.dcim.power_ports.filter(site_id=site.id, name__isw="psu"):
        if port.link_peers:
            peer = port.link_peers[0]
            got.add((port.device.name, port.name, peer.device.name, peer.name))
    assert got == want and len(want) == 6
    if "specs/cloudmatrix-384" in DESIGNS:
        cm = _inv("specs/cloudmatrix-384")
        models = {m.model for m in nb.dcim.module_types.all()}
        assert {cm.catalog.transceiver_types[x].model or x
                for x in cm.links.xcvr_names} <= models
