"""ELC: electrical compatibility and protection down the power tree.

PWR sizes loads against ratings; these rules check that what is connected can work at all: the
PSU input against the supply (voltage, phases, frequency), breaker coordination from the top of
the tree down, and UPS battery runtime at the load it must carry.
"""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.diagnostics import Origin
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.outlets import cabinet_outlets
from superpod_iac.model.power import ancestors, breaker_capacity_w, power_tree, supplies
from superpod_iac.rules.registry import Finding, rule


@rule("ELC001", "a power supply's input does not match the feed it draws from",
      policy=("voltage_tolerance_pct",),
      inputs=("PowerOutput.input_voltage_v?", "PowerOutput.input_phases=", "PowerNode.voltage_v?",
              "PowerNode.frequency_hz?"))
def input_mismatch(inv: Inventory) -> Iterator[Finding]:
    """A power shelf, PSU or PDU is built for one input: a 415 V three-phase shelf on a 208 V
    feed will not start (or trips on under-voltage), a three-phase shelf on a single-phase whip
    has two missing lines, a 60 Hz-only supply on a 50 Hz grid runs out of spec. The feed's
    voltage and frequency are its own or inherited from the nearest ancestor (a transformer's
    `voltage_v` is its secondary). Tolerance: policy `voltage_tolerance_pct` (10 %, IEC 60038).

    Formula:
        3-phase input: feed phases == 3 and |V_LL(feed) - V_in| <= V_in x tol
        1-phase input: |V(feed) - V_in| <= V_in x tol, or |V_LL / sqrt 3 - V_in| <= V_in x tol
        feed frequency in input_frequency_hz

    Fix:
        Feed the device from a node of its input voltage and phases, or use the device variant
        built for the site's supply.
    """
    sup = supplies(inv)
    tol = inv.policy.voltage_tolerance_pct
    for dev in inv.devices:
        out = dev.type.power_output
        if out is None:
            continue
        cab = inv.cabinets[dev.cabinet]
        for f in dev.feeds or cab.feeds:
            s = sup.get(f)
            if s is None:
                continue
            problems = []
            if out.input_phases == 3 and s.phases == 1:
                problems.append("a 3-phase input on a single-phase feed")
            elif out.input_voltage_v is not None and s.voltage_v is not None and \
                    not physics.input_voltage_fits(out.input_voltage_v, out.input_phases,
                                                   s.voltage_v, s.phases, tol):
                problems.append(f"{out.input_voltage_v:g} V {out.input_phases}-phase input on a "
                                f"{s.voltage_v:g} V {s.phases}-phase feed (tolerance {tol:g} %)")
            if s.frequency_hz is not None and s.frequency_hz not in out.input_frequency_hz:
                problems.append(f"{s.frequency_hz} Hz feed, input rated "
                                f"{'/'.join(str(h) for h in out.input_frequency_hz)} Hz")
            for p in problems:
                yield Finding(f"{dev.address} ({dev.type_name}) draws from {f}: {p}", dev.origin,
                              "feed it from a node of its input voltage, phases and frequency, "
                              "or use the device variant built for this supply")


@rule("ELC002", "a breaker is larger than the breaker above it",
      inputs=("PowerNode.breaker_a?", "PowerNode.parent?"))
def breaker_coordination(inv: Inventory) -> Iterator[Finding]:
    """Overcurrent protection must get smaller going down the tree: a branch breaker larger
    than the breaker or busway protecting it lets a fault or overload on the branch trip the
    upstream device instead (losing every sibling), and lets the branch draw more than the
    parent's conductors are rated for. Compared at the same voltage level (the search for the
    parent breaker stops at a transformer).

    Formula:
        breaker_a(child) <= breaker_a(nearest ancestor with a breaker, no transformer between)

    Fix:
        Use a branch breaker no larger than its parent's (or upsize the parent and its feeders).
    """
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        if node.spec.breaker_a is None:
            continue
        for anc in ancestors(inv, name):
            a = inv.power_nodes[anc].spec
            if a.breaker_a is not None:
                if node.spec.breaker_a > a.breaker_a + 1e-9:
                    yield Finding(f"{node.spec.type} {name} has a {node.spec.breaker_a:g} A breaker "
                                  f"> {a.breaker_a:g} A of {a.type} {anc} above it", node.origin,
                                  f"use a breaker of at most {a.breaker_a:g} A on {name}, or "
                                  f"upsize {anc}")
                break
            if a.type == "transformer":
                break


@rule("ELC006", "a power node's voltage does not match the node above it",
      policy=("voltage_tolerance_pct",),
      inputs=("PowerNode.voltage_v?", "PowerNode.phases=", "PowerNode.parent?"))
def node_voltage_mismatch(inv: Inventory) -> Iterator[Finding]:
    """Without a transformer in between, a node runs at its parent's voltage: a 415 V feed
    hung from an 830 V busway, or a 208 V panel under a 415 V switchboard, describes wiring
    that cannot exist, and every current, breaker and kW figure computed from the declared
    voltage is wrong. A single-phase node on a three-phase wye may sit line-to-line (V_LL) or
    line-to-neutral (V_LL / sqrt 3: 240 V under 415 V); a three-phase node cannot hang from a
    single-phase one. The parent's voltage is its own or inherited from above (as in ELC001);
    a transformer's `voltage_v` is its secondary, so a transformer is never compared with its
    parent. Tolerance: policy `voltage_tolerance_pct` (10 %, IEC 60038), so 400 V and 415 V
    name the same system. One finding per node line (replicated nodes are folded).

    Formula:
        3-phase node: parent 3-phase and |V_parent - V| <= V x tol
        1-phase node: |V_parent - V| <= V x tol, or (parent 3-phase) |V_parent / sqrt 3 - V| <= V x tol

    Fix:
        Correct the voltage, or put a transformer node between the two (a UPS with an output
        transformer is a UPS node and a transformer node below it).
    """
    sup = supplies(inv)
    tol = inv.policy.voltage_tolerance_pct
    groups: dict[tuple[Origin, str], list[str]] = {}
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        spec = node.spec
        parent = sup.get(spec.parent or "")
        if spec.voltage_v is None or spec.type == "transformer" or parent is None or \
                parent.voltage_v is None:
            continue
        if physics.input_voltage_fits(spec.voltage_v, spec.phases, parent.voltage_v,
                                      parent.phases, tol):
            continue
        what = (f"{spec.voltage_v:g} V {spec.phases}-phase under {spec.parent}'s "
                f"{parent.voltage_v:g} V {parent.phases}-phase")
        groups.setdefault((node.origin, what), []).append(name)
    for (origin, what), names in groups.items():
        kind = inv.power_nodes[names[0]].spec.type
        yield Finding(f"{kind} {fold(names)}: {what}, with no transformer between "
                      f"(tolerance {tol:g} %)", origin,
                      "correct the voltage, or add a transformer node between them",
                      ("voltage_v",))


@rule("ELC003", "UPS battery runtime at the worst-case load is below the policy minimum",
      policy=("derating", "ups_runtime_min"),
      inputs=("PowerNode.battery_kwh?", "PowerNode.efficiency?"))
def ups_runtime(inv: Inventory) -> Iterator[Finding]:
    """A UPS must carry its load on battery until the generators start and take over. In a 2N
    design one UPS carries both sides' load when the other side fails, so the runtime is taken
    at the worst load the UPS sees in any failure scenario. Checked for every UPS that declares
    `battery_kwh`; the minimum is policy `ups_runtime_min` (5 min by default).

    Formula:
        t = battery_kwh x 1000 x efficiency / P_worst x 60  [min]  >=  ups_runtime_min

    Fix:
        Add battery strings (`battery_kwh`), or move load to another UPS.
    """
    tree = power_tree(inv)
    floor = inv.policy.ups_runtime_min
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        kwh = node.spec.battery_kwh
        if node.spec.type != "ups" or kwh is None:
            continue
        normal = tree.normal.loads_w.get(name, 0.0)
        worst, scenario = tree.worst.get(name, (normal, "normal"))
        load, when = (worst, f"after {scenario}") if worst > normal else (normal, "in normal operation")
        minutes = physics.ups_runtime_min(kwh, load, node.spec.efficiency)
        if minutes < floor - 1e-9:
            yield Finding(f"UPS {name} runs {minutes:.1f} min on {kwh:g} kWh at {load / 1000:.1f} kW "
                          f"{when} < {floor:g} min policy minimum", node.origin,
                          "add battery capacity or move load to another UPS")


@rule("ELC004", "a cable or whip is smaller than the breaker protecting it",
      inputs=("PowerNode.breaker_a?", "PowerNode.conductor_a?"))
def conductor_under_breaker(inv: Inventory) -> Iterator[Finding]:
    """A conductor must be protected at or below its ampacity (NEC 240.4; IEC 60364-4-43
    433.1: I_n <= I_z): a 63 A whip behind a 100 A breaker can carry 100 A continuously
    without tripping anything and overheats. Checked where a node declares the ampacity of
    its cable, whip or busway (`conductor_a`).

    Formula:
        breaker_a <= conductor_a

    Fix:
        Use a breaker no larger than the conductor's ampacity, or a larger conductor.
    """
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        if s.breaker_a is not None and s.conductor_a is not None and \
                s.breaker_a > s.conductor_a + 1e-9:
            yield Finding(f"{s.type} {name}: {s.breaker_a:g} A breaker protects a {s.conductor_a:g} A "
                          f"conductor ({s.breaker_a - s.conductor_a:g} A unprotected)", node.origin,
                          f"use a breaker of at most {s.conductor_a:g} A, or a larger conductor")


@rule("ELC005", "a PSU cord sits on an outlet outside the PSU's input voltage range",
      policy=("derating",),
      inputs=("Psus.input_min_v?", "Psus.input_max_v?", "PowerNode.voltage_v?"))
def psu_outlet_voltage(inv: Inventory) -> Iterator[Finding]:
    """A server or switch PSU accepts a range of input voltages (high-line-only GPU server
    PSUs: 200-240 V; wide-range ones 100-240 V). The voltage at a PDU outlet is the PDU feed's
    line-to-neutral voltage on a 3-phase wye (415 V -> 240 V, 400 V -> 231 V, 208 V -> 120 V)
    or its voltage if single-phase. A 200-240 V PSU on a 208 V wye PDU's 120 V outlets will not
    start.

    Formula:
        input_min_v <= V_outlet <= input_max_v,  V_outlet = V_LL / sqrt 3 (3-phase wye PDU)

    Fix:
        Feed the PDU from a supply whose outlet voltage the PSUs accept (415/240 V, or a
        208 V delta PDU wired line-to-line), or use wide-range PSUs.
    """
    for _cab, co in sorted(cabinet_outlets(inv).items()):
        for cord in co.cords:
            psus = cord.device.type.psus
            v = cord.volts
            if psus is None or v is None or cord.outlet is None:
                continue
            low = psus.input_min_v if psus.input_min_v is not None else 0.0
            high = psus.input_max_v if psus.input_max_v is not None else float("inf")
            if not low - 1e-9 <= v <= high + 1e-9:
                rng = (f"{low:g}-{high:g} V" if psus.input_max_v is not None and
                       psus.input_min_v is not None else
                       f"at most {high:g} V" if psus.input_min_v is None else f"at least {low:g} V")
                yield Finding(f"{cord.device.address} cord {cord.k + 1} on "
                              f"{cord.outlet.pdu.address}:{cord.outlet.number} gets {v:.1f} V; "
                              f"its PSUs accept {rng}", cord.device.origin,
                              "feed the PDU from a supply the PSUs accept, or use wide-range PSUs")


@rule("ELC007", "a declared rating is above what the node's breaker, voltage and phases allow",
      inputs=("PowerNode.rating_kw?", "PowerNode.voltage_v?", "PowerNode.breaker_a?",
              "PowerNode.phases=", "PowerNode.pf="))
def rating_above_breaker(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: a node that declares both `rating_kw` and the circuit behind it
    (`voltage_v`, `breaker_a`, `phases`, `pf`) cannot deliver more than that circuit carries
    before its breaker trips. A 1 A breaker written under `rating_kw: 5000` is still a 1 A
    breaker; the lower figure is the node's capacity for PWR003/PWR004, and the contradiction
    is an error naming both. One finding per node line (replicated nodes are folded).

    Formula:
        rating_kw x 1000 <= sqrt(3) V_LL I PF (3-phase), V I PF (1-phase)

    Fix:
        Correct the rating or the breaker (one of them is a typo), or leave out `rating_kw`
        and let the breaker define the node's capacity.
    """
    groups: dict[tuple[Origin, str], list[str]] = {}
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        circuit = breaker_capacity_w(node)
        if s.rating_kw is None or circuit is None or s.rating_kw * 1000.0 <= circuit * (1 + 1e-9):
            continue
        what = (f"declares rating_kw {s.rating_kw:g} kW > {circuit / 1000:.1f} kW its "
                f"{s.voltage_v:g} V, {s.breaker_a:g} A, {s.phases}-phase, PF {s.pf:g} circuit allows")
        groups.setdefault((node.origin, what), []).append(name)
    for (origin, what), names in groups.items():
        kind = inv.power_nodes[names[0]].spec.type
        yield Finding(f"{kind} {fold(names)} {what} (the lower figure is used)", origin,
                      "correct rating_kw or breaker_a, or leave out rating_kw", ("rating_kw",))
