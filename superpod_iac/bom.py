"""Bill of materials: one row per part type, from the Inventory (no per-link objects).

Cables are counted per type and stocked length: each link's computed length is rounded up to
the next stocked length (physics.round_up_to_stock); links longer than every stocked length
are listed on an `over-length` line for the OPT rules' attention, never dropped.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from superpod_iac import physics
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns, transceiver_modules
from superpod_iac.model.loads import cabinet_loads


@dataclass(slots=True)
class BomLine:
    category: str
    part: str
    quantity: int
    unit: str = "ea"
    unit_power_w: float | None = None
    total_power_w: float | None = None
    unit_weight_kg: float | None = None
    total_weight_kg: float | None = None
    unit_price_usd: float | None = None
    total_price_usd: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _line(category: str, part: str, qty: int, power: float | None, weight: float | None,
          price: float | None, note: str = "", unit: str = "ea") -> BomLine:
    def total(x: float | None) -> float | None:
        return None if x is None else round(x * qty, 3)

    return BomLine(category, part, qty, unit, power, total(power), weight, total(weight), price,
                   total(price), note)


def bom_lines(inv: Inventory) -> list[BomLine]:
    cat = inv.catalog
    lines: list[BomLine] = []
    cabs = Counter(c.type_name for c in inv.cabinets.values())
    for name, n in sorted(cabs.items()):
        t = cat.cabinet_types[name]
        lines.append(_line("cabinet", name, n, None, t.empty_weight_kg, t.unit_price_usd,
                           f"{t.height_u}U, rated {t.power_rating_kw:g} kW"))
    devs = Counter(d.type_name for d in inv.devices)
    accel: Counter[str] = Counter()
    for name, n in sorted(devs.items()):
        t = cat.device_types[name]
        category = {"power-shelf": "power shelf", "pdu": "pdu", "switch": "switch",
                    "cdu": "cdu"}.get(t.role, "device")
        note = f"{t.role}, {t.height_u}U"
        if t.power_output is not None:
            po = t.power_output
            note += f", {po.psu_count} x {po.psu_w:g} W PSUs ({po.redundancy})"
        lines.append(_line(category, name, n, t.max_w, t.weight_kg, t.unit_price_usd, note))
        if t.accelerators is not None:
            accel[t.accelerators.type] += n * t.accelerators.count
    for name, n in sorted(accel.items()):
        a = cat.accelerator_types.get(name)
        lines.append(_line("accelerator", name, n, a.tdp_w if a else None, None,
                           None, "inside the devices above (not ordered separately)"))
    lines += _transceivers(inv) + _cables(inv)
    cdus = Counter(c.spec.type or "custom CDU" for c in inv.cdus.values())
    for name, n in sorted(cdus.items()):
        t = cat.cdu_types.get(name)
        lines.append(_line("cdu", name, n, t.power_w if t else None, None,
                           t.unit_price_usd if t else None,
                           f"{t.capacity_kw:g} kW, {t.flow_lpm:g} L/min" if t else ""))
    return lines


def _transceivers(inv: Inventory) -> list[BomLine]:
    t = inv.links
    if not len(t):
        return []
    _devs, xs = transceiver_modules(inv)  # one per physical module (twin-port cages share)
    counts = np.bincount(xs, minlength=len(t.xcvr_names))
    out = []
    for i in np.argsort(t.xcvr_names).tolist() if t.xcvr_names else []:
        n = int(counts[i])
        name = t.xcvr_names[i]
        x = inv.catalog.transceiver_types.get(name)
        if n:
            out.append(_line("transceiver", name, n, x.power_w if x else None, None,
                             x.unit_price_usd if x else None,
                             f"{x.speed_gbps:g}G {x.medium}, {x.reach_m:g} m" if x else "unknown"))
    return out


def _cables(inv: Inventory) -> list[BomLine]:
    """Cables by type and stocked length, from unique (type, length) pairs of the columns."""
    t = inv.links
    if not len(t):
        return []
    col = columns(inv)
    cable = col["cable"]
    cm = np.where(np.isnan(col["length_m"]), -1, np.ceil(col["length_m"] * 100 - 1e-6)).astype(
        np.int64)
    key = (cable.astype(np.int64) + 1) * 10_000_000 + (cm + 1)
    uniq, counts = np.unique(key, return_counts=True)
    per: Counter[tuple[str, str]] = Counter()
    for k, n in zip(uniq.tolist(), counts.tolist(), strict=True):
        ci, c_cm = divmod(k, 10_000_000)
        ci, c_cm = ci - 1, c_cm - 1
        name = t.cable_names[ci] if ci >= 0 else "(no cable)"
        ctype = inv.catalog.cable_types.get(name)
        length = c_cm / 100 if c_cm >= 0 else math.nan
        if ctype is None or math.isnan(length):
            size = "unknown length" if math.isnan(length) else "unknown type"
        elif ctype.medium == "backplane":
            size = "in-rack harness"
        else:
            stock = physics.round_up_to_stock(length, ctype.stocked_lengths_m)
            size = "over-length" if stock is None or stock > ctype.max_length_m else f"{stock:g} m"
        per[(name, size)] += n
    out = []
    for (name, size), n in sorted(per.items(), key=lambda kv: (kv[0][0], _size_key(kv[0][1]))):
        ctype = inv.catalog.cable_types.get(name)
        metres = float(size.split(" ")[0]) if size.endswith(" m") else None
        weight = ctype.weight_kg_per_m * metres if ctype and metres and ctype.weight_kg_per_m \
            else None
        out.append(_line("cable", f"{name} {size}", n, None, weight,
                         ctype.unit_price_usd if ctype else None,
                         ctype.medium if ctype else ""))
    return out


def _size_key(size: str) -> tuple[int, float, str]:
    head = size.split(" ")[0]
    try:
        return (0, float(head), size)
    except ValueError:
        return (1, 0.0, size)


def totals(inv: Inventory, lines: list[BomLine]) -> dict[str, float]:
    """Totals for the footer: power from the cabinet loads (devices + optics), weight, price."""
    loads = cabinet_loads(inv)
    return {
        "power_kw": round(sum(x.max_w for x in loads.values()) / 1000, 3),
        "weight_kg": round(sum(x.total_weight_kg or 0.0 for x in lines), 3),
        "price_usd": round(sum(x.total_price_usd or 0.0 for x in lines), 2),
    }
