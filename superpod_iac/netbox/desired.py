"""A validated design -> the NetBox objects it stands for (the desired state of a push).

Every object is a `Want`: its NetBox endpoint, a key that identifies it among its kind (names,
never database ids), and its fields in a normalised form where references to other objects are
their keys. `superpod_iac.netbox.sync` reads the live NetBox into the same form, so plan, diff
and read-back compare like with like. The mapping table is in docs/netbox.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from superpod_iac import physics
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.outlets import cabinet_outlets
from superpod_iac.netbox.importer import interface_map, power_types
from superpod_iac.netbox.slug import slugify

OWNER_TAG = "superpod-iac"
"""Slug of the tag on every object a push creates: the mark of ownership (only these are
ever changed or deleted)."""

KINDS = ("tags", "manufacturers", "device-roles", "rack-types", "device-types", "module-types",
         "interface-templates", "rear-port-templates", "front-port-templates",
         "power-port-templates", "power-outlet-templates", "sites", "locations", "racks",
         "devices", "interfaces", "power-panels", "power-feeds", "cables")
"""Object kinds in creation order (deletion runs in reverse)."""

GLOBAL_KINDS = frozenset({"tags", "manufacturers", "device-roles", "rack-types", "device-types",
                          "module-types", "interface-templates", "rear-port-templates",
                          "front-port-templates", "power-port-templates",
                          "power-outlet-templates"})
"""Shared by every design in a NetBox: created and updated, never deleted by a push."""

ROLE_COLOURS = {"compute": "2196f3", "switch": "4caf50", "power-shelf": "f44336", "pdu": "f44336",
                "management": "9e9e9e", "storage": "ff9800", "cdu": "00bcd4",
                "patch-panel": "795548", "other": "607d8b"}
_AIRFLOW = {"front-to-rear", "rear-to-front", "passive", "mixed"}
"""superpod airflow values NetBox has too (`liquid` has no NetBox equivalent)."""
CABLE_TYPES = {"smf": "smf", "mmf": "mmf-om4", "dac": "dac-passive", "acc": "dac-active",
               "aec": "dac-active", "cat6": "cat6", "backplane": ""}


@dataclass
class Want:
    kind: str
    key: Any
    fields: dict[str, Any]
    label: str


@dataclass
class DesiredState:
    scope: str
    objects: dict[str, dict[Any, Want]] = field(default_factory=lambda: {k: {} for k in KINDS})
    sites: list[str] = field(default_factory=list)

    def add(self, kind: str, key: Any, fields: dict[str, Any], label: str) -> None:
        self.objects[kind][key] = Want(kind, key, fields, label)

    @property
    def scope_tag(self) -> str:
        return scope_tag(self.scope)


def scope_tag(scope: str) -> str:
    return f"superpod-iac-{slugify(scope)}"


def scope_tag_name(scope: str) -> str:
    return f"{OWNER_TAG}: {scope}"


def device_name(cabinet: str, device: str) -> str:
    return f"{cabinet}-{device}"


def site_slug(hall: str | None) -> str:
    return slugify(hall or "unplaced")


def interface_type(form_factor: str, speed: float) -> str:
    """NetBox interface type for a port of this cage and rate (interface_types.yaml), else
    `other`."""
    for name, m in sorted(interface_map().items()):
        if m["form_factor"] == form_factor and float(m["speed_gbps"]) == float(speed):
            return name
    return "other"


def outlet_names(t: DeviceType) -> list[str]:
    """A PDU's outlets in the model's numbering (1 = the first bank's first outlet): NetBox
    names `<bank>-<n>`, n counted within the bank (`superpod import netbox` reads the banks
    back from them)."""
    return [f"{bank.name}-{i}" for bank in t.outlets for i in range(1, bank.count + 1)]


def psu_share(t: DeviceType) -> int:
    """How many of a device's PSU cords carry its draw (N+N: half; N+1: all but one; N: all):
    the inverse of the importer's reading of `maximum_draw`."""
    n = t.psus.count if t.psus else 1
    red = t.psus.redundancy if t.psus else "N"
    return max(n // 2, 1) if red in ("N+N", "2N") else max(n - 1, 1) if red == "N+1" else n


def _num(x: float | None) -> float | None:
    return None if x is None else round(float(x), 2)


def default_scope(inv: Inventory, fallback: str) -> str:
    if len(inv.clusters) == 1:
        return next(iter(inv.clusters))
    if len(inv.superpods) == 1:
        return next(iter(inv.superpods))
    return fallback


def manufacturer_of(name: str | None) -> str:
    return name or "Generic"


def _power_inputs(inv: Inventory) -> dict[str, int]:
    """Device type -> number of power inlets: one per feed its devices draw from (power shelves
    and PDUs, the devices a facility feed is cabled to)."""
    out: dict[str, int] = {}
    for d in inv.devices:
        if d.feeds or d.type.power_output is not None or d.type.role == "pdu":
            out[d.type_name] = max(out.get(d.type_name, 1), len(d.feeds))
    return out


def build(inv: Inventory, scope: str) -> DesiredState:
    st = DesiredState(scope)
    tags = [OWNER_TAG, st.scope_tag]
    st.add("tags", OWNER_TAG, {"name": OWNER_TAG, "slug": OWNER_TAG, "color": "3f51b5"},
           OWNER_TAG)
    # the tag's name carries the scope as written: two scopes that slugify alike (`Pod.A`,
    # `pod-a`) would share the slug, and the plan refuses the second (planning.scope_errors)
    st.add("tags", st.scope_tag, {"name": scope_tag_name(scope), "slug": st.scope_tag,
                                  "color": "7986cb"}, st.scope_tag)
    cat = inv.catalog
    used_types = sorted({d.type_name for d in inv.devices})
    used_racks = sorted({c.type_name for c in inv.cabinets.values()})
    makers = sorted({manufacturer_of(cat.device_types[t].manufacturer) for t in used_types}
                    | {manufacturer_of(cat.cabinet_types[t].manufacturer) for t in used_racks})
    for m in makers:
        st.add("manufacturers", m.lower(), {"name": m, "slug": slugify(m)}, m)
    for role in sorted({cat.device_types[t].role for t in used_types}):
        st.add("device-roles", role, {"name": role, "slug": role,
                                      "color": ROLE_COLOURS.get(role, "607d8b")}, role)
    for name in used_racks:
        rack = cat.cabinet_types[name]
        st.add("rack-types", slugify(name), {
            "manufacturer": manufacturer_of(rack.manufacturer).lower(),
            "model": rack.model or name,
            "slug": slugify(name), "form_factor": "4-post-cabinet", "width": 19,
            "u_height": rack.height_u, "outer_width": _num(rack.footprint.width_mm),
            "outer_depth": _num(rack.footprint.depth_mm), "outer_unit": "mm",
            "weight": _num(rack.empty_weight_kg), "max_weight": round(rack.payload_kg),
            "weight_unit": "kg", "tags": tags[:1]}, name)
    inputs = _power_inputs(inv)
    for name in used_types:
        t = cat.device_types[name]
        dslug = slugify(name)
        fields: dict[str, Any] = {
            "manufacturer": manufacturer_of(t.manufacturer).lower(), "model": t.model or name,
            "slug": dslug, "u_height": _num(t.height_u), "is_full_depth": True,
            "weight": _num(t.weight_kg), "weight_unit": "kg",
            "airflow": t.airflow if t.airflow in _AIRFLOW else None,
            "part_number": t.part_number or "", "tags": tags[:1]}
        st.add("device-types", dslug, fields, name)
        ports = cat.ports(name)[0]
        if t.role == "patch-panel":
            rear = [p for p in ports if p.group.name.startswith("rear")]
            front = [p for p in ports if not p.group.name.startswith("rear")]
            for p in rear:
                st.add("rear-port-templates", (dslug, p.name),
                       {"device_type": dslug, "name": p.name, "type": "lc", "positions": 1},
                       f"{name}:{p.name}")
            for i, p in enumerate(front):
                st.add("front-port-templates", (dslug, p.name),
                       {"device_type": dslug, "name": p.name, "type": "lc",
                        "rear_port": rear[i].name if i < len(rear) else None},
                       f"{name}:{p.name}")
        else:
            for p in ports:
                st.add("interface-templates", (dslug, p.name),
                       {"device_type": dslug, "name": p.name,
                        "type": interface_type(p.group.form_factor, p.speed_gbps),
                        "mgmt_only": p.group.plane == "management"}, f"{name}:{p.name}")
        for k in range(1, inputs.get(name, 0) + 1):
            st.add("power-port-templates", (dslug, f"input{k}"),
                   {"device_type": dslug, "name": f"input{k}"}, f"{name}:input{k}")
        _psus_and_outlets(st, name, dslug, t)
    _module_types(inv, st, tags[:1])
    scoped = tags
    halls = sorted({c.hall or "unplaced" for c in inv.cabinets.values()})
    st.sites = [site_slug(h) for h in halls]
    for h in halls:
        st.add("sites", site_slug(h), {"name": h, "slug": site_slug(h), "status": "planned",
                                       "tags": scoped}, h)
    for cab in inv.iter_cabinets():
        if cab.row:
            key = (site_slug(cab.hall), slugify(f"{cab.hall}-{cab.row}"))
            st.add("locations", key, {"site": site_slug(cab.hall), "name": f"row {cab.row}",
                                      "slug": key[1], "status": "planned", "tags": scoped},
                   f"{cab.hall}/row {cab.row}")
    for cab in inv.iter_cabinets():
        site = site_slug(cab.hall)
        st.add("racks", (site, cab.name), {
            "site": site, "name": cab.name,
            "location": (site, slugify(f"{cab.hall}-{cab.row}")) if cab.row else None,
            "rack_type": slugify(cab.type_name), "status": "planned",
            "u_height": cab.type.height_u, "width": 19,
            "facility_id": f"{cab.row}/{cab.slot}" if cab.row else "",
            "tags": scoped}, cab.name)
        for d in cab.devices:
            dname = device_name(cab.name, d.name)
            st.add("devices", (site, dname), {
                "site": site, "name": dname, "device_type": slugify(d.type_name),
                "role": d.type.role,
                "location": (site, slugify(f"{cab.hall}-{cab.row}")) if cab.row else None,
                "rack": (site, cab.name),
                "position": _num(d.u) if d.type.height_u and d.u else None,
                "face": "front" if d.type.height_u and d.u else "",
                "status": "planned", "tags": scoped}, d.address)
            if d.type.role != "patch-panel":
                for p in cat.ports(d.type_name)[0]:
                    st.add("interfaces", ((site, dname), p.name),
                           {"device": (site, dname), "name": p.name,
                            "type": interface_type(p.group.form_factor, p.speed_gbps),
                            "mgmt_only": p.group.plane == "management"}, f"{d.address}:{p.name}")
    _power(inv, st, scoped)
    _cables(inv, st, scoped)
    return st


def _psus_and_outlets(st: DesiredState, name: str, dslug: str, t: DeviceType) -> None:
    """A device's PSU cords -> power-port templates `psu1..N` of the cord's plug type, each
    with its share of the draw; a PDU's outlet banks -> power-outlet templates."""
    types = power_types()
    if t.psus:
        share = psu_share(t)
        for k in range(1, t.psus.count + 1):
            st.add("power-port-templates", (dslug, f"psu{k}"), {
                "device_type": dslug, "name": f"psu{k}", "type": types["cords"][t.psus.cord],
                "maximum_draw": round(t.max_w / share) if t.max_w else None,
                "allocated_draw": round(t.typical_w / share) if t.typical_w else None},
                f"{name}:psu{k}")
    kinds = [bank.type for bank in t.outlets for _ in range(bank.count)]
    for oname, kind in zip(outlet_names(t), kinds, strict=True):
        st.add("power-outlet-templates", (dslug, oname), {
            "device_type": dslug, "name": oname, "type": types["outlets"][kind]["netbox"]},
            f"{name}:{oname}")


def _module_types(inv: Inventory, st: DesiredState, tags: list[str]) -> None:
    """The transceiver types the design's links use -> NetBox module types (catalog entries:
    they are not installed, the model has no module bays)."""
    cat = inv.catalog
    for name in sorted(set(inv.links.xcvr_names)):
        x = cat.transceiver_types.get(name)
        if x is None:
            continue
        model = x.model or name
        mpn = x.mpn or x.part_number
        st.add("module-types", model, {
            "manufacturer": manufacturer_of(x.manufacturer).lower(), "model": model,
            "part_number": mpn if mpn and mpn != "unconfirmed" else "",
            "description": f"{name}: {x.form_factor} {x.speed_gbps:g}G {x.medium} "
                           f"{x.reach_m:g} m", "tags": tags}, name)
    for m in {manufacturer_of(cat.transceiver_types[n].manufacturer)
              for n in inv.links.xcvr_names if n in cat.transceiver_types}:
        if m.lower() not in st.objects["manufacturers"]:
            st.add("manufacturers", m.lower(), {"name": m, "slug": slugify(m)}, m)


def _power(inv: Inventory, st: DesiredState, tags: list[str]) -> None:
    """Facility feeds a cabinet or device names -> NetBox power feeds on a power panel (the
    feed's parent node), with power cables from each feed to the inlets drawing from it."""
    users: dict[str, list[str]] = defaultdict(list)
    for cab in inv.iter_cabinets():
        for f in cab.feeds:
            users[f].append(cab.name)
    for d in inv.devices:
        for f in d.feeds:
            if d.cabinet not in users[f]:
                users[f].append(d.cabinet)
    derating = inv.policy.derating
    for feed in sorted(users):
        node = inv.power_nodes.get(feed)
        if node is None:
            continue
        cabs = sorted(set(users[feed]))
        hall = inv.cabinets[cabs[0]].hall
        site = site_slug(hall)
        panel = node.spec.parent or feed
        st.add("power-panels", (site, panel), {"site": site, "name": panel, "tags": tags}, panel)
        s = node.spec
        amps = s.breaker_a
        if amps is None and s.rating_kw and s.voltage_v:
            amps = (physics.three_phase_current_a(s.rating_kw * 1000, s.voltage_v, s.pf)
                    if s.phases == 3 else
                    physics.single_phase_current_a(s.rating_kw * 1000, s.voltage_v, s.pf))
        fields: dict[str, Any] = {
            "power_panel": (site, panel), "name": feed,
            "rack": (site, cabs[0]) if len(cabs) == 1 else None,
            "status": "planned", "type": "redundant" if s.side == "B" else "primary",
            "supply": "ac", "phase": "three-phase" if s.phases == 3 else "single-phase",
            "voltage": round(s.voltage_v) if s.voltage_v else None,
            "amperage": round(amps) if amps else None,
            "max_utilization": 100 if s.continuous_100pct else round(derating * 100),
            "tags": tags}
        st.add("power-feeds", (site, feed), fields, feed)
    inlets: dict[tuple[str, str], list[tuple[str, Any, str]]] = defaultdict(list)
    labels: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in inv.devices:
        site = site_slug(inv.cabinets[d.cabinet].hall)
        dev = (site, device_name(d.cabinet, d.name))
        for k, feed in enumerate(d.feeds, start=1):
            if (site, feed) in st.objects["power-feeds"]:
                inlets[(site, feed)].append(("dcim.powerport", dev, f"input{k}"))
                labels[(site, feed)].append(f"{d.address}:input{k}")
    for fkey, ends in sorted(inlets.items()):
        # one cable per feed: a feed serving several shelves ends on all their inlets
        a = (("dcim.powerfeed", fkey, ""),)
        st.add("cables", cable_key(a, tuple(ends)), {
            "type": "power", "status": "planned", "length": None, "length_unit": "",
            "tags": tags}, f"{fkey[1]} -> {', '.join(labels[fkey])}")
    for outlets in cabinet_outlets(inv).values():
        site = site_slug(outlets.cabinet.hall)
        for cord in outlets.cords:
            if cord.outlet is None:
                continue
            d, o = cord.device, cord.outlet
            dev = (site, device_name(d.cabinet, d.name))
            pdu = (site, device_name(o.pdu.cabinet, o.pdu.name))
            oname = outlet_names(o.pdu.type)[o.number - 1]
            st.add("cables", cable_key((("dcim.powerport", dev, f"psu{cord.k + 1}"),),
                                       (("dcim.poweroutlet", pdu, oname),)), {
                "type": "power", "status": "planned", "length": None, "length_unit": "",
                "tags": tags}, f"{d.address}:psu{cord.k + 1} -> {o.pdu.address}:{oname}")


def cable_key(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    ends = sorted([tuple(sorted(a)), tuple(sorted(b))])
    return tuple(ends)


def _end(inv: Inventory, dev: int, port: int) -> tuple[str, Any, str]:
    d = inv.devices[dev]
    p = inv.catalog.ports(d.type_name)[0][port]
    site = site_slug(inv.cabinets[d.cabinet].hall)
    key = (site, device_name(d.cabinet, d.name))
    if d.type.role == "patch-panel":
        return ("dcim.rearport" if p.group.name.startswith("rear") else "dcim.frontport",
                key, p.name)
    return ("dcim.interface", key, p.name)


def _cables(inv: Inventory, st: DesiredState, tags: list[str]) -> None:
    t = inv.links
    for i in range(len(t)):
        a = _end(inv, t.a_dev[i], t.a_port[i])
        b = _end(inv, t.b_dev[i], t.b_port[i])
        cable = inv.catalog.cable_types.get(t.cable_of(i) or "")
        length = t.length_m[i]
        st.add("cables", cable_key((a,), (b,)), {
            "type": CABLE_TYPES.get(cable.medium, "") if cable else "",
            "status": "planned",
            "length": None if length != length else round(length, 2),
            "length_unit": "" if length != length else "m", "tags": tags},
            f"{inv.endpoint(t.a_dev[i], t.a_port[i])} <> {inv.endpoint(t.b_dev[i], t.b_port[i])}")
