"""REF: references between objects resolve, and names are unique after expansion."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import Finding, rule


def _known(inv: Inventory, what: str) -> list[str]:
    cat = inv.catalog
    table: dict[str, list[str]] = {
        "cabinet type": list(cat.cabinet_types), "device type": list(cat.device_types),
        "transceiver type": list(cat.transceiver_types), "cable type": list(cat.cable_types),
        "CDU type": list(cat.cdu_types), "fluid": list(cat.fluids),
        "feed": list(inv.power_nodes), "power node": list(inv.power_nodes),
        "CDU": list(inv.cdus), "CDU group": list(inv.cdu_groups), "hall": list(inv.halls),
        "cabinet": list(inv.cabinets), "fabric": list(inv.fabrics),
        "superpod": list(inv.superpods), "row": [f"{h}/{r}" for h, r in inv.rows],
    }
    return table.get(what, [])


@rule("REF001", "reference to an object that does not exist")
def unknown_reference(inv: Inventory) -> Iterator[Finding]:
    """Every name a manifest refers to (part type, cabinet, feed, CDU, fabric, port) must be
    defined somewhere in the project or in the built-in catalog. A dangling reference means a
    cabinet without power, a link to nowhere, or a part nobody can order.

    Example:
        spec: {type: nvl72-rack, feeds: [busway-A9]}   # no power node busway-A9

    Fix:
        Correct the name (the hint suggests the closest one) or define the object.
    """
    for what, name, origin, context in inv.unresolved:
        close = difflib.get_close_matches(name, _known(inv, what), n=1)
        if what == "port":
            yield Finding(f"{context} (in {name})", origin,
                          f"did you mean '{close[0]}'?" if close else
                          "check cabinet, device and port names (cabinet/device:port)")
            continue
        hint = f"did you mean '{close[0]}'?" if close else f"define the {what} or fix the name"
        yield Finding(f"unknown {what} '{name}' ({context})", origin, hint)


@rule("REF002", "name defined twice")
def duplicate_name(inv: Inventory) -> Iterator[Finding]:
    """Names identify objects (cabinets, devices, feeds, parts) and must be unique after
    replication is expanded: `tray[01-18]` and a separate `tray05` collide.

    Example:
        metadata: {name: nvl72-[01-08]}
        ---
        metadata: {name: nvl72-03}

    Fix:
        Rename one of them or narrow the range.
    """
    for kind, name, first, second in inv.duplicates:
        yield Finding(f"{kind} '{name}' is defined twice (first at {first.file}, "
                      f"{'/'.join(str(p) for p in first.path)})", second,
                      "rename one of them or narrow the replication range")


@rule("REF003", "replication template cannot be expanded")
def bad_template(inv: Inventory) -> Iterator[Finding]:
    """Nodeset ranges (`tray[01-18]`) and lockstep fields (`u: "[11-28]"`) must expand cleanly and
    to the same number of values as the name they ride with.

    Example:
        name: tray[01-18]
        u: "[11-27]"      # 17 values for 18 trays

    Fix:
        Make the ranges the same length, or use `{i}` substitution.
    """
    for message, origin in inv.expansion_errors:
        yield Finding(message, origin, "make lockstep ranges the same length as the name's range")


@rule("REF004", "power tree parents form a loop")
def power_cycle(inv: Inventory) -> Iterator[Finding]:
    """Each power node's `parent` leads up toward the utility; a chain that comes back to
    itself describes no real distribution and makes every load roll-up meaningless.

    Example:
        - {name: rpp-1, parent: rpp-2}
        - {name: rpp-2, parent: rpp-1}

    Fix:
        Point the chain at the upstream busway, UPS or utility it really hangs from.
    """
    for loop, origin in inv.cycles:
        yield Finding(f"power nodes form a loop: {loop}", origin,
                      "give the chain a real upstream parent", ("parent",))
