"""BOM totals: price, power, weight, rack units, optics and accelerators, overall and per group.

Everything is summed from per-cabinet figures and the aggregated rows, so a 432-superpod
cluster costs a pass over its cabinets and devices, never one row per link.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from superpod_iac.bom.lines import BomLine, group_of, integrated_links, used_u
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads

DEVICE_KINDS = frozenset({"cabinet", "compute", "switch", "power-shelf", "pdu", "management",
                          "storage", "cdu", "patch-panel", "other"})
"""Row kinds whose weight `_add_cabinets` already counts from the cabinets."""


def _blank() -> dict[str, Any]:
    return {"cabinets": 0, "power_kw": 0.0, "weight_kg": 0.0, "rack_units_used": 0,
            "rack_units_total": 0, "accelerators": 0, "price": {}, "rows_unpriced": 0,
            "optics": Counter(), "spares_rows": 0}


def _finish(t: dict[str, Any]) -> dict[str, Any]:
    t["power_kw"] = round(t["power_kw"], 3)
    t["weight_kg"] = round(t["weight_kg"], 3)
    t["price"] = {cur: round(v, 2) for cur, v in sorted(t["price"].items())}
    t["optics"] = dict(sorted(t["optics"].items()))
    return t


def _add_lines(t: dict[str, Any], lines: Iterable[BomLine]) -> None:
    for x in lines:
        if x.total_price is None:
            t["rows_unpriced"] += 1
        else:
            t["price"][x.currency] = t["price"].get(x.currency, 0.0) + x.total_price
        if x.line == "spare":
            t["spares_rows"] += 1
            continue
        if x.category == "optics":
            t["optics"][x.part] += x.quantity
        if x.kind not in DEVICE_KINDS and x.total_weight_kg:  # cabinets/devices: per cabinet
            t["weight_kg"] += x.total_weight_kg


def _add_cabinets(inv: Inventory, per: dict[str, dict[str, Any]], key: Any) -> None:
    loads = cabinet_loads(inv)
    for cab in inv.cabinets.values():
        t = per[key(cab)]
        t["cabinets"] += 1
        t["power_kw"] += loads[cab.name].max_w / 1000
        t["weight_kg"] += cab.type.empty_weight_kg + sum(d.type.weight_kg for d in cab.devices)
        t["rack_units_used"] += used_u(cab)
        t["rack_units_total"] += cab.type.height_u
        t["accelerators"] += sum(d.type.accelerators.count for d in cab.devices
                                 if d.type.accelerators is not None)


def totals(inv: Inventory, lines: list[BomLine], group_by: str | None = None) -> dict[str, Any]:
    """Overall totals, per group (when grouped), per superpod and per cluster.

    Power is the cabinets' maximum load (devices + optics, `model.loads`); weight is cabinets +
    devices + weighed accessories and cables (base rows only); price sums rows with a known
    price, per currency (`rows_unpriced` says how many rows are missing from it).
    """
    overall = _blank()
    _add_cabinets(inv, defaultdict(lambda: overall), lambda c: "")
    _add_lines(overall, lines)
    accel: Counter[str] = Counter()
    for d in inv.devices:
        if d.type.accelerators is not None:
            accel[d.type.accelerators.type] += d.type.accelerators.count
    out: dict[str, Any] = _finish(overall)
    out["accelerators_by_type"] = dict(sorted(accel.items()))
    out["integrated_links"] = integrated_links(inv)
    if group_by:
        per: dict[str, dict[str, Any]] = defaultdict(_blank)
        _add_cabinets(inv, per, lambda c: group_of(c, group_by))
        by_group: dict[str, list[BomLine]] = defaultdict(list)
        for x in lines:
            by_group[x.group].append(x)
        for g, rows in by_group.items():
            _add_lines(per[g], rows)
        out["groups"] = {g: _finish(per[g]) for g in sorted(per)}
    if inv.superpods:
        out["superpods"] = superpod_totals(inv, lines if group_by == "superpod" else None)
    if inv.clusters:
        out["clusters"] = {
            name: {"superpods": len(c.replicas), "accelerators": overall["accelerators"],
                   "power_kw": overall["power_kw"], "weight_kg": overall["weight_kg"],
                   "price": overall["price"], "optics": overall["optics"]}
            for name, c in sorted(inv.clusters.items())}
    return out


def superpod_totals(inv: Inventory, lines: list[BomLine] | None) -> dict[str, dict[str, Any]]:
    """Per superpod: cabinets, accelerators, power, weight, U (and price/optics when the rows
    are grouped by superpod). A cluster's replicas are summed from their cabinets."""
    per: dict[str, dict[str, Any]] = defaultdict(_blank)
    _add_cabinets(inv, per, lambda c: c.superpod or "(no superpod)")
    if lines is not None:
        by: dict[str, list[BomLine]] = defaultdict(list)
        for x in lines:
            by[x.group].append(x)
        for g, rows in by.items():
            _add_lines(per[g], rows)
    return {g: _finish(per[g]) for g in sorted(per)}
