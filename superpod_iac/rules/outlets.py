"""OUT: PSU cords on rack-PDU outlets: plug types, outlet counts, currents, A/B separation."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.model.inventory import Device, Inventory
from superpod_iac.model.outlets import CabinetOutlets, cabinet_outlets
from superpod_iac.model.power import usable_output_w
from superpod_iac.rules.registry import Finding, rule


@rule("OUT001", "a PSU cord has no outlet it fits", policy=("derating",),
      inputs=("OutletBank.type", "Psus.cord", "Psus.count="))
def cord_without_outlet(inv: Inventory) -> Iterator[Finding]:
    """Every PSU cord needs an outlet of its plug's type: a C14 plug mates with a C13 (or C39)
    outlet, a C20 with a C19 (or C39) (IEC 60320). Cords are assigned explicitly (`outlets:` on
    the device, `pdu:number`) or round-robin per side over the side's PDUs; when the fitting
    outlets run out, or an explicit outlet is missing, taken twice or of the wrong type, the
    cord is unplugged.

    Formula:
        cords with plug P on side S <= free outlets fitting P on side S's PDUs

    Fix:
        Use PDUs with more outlets of that type (or C39 outlets), add a PDU per side, or move
        a device to another cabinet.
    """
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        for cord in co.cords:
            if cord.problem:
                yield Finding(f"{cord.device.address} ({cord.device.type_name}): {cord.problem}",
                              cord.device.origin, "add outlets of the cord's type, or fix the "
                              "outlet assignment")


@rule("OUT002", "an outlet or outlet bank carries more current than its rating",
      policy=("derating",),
      inputs=("OutletBank.outlet_a?", "OutletBank.breaker_a?", "DeviceType.max_w!PWR012"))
def outlet_overload(inv: Inventory) -> Iterator[Finding]:
    """Each cord carries the device's maximum draw shared by its cords; when the other side
    fails (N+N) the surviving cords carry all of it. That worst-case current must fit the
    outlet's rating (IEC 60320: C13 10 A, C19 16 A) and the sum over a bank must fit the bank
    breaker's continuous rating (policy `derating`, 80 %). Outlet voltage: the PDU feed's
    line-to-neutral voltage (3-phase) or its voltage (1-phase).

    Formula:
        I_cord = P_device / cords_surviving / (V_outlet x PF) <= outlet_a
        sum(I_cord in bank) <= breaker_a x derating

    Fix:
        Use C19/C20 outlets and cords for high-power PSUs, spread devices over more banks, or
        use PDUs with larger bank breakers.
    """
    derating = inv.policy.derating
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        for cord in co.cords:
            o = cord.outlet
            if o is None or cord.problem or cord.worst_a <= o.bank.outlet_a + 1e-9:
                continue
            yield Finding(f"{cord.device.address} cord {cord.k + 1} on {o.pdu.address}:{o.number} "
                          f"({o.bank.type.upper()}, {o.bank.outlet_a:g} A) carries "
                          f"{cord.worst_a:.1f} A when its other cords are lost "
                          f"({cord.normal_a:.1f} A normally)", cord.device.origin,
                          "use a larger outlet and cord type (C19/C20), or a lower-power device")
        for (pdu, bank_name), amps in sorted(co.bank_worst_a.items()):
            dev = inv.devices[inv.device_index[pdu]]
            bank = next(b for b in dev.type.outlets if b.name == bank_name)
            if bank.breaker_a is None:
                continue
            limit = bank.breaker_a * derating
            if amps > limit + 1e-9:
                yield Finding(f"bank {bank_name} of {pdu} carries {amps:.1f} A in the worst case > "
                              f"{limit:.1f} A ({bank.breaker_a:g} A breaker x {derating:g})",
                              dev.origin, "spread the cords over more banks or PDUs")


@rule("OUT003", "both cords of a redundant power supply pair land on one PDU or one side",
      policy=("derating",),
      inputs=("Psus.redundancy?", "Device.outlets?"))
def cords_same_side(inv: Inventory) -> Iterator[Finding]:
    """A device with redundant PSUs (N+N) survives the loss of a PDU, a feed or a whole side
    only if its cords are split across sides: with both cords on one PDU that PDU (or its
    breaker) is a common-mode point and the redundancy is only declared.

    Formula:
        N+N device: cords on >= 2 PDUs and, where the PDUs have sides, on >= 2 sides

    Fix:
        Plug one cord of each pair into the other side's PDU (or drop `outlets:` and let the
        round-robin assignment alternate sides).
    """
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        seen: set[str] = set()
        for cord in co.cords:
            dev = cord.device
            psus = dev.type.psus
            if dev.address in seen or psus is None or psus.redundancy not in ("N+N", "2N") or \
                    psus.count < 2:
                continue
            seen.add(dev.address)
            mine = [c for c in co.cords if c.device is dev and c.outlet is not None]
            if len(mine) < psus.count:
                continue  # OUT001 reports the missing outlets
            pdus = sorted({c.outlet.pdu.address for c in mine if c.outlet is not None})
            sides = sorted({c.side for c in mine if c.side})
            any_sides = any(c.side for c in co.cords)
            if len(pdus) < 2 or (any_sides and len(sides) < 2):
                where = f"PDU {pdus[0]}" if len(pdus) < 2 else f"side {sides[0] if sides else '?'}"
                yield Finding(f"{dev.address} ({dev.type_name}, {psus.count} cords {psus.redundancy}) "
                              f"has every cord on {where}: its failure darkens the device",
                              dev.origin, "put the cords of each redundant pair on two sides / PDUs")


def _pdu_legs(inv: Inventory, co: CabinetOutlets) -> Iterator[tuple[Device, dict[str, float]]]:
    """Each three-phase PDU of a cabinet (banks on two or more feed legs) with the worst-case
    power on every leg its banks use (0 W for a leg nothing is plugged into)."""
    for pdu in sorted({c.outlet.pdu.address for c in co.cords if c.outlet is not None}):
        dev = inv.devices[inv.device_index[pdu]]
        out = dev.type.power_output
        if out is not None and out.input_phases != 3:
            continue  # a single-phase input has no phases to balance
        legs = sorted({b.feed_leg for b in dev.type.outlets if b.feed_leg is not None})
        if len(legs) >= 2:
            yield dev, {leg: co.leg_worst_w.get((pdu, leg), 0.0) for leg in legs}


def _shown(per: dict[str, float]) -> str:
    return ", ".join(f"L{'ABC'.index(k) + 1} {v / 1000:.2f} kW" for k, v in per.items())


@rule("OUT004", "a three-phase rack PDU's phase carries more than its share of the PDU's rating",
      policy=("derating",), inputs=("OutletBank.feed_leg?", "DeviceType.power_output!OUT004",
                                    "DeviceType.max_w!PWR012"))
def pdu_leg_over_rating(inv: Inventory) -> Iterator[Finding]:
    """A three-phase rack PDU wires each outlet bank to one phase (its `feed_leg`: L1/L2/L3 =
    A/B/C, NetBox `feed_leg`; a PDU counts as three-phase when its banks use two or more legs
    and its `power_output`, where given, has `input_phases: 3`). Its input is rated for the total (`power_output`: the inlet's
    rating, one inlet of an automatic-transfer PDU), that is one third per phase: the phase
    carrying most trips the inlet breaker first, whatever the total. Each cord carries its
    device's maximum draw over the cords that survive the device's worst declared failure
    (the other side lost, N+N), the same worst case as OUT002.

    Formula:
        P_leg = sum(P_device / cords_surviving for cords on the leg's banks)
        max(P_leg) <= usable output of the PDU / 3

    Fix:
        Move cords to outlets on the lighter phases (a bank on another feed_leg), or use a PDU
        with a larger input rating. A three-phase PDU without `power_output` (its input
        rating) cannot be checked: that is the finding, naming the load on each phase.
    """
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        for dev, per in _pdu_legs(inv, co):
            if dev.type.power_output is None:
                yield Finding(f"PDU {dev.address} ({dev.type_name}) wires its outlet banks to "
                              f"{len(per)} phases ({_shown(per)} in the worst case) but its type "
                              "declares no power_output (its input rating): no phase can be "
                              "checked against a third of it", dev.origin,
                              "add power_output (psu_w = the input rating, input_phases: 3) "
                              "to the PDU's device type")
                continue
            share = usable_output_w(dev) / 3
            leg, worst = max(per.items(), key=lambda kv: (kv[1], kv[0]))
            if worst > share + 1e-6:
                yield Finding(f"phase L{'ABC'.index(leg) + 1} of PDU {dev.address} "
                              f"({dev.type_name}) carries {worst / 1000:.2f} kW in the worst case "
                              f"> {share / 1000:.2f} kW, one third of its "
                              f"{usable_output_w(dev) / 1000:.2f} kW rating ({_shown(per)})",
                              dev.origin, "move cords to outlets on the lighter phases, or use a "
                              "PDU with a larger input rating")


@rule("OUT005", "a three-phase rack PDU's phases are loaded unevenly", severity="warning",
      policy=("derating", "phase_imbalance_pct"),
      inputs=("OutletBank.feed_leg?", "DeviceType.max_w!PWR012"))
def pdu_leg_imbalance(inv: Inventory) -> Iterator[Finding]:
    """The PDU-level twin of PWR008: the cords on a three-phase rack PDU's outlet banks (each
    bank on one phase, its `feed_leg`) should load its phases evenly; imbalance puts current on
    the neutral and the heaviest phase trips first. Loads are the OUT002 worst case (every cord
    carrying its device's share after the other side is lost); operators commonly flag more
    than 10-20 % (policy `phase_imbalance_pct`, the same key PWR008 reads).

    Formula:
        P_leg = sum(P_device / cords_surviving for cords on the leg's banks)
        imbalance = max |P_leg - mean| / mean x 100 (NEMA) <= phase_imbalance_pct

    Fix:
        Plug the cords round the phases (outlets on banks of each feed_leg in turn).
    """
    limit = inv.policy.phase_imbalance_pct
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        for dev, per in _pdu_legs(inv, co):
            pct = physics.phase_imbalance_pct(list(per.values()))
            if pct > limit + 1e-9:
                yield Finding(f"phase imbalance on PDU {dev.address} ({dev.type_name}) is "
                              f"{pct:.0f} % > {limit:g} % policy ({_shown(per)})", dev.origin,
                              "plug the cords round the phases (banks of each feed_leg in turn)")
