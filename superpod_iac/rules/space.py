"""SPC: space and weight inside cabinets and on the floor."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Cabinet, Inventory
from superpod_iac.rules.inuse import device_types_where, is_active
from superpod_iac.rules.registry import Finding, rule


@rule("SPC001", "device extends beyond the cabinet's rack units",
      inputs=("Device.u", "DeviceType.height_u=", "CabinetType.height_u"))
def beyond_height(inv: Inventory) -> Iterator[Finding]:
    """A device occupies U positions `u` to `u + height_u - 1`; all must lie within 1 and the
    cabinet type's `height_u`, or the device physically does not fit. A 0U part's position
    lies within its cabinet too, whatever its height: `u: 60` in a 42U rack is nowhere.

    Formula:
        top_u = u + height_u - 1 <= cabinet height_u, and u >= 1 (0 <= u for 0U parts)

    Fix:
        Move the device down or use a taller cabinet type.
    """
    for cab in inv.iter_cabinets():
        height = cab.type.height_u
        for dev in cab.devices:
            h = dev.type.height_u
            if h == 0 and not 0 <= dev.u <= height:
                yield Finding(f"0U device {dev.address} is at U{dev.u}, outside cabinet "
                              f"{cab.name} (U0-U{height})", dev.origin,
                              f"give it a position between 0 and {height}", ("u",))
            if h == 0:
                continue
            if dev.u < 1:
                yield Finding(f"device {dev.address} ({h}U) is at U{dev.u}: rack units start "
                              "at U1", dev.origin, "set u to 1 or more", ("u",))
            elif dev.top_u > height:
                yield Finding(f"device {dev.address} ({h}U at U{dev.u}) reaches U{dev.top_u} > "
                              f"cabinet {cab.name} height {height}U", dev.origin,
                              f"move it to U{max(height - h + 1, 1)} or lower, or use a taller "
                              "cabinet type", ("u",))


@rule("SPC002", "two devices occupy the same rack unit",
      inputs=("Device.u", "DeviceType.height_u="))
def u_overlap(inv: Inventory) -> Iterator[Finding]:
    """Two devices cannot share a rack unit. Overlaps usually come from a replication range
    that runs into the next block of devices.

    Formula:
        [u1, u1 + h1 - 1] and [u2, u2 + h2 - 1] must not intersect

    Fix:
        Move one device to free units (the message names both).
    """
    for cab in inv.iter_cabinets():
        occupied: dict[int, str] = {}
        for dev in cab.devices:  # declaration order: the later device is the one reported
            h = dev.type.height_u
            if h == 0:
                continue
            clash = sorted({occupied[u] for u in range(dev.u, dev.u + h) if u in occupied})
            if clash:
                yield Finding(f"device {dev.address} (U{dev.u}-U{dev.top_u}) overlaps "
                              f"{', '.join(clash)} in cabinet {cab.name}", dev.origin,
                              "move one of the devices to free rack units", ("u",))
                continue
            for u in range(dev.u, dev.u + h):
                occupied[u] = dev.name


def _payload_kg(cab: Cabinet) -> float:
    return sum(d.type.weight_kg for d in cab.devices) + cab.extra_weight_kg


@rule("SPC003", "device weight exceeds the cabinet's payload rating",
      inputs=("DeviceType.weight_kg!SPC009", "Cabinet.extra_weight_kg=", "CabinetType.payload_kg"))
def payload_over_rating(inv: Inventory) -> Iterator[Finding]:
    """A cabinet frame and its casters/levellers are rated for a static payload; the devices in
    it (plus declared extra weight: cables, manifolds, coolant) must stay within it.

    Formula:
        sum(device weight_kg) + extra_weight_kg <= payload_kg

    Fix:
        Move devices to another cabinet or use a cabinet type with a higher payload rating.
    """
    for cab in inv.iter_cabinets():
        payload = _payload_kg(cab)
        if payload > cab.type.payload_kg + 1e-6:
            yield Finding(f"cabinet {cab.name} holds {payload:.0f} kg > payload rating "
                          f"{cab.type.payload_kg:.0f} kg ({cab.type_name})", cab.origin,
                          "move devices or use a cabinet type with a higher payload rating")


@rule("SPC004", "cabinet floor load exceeds the hall's floor rating",
      policy=("max_cabinet_depth_mm",),
      inputs=("DeviceType.weight_kg!SPC009", "CabinetType.empty_weight_kg=",
              "CabinetType.footprint", "Hall.floor_load_kg_m2!SPC007", "Cabinet.location!SPC008"))
def floor_load(inv: Inventory) -> Iterator[Finding]:
    """A loaded cabinet presses its weight onto its footprint. A GB200 NVL72 rack (1,360 kg on
    0.6 x 1.2 m) is ~1,890 kg/m2, far above a typical ~340 kg/m2 raised floor: such halls need a
    slab or reinforced floor.

    Formula:
        (empty_weight_kg + payload) / (width_m x min(depth_m, max_cabinet_depth_mm)) <= hall
        floor_load_kg_m2

    Fix:
        Place the cabinet on slab or reinforced floor, spread the load (load plates), or lighten it.
    """
    for cab in inv.iter_cabinets():
        hall = inv.halls.get(cab.hall or "")
        if hall is None or hall.floor_load_kg_m2 is None:
            continue
        weight = cab.type.empty_weight_kg + _payload_kg(cab)
        fp = cab.type.footprint
        depth = min(fp.depth_mm, inv.policy_for(cab).max_cabinet_depth_mm)  # GEO005 beyond
        load = physics.floor_load_kg_m2(weight, fp.width_mm, depth)
        if load > hall.floor_load_kg_m2 + 1e-6:
            yield Finding(f"cabinet {cab.name} loads the floor with {load:,.0f} kg/m2 ({weight:,.0f} "
                          f"kg on {fp.width_mm / 1000:g} x {depth / 1000:g} m) > hall "
                          f"{hall.name} rating {hall.floor_load_kg_m2:,.0f} kg/m2 ({hall.floor} "
                          "floor)", cab.origin,
                          "use slab or reinforced floor, or lighten the cabinet"
                          if hall.floor == "raised" else
                          "lighten the cabinet or spread its load (a load-spreading plinth)")


@rule("SPC007", "a hall holding cabinets declares no floor load rating",
      inputs=("Hall.floor_load_kg_m2?",))
def floor_rating_missing(inv: Inventory) -> Iterator[Finding]:
    """SPC004 compares each cabinet's floor load with its hall's rating; a hall without
    `floor_load_kg_m2` leaves that unchecked, and a loaded 100 kW-class rack (~1,900 kg/m2)
    is five times what a typical raised floor (~340 kg/m2) carries. The structural rating of
    the floor is always known before racks are placed, so it must be declared.

    Fix:
        Declare the hall's `floor_load_kg_m2` (and `floor: raised` or `slab`).
    """
    heaviest: dict[str, tuple[float, str, int]] = {}
    for cab in inv.iter_cabinets():
        hall = inv.halls.get(cab.hall or "")
        if hall is None or hall.floor_load_kg_m2 is not None:
            continue
        fp = cab.type.footprint
        load = physics.floor_load_kg_m2(cab.type.empty_weight_kg + _payload_kg(cab),
                                        fp.width_mm, fp.depth_mm)
        worst, name, count = heaviest.get(hall.name, (0.0, "", 0))
        heaviest[hall.name] = (load, cab.name, count + 1) if load > worst else \
            (worst, name, count + 1)
    for hall_name, (load, cab_name, count) in sorted(heaviest.items()):
        yield Finding(f"hall {hall_name} holds {count} cabinet(s) but declares no "
                      f"floor_load_kg_m2 (the heaviest, {cab_name}, loads {load:,.0f} kg/m2): "
                      "the floor load is not checked", inv.origins.get(("hall", hall_name)),
                      "declare the hall's floor_load_kg_m2")


@rule("SPC008", "a cabinet has no floor position",
      inputs=("Cabinet.location?",))
def cabinet_unplaced(inv: Inventory) -> Iterator[Finding]:
    """A cabinet is a cabinet type at a floor position. Without a `location` (hall, row,
    slot), nothing that depends on the floor can be checked: its floor load (SPC004), the
    air side that takes its residual heat (CLG007), its row and aisle geometry, and the length
    of every link leaving it, so its cables' and optics' reach, stocked length and loss
    (OPT001-OPT004). Such a cabinet is reported once instead of passing all of those. A
    location naming a hall or row that does not exist is REF001's.

    Fix:
        Give the cabinet a `location: {hall, row, slot}` on a row of the Site.
    """
    groups: dict[Origin | None, list[str]] = {}
    for cab in inv.iter_cabinets():
        if cab.hall is None and cab.name not in inv.unplaced:
            groups.setdefault(cab.origin, []).append(cab.name)
    for origin, names in groups.items():
        yield Finding(f"cabinet {fold(names)} has no floor position: its floor load, the air "
                      "side that takes its heat and the length (reach, loss) of every link "
                      "leaving it cannot be checked", origin,
                      "give it a location: {hall, row, slot} on a row of the Site")


@rule("SPC009", "a rack-mounted device type weighs nothing (weight_kg 0)",
      inputs=("DeviceType.weight_kg?", "DeviceType.height_u="))
def device_weightless(inv: Inventory) -> Iterator[Finding]:
    """Every device that takes rack units has a weight, but `weight_kg` left out is 0 kg:
    its devices then add nothing to the cabinet's payload (SPC003) or floor load (SPC004),
    and both pass short of them. (An imported NetBox device type without a weight gets 0 kg
    and a warning; this is where it stops being silent.) One finding per type, at its first
    device. Zero-U parts (chips, cards counted inside a tray) are not checked.

    Fix:
        Declare the type's `weight_kg` from its data sheet.
    """
    weightless = device_types_where(inv, lambda t: t.weight_kg == 0 and t.height_u > 0)
    for name, (addresses, first) in weightless.items():
        yield Finding(f"device type {name} ({inv.catalog.device_types[name].height_u}U) declares "
                      f"no weight_kg: its {len(addresses):,} device(s) ({fold(addresses[:50])}) "
                      "add 0 kg to their cabinets' payload and floor load", first,
                      f"declare weight_kg for {name} (its data sheet's weight)")


SIDE_MOUNTED_ROLES = ("pdu",)
"""Roles whose parts mount in the side channels or the rear of a cabinet, taking no rack units
(0U rack PDUs); cable managers and other passive parts are `other` or `patch-panel` with no
active content."""


def _zero_u_allowed(t: DeviceType) -> bool:
    """Side-mounted (0U PDUs), or passive: no active content and no power drawn."""
    return t.role in SIDE_MOUNTED_ROLES or (not is_active(t) and t.max_w == 0)


@rule("SPC010", "an active 0U device is not inside a chassis that takes rack units",
      inputs=("DeviceType.height_u=", "DeviceType.role=", "Device.u"))
def zero_u_outside_chassis(inv: Inventory) -> Iterator[Finding]:
    """Role and height never hide space: only side-mounted kinds (0U rack PDUs, cable managers
    and other passive parts) take no rack units. An active part declared 0U (accelerators,
    fast ports, a compute or switch role, any power drawn) is either a part inside a chassis
    (chips on a tray, modelled at the chassis' U) or a device whose `height_u` is wrong: 14 eight-GPU servers of
    `height_u: 0` all fit at U1 of one rack and pass SPC001 and SPC002. So an active 0U device
    must sit at a rack unit that a device of non-zero height in the same cabinet occupies.
    One finding per device line (replicated devices are folded).

    Formula:
        height_u(type) == 0 and type active  =>  some device d in the cabinet with
        height_u(d) > 0 and d.u <= u <= top_u(d)

    Fix:
        Give the type its real `height_u`, or place the part at the U of the chassis it sits in.
    """
    groups: dict[tuple[Origin, str], list[str]] = {}
    for cab in inv.iter_cabinets():
        occupied = {u for d in cab.devices if d.type.height_u > 0 for u in range(d.u, d.top_u + 1)}
        for dev in cab.devices:
            if dev.type.height_u != 0 or _zero_u_allowed(dev.type) or dev.u in occupied or \
                    not 0 <= dev.u <= cab.type.height_u:  # outside the cabinet: SPC001's
                continue
            key = (dev.origin, f"{dev.type_name} ({dev.type.role})")
            groups.setdefault(key, []).append(dev.address)
    for (origin, what), names in groups.items():
        yield Finding(f"0U device {fold(names)} of type {what} is active but sits in no chassis "
                      "(no device of non-zero height at its U): it takes no rack space", origin,
                      "give the type its real height_u, or place it at its chassis' U", ("u",))


@rule("SPC005", "two cabinets at one floor position",
      inputs=("Cabinet.location!SPC008",))
def same_position(inv: Inventory) -> Iterator[Finding]:
    """A floor position (hall, row, slot) holds one cabinet. Replicated cabinets whose slot
    range overlaps another cabinet's slot land on top of each other.

    Fix:
        Give each cabinet its own slot.
    """
    seen: dict[tuple[str, str, int], str] = {}
    for cab in sorted(inv.cabinets.values(), key=lambda c: (c.origin.file, c.origin.doc, c.name)):
        if cab.hall is None or cab.row is None or cab.slot is None:
            continue
        key = (cab.hall, cab.row, cab.slot)
        first = seen.get(key)
        if first is None:
            seen[key] = cab.name
            continue
        yield Finding(f"cabinet {cab.name} is at {cab.hall}/{cab.row} slot {cab.slot}, already "
                      f"taken by cabinet {first}", cab.origin, "give each cabinet its own slot",
                      ("spec", "location"))


@rule("SPC006", "cabinet placed outside its row",
      inputs=("Cabinet.location!SPC008", "Row.slots"))
def slot_outside_row(inv: Inventory) -> Iterator[Finding]:
    """A row has a number of positions (`slots`); a cabinet at a slot beyond them is not on the
    floor plan, so its cable lengths and floor loads are meaningless.

    Fix:
        Use a slot within the row or lengthen the row in the Site.
    """
    for cab in inv.iter_cabinets():
        row = inv.rows.get((cab.hall or "", cab.row or ""))
        if row is None or cab.slot is None:
            continue
        if cab.slot > row.slots:
            yield Finding(f"cabinet {cab.name} is at slot {cab.slot} but row {cab.hall}/{cab.row} "
                          f"has {row.slots} slots", cab.origin,
                          "use a slot within the row or lengthen the row")
