"""CLG: liquid and air cooling of every cabinet, CDU and hall."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.diagnostics import Origin
from superpod_iac.model.cooling import (
    CoolingUnit,
    cooling_plan,
    effective_supply_c,
    spare_shortfall,
)
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.numbers import kw_1
from superpod_iac.rules.registry import Finding, rule


@rule("CLG001", "cabinet rejects more heat to air than an air-cooled cabinet can",
      policy=("air_cooled_kw_limit",))
def air_over_limit(inv: Inventory) -> Iterator[Finding]:
    """Air alone removes roughly 30 kW per cabinet (about 41 kW with perfect containment;
    policy `air_cooled_kw_limit`). The heat a cabinet leaves in the room is its air share, plus
    its liquid share when no CDU takes it, minus what a rear-door heat exchanger absorbs.

    Formula:
        Q_air = sum(P x (1 - liquid_fraction)) + optics [+ liquid share if no CDU] - rear_door_kw
        Q_air <= air_cooled_kw_limit

    Fix:
        Attach the cabinet to a CDU, add a rear-door heat exchanger (`rear_door_kw`), or move
        load out of the cabinet.
    """
    plan = cooling_plan(inv)
    for name, air in sorted(plan.residual_air_w.items()):
        cab = inv.cabinets[name]
        limit = inv.policy_for(cab).air_cooled_kw_limit
        if air / 1000 > limit:
            how = "with its CDU" if name in plan.unit_of_cabinet else "with no liquid cooling"
            yield Finding(f"cabinet {name} rejects {kw_1(air)} to air {how} > {limit:g} kW "
                          "air-cooled limit", cab.origin,
                          "attach a CDU, add a rear-door heat exchanger, or spread the load")


@rule("CLG002", "liquid-cooled devices in a cabinet without a CDU")
def liquid_without_cdu(inv: Inventory) -> Iterator[Finding]:
    """Devices with cold plates (`liquid_fraction` > 0) need a coolant distribution unit; without
    one their liquid heat has nowhere to go and the devices cannot run.

    Fix:
        Set `cdu:` to a CDU or CDU group of a CoolingSystem.
    """
    loads = cabinet_loads(inv)
    for name, cab in sorted(inv.cabinets.items()):
        if cab.cdu is None and loads[name].liquid_w > 0:
            yield Finding(f"cabinet {name} has {kw_1(loads[name].liquid_w)} of liquid-cooled heat "
                          "but no CDU", cab.origin, "set spec.cdu to a CDU or CDU group")


@rule("CLG003", "CDU heat load exceeds its capacity",
      policy=("coolant_delta_t_c", "facility_supply_c"))
def cdu_over_capacity(inv: Inventory) -> Iterator[Finding]:
    """The liquid heat of every cabinet on a CDU (or CDU group) must fit its rated capacity.

    Formula:
        sum(P_device x liquid_fraction) over attached cabinets <= sum(capacity_kw)

    Fix:
        Add CDUs to the group, use a larger CDU, or move cabinets to another CDU.
    """
    for name, unit in cooling_plan(inv).units.items():
        if unit.capacity_w is not None and unit.heat_w > unit.capacity_w + 1e-6:
            yield Finding(f"{unit.kind} {name} carries {kw_1(unit.heat_w)} from "
                          f"{len(unit.cabinets)} cabinet(s) > {kw_1(unit.capacity_w)} capacity",
                          _origin(inv, unit), "add CDU capacity or move cabinets")


@rule("CLG004", "coolant flow short of what the heat load needs",
      policy=("coolant_delta_t_c", "facility_supply_c"))
def flow_short(inv: Inventory) -> Iterator[Finding]:
    """The coolant must carry the heat at the design temperature rise: water at 30 C needs
    1.44 L/min per kW at 10 K, PG25 1.49 L/min per kW (fluid properties in the catalog).

    Formula:
        V = Q / (rho c_p dT)  [m3/s] x 60,000 = L/min;  V <= sum(CDU flow_lpm)

    Fix:
        Use CDUs with more flow, a larger temperature rise (`delta_t_c`) if the devices allow,
        or less heat per CDU.
    """
    for name, unit in cooling_plan(inv).units.items():
        if unit.flow_lpm is not None and unit.required_lpm is not None and \
                unit.required_lpm > unit.flow_lpm + 1e-6:
            fluid = inv.catalog.fluids.get(unit.fluid or "")
            at = f" (properties at {fluid.at_c:g} C)" if fluid and fluid.at_c is not None else ""
            yield Finding(f"{unit.kind} {name} needs {unit.required_lpm:.0f} L/min of "
                          f"{unit.fluid}{at} for {kw_1(unit.heat_w)} at dT {unit.delta_t_c:g} K > "
                          f"{unit.flow_lpm:.0f} L/min available", _origin(inv, unit),
                          "add flow (CDUs/pumps), raise delta_t_c, or reduce the heat per CDU")


@rule("CLG005", "CDU group cannot carry its load after losing a CDU (N+1)",
      policy=("coolant_delta_t_c", "facility_supply_c"))
def cdu_redundancy(inv: Inventory) -> Iterator[Finding]:
    """A CDU group declared N+1 (N+2, 2N) must carry its heat with its largest CDU (two
    largest, half) out of service: pumps and heat exchangers fail and need maintenance.

    Formula:
        Q_group <= sum(capacity) - largest capacity   (N+1)

    Fix:
        Add a CDU to the group.
    """
    for name, unit in cooling_plan(inv).units.items():
        if unit.kind != "CDU group" or unit.redundancy == "N":
            continue
        if spare_shortfall(unit.redundancy, len(unit.members)):
            continue  # RED002: the group has no spare at all
        after = unit.capacity_after_loss_w()
        if after is None or unit.capacity_w is None or unit.heat_w > unit.capacity_w + 1e-6:
            continue
        if unit.heat_w > after + 1e-6:
            yield Finding(f"CDU group {name} carries {kw_1(unit.heat_w)} > {kw_1(after)} left after "
                          f"losing its largest CDU ({unit.redundancy}, {len(unit.members)} CDUs)",
                          _origin(inv, unit), "add a CDU to the group")


@rule("CLG006", "coolant supply warmer than a device allows",
      policy=("coolant_delta_t_c", "cdu_approach_c"))
def supply_too_warm(inv: Inventory) -> Iterator[Finding]:
    """Cold plates are rated for a maximum coolant supply temperature (ASHRAE W-classes).
    The supply a cabinet sees is the warmest its CDUs deliver, and a CDU cannot deliver colder
    than the facility water it is fed plus its approach (`approach_c` on the CDU or its type,
    else policy `cdu_approach_c`): its set point only counts when it is above that floor.

    Formula:
        T_supply = max over the cabinet's CDUs of max(supply_c, loop supply_c + approach_c)
        T_supply <= min(device max_coolant_supply_c) over liquid-cooled devices in the cabinet

    Fix:
        Lower the facility water or loop supply temperature, use a CDU with a smaller approach,
        or choose devices rated for the warmer coolant.
    """
    plan = cooling_plan(inv)
    for name in sorted(plan.supply_c):
        t = plan.supply_c[name]
        cab = inv.cabinets[name]
        limits = [(d.type.max_coolant_supply_c, d) for d in cab.devices
                  if d.type.liquid_fraction > 0 and d.type.max_coolant_supply_c is not None]
        if not limits:
            continue
        lowest, dev = min(limits, key=lambda x: (x[0], x[1].name))
        if t > lowest + 1e-9:
            yield Finding(f"cabinet {name} gets {t:g} C coolant > {lowest:g} C maximum of "
                          f"{dev.address} ({dev.type_name})", cab.origin,
                          "lower the supply temperature or use devices rated for it")


@rule("CLG009", "coolant supply at or below the room's dew point: condensation",
      policy=("max_dew_point_c", "cdu_approach_c", "coolant_delta_t_c"))
def supply_below_dew_point(inv: Inventory) -> Iterator[Finding]:
    """Cold plates, quick disconnects and rack manifolds sit in the room's air. Coolant at or
    below that air's dew point makes them sweat: water drips onto the trays it is meant to
    cool. A CDU delivers its set point, or the facility water plus its approach when that is
    warmer (as in CLG006); the coldest unit serving a cabinet with liquid-cooled devices must
    stay above the highest dew point the room may reach (policy `max_dew_point_c`, the 15 C
    top of ASHRAE's recommended envelope). Facility water colder than that is fine (ASHRAE
    W17 allows 2-17 C) as long as the CDU's secondary supply is set above it.

    Formula:
        T_supply = min over the unit's CDUs of max(supply_c, loop supply_c + approach_c)
        T_supply > max_dew_point_c

    Fix:
        Raise the CDU's `supply_c` set point above the dew point (dew-point tracking), or keep
        the room drier and lower `max_dew_point_c` to the dew point its air handling holds.
    """
    plan = cooling_plan(inv)
    dew = inv.policy.max_dew_point_c
    served: dict[str, list[str]] = {}
    for cab_name, unit_name in plan.unit_of_cabinet.items():
        if any(d.type.liquid_fraction > 0 for d in inv.cabinets[cab_name].devices):
            served.setdefault(unit_name, []).append(cab_name)
    for unit_name in sorted(served):
        unit = plan.units[unit_name]
        temps = [(t, m.name, m) for m in unit.members
                 if (t := effective_supply_c(inv, m)) is not None]
        if not temps:
            continue
        t, _, coldest = min(temps, key=lambda x: (x[0], x[1]))
        if t <= dew + 1e-9:
            cabs = served[unit_name]
            which = f" (CDU {coldest.name})" if unit.kind != "CDU" else ""
            yield Finding(f"{unit.kind} {unit_name} supplies {t:g} C coolant{which} "
                          f"to {len(cabs)} cabinet(s) with liquid-cooled devices ({fold(cabs)}): "
                          f"at or below the room's {dew:g} C dew point (max_dew_point_c), so "
                          "cold plates and manifolds condense", coldest.origin,
                          f"set the CDU's supply_c above {dew:g} C, or lower max_dew_point_c to "
                          "the dew point the room's air handling holds")


@rule("CLG010", "a CDU or CDU group that receives heat has no capacity or flow",
      policy=("coolant_delta_t_c", "facility_supply_c"))
def cdu_unrated(inv: Inventory) -> Iterator[Finding]:
    """CLG003 compares a CDU's (or group's) heat load with its capacity, CLG004 its coolant
    flow with what the heat needs, CLG005 both after losing a unit; a CDU with no `type` and
    no `capacity_kw` / `flow_lpm` of its own has neither figure, so a 130 kW cabinet on it
    would pass all three. Every CDU that receives heat must be rated. (A group with no CDUs at
    all is TMP003's.)

    Fix:
        Give the CDU a `type` from the catalog, or its own `capacity_kw` and `flow_lpm`.
    """
    plan = cooling_plan(inv)
    for name, unit in sorted(plan.units.items()):
        if unit.heat_w <= 0 or not unit.members:
            continue
        missing = [what for what, ok in (
            ("capacity_kw", all(m.capacity_kw is not None for m in unit.members)),
            ("flow_lpm", all(m.flow_lpm is not None for m in unit.members))) if not ok]
        if missing:
            bad = [m for m in unit.members if m.capacity_kw is None or m.flow_lpm is None]
            yield Finding(f"{unit.kind} {name} receives {kw_1(unit.heat_w)} but "
                          f"{'CDU ' + fold([m.name for m in bad]) + ' has' if unit.kind != 'CDU' else 'has'} "
                          f"no {' or '.join(missing)}: its capacity, flow and N+1 are not checked",
                          bad[0].origin, "give the CDU a catalog type, or capacity_kw and flow_lpm")


@rule("CLG011", "residual air heat that no hall, row or air zone capacity covers",
      policy=("coolant_delta_t_c",))
def air_side_unrated(inv: Inventory) -> Iterator[Finding]:
    """CLG007 compares the heat cabinets leave to the room with the air-side capacity of
    their hall, row or air zone; a cabinet in a hall where none of the three declares a
    capacity leaves that heat unchecked, and even a liquid-cooled 130 kW cabinet puts
    ~20-40 kW into the air. (A cabinet with no floor position is SPC008's.)

    Fix:
        Declare `air_capacity_kw` on the hall or the row, or an air zone covering the cabinet.
    """
    plan = cooling_plan(inv)
    covered = {c for _kind, _name, _cap, _heat, cabs in plan.air_zones for c in cabs}
    halls: dict[str, list[str]] = {}
    for name, heat in sorted(plan.residual_air_w.items()):
        cab = inv.cabinets[name]
        if heat > 0 and name not in covered and cab.hall is not None and \
                name not in inv.unplaced:
            halls.setdefault(cab.hall, []).append(name)
    for hall, cabs in sorted(halls.items()):
        heat = sum(plan.residual_air_w[c] for c in cabs)
        yield Finding(f"{len(cabs)} cabinet(s) in hall {hall} ({fold(cabs)}) leave "
                      f"{kw_1(heat)} to the air, but neither the hall, their row nor an air zone "
                      "declares an air-side capacity: it is not checked",
                      inv.origins.get(("hall", hall)),
                      "declare air_capacity_kw on the hall or row, or an air zone")


@rule("CLG007", "residual air heat exceeds the air-side capacity", policy=("coolant_delta_t_c",))
def air_side_over_capacity(inv: Inventory) -> Iterator[Finding]:
    """Heat not captured by liquid or rear doors goes to the room; the hall's, row's or air
    zone's cooling (CRAH/CRAC, in-row coolers) must remove it. Direct-to-chip captures 70-85 %,
    so a 130 kW cabinet still leaves 20-40 kW to air.

    Formula:
        sum(Q_air residual of cabinets in the hall / row / zone) <= air capacity_kw

    Fix:
        Add air-side capacity or rear-door heat exchangers (`rear_door_kw`).
    """
    plan = cooling_plan(inv)
    for kind, name, cap, heat, cabs in plan.air_zones:
        if heat > cap + 1e-6:
            origin = _zone_origin(inv, kind, name)
            yield Finding(f"{kind} {name} gets {kw_1(heat)} of residual air heat from "
                          f"{len(cabs)} cabinet(s) > {kw_1(cap)} air-side capacity", origin,
                          "add air-side cooling or rear-door heat exchangers")


@rule("CLG008", "facility loop over capacity", policy=("coolant_delta_t_c", "cdu_approach_c"))
def loop_over_capacity(inv: Inventory) -> Iterator[Finding]:
    """The facility water loop (chillers, dry coolers) must absorb the heat of every CDU on it.

    Formula:
        sum(Q of CDUs on the loop) <= loop capacity_kw

    Fix:
        Raise the loop capacity or move CDUs to another loop.
    """
    plan = cooling_plan(inv)
    for name, heat in sorted(plan.loop_heat_w.items()):
        loop = inv.loops.get(name)
        if loop is not None and heat > loop.capacity_kw * 1000 + 1e-6:
            yield Finding(f"facility loop {name} carries {kw_1(heat)} > {loop.capacity_kw:g} kW "
                          "capacity", inv.origins.get(("loop", name)),
                          "raise the loop capacity or move CDUs")


def _origin(inv: Inventory, unit: CoolingUnit) -> Origin | None:
    name = unit.name
    return inv.origins.get(("cdu group", name)) or inv.origins.get(("cdu", name))


def _zone_origin(inv: Inventory, kind: str, name: str) -> Origin | None:
    key = {"hall": "hall", "row": "row", "air zone": "air zone"}[kind]
    return inv.origins.get((key, name))
