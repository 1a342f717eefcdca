"""TMP: temperatures and air paths: inlet air, coolant connections, heat with nowhere to go.

CLG sizes capacities (kW, L/min) and the coolant supply temperature (CLG006); these rules check
the air side's temperature and direction and that liquid heat has a path at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.manifest.policy import Policy
from superpod_iac.manifest.site import Row
from superpod_iac.model.cooling import cooling_plan
from superpod_iac.model.inventory import Device, Inventory
from superpod_iac.rules.registry import Finding, rule

# Which face takes air in, for each declared airflow (passive/liquid/mixed: no constraint).
_INTAKE = {"front-to-rear": "front", "rear-to-front": "rear"}


def _air_cooled(dev: Device) -> bool:
    return dev.type.liquid_fraction < 1 and dev.type.max_w > 0


@rule("TMP001", "cold-aisle air warmer than a device's maximum inlet temperature",
      policy=("supply_air_c", "inlet_derate_above_m", "inlet_derate_m_per_c"),
      inputs=("DeviceType.max_inlet_c?", "Hall.supply_air_c=", "Hall.altitude_m?"))
def inlet_too_warm(inv: Inventory) -> Iterator[Finding]:
    """Every device that rejects heat to air has a maximum inlet air temperature (its ASHRAE
    class: A1 32 C, A2 35 C, A3 40 C, A4 45 C allowable). The hall supplies the cold aisle at
    `supply_air_c` (the hall's, else policy `supply_air_c`, 27 C: the top of ASHRAE's
    recommended envelope); a device rated below it overheats or throttles.

    Above `inlet_derate_above_m` (900 m) the allowable inlet falls 1 C per
    `inlet_derate_m_per_c` metres (300 m: ASHRAE classes A1/A2) at the hall's `altitude_m`.

    Formula:
        T_supply_air(hall) <= max_inlet_c - max(0, altitude_m - 900) / 300
        for every device with liquid_fraction < 1

    Fix:
        Lower the hall's supply air temperature, or choose devices of a warmer ASHRAE class.
    """
    for cab in inv.iter_cabinets():
        hall = inv.halls.get(cab.hall or "")
        pol = inv.policy_for(cab)
        air = hall.supply_air_c if hall is not None and hall.supply_air_c is not None \
            else pol.supply_air_c
        alt = hall.altitude_m if hall is not None else None
        worst: dict[str, list[Device]] = defaultdict(list)
        for dev in cab.devices:
            limit = dev.type.max_inlet_c
            if limit is not None and _air_cooled(dev) and air > _inlet(limit, alt, pol) + 1e-9:
                worst[dev.type_name].append(dev)
        for tname, devs in sorted(worst.items()):
            rated = devs[0].type.max_inlet_c
            assert rated is not None
            limit = _inlet(rated, alt, pol)
            at = f" ({rated:g} C rated, derated at {alt:g} m)" if limit < rated else ""
            yield Finding(f"{len(devs)} x {tname} in {cab.name} ({devs[0].address}, ...) get "
                          f"{air:g} C supply air > {limit:g} C maximum inlet{at}", devs[0].origin,
                          "lower the supply air temperature, or use devices rated warmer")


def _inlet(rated_c: float, altitude_m: float | None, pol: Policy) -> float:
    above, per_c = pol.inlet_derate_above_m, pol.inlet_derate_m_per_c
    if altitude_m is None:
        return rated_c
    return round(physics.derated_inlet_c(rated_c, altitude_m, above, per_c), 2)


@rule("TMP002", "liquid-cooled devices in a cabinet type with no coolant connection",
      inputs=("DeviceType.liquid_fraction=", "CabinetType.cooling="))
def cold_plates_in_air_cabinet(inv: Inventory) -> Iterator[Finding]:
    """A device with cold plates (`liquid_fraction` > 0) needs a coolant manifold in its
    cabinet. A cabinet type declared `cooling: air` has none: the trays cannot be plumbed,
    whatever CDU the cabinet names.

    Formula:
        cabinet type cooling in {liquid, hybrid} for every device with liquid_fraction > 0

    Fix:
        Use a liquid or hybrid cabinet type (with a manifold), or air-cooled devices.
    """
    for cab in inv.iter_cabinets():
        if cab.type.cooling != "air":
            continue
        liquid = [d for d in cab.devices if d.type.liquid_fraction > 0]
        if liquid:
            d = liquid[0]
            yield Finding(f"cabinet {cab.name} ({cab.type_name}, cooling: air) holds {len(liquid)} "
                          f"liquid-cooled device(s), e.g. {d.address} ({d.type_name}, "
                          f"{d.type.liquid_fraction:.0%} to liquid)", cab.origin,
                          "use a liquid or hybrid cabinet type, or air-cooled devices")


@rule("TMP003", "a CDU group with no CDUs receives heat",
      policy=("coolant_delta_t_c", "facility_supply_c"),
      inputs=("Cdu.group?",))
def empty_cdu_group(inv: Inventory) -> Iterator[Finding]:
    """A cabinet may name a CDU group as its `cdu`; if no CDU belongs to that group, the group
    has no capacity, no flow and no pumps, yet the capacity checks have nothing to compare
    against and stay silent. The heat sent to it has nowhere to go.

    Formula:
        heat(group) > 0  =>  CDUs in group >= 1

    Fix:
        Add CDUs to the group (`group:` on each CDU), or point the cabinets at a group that
        has them.
    """
    plan = cooling_plan(inv)
    for name, unit in plan.units.items():
        if unit.kind == "CDU group" and not unit.members and unit.heat_w > 0:
            yield Finding(f"CDU group {name} has no CDUs but receives {unit.heat_w / 1000:.1f} kW "
                          f"of liquid heat from {len(unit.cabinets)} cabinet(s)",
                          inv.origins.get(("cdu group", name)),
                          "add CDUs to the group, or point the cabinets at another one")


@rule("TMP004", "a device's airflow runs against the row's hot/cold aisle",
      inputs=("DeviceType.airflow?", "Row.cold_aisle="))
def airflow_against_aisle(inv: Inventory) -> Iterator[Finding]:
    """Air-cooled devices must take air in from the cold aisle and exhaust to the hot one. A
    row declares which face of its cabinets is on the cold aisle (`cold_aisle: front`, the
    usual layout); a rear-to-front device in such a row (a switch mounted for port-side
    intake the wrong way round) blows its exhaust into the cold aisle and breathes hot air.

    Formula:
        intake face(airflow) == row.cold_aisle  for airflow in {front-to-rear, rear-to-front}

    Fix:
        Order the device variant with the other airflow (port-side intake / exhaust), or turn
        it round in the cabinet.
    """
    for cab in inv.iter_cabinets():
        row = inv.rows.get((cab.hall or "", cab.row or ""))
        cold = row.cold_aisle if row is not None else "front"
        wrong: dict[str, list[Device]] = defaultdict(list)
        for dev in cab.devices:
            intake = _INTAKE.get(dev.type.airflow or "")
            if intake is not None and intake != cold and _air_cooled(dev):
                wrong[dev.type_name].append(dev)
        for tname, devs in sorted(wrong.items()):
            d = devs[0]
            yield Finding(f"{len(devs)} x {tname} in {cab.name} (e.g. {d.address}) blow "
                          f"{d.type.airflow}: intake at the {_INTAKE[d.type.airflow or '']}, but "
                          f"the cold aisle is at the {cold} of row {cab.row}", d.origin,
                          "use the variant with the opposite airflow, or turn the device round")


def _aisle_side(row: Row, toward: str) -> str:
    """`cold` or `hot`: what the row presents towards +y or -y."""
    face = "front" if row.front_faces == toward else "rear"
    return "cold" if face == row.cold_aisle else "hot"


@rule("TMP005", "two rows present a hot and a cold side to the same aisle",
      inputs=("Row.front_faces?", "Row.cold_aisle="))
def mixed_aisle(inv: Inventory) -> Iterator[Finding]:
    """Hot/cold aisle containment works only if both rows along an aisle present the same
    side to it: fronts to a cold aisle, rears to a hot one. A row turned the wrong way blows
    its exhaust into its neighbour's intake. Checked for neighbouring rows (sharing an x
    stretch, next to each other in y) that both declare `front_faces`.

    Formula:
        side(row_a towards row_b) == side(row_b towards row_a)
        side = cold if the face towards the aisle is the row's cold_aisle face, else hot

    Fix:
        Turn one row round (`front_faces`), or declare where the cold aisle really is.
    """
    by_hall: dict[str, list[tuple[str, Row]]] = defaultdict(list)
    for (hall, name), row in inv.rows.items():
        if row.front_faces is not None:
            by_hall[hall].append((name, row))
    for hall, rows in sorted(by_hall.items()):
        rows.sort(key=lambda nr: (nr[1].y_m, nr[0]))
        for i, (na, a) in enumerate(rows):
            a_x1 = a.x_m + a.slots * a.pitch_m
            for nb, b in rows[i + 1:]:
                if b.y_m <= a.y_m + 1e-9:
                    continue
                if b.x_m >= a_x1 - 1e-9 or a.x_m >= b.x_m + b.slots * b.pitch_m - 1e-9:
                    continue
                up, down = _aisle_side(a, "+y"), _aisle_side(b, "-y")
                if up != down:
                    yield Finding(f"rows {na} and {nb} of hall {hall} share an aisle: {na} "
                                  f"presents its {up} side, {nb} its {down} side",
                                  inv.origins.get(("row", f"{hall}/{nb}")),
                                  "turn one row round (front_faces) or fix cold_aisle")
                break  # only the next row along y shares this aisle
