"""`superpod netbox pull`: the device types and rack types used on a live NetBox -> a Catalog.

NetBox's API records are turned into the devicetype-library's document shape and imported by
the same code as `superpod import netbox`, so a pulled type and an imported library file map
alike (and warn alike about what NetBox does not say).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from superpod_iac.netbox.desired import CATALOG_FIELD
from superpod_iac.netbox.importer import SUPERPOD_MARK, ImportResult, import_documents
from superpod_iac.netbox.read import NetBoxError, _message

_ROLES = {"compute", "switch", "power-shelf", "pdu", "management", "storage", "cdu",
          "patch-panel", "other"}


def _v(x: Any) -> Any:
    return x["value"] if isinstance(x, dict) and "value" in x else x


def _list(endpoint: Any, **filters: Any) -> list[dict[str, Any]]:
    try:
        return [dict(r) for r in endpoint.filter(limit=1000, **filters)]
    except Exception as exc:
        raise NetBoxError(f"reading from NetBox: {_message(exc)}") from exc


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, "", [])}


def pull(api: Any, *, name: str = "netbox-pull", site: str | None = None,
         rack_power_kw: float = 10.0) -> ImportResult:
    filters = {"site": site} if site else {}
    devices = _list(api.dcim.devices, **filters)
    racks = _list(api.dcim.racks, **filters)
    roles: dict[int, Counter[str]] = defaultdict(Counter)
    for d in devices:
        roles[d["device_type"]["id"]][(d.get("role") or {}).get("slug", "other")] += 1
    type_ids = sorted(roles)
    rack_type_ids = sorted({r["rack_type"]["id"] for r in racks if r.get("rack_type")})
    docs: list[tuple[str, str, dict[str, Any]]] = []
    if type_ids:
        comps: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for kind in ("interface_templates", "power_port_templates", "power_outlet_templates",
                     "console_port_templates", "front_port_templates", "rear_port_templates",
                     "module_bay_templates"):
            per: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for r in _list(getattr(api.dcim, kind), device_type_id=type_ids):
                per[r["device_type"]["id"]].append(r)
            comps[kind] = per
        for t in _list(api.dcim.device_types, id=type_ids):
            tid = t["id"]
            rear_names = {r["id"]: r["name"] for r in comps["rear_port_templates"][tid]}
            doc = _clean({
                "manufacturer": t["manufacturer"]["name"], "model": t["model"],
                "slug": t["slug"], "part_number": t.get("part_number"),
                "u_height": t.get("u_height"), "is_full_depth": t.get("is_full_depth"),
                "airflow": _v(t.get("airflow")), "weight": t.get("weight"),
                "weight_unit": _v(t.get("weight_unit")),
                "interfaces": [_clean({"name": i["name"], "type": _v(i["type"]),
                                       "mgmt_only": i.get("mgmt_only") or None})
                               for i in comps["interface_templates"][tid]],
                "power-ports": [_clean({"name": p["name"], "type": _v(p.get("type")),
                                        "maximum_draw": p.get("maximum_draw"),
                                        "allocated_draw": p.get("allocated_draw")})
                                for p in comps["power_port_templates"][tid]],
                "power-outlets": [_clean({"name": p["name"], "type": _v(p.get("type"))})
                                  for p in comps["power_outlet_templates"][tid]],
                "console-ports": [_clean({"name": p["name"], "type": _v(p.get("type"))})
                                  for p in comps["console_port_templates"][tid]],
                "rear-ports": [_clean({"name": p["name"], "type": _v(p["type"]),
                                       "positions": p.get("positions")})
                               for p in comps["rear_port_templates"][tid]],
                "front-ports": [_clean({"name": p["name"], "type": _v(p["type"]),
                                        "rear_port": rear_names.get(
                                            (p.get("rear_ports") or [{}])[0].get("rear_port"))})
                                for p in comps["front_port_templates"][tid]],
                "module-bays": [_clean({"name": p["name"]})
                                for p in comps["module_bay_templates"][tid]],
            })
            entry = (t.get("custom_fields") or {}).get(CATALOG_FIELD)
            if isinstance(entry, dict):  # a type a push made: its catalog entry, whole
                doc["comments"] = SUPERPOD_MARK + "\n" + json.dumps(entry, sort_keys=True)
            role = roles[tid].most_common(1)[0][0]
            if role in _ROLES:
                doc["x-superpod-role"] = role
            docs.append((f"NetBox device type {t['slug']}", "devicetype", doc))
    if rack_type_ids:
        for r in _list(api.dcim.rack_types, id=rack_type_ids):
            docs.append((f"NetBox rack type {r['slug']}", "racktype", _clean({
                "manufacturer": r["manufacturer"]["name"], "model": r["model"],
                "slug": r["slug"], "form_factor": _v(r.get("form_factor")),
                "width": _v(r.get("width")), "u_height": r.get("u_height"),
                "outer_width": r.get("outer_width"), "outer_depth": r.get("outer_depth"),
                "outer_unit": _v(r.get("outer_unit")), "weight": r.get("weight"),
                "max_weight": r.get("max_weight"), "weight_unit": _v(r.get("weight_unit"))})))
    return import_documents(docs, name=name, rack_power_kw=rack_power_kw, validate=False)
