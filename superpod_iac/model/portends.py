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

Computed once for the whole design in numpy passes (sorts over the 2 x links ends, no per-link
Python object) and cached on the Inventory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superpod_iac.model.derived import derived
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns


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


def _device_order(inv: Inventory, cab_index: dict[str, int]) -> np.ndarray:
    """Per device: its rank in (cabinet, top to bottom, natural name) order."""
    order = sorted(range(len(inv.devices)), key=lambda i: (
        cab_index[inv.devices[i].cabinet], -inv.devices[i].u, natural_key(inv.devices[i].name)))
    rank = np.empty(len(inv.devices), dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    return rank


def _number(key_cols: list[np.ndarray], cab: np.ndarray) -> np.ndarray:
    """Per end (already in table order): its bundle's number within its cabinet, numbered
    by first appearance."""
    n = len(cab)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(np.stack(key_cols, axis=1), axis=0, return_index=True,
                                  return_inverse=True)
    inverse = inverse.reshape(-1)
    # bundles ordered by first appearance; within a cabinet they get 1, 2, ...
    by_first = np.argsort(first, kind="stable")
    bundle_cab = cab[first[by_first]]
    starts = np.searchsorted(bundle_cab, bundle_cab, side="left")
    number_sorted = np.arange(len(by_first), dtype=np.int64) - starts + 1
    number = np.empty(len(by_first), dtype=np.int64)
    number[by_first] = number_sorted
    return number[inverse]


@derived
def port_ends(inv: Inventory) -> PortEnds:
    names = sorted(inv.cabinets, key=natural_key)
    cab_index = {c: k for k, c in enumerate(names)}
    col = columns(inv)
    n = len(col["a_dev"])
    dev_cab = np.fromiter((cab_index[d.cabinet] for d in inv.devices), dtype=np.int64,
                          count=len(inv.devices))
    rank = _device_order(inv, cab_index)
    dev = np.concatenate([col["a_dev"], col["b_dev"]]).astype(np.int64)
    port = np.concatenate([col["a_port"], col["b_port"]]).astype(np.int64)
    peer = np.concatenate([col["b_dev"], col["a_dev"]]).astype(np.int64)
    peer_port = np.concatenate([col["b_port"], col["a_port"]]).astype(np.int64)
    link = np.concatenate([np.arange(n, dtype=np.int64)] * 2)
    side = np.repeat(np.array([0, 1], dtype=np.int64), n)
    order = np.lexsort((side, port, rank[dev])) if len(dev) else np.zeros(0, dtype=np.int64)
    dev, port, peer, peer_port, link, side = (a[order] for a in
                                              (dev, port, peer, peer_port, link, side))
    cab = dev_cab[dev] if len(dev) else np.zeros(0, dtype=np.int64)
    type_ids: dict[str, int] = {}
    dev_type = np.fromiter((type_ids.setdefault(d.type_name, len(type_ids))
                            for d in inv.devices), dtype=np.int64, count=len(inv.devices))
    t_local, t_peer = dev_type[dev], dev_type[peer]
    peer_cab = dev_cab[peer]
    inside = peer_cab == cab
    fabric = np.concatenate([col["fabric"], col["fabric"]]).astype(np.int64)[order]
    key = [cab, fabric,
           np.where(inside, np.minimum(t_local, t_peer), t_local),
           np.where(inside, np.maximum(t_local, t_peer), t_peer),
           np.where(inside, -1, peer_cab)]
    bundle = _number(key, cab)
    bounds = np.searchsorted(cab, np.arange(len(names) + 1), side="left")
    return PortEnds(names, cab, link, side, dev, port, peer, peer_port, bundle, bounds)
