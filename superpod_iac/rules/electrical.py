"""ELC: electrical compatibility and protection down the power tree.

PWR sizes loads against ratings; these rules check that what is connected can work at all: the
PSU input against the supply (voltage, phases, frequency), breaker coordination from the top of
the tree down, and UPS battery runtime at the load it must carry.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.diagnostics import Origin
from superpod_iac.model.electrical import NodeStudy, node_studies
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.outlets import cabinet_outlets
from superpod_iac.model.power import Supply, ancestors, breaker_capacity_w, power_tree, supplies
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


def _per_node_line(inv: Inventory, groups: dict[tuple[Origin, str], list[str]], message: str,
                   hint: str, fields: tuple[str, ...]) -> Iterator[Finding]:
    """One finding per node line and problem (replicated nodes folded): `message` with
    `{nodes}` (the kind and the folded names) and `{what}` filled in."""
    for (origin, what), names in groups.items():
        kind = inv.power_nodes[names[0]].spec.type
        yield Finding(message.format(nodes=f"{kind} {fold(names)}", what=what), origin, hint,
                      fields)


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
    yield from _per_node_line(inv, groups, "{nodes}: {what}, with no transformer between "
                              f"(tolerance {tol:g} %)",
                              "correct the voltage, or add a transformer node between them",
                              ("voltage_v",))


@rule("ELC020", "a power node's frequency does not match the node above it",
      inputs=("PowerNode.frequency_hz?", "PowerNode.frequency_converter="))
def node_frequency_mismatch(inv: Inventory) -> Iterator[Finding]:
    """A transformer, switchboard or feed runs at the frequency of what feeds it: a transformer
    built for 60 Hz on a 50 Hz utility runs over-fluxed (V/f up 20 %) and overheats, and every
    PSU below it sees a supply its nameplate was not chosen for. Only a frequency converter
    (a double-conversion UPS or a VFD declared with `frequency_converter: true`) separates
    the frequencies above and below it. Each node that declares `frequency_hz` is compared with
    the nearest ancestor that declares one, unless a converter sits between them (the converter
    itself included: its own `frequency_hz` is its output). One finding per node line.

    Formula:
        frequency_hz(node) == frequency_hz(nearest declaring ancestor), unless a node on the
        path (the node itself or an ancestor below the declaring one) is a frequency converter

    Fix:
        Correct the frequency (a 50/60 Hz part declares the site's), use the variant built for
        the site's supply, or put the frequency converter in the tree where it really is.
    """
    groups: dict[tuple[Origin, str], list[str]] = {}
    for name in sorted(inv.power_nodes):
        spec = inv.power_nodes[name].spec
        if spec.frequency_hz is None or spec.frequency_converter:
            continue
        for anc in ancestors(inv, name):
            a = inv.power_nodes[anc].spec
            if a.frequency_hz is not None and not a.frequency_converter:
                if a.frequency_hz != spec.frequency_hz:
                    what = (f"{spec.frequency_hz} Hz under {a.type} {anc} at {a.frequency_hz} Hz")
                    groups.setdefault((inv.power_nodes[name].origin, what), []).append(name)
                break
            if a.frequency_converter:
                break
    yield from _per_node_line(inv, groups, "{nodes}: {what}, with no frequency converter between",
                              "correct the frequency, or declare the double-conversion UPS or "
                              "converter between them (frequency_converter: true)",
                              ("frequency_hz",))


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
      inputs=("Psus.input_min_v?", "Psus.input_max_v?", "PowerNode.voltage_v?",
              "OutletBank.wiring?", "DeviceType.outlet_wiring="))
def psu_outlet_voltage(inv: Inventory) -> Iterator[Finding]:
    """A server or switch PSU accepts a range of input voltages (high-line-only GPU server
    PSUs: 200-240 V; wide-range ones 100-240 V). The voltage at a PDU outlet is the PDU feed's
    line-to-neutral voltage on a 3-phase wye (415 V -> 240 V, 400 V -> 231 V, 208 V -> 120 V),
    its line-to-line voltage where the bank is wired between two lines (`wiring`, default the
    PDU type's `outlet_wiring`: North American 208 V PDUs give 208 V at C13/C19 outlets), or
    its voltage if single-phase. A 200-240 V PSU on a 208 V wye PDU's 120 V outlets will not
    start.

    Formula:
        input_min_v <= V_outlet <= input_max_v,
        V_outlet = V_LL / sqrt 3 (line-to-neutral bank) or V_LL (line-to-line bank)

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


STUDY_POLICY = ("derating", "copper_resistivity_ohm_mm2_m", "aluminium_resistivity_ohm_mm2_m",
                "conductor_reactance_mohm_m")
"""What the electrical studies read (model.electrical: loads through the power tree, conductor
impedances)."""


@rule("ELC021", "a conductor's voltage drop at the design load is over the branch limit",
      policy=("voltage_drop_branch_pct", *STUDY_POLICY),
      inputs=("PowerNode.conductor?", "Conductor.length_m", "Conductor.material",
              "Conductor.size_mm2?", "Conductor.awg?", "Conductor.parallel=", "PowerNode.pf="))
def conductor_voltage_drop(inv: Inventory) -> Iterator[Finding]:
    """A long or thin feeder loses voltage under load: the PSUs at its end see less than the
    supply, run hotter and drop out first on a sag. Each node with a `conductor` (length, size,
    material, parallel sets) is checked at its worst-case current (normal or after a single
    failure). Limit: policy `voltage_drop_branch_pct` (3 %, NEC 210.19(A) IN 4 / 215.2(A)(2)
    IN 2). Resistivity at service temperature and reactance per metre from policy (IEC
    60364-5-52 Annex G: copper 0.0225, aluminium 0.036 ohm mm2/m; 0.08 mOhm/m).

    Formula:
        I_B = P / (sqrt 3 V_LL PF) (3-phase) or P / (V PF);
        R = rho_1 L / (S n), X = lambda L / n;
        dU % = 100 b (R cos phi + X sin phi) I_B / U0, b = 1 and U0 = V_LL / sqrt 3 (3-phase),
        b = 2 and U0 = V (1-phase)  (IEC 60364-5-52 G.52.1)

    Fix:
        A larger conductor, parallel sets, a shorter route, or a higher distribution voltage.
    """
    limit = inv.policy.voltage_drop_branch_pct
    for name, study in sorted(node_studies(inv).items()):
        if study.drop_pct is None or study.drop_pct <= limit + 1e-9:
            continue
        node = inv.power_nodes[name]
        c = node.spec.conductor
        assert c is not None
        size = f"{c.size_mm2:g} mm2" if c.size_mm2 is not None else f"{c.awg} AWG"
        yield Finding(f"{node.spec.type} {name}: {c.length_m:g} m of {c.parallel} x {size} "
                      f"{c.material} drops {study.drop_pct:.2f} % at {study.current_a:.1f} A "
                      f"> {limit:g} % branch limit", node.origin,
                      "use a larger conductor or parallel sets, or shorten the run",
                      ("conductor",))


@rule("ELC022", "the voltage drop from the transformer to a node is over the total limit",
      policy=("voltage_drop_total_pct", *STUDY_POLICY),
      inputs=("PowerNode.conductor?", "Conductor.length_m", "Conductor.material",
              "Conductor.size_mm2?", "Conductor.awg?", "Conductor.parallel=", "PowerNode.pf="))
def total_voltage_drop(inv: Inventory) -> Iterator[Finding]:
    """Each conductor may be within its own limit and the chain still leave the PSUs short: the
    drops of the conductors from the top of a voltage level (the nearest transformer, or the
    source) down to a node add up. Limit: policy `voltage_drop_total_pct` (5 %, NEC 210.19(A)
    IN 4; IEC 60364-5-52 Table G.52.1). Reported at the deepest node over the limit on each
    path (its ancestors over the limit are part of the same finding).

    Formula:
        sum of dU % of the conductors from the level's top down to the node <= limit

    Fix:
        Enlarge the longest or most loaded conductor on the path, or feed from closer.
    """
    limit = inv.policy.voltage_drop_total_pct
    studies = node_studies(inv)
    over = {n for n, s in studies.items() if (s.total_drop_pct or 0.0) > limit + 1e-9}
    parents = {inv.power_nodes[n].spec.parent for n in over}
    for name in sorted(over - parents):
        s = studies[name]
        node = inv.power_nodes[name]
        yield Finding(f"{node.spec.type} {name}: {s.total_drop_pct:.2f} % voltage drop from "
                      f"{s.total_from} down > {limit:g} % total limit", node.origin,
                      "enlarge the longest or most loaded conductor on the path",
                      ("conductor",))


@rule("ELC023", "the prospective fault current at a node exceeds its short-circuit rating",
      policy=STUDY_POLICY,
      inputs=("PowerNode.sccr_ka?", "DeviceType.sccr_ka?", "PowerNode.fault_ka?",
              "PowerNode.rating_kva!ELC023", "PowerNode.impedance_pct!ELC023",
              "PowerNode.conductor?"))
def fault_over_rating(inv: Inventory) -> Iterator[Finding]:
    """A breaker or assembly must withstand and interrupt the largest current a bolted fault at
    its terminals can drive (NEC 110.9, 110.10; IEC 60947-2 I_cu, IEC 61439 I_cc): an
    under-rated breaker or PDU can explode instead of clearing the fault. The prospective
    current is computed down the tree (IEC 60909-0 with c = 1): the source's `fault_ka` (or an
    infinite bus above a transformer whose primary side is unknown), the transformer's %Z on its
    `rating_kva`, and the conductors between (at 20 C). Checked for power nodes and device
    types (rack PDUs, power shelves) that declare `sccr_ka`; where a figure the computation
    needs is missing, that is the finding (a check that cannot run is not a pass).

    Formula:
        Z_T = u_k/100 x V^2 / S_rT;  Z_Q = V / (sqrt 3 I_kQ) (referred by (V2/V1)^2);
        I_k = V / (sqrt 3 |R_cond + j (X_T + X_Q + X_cond)|)  <=  sccr_ka

    Fix:
        Use breakers and PDUs rated for the available fault current, or limit it (a higher-%Z
        transformer, current-limiting fuses, longer or smaller feeders).
    """
    studies = node_studies(inv)
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        yield from _fault_check(f"{node.spec.type} {name}", node.spec.sccr_ka, studies[name],
                                node.origin)
    seen: set[tuple[str, str]] = set()
    for dev in inv.devices:
        rating = dev.type.sccr_ka
        if rating is None:
            continue
        for feed in dev.feeds or inv.cabinets[dev.cabinet].feeds:
            if feed in studies and (dev.type_name, feed) not in seen:
                seen.add((dev.type_name, feed))
                yield from _fault_check(f"{dev.address} ({dev.type_name}) on {feed}", rating,
                                        studies[feed], dev.origin)


def _fault_check(what: str, rating: float | None, study: NodeStudy,
                 origin: Origin) -> Iterator[Finding]:
    if rating is None:
        return
    if study.fault_ka is None:
        yield Finding(f"{what}: rated {rating:g} kA, but the fault current there cannot be "
                      f"computed: {study.fault_missing}", origin,
                      "declare the source's fault_ka, and each transformer's rating_kva, "
                      "impedance_pct and voltage_v", ("sccr_ka",))
    elif study.fault_ka > rating + 1e-9:
        yield Finding(f"{what}: prospective fault current {study.fault_ka:.1f} kA > its "
                      f"{rating:g} kA short-circuit rating", origin,
                      f"use equipment rated at least {math.ceil(study.fault_ka):d} kA, or "
                      "limit the fault current", ("sccr_ka",))


@rule("ELC024", "a transformer, UPS or generator is over its kVA rating, or claims more kW "
      "than its kVA gives", policy=("derating",),
      inputs=("PowerNode.rating_kva?", "PowerNode.rating_kw?", "PowerNode.pf="))
def kva_rating(inv: Inventory) -> Iterator[Finding]:
    """Transformers, UPSs and generators are rated in kVA: at a power factor below 1 they carry
    less real power than their kVA figure. A declared `rating_kw` above `rating_kva` x PF is a
    claim the nameplate cannot back (derived beats declared), and the worst-case load's
    apparent power must fit the kVA rating.

    Formula:
        rating_kw <= rating_kva x PF;   P_worst / PF <= rating_kva x 1000

    Fix:
        Correct the kW rating to kVA x PF, or use a larger unit.
    """
    tree = power_tree(inv)
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        if s.rating_kva is None:
            continue
        if s.rating_kw is not None and s.rating_kw > s.rating_kva * s.pf + 1e-9:
            yield Finding(f"{s.type} {name}: rating_kw {s.rating_kw:g} kW > {s.rating_kva:g} kVA "
                          f"x PF {s.pf:g} = {s.rating_kva * s.pf:g} kW", node.origin,
                          "declare the kW the kVA rating gives at the design PF",
                          ("rating_kw",))
        load = max(tree.normal.loads_w.get(name, 0.0), tree.worst.get(name, (0.0, ""))[0])
        kva = load / s.pf / 1000.0
        if kva > s.rating_kva + 1e-9:
            yield Finding(f"{s.type} {name}: worst-case load {load / 1000:.1f} kW at PF {s.pf:g} "
                          f"= {kva:.1f} kVA > {s.rating_kva:g} kVA rating", node.origin,
                          "move load or use a larger unit", ("rating_kva",))


@rule("ELC025", "a fault below a breaker also trips the breaker above it instantaneously",
      severity="warning", policy=STUDY_POLICY,
      inputs=("PowerNode.trip_instantaneous_a?", "PowerNode.conductor?"))
def selective_coordination(inv: Inventory) -> Iterator[Finding]:
    """Selective coordination: a fault on a branch should open only the branch's breaker. When
    the prospective fault current at a breaker's location reaches the instantaneous pickup of
    the breaker above it (same voltage level), both trip instantaneously and every sibling
    loses power (required for emergency and critical systems: NEC 700.32, 701.32, 708.54).
    Approximation: breakers are compared by instantaneous pickup only (no time-current curves);
    checked where a node and the nearest breaker above it declare `trip_instantaneous_a` and
    the fault current is known.

    Formula:
        I_k(node) < trip_instantaneous_a(nearest upstream breaker, no transformer between)

    Fix:
        Raise the upstream instantaneous pickup (or use a short-time delay), or limit the
        fault current at the branch.
    """
    studies = node_studies(inv)
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        fault = studies[name].fault_ka
        if node.spec.trip_instantaneous_a is None or fault is None:
            continue
        for anc in ancestors(inv, name):
            a = inv.power_nodes[anc].spec
            if a.type == "transformer":
                break
            if a.trip_instantaneous_a is None:
                continue
            if fault * 1000.0 >= a.trip_instantaneous_a - 1e-9:
                yield Finding(f"{node.spec.type} {name}: a {fault:.1f} kA fault below it reaches "
                              f"the {a.trip_instantaneous_a:g} A instantaneous pickup of {anc} "
                              f"above: both trip", node.origin,
                              f"raise {anc}'s instantaneous pickup above {fault * 1000:.0f} A "
                              "or give it a short-time delay", ("trip_instantaneous_a",))
            break


@rule("ELC029", "a breaker's instantaneous pickup or a transformer's impedance is outside "
      "what its standard allows (a unit slip)",
      inputs=("PowerNode.trip_instantaneous_a?", "PowerNode.impedance_pct?",
              "PowerNode.breaker_a?", "PowerNode.rating_kva?"))
def implausible_protection(inv: Inventory) -> Iterator[Finding]:
    """Declared figures the fault-current and coordination studies (ELC023, ELC025) believe,
    cross-checked against what a real device can have. An instantaneous pickup below the
    breaker's own rating would trip on its normal load: instantaneous releases sit at 3-20 x In
    (IEC 60898-1 curves B, C, D; IEC 60947-2 adjustable releases above In), so such a figure is
    a slip (amps for a multiple, or the wrong breaker). A transformer impedance below the
    recognised minimum for its rating (IEC 60076-5 Table 1: 4 % to 630 kVA ... 12.5 % above
    63 MVA) is not built (the windings would not survive their own fault); 0.06 written for
    6 % makes the fault current 100 times too large, 60 for 6 % ten times too small, and the
    second hides an under-rated breaker from ELC023: both are findings. An impedance above
    three times the minimum is flagged too (special high-impedance units exist: say so with
    an inline ignore).

    Formula:
        trip_instantaneous_a >= breaker_a
        u_k,min(S_rT) <= impedance_pct <= 3 x u_k,min(S_rT)

    Fix:
        Write the pickup in amps (multiple x breaker_a) and the impedance in percent, from the
        breaker's and transformer's datasheets.
    """
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        if s.trip_instantaneous_a is not None and s.breaker_a is not None \
                and s.trip_instantaneous_a < s.breaker_a:
            yield Finding(f"{s.type} {name}: instantaneous pickup {s.trip_instantaneous_a:g} A "
                          f"< its {s.breaker_a:g} A rating: it would trip on normal load "
                          "(instantaneous releases sit at 3-20 x In, IEC 60898-1/60947-2)",
                          node.origin, "write the pickup in amps: the multiple on the "
                          "breaker's curve x breaker_a", ("trip_instantaneous_a",))
        if s.impedance_pct is None or s.rating_kva is None or s.rating_kva <= 0:
            continue
        least = physics.min_transformer_impedance_pct(s.rating_kva)
        if not least - 1e-9 <= s.impedance_pct <= 3 * least + 1e-9:
            yield Finding(f"{s.type} {name}: impedance {s.impedance_pct:g} % for "
                          f"{s.rating_kva:,g} kVA is outside {least:g}-{3 * least:g} % (IEC "
                          f"60076-5 Table 1 minimum {least:g} %): the fault current ELC023 "
                          "checks would be wrong by the same factor", node.origin,
                          "write the nameplate impedance in percent (6 for 6 %)",
                          ("impedance_pct",))


ALTITUDE_TYPES = ("transformer", "ups", "generator")


@rule("ELC026", "a transformer, UPS or generator above its rated altitude is over its derated "
      "rating, or has no derating to check", policy=("derating", "equipment_rated_altitude_m"),
      inputs=("PowerNode.altitude_m?", "PowerNode.altitude_derating!ELC026", "PowerNode.rating_kw?"))
def altitude_derating(inv: Inventory) -> Iterator[Finding]:
    """Thin air cools transformers and generators less and lowers an engine's output: above
    the altitude their nameplate holds (policy `equipment_rated_altitude_m`, 1,000 m: IEC
    60076-1 4.2, IEC 60034-1 6.2) the rating falls by the machine's altitude derating
    (`altitude_derating`: above_m, pct_per_100m and its source; IEC 60076-2 and ISO 8528-1 give
    the standard factors, datasheets the curves). A node installed higher (`altitude_m`)
    without a derating cannot be checked: that is the finding.

    Formula:
        factor = 1 - pct_per_100m / 100 x max(0, altitude_m - above_m) / 100
        P_worst <= rating_kw x factor

    Fix:
        Declare the machine's altitude derating, and size it for the derated rating.
    """
    tree = power_tree(inv)
    rated_to = inv.policy.equipment_rated_altitude_m
    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        if s.type not in ALTITUDE_TYPES or s.altitude_m is None or s.rating_kw is None:
            continue
        d = s.altitude_derating
        if d is None:
            if s.altitude_m > rated_to + 1e-9:
                yield Finding(f"{s.type} {name} at {s.altitude_m:g} m is above the {rated_to:g} m "
                              f"its {s.rating_kw:g} kW nameplate holds, and declares no "
                              "altitude_derating: its capacity there is unknown", node.origin,
                              "declare altitude_derating (above_m, pct_per_100m, source) from "
                              "its datasheet", ("altitude_m",))
            continue
        factor = 1.0 - d.pct_per_100m / 100.0 * max(0.0, s.altitude_m - d.above_m) / 100.0
        load = max(tree.normal.loads_w.get(name, 0.0), tree.worst.get(name, (0.0, ""))[0])
        usable = s.rating_kw * max(factor, 0.0)
        if load / 1000.0 > usable + 1e-9:
            yield Finding(f"{s.type} {name}: worst-case load {load / 1000:.1f} kW > {usable:.2f} kW "
                          f"({s.rating_kw:g} kW derated {d.pct_per_100m:g} %/100 m above "
                          f"{d.above_m:g} m, at {s.altitude_m:g} m)", node.origin,
                          "size the machine for its derated rating, or move load",
                          ("altitude_m",))


@rule("ELC027", "a wye feed's neutral carries more than it is rated for (imbalance and "
      "third harmonics)", policy=("derating", "voltage_tolerance_pct"),
      inputs=("PowerNode.neutral_a!ELC027", "PowerNode.load_thd_pct?",
              "PowerNode.phase?", "Psus.current_thd_pct?", "PowerOutput.current_thd_pct?"))
def neutral_overload(inv: Inventory) -> Iterator[Finding]:
    """Single-phase loads between line and neutral return their current through the neutral:
    the fundamentals cancel only when the phases are balanced, and the third harmonics of
    switch-mode PSUs (and every triplen) add in it instead of cancelling. A neutral sized like
    a phase conductor can carry up to 1.73 x the phase current with high third-harmonic loads
    (IEC 60364-5-52 Annex E; NEC 310.15(E)(3) counts such a neutral as current-carrying).
    Checked for a three-phase node whose single-phase children sit line-to-neutral, at the
    normal phase loads, with each branch's current THD taken as third harmonic (an upper
    bound): the branch's `load_thd_pct` where declared (a harmonic study), else the largest
    `current_thd_pct` of the PSUs drawing from it (catalog), against the node's `neutral_a`
    (or a full-size neutral of `conductor_a`); a node whose neutral carries current and that
    declares neither figure cannot be checked, and that is the finding.

    Formula:
        I_p = P_p / (V_LN x PF);  I_N1^2 = I1^2 + I2^2 + I3^2 - I1 I2 - I2 I3 - I3 I1;
        I_N3 = sum(h_p x I_p);  I_N = sqrt(I_N1^2 + I_N3^2) <= neutral_a

    Fix:
        Balance the phases, use a double-size neutral, or PSUs with lower current THD.
    """
    tree = power_tree(inv)
    sup = supplies(inv)
    psu_thd = feed_thd_pct(inv)
    for name in sorted(tree.phase_loads_w):
        node = inv.power_nodes[name]
        s = node.spec
        rating = s.neutral_a if s.neutral_a is not None else s.conductor_a
        v = sup[name].voltage_v
        if s.phases != 3 or v is None:
            continue
        amps, thd = _neutral_phases(inv, name, v, sup, psu_thd)
        if not any(amps.values()):
            continue
        third = sum(thd[p] * amps[p] for p in amps)
        h3 = third / sum(amps.values())
        neutral = physics.neutral_current_a(amps["L1"], amps["L2"], amps["L3"], third)
        if rating is None and neutral >= 0.05:  # shown as 0.0 A below that
            yield Finding(f"{s.type} {name}: its neutral carries {neutral:.1f} A (phases "
                          f"{amps['L1']:.1f} / {amps['L2']:.1f} / {amps['L3']:.1f} A line-to-"
                          f"neutral, third harmonic {h3 * 100:.0f} %) but the node declares "
                          "neither neutral_a nor conductor_a: the neutral cannot be checked",
                          node.origin, "declare the neutral's ampacity (neutral_a), or the "
                          "phase conductors' (conductor_a) for a full-size neutral")
        elif rating is not None and neutral > rating + 1e-9:
            yield Finding(f"{s.type} {name}: neutral carries {neutral:.1f} A (phases "
                          f"{amps['L1']:.1f} / {amps['L2']:.1f} / {amps['L3']:.1f} A line-to-"
                          f"neutral, third harmonic {h3 * 100:.0f} %) > {rating:g} A neutral",
                          node.origin, "balance the phases, double the neutral, or use PSUs "
                          "with lower current THD", ("neutral_a",))


def _neutral_phases(inv: Inventory, parent: str, v_ll: float, sup: dict[str, Supply],
                    psu_thd: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Line-to-neutral current per phase under a wye node, and each phase's THD fraction."""
    loads = power_tree(inv).normal.loads_w
    v_ln = physics.line_to_neutral_v(v_ll)
    tol = inv.policy.voltage_tolerance_pct
    amps = {"L1": 0.0, "L2": 0.0, "L3": 0.0}
    thd = {"L1": 0.0, "L2": 0.0, "L3": 0.0}
    for child in inv.power_nodes[parent].children:
        c = inv.power_nodes[child].spec
        cv = sup[child].voltage_v
        if c.phases != 1 or c.phase is None or cv is None or \
                not physics.within_pct(cv, v_ln, tol):
            continue  # a line-to-line branch puts nothing on the neutral
        amps[c.phase] += physics.single_phase_current_a(loads.get(child, 0.0), cv, c.pf)
        branch = c.load_thd_pct if c.load_thd_pct is not None else psu_thd.get(child, 0.0)
        thd[c.phase] = max(thd[c.phase], branch / 100.0)
    return amps, thd


def feed_thd_pct(inv: Inventory) -> dict[str, float]:
    """Per feed, the largest input current THD of the PSUs drawing from it (device cords'
    `psus.current_thd_pct`, power shelves' `power_output.current_thd_pct`)."""
    out: dict[str, float] = {}
    for dev in inv.devices:
        t = dev.type
        figures = [x.current_thd_pct for x in (t.psus, t.power_output) if x is not None]
        thd = max((f for f in figures if f is not None), default=None)
        if thd is None:
            continue
        for feed in dev.feeds or inv.cabinets[dev.cabinet].feeds:
            out[feed] = max(out.get(feed, 0.0), thd)
    return out


@rule("ELC028", "a generator picks up a larger load step than it can accept",
      policy=("derating",),
      inputs=("PowerNode.step_load_pct?", "PowerNode.rating_kw?"))
def generator_step_load(inv: Inventory) -> Iterator[Finding]:
    """When the utility fails, the generator starts and its transfer switch closes on every
    load below it at once, except what sits behind a UPS (the UPS carries it on battery and its
    rectifier walks back onto the generator gradually). A genset accepts only a limited load
    step before its frequency and voltage dip out of tolerance (ISO 8528-5 performance classes;
    diesel sets typically 30-60 % of rating in one step, from the datasheet's `step_load_pct`).
    Checked for generators that declare `step_load_pct`, at the worst-case load.

    Formula:
        sum(P_worst of the generator's loads not behind a UPS) <= rating_kw x step_load_pct / 100

    Fix:
        Put the load behind a UPS, sequence the transfer in steps (load shedding / staged
        ATS), or use a generator with a larger step-load acceptance.
    """
    tree = power_tree(inv)

    def load(n: str) -> float:
        return max(tree.normal.loads_w.get(n, 0.0), tree.worst.get(n, (0.0, ""))[0])

    for name in sorted(inv.power_nodes):
        node = inv.power_nodes[name]
        s = node.spec
        if s.type != "generator" or s.step_load_pct is None or s.rating_kw is None:
            continue
        behind_ups = sum(load(u) for u in _nearest_below(inv, name, "ups"))
        step = max(0.0, load(name) - behind_ups)
        limit = s.rating_kw * 1000.0 * s.step_load_pct / 100.0
        if step > limit + 1e-6:
            yield Finding(f"generator {name} picks up a {step / 1000:.1f} kW step on transfer "
                          f"> {limit / 1000:.1f} kW ({s.step_load_pct:g} % of {s.rating_kw:g} kW "
                          f"step-load acceptance)", node.origin,
                          "put the load behind a UPS, stage the transfer, or use a generator "
                          "that accepts a larger step", ("step_load_pct",))


def _nearest_below(inv: Inventory, name: str, kind: str) -> list[str]:
    """The nodes of a type nearest below a node (not looking below the first one found)."""
    found: list[str] = []
    stack = list(inv.power_nodes[name].children)
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        if n in seen or n not in inv.power_nodes:
            continue
        seen.add(n)
        if inv.power_nodes[n].spec.type == kind:
            found.append(n)
        else:
            stack.extend(inv.power_nodes[n].children)
    return found


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
    yield from _per_node_line(inv, groups, "{nodes} {what} (the lower figure is used)",
                              "correct rating_kw or breaker_a, or leave out rating_kw",
                              ("rating_kw",))
