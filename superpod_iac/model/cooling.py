"""Cooling roll-up: per-cabinet liquid/air heat -> CDUs and CDU groups -> facility loops, and
residual air heat -> halls, rows and air zones. Derived data only; formulas in physics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from superpod_iac import physics
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Cabinet, CduObj, Inventory
from superpod_iac.model.loads import cabinet_loads


@dataclass(slots=True)
class CoolingUnit:
    """One CDU, or a redundancy group of CDUs sharing a manifold."""

    name: str
    kind: str  # "CDU" or "CDU group"
    members: list[CduObj]
    redundancy: str
    cabinets: list[str] = field(default_factory=list)
    heat_w: float = 0.0
    capacity_w: float | None = None
    flow_lpm: float | None = None
    required_lpm: float | None = None
    fluid: str | None = None
    delta_t_c: float = 10.0

    def capacity_after_loss_w(self) -> float | None:
        """Capacity with the redundancy spent: N+1 loses the largest CDU, N+2 two, 2N half."""
        caps = sorted((m.capacity_kw or 0.0) * 1000 for m in self.members)
        if not caps or any(m.capacity_kw is None for m in self.members):
            return None
        spare = {"N": 0, "N+1": 1, "N+2": 2, "2N": len(caps) // 2}.get(self.redundancy, 0)
        return sum(caps[: max(len(caps) - spare, 0)])


@dataclass(slots=True)
class CoolingPlan:
    units: dict[str, CoolingUnit]
    unit_of_cabinet: dict[str, str]
    supply_c: dict[str, float]
    """cabinet -> coolant supply temperature it receives."""
    residual_air_w: dict[str, float]
    """cabinet -> heat left for the room after liquid capture and rear doors."""
    air_zones: list[tuple[str, str, float, float, list[str]]]
    """(kind, name, capacity W, heat W, cabinets) for halls, rows and air zones with a capacity."""
    loop_heat_w: dict[str, float]


_MIN_UNITS = {"N": 1, "N+1": 2, "N+2": 3, "2N": 2, "N+N": 2}
"""Members a redundancy group needs before its declaration leaves a spare (N+1: two units)."""


def spare_shortfall(redundancy: str, count: int) -> str:
    """Why `count` units cannot give `redundancy` (CDUs in a group, PSUs in a shelf), or ''."""
    need = _MIN_UNITS.get(redundancy, 1)
    if count < need:
        return f"needs at least {need}"
    if redundancy in ("2N", "N+N") and count % 2:
        return "an odd count cannot form two equal halves"
    return ""


def effective_supply_c(inv: Inventory, cdu: CduObj) -> float | None:
    """The coolant temperature a CDU really delivers: its set point, but never colder than the
    facility water it is fed plus its approach (a heat exchanger cannot cool below its source):
    max(supply_c, loop supply_c + approach_c). Without a loop, the set point (or None)."""
    loop = inv.loops.get(cdu.spec.loop or "")
    if loop is None:
        return cdu.supply_c
    approach = cdu.approach_c if cdu.approach_c is not None else inv.policy.cdu_approach_c
    floor = physics.cdu_min_supply_c(loop.supply_c, approach)
    return floor if cdu.supply_c is None else max(cdu.supply_c, floor)


@derived
def group_members(inv: Inventory) -> dict[str | None, list[CduObj]]:
    """CDUs by the group they name, in inventory order (one pass, cached: a scan of every CDU
    per group made 10,000 replicas quadratic)."""
    out: dict[str | None, list[CduObj]] = defaultdict(list)
    for c in inv.cdus.values():
        out[c.spec.group].append(c)
    return out


def _unit_for(inv: Inventory, ref: str, units: dict[str, CoolingUnit]) -> CoolingUnit | None:
    if ref in inv.cdu_groups:
        name = ref
    elif ref in inv.cdus:
        cdu = inv.cdus[ref]
        name = cdu.spec.group if cdu.spec.group in inv.cdu_groups else ref
    else:
        return None
    unit = units.get(name)
    if unit is None:
        if name in inv.cdu_groups:
            members = sorted(group_members(inv).get(name, ()), key=lambda c: c.name)
            unit = CoolingUnit(name, "CDU group", members, inv.cdu_groups[name].redundancy)
        else:
            unit = CoolingUnit(name, "CDU", [inv.cdus[name]], "N")
        units[name] = unit
    return unit


def rear_door_w(inv: Inventory, cab: Cabinet) -> float:
    """Heat a cabinet's rear door can take, derived beats declared: `rear_door_kw` bounded by
    its rear-door type's capacity, 0 without a type (CLG013 reports both). The caller gives it
    0 when the cabinet has no CDU for the door's water."""
    door = inv.catalog.cdu_types.get(cab.rear_door or "")
    if door is None:
        return 0.0
    return min(cab.rear_door_kw, door.capacity_kw) * 1000.0


@derived
def cooling_plan(inv: Inventory) -> CoolingPlan:
    loads = cabinet_loads(inv)
    pol = inv.policy
    units: dict[str, CoolingUnit] = {}
    unit_of: dict[str, str] = {}
    supply: dict[str, float] = {}
    residual: dict[str, float] = {}
    for cab in inv.iter_cabinets():
        load = loads[cab.name]
        unit = _unit_for(inv, cab.cdu, units) if cab.cdu else None
        air = load.air_w + (0.0 if unit is not None else load.liquid_w)
        door = min(rear_door_w(inv, cab) if unit is not None else 0.0, air)
        residual[cab.name] = air - door
        if unit is None:
            continue
        unit_of[cab.name] = unit.name
        unit.cabinets.append(cab.name)
        unit.heat_w += load.liquid_w + door
        temps = [effective_supply_c(inv, m) for m in unit.members]
        known = [t for t in temps if t is not None]
        supply[cab.name] = max(known) if known else pol.facility_supply_c
    for unit in units.values():
        ms = unit.members
        if ms and all(m.capacity_kw is not None for m in ms):
            unit.capacity_w = sum(m.capacity_kw or 0.0 for m in ms) * 1000
        if ms and all(m.flow_lpm is not None for m in ms):
            unit.flow_lpm = sum(m.flow_lpm or 0.0 for m in ms)
        unit.fluid = ms[0].spec.fluid if ms else None
        unit.delta_t_c = next((m.spec.delta_t_c for m in ms if m.spec.delta_t_c), pol.coolant_delta_t_c)
        fluid = inv.catalog.fluids.get(unit.fluid or "")
        if fluid is not None:
            unit.required_lpm = physics.coolant_flow_lpm(
                unit.heat_w, fluid.density_kg_m3, fluid.specific_heat_kj_kg_k, unit.delta_t_c)
    loop_heat: dict[str, float] = defaultdict(float)
    for unit in units.values():
        for m in unit.members:
            if m.spec.loop and unit.members:
                loop_heat[m.spec.loop] += unit.heat_w / len(unit.members)
    rejected: dict[str, float] = defaultdict(float)
    for unit in units.values():
        for m in unit.members:
            if m.spec.rejects_to_hall and unit.members:
                rejected[m.spec.rejects_to_hall] += unit.heat_w / len(unit.members)
    plan = CoolingPlan(dict(sorted(units.items())), unit_of, supply, residual,
                       _air(inv, residual, rejected), dict(loop_heat))
    return plan


def _air(inv: Inventory, residual: dict[str, float], rejected: dict[str, float] | None = None
         ) -> list[tuple[str, str, float, float, list[str]]]:
    """Air load per hall, row and air zone: cabinets' residual air heat, plus in a hall (and its
    hall-wide zones) the heat liquid-to-air CDUs reject into it."""
    rejected = rejected or {}
    out: list[tuple[str, str, float, float, list[str]]] = []
    by_hall: dict[str, list[str]] = defaultdict(list)
    by_row: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cab in inv.iter_cabinets():
        if cab.hall:
            by_hall[cab.hall].append(cab.name)
            if cab.row:
                by_row[(cab.hall, cab.row)].append(cab.name)
    for name, hall in sorted(inv.halls.items()):
        if hall.air_capacity_kw is not None:
            cabs = by_hall.get(name, [])
            out.append(("hall", name, hall.air_capacity_kw * 1000 * air_derating(inv, name),
                        sum(residual[c] for c in cabs) + rejected.get(name, 0.0), cabs))
    for (h, r), row in sorted(inv.rows.items()):
        if row.air_capacity_kw is not None:
            cabs = by_row.get((h, r), [])
            out.append(("row", f"{h}/{r}", row.air_capacity_kw * 1000 * air_derating(inv, h),
                        sum(residual[c] for c in cabs), cabs))
    for name, zone in sorted(inv.air_zones.items()):
        cabs = by_row.get((zone.hall, zone.row), []) if zone.row else by_hall.get(zone.hall, [])
        extra = 0.0 if zone.row else rejected.get(zone.hall, 0.0)
        out.append(("air zone", name, zone.capacity_kw * 1000 * air_derating(inv, zone.hall),
                    sum(residual[c] for c in cabs) + extra, cabs))
    return out


def air_derating(inv: Inventory, hall: str | None) -> float:
    """Air-side capacity factor of a hall at its altitude (1 where none is declared)."""
    h = inv.halls.get(hall or "")
    if h is None or h.altitude_m is None:
        return 1.0
    return physics.air_density_ratio(h.altitude_m)
