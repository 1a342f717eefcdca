"""Interfaces and front/rear ports -> port groups that keep every port's identity: names that
fold into one range (`swp[1-60]`) make one group; names that do not are split into runs that
do, or stand alone, so a link to any NetBox interface name finds exactly that port."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from superpod_iac.model.expand import ExpansionError, expand, fold
from superpod_iac.netbox.library.tables import NOT_PORTS, interface_table

SAFE = re.compile(r"[^A-Za-z0-9_./:\-]")
_DIGITS = re.compile(r"\d+")


def port_name(raw: Any) -> str:
    """A NetBox component name as a superpod port name: `{module}` stays a placeholder
    (`module`, warned about by the caller), characters nodesets do not allow become `-`."""
    return SAFE.sub("-", str(raw).replace("{module}", "module").strip()) or "port"


def _round_trips(folded: str, names: list[str]) -> bool:
    try:
        return list(expand(folded)) == names
    except ExpansionError:
        return False


def nodesets(names: list[str]) -> list[str]:
    """Nodesets that expand back to exactly `names` (as a multiset), one per run of names that
    fold together; a name that folds with none stands alone."""
    folded = fold(names)
    if _round_trips(folded, names):
        return [folded]
    by_stem: dict[str, list[str]] = defaultdict(list)
    for n in names:
        by_stem[_DIGITS.sub("#", n)].append(n)
    out: list[str] = []
    for members in by_stem.values():
        f = fold(members)
        if _round_trips(f, members) or _round_trips(f, sorted(members)):
            out.append(f)
        else:
            out.extend(members)
    return out


def interface_groups(ifaces: list[dict[str, Any]], src: str,
                     warnings: list[str]) -> tuple[list[dict[str, Any]], int]:
    """NetBox interfaces -> (port groups, number of interfaces left out). One warning per
    interface type left out (virtual, wireless, no defined rate) or not in the table."""
    table = interface_table()
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    skipped: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for iface in ifaces:
        itype = str(iface.get("type") or "other")
        entry = table.get(itype)
        if entry is None or "speed_gbps" not in entry or entry.get("kind") in NOT_PORTS:
            skipped[itype] += 1
            continue
        name = port_name(iface.get("name", ""))
        if name in seen:
            warnings.append(f"{src}: interface {name} is listed twice: kept once")
            continue
        seen.add(name)
        groups[(itype, bool(iface.get("mgmt_only")))].append(name)
    for itype, n in sorted(skipped.items()):
        entry = table.get(itype)
        why = ("not a NetBox interface type" if entry is None else
               f"kind '{entry.get('kind', 'unrated')}': no cabled port of a defined rate")
        warnings.append(f"{src}: {n} interface(s) of type '{itype}' left out: {why}; links to "
                        "them will be REF findings")
    out: list[dict[str, Any]] = []
    for (itype, mgmt), names in groups.items():
        m = table[itype]
        sets = nodesets(names)
        for i, ports in enumerate(sets):
            base = SAFE.sub("-", itype) + ("-mgmt" if mgmt else "")
            group: dict[str, Any] = {"name": base if len(sets) == 1 else f"{base}-{i + 1}",
                                     "ports": ports, "form_factor": m["form_factor"],
                                     "speed_gbps": m["speed_gbps"]}
            if mgmt:
                group["plane"] = "management"
            out.append(group)
    return out, sum(skipped.values())


PASSIVE_CONNECTORS: dict[str, str] = {
    "lc": "lc", "lc-pc": "lc", "lc-upc": "lc", "lc-apc": "lc", "mpo": "mpo-12", "sn": "sn",
    "8p8c": "rj45"}
"""NetBox front/rear port type -> superpod connector, for the mated pairs a link routed `via` a
panel counts. An MPO of unknown fibre count is taken as MPO-12 (the catalog gives MPO-12, -16
and -24 the same loss); other types (SC, ST, splice, punch-down ...) get none: a link via such a
panel counts one pair of its cable's connector."""


def passive_groups(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Front and rear ports (patch panels, cassettes) -> port groups `front-<name>` and
    `rear-<name>`: NetBox numbers both sides alike (front `01`, rear `01`), so the side is part of
    the name and the two never collide. Their rate is not a property of a passive port: they
    are imported as form factor `other` and the NetBox connector type is kept in the group
    name's source note by the caller; its superpod connector (PASSIVE_CONNECTORS) is the
    group's `connector`."""
    out: list[dict[str, Any]] = []
    for side, key in (("front", "front-ports"), ("rear", "rear-ports")):
        items = [p for p in data.get(key) or [] if isinstance(p, dict)]
        by_type: dict[str, list[str]] = defaultdict(list)
        for p in items:
            by_type[str(p.get("type") or "other")].append(f"{side}-{port_name(p.get('name', ''))}")
        for ptype, names in by_type.items():
            sets = nodesets(names)
            for i, ports in enumerate(sets):
                base = f"{side}-{SAFE.sub('-', ptype)}"
                group = {"name": base if len(sets) == 1 else f"{base}-{i + 1}",
                         "ports": ports, "form_factor": "other", "speed_gbps": 1, "medium": "any"}
                if ptype in PASSIVE_CONNECTORS:
                    group["connector"] = PASSIVE_CONNECTORS[ptype]
                out.append(group)
    return out
