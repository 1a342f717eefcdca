"""PSU cords to rack-PDU outlets: the explicit assignment, or round-robin per side.

Derived data only. A device with `psus` has `count` cords of one plug type; a PDU (a device
type with `outlets`) offers banks of outlets. Cords of a redundant (N+N) device alternate
between the cabinet's sides (A, B from the PDUs' feeds); within a side they rotate over the
side's PDUs and take a free outlet their plug fits in the PDU's least-used bank. Currents per cord come from the
device's maximum draw shared by its cords, and after a side fails by the surviving cords.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from superpod_iac import physics
from superpod_iac.manifest.catalog import OutletBank
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Cabinet, Device, Inventory
from superpod_iac.model.power import power_tree, supplies

FITS: dict[str, tuple[str, ...]] = {
    "c14": ("c13", "c39", "hdot-cx"), "c20": ("c19", "c39", "hdot-cx"),
    "hardwired": ("hardwired",),
    "busbar": ("busbar",),
    **{f"nema-{n}p": (f"nema-{n}r",) for n in (
        "5-15", "5-20", "6-15", "6-20", "6-30", "l5-15", "l5-20", "l5-30", "l6-15", "l6-20",
        "l6-30", "l14-20", "l14-30", "l21-20", "l21-30", "l22-20", "l22-30")}}
"""Cord plug -> outlet types it mates with (IEC 60320: C14 into C13, C20 into C19; the C39 and
HDOT Cx combination outlets take both; a NEMA plug its own receptacle)."""


@dataclass(slots=True)
class Outlet:
    pdu: Device
    bank: OutletBank
    number: int
    """1-based across the PDU's banks, in declaration order."""


@dataclass(slots=True)
class Cord:
    device: Device
    k: int
    outlet: Outlet | None
    side: str | None
    volts: float | None = None
    """Voltage at the outlet (PDU feed line-to-neutral or line-to-line as the bank is wired,
    or its voltage if single-phase)."""
    normal_a: float = 0.0
    worst_a: float = 0.0
    """Current after the device's other side (or one cord, N+1) is lost."""
    worst_w: float = 0.0
    """Power through the cord in that case: the device's maximum draw over its surviving cords."""
    problem: str = ""


@dataclass(slots=True)
class CabinetOutlets:
    cabinet: Cabinet
    cords: list[Cord] = field(default_factory=list)
    bank_worst_a: dict[tuple[str, str], float] = field(default_factory=dict)
    """(pdu address, bank) -> current when every cord in it carries its worst-case share."""
    leg_worst_w: dict[tuple[str, str], float] = field(default_factory=dict)
    """(pdu address, feed leg) -> power on that phase of a three-phase PDU when every cord on
    its outlets carries its worst-case share (banks with a `feed_leg` only)."""


def pdu_outlets(pdu: Device) -> list[Outlet]:
    out: list[Outlet] = []
    for bank in pdu.type.outlets:
        for _ in range(bank.count):
            out.append(Outlet(pdu, bank, len(out) + 1))
    return out


def _side(inv: Inventory, dev: Device, sides: dict[str, str | None]) -> str | None:
    found = sorted({s for f in dev.feeds if (s := sides.get(f))})
    return found[0] if len(found) == 1 else None


def _outlet_voltage(inv: Inventory, outlet: Outlet) -> tuple[float | None, float]:
    """Voltage at a PDU outlet and the feed's PF: on a 3-phase feed line-to-neutral, or
    line-to-line where the bank (or the PDU type) is wired so; a single-phase feed's voltage."""
    sup = supplies(inv)
    pdu = outlet.pdu
    wiring = outlet.bank.wiring or pdu.type.outlet_wiring
    for f in pdu.feeds or inv.cabinets[pdu.cabinet].feeds:
        s = sup.get(f)
        if s is not None and s.voltage_v is not None:
            v = s.voltage_v
            if s.phases == 3 and wiring == "line-to-neutral":
                v = physics.line_to_neutral_v(s.voltage_v)
            return v, inv.power_nodes[f].spec.pf
    return None, 1.0


def _survivors(dev: Device, cords: list[Cord]) -> int:
    """Cords left carrying the device in its worst declared failure."""
    psus = dev.type.psus
    assert psus is not None
    n = len(cords)
    if psus.redundancy in ("N+N", "2N"):
        by_side: dict[str | None, int] = defaultdict(int)
        for c in cords:
            by_side[c.side] += 1
        return max(min(by_side.values()) if len(by_side) > 1 else n // 2, 1)
    spare = {"N+1": 1, "N+2": 2}.get(psus.redundancy, 0)
    return max(n - spare, 1)


@derived
def cabinet_outlets(inv: Inventory) -> dict[str, CabinetOutlets]:
    sides = power_tree(inv).side_of
    out: dict[str, CabinetOutlets] = {}
    for cab in inv.iter_cabinets():
        pdus = [d for d in cab.devices if d.type.outlets]
        users = [d for d in cab.devices if d.type.psus is not None]
        if not users:
            continue
        co = CabinetOutlets(cab)
        free = {p.name: pdu_outlets(p) for p in pdus}
        taken: set[tuple[str, int]] = set()
        by_side: dict[str | None, list[Device]] = defaultdict(list)
        for p in pdus:
            by_side[_side(inv, p, sides)].append(p)
        side_order: list[str | None] = [s for s in sorted(x for x in by_side if x) if s] or [None]
        turn: dict[str | None, int] = defaultdict(int)
        for dev in sorted(users, key=lambda d: (d.u, d.name)):
            psus = dev.type.psus
            assert psus is not None
            cords: list[Cord] = []
            for k in range(psus.count):
                if dev.outlets:
                    cords.append(_explicit(dev, k, free, taken, sides, inv))
                    continue
                side = side_order[k % len(side_order)]
                cords.append(_round_robin(dev, k, side, by_side.get(side, []), free, taken, turn))
            watts = dev.type.max_w
            survivors = _survivors(dev, cords)
            for c in cords:
                if c.outlet is None:
                    continue
                v, pf = _outlet_voltage(inv, c.outlet)
                c.volts = v
                c.worst_w = watts / survivors
                if c.outlet.bank.feed_leg is not None:
                    leg = (c.outlet.pdu.address, c.outlet.bank.feed_leg)
                    co.leg_worst_w[leg] = co.leg_worst_w.get(leg, 0.0) + c.worst_w
                if v is None:
                    continue
                c.normal_a = physics.single_phase_current_a(watts / len(cords), v, pf)
                c.worst_a = physics.single_phase_current_a(watts / survivors, v, pf)
                key = (c.outlet.pdu.address, c.outlet.bank.name)
                co.bank_worst_a[key] = co.bank_worst_a.get(key, 0.0) + c.worst_a
            co.cords.extend(cords)
        out[cab.name] = co
    return out


def _explicit(dev: Device, k: int, free: dict[str, list[Outlet]], taken: set[tuple[str, int]],
              sides: dict[str, str | None], inv: Inventory) -> Cord:
    psus = dev.type.psus
    assert psus is not None
    if k >= len(dev.outlets):
        return Cord(dev, k, None, None, problem=f"cord {k + 1} has no outlet in `outlets`")
    ref = dev.outlets[k]
    pdu_name, _, num = ref.rpartition(":")
    outlets = free.get(pdu_name)
    if outlets is None or not num.isdigit() or not 1 <= int(num) <= len(outlets):
        return Cord(dev, k, None, None, problem=f"cord {k + 1}: no outlet '{ref}' in this cabinet")
    o = outlets[int(num) - 1]
    side = _side(inv, o.pdu, sides)
    if (pdu_name, o.number) in taken:
        return Cord(dev, k, o, side, problem=f"cord {k + 1}: outlet {ref} is already in use")
    taken.add((pdu_name, o.number))
    if o.bank.type not in FITS[psus.cord]:
        return Cord(dev, k, o, side, problem=f"cord {k + 1}: a {psus.cord.upper()} plug does "
                    f"not fit outlet {ref} ({o.bank.type.upper()})")
    return Cord(dev, k, o, side)


def _round_robin(dev: Device, k: int, side: str | None, pdus: list[Device],
                 free: dict[str, list[Outlet]], taken: set[tuple[str, int]],
                 turn: dict[str | None, int]) -> Cord:
    psus = dev.type.psus
    assert psus is not None
    for step in range(len(pdus)):
        pdu = pdus[(turn[side] + step) % len(pdus)]
        fits = [o for o in free[pdu.name]
                if (pdu.name, o.number) not in taken and o.bank.type in FITS[psus.cord]]
        if fits:  # the least-used bank first, so cords spread over the branch breakers
            used: dict[str, int] = defaultdict(int)
            for name, num in taken:
                if name == pdu.name:
                    used[free[pdu.name][num - 1].bank.name] += 1
            o = min(fits, key=lambda x: (used[x.bank.name], x.number))
            taken.add((pdu.name, o.number))
            turn[side] += 1
            return Cord(dev, k, o, side)
    where = f"side {side}" if side else "the cabinet"
    return Cord(dev, k, None, side, problem=f"cord {k + 1} ({psus.cord.upper()}): no free "
                f"{'/'.join(t.upper() for t in FITS[psus.cord])} outlet on {where}'s PDUs")
