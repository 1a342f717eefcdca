"""Physical consequences of a change: load, headroom and worst single-failure margin per
cabinet, feed, power node and cooling unit, and design totals, before -> after.

Every number is read from the model's roll-ups (`model.utilization`, `bom.totals`); nothing
here computes physics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from superpod_iac.bom import bom_lines, totals
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.model.utilization import cabinet_use, cooling_use, power_use

_EPS = 1e-6

@dataclass(frozen=True, slots=True)
class Figures:
    load_w: float
    capacity_w: float | None
    """Cabinet power rating; derated continuous rating of a power node; CDU capacity."""
    margin_w: float | None = None
    """Capacity left in the worst single-failure scenario the object must survive
    (negative: overloaded after that failure); None when it has no failure scenario."""
    scenario: str | None = None

    @property
    def headroom_w(self) -> float | None:
        return None if self.capacity_w is None else self.capacity_w - self.load_w


@dataclass(frozen=True, slots=True)
class Impact:
    kind: str
    """`cabinet`, `feed`, `power node` or `cooling unit`."""
    name: str
    old: Figures | None
    new: Figures | None

    def pair(self, attr: str) -> tuple[Any, Any]:
        return (getattr(self.old, attr) if self.old else None,
                getattr(self.new, attr) if self.new else None)

    @property
    def worse(self) -> bool:
        """Less headroom or failure margin than before."""
        for attr in ("headroom_w", "margin_w"):
            a, b = self.pair(attr)
            if a is not None and b is not None and b < a - _EPS:
                return True
        return False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        for attr in ("load_w", "capacity_w", "headroom_w", "margin_w"):
            a, b = self.pair(attr)
            out[attr.replace("_w", "_kw")] = [None if a is None else round(a / 1000, 3),
                                              None if b is None else round(b / 1000, 3)]
        out["scenario"] = list(self.pair("scenario"))
        return out


def _figures(inv: Inventory) -> dict[tuple[str, str], Figures]:
    out: dict[tuple[str, str], Figures] = {}
    for name, cu in cabinet_use(inv).items():
        out[("cabinet", name)] = Figures(cu.load_w, cu.rating_w)
    for name, pu in power_use(inv).items():
        kind = "feed" if inv.power_nodes[name].spec.type == "feed" else "power node"
        worst = pu.worst_w if pu.worst_w is not None else pu.load_w
        margin = None if pu.derated_w is None else pu.derated_w - worst
        out[(kind, name)] = Figures(pu.load_w, pu.derated_w, margin, pu.worst_scenario)
    for name, co in cooling_use(inv).items():
        margin = None if co.capacity_after_loss_w is None else \
            co.capacity_after_loss_w - co.heat_w
        out[("cooling unit", name)] = Figures(co.heat_w, co.capacity_w, margin,
                                              "one CDU lost" if margin is not None else None)
    return out


def _differs(a: Figures | None, b: Figures | None) -> bool:
    if a is None or b is None:
        return a is not b
    for x, y in ((a.load_w, b.load_w), (a.capacity_w, b.capacity_w), (a.margin_w, b.margin_w)):
        if (x is None) != (y is None) or (x is not None and y is not None and abs(x - y) > _EPS):
            return True
    return False


_ORDER = {"cabinet": 0, "feed": 1, "power node": 2, "cooling unit": 3}


def impacts(old: Inventory, new: Inventory) -> list[Impact]:
    """Objects whose load, capacity or failure margin changed, cabinets first."""
    fo, fn = _figures(old), _figures(new)
    keys = sorted(set(fo) | set(fn), key=lambda k: (_ORDER[k[0]], k[1]))
    return [Impact(k[0], k[1], fo.get(k), fn.get(k)) for k in keys
            if _differs(fo.get(k), fn.get(k))]


@dataclass(frozen=True, slots=True)
class Total:
    name: str
    unit: str
    old: float | int
    new: float | int


def design_totals(old: Inventory, new: Inventory) -> list[Total]:
    """Power, accelerators, optics, links, weight and cost (when the catalog has prices)."""
    def one(inv: Inventory) -> dict[str, float | int]:
        loads = cabinet_loads(inv)
        tot = totals(inv, bom_lines(inv))
        return {"power": tot["power_kw"],
                "accelerators": sum(u.accelerators for u in cabinet_use(inv).values()),
                "optics": sum(x.transceivers for x in loads.values()),
                "links": len(inv.links), "cabinets": len(inv.cabinets),
                "devices": len(inv.devices), "weight": tot["weight_kg"],
                "cost": tot["price"].get("USD", 0.0)}

    a, b = one(old), one(new)
    units = {"power": "kW", "weight": "kg", "cost": "USD"}
    return [Total(k, units.get(k, ""), a[k], b[k]) for k in a
            if k != "cost" or a[k] or b[k]]
