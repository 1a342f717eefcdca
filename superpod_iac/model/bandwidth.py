"""Modelled bandwidth per accelerator: what the links of each accelerator-carrying device give.

For every link on a fabric of a plane (scale-up, scale-out), each end on a device with
accelerators gets the link's rate: the slower of its two ports (a 400G port cabled to a 200G
port runs at 200G). A device's plane bandwidth is the sum over its links; per accelerator it is
that sum over the device's accelerator count. The figure is in GB/s counted in both
directions, the convention of the vendors' per-accelerator figures (NVIDIA's 1.8 TB/s NVLink,
Huawei's 2 TB/s UB): physics.link_gbytes_s_bidirectional. Derived data only; cached on the
Inventory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superpod_iac import physics
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns, global_ports, port_index

PLANES = ("scale-up", "scale-out")
"""Planes with a per-accelerator bandwidth (a catalog claim on scale-up; links on both)."""


@dataclass(slots=True)
class PlaneBandwidth:
    """Per device (index into inv.devices): link rate on one plane, Gb/s one direction."""

    plane: str
    device_gbps: np.ndarray

    def per_accelerator_gbytes_s(self, device: int, accelerators: int) -> float:
        """Both directions, GB/s, per accelerator of the device."""
        return physics.link_gbytes_s_bidirectional(float(self.device_gbps[device])) / accelerators


def _port_speeds(inv: Inventory) -> np.ndarray:
    """global port id -> speed in Gb/s (breakout sub-ports at their share)."""
    idx = port_index(inv)
    speeds = np.zeros(int(idx.type_offset[-1]) if len(idx.type_offset) else 0, dtype=np.float64)
    for t, name in enumerate(idx.type_names):
        base = int(idx.type_offset[t])
        for p in inv.catalog.ports(name)[0]:
            speeds[base + p.index] = p.speed_gbps
    return speeds


@derived
def plane_bandwidth(inv: Inventory) -> dict[str, PlaneBandwidth]:
    """plane -> per-device link rate (Gb/s, one direction) on that plane's fabrics."""
    n = len(inv.devices)
    out = {p: PlaneBandwidth(p, np.zeros(n, dtype=np.float64)) for p in PLANES}
    if not len(inv.links) or not n:
        return out
    col = columns(inv)
    ga, gb = global_ports(inv)
    speeds = _port_speeds(inv)
    rate = np.minimum(speeds[ga], speeds[gb])
    plane_of = np.empty(len(inv.fabrics), dtype=object)
    for f in inv.fabrics.values():
        plane_of[f.index] = f.plane
    fab = col["fabric"]
    for plane in PLANES:
        ids = [i for i in range(len(plane_of)) if plane_of[i] == plane]
        if not ids:
            continue
        mask = np.isin(fab, ids)
        acc = out[plane].device_gbps
        acc += np.bincount(col["a_dev"][mask], weights=rate[mask], minlength=n)
        acc += np.bincount(col["b_dev"][mask], weights=rate[mask], minlength=n)
    return out


@derived
def accelerator_devices(inv: Inventory) -> np.ndarray:
    """device index -> accelerators it carries (0 for none)."""
    return np.fromiter((d.type.accelerators.count if d.type.accelerators is not None else 0
                        for d in inv.devices), dtype=np.int64, count=len(inv.devices))


def modelled_gbytes_s(inv: Inventory, plane: str, devices: np.ndarray) -> float:
    """Total modelled bandwidth (GB/s, both directions) of these devices' accelerators on a
    plane; `devices` is a boolean mask over inv.devices."""
    bw = plane_bandwidth(inv)[plane]
    acc = accelerator_devices(inv)
    mask = devices & (acc > 0)
    return physics.link_gbytes_s_bidirectional(float(bw.device_gbps[mask].sum()))
