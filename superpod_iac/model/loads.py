"""Derived loads: per-cabinet electrical draw and heat, from catalog figures and links.

Summation only; every formula lives in `superpod_iac.physics`. Results are cached on the
Inventory, so every rule and report reads the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory


@dataclass(slots=True)
class CabinetLoad:
    max_w: float = 0.0
    """Nameplate maximum of the devices plus the transceivers plugged into them."""
    typical_w: float = 0.0
    transceiver_w: float = 0.0
    transceivers: int = 0
    liquid_w: float = 0.0
    air_w: float = 0.0


@derived
def cabinet_loads(inv: Inventory) -> dict[str, CabinetLoad]:
    loads = {name: CabinetLoad() for name in inv.cabinets}
    for cab in inv.cabinets.values():
        load = loads[cab.name]
        for dev in cab.devices:
            t = dev.type
            load.max_w += t.max_w
            load.typical_w += t.typical_w if t.typical_w is not None else t.max_w
            load.liquid_w += t.max_w * t.liquid_fraction
            load.air_w += t.max_w * (1 - t.liquid_fraction)
    _add_transceivers(inv, loads)
    return loads


def _add_transceivers(inv: Inventory, loads: dict[str, CabinetLoad]) -> None:
    """Optics count toward the cabinet of the device they plug into, one per physical module
    (numpy bincounts)."""
    import numpy as np

    from superpod_iac.model.linkstats import device_cabinet_ids, transceiver_modules

    links = inv.links
    if not len(links):
        return
    watts = np.array([inv.catalog.transceiver_types[n].power_w
                      if n in inv.catalog.transceiver_types else 0.0
                      for n in links.xcvr_names] + [0.0])
    names, dev_cab = device_cabinet_ids(inv)
    devs, xs = transceiver_modules(inv)
    cab = dev_cab[devs]
    count = np.bincount(cab, minlength=len(names))
    power = np.bincount(cab, weights=watts[xs], minlength=len(names))
    for i in np.nonzero(count)[0].tolist():
        load = loads[names[i]]
        w = float(power[i])
        load.transceivers += int(count[i])
        load.transceiver_w += w
        load.max_w += w
        load.typical_w += w
        load.air_w += w
