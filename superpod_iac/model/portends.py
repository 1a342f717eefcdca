"""Every link end sorted the way an installer reads a cabinet, and the cabinet's numbered
bundles: the one numbering the port map (bom/portmap.py) and the cabinet wiring diagram
(render/wiring.py) share, so bundle `W3` on the drawing is the `W3` rows of the table.

Ends are ordered by cabinet (natural name order), then device top to bottom (highest U first,
as the elevation draws them; devices at one U by natural name), then port (the device type's
port order), then side (A before B). A link inside one cabinet has both its ends there.

A bundle is what a cabinet sends to one kind of peer over one fabric: (local device type,
fabric, peer device type, peer cabinet), the peer cabinet left out for links inside the
cabinet (whose two ends then share one bundle: its device types taken in sorted order). Bundles
are numbered per cabinet W1, W2, ... in the order their first port appears in the table. A
bundle never mixes device types, so a drawing that folds devices by type draws each bundle as
one edge, and a drawing of single devices draws several edges of one bundle.

Computed for the cabinets asked (`cabinet_ends`) in numpy passes over the link columns and a
sort of their ends only (no per-link Python object); the numbers do not depend on which other
cabinets are asked with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns
from superpod_iac.model.sorting import distinct


@dataclass(frozen=True, slots=True)
class PortEnds:
    """Per link end, in installer order (arrays of equal length, int64)."""

    cabinets: list[str]
    """Cabinet names in natural order; `cab` indexes this list."""
    cab: np.ndarray
    link: np.ndarray
    side: np.ndarray
    """0: this end is the link's A end; 1: its B end."""
    dev: np.ndarray
    port: np.ndarray
    peer_dev: np.ndarray
    peer_port: np.ndarray
    bundle: np.ndarray
    """Bundle number within the end's cabinet, from 1 (`W1`)."""
    bounds: np.ndarray
    """Ends of cabinet k are [bounds[k], bounds[k + 1])."""

    def of_cabinet(self, name: str) -> slice:
        k = self.cabinets.index(name)
        return slice(int(self.bounds[k]), int(self.bounds[k + 1]))

    def bundle_of_links(self, name: str) -> dict[int, int]:
        """Link index -> its bundle number in cabinet `name` (each link once)."""
        s = self.of_cabinet(name)
        return dict(zip(self.link[s].tolist(), self.bundle[s].tolist(), strict=True))


def bundle_name(number: int) -> str:
    """`W3`: how a bundle is written on the drawing and in the table."""
    return f"W{number}"


def bundle_span(numbers: list[int]) -> str:
    """`W3`, `W3, W5` or `W3–W6` (consecutive runs joined by an en dash)."""
    out: list[str] = []
    nums = sorted(set(numbers))
    k = 0
    while k < len(nums):
        j = k
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(bundle_name(nums[k]) if j == k else
                   f"{bundle_name(nums[k])}{'–' if j > k + 1 else ', '}{bundle_name(nums[j])}")
        k = j + 1
    return ", ".join(out)


def _device_order(inv: Inventory, names: list[str]) -> np.ndarray:
    """Per device of the chosen cabinets: its rank in (cabinet, top to bottom, natural name)
    order (0 for the others, which have no ends in the table)."""
    rank = np.zeros(len(inv.devices), dtype=np.int64)
    k = 0
    for name in names:
        for d in sorted(inv.cabinets[name].devices, key=lambda d: (-d.u, natural_key(d.name))):
            rank[d.index] = k
            k += 1
    return rank


def _number(key: np.ndarray, cab: np.ndarray) -> np.ndarray:
    """Per end (already in table order): its bundle's number within its cabinet, numbered
    by first appearance. `key` is one int64 per end identifying its bundle."""
    if len(cab) == 0:
        return np.zeros(0, dtype=np.int64)
    _, inverse, first = distinct(key)  # first: each bundle's first end in table order
    by_first = np.argsort(first, kind="stable")
    bundle_cab = cab[first[by_first]]
    starts = np.searchsorted(bundle_cab, bundle_cab, side="left")
    number = np.empty(len(by_first), dtype=np.int64)
    number[by_first] = np.arange(len(by_first), dtype=np.int64) - starts + 1
    result: np.ndarray = number[inverse]
    return result


def _mixed(cols: list[np.ndarray], radices: list[int]) -> np.ndarray:
    """One int64 per row from columns of small non-negative ints (a row-wise unique key); the
    rows' ranks when the product of the radices would overflow."""
    total = 1
    for r in radices:
        total *= max(r, 1)
    if total < 2**62:
        key = np.zeros(len(cols[0]), dtype=np.int64)
        for c, r in zip(cols, radices, strict=True):
            key = key * max(r, 1) + c
        return key
    _, inverse = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def cabinet_ends(inv: Inventory, cabinets: list[str] | None = None) -> PortEnds:
    """The ends in `cabinets` (every cabinet when None), in installer order, with their
    bundle numbers: the same numbers whichever cabinets are asked for together, so a drawing
    of one cabinet and a port map of all agree. Numpy passes over the link columns and a sort
    of the selected ends only."""
    names = sorted(inv.cabinets if cabinets is None else set(cabinets), key=natural_key)
    cab_index = {c: k for k, c in enumerate(names)}
    all_index = {c: k for k, c in enumerate(inv.cabinets)}
    col = columns(inv)
    n = len(col["a_dev"])
    dev_cab = np.fromiter((cab_index.get(d.cabinet, -1) for d in inv.devices), dtype=np.int64,
                          count=len(inv.devices))
    dev_any = np.fromiter((all_index[d.cabinet] for d in inv.devices), dtype=np.int64,
                          count=len(inv.devices))
    ends = np.concatenate([col["a_dev"], col["b_dev"]]).astype(np.int64)
    keep = np.nonzero(dev_cab[ends] >= 0)[0] if len(ends) else np.zeros(0, dtype=np.int64)
    link, side = keep % max(n, 1), keep // max(n, 1)
    a_dev, b_dev = col["a_dev"].astype(np.int64), col["b_dev"].astype(np.int64)
    a_port, b_port = col["a_port"].astype(np.int64), col["b_port"].astype(np.int64)
    dev = np.where(side == 0, a_dev[link], b_dev[link])
    port = np.where(side == 0, a_port[link], b_port[link])
    peer = np.where(side == 0, b_dev[link], a_dev[link])
    peer_port = np.where(side == 0, b_port[link], a_port[link])
    rank = _device_order(inv, names)
    span = int(max(port.max(initial=0), 0)) + 1
    order = np.argsort((rank[dev] * span + port) * 2 + side, kind="stable")
    dev, port, peer, peer_port, link, side = (a[order] for a in
                                              (dev, port, peer, peer_port, link, side))
    cab = dev_cab[dev]
    type_ids: dict[str, int] = {}
    dev_type = np.fromiter((type_ids.setdefault(d.type_name, len(type_ids))
                            for d in inv.devices), dtype=np.int64, count=len(inv.devices))
    t_local, t_peer = dev_type[dev], dev_type[peer]
    here, there = dev_any[dev], dev_any[peer]
    inside = here == there
    fabric = col["fabric"].astype(np.int64)[link] + 1
    nt = len(type_ids)
    key = _mixed([here, fabric, np.where(inside, np.minimum(t_local, t_peer), t_local),
                  np.where(inside, np.maximum(t_local, t_peer), t_peer),
                  np.where(inside, 0, there + 1)],
                 [len(all_index), len(inv.fabrics) + 2, nt, nt, len(all_index) + 1])
    bundle = _number(key, cab)
    bounds = np.searchsorted(cab, np.arange(len(names) + 1), side="left")
    return PortEnds(names, cab, link, side, dev, port, peer, peer_port, bundle, bounds)

