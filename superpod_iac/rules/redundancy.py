"""RED: redundancy that is true, not only declared.

The PWR and CLG rules size the survivors of the failures a design declares (a side, a feed, a
CDU). These rules look for the failures the declaration forgets: a single node above both sides
of a 2N tree, a redundancy group with too few members to have a spare, a 2N cooling group whose
CDUs all hang on one facility loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from superpod_iac.model.cooling import cooling_plan, group_members, spare_shortfall
from superpod_iac.model.inventory import Device, Inventory
from superpod_iac.model.power import common_mode_points, power_tree
from superpod_iac.rules.registry import Finding, rule

_SHOWN = 3


def _devices(devs: list[Device]) -> str:
    cabs = sorted({d.cabinet for d in devs})
    shown = ", ".join(d.address for d in devs[:_SHOWN])
    more = f", ... ({len(devs)} devices in {len(cabs)} cabinet(s))" if len(devs) > _SHOWN else ""
    return shown + more


@rule("RED001", "a single power node is a common-mode point of a 2N design",
      inputs=("PowerNode.side?", "PowerNode.parent?", "PowerSystem.redundancy="))
def power_common_mode(inv: Inventory) -> Iterator[Finding]:
    """2N means two independent paths: no single component failure may remove both. Every node
    of a 2N PowerSystem is failed in turn, not only the feeds and shelves; a node whose subtree
    holds both side A and side B (a shared transformer, UPS or switchboard at the top of the
    tree), or a side-less node whose loss leaves devices without supply, is a common-mode point.
    Sources (`utility`, `generator`) are not failed: a grid outage is what the UPS and
    generators below cover (Uptime Institute Tier Standard: Topology treats the utility as an
    economic alternative, not as the dependable source).

    Formula:
        for every node n (type not utility/generator) of a 2N system:
        dark(n) = devices whose every supply path runs through n;
        n is common-mode when dark(n) != {} and sides below n != exactly one

    Fix:
        Give each side its own path up to the source (one transformer / UPS / switchboard per
        side), or declare the redundancy the design really has (`redundancy: N`).
    """
    for cm in common_mode_points(inv):
        node = inv.power_nodes[cm.node]
        where = "both sides (" + "/".join(cm.sides) + ")" if cm.sides else "no declared side"
        yield Finding(f"{node.spec.type} {cm.node} feeds {where}: its failure darkens "
                      f"{_devices(cm.dark)} although {cm.claimed} is declared", node.origin,
                      f"give each side its own {node.spec.type}, or declare redundancy N")


@rule("RED002", "a redundancy group has too few members to have a spare",
      inputs=("CduGroup.redundancy=", "Cdu.group?"))
def too_few_units(inv: Inventory) -> Iterator[Finding]:
    """A CDU group declared N+1 with one CDU, or a power shelf declared N+1 with one PSU, has
    nothing to fail over to: the declaration is false whatever the load. N+1 needs at least two
    units, N+2 three, 2N (N+N) at least two and an even count (two equal halves).

    Formula:
        members >= 2 (N+1, 2N, N+N), >= 3 (N+2); 2N / N+N: members even

    Fix:
        Add the spare unit (a second CDU, an even PSU count), or declare `redundancy: N`.
    """
    for name, group in sorted(inv.cdu_groups.items()):
        members = group_members(inv).get(name, [])
        if not members:
            continue  # an empty group: TMP003 reports it if it receives heat
        problem = spare_shortfall(group.redundancy, len(members))
        if problem:
            yield Finding(f"CDU group {name} declares {group.redundancy} with {len(members)} "
                          f"CDU(s): {problem}", inv.origins.get(("cdu group", name)),
                          "add CDUs to the group, or declare redundancy N")
    for tname, t in sorted(inv.catalog.device_types.items()):
        out = t.power_output
        if out is None:
            continue
        problem = spare_shortfall(out.redundancy, out.psu_count)
        if problem and any(d.type_name == tname for d in inv.devices):
            yield Finding(f"device type {tname} declares {out.redundancy} PSU redundancy with "
                          f"{out.psu_count} PSU(s): {problem}",
                          inv.catalog.origins.get(("device_types", tname)),
                          "give the shelf a spare PSU, or declare redundancy N")


@rule("RED003", "a 2N CDU group hangs on one facility loop",
      policy=("coolant_delta_t_c", "cdu_approach_c"),
      inputs=("CduGroup.redundancy=", "Cdu.loop?"))
def cooling_common_mode(inv: Inventory) -> Iterator[Finding]:
    """A CDU group declared 2N promises two independent cooling paths; if every CDU of the
    group draws facility water from the same loop, that loop (its pumps, its header, a valve)
    is a common-mode point and the cabinets on the group lose all liquid cooling when it fails.
    (N+1 and N+2 groups only claim to survive the loss of a CDU; their loop is outside the
    claim.)

    Formula:
        2N group: number of distinct `loop` values over its CDUs >= 2

    Fix:
        Put the group's halves on two facility loops, or declare N+1.
    """
    plan = cooling_plan(inv)
    by_group: dict[str, set[str]] = defaultdict(set)
    for c in inv.cdus.values():
        if c.spec.group and c.spec.loop:
            by_group[c.spec.group].add(c.spec.loop)
    for name, group in sorted(inv.cdu_groups.items()):
        loops = by_group.get(name, set())
        if group.redundancy != "2N" or len(loops) != 1:
            continue
        (loop,) = loops
        unit = plan.units.get(name)
        cabs = unit.cabinets if unit else []
        shown = ", ".join(cabs[:_SHOWN]) + (f", ... ({len(cabs)})" if len(cabs) > _SHOWN else "")
        yield Finding(f"CDU group {name} declares 2N but every CDU is on facility loop {loop}: "
                      f"its failure removes liquid cooling from {len(cabs)} cabinet(s)"
                      f"{': ' + shown if cabs else ''}", inv.origins.get(("cdu group", name)),
                      "put the group's halves on two facility loops, or declare N+1")


@rule("RED004", "a CDU's flow falls short when one of its pumps fails",
      policy=("coolant_delta_t_c",),
      inputs=("CduType.pumps?", "CduType.pump_flow_lpm?"))
def pump_redundancy(inv: Inventory) -> Iterator[Finding]:
    """CDUs carry redundant pumps (typically N+1, each pump sized so the others carry the
    design flow): a pump is the part that fails and is serviced most. Where the CDU type gives
    its `pumps` and `pump_flow_lpm`, the flow of the remaining pumps must still cover the heat
    the CDU (its share of its group) carries at the design temperature rise.

    Formula:
        (pumps - 1) x pump_flow_lpm >= required flow of the unit / CDUs in the unit

    Fix:
        Use a CDU type with a spare pump (or larger pumps), or less heat per CDU.
    """
    for name, unit in cooling_plan(inv).units.items():
        if unit.required_lpm is None or not unit.members:
            continue
        need = unit.required_lpm / len(unit.members)
        for m in unit.members:
            t = inv.catalog.cdu_types.get(m.spec.type or "")
            if t is None or t.pumps is None or t.pump_flow_lpm is None:
                continue
            left = (t.pumps - 1) * t.pump_flow_lpm
            if left + 1e-6 < need:
                yield Finding(f"CDU {m.name} ({t.name}, {t.pumps} x {t.pump_flow_lpm:g} L/min pumps) "
                              f"gives {left:g} L/min with one pump out < {need:.0f} L/min its share "
                              f"of {unit.kind} {name} needs", m.origin,
                              "use a CDU with a spare pump or larger pumps, or move heat away")


@rule("RED005", "an automatic-transfer PDU's two inlets are not on two sources",
      policy=("derating",), inputs=("PowerOutput.inlets=", "Device.feeds?", "PowerNode.side?"))
def transfer_single_source(inv: Inventory) -> Iterator[Finding]:
    """An automatic-transfer PDU (`inlets: transfer`) carries its load from one inlet and
    switches to the other when that source fails: it keeps single-corded equipment up through
    the loss of a side only when its two feeds are two different nodes on two different sides
    (where the tree declares sides). With one feed, or both on one side, the transfer has
    nothing independent to switch to, and the power tree's side failures darken it.

    Formula:
        inlets: transfer -> feeds == 2 distinct nodes and side(feed 1) != side(feed 2)

    Fix:
        Give the PDU `feeds: [<A-side feed>, <B-side feed>]`.
    """
    sides = power_tree(inv).side_of
    for dev in inv.devices:
        out = dev.type.power_output
        if out is None or out.inlets != "transfer":
            continue
        feeds = list(dict.fromkeys(dev.feeds or inv.cabinets[dev.cabinet].feeds))
        fed = [sides.get(f) for f in feeds[:2]]
        if len(feeds) < 2:
            what = f"only {feeds[0]}" if feeds else "no feed"
        elif fed[0] is not None and fed[0] == fed[1]:
            what = f"{feeds[0]} and {feeds[1]}, both on side {fed[0]}"
        else:
            continue
        yield Finding(f"{dev.address} ({dev.type_name}) is an automatic-transfer PDU with "
                      f"{what}: losing that source darkens it", dev.origin,
                      "feed its two inlets from feeds on two sides (`feeds: [A-feed, B-feed]`)")
