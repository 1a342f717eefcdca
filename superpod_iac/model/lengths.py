"""Cable length between two devices from the floor grid and U positions (formulas in physics)."""

from __future__ import annotations

import math

from superpod_iac import physics
from superpod_iac.model.inventory import Device, Inventory


def link_length_m(inv: Inventory, a: Device, b: Device) -> float:
    """Estimated cable run between two devices, before rounding to a stocked length.

    Same cabinet: the vertical distance between the U positions plus fixed slack. Different
    cabinets: Manhattan run on the floor grid + rise to the tray at both ends + slack. NaN when a
    cabinet has no floor position (length unknown; declare `length_m` on the link).
    """
    pol = inv.policy
    ca, cb = inv.cabinets[a.cabinet], inv.cabinets[b.cabinet]
    u_mm = ca.type.u_height_mm
    if ca is cb:
        return physics.intra_cabinet_run_m(a.u, b.u, u_mm, pol.cable_slack_m)
    if ca.x_m is None or cb.x_m is None or ca.y_m is None or cb.y_m is None:
        return math.nan
    rise_a = _rise(inv, ca.hall, a.u, u_mm)
    rise_b = _rise(inv, cb.hall, b.u, cb.type.u_height_mm)
    return physics.cable_run_m(ca.x_m, ca.y_m, cb.x_m, cb.y_m, rise_a, rise_b,
                               pol.cable_slack_pct, pol.cable_slack_m)


def _rise(inv: Inventory, hall: str | None, u: int, u_height_mm: float) -> float:
    tray = inv.halls[hall].tray_height_m if hall in inv.halls else 0.0
    return max(tray - physics.u_to_mm(u, u_height_mm) / 1000.0, 0.0)
