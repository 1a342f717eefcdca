"""Derived loads: per-cabinet electrical draw and heat, from catalog figures and links.

Summation only; every formula lives in `superpod_iac.physics`. Results are cached on the
Inventory, so every rule and report reads the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def cabinet_loads(inv: Inventory) -> dict[str, CabinetLoad]:
    cached = inv.cache.get("cabinet_loads")
    if cached is not None:
        return cached
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
    inv.cache["cabinet_loads"] = loads
    return loads


def _add_transceivers(inv: Inventory, loads: dict[str, CabinetLoad]) -> None:
    links = inv.links
    if not len(links):
        return
    watts = [inv.catalog.transceiver_types[n].power_w if n in inv.catalog.transceiver_types
             else 0.0 for n in links.xcvr_names]
    devices = inv.devices
    for dev_col, x_col in ((links.a_dev, links.xcvr_a), (links.b_dev, links.xcvr_b)):
        for dev, x in zip(dev_col, x_col, strict=True):
            if x < 0:
                continue
            load = loads[devices[dev].cabinet]
            w = watts[x]
            load.transceivers += 1
            load.transceiver_w += w
            load.max_w += w
            load.typical_w += w
            load.air_w += w
