"""`superpod netbox pull --design SCOPE --out DIR`: the design a push made under a scope, read
back from NetBox into manifests.

What NetBox holds is read from NetBox: the racks (cabinet type, hall, row, slot), the devices
in them at their U with their type, and which facility feed each power-shelf inlet is cabled to
(the device's `feeds`). What NetBox has no model for comes from the custom fields the push
wrote: the device and cabinet types' catalog entries (`superpod_catalog`), the cabinets' other
fields (`superpod_design` on the rack: feeds, CDU, rear door, labels) and the design's other
manifests (`superpod_design` on the site: Site, PowerSystem, CoolingSystem, Fabric, Superpod,
Cluster, the project's Catalog) and the cables' media (`superpod_medium`: NetBox types an NVLink
backplane cable `dac-passive`, its closest type; the medium says it is a backplane). A rack moved, a device re-racked or re-typed, a shelf re-cabled
to another feed in NetBox comes back as NetBox has it; links come from the fabrics' definitions
(`superpod netbox diff` compares them with NetBox's cables).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML

from superpod_iac import API_VERSION
from superpod_iac.model.expand import ExpansionError, expand, fold
from superpod_iac.netbox.desired import (
    CABLE_TYPES,
    CATALOG_FIELD,
    DESIGN_FIELD,
    MEDIUM_FIELD,
    scope_tag,
)
from superpod_iac.netbox.read import NetBoxError, _message

_NETBOX_OWN = {"height_u": "u_height", "weight_kg": "weight", "part_number": "part_number"}
"""Catalog fields NetBox's own device-type fields hold: NetBox's value is taken."""


@dataclass
class Pulled:
    files: dict[str, str] = field(default_factory=dict)
    """File name -> YAML text (several documents)."""
    warnings: list[str] = field(default_factory=list)
    media: dict[str, int] = field(default_factory=dict)
    """The scope's data cables by their design medium (`superpod_medium`): how many of each."""


def _list(endpoint: Any, **filters: Any) -> list[dict[str, Any]]:
    try:
        return [dict(r) for r in endpoint.filter(limit=1000, **filters)]
    except Exception as exc:
        raise NetBoxError(f"reading from NetBox: {_message(exc)}") from exc


def _cf(rec: dict[str, Any], name: str) -> Any:
    return (rec.get("custom_fields") or {}).get(name)


def _dump(docs: list[dict[str, Any]]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buf = io.StringIO()
    yaml.dump_all(docs, buf)
    return buf.getvalue()


def _design_docs(sites: list[dict[str, Any]], out: Pulled) -> list[dict[str, Any]]:
    """The design's other manifests, from the sites' custom field (each site holds them all)."""
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for s in sites:
        held = _cf(s, DESIGN_FIELD)
        if not isinstance(held, dict):
            out.warnings.append(f"site {s['slug']} has no {DESIGN_FIELD} custom field (pushed "
                                "by an older superpod-iac?): the design's power, cooling, "
                                "fabrics and superpods are not in NetBox; push it again")
            continue
        for d in held.get("documents") or []:
            docs[(str(d.get("kind")), str((d.get("metadata") or {}).get("name")))] = d
    return [docs[k] for k in sorted(docs)]


def _types(api: Any, ids: list[int], endpoint: str, out: Pulled
           ) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """NetBox type id -> catalog name, and the catalog entries (NetBox's own height, weight
    and part number over the custom field's)."""
    names: dict[int, str] = {}
    entries: list[dict[str, Any]] = []
    if not ids:
        return names, entries
    for t in _list(getattr(api.dcim, endpoint), id=ids):
        entry = _cf(t, CATALOG_FIELD)
        if not isinstance(entry, dict) or "name" not in entry:
            out.warnings.append(f"{endpoint[:-1]} {t['slug']} has no {CATALOG_FIELD} custom "
                                "field (not made by a push): named by its slug and left out "
                                "of the catalog (`superpod netbox pull` imports it)")
            names[t["id"]] = t["slug"]
            continue
        entry = dict(entry)
        if endpoint == "device_types":
            for ours, theirs in _NETBOX_OWN.items():
                v = t.get(theirs)
                if isinstance(v, float) and v.is_integer() and ours == "height_u":
                    v = int(v)  # NetBox's decimal U: 1.0 is the catalog's 1
                if v not in (None, ""):
                    entry[ours] = v
        names[t["id"]] = entry["name"]
        entries.append(entry)
    return names, entries


def _device_feeds(api: Any, site_ids: list[int]) -> dict[int, dict[int, str]]:
    """Device id -> {inlet number: feed name}, from the power cables NetBox holds."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for p in _list(api.dcim.power_ports, site_id=site_ids, name__isw="input"):
        if p.get("link_peers_type") != "dcim.powerfeed":
            continue
        peers = p.get("link_peers") or []
        num = p["name"][len("input"):]
        if peers and num.isdigit():
            out[p["device"]["id"]][int(num)] = peers[0]["name"]
    return out


def cable_media(cables: list[dict[str, Any]], out: Pulled) -> dict[str, int]:
    """The design media of a scope's data cables, counted, from their `superpod_medium` custom
    field (NetBox's own type is only the closest one); a cable without it, or whose NetBox type
    is not its medium's, is a warning (pushed by an older superpod-iac, or re-typed by hand)."""
    media: dict[str, int] = defaultdict(int)
    untyped, retyped = [], []
    for c in cables:
        ctype = _choice(c.get("type"))
        if ctype == "power":
            continue
        medium = _cf(c, MEDIUM_FIELD)
        if not medium:
            untyped.append(c["id"])
            continue
        media[str(medium)] += 1
        if CABLE_TYPES.get(str(medium)) not in (None, ctype):
            retyped.append(f"#{c['id']} {ctype or 'untyped'} ({medium})")
    if untyped:
        out.warnings.append(f"{len(untyped)} cables have no {MEDIUM_FIELD} custom field (pushed "
                            f"by an older superpod-iac?), e.g. #{untyped[0]}: push the design "
                            "again to record their media")
    if retyped:
        out.warnings.append(f"{len(retyped)} cables have a NetBox type other than their "
                            f"medium's, e.g. {retyped[0]}: the design's medium is kept")
    return dict(sorted(media.items()))


def _choice(v: Any) -> Any:
    return v.get("value") if isinstance(v, dict) else v


def _location(rack: dict[str, Any], site: str, out: Pulled) -> dict[str, Any] | None:
    row, _, slot = str(rack.get("facility_id") or "").partition("/")
    if not row or not slot.isdigit():
        out.warnings.append(f"rack {rack['name']}: no facility id `<row>/<slot>`: written "
                            "without a location")
        return None
    return {"hall": site, "row": row, "slot": int(slot)}


def _cabinet(rack: dict[str, Any], devices: list[dict[str, Any]], ctx: dict[str, Any],
             out: Pulled) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": ctx["rack_types"].get((rack.get("rack_type") or {})
                                                          .get("id"), "?")}
    loc = _location(rack, ctx["sites"][rack["site"]["id"]], out)
    if loc is not None:
        spec["location"] = loc
    extra = dict(_cf(rack, DESIGN_FIELD) or {})
    labels = extra.pop("labels", None)
    spec.update({k: v for k, v in extra.items() if v not in (None, 0, 0.0, [], {})})
    spec["devices"] = []
    prefix = f"{rack['name']}-"
    for d in sorted(devices, key=lambda d: (d.get("position") or 0, d["name"])):
        name = d["name"][len(prefix):] if d["name"].startswith(prefix) else d["name"]
        entry: dict[str, Any] = {"name": name,
                                 "type": ctx["device_types"][d["device_type"]["id"]]}
        if d.get("position") is None:
            out.warnings.append(f"{rack['name']}/{name}: no position in NetBox (zero-U): "
                                "written at U1")
        pos = float(d.get("position") or 1)
        entry["u"] = int(pos) if pos.is_integer() else pos
        feeds = ctx["feeds"].get(d["id"], {})
        if feeds:
            entry["feeds"] = [feeds[k] for k in sorted(feeds)]
        spec["devices"].append(entry)
    spec["devices"] = fold_devices(spec["devices"])
    meta: dict[str, Any] = {"name": rack["name"]}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": API_VERSION, "kind": "Cabinet", "metadata": meta, "spec": spec}


def _run_name(names: list[str]) -> str | None:
    """The nodeset `names` fold into, when it expands back to exactly them, in order."""
    if len(names) < 2:
        return None
    folded = fold(names)
    try:
        return folded if list(expand(folded)) == names else None
    except ExpansionError:
        return None


def fold_devices(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Devices in U order -> replicated entries where a run of them has one type and the same
    feeds at consecutive U and names that fold into one range (`tray[11-18]` at `[5-12]`), as
    a designer writes them; anything else stays one entry per device."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def flush() -> None:
        name = _run_name([d["name"] for d in run])
        if name is None:
            out.extend(run)
        else:
            out.append({**run[0], "name": name, "u": f"[{run[0]['u']}-{run[-1]['u']}]"})
        run.clear()

    for d in devices:
        if run and not (d["type"] == run[-1]["type"] and d.get("feeds") == run[-1].get("feeds")
                        and d["u"] == run[-1]["u"] + 1
                        and _run_name([*(x["name"] for x in run), d["name"]]) is not None):
            flush()
        run.append(d)
    if run:
        flush()
    return out


def _builtin_entries() -> dict[tuple[str, str], dict[str, Any]]:
    """The built-in catalog's device and cabinet types, as a push writes them: a pulled entry
    equal to one is not written again (the pulled design uses the built-in part)."""
    from superpod_iac.manifest.builtin import builtin_catalogs
    from superpod_iac.netbox.desired import catalog_entry

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for m in builtin_catalogs():
        for kind in ("device_types", "cabinet_types"):
            for t in getattr(m.model.spec, kind):
                entry = catalog_entry(t)
                if kind == "device_types":  # what a pull takes from NetBox's own fields
                    entry.update({k: getattr(t, k) for k in _NETBOX_OWN
                                  if getattr(t, k, None) not in (None, "")})
                out[(kind, t.name)] = entry
    return out


def pull_design(api: Any, scope: str) -> Pulled:
    out = Pulled()
    tag = scope_tag(scope)
    sites = _list(api.dcim.sites, tag=tag)
    if not sites:
        raise NetBoxError(f"no site in NetBox carries the scope tag {tag!r}: nothing was pushed "
                          f"under the scope {scope!r}")
    site_ids = [s["id"] for s in sites]
    racks = _list(api.dcim.racks, tag=tag, site_id=site_ids)
    devices = _list(api.dcim.devices, tag=tag, site_id=site_ids)
    docs = _design_docs(sites, out)
    local = {(k, str(e.get("name"))) for d in docs if d.get("kind") == "Catalog"
             for k in ("device_types", "cabinet_types") for e in d["spec"].get(k) or []}
    dnames, dentries = _types(api, sorted({d["device_type"]["id"] for d in devices}),
                              "device_types", out)
    rnames, rentries = _types(api, sorted({r["rack_type"]["id"] for r in racks
                                           if r.get("rack_type")}), "rack_types", out)
    ctx = {"device_types": dnames, "rack_types": rnames,
           "sites": {s["id"]: s["name"] for s in sites}, "feeds": _device_feeds(api, site_ids)}
    by_rack: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in devices:
        if d.get("rack"):
            by_rack[d["rack"]["id"]].append(d)
        else:
            out.warnings.append(f"device {d['name']} is in no rack in NetBox: left out")
    cabinets = [_cabinet(r, by_rack[r["id"]], ctx, out)
                for r in sorted(racks, key=lambda r: r["name"])]
    builtin = _builtin_entries()
    spec = {kind: sorted((e for e in entries if (kind, e["name"]) not in local
                          and builtin.get((kind, e["name"])) != e), key=lambda e: e["name"])
            for kind, entries in (("device_types", dentries), ("cabinet_types", rentries))}
    if any(spec.values()):
        out.files["catalog.yaml"] = _dump([{
            "apiVersion": API_VERSION, "kind": "Catalog", "metadata": {"name": f"{scope}-netbox"},
            "spec": {k: v for k, v in spec.items() if v}}])
    out.media = cable_media(_list(api.dcim.cables, tag=tag, site_id=site_ids,
                                  fields="id,type,custom_fields"), out)
    out.files["cabinets.yaml"] = _dump(cabinets)
    if docs:
        out.files["design.yaml"] = _dump(docs)
    return out
