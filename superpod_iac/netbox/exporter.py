"""A validated design -> CSV files for NetBox's bulk import (sites, racks, devices, cables),
plus the manufacturers, roles and device types they reference, so a DCIM can be seeded.

Columns follow NetBox 4.7's import forms (dcim SiteImportForm, RackImportForm,
DeviceImportForm, CableImportForm, PowerPanelImportForm, PowerFeedImportForm); device types are written as YAML in the devicetype-library format, which is
what NetBox's device-type import takes. Cables are streamed (clusters have millions).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from superpod_iac.fsio import atomic_text, atomic_write
from superpod_iac.model.inventory import Inventory
from superpod_iac.netbox.desired import CABLE_TYPES
from superpod_iac.netbox.importer import SUPERPOD_MARK, interface_map
from superpod_iac.netbox.slug import clashes, slugify
from superpod_iac.report.escape import CsvCells, GuardedWriter

SITE_COLUMNS = ["name", "slug", "status", "description"]
RACK_COLUMNS = ["site", "name", "status", "u_height", "width", "outer_width", "outer_depth",
                "outer_unit", "weight", "max_weight", "weight_unit", "description"]
DEVICE_COLUMNS = ["name", "role", "manufacturer", "device_type", "site", "rack", "position",
                  "face", "status", "airflow", "description"]
CABLE_COLUMNS = ["side_a_site", "side_a_device", "side_a_type", "side_a_name", "side_b_site",
                 "side_b_device", "side_b_type", "side_b_name", "type", "status", "label",
                 "length", "length_unit"]
MANUFACTURER_COLUMNS = ["name", "slug"]
PANEL_COLUMNS = ["site", "name"]
FEED_COLUMNS = ["site", "power_panel", "rack", "name", "status", "type", "supply", "phase",
                "voltage", "amperage", "max_utilization"]
ROLE_COLUMNS = ["name", "slug", "color"]


def device_name(cabinet: str, device: str) -> str:
    return f"{cabinet}-{device}"


def _site(inv: Inventory, hall: str | None) -> str:
    return hall or "unplaced"


def _iface_type(form_factor: str, speed: float) -> str:
    for name, m in sorted(interface_map().items()):
        if m["form_factor"] == form_factor and float(m["speed_gbps"]) == float(speed):
            return name
    return "other"


def _cable_rows(inv: Inventory, chunk: int = 1 << 16) -> Iterator[str]:
    """cables.csv without its header, in chunks of CSV text: one row per link, the same bytes
    `csv.writer` writes for [side_a_site, side_a_device, side_a_type, side_a_name, side_b_...,
    type, "planned", f"L{i + 1}", round(length, 2) or "", "m"]. Each device's, port's, cable
    type's and length's cells are encoded once and the rows joined column-wise with numpy
    (2.16 million rows at 432 pods)."""
    import numpy as np

    t = inv.links
    n = len(t)
    if not n:
        return
    enc = CsvCells()
    type_base: dict[str, int] = {}
    port_cells: list[str] = []
    dev_cells: list[str] = []
    dev_base = np.empty(len(inv.devices), dtype=np.int64)
    for k, d in enumerate(inv.devices):
        base = type_base.get(d.type_name)
        if base is None:
            base = type_base[d.type_name] = len(port_cells)
            patch = d.type.role == "patch-panel"
            for p in inv.catalog.ports(d.type_name)[0]:
                kind = ("dcim.rearport" if p.group.name.startswith("rear") else
                        "dcim.frontport") if patch else "dcim.interface"
                port_cells.append(enc(kind, p.name) + ",")
        dev_base[k] = base
        dev_cells.append(enc(_site(inv, inv.cabinets[d.cabinet].hall),
                             device_name(d.cabinet, d.name)) + ",")
    devs = np.array(dev_cells, dtype=object)
    ports = np.array(port_cells, dtype=object)
    cable_cells = []
    for name in [*t.cable_names, ""]:  # index -1: no cable
        cable = inv.catalog.cable_types.get(name)
        cable_cells.append(enc(CABLE_TYPES[cable.medium] if cable else "", "planned")
                           + ",L")
    cables = np.array(cable_cells, dtype=object)
    # distinct lengths by their bits (exact: -0.0 and each NaN kept apart), sort-based (numpy
    # 2's np.unique takes a slower hash path)
    bits = np.frombuffer(t.length_m, dtype=np.int64)
    order = np.argsort(bits, kind="stable")
    srt = bits[order]
    first = np.ones(n, dtype=bool)
    first[1:] = srt[1:] != srt[:-1]
    which = np.empty(n, dtype=np.int64)
    which[order] = np.cumsum(first) - 1
    len_cells = np.array(["," + enc("" if x != x else round(x, 2), "m") + "\n"
                          for x in srt[first].view(np.float64).tolist()], dtype=object)
    a_dev = np.frombuffer(t.a_dev, dtype=np.int32)
    b_dev = np.frombuffer(t.b_dev, dtype=np.int32)
    a_port = np.frombuffer(t.a_port, dtype=np.int32)
    b_port = np.frombuffer(t.b_port, dtype=np.int32)
    cable_idx = np.frombuffer(t.cable, dtype=np.int32)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        ad, bd = a_dev[s:e], b_dev[s:e]
        ids = np.arange(s + 1, e + 1).astype(str).astype(object)
        text = (devs[ad] + ports[dev_base[ad] + a_port[s:e]] + devs[bd]
                + ports[dev_base[bd] + b_port[s:e]] + cables[cable_idx[s:e]] + ids
                + len_cells[which[s:e]])
        yield "".join(text.tolist())


def _write_cables(path: Path, inv: Inventory) -> int:
    from superpod_iac.progress import bar

    n = len(inv.links)
    progress = bar(desc="export cables", total=n, unit="link", scale=True)
    with atomic_text(path) as fh:
        GuardedWriter(fh).writerow(CABLE_COLUMNS)
        for text in _cable_rows(inv):
            fh.write(text)
            progress.update(text.count("\n"))
    progress.close()
    return n


def _write(path: Path, columns: list[str], rows: Any) -> int:
    n = 0
    with atomic_text(path) as fh:
        w = GuardedWriter(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow(r)
            n += 1
    return n


class SlugClash(ValueError):
    """Two names that NetBox would give one slug (one object, one device-type file)."""


def export(inv: Inventory, out: Path) -> dict[str, int]:
    """The CSV files and device-type YAML; raises SlugClash, writing nothing, when two device
    types, manufacturers, roles or halls share a slug (`a.b` and `a-b`)."""
    _check_slugs(inv)
    counts: dict[str, int] = {}
    halls = sorted({c.hall or "unplaced" for c in inv.cabinets.values()})
    counts["sites.csv"] = _write(out / "sites.csv", SITE_COLUMNS,
                                 ([h, slugify(h), "planned", "superpod-iac hall"] for h in halls))
    racks = []
    for cab in inv.iter_cabinets():
        rack = cab.type
        racks.append([_site(inv, cab.hall), cab.name, "planned", rack.height_u, 19,
                      rack.footprint.width_mm, rack.footprint.depth_mm, "mm",
                      rack.empty_weight_kg, rack.payload_kg, "kg",
                      f"{cab.type_name} at {cab.row}/{cab.slot}"])
    counts["racks.csv"] = _write(out / "racks.csv", RACK_COLUMNS, racks)
    used_types = sorted({d.type_name for d in inv.devices})
    makers = sorted({inv.catalog.device_types[t].manufacturer or "Generic" for t in used_types})
    counts["manufacturers.csv"] = _write(out / "manufacturers.csv", MANUFACTURER_COLUMNS,
                                         ([m, slugify(m)] for m in makers))
    roles = sorted({d.type.role for d in inv.devices})
    counts["device-roles.csv"] = _write(out / "device-roles.csv", ROLE_COLUMNS,
                                        ([r, slugify(r), "9e9e9e"] for r in roles))
    for name in used_types:
        atomic_write(out / "device-types" / f"{slugify(name)}.yaml", device_type_yaml(inv, name))
    counts["device-types"] = len(used_types)
    devices = []
    for cab in inv.iter_cabinets():
        for d in cab.devices:
            t = d.type
            devices.append([device_name(cab.name, d.name), t.role, t.manufacturer or "Generic",
                            t.model or d.type_name, _site(inv, cab.hall), cab.name,
                            d.u if t.height_u else "", "front" if t.height_u else "",
                            "planned", t.airflow or "", d.address])
    counts["devices.csv"] = _write(out / "devices.csv", DEVICE_COLUMNS, devices)
    counts["cables.csv"] = _write_cables(out / "cables.csv", inv)
    _power(inv, out, counts)
    return counts


def _check_slugs(inv: Inventory) -> None:
    types = {d.type_name for d in inv.devices}
    kinds: dict[str, set[str]] = {"device type": types,
             "manufacturer": {inv.catalog.device_types[t].manufacturer or "Generic"
                              for t in types},
             "role": {d.type.role for d in inv.devices},
             "hall": {c.hall or "unplaced" for c in inv.cabinets.values()}}
    for kind, names in kinds.items():
        for slug, group in clashes(names):
            raise SlugClash(f"{kind}s {' and '.join(repr(n) for n in group)} have one NetBox "
                            f"slug '{slug}' (NetBox's slug rule); one would replace the other: "
                            f"rename one (nothing was written)")


def _power(inv: Inventory, out: Path, counts: dict[str, int]) -> None:
    """Power panels and feeds, as `superpod netbox push` maps them (netbox/desired.py)."""
    from superpod_iac.netbox import desired

    # only the power part of the desired state (its build() maps every interface and cable
    # too: 85 % of the export's time at 54 pods); sites are keyed by slug as build() keys them
    st = desired.DesiredState("export")
    desired._power(inv, st, [])
    names = {desired.site_slug(h): h for h in sorted({c.hall or "unplaced"
                                                       for c in inv.cabinets.values()})}
    panels = [[names[w.fields["site"]], w.fields["name"]]
              for w in st.objects["power-panels"].values()]
    counts["power-panels.csv"] = _write(out / "power-panels.csv", PANEL_COLUMNS, sorted(panels))
    feeds = []
    for w in st.objects["power-feeds"].values():
        f = w.fields
        site, panel = f["power_panel"]
        feeds.append([names[site], panel, f["rack"][1] if f["rack"] else "", f["name"],
                      f["status"], f["type"], f["supply"], f["phase"], f["voltage"],
                      f["amperage"], f["max_utilization"]])
    counts["power-feeds.csv"] = _write(out / "power-feeds.csv", FEED_COLUMNS, sorted(feeds))


_NB_AIRFLOW = {"front-to-rear", "rear-to-front", "passive", "mixed"}


def device_type_doc(inv: Inventory, name: str) -> dict[str, Any]:
    """A catalog device type in the devicetype-library format (valid against its schema).

    Interfaces carry NetBox interface types and `mgmt_only` for management ports; patch panels
    get rear and front ports; PSU cords (`psus`) power ports and a PDU's banks power outlets.
    No power port is invented for a device without `psus`: its draw travels in the comments.
    """
    import json

    t = inv.catalog.device_types[name]
    ports = inv.catalog.ports(name)[0]
    doc: dict[str, Any] = {"manufacturer": t.manufacturer or "Generic", "model": t.model or name,
                           "slug": slugify(name)}
    if t.part_number:
        doc["part_number"] = t.part_number
    doc["u_height"] = t.height_u
    doc["is_full_depth"] = True
    if t.airflow in _NB_AIRFLOW:
        doc["airflow"] = t.airflow
    doc["weight"] = round(t.weight_kg, 3)
    doc["weight_unit"] = "kg"
    if t.role == "patch-panel":
        rear = [p for p in ports if p.group.name.startswith("rear")]
        front = [p for p in ports if not p.group.name.startswith("rear")]
        doc["rear-ports"] = [{"name": p.name, "type": "lc", "positions": 1} for p in rear]
        doc["front-ports"] = [{"name": p.name, "type": "lc", "rear_port": rear[i].name,
                               "rear_port_position": 1}
                              for i, p in enumerate(front) if i < len(rear)]
    elif ports:
        doc["interfaces"] = []
        for p in ports:
            iface: dict[str, Any] = {"name": p.name,
                                     "type": _iface_type(p.group.form_factor, p.speed_gbps)}
            if p.group.plane == "management":
                iface["mgmt_only"] = True
            doc["interfaces"].append(iface)
    _power_components(t, doc)
    extra = t.model_dump(mode="json", exclude_defaults=True,
                         exclude={"name", "part_number", "height_u", "weight_kg"})
    doc["comments"] = SUPERPOD_MARK + "\n" + json.dumps(extra, sort_keys=True)
    return doc


def _power_components(t: Any, doc: dict[str, Any]) -> None:
    """PSU cords -> power ports (with their share of the draw), a PDU's banks -> power outlets,
    named as `superpod netbox push` names them; busbar ones are left out (NetBox has no type
    for them, and the library's schema requires one)."""
    from superpod_iac.netbox.desired import outlet_names, psu_share
    from superpod_iac.netbox.importer import power_types

    types = power_types()
    cord = types["cords"].get(t.psus.cord) if t.psus else None
    if t.psus and cord:
        share = psu_share(t)
        ports = []
        for k in range(1, t.psus.count + 1):
            port: dict[str, Any] = {"name": f"psu{k}", "type": cord}
            if t.max_w:
                port["maximum_draw"] = max(round(t.max_w / share), 1)
            if t.typical_w:
                port["allocated_draw"] = max(round(t.typical_w / share), 1)
            ports.append(port)
        doc["power-ports"] = ports
    kinds = [types["outlets"][b.type]["netbox"] for b in t.outlets for _ in range(b.count)]
    outlets = [{"name": n, "type": k} for n, k in zip(outlet_names(t), kinds, strict=True) if k]
    if outlets:
        doc["power-outlets"] = outlets


def device_type_yaml(inv: Inventory, name: str) -> str:
    import io

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    buf = io.StringIO()
    buf.write("---\n")
    yaml.dump(device_type_doc(inv, name), buf)
    return buf.getvalue()
