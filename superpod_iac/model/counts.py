"""Per-superpod and per-cluster totals (accelerators, compute, memory, optics, power).

Derived data shared by the EXP rule, `superpod summary` / `compare` and the BOM. Link and
transceiver counts are numpy passes over the LinkTable columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns
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
    scale_up_gbytes_s: float = 0.0
    accelerator_types: dict[str, int] = field(default_factory=dict)


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
            if t.accelerators is not None:
                n = t.accelerators.count
                out.accelerators += n
                out.accelerator_types[t.accelerators.type] = \
                    out.accelerator_types.get(t.accelerators.type, 0) + n
    for acc, n in sorted(out.accelerator_types.items()):
        a = cat.accelerator_types.get(acc)
        if a is None:
            continue
        out.accelerator_dies += n * a.dies
        out.hbm_gb += n * a.hbm_gb
        out.scale_up_gbytes_s += n * a.scale_up_gbytes_s
        for prec, tf in a.compute_tflops.items():
            out.compute_tflops[prec] = out.compute_tflops.get(prec, 0.0) + n * tf
    _links(inv, out, cabinets)
    return out


def _links(inv: Inventory, out: SystemCounts, cabinets: set[str]) -> None:
    if not len(inv.links):
        return
    cab_ids = {name: i for i, name in enumerate(sorted(inv.cabinets))}
    inside = np.zeros(len(cab_ids), dtype=bool)
    for c in cabinets:
        inside[cab_ids[c]] = True
    dev_cab = inv.cache.get("device_cabinet_ids")
    if dev_cab is None:
        dev_cab = np.fromiter((cab_ids[d.cabinet] for d in inv.devices), dtype=np.int64,
                              count=len(inv.devices))
        inv.cache["device_cabinet_ids"] = dev_cab
    col = columns(inv)
    a_in = inside[dev_cab[col["a_dev"]]]
    b_in = inside[dev_cab[col["b_dev"]]]
    touching = a_in | b_in
    out.links = int(touching.sum())
    out.transceivers = int(((col["xcvr_a"] >= 0) & a_in).sum() + ((col["xcvr_b"] >= 0) & b_in).sum())
    fibre = np.array([inv.catalog.cable_types[n].medium in ("smf", "mmf")
                      if n in inv.catalog.cable_types else False
                      for n in inv.links.cable_names] + [False], dtype=bool)
    out.optical_links = int((fibre[col["cable"]] & touching).sum())


def superpod_counts(inv: Inventory) -> dict[str, SystemCounts]:
    cached = inv.cache.get("superpod_counts")
    if cached is None:
        cached = {name: _count(inv, name, "superpod", set(pod.cabinets))
                  for name, pod in sorted(inv.superpods.items())}
        inv.cache["superpod_counts"] = cached
    return cached


def cluster_counts(inv: Inventory) -> dict[str, SystemCounts]:
    cached = inv.cache.get("cluster_counts")
    if cached is None:
        cached = {}
        for name, cl in sorted(inv.clusters.items()):
            cabs = {c for r in cl.replicas if r in inv.superpods for c in inv.superpods[r].cabinets}
            cabs |= set(cl.extra_cabinets)
            cached[name] = _count(inv, name, "cluster", cabs)
        inv.cache["cluster_counts"] = cached
    return cached
