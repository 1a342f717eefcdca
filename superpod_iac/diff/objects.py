"""Changes to the resolved design: cabinets, devices, links and BOM lines.

The manifest view (`changes.py`) says which line changed; this view says what it did to the
expanded objects (a cabinet template line moves 8 cabinets, a device moves from U20 to U22).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from superpod_iac.bom import bom_lines
from superpod_iac.diff.changes import show
from superpod_iac.model.inventory import Cabinet, Device, Inventory

LINK_SET_LIMIT = 200_000
"""Above this many links, links are compared as counts per fabric and media."""
MAX_LINK_EXAMPLES = 50


@dataclass(frozen=True, slots=True)
class ObjectChange:
    op: str
    kind: str
    """`cabinet` or `device`."""
    name: str
    details: tuple[str, ...] = ()
    """`u: 20 -> 22`, `type: a -> b` for a changed object."""


@dataclass
class ObjectDiff:
    objects: list[ObjectChange] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    link_examples: list[str] = field(default_factory=list)
    bom_changes: list[tuple[str, str, int, int]] = field(default_factory=list)
    bom_costs: list[str] = field(default_factory=list)
    """Per BOM change, in step: `old -> new CUR` when both sides are priced, else
    `unconfirmed` (a part without a confirmed price is never shown as free)."""

    @property
    def empty(self) -> bool:
        return not (self.objects or self.links_added or self.links_removed or self.bom_changes)


def _fields(old: object, new: object, names: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for n in names:
        a, b = getattr(old, n), getattr(new, n)
        if a != b:
            out.append(f"{n.removesuffix('_name')}: {show(a)} -> {show(b)}")
    return tuple(out)


_CABINET_FIELDS = ("type_name", "hall", "row", "slot", "feeds", "cdu", "rear_door_kw", "rear_door",
                   "extra_weight_kg", "superpod")
_DEVICE_FIELDS = ("type_name", "u", "feeds")


def _cabinets(old: Inventory, new: Inventory) -> list[ObjectChange]:
    out: list[ObjectChange] = []
    oc, nc = old.cabinets, new.cabinets
    for name in sorted(set(oc) | set(nc)):
        a: Cabinet | None = oc.get(name)
        b: Cabinet | None = nc.get(name)
        if a is None and b is not None:
            out.append(ObjectChange("+", "cabinet", name, _holding(b)))
        elif b is None and a is not None:
            out.append(ObjectChange("-", "cabinet", name, _holding(a)))
        else:
            details = _fields(a, b, _CABINET_FIELDS)
            if details:
                out.append(ObjectChange("~", "cabinet", name, details))
    return out


def _holding(cab: Cabinet) -> tuple[str, ...]:
    """A whole cabinet added or removed: its type and device count (devices not listed)."""
    n = len(cab.devices)
    return (f"{cab.type_name}, {n:,} device{'s' if n != 1 else ''}",)


def _devices(old: Inventory, new: Inventory) -> list[ObjectChange]:
    out: list[ObjectChange] = []
    both = set(old.cabinets) & set(new.cabinets)  # devices of added / removed cabinets: above
    od: dict[str, Device] = {d.address: d for d in old.devices if d.cabinet in both}
    nd: dict[str, Device] = {d.address: d for d in new.devices if d.cabinet in both}
    for addr in sorted(set(od) | set(nd)):
        a, b = od.get(addr), nd.get(addr)
        if a is None and b is not None:
            out.append(ObjectChange("+", "device", addr, (f"{b.type_name} at U{b.u}",)))
        elif b is None and a is not None:
            out.append(ObjectChange("-", "device", addr, (f"{a.type_name} at U{a.u}",)))
        elif a is not None and b is not None:
            details = _fields(a, b, _DEVICE_FIELDS)
            if details:
                out.append(ObjectChange("~", "device", addr, details))
    return out


def _links(inv: Inventory) -> Counter[str]:
    t = inv.links
    out: Counter[str] = Counter()
    if len(t) <= LINK_SET_LIMIT:
        for i in range(len(t)):
            a = inv.endpoint(t.a_dev[i], t.a_port[i])
            b = inv.endpoint(t.b_dev[i], t.b_port[i])
            a, b = sorted((a, b))
            out[f"{a} <> {b} ({t.cable_of(i) or 'no cable'})"] += 1
        return out
    import numpy as np

    fabrics = {f.index: f.name for f in inv.fabrics.values()}
    # one int64 key per link: (fabric, cable, transceiver a, transceiver b), each shifted by 1
    # so that -1 (none) stays distinct; np.unique over one column is a plain sort
    nc, nx = len(t.cable_names) + 1, len(t.xcvr_names) + 1
    key = np.frombuffer(t.fabric, dtype=np.int32).astype(np.int64)
    key = key * nc + np.frombuffer(t.cable, dtype=np.int32) + 1
    key = key * nx + np.frombuffer(t.xcvr_a, dtype=np.int32) + 1
    key = key * nx + np.frombuffer(t.xcvr_b, dtype=np.int32) + 1
    keys, counts = np.unique(key, return_counts=True)

    def name(names: list[str], i: int) -> str | None:
        return names[i] if i >= 0 else None

    for k, n in zip(keys.tolist(), counts.tolist(), strict=True):
        k, xb = divmod(k, nx)
        k, xa = divmod(k, nx)
        fab, cable = divmod(k, nc)
        xcvrs = (name(t.xcvr_names, xa - 1), name(t.xcvr_names, xb - 1))
        out[f"{fabrics.get(fab, '?')}: {name(t.cable_names, cable - 1)} / {xcvrs}"] += n
    return out


def object_diff(old: Inventory, new: Inventory) -> ObjectDiff:
    d = ObjectDiff()
    d.objects = _cabinets(old, new) + _devices(old, new)
    ol, nl = _links(old), _links(new)
    added, removed = nl - ol, ol - nl
    d.links_added, d.links_removed = sum(added.values()), sum(removed.values())
    d.link_examples = [f"+ {k}" for k in sorted(added)[:MAX_LINK_EXAMPLES // 2]] + \
        [f"- {k}" for k in sorted(removed)[:MAX_LINK_EXAMPLES // 2]]
    ob, nb = _bom(old), _bom(new)
    for key in sorted(set(ob) | set(nb)):
        oq, oc, ocur = ob.get(key, (0, 0.0, ""))
        nq, nc, ncur = nb.get(key, (0, 0.0, ""))
        if oq != nq:
            d.bom_changes.append((key[0], key[1], oq, nq))
            d.bom_costs.append("unconfirmed" if oc is None or nc is None
                               else f"{oc:,.2f} -> {nc:,.2f} {ncur or ocur}".rstrip())
    return d


def _bom(inv: Inventory) -> dict[tuple[str, str], tuple[int, float | None, str]]:
    """(category, part) -> (quantity, total price or None when unpriced, currency); spare rows
    are keyed `part (spares)` so base and spare quantities compare separately."""
    return {(x.category, x.part if x.line == "base" else f"{x.part} (spares)"):
            (x.quantity, x.total_price, x.currency) for x in bom_lines(inv)}
