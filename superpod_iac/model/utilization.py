"""Utilization: how much of its rating each power node, cabinet, CDU and loop uses.

Derived data for diagrams and reports, read from the power and cooling roll-ups
(`model.power`, `model.cooling`, `model.loads`) with formulas from `superpod_iac.physics`.
Renderers print these numbers; they never compute them.
"""

from __future__ import annotations

from dataclasses import dataclass

from superpod_iac import physics
from superpod_iac.model.cooling import CoolingUnit, cooling_plan
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.model.power import power_tree

_EPS_W = 1e-6


def over_rating(load_w: float, rating_w: float) -> bool:
    """Whether a load exceeds a rating: the one test of "is this overloaded?" (PWR001's
    finding and the cabinet's `overloaded` in diagrams, diff and report), with one tolerance
    for floating-point sums (1 uW)."""
    return load_w > rating_w + _EPS_W


def _pct(value: float | None, of: float | None) -> float | None:
    if value is None or of is None or of <= 0:
        return None
    return value / of * 100.0


@dataclass(slots=True)
class PowerUse:
    load_w: float
    """Normal-operation load."""
    rated_w: float | None
    derated_w: float | None
    """Continuous capacity (80 % of the rating unless 100 %-rated)."""
    basis: str
    """How the rating was obtained, e.g. `415 V, 250 A, 3-phase, PF 0.95, 80 %`."""
    pct: float | None
    """Normal load in percent of the derated rating."""
    worst_w: float | None
    """Largest load over the failure scenarios the node survives (N-1 / 2N)."""
    worst_pct: float | None
    worst_scenario: str | None
    overloaded: bool
    """Normal load above the derated rating."""
    overloaded_after_failure: bool
    """Within rating normally, above it after a failure the redundancy must survive."""

    @property
    def headroom_w(self) -> float | None:
        """Derated capacity left in normal operation (negative: the shortfall)."""
        return None if self.derated_w is None else self.derated_w - self.load_w

    @property
    def worst_headroom_w(self) -> float | None:
        """Derated capacity left after the worst failure (negative: the shortfall)."""
        if self.derated_w is None or self.worst_w is None:
            return None
        return self.derated_w - self.worst_w


@derived
def power_use(inv: Inventory) -> dict[str, PowerUse]:
    tree = power_tree(inv)
    out: dict[str, PowerUse] = {}
    for name in sorted(inv.power_nodes):
        cap = tree.capacity[name]
        load = tree.normal.loads_w.get(name, 0.0)
        worst = tree.worst.get(name)
        worst_w = worst[0] if worst is not None and worst[0] > load + _EPS_W else None
        der = cap.derated_w
        over = der is not None and load > der + _EPS_W
        out[name] = PowerUse(
            load, cap.rated_w, der, cap.basis, _pct(load, der), worst_w, _pct(worst_w, der),
            worst[1] if worst_w is not None and worst is not None else None, over,
            not over and der is not None and worst_w is not None and worst_w > der + _EPS_W)
    return out


@dataclass(slots=True)
class CabinetUse:
    load_w: float
    """Nameplate maximum of devices and optics."""
    rating_w: float
    pct: float | None
    """Load in percent of the cabinet type's power rating."""
    weight_kg: float
    """Empty cabinet + devices + declared extra weight."""
    used_u: int
    height_u: int
    liquid_w: float
    air_w: float
    residual_air_w: float
    """Heat left for the room after liquid capture and rear doors."""
    coolant_lpm: float | None
    """Coolant flow the cabinet's liquid heat needs: Q / (rho c_p dT) with its CDU's fluid."""
    cooling_unit: str | None
    accelerators: int
    overloaded: bool

    @property
    def headroom_w(self) -> float:
        """The cabinet rating left over its load (negative: the shortfall)."""
        return self.rating_w - self.load_w


@derived
def cabinet_use(inv: Inventory) -> dict[str, CabinetUse]:
    loads = cabinet_loads(inv)
    plan = cooling_plan(inv)
    out: dict[str, CabinetUse] = {}
    for cab in inv.iter_cabinets():
        load = loads[cab.name]
        rating = cab.type.power_rating_kw * 1000.0
        used: set[int] = set()
        for d in cab.devices:
            used.update(range(d.u, d.u + d.type.height_u) if d.u > 0 else ())
        weight = cab.type.empty_weight_kg + cab.extra_weight_kg + \
            sum(d.type.weight_kg for d in cab.devices)
        unit_name = plan.unit_of_cabinet.get(cab.name)
        lpm = None
        if unit_name is not None:
            lpm = _flow_lpm(inv, plan.units[unit_name], load.liquid_w)
        accel = sum(d.type.accelerators.count for d in cab.devices if d.type.accelerators)
        out[cab.name] = CabinetUse(
            load.max_w, rating, _pct(load.max_w, rating), weight,
            len({u for u in used if 1 <= u <= cab.type.height_u}), cab.type.height_u,
            load.liquid_w, load.air_w, plan.residual_air_w.get(cab.name, 0.0), lpm, unit_name,
            accel, over_rating(load.max_w, rating))
    return out


def _flow_lpm(inv: Inventory, unit: CoolingUnit, heat_w: float) -> float | None:
    fluid = inv.catalog.fluids.get(unit.fluid or "")
    if fluid is None:
        return None
    return physics.coolant_flow_lpm(heat_w, fluid.density_kg_m3, fluid.specific_heat_kj_kg_k,
                                    unit.delta_t_c)


@dataclass(slots=True)
class CoolingUse:
    heat_w: float
    capacity_w: float | None
    pct: float | None
    """Heat in percent of capacity."""
    flow_lpm: float | None
    """Flow the unit's CDUs deliver."""
    required_lpm: float | None
    flow_pct: float | None
    """Required flow in percent of the available flow."""
    capacity_after_loss_w: float | None
    """Capacity with the redundancy spent (N+1: the largest CDU lost)."""
    after_loss_pct: float | None
    """Heat in percent of the capacity left with the redundancy spent."""
    overloaded: bool
    """Heat above capacity, or required flow above the available flow."""
    overloaded_after_failure: bool


@derived
def cooling_use(inv: Inventory) -> dict[str, CoolingUse]:
    """Per cooling unit (a CDU, or a CDU redundancy group)."""
    out: dict[str, CoolingUse] = {}
    for name, unit in cooling_plan(inv).units.items():
        after = unit.capacity_after_loss_w()
        over = (unit.capacity_w is not None and unit.heat_w > unit.capacity_w + _EPS_W) or \
            (unit.flow_lpm is not None and unit.required_lpm is not None
             and unit.required_lpm > unit.flow_lpm + _EPS_W)
        out[name] = CoolingUse(
            unit.heat_w, unit.capacity_w, _pct(unit.heat_w, unit.capacity_w), unit.flow_lpm,
            unit.required_lpm, _pct(unit.required_lpm, unit.flow_lpm), after,
            _pct(unit.heat_w, after), over,
            not over and after is not None and unit.redundancy != "N"
            and unit.heat_w > after + _EPS_W)
    return out


@dataclass(slots=True)
class LoopUse:
    heat_w: float
    capacity_w: float
    pct: float | None
    supply_c: float
    overloaded: bool


def loop_use(inv: Inventory) -> dict[str, LoopUse]:
    heat = cooling_plan(inv).loop_heat_w
    out: dict[str, LoopUse] = {}
    for name, loop in sorted(inv.loops.items()):
        h = heat.get(name, 0.0)
        cap = loop.capacity_kw * 1000.0
        out[name] = LoopUse(h, cap, _pct(h, cap), loop.supply_c, h > cap + _EPS_W)
    return out


@dataclass(slots=True)
class AirUse:
    kind: str
    """`hall`, `row` or `air zone`."""
    name: str
    heat_w: float
    capacity_w: float
    pct: float | None
    overloaded: bool


def air_use(inv: Inventory) -> list[AirUse]:
    return [AirUse(kind, name, heat, cap, _pct(heat, cap), heat > cap + _EPS_W)
            for kind, name, cap, heat, _cabs in cooling_plan(inv).air_zones]


@dataclass(slots=True)
class GroupTotals:
    cabinets: int
    devices: int
    accelerators: int
    load_w: float
    liquid_cooled_w: float = 0.0
    """Liquid heat carried away by CDUs (cabinets with a cooling unit)."""
    air_w: float = 0.0
    """Heat left to the room air (residual after liquid capture and rear doors)."""
    air_gross_w: float = 0.0
    """Heat not captured by liquid, before rear doors (the summary's `heat to air`)."""


def group_totals(inv: Inventory, cabinets: list[str]) -> GroupTotals:
    """Sum of cabinet figures over a set of cabinets (a superpod, a cluster)."""
    uses = cabinet_use(inv)
    out = GroupTotals(0, 0, 0, 0.0)
    for name in cabinets:
        use = uses.get(name)
        if use is None:
            continue
        out.cabinets += 1
        out.devices += len(inv.cabinets[name].devices)
        out.accelerators += use.accelerators
        out.load_w += use.load_w
        if use.cooling_unit is not None:
            out.liquid_cooled_w += use.liquid_w
        out.air_w += use.residual_air_w
        out.air_gross_w += use.air_w
    return out


@dataclass(slots=True)
class PowerCurrent:
    """Currents of a power node whose voltage is declared (amps are derived, not rated)."""

    load_a: float
    """Line current in normal operation (3-phase: balanced line current)."""
    worst_a: float | None
    """Line current after the worst failure the node survives."""
    phase_a: dict[str, float]
    """Per-phase current (L1/L2/L3) where single-phase children are modelled; else empty."""


@derived
def power_currents(inv: Inventory) -> dict[str, PowerCurrent]:
    """Node -> currents from `power_use` loads: I = P / (sqrt(3) V_LL PF) for 3-phase nodes,
    I = P / (V PF) for single-phase ones; per phase I = P_phase / (V_LL / sqrt(3) PF)."""
    uses = power_use(inv)
    phases = power_tree(inv).phase_loads_w
    out: dict[str, PowerCurrent] = {}
    for name, node in sorted(inv.power_nodes.items()):
        s = node.spec
        if s.voltage_v is None:
            continue
        use = uses[name]

        def amps(w: float, v: float = s.voltage_v, three: bool = s.phases == 3,
                 pf: float = s.pf) -> float:
            return (physics.three_phase_current_a(w, v, pf) if three
                    else physics.single_phase_current_a(w, v, pf))

        per: dict[str, float] = {}
        if s.phases == 3 and name in phases:
            v_ln = s.voltage_v / physics.SQRT3
            per = {ph: physics.single_phase_current_a(w, v_ln, s.pf)
                   for ph, w in sorted(phases[name].items())}
        out[name] = PowerCurrent(amps(use.load_w),
                                 amps(use.worst_w) if use.worst_w is not None else None, per)
    return out


@dataclass(slots=True)
class SiteTotals:
    """The roots of every power tree together (a campus of replicated superpods)."""

    roots: int
    rated_w: float
    """Sum of the roots' ratings (roots without a rating add nothing)."""
    load_w: float
    """Sum of the roots' loads in normal operation."""


def site_totals(inv: Inventory) -> SiteTotals:
    uses = power_use(inv)
    roots = [n for n, node in inv.power_nodes.items() if node.spec.parent is None]
    return SiteTotals(len(roots), sum(uses[r].rated_w or 0.0 for r in roots),
                      sum(uses[r].load_w for r in roots))


@dataclass(slots=True)
class ShelfHeadroom:
    usable_w: float
    """Usable output of all the cabinet's power shelves."""
    left_w: float
    """What the shelves still deliver after the worst shelf or side failure."""
    failure: str
    """What failed (`side A fails`, `shelf c01/pwr3 fails`, `nothing`)."""
    load_w: float

    @property
    def headroom_w(self) -> float:
        """Shelf output left after the worst failure less the load: negative is the shortfall
        (132 kW left for 162.7 kW: -30.7 kW)."""
        return self.left_w - self.load_w


@derived
def shelf_headroom(inv: Inventory) -> dict[str, ShelfHeadroom]:
    """cabinet -> its power shelves' output against its load, for cabinets with shelves."""
    from superpod_iac.model.power import shelf_capacity

    loads = cabinet_loads(inv)
    return {c: ShelfHeadroom(total, worst, what, loads[c].max_w)
            for c, (total, worst, what) in shelf_capacity(inv).items()}
