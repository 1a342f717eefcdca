"""PWR: electrical power at cabinets and through the power tree."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.model.power import common_mode_points, power_tree, shelf_capacity, shelves
from superpod_iac.model.utilization import over_rating
from superpod_iac.numbers import kw_1
from superpod_iac.rules.inuse import ACTIVE_ROLES, device_types_where, is_active
from superpod_iac.rules.registry import Finding, rule


@rule("PWR001", "cabinet draw exceeds the cabinet's power rating",
      inputs=("DeviceType.max_w!PWR012", "TransceiverType.power_w!OPT009",
              "CabinetType.power_rating_kw"))
def cabinet_over_rating(inv: Inventory) -> Iterator[Finding]:
    """The sum of the nameplate maximum draw of every device in a cabinet (plus the optics
    plugged into them) must not exceed the cabinet type's power rating: busbar, power shelves
    and cooling are sized for that rating.

    Formula:
        P_cab = sum(device max_w) + sum(transceiver power_w) <= power_rating_kw * 1000

    Fix:
        Remove devices, move them to another cabinet, or use a cabinet type rated for the load.
    """
    for name, load in sorted(cabinet_loads(inv).items()):
        cab = inv.cabinets[name]
        rating = cab.type.power_rating_kw
        if over_rating(load.max_w, rating * 1000):
            yield Finding(f"cabinet {name} draws {load.max_w / 1000:.1f} kW > rating "
                          f"{rating:.1f} kW ({cab.type_name})", cab.origin,
                          "remove or move devices, or use a cabinet type rated for the load")


@rule("PWR002", "cabinet draw exceeds the site policy's cabinet limit",
      policy=("cabinet_kw_limit",),
      inputs=("DeviceType.max_w!PWR012", "TransceiverType.power_w!OPT009"))
def cabinet_over_policy(inv: Inventory) -> Iterator[Finding]:
    """The site policy caps the power any one cabinet may draw (`cabinet_kw_limit`), set by what
    the hall's power distribution and cooling can deliver per position.

    Formula:
        P_cab <= policy.cabinet_kw_limit

    Fix:
        Spread the load over more cabinets or raise the limit in the Site policy (if the
        hall really supports it).
    """
    for name, load in sorted(cabinet_loads(inv).items()):
        cab = inv.cabinets[name]
        limit = inv.policy_for(cab).cabinet_kw_limit
        if load.max_w / 1000 > limit:
            yield Finding(f"cabinet {name} draws {load.max_w / 1000:.1f} kW > site policy "
                          f"limit {limit:.1f} kW", cab.origin,
                          "spread the load or raise cabinet_kw_limit in the Site policy")


@rule("PWR003", "power node load exceeds its derated rating", policy=("derating",),
      inputs=("DeviceType.max_w!PWR012", "PowerNode.rating_kw!PWR011",
              "PowerNode.breaker_a!PWR011", "PowerNode.voltage_v!PWR011", "PowerNode.efficiency=",
              "PowerNode.continuous_100pct="))
def node_over_rating(inv: Inventory) -> Iterator[Finding]:
    """Every node of the power tree (feed, busway, RPP, UPS, transformer) carries at most its
    continuous rating: 80 % of the breaker for continuous loads (NEC 210.20(A), 215.3) unless the
    assembly is declared 100 %-rated. A UPS or generator is used at its kW nameplate: its rating
    is already a continuous output rating (IEC 62040-3, ISO 8528-1); the 80 % rule sizes
    breakers and conductors, not machines. Loads roll up from the devices through power-shelf
    efficiency and node efficiency (UPS losses) to the root.

    Formula:
        P_node = sum(children) (/ efficiency);  capacity = sqrt(3) V_LL I PF x 0.8 (3-phase)
        or rating_kw x 0.8 (rating_kw x 1.0 for a UPS or generator);  P_node <= capacity

    Fix:
        Use a larger breaker / busway, spread cabinets over more feeds, or declare
        `continuous_100pct: true` if the assembly really is 100 %-rated.
    """
    tree = power_tree(inv)
    for name, node in sorted(inv.power_nodes.items()):
        cap = tree.capacity[name]
        load = tree.normal.loads_w.get(name, 0.0)
        if cap.derated_w is not None and load > cap.derated_w + 1e-6:
            yield Finding(f"{node.spec.type} {name} carries {kw_1(load)} > {kw_1(cap.derated_w)} "
                          f"derated rating ({cap.basis})", node.origin,
                          "raise the rating, or move load to another branch")


@rule("PWR004", "a power node is overloaded after a failure the redundancy must survive",
      policy=("derating",),
      inputs=("DeviceType.max_w!PWR012", "PowerNode.rating_kw!PWR011",
              "PowerNode.breaker_a!PWR011", "PowerNode.side?", "PowerSystem.redundancy="))
def node_over_rating_after_failure(inv: Inventory) -> Iterator[Finding]:
    """With 2N power, losing a whole side (A or B) must leave every surviving node within its
    derated rating; with N+1 (and 2N), so must the loss of any single feed, busway, UPS or
    transformer. The survivors pick up the failed side's share of every cabinet.

    Formula:
        for each failure F the PowerSystem redundancy covers:
        P_node(F) <= derated capacity for every node that survives F

    Fix:
        Size every feed (and everything above it) for the full load of one side's failure,
        or declare the redundancy the design really has (`redundancy: N`).
    """
    tree = power_tree(inv)
    for name, node in sorted(inv.power_nodes.items()):
        cap = tree.capacity[name]
        worst = tree.worst.get(name)
        if cap.derated_w is None or worst is None:
            continue
        load, scenario = worst
        normal = tree.normal.loads_w.get(name, 0.0)
        if load > cap.derated_w + 1e-6 and normal <= cap.derated_w + 1e-6:
            yield Finding(f"{node.spec.type} {name} carries {kw_1(load)} after {scenario.replace(' fails', '')} "
                          f"fails > {kw_1(cap.derated_w)} derated rating ({cap.basis})", node.origin,
                          f"size {name} for the load it takes over when {scenario}, "
                          "or spread the load")


@rule("PWR005", "a cabinet loses all power after a single failure", policy=("derating",),
      inputs=("Cabinet.feeds!PWR005", "PowerNode.side?", "PowerNode.parent?"))
def cabinet_unsupplied(inv: Inventory) -> Iterator[Finding]:
    """A cabinet whose every power path runs through one side, feed or upstream node goes dark
    when that one element fails, which the declared redundancy (2N / N+1) promises not to
    happen. Also flags cabinets that draw power but have no feed at all.

    Fix:
        Connect the cabinet (or its power shelves) to both sides / a second feed.
    """
    tree = power_tree(inv)
    loads = cabinet_loads(inv)
    reported: set[str] = set()
    for name in tree.normal.unsupplied:
        cab = inv.cabinets[name]
        reported.add(name)
        if any(f in inv.unbuilt for f in cab.feeds):
            continue  # its feeds are defined in a manifest that failed: reported there
        yield Finding(f"cabinet {name} draws {kw_1(loads[name].max_w)} but none of its feeds "
                      "exists or is connected", cab.origin, "give the cabinet feeds: spec.feeds "
                      "or feeds on its power shelves")
    for name, cab in sorted(inv.cabinets.items()):
        has_supply = bool(cab.feeds) or any(d.feeds for d in shelves(cab.devices))
        if not has_supply and loads[name].max_w > 0 and name not in reported:
            reported.add(name)
            yield Finding(f"cabinet {name} draws {kw_1(loads[name].max_w)} but has no feed",
                          cab.origin, "add spec.feeds (or feeds on its power shelves)")
    common = {cm.node for cm in common_mode_points(inv)}  # RED001 reports those, node by node
    for sc in tree.failures:
        if sc.failed & common:
            continue
        for name in sc.unsupplied:
            if name in reported:
                continue
            reported.add(name)
            yield Finding(f"cabinet {name} loses all power when {sc.name.replace(' fails', '')} "
                          f"fails ({_declared(inv, sc.failed)} declared)", inv.cabinets[name].origin,
                          "feed the cabinet from both sides, or from a second independent feed")


@rule("PWR006", "power shelves cannot supply the cabinet's load",
      inputs=("PowerOutput.psu_count", "PowerOutput.psu_w", "PowerOutput.redundancy=",
              "DeviceType.max_w!PWR012"))
def shelves_short(inv: Inventory) -> Iterator[Finding]:
    """The power shelves (or PDUs with PSUs) in a cabinet must deliver its IT load with their
    PSU redundancy honoured (an N+1 shelf counts one PSU fewer).

    Formula:
        sum(usable PSUs x psu_w) >= P_cab

    Fix:
        Add power shelves or use larger PSUs.
    """
    loads = cabinet_loads(inv)
    for name, (total, _worst, _what) in sorted(shelf_capacity(inv).items()):
        load = loads[name].max_w
        if load > total + 1e-6:
            yield Finding(f"cabinet {name} draws {kw_1(load)} > {kw_1(total)} usable power-shelf "
                          "output", inv.cabinets[name].origin, "add power shelves or PSUs")


@rule("PWR007", "power shelves are short after one shelf or one side fails",
      inputs=("PowerOutput.psu_count", "PowerOutput.psu_w", "Device.feeds?",
              "DeviceType.max_w!PWR012"))
def shelves_short_after_failure(inv: Inventory) -> Iterator[Finding]:
    """With 2N or N+1 power the cabinet must keep running when one power shelf, or every shelf
    on one side, is lost: the surviving shelves carry the whole IT load. GB200 NVL72: 8 x 33 kW
    = 264 kW installed for ~132 kW usable (N+N).

    Formula:
        sum(usable output of surviving shelves) >= P_cab

    Fix:
        Add shelves so each side alone carries the load, or balance shelves across sides.
    """
    loads = cabinet_loads(inv)
    for name, (total, worst, what) in sorted(shelf_capacity(inv).items()):
        load = loads[name].max_w
        if load <= total + 1e-6 and load > worst + 1e-6:
            yield Finding(f"cabinet {name} draws {kw_1(load)} but its shelves give only "
                          f"{kw_1(worst)} when {what.replace(' fails', '')} fails", inv.cabinets[name].origin,
                          "add shelves so the survivors carry the full load")


@rule("PWR008", "phase imbalance above the policy threshold", severity="warning",
      policy=("derating", "phase_imbalance_pct"),
      inputs=("PowerNode.phase?", "PowerNode.phases="))
def phase_imbalance(inv: Inventory) -> Iterator[Finding]:
    """Single-phase branches on a three-phase node should load its phases evenly; imbalance
    overheats the neutral and the worst phase trips first. Operators commonly flag more than
    10-20 % (policy `phase_imbalance_pct`).

    Formula:
        imbalance = max |P_phase - mean| / mean x 100 (NEMA)

    Fix:
        Rotate single-phase branches across L1, L2 and L3.
    """
    tree = power_tree(inv)
    limit = inv.policy.phase_imbalance_pct
    for name, per in sorted(tree.phase_loads_w.items()):
        values = [per["L1"], per["L2"], per["L3"]]
        pct = physics.phase_imbalance_pct(values)
        if pct > limit:
            shown = ", ".join(f"{k} {kw_1(v)}" for k, v in per.items())
            yield Finding(f"phase imbalance on {name} is {pct:.0f} % > {limit:g} % policy "
                          f"({shown})", inv.power_nodes[name].origin,
                          "rotate single-phase branches across L1/L2/L3")


@rule("PWR009", "worst phase exceeds its share of the derated rating", policy=("derating",),
      inputs=("PowerNode.phase?", "PowerNode.breaker_a!PWR011"))
def phase_over_rating(inv: Inventory) -> Iterator[Finding]:
    """Each phase of a three-phase node carries one third of its capacity; the worst phase is
    what trips the breaker, whatever the total.

    Formula:
        max(P_L1, P_L2, P_L3) <= derated capacity / 3

    Fix:
        Balance the phases or use a larger breaker.
    """
    tree = power_tree(inv)
    for name, per in sorted(tree.phase_loads_w.items()):
        cap = tree.capacity[name].derated_w
        if cap is None:
            continue
        phase, load = max(per.items(), key=lambda kv: (kv[1], kv[0]))
        if load > cap / 3 + 1e-6:
            yield Finding(f"phase {phase} of {name} carries {kw_1(load)} > {kw_1(cap / 3)} "
                          f"(a third of the {kw_1(cap)} derated rating)",
                          inv.power_nodes[name].origin, "balance the phases or upsize the breaker")


@rule("PWR010", "high-density cabinet without liquid cooling or redundant feeds",
      policy=("high_density_kw", "derating"),
      inputs=("DeviceType.max_w!PWR012", "Cabinet.cdu?", "Cabinet.feeds!PWR005"))
def high_density(inv: Inventory) -> Iterator[Finding]:
    """Cabinets above the policy's high-density threshold (default 100 kW, the brief's
    '>100 kW per cabinet' class) cannot be air cooled and must not hang on one feed: they need
    a CDU (liquid cooling) and power from two independent paths (feeds on two sides, or at
    least two feeds).

    Formula:
        P_cab > high_density_kw  =>  cdu set and distinct feeds >= 2 (two sides when sides exist)

    Fix:
        Attach the cabinet to a CDU and feed it from both sides.
    """
    loads = cabinet_loads(inv)
    tree = power_tree(inv)
    for name, cab in sorted(inv.cabinets.items()):
        threshold = inv.policy_for(cab).high_density_kw
        kw = loads[name].max_w / 1000
        if kw <= threshold:
            continue
        feeds = set(cab.feeds) | {f for d in shelves(cab.devices) for f in d.feeds}
        sides = {tree.side_of.get(f) for f in feeds} - {None}
        missing = []
        if cab.cdu is None:
            missing.append("no CDU (liquid cooling)")
        if len(feeds) < 2 or (tree.side_of and any(tree.side_of.values()) and len(sides) < 2):
            missing.append(f"{len(feeds)} feed(s) on {len(sides) or 'no'} side(s)")
        if missing:
            yield Finding(f"cabinet {name} draws {kw:.1f} kW > {threshold:g} kW high-density "
                          f"threshold but has {' and '.join(missing)}", cab.origin,
                          "attach a CDU and feed the cabinet from two sides")


@rule("PWR011", "a power node that carries load has no rating", policy=("derating",),
      inputs=("PowerNode.rating_kw?", "PowerNode.voltage_v?", "PowerNode.breaker_a?"))
def node_unrated(inv: Inventory) -> Iterator[Finding]:
    """PWR003 and PWR004 compare what each node of the power tree carries, normally and
    after a failure, with its derated rating; a node with neither `rating_kw` nor `voltage_v`
    and `breaker_a` has no rating, so none of that is checked for it: a feed carrying a
    130 kW cabinet would pass whatever it is. Every node that carries load must be rated
    (one finding per node line; replicated nodes are folded).

    Fix:
        Give the node `rating_kw`, or `voltage_v` with `breaker_a` (and `phases`).
    """
    tree = power_tree(inv)
    groups: dict[Origin, list[tuple[str, float]]] = {}
    for name, node in sorted(inv.power_nodes.items()):
        load = tree.normal.loads_w.get(name, 0.0)
        if load > 0 and tree.capacity[name].derated_w is None:
            groups.setdefault(node.origin, []).append((name, load))
    for origin, items in groups.items():
        names = [n for n, _ in items]
        kind = inv.power_nodes[names[0]].spec.type
        yield Finding(f"{kind} {fold(names)} carries {kw_1(max(w for _, w in items))}"
                      f"{' (the most loaded)' if len(items) > 1 else ''} but has no rating: its "
                      "load is not checked, normally or after a failure", origin,
                      "give it rating_kw, or voltage_v and breaker_a")


@rule("PWR012", "an active device type draws no power (max_w 0)",
      inputs=("DeviceType.max_w?", "DeviceType.role=", "DeviceType.accelerators?",
              "PortGroup.speed_gbps"))
def active_device_unpowered(inv: Inventory) -> Iterator[Finding]:
    """A compute, switch, storage or management device always draws power, but `max_w` left
    out is 0 W: every device of that type then adds nothing to its cabinet's draw, its feeds'
    loads and its heat, and every power and cooling check passes short of it. (An imported
    NetBox device type without power ports gets 0 W and a warning; this is where it stops
    being silent.) Role never hides physics: a type is active by what it holds, whatever its
    `role` says: accelerators, or ports faster than 1 Gb/s (optics and SerDes draw power),
    so a `patch-panel` or `other` with 8 GPUs is checked too. One finding per type, at its
    first device.

    Fix:
        Declare the type's `max_w` (and `typical_w`), from its data sheet or itemised in
        `power_items`.
    """
    unpowered = device_types_where(inv, lambda t: t.max_w == 0 and is_active(t))
    for name, (addresses, first) in unpowered.items():
        t = inv.catalog.device_types[name]
        role = t.role if t.role in ACTIVE_ROLES else f"{t.role}, but {_active_by(t)}"
        yield Finding(f"device type {name} ({role}) declares no max_w: its {len(addresses):,} "
                      f"device(s) ({fold(addresses[:50])}) add 0 W to their cabinets' power and "
                      "heat", first, f"declare max_w for {name} (its data sheet's maximum)")


def _active_by(t: DeviceType) -> str:
    if t.accelerators is not None:
        return f"it holds {t.accelerators.count} {t.accelerators.type}"
    fast = max(g.speed_gbps for g in t.port_groups)
    return f"it has {fast:g} Gb/s ports"


@rule("PWR013", "a device type's typical draw is above its maximum",
      inputs=("DeviceType.typical_w?", "DeviceType.max_w?"))
def typical_above_max(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: `typical_w` is what the device draws in normal operation and
    `max_w` its nameplate maximum; a typical draw above the maximum is a unit slip (kilowatts
    written in a watt field: `max_w: 6.4` next to `typical_w: 9000`), and every power, cooling
    and cost figure built on the lower one is wrong. One finding per type, at its first device.

    Formula:
        typical_w <= max_w

    Fix:
        Correct the figure written in the wrong unit (both are watts).
    """
    slipped = device_types_where(inv, lambda t: t.typical_w is not None and t.typical_w > t.max_w)
    for name, (addresses, first) in slipped.items():
        t = inv.catalog.device_types[name]
        yield Finding(f"device type {name} declares typical_w {t.typical_w:g} W > max_w "
                      f"{t.max_w:g} W ({len(addresses):,} device(s): {fold(addresses[:50])})",
                      first, "both figures are watts: correct the one written in the wrong unit")


def _accelerator_w(inv: Inventory, t: DeviceType) -> tuple[float, str] | None:
    acc = t.accelerators
    chip = inv.catalog.accelerator_types.get(acc.type) if acc is not None else None
    if acc is None or chip is None or not isinstance(chip.tdp_w, (int, float)):
        return None
    return acc.count * chip.tdp_w, f"{acc.count} x {chip.tdp_w:g} W {acc.type}"


@rule("PWR014", "a device type's max_w is below its own accelerators' power",
      inputs=("DeviceType.max_w?", "DeviceType.accelerators?", "AcceleratorType.tdp_w?"))
def max_below_accelerators(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: a device draws at least what its accelerators draw, so its
    `max_w` cannot be below the count times the accelerator type's `tdp_w` from the
    accelerator catalog (a unit slip: 6.4 written for 6,400 W on a node of 8 x 1,000 W GPUs
    passes every cabinet, feed and cooling check 1,000 times too light). Accelerator types
    whose power is not published (`tdp_w: unconfirmed`) bound nothing.

    Formula:
        max_w >= accelerators.count x tdp_w(accelerator type)

    Fix:
        Declare the device's real maximum (watts), including its CPUs, memory, NICs and fans.
    """
    short = device_types_where(inv, lambda t: t.max_w > 0 and (
        (got := _accelerator_w(inv, t)) is not None and got[0] > t.max_w))
    for name, (addresses, first) in short.items():
        t = inv.catalog.device_types[name]
        got = _accelerator_w(inv, t)
        assert got is not None
        yield Finding(f"device type {name} declares max_w {t.max_w:g} W < {got[0]:g} W its "
                      f"accelerators alone draw ({got[1]}; {len(addresses):,} device(s): "
                      f"{fold(addresses[:50])})", first,
                      "declare the device's real maximum in watts")


def _declared(inv: Inventory, failed: frozenset[str]) -> str:
    found = sorted({inv.power_nodes[n].redundancy for n in failed if n in inv.power_nodes})
    return "/".join(found) or "redundancy"
