"""CLG: liquid and air cooling of every cabinet, CDU and hall."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.diagnostics import Origin
from superpod_iac.model.cooling import (
    CoolingUnit,
    air_derating,
    cooling_plan,
    effective_supply_c,
    spare_shortfall,
)
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.numbers import kw_1
from superpod_iac.rules.inuse import device_types_where
from superpod_iac.rules.registry import Finding, rule


@rule("CLG001", "cabinet rejects more heat to air than an air-cooled cabinet can",
      policy=("air_cooled_kw_limit",),
      inputs=("DeviceType.max_w!PWR012", "DeviceType.liquid_fraction=",
              "TransceiverType.power_w!OPT009", "Cabinet.cdu?", "Cabinet.rear_door_kw?",
              "CabinetType.cooling="))
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


@rule("CLG002", "liquid-cooled devices in a cabinet without a CDU",
      inputs=("DeviceType.liquid_fraction=", "Cabinet.cdu?"))
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
      policy=("coolant_delta_t_c", "facility_supply_c"),
      inputs=("DeviceType.max_w!PWR012", "DeviceType.liquid_fraction=", "Cdu.capacity_kw!CLG010",
              "CduType.capacity_kw"))
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
      policy=("coolant_delta_t_c", "facility_supply_c"),
      inputs=("DeviceType.max_w!PWR012", "Cdu.flow_lpm!CLG010", "CduType.flow_lpm", "Cdu.fluid=",
              "Cdu.delta_t_c="))
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
      policy=("coolant_delta_t_c", "facility_supply_c"),
      inputs=("Cdu.capacity_kw!CLG010", "Cdu.flow_lpm!CLG010", "CduGroup.redundancy="))
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
      policy=("coolant_delta_t_c", "cdu_approach_c"),
      inputs=("DeviceType.max_coolant_supply_c!CLG014", "Cdu.supply_c=", "FacilityLoop.supply_c",
              "Cdu.approach_c=", "CduType.approach_c="))
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
      policy=("max_dew_point_c", "cdu_approach_c", "coolant_delta_t_c"),
      inputs=("Cdu.supply_c=", "FacilityLoop.supply_c", "Cdu.approach_c="))
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
      policy=("coolant_delta_t_c", "facility_supply_c"),
      inputs=("Cdu.type?", "Cdu.capacity_kw?", "Cdu.flow_lpm?"))
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
      policy=("coolant_delta_t_c",),
      inputs=("Hall.air_capacity_kw?", "Row.air_capacity_kw?", "AirZone.capacity_kw"))
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


@rule("CLG007", "residual air heat exceeds the air-side capacity", policy=("coolant_delta_t_c",),
      inputs=("Hall.air_capacity_kw?", "Row.air_capacity_kw?", "AirZone.capacity_kw",
              "DeviceType.max_w!PWR012", "Hall.altitude_m?"))
def air_side_over_capacity(inv: Inventory) -> Iterator[Finding]:
    """Heat not captured by liquid or rear doors goes to the room; the hall's, row's or air
    zone's cooling (CRAH/CRAC, in-row coolers) must remove it. Direct-to-chip captures 70-85 %,
    so a 130 kW cabinet still leaves 20-40 kW to air.

    At altitude the air is thinner: a capacity declared at sea level (as nameplates give it)
    removes less heat at the same airflow, by the air density ratio of the hall's `altitude_m`
    (ASHRAE Fundamentals ch. 1: p/p0 = (1 - 2.25577e-5 Z)^5.2559; 0.785 at 2,000 m).

    Formula:
        sum(Q_air residual of cabinets in the hall / row / zone)
            <= air capacity_kw x (1 - 2.25577e-5 x altitude_m)^5.2559

    Fix:
        Add air-side capacity or rear-door heat exchangers (`rear_door_kw`).
    """
    plan = cooling_plan(inv)
    for kind, name, cap, heat, cabs in plan.air_zones:
        if heat > cap + 1e-6:
            origin = _zone_origin(inv, kind, name)
            yield Finding(f"{kind} {name} gets {kw_1(heat)} of residual air heat from "
                          f"{len(cabs)} cabinet(s) > {kw_1(cap)} air-side capacity"
                          f"{_altitude_note(inv, kind, name)}", origin,
                          "add air-side cooling or rear-door heat exchangers")


def _altitude_note(inv: Inventory, kind: str, name: str) -> str:
    hall_name = (name if kind == "hall" else name.split("/")[0] if kind == "row"
                 else inv.air_zones[name].hall)
    hall = inv.halls.get(hall_name)
    if hall is None or hall.altitude_m is None:
        return ""
    return (f" (x {air_derating(inv, hall_name):.3f} air density at {hall.altitude_m:g} m "
            "of the sea-level rating)")


@rule("CLG008", "facility loop over capacity", policy=("coolant_delta_t_c", "cdu_approach_c"),
      inputs=("FacilityLoop.capacity_kw", "Cdu.loop?"))
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


@rule("CLG012", "a CDU's own capacity or flow is above its type's nameplate",
      inputs=("Cdu.capacity_kw?", "Cdu.flow_lpm?", "Cdu.approach_c?", "CduType.capacity_kw",
              "CduType.flow_lpm", "CduType.approach_c?"))
def cdu_above_nameplate(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: a CDU of a catalog `type` is that type's hardware; writing
    `capacity_kw` or `flow_lpm` on the instance may derate it (a site that runs it below its
    nameplate), never make it larger than what its pumps and heat exchanger deliver. An
    override above the nameplate is not believed (the nameplate is used for CLG003-CLG005) and
    is an error naming both figures; a bigger CDU is a different `type`. One finding per CDU
    line and figure (replicated CDUs are folded).

    The same for the approach (facility water to supply): an instance cannot get closer to
    the facility water than its type does.

    Formula:
        capacity_kw(instance) <= capacity_kw(type);  flow_lpm(instance) <= flow_lpm(type);
        approach_c(instance) >= approach_c(type)

    Fix:
        Use the CDU type that really has that capacity, or leave the figure out.
    """
    groups: dict[tuple[Origin, str, str], list[str]] = {}
    for name in sorted(inv.cdus):
        cdu = inv.cdus[name]
        ctype = inv.catalog.cdu_types.get(cdu.spec.type or "")
        if ctype is None:
            continue
        for figure, unit in (("capacity_kw", "kW"), ("flow_lpm", "L/min")):
            own, plate = getattr(cdu.spec, figure), getattr(ctype, figure)
            if own is not None and own > plate * (1 + 1e-9):
                what = f"{figure} {own:g} {unit} > {plate:g} {unit} nameplate of its type {ctype.name}"
                groups.setdefault((cdu.origin, figure, what), []).append(name)
        own_a, plate_a = cdu.spec.approach_c, ctype.approach_c
        if own_a is not None and plate_a is not None and own_a < plate_a - 1e-9:
            what = f"approach_c {own_a:g} K < {plate_a:g} K its type {ctype.name} achieves"
            groups.setdefault((cdu.origin, "approach_c", what), []).append(name)
    for (origin, figure, what), names in groups.items():
        yield Finding(f"CDU {fold(names)} declares {what} (the nameplate is used)", origin,
                      "use a CDU type with that capacity, or leave the figure out", (figure,))


@rule("CLG013", "a rear-door heat exchanger without a rated type, without water, or above its rating",
      inputs=("Cabinet.rear_door_kw?", "Cabinet.rear_door?", "Cabinet.cdu?", "CduType.capacity_kw"))
def rear_door_unsupported(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: `rear_door_kw` is heat a rear-door heat exchanger moves from
    the cabinet's exhaust air into water. It is believed only as far as the hardware goes: the
    door must be a catalog type (`rear_door`, a CDU type of form `rear-door`: passive doors
    take ~10-35 kW, active ones ~40-75 kW) whose capacity bounds the figure, and its water
    must come from somewhere, the cabinet's `cdu` (whose capacity and flow then carry the
    door's heat too). Without a type or water the door removes nothing (CLG001/CLG007 see the
    whole air heat); above its type it removes the type's capacity.

    Formula:
        rear_door_kw > 0  =>  rear_door type set, cdu set, rear_door_kw <= capacity_kw(type)

    Fix:
        Name the door's type (`rear_door:`) and the CDU or group that supplies its water
        (`cdu:`), and keep `rear_door_kw` within the door's capacity.
    """
    groups: dict[tuple[Origin, str], list[str]] = {}
    for cab in inv.iter_cabinets():
        if cab.rear_door_kw <= 0 or cab.rear_door in inv.unbuilt:
            continue
        door = inv.catalog.cdu_types.get(cab.rear_door or "")
        problems = []
        if cab.rear_door is None:
            problems.append("no rear_door type (nothing rates it)")
        elif door is not None and door.form != "rear-door":
            problems.append(f"rear_door {door.name} is a {door.form} CDU, not a rear door")
        elif door is not None and cab.rear_door_kw > door.capacity_kw * (1 + 1e-9):
            problems.append(f"more than the {door.capacity_kw:g} kW its type {door.name} is rated for")
        if cab.cdu is None:
            problems.append("no cdu to supply its water")
        if problems:
            what = f"declares rear_door_kw {cab.rear_door_kw:g} kW but {' and '.join(problems)}"
            groups.setdefault((cab.origin, what), []).append(cab.name)
    for (origin, what), names in groups.items():
        yield Finding(f"cabinet {fold(names)} {what}: the door is credited with "
                      f"{'its type rating' if 'rated for' in what and 'no cdu' not in what else '0 kW'}",
                      origin, "name the door's type (rear_door:) and its CDU (cdu:), within the "
                      "type's capacity")


@rule("CLG014", "a liquid-cooled device type declares no maximum coolant supply temperature",
      policy=("coolant_delta_t_c",),
      inputs=("DeviceType.liquid_fraction=", "DeviceType.max_coolant_supply_c?", "Cabinet.cdu?"))
def coolant_limit_missing(inv: Inventory) -> Iterator[Finding]:
    """CLG006 compares the coolant a cabinet's CDU delivers with the warmest supply its
    liquid-cooled devices allow (`max_coolant_supply_c`, the cold plate's ASHRAE W-class); a
    type with cold plates (`liquid_fraction` > 0) that leaves it out is skipped, so a 55 C loop
    passes whatever the chips tolerate. A check that cannot run for a missing figure is a
    finding: one per type on a CDU, at its first device.

    Fix:
        Declare the type's `max_coolant_supply_c` from its data sheet (e.g. 45 C for W45).
    """
    on_cdu = {d.type_name for name in cooling_plan(inv).unit_of_cabinet
              for d in inv.cabinets[name].devices}
    missing = device_types_where(inv, lambda t: t.liquid_fraction > 0 and
                                 t.max_coolant_supply_c is None)
    for name, (addresses, first) in missing.items():
        if name not in on_cdu:
            continue
        yield Finding(f"device type {name} (liquid_fraction "
                      f"{inv.catalog.device_types[name].liquid_fraction:g}) declares no "
                      f"max_coolant_supply_c: the coolant its {len(addresses):,} device(s) "
                      f"({fold(addresses[:50])}) get is not checked (CLG006)", first,
                      f"declare max_coolant_supply_c for {name} (its data sheet's W-class)")
