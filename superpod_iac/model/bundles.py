"""Link bundles: links counted per pair of device groups, fabric and media.

Diagrams at cluster and pod level draw one labelled edge per bundle instead of one per link.
The caller says which group each device belongs to (a superpod, a cabinet, a switch group);
the counting is a few numpy passes over the LinkTable columns, with no per-link Python object,
so a cluster with millions of links bundles in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns


@dataclass(frozen=True, slots=True)
class Bundle:
    """Links between group `a` and group `b` (a <= b; a == b: links inside one group)."""

    a: int
    b: int
    fabric: int
    """Index into Inventory.fabrics (in insertion order), -1 when unknown."""
    cable: str | None
    xcvr_a: str | None
    """Transceiver at the `a` end."""
    xcvr_b: str | None
    count: int


def _encode(cols: list[np.ndarray], radices: list[int]) -> np.ndarray | None:
    """Mixed-radix single int64 key per row; None when it could overflow."""
    total = 1
    for r in radices:
        total *= max(r, 1)
    if total >= 2**62:
        return None
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for col, r in zip(cols, radices, strict=True):
        key = key * max(r, 1) + col
    return key


def _decode(keys: np.ndarray, radices: list[int]) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    rest = keys.copy()
    for r in reversed(radices):
        rest, digit = np.divmod(rest, max(r, 1))
        out.append(digit)
    return out[::-1]


def bundle_links(inv: Inventory, group_of_device: np.ndarray,
                 link_mask: np.ndarray | None = None) -> list[Bundle]:
    """Count links by (group pair, fabric, cable, transceivers).

    `group_of_device[i]` is the group id of device i, or -1 to leave its links out.
    `link_mask` optionally restricts the links considered. Bundles come sorted by
    (a, b, fabric, cable, transceivers): the same inventory gives the same list.
    """
    col = columns(inv)
    n = len(col["a_dev"])
    if n == 0 or len(group_of_device) == 0:
        return []
    ga = group_of_device[col["a_dev"]].astype(np.int64)
    gb = group_of_device[col["b_dev"]].astype(np.int64)
    keep = (ga >= 0) & (gb >= 0)
    if link_mask is not None:
        keep &= link_mask
    sel = None if keep.all() else np.nonzero(keep)[0]

    def pick(a: np.ndarray) -> np.ndarray:
        return a if sel is None else a[sel]

    ga, gb = pick(ga), pick(gb)
    if len(ga) == 0:
        return []
    xa = pick(col["xcvr_a"]).astype(np.int64) + 1
    xb = pick(col["xcvr_b"]).astype(np.int64) + 1
    swap = ga > gb
    lo, hi = np.where(swap, gb, ga), np.where(swap, ga, gb)
    x_lo, x_hi = np.where(swap, xb, xa), np.where(swap, xa, xb)
    fabric = pick(col["fabric"]).astype(np.int64) + 1
    cable = pick(col["cable"]).astype(np.int64) + 1
    groups = int(group_of_device.max()) + 1
    radices = [groups, groups, len(inv.fabrics) + 1, len(inv.links.cable_names) + 1,
               len(inv.links.xcvr_names) + 1, len(inv.links.xcvr_names) + 1]
    parts = [lo, hi, fabric, cable, x_lo, x_hi]
    key = _encode(parts, radices)
    if key is not None:
        uniq, counts = np.unique(key, return_counts=True)
        rows = np.stack(_decode(uniq, radices), axis=1) if len(uniq) else np.zeros((0, 6))
    else:  # astronomically many groups: row-wise unique (slower, same result)
        rows, counts = np.unique(np.stack(parts, axis=1), axis=0, return_counts=True)
    cables, xcvrs = inv.links.cable_names, inv.links.xcvr_names
    out: list[Bundle] = []
    for (a, b, f, c, xl, xh), k in zip(rows.tolist(), counts.tolist(), strict=True):
        out.append(Bundle(int(a), int(b), int(f) - 1, cables[c - 1] if c else None,
                          xcvrs[xl - 1] if xl else None, xcvrs[xh - 1] if xh else None, int(k)))
    return out


@dataclass(frozen=True, slots=True)
class PortUsage:
    group: str
    """Port group name (`nvlink`, `osfp`)."""
    plane: str | None
    used: int
    """Cages with at least one link (a breakout sub-port in use counts its cage)."""
    total: int
    required: bool


def port_usage(inv: Inventory, devices: list[int]) -> dict[int, list[PortUsage]]:
    """Used and total ports per port group for a few devices (a cabinet's worth)."""
    col = columns(inv)
    wanted = np.zeros(len(inv.devices), dtype=bool)
    wanted[devices] = True
    used: dict[int, set[int]] = {d: set() for d in devices}
    for dev_col, port_col in ((col["a_dev"], col["a_port"]), (col["b_dev"], col["b_port"])):
        if not len(dev_col):
            continue
        sel = np.nonzero(wanted[dev_col])[0]
        for d, p in zip(dev_col[sel].tolist(), port_col[sel].tolist(), strict=True):
            used[d].add(p)
    out: dict[int, list[PortUsage]] = {}
    for d in devices:
        dev = inv.devices[d]
        ports = inv.catalog.ports(dev.type_name)[0]
        cages_used = {ports[p].cage if ports[p].cage >= 0 else p for p in used[d]
                      if 0 <= p < len(ports)}
        rows: list[PortUsage] = []
        for group in dev.type.port_groups:
            cages = [p.index for p in ports if p.group is group and p.cage < 0]
            rows.append(PortUsage(group.name, group.plane,
                                  sum(1 for c in cages if c in cages_used), len(cages),
                                  group.required))
        out[d] = rows
    return out
