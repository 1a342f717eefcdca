"""Per-superpod and per-cluster totals (accelerators, compute, memory, optics, power).

Derived data shared by the EXP rule, `superpod summary` / `compare` and the BOM. Link and
transceiver counts are numpy passes over the LinkTable columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from superpod_iac import physics
from superpod_iac.model.bandwidth import modelled_gbytes_s
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import (
    columns,
    device_cabinet_ids,
    device_mask,
    transceiver_modules,
)
from superpod_iac.model.loads import cabinet_loads


@dataclass(slots=True)
class SystemCounts:
    name: str
    kind: str  # "superpod" or "cluster"
    cabinets: int = 0
    devices: int = 0
    accelerators: int = 0
    accelerator_dies: int = 0
    switches: int = 0
    links: int = 0
    optical_links: int = 0
    transceivers: int = 0
    max_w: float = 0.0
    typical_w: float = 0.0
    liquid_w: float = 0.0
    air_w: float = 0.0
    compute_tflops: dict[str, float] = field(default_factory=dict)
    hbm_gb: float = 0.0
    memory_gb: float = 0.0
    """Fast device memory outside accelerator HBM (e.g. Grace/Vera LPDDR5X)."""
    scale_up_gbytes_s: float = 0.0
    """Declared: the catalog's per-accelerator scale-up figure x accelerators."""
    scale_up_links_gbytes_s: float = 0.0
    """Modelled: what the accelerators' scale-up links carry (model/bandwidth.py)."""
    scale_out_links_gbytes_s: float = 0.0
    """Modelled: what the accelerators' scale-out links carry (model/bandwidth.py)."""
    hbm_tbytes_s: float = 0.0
    """Aggregate HBM bandwidth of the accelerators."""
    accelerator_types: dict[str, int] = field(default_factory=dict)
    floor_m2: float | None = None
    """Hall floor of the system's cabinets: per hall, their bounding rectangle with the hall's
    aisle clearance around it (physics.floor_area_m2); None when a cabinet has no position."""


def _count(inv: Inventory, name: str, kind: str, cabinets: set[str]) -> SystemCounts:
    out = SystemCounts(name, kind, cabinets=len(cabinets))
    loads = cabinet_loads(inv)
    cat = inv.catalog
    for cab_name in sorted(cabinets):
        cab = inv.cabinets[cab_name]
        load = loads[cab_name]
        out.max_w += load.max_w
        out.typical_w += load.typical_w
        out.liquid_w += load.liquid_w
        out.air_w += load.air_w
        out.devices += len(cab.devices)
        for dev in cab.devices:
            t = dev.type
            if t.role == "switch":
                out.switches += 1
            out.memory_gb += t.memory_gb
            if t.accelerators is not None:
                n = t.accelerators.count
                out.accelerators += n
                out.accelerator_types[t.accelerators.type] = \
                    out.accelerator_types.get(t.accelerators.type, 0) + n
    out.floor_m2 = _floor_m2(inv, cabinets)
    mine = device_mask(inv, sorted(cabinets))
    out.scale_up_links_gbytes_s = modelled_gbytes_s(inv, "scale-up", mine)
    out.scale_out_links_gbytes_s = modelled_gbytes_s(inv, "scale-out", mine)
    for acc, n in sorted(out.accelerator_types.items()):
        a = cat.accelerator_types.get(acc)
        if a is None:
            continue
        out.accelerator_dies += n * a.dies
        out.hbm_gb += n * a.hbm_gb
        out.scale_up_gbytes_s += n * a.scale_up_gbytes_s
        out.hbm_tbytes_s += n * a.hbm_tbytes_s
        for prec, tf in a.compute_tflops.items():
            out.compute_tflops[prec] = out.compute_tflops.get(prec, 0.0) + n * tf
    return out


def _floor_m2(inv: Inventory, cabinets: set[str]) -> float | None:
    boxes: dict[str, list[float]] = {}
    for name in cabinets:
        cab = inv.cabinets[name]
        if cab.x_m is None or cab.y_m is None or not cab.hall:
            return None
        fp = cab.type.footprint
        x0, x1 = cab.x_m, cab.x_m + fp.width_mm / 1000.0
        y0, y1 = cab.y_m - fp.depth_mm / 2000.0, cab.y_m + fp.depth_mm / 2000.0
        b = boxes.setdefault(cab.hall, [x0, x1, y0, y1])
        b[0], b[1], b[2], b[3] = min(b[0], x0), max(b[1], x1), min(b[2], y0), max(b[3], y1)
    if not boxes:
        return None
    return sum(physics.floor_area_m2(x0, x1, y0, y1,
                                     inv.hall_policies.get(hall, inv.policy).aisle_clearance_m)
               for hall, (x0, x1, y0, y1) in sorted(boxes.items()))


def _link_stats(inv: Inventory, group_of_cabinet: np.ndarray, groups: int, inner: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group (superpods, or one cluster): links, optical links and transceivers.

    `group_of_cabinet` maps cabinet index -> group (-1 = none). With `inner`, a link counts for
    a group when both ends are in it; otherwise when either end is.
    """
    zeros = np.zeros(groups, dtype=np.int64)
    if not len(inv.links) or groups == 0:
        return zeros, zeros.copy(), zeros.copy()
    _names, dev_cab = device_cabinet_ids(inv)
    col = columns(inv)
    group_of_dev = group_of_cabinet[dev_cab]  # one gather per link end, not two
    ga = group_of_dev[col["a_dev"]]
    gb = group_of_dev[col["b_dev"]]
    fibre = np.array([inv.catalog.cable_types[n].medium in ("smf", "mmf")
                      if n in inv.catalog.cable_types else False
                      for n in inv.links.cable_names] + [False], dtype=bool)[col["cable"]]
    if inner:
        own = np.where(ga == gb, ga, -1)
        ok = own >= 0
        links = np.bincount(own[ok], minlength=groups)
        optical = np.bincount(own[ok & fibre], minlength=groups)
    else:  # a single group: any end inside
        ok = (ga >= 0) | (gb >= 0)
        links = np.array([int(ok.sum())])
        optical = np.array([int((ok & fibre).sum())])
    # a superpod's modules are those on its own links (like its links): the pod end of a
    # link to a cluster tier belongs to the cluster's count
    mod_devs, _xs = transceiver_modules(inv, ok if inner and not ok.all() else None)
    gm = group_of_dev[mod_devs]
    xcvrs = np.bincount(gm[gm >= 0], minlength=groups)
    return links, optical, xcvrs


def _group_array(inv: Inventory, members: list[set[str]]) -> np.ndarray:
    names, _ = device_cabinet_ids(inv)
    group_of = {cab: g for g, cabs in enumerate(members) for cab in cabs}
    return np.fromiter((group_of.get(n, -1) for n in names), dtype=np.int64, count=len(names))


@derived
def superpod_counts(inv: Inventory) -> dict[str, SystemCounts]:
    names = sorted(inv.superpods)
    members = [set(inv.superpods[n].cabinets) for n in names]
    out = {n: _count(inv, n, "superpod", m) for n, m in zip(names, members, strict=True)}
    links, optical, xcvrs = _link_stats(inv, _group_array(inv, members), len(names), True)
    for i, n in enumerate(names):
        c = out[n]
        c.links, c.optical_links, c.transceivers = int(links[i]), int(optical[i]), int(xcvrs[i])
    return out


@derived
def cluster_counts(inv: Inventory) -> dict[str, SystemCounts]:
    out: dict[str, SystemCounts] = {}
    for name, cl in sorted(inv.clusters.items()):
        cabs = {c for r in cl.replicas if r in inv.superpods for c in inv.superpods[r].cabinets}
        cabs |= set(cl.extra_cabinets)
        c = _count(inv, name, "cluster", cabs)
        links, optical, xcvrs = _link_stats(inv, _group_array(inv, [cabs]), 1, False)
        c.links, c.optical_links, c.transceivers = int(links[0]), int(optical[0]), int(xcvrs[0])
        out[name] = c
    return out
