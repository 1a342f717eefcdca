"""Part types a design uses that fail a test, one entry per type: the rules that report a
type with a missing figure (no power, no weight, no attenuation) name it once, at the first
place that uses it, with how many uses there are."""

from __future__ import annotations

from collections.abc import Callable

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import LinkGroup, link_groups

ACTIVE_ROLES = ("compute", "switch", "storage", "management")
"""Device roles that always draw power (power shelves, PDUs and patch panels may not)."""

ACTIVE_PORT_GBPS = 1.0
"""Ports faster than this are active electronics (SerDes, optics): they draw power."""


def is_active(t: DeviceType) -> bool:
    """A type that draws power by role or by content: accelerators, or ports faster than
    1 Gb/s, make a type active whatever its `role` (role never hides physics)."""
    return t.role in ACTIVE_ROLES or t.accelerators is not None or \
        any(g.speed_gbps > ACTIVE_PORT_GBPS for g in t.port_groups)


def device_types_where(inv: Inventory, test: Callable[[DeviceType], bool]
                       ) -> dict[str, tuple[list[str], Origin]]:
    """type name -> (addresses of its devices, the first device's origin), for the device
    types in use that pass `test`, sorted by name."""
    found: dict[str, tuple[list[str], Origin]] = {}
    for dev in inv.devices:
        if test(dev.type):
            found.setdefault(dev.type_name, ([], dev.origin))[0].append(dev.address)
    return dict(sorted(found.items()))


def link_parts_where(inv: Inventory, names: Callable[[LinkGroup], list[str | None]],
                     test: Callable[[str], bool]) -> dict[str, tuple[LinkGroup, int]]:
    """part name -> (the first link group using it, uses), for the parts `names` gives per
    link group (a name listed twice counts twice per link) that pass `test`, sorted by name."""
    found: dict[str, tuple[LinkGroup, int]] = {}
    for g in link_groups(inv):
        for name in names(g):
            if name is not None and test(name):
                first, count = found.get(name, (g, 0))
                found[name] = (first, count + g.count)
    return dict(sorted(found.items()))
