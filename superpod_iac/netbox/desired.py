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

KINDS = ("tags", "custom-fields", "manufacturers", "device-roles", "rack-types", "device-types", "module-types",
         "interface-templates", "rear-port-templates", "front-port-templates",
         "power-port-templates", "power-outlet-templates", "module-bay-templates", "sites",
         "locations", "racks", "devices", "interfaces", "power-ports", "power-outlets",
         "module-bays", "modules", "power-panels", "power-feeds", "cables")
"""Object kinds in creation order (deletion runs in reverse)."""
DEVICE_COMPONENTS = frozenset({"interfaces", "power-ports", "power-outlets", "module-bays"})
"""Components NetBox instantiates from a new device's type: planned only on devices that
exist (a type given a template later), never deleted (they go with their device)."""
TEMPLATE_OF = {"interfaces": "interface-templates", "front-ports": "front-port-templates",
               "rear-ports": "rear-port-templates", "power-ports": "power-port-templates",
               "power-outlets": "power-outlet-templates", "module-bays": "module-bay-templates"}
"""Device component kind -> the template kind NetBox instantiates it from."""

GLOBAL_KINDS = frozenset({"tags", "custom-fields", "manufacturers", "device-roles", "rack-types", "device-types",
                          "module-types", "interface-templates", "rear-port-templates",
                          "front-port-templates", "power-port-templates",
                          "power-outlet-templates", "module-bay-templates"})
"""Shared by every design in a NetBox: created and updated, never deleted by a push."""

ROLE_COLOURS = {"compute": "2196f3", "switch": "4caf50", "power-shelf": "f44336", "pdu": "f44336",
                "management": "9e9e9e", "storage": "ff9800", "cdu": "00bcd4",
                "patch-panel": "795548", "other": "607d8b"}
_AIRFLOW = {"front-to-rear", "rear-to-front", "passive", "mixed"}
"""superpod airflow values NetBox has too (`liquid` has no NetBox equivalent)."""
CABLE_TYPES = {"smf": "smf", "mmf": "mmf-om4", "dac": "dac-passive", "acc": "dac-active",
               "aec": "dac-active", "cat6": "cat6", "backplane": "dac-passive"}
"""A catalog cable medium -> the closest NetBox cable type (NetBox 4.7 has no backplane, ACC or
AEC type: a backplane's NVLink copper is passive twinax, `dac-passive`; ACC and AEC cables carry
active electronics in their plugs, `dac-active`). The design's own medium goes in the cable's
`superpod_medium` custom field (MEDIUM_FIELD). The one table of both the push and the CSV
export; tests check every medium maps to one of NetBox's cable type choices."""


CATALOG_FIELD = "superpod_catalog"
"""The custom field (JSON, on device types) the tool creates and owns: the catalog entry a
device type stands for, with what NetBox has no field for (max and typical draw, accelerators,
a power shelf's output, cooling, and every port group's real form factor and rate: NetBox has
no NVLink or backplane interface type and types those interfaces `other`). `superpod netbox
pull` reads it back."""
DESIGN_FIELD = "superpod_design"
"""The custom field (JSON, on sites and racks) the tool creates and owns: on a site, every
manifest of the design NetBox has no model for (Site, PowerSystem, CoolingSystem, Fabric,
Superpod, Cluster, the project's own Catalog); on a rack, the cabinet's fields NetBox has no
field for (its feeds, CDU, rear door, extra weight, labels). `superpod netbox pull --design`
reads them back beside what NetBox holds (racks, devices at their U, power cables)."""
MEDIUM_FIELD = "superpod_medium"
"""The custom field (text, on cables) the tool creates and owns: the catalog medium of a cable
the design lays (`backplane`, `aec`, `mmf`, ...), which NetBox's cable types only approximate
(CABLE_TYPES). `superpod netbox pull --design` reads it back."""
OWNED_FIELD_MARK = "Owned by superpod-iac"
"""How a custom field the tool made is known (custom fields carry no tags): its description
starts with this."""


def catalog_entry(t: Any) -> dict[str, Any]:
    """A device or cabinet type's whole catalog entry (as `export netbox` writes it in the
    comments, with its name: NetBox's slug may differ)."""
    return dict(t.model_dump(mode="json", exclude_defaults=True))


def design_documents(manifests: list[Any]) -> list[dict[str, Any]]:
    """The design's manifests NetBox has no model for, as documents (every kind but Cabinet,
    whose racks and devices NetBox holds), in a stable order."""
    docs = [m.model.model_dump(mode="json", exclude_unset=True, by_alias=True)
            for m in manifests if m.kind != "Cabinet"]
    return sorted(docs, key=lambda d: (str(d.get("kind")), str(d.get("metadata", {}).get("name"))))


def cabinet_extras(cab: Any) -> dict[str, Any]:
    """A cabinet's fields NetBox has no field for (a rack's `superpod_design`)."""
    return {"feeds": list(cab.feeds), "cdu": cab.cdu, "rear_door_kw": cab.rear_door_kw,
            "rear_door": cab.rear_door, "extra_weight_kg": cab.extra_weight_kg,
            "labels": dict(sorted(cab.labels.items()))}


def real_port_type(form_factor: str, speed: float) -> str:
    """What an interface NetBox can only type `other` really is, for its description."""
    return f"superpod-iac: {form_factor} {speed:g} Gb/s"


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


def build(inv: Inventory, scope: str, manifests: list[Any] | None = None) -> DesiredState:
    """`manifests`: the design's documents, carried in the sites' `superpod_design` custom
    field for `netbox pull --design` (None: the field is left out of the comparison)."""
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
    _custom_fields(st)
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
            "weight_unit": "kg", "tags": tags[:1], f"cf:{CATALOG_FIELD}": catalog_entry(rack)},
           name)
    inputs = _power_inputs(inv)
    for name in used_types:
        t = cat.device_types[name]
        dslug = slugify(name)
        fields: dict[str, Any] = {
            "manufacturer": manufacturer_of(t.manufacturer).lower(), "model": t.model or name,
            "slug": dslug, "u_height": _num(t.height_u), "is_full_depth": True,
            "weight": _num(t.weight_kg), "weight_unit": "kg",
            "airflow": t.airflow if t.airflow in _AIRFLOW else None,
            "part_number": t.part_number or "", "tags": tags[:1],
            f"cf:{CATALOG_FIELD}": catalog_entry(t)}
        st.add("device-types", dslug, fields, name)
        _port_templates(st, inv, name, dslug)
        for k in range(1, inputs.get(name, 0) + 1):
            st.add("power-port-templates", (dslug, f"input{k}"),
                   {"device_type": dslug, "name": f"input{k}", "type": inlet_type(t)},
                   f"{name}:input{k}")
        _psus_and_outlets(st, name, dslug, t)
    bus = busbar(inv)
    _busbar_templates(inv, st, bus)
    _module_types(inv, st, tags[:1])
    optics = _module_bays(inv, st)
    scoped = tags
    halls = sorted({c.hall or "unplaced" for c in inv.cabinets.values()})
    st.sites = [site_slug(h) for h in halls]
    docs = {f"cf:{DESIGN_FIELD}": {"documents": design_documents(manifests)}} \
        if manifests is not None else {}
    for h in halls:
        st.add("sites", site_slug(h), {"name": h, "slug": site_slug(h), "status": "planned",
                                       "tags": scoped, **docs}, h)
    for cab in inv.iter_cabinets():
        if cab.row:
            key = (site_slug(cab.hall), slugify(f"{cab.hall}-{cab.row}"))
            st.add("locations", key, {"site": site_slug(cab.hall), "name": f"row {cab.row}",
                                      "slug": key[1], "status": "planned", "tags": scoped},
                   f"{cab.hall}/row {cab.row}")
    power_names = _power_components(st)
    for cab in inv.iter_cabinets():
        site = site_slug(cab.hall)
        st.add("racks", (site, cab.name), {
            "site": site, "name": cab.name,
            "location": (site, slugify(f"{cab.hall}-{cab.row}")) if cab.row else None,
            "rack_type": slugify(cab.type_name), "status": "planned",
            "u_height": cab.type.height_u, "width": 19,
            "facility_id": f"{cab.row}/{cab.slot}" if cab.row else "",
            "tags": scoped, f"cf:{DESIGN_FIELD}": cabinet_extras(cab)}, cab.name)
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
            dkey = (site, dname)
            for comp, comps in power_names[slugify(d.type_name)].items():
                for f in comps:
                    if f.get("power_port"):  # an outlet's inlet: the device's own
                        f = {**f, "power_port": (dkey, f["power_port"])}
                    st.add(comp, (dkey, f["name"]), {"device": dkey, **f},
                           f"{d.address}:{f['name']}")
            if d.type.role != "patch-panel":
                for p in cat.ports(d.type_name)[0]:
                    st.add("interfaces", ((site, dname), p.name),
                           {"device": (site, dname), "name": p.name,
                            "type": interface_type(p.group.form_factor, p.speed_gbps),
                            "mgmt_only": p.group.plane == "management"}, f"{d.address}:{p.name}")
    _power(inv, st, scoped)
    _busbar_cables(inv, st, bus, scoped)
    _modules(inv, st, optics, scoped)
    _cables(inv, st, scoped)
    return st


def _optics(inv: Inventory) -> dict[tuple[int, str], str]:
    """(device index, cage) -> the transceiver type the model puts there: every link end with
    a transceiver (a breakout's sub-ports `osfp1/1`, `osfp1/2` share the cage's one module)."""
    t, cat = inv.links, inv.catalog
    out: dict[tuple[int, str], str] = {}
    for i in range(len(t)):
        xa, xb = t.xcvrs_of(i)
        for dev, port, x in ((t.a_dev[i], t.a_port[i], xa), (t.b_dev[i], t.b_port[i], xb)):
            if x is not None and x in cat.transceiver_types:
                pname = cat.ports(inv.devices[dev].type_name)[0][port].name
                out.setdefault((dev, pname.split("/")[0]), x)
    return out


def _module_bays(inv: Inventory, st: DesiredState) -> dict[tuple[int, str], str]:
    """A module bay (template) per cage the design puts an optic in, on the cage's device
    type; returns the optics (`_optics`)."""
    optics = _optics(inv)
    for (dev, cage) in sorted(optics, key=lambda k: (inv.devices[k[0]].type_name, k[1])):
        name = inv.devices[dev].type_name
        st.add("module-bay-templates", (slugify(name), cage),
               {"device_type": slugify(name), "name": cage}, f"{name}:{cage}")
    return optics


def _modules(inv: Inventory, st: DesiredState, optics: dict[tuple[int, str], str],
             tags: list[str]) -> None:
    """Each optic the model places -> a NetBox module of its transceiver's module type,
    installed in the module bay named after the cage."""
    cat = inv.catalog
    for (dev, cage), x in sorted(optics.items()):
        d = inv.devices[dev]
        site = site_slug(inv.cabinets[d.cabinet].hall)
        dkey = (site, device_name(d.cabinet, d.name))
        st.add("modules", (dkey, cage), {
            "device": dkey, "module_bay": (dkey, cage),
            "module_type": cat.transceiver_types[x].model or x, "status": "planned",
            "tags": tags}, f"{d.address}:{cage} {x}")


def _port_templates(st: DesiredState, inv: Inventory, name: str, dslug: str) -> None:
    """A patch panel's ports -> rear and front port templates; anything else's -> interface
    templates (an interface NetBox can only type `other` says its real type in its template's
    description; the catalog entry in the device type's custom field has it too)."""
    ports = inv.catalog.ports(name)[0]
    if inv.catalog.device_types[name].role == "patch-panel":
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
        return
    for p in ports:
        itype = interface_type(p.group.form_factor, p.speed_gbps)
        st.add("interface-templates", (dslug, p.name),
               {"device_type": dslug, "name": p.name, "type": itype,
                "mgmt_only": p.group.plane == "management",
                "description": real_port_type(p.group.form_factor, p.speed_gbps)
                if itype == "other" else ""}, f"{name}:{p.name}")


def _custom_fields(st: DesiredState) -> None:
    st.add("custom-fields", CATALOG_FIELD, {
        "name": CATALOG_FIELD, "label": "superpod-iac catalog entry", "type": "json",
        "object_types": ["dcim.devicetype", "dcim.racktype"],
        "description": f"{OWNED_FIELD_MARK} (written by every push): the catalog entry this "
                       "type stands for (draw, accelerators, power output, port groups with "
                       "their real form factor and rate)"}, CATALOG_FIELD)
    st.add("custom-fields", DESIGN_FIELD, {
        "name": DESIGN_FIELD, "label": "superpod-iac design", "type": "json",
        "object_types": ["dcim.rack", "dcim.site"],
        "description": f"{OWNED_FIELD_MARK} (written by every push): what of the design NetBox "
                       "has no model for (on a site: the design's other manifests; on a rack: "
                       "the cabinet's feeds, CDU, rear door, labels)"}, DESIGN_FIELD)
    st.add("custom-fields", MEDIUM_FIELD, {
        "name": MEDIUM_FIELD, "label": "superpod-iac medium", "type": "text",
        "object_types": ["dcim.cable"],
        "description": f"{OWNED_FIELD_MARK} (written by every push): the design's medium of "
                       "the cable (backplane, dac, acc, aec, mmf, smf, cat6), which the NetBox "
                       "cable type only approximates"}, MEDIUM_FIELD)


def _power_components(st: DesiredState) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Device type slug -> {power-ports | power-outlets | module-bays: the templates' fields}:
    what a device of the type has (a device made before its type got a template is given it
    with these fields)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for comp in ("power-ports", "power-outlets", "module-bays"):
        for (dslug, _), want in st.objects[TEMPLATE_OF[comp]].items():
            out[dslug][comp].append({k: v for k, v in want.fields.items() if k != "device_type"})
    return out


def inlet_type(t: DeviceType) -> str | None:
    """NetBox type of a power shelf's or PDU's inlet: a three-phase 346-415 V input is an
    IEC 60309 3P+N+E 6h (red) connector; other inputs have no type the catalog can tell."""
    out = t.power_output
    if out is not None and out.input_phases == 3 and out.input_voltage_v and \
            346 <= out.input_voltage_v <= 415:
        return "iec-60309-3p-n-e-6h"
    return None


@dataclass
class Busbar:
    """How devices fed by their cabinet's power shelves (a busbar: no cord) are modelled in
    NetBox: each gets one power port `busbarK` per feed its shelves hang on, cabled to an outlet
    `outN` of one of that feed's shelves (devices dealt round-robin over the shelves); a
    shelf's outlets belong to its inlet `input1`, so NetBox adds up what is plugged in."""

    ports: dict[str, int] = field(default_factory=dict)
    """Device type -> busbar power ports (the most feeds any of its cabinets' shelves use)."""
    outlets: dict[str, int] = field(default_factory=dict)
    """Shelf type -> outlets (the most devices any one shelf of the type serves)."""
    cords: list[tuple[Any, int, Any, int]] = field(default_factory=list)
    """(device, busbar port k, shelf, outlet n)."""


def _busbar_fed(d: Any) -> bool:
    t = d.type
    return (t.power_output is None and t.psus is None and not d.feeds and bool(t.max_w)
            and t.role not in ("pdu", "patch-panel"))


def busbar(inv: Inventory) -> Busbar:
    out = Busbar()
    for cab in inv.iter_cabinets():
        by_feed: dict[str, list[Any]] = {}
        for s in cab.devices:
            if s.type.power_output is not None and s.feeds:
                by_feed.setdefault(s.feeds[0], []).append(s)
        if not by_feed:
            continue
        for i, d in enumerate(x for x in cab.devices if _busbar_fed(x)):
            out.ports[d.type_name] = max(out.ports.get(d.type_name, 0), len(by_feed))
            for k, shelves in enumerate(by_feed.values(), start=1):
                shelf, n = shelves[i % len(shelves)], i // len(shelves) + 1
                out.outlets[shelf.type_name] = max(out.outlets.get(shelf.type_name, 0), n)
                out.cords.append((d, k, shelf, n))
    return out


def _busbar_templates(inv: Inventory, st: DesiredState, bus: Busbar) -> None:
    """Busbar power ports on the devices the shelves feed (each carrying an equal share of the
    device's maximum and typical draw: the model shares a cabinet's load equally over its
    shelves), outlets on the shelves tied to their inlet and, on a three-phase input, dealt
    over the feed legs A, B, C."""
    cat = inv.catalog
    for name, k in sorted(bus.ports.items()):
        t, dslug = cat.device_types[name], slugify(name)
        for j in range(1, k + 1):
            st.add("power-port-templates", (dslug, f"busbar{j}"), {
                "device_type": dslug, "name": f"busbar{j}", "type": None,
                "maximum_draw": round(t.max_w / k),
                "allocated_draw": round((t.typical_w or t.max_w) / k)}, f"{name}:busbar{j}")
    for name, m in sorted(bus.outlets.items()):
        t, dslug = cat.device_types[name], slugify(name)
        three = t.power_output is not None and t.power_output.input_phases == 3
        for n in range(1, m + 1):
            st.add("power-outlet-templates", (dslug, f"out{n}"), {
                "device_type": dslug, "name": f"out{n}", "type": None, "power_port": "input1",
                "feed_leg": "ABC"[(n - 1) % 3] if three else ""}, f"{name}:out{n}")


def _busbar_cables(inv: Inventory, st: DesiredState, bus: Busbar, tags: list[str]) -> None:
    for d, k, shelf, n in bus.cords:
        site = site_slug(inv.cabinets[d.cabinet].hall)
        dev = (site, device_name(d.cabinet, d.name))
        sh = (site, device_name(shelf.cabinet, shelf.name))
        st.add("cables", cable_key((("dcim.powerport", dev, f"busbar{k}"),),
                                   (("dcim.poweroutlet", sh, f"out{n}"),)), {
            "type": "power", "status": "planned", "length": None, "length_unit": "",
            "tags": tags}, f"{d.address}:busbar{k} -> {shelf.address}:out{n}")


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
    banks = [bank for bank in t.outlets for _ in range(bank.count)]
    inlet = "input1" if (dslug, "input1") in st.objects["power-port-templates"] else None
    for oname, bank in zip(outlet_names(t), banks, strict=True):
        st.add("power-outlet-templates", (dslug, oname), {
            "device_type": dslug, "name": oname, "type": types["outlets"][bank.type]["netbox"],
            "power_port": inlet, "feed_leg": bank.feed_leg or ""}, f"{name}:{oname}")


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
            "type": CABLE_TYPES[cable.medium] if cable else "",
            f"cf:{MEDIUM_FIELD}": cable.medium if cable else None,
            "status": "planned",
            "length": None if length != length else round(length, 2),
            "length_unit": "" if length != length else "m", "tags": tags},
            f"{inv.endpoint(t.a_dev[i], t.a_port[i])} <> {inv.endpoint(t.b_dev[i], t.b_port[i])}")
