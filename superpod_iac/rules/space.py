"""SPC: space and weight inside cabinets and on the floor."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import Finding, rule


@rule("SPC001", "device extends beyond the cabinet's rack units")
def beyond_height(inv: Inventory) -> Iterator[Finding]:
    """A device occupies U positions `u` to `u + height_u - 1`; all must lie within 1 and the
    cabinet type's `height_u`, or the device physically does not fit.

    Formula:
        top_u = u + height_u - 1 <= cabinet height_u, and u >= 1 (0 only for 0U parts)

    Example:
        # 48U cabinet
        - {name: sw01, type: nvlink-switch-tray, u: 48}   # a 2U tray would reach U49

    Fix:
        Move the device down or use a taller cabinet type.
    """
    for cab in inv.iter_cabinets():
        height = cab.type.height_u
        for dev in cab.devices:
            h = dev.type.height_u
            if h == 0:
                continue
            if dev.u < 1:
                yield Finding(f"device {dev.address} ({h}U) is at U{dev.u}: rack units start "
                              "at U1", dev.origin, "set u to 1 or more", ("u",))
            elif dev.top_u > height:
                yield Finding(f"device {dev.address} ({h}U at U{dev.u}) reaches U{dev.top_u} > "
                              f"cabinet {cab.name} height {height}U", dev.origin,
                              f"move it to U{max(height - h + 1, 1)} or lower, or use a taller "
                              "cabinet type", ("u",))


@rule("SPC002", "two devices occupy the same rack unit")
def u_overlap(inv: Inventory) -> Iterator[Finding]:
    """Two devices cannot share a rack unit. Overlaps usually come from a replication range
    that runs into the next block of devices.

    Formula:
        [u1, u1 + h1 - 1] and [u2, u2 + h2 - 1] must not intersect

    Example:
        - {name: "tray[01-10]", type: gb200-compute-tray, u: "[10-19]"}
        - {name: sw01, type: nvlink-switch-tray, u: 19}

    Fix:
        Move one device to free units (the message names both).
    """
    for cab in inv.iter_cabinets():
        occupied: dict[int, str] = {}
        for dev in cab.devices:  # declaration order: the later device is the one reported
            h = dev.type.height_u
            if h == 0:
                continue
            clash = sorted({occupied[u] for u in range(dev.u, dev.u + h) if u in occupied})
            if clash:
                yield Finding(f"device {dev.address} (U{dev.u}-U{dev.top_u}) overlaps "
                              f"{', '.join(clash)} in cabinet {cab.name}", dev.origin,
                              "move one of the devices to free rack units", ("u",))
                continue
            for u in range(dev.u, dev.u + h):
                occupied[u] = dev.name
