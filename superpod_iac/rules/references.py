"""REF: references between objects resolve, and names are unique after expansion."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from superpod_iac.diagnostics import Origin
from superpod_iac.model.expand import fold
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
        "loop": list(inv.loops), "accelerator type": list(cat.accelerator_types),
    }
    return table.get(what, [])


@rule("REF001", "reference to an object that does not exist",
      inputs=("every reference by name",))
def unknown_reference(inv: Inventory) -> Iterator[Finding]:
    """Every name a manifest refers to (part type, cabinet, feed, CDU, fabric, port) must be
    defined somewhere in the project or in the built-in catalog. A dangling reference means a
    cabinet without power, a link to nowhere, or a part nobody can order.
    One mistake gives one finding: a wrong name written once (on a template expanded to many
    objects, a media rule used by many links, a link line over many endpoints) is reported
    once with the number of objects it affects; references to objects that are defined but
    could not be built (their manifest failed its schema, their type is unknown) are not
    reported again.

    Fix:
        Correct the name (the hint suggests the closest one) or define the object.
    """
    # one finding per mistake: the same wrong name on one line (a template expanded to 18
    # CDUs, a media rule used by 400 links, a link line over 72 endpoints) is reported once,
    # with the number of objects it affects
    groups: dict[tuple[str, str, Origin], list[tuple[str, str]]] = {}
    for ref in inv.problems.unresolved:
        key = (ref.what, "" if ref.what == "port" else ref.name, ref.origin)
        groups.setdefault(key, []).append((ref.name, ref.context))
    # a did-you-mean costs a difflib scan; past the findings a file keeps
    # (max_findings_per_rule) nobody reads it: 37,000 bad links in a 3 MB file spent 12 s here
    hinted: dict[str, int] = {}
    for (what, _, origin), items in groups.items():
        name, context = items[0]
        contexts = list(dict.fromkeys(c for _, c in items))
        hinted[origin.file] = hinted.get(origin.file, 0) + 1
        if hinted[origin.file] > inv.limits.max_findings_per_rule:
            yield Finding(f"{context} (in {name})" if what == "port" else
                          f"unknown {what} '{name}' ({contexts[0]})", origin,
                          "check the names (did-you-mean is given for the first findings)")
            continue
        if what == "port":
            more = f" and {len(items) - 1:,} more endpoint(s) of this line" if len(items) > 1 \
                else ""
            close = _endpoint_hint(inv, name, context)
            yield Finding(f"{context} (in {name}){more}", origin,
                          f"did you mean '{close}'?" if close else
                          "check cabinet, device and port names (cabinet/device:port)")
            continue
        close_names = difflib.get_close_matches(name, _known(inv, what), n=1)
        hint = f"did you mean '{close_names[0]}'?" if close_names else \
            f"define the {what} or fix the name"
        where = contexts[0] if len(contexts) == 1 else \
            f"{contexts[0]} and {len(contexts) - 1:,} more: {len(contexts):,} objects affected"
        yield Finding(f"unknown {what} '{name}' ({where})", origin, hint)


def _endpoint_hint(inv: Inventory, endpoint: str, reason: str) -> str | None:
    """The endpoint as it was probably meant: closest cabinet, device or port name."""
    dev, _, port = endpoint.rpartition(":")
    cab, _, device = dev.partition("/")
    if reason.startswith("device "):
        if cab not in inv.cabinets:
            close = difflib.get_close_matches(cab, list(inv.cabinets), n=1)
            return f"{close[0]}/{device}:{port}" if close else None
        names = [d.name for d in inv.cabinets[cab].devices]
        close = difflib.get_close_matches(device, names, n=1)
        return f"{cab}/{close[0]}:{port}" if close else None
    idx = inv.device_index.get(dev)
    if reason.startswith("port ") and idx is not None:
        ports = list(inv.catalog.ports(inv.devices[idx].type_name)[1])
        close = difflib.get_close_matches(port, ports, n=1)
        return f"{dev}:{close[0]}" if close else None
    return None


@rule("REF002", "name defined twice",
      inputs=("every name",))
def duplicate_name(inv: Inventory) -> Iterator[Finding]:
    """Names identify objects (cabinets, devices, feeds, parts) and must be unique after
    replication is expanded: `tray[01-18]` and a separate `tray05` collide.

    Fix:
        Rename one of them or narrow the range.
    """
    for dup in inv.problems.duplicates:
        first = dup.first_at or f"{dup.first.file}, {'/'.join(str(p) for p in dup.first.path)}"
        again = f"; again as {dup.via}" if dup.via else ""
        if again and dup.source is not None:
            again += f" (written at {dup.source_at or dup.source.file})"
        yield Finding(f"{dup.kind} '{dup.name}' is defined twice (first at {first}){again}",
                      dup.second, "rename one of them or narrow the replication range")


@rule("REF003", "replication template cannot be expanded",
      inputs=("replication ranges",))
def bad_template(inv: Inventory) -> Iterator[Finding]:
    """Nodeset ranges (`tray[01-18]`) and lockstep fields (`u: "[11-28]"`) must expand cleanly and
    to the same number of values as the name they ride with.

    Fix:
        Make the ranges the same length, or use `{i}` substitution.
    """
    for problem in inv.problems.expansion:
        yield Finding(problem.message, problem.origin,
                      problem.hint or "make lockstep ranges the same length as the name's range")


@rule("REF004", "power tree parents form a loop",
      inputs=("PowerNode.parent?",))
def power_cycle(inv: Inventory) -> Iterator[Finding]:
    """Each power node's `parent` leads up toward the utility; a chain that comes back to
    itself describes no real distribution and makes every load roll-up meaningless.

    Fix:
        Point the chain at the upstream busway, UPS or utility it really hangs from.
    """
    for loop in inv.problems.loops:
        yield Finding(f"power nodes form a loop: {loop.text}", loop.origin,
                      "give the chain a real upstream parent", ("parent",))


@rule("REF005", "a device draws from a feed its cabinet does not list",
      inputs=("Device.feeds?", "Cabinet.feeds?"))
def device_feed_not_on_cabinet(inv: Inventory) -> Iterator[Finding]:
    """A cabinet's `feeds` are the circuits brought to it (the whips to order, pull and label);
    a power shelf or PDU inside it can only plug into one of those. A device that names a feed
    the cabinet does not list describes a cord with nothing to plug into: usually a feed left
    out of the cabinet's list (the B side forgotten, so the drawings, the power cables and the
    NetBox export show a single-fed cabinet) or a typo that lands on another cabinet's feed.
    A cabinet that lists no feeds leaves the choice to its devices and is not checked.
    One finding per device line, naming every device and cabinet it affects.

    Formula:
        set(device feeds) <= set(cabinet feeds), for every cabinet that lists feeds

    Fix:
        Add the feed to the cabinet's `feeds`, or correct the device's `feeds`.
    """
    groups: dict[Origin, tuple[list[str], list[str], list[str]]] = {}
    for cab in inv.iter_cabinets():
        if not cab.feeds:
            continue
        listed = set(cab.feeds)
        for dev in cab.devices:
            extra = [f for f in dev.feeds if f not in listed]
            if extra:
                devices, feeds, cabinets = groups.setdefault(dev.origin, ([], [], []))
                devices.append(dev.address)
                feeds.extend(f for f in extra if f not in feeds)
                if cab.name not in cabinets:
                    cabinets.append(cab.name)
    for origin, (devices, feeds, cabinets) in groups.items():
        first = inv.cabinets[cabinets[0]]
        listed_text = ", ".join(first.feeds)
        yield Finding(
            f"{_plural(devices, 'device')} {fold(devices)} draw{'s' if len(devices) == 1 else ''} "
            f"from {_plural(feeds, 'feed')} {', '.join(feeds)}, which "
            f"{_plural(cabinets, 'cabinet')} {fold(cabinets)} "
            f"{'does' if len(cabinets) == 1 else 'do'} not list "
            f"(feeds: {listed_text}{' ...' if len(cabinets) > 1 else ''})",
            origin, f"add {feeds[0]} to the cabinet's feeds, or correct the device's feeds",
            ("feeds",))


def _plural(items: list[str], noun: str) -> str:
    return noun if len(items) == 1 else noun + "s"
