"""GEO: geometry on the floor and in the cabinet: depth, row pitch, aisles, row overlap.

Floor convention: a row runs along x from `x_m`; slot k's cabinet starts at x_m + (k-1) x
pitch_m and is as wide as its footprint; `y_m` is the row's centre line, so a cabinet spans
y_m +/- depth / 2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Cabinet, Inventory
from superpod_iac.rules.registry import Finding, rule


@rule("GEO001", "a device is deeper or wider than its cabinet's mounting space",
      inputs=("DeviceType.depth_mm?", "DeviceType.width_mm?", "CabinetType.mounting_depth_mm=",
              "CabinetType.footprint"))
def device_too_deep(inv: Inventory) -> Iterator[Finding]:
    """A device must fit between the cabinet's rails: its depth (with handles and the cable
    bend room its vendor requires) within the mounting depth, its width within the mounting
    width. A cabinet type without a declared mounting depth or width is bounded by its
    footprint: nothing deeper than the cabinet can be inside it.

    Formula:
        device depth_mm <= mounting_depth_mm (else footprint depth_mm)
        device width_mm <= mounting_width_mm (else footprint width_mm)

    Fix:
        Use a deeper cabinet type (1,200 mm for current AI racks) or move the rails back.
    """
    for cab in inv.iter_cabinets():
        t = cab.type
        depth = t.mounting_depth_mm or t.footprint.depth_mm
        width = t.mounting_width_mm or t.footprint.width_mm
        for dev in cab.devices:
            d, w = dev.type.depth_mm, dev.type.width_mm
            if d is not None and d > depth + 1e-9:
                yield Finding(f"{dev.address} ({dev.type_name}) is {d:g} mm deep > {depth:g} mm "
                              f"mounting depth of {cab.type_name}", dev.origin,
                              "use a deeper cabinet type, or move the rails back")
            if w is not None and w > width + 1e-9:
                yield Finding(f"{dev.address} ({dev.type_name}) is {w:g} mm wide > {width:g} mm "
                              f"mounting width of {cab.type_name}", dev.origin,
                              "use a wider cabinet type (21-inch OCP, 800 mm)")


@rule("GEO002", "neighbouring cabinets in a row overlap: footprint wider than the row pitch",
      inputs=("CabinetType.footprint", "Row.pitch_m="))
def cabinets_overlap(inv: Inventory) -> Iterator[Finding]:
    """Slots in a row are `pitch_m` apart; a cabinet wider than the distance to the next
    occupied slot runs into its neighbour (an 800 mm network cabinet in a 600 mm-pitch row).

    Formula:
        x(next cabinet) >= x(cabinet) + footprint width_mm / 1000

    Fix:
        Leave the next slot empty, use a row pitch of at least the widest cabinet, or narrower
        cabinets.
    """
    rows: dict[tuple[str, str], list[Cabinet]] = defaultdict(list)
    for cab in inv.iter_cabinets():
        if cab.hall and cab.row and cab.x_m is not None:
            rows[(cab.hall, cab.row)].append(cab)
    for key in sorted(rows):
        cabs = sorted(rows[key], key=lambda c: (c.x_m or 0.0, c.name))
        for left, right in pairwise(cabs):
            width = left.type.footprint.width_mm / 1000.0
            gap = (right.x_m or 0.0) - (left.x_m or 0.0)
            if gap + 1e-9 < width and gap > 1e-9:  # gap 0 is SPC005 (same position)
                yield Finding(f"cabinet {left.name} ({left.type.footprint.width_mm:g} mm wide) "
                              f"overlaps {right.name} {gap:.2f} m along row {key[1]} by "
                              f"{width - gap:.2f} m", left.origin,
                              "leave the next slot empty or widen the row pitch")


@dataclass(slots=True)
class _RowBox:
    hall: str
    name: str
    x0: float
    x1: float
    y: float
    depth_m: float


def _row_boxes(inv: Inventory) -> list[_RowBox]:
    """Occupied rows with their x extent and the depth of their deepest cabinet."""
    cabs: dict[tuple[str, str], list[Cabinet]] = defaultdict(list)
    for cab in inv.iter_cabinets():
        if cab.hall and cab.row and cab.x_m is not None:
            cabs[(cab.hall, cab.row)].append(cab)
    out = []
    for (hall, name), row in sorted(inv.rows.items()):
        members = cabs.get((hall, name))
        if not members:
            continue
        widest = max(c.type.footprint.width_mm for c in members) / 1000.0
        out.append(_RowBox(hall, name, row.x_m, row.x_m + (row.slots - 1) * row.pitch_m + widest,
                           row.y_m, max(c.type.footprint.depth_mm for c in members) / 1000.0))
    return out


@derived
def _facing_pairs(inv: Inventory) -> list[tuple[_RowBox, _RowBox, float]]:
    """Pairs of rows in one hall that share an x stretch, with the free gap between them."""
    by_hall: dict[str, list[_RowBox]] = defaultdict(list)
    for box in _row_boxes(inv):
        by_hall[box.hall].append(box)
    out = []
    for boxes in by_hall.values():
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if a.x1 > b.x0 + 1e-9 and b.x1 > a.x0 + 1e-9:
                    out.append((a, b, abs(a.y - b.y) - (a.depth_m + b.depth_m) / 2.0))
    return out


@rule("GEO003", "the aisle between two rows is narrower than the policy clearance",
      policy=("aisle_clearance_m",),
      inputs=("CabinetType.footprint", "Row.y_m=", "Row.x_m="))
def aisle_too_narrow(inv: Inventory) -> Iterator[Finding]:
    """Rows must leave an aisle for people, lifts and air: the free gap between two rows'
    cabinets (centre-line distance minus half of each row's deepest cabinet) must be at least
    policy `aisle_clearance_m` (1.2 m: ASHRAE TC 9.9 / BICSI 002 cold-aisle practice, and more
    than NEC 110.26's 0.9 m working space).

    Formula:
        |y_a - y_b| - (depth_a + depth_b) / 2 >= aisle_clearance_m

    Fix:
        Move the rows apart (row `y_m`), or use shallower cabinets.
    """
    for a, b, gap in _facing_pairs(inv):
        clearance = inv.hall_policies.get(a.hall, inv.policy).aisle_clearance_m
        if -1e-9 <= gap < clearance - 1e-9:
            yield Finding(f"rows {a.name} and {b.name} of hall {a.hall} leave a {gap:.2f} m aisle "
                          f"(centre lines {abs(a.y - b.y):.2f} m apart, cabinets {a.depth_m:g} m and "
                          f"{b.depth_m:g} m deep) < {clearance:g} m clearance",
                          inv.origins.get(("row", f"{b.hall}/{b.name}")),
                          f"move row {b.name} to y_m >= {a.y + (a.depth_m + b.depth_m) / 2 + clearance:.2f}")


@rule("GEO004", "two rows overlap on the floor",
      inputs=("CabinetType.footprint", "Row.y_m=", "Row.x_m="))
def rows_overlap(inv: Inventory) -> Iterator[Finding]:
    """Two rows whose cabinets would occupy the same floor: their x stretches meet and their
    centre lines are closer than half of each row's deepest cabinet. Usually a copied row with
    an unchanged `y_m`.

    Formula:
        |y_a - y_b| < (depth_a + depth_b) / 2 with overlapping x ranges

    Fix:
        Give each row its own `y_m` (at least depth + aisle clearance apart) or `x_m`.
    """
    for a, b, gap in _facing_pairs(inv):
        if gap < -1e-9:
            yield Finding(f"rows {a.name} and {b.name} of hall {a.hall} overlap by {-gap:.2f} m "
                          f"(centre lines {abs(a.y - b.y):.2f} m apart, cabinets {a.depth_m:g} m and "
                          f"{b.depth_m:g} m deep)", inv.origins.get(("row", f"{b.hall}/{b.name}")),
                          "give each row its own y_m, depth + aisle clearance apart")


@rule("GEO005", "a cabinet type's footprint is deeper than a row can hold",
      policy=("max_cabinet_depth_mm",),
      inputs=("CabinetType.footprint",))
def cabinet_too_deep(inv: Inventory) -> Iterator[Finding]:
    """Role and size never hide physics: a cabinet's footprint is where its weight rests
    (SPC004 divides by it) and what its row's aisles are laid out around (GEO003, GEO004). A
    `depth_mm: 9000` cabinet spreads 3,400 kg over 5.4 m2 of what is really aisle and passes
    the floor-load check. Footprints are bounded: the depth by policy `max_cabinet_depth_mm`
    (SPC004 uses at most that depth), the width by the row pitch between neighbours (GEO002).
    One finding per cabinet type, at its first cabinet on the floor.

    Formula:
        footprint depth_mm <= max_cabinet_depth_mm

    Fix:
        Correct the footprint from the enclosure's data sheet, or raise
        `max_cabinet_depth_mm` if such a deep enclosure is really used.
    """
    first: dict[str, tuple[Cabinet, int, float]] = {}
    for cab in inv.iter_cabinets():
        limit = inv.policy_for(cab).max_cabinet_depth_mm
        if cab.hall is not None and cab.type.footprint.depth_mm > limit + 1e-9:
            got = first.get(cab.type_name)
            first[cab.type_name] = (got[0], got[1] + 1, got[2]) if got else (cab, 1, limit)
    for name, (cab, count, limit) in sorted(first.items()):
        yield Finding(f"cabinet type {name} is {cab.type.footprint.depth_mm:g} mm deep > "
                      f"{limit:g} mm max_cabinet_depth_mm ({count} cabinet(s), first {cab.name}); "
                      f"its floor load is taken over {limit:g} mm", cab.origin,
                      "correct the footprint, or raise max_cabinet_depth_mm")
