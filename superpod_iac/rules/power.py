"""PWR: electrical power at cabinets and through the power tree."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.rules.registry import Finding, rule


@rule("PWR001", "cabinet draw exceeds the cabinet's power rating")
def cabinet_over_rating(inv: Inventory) -> Iterator[Finding]:
    """The sum of the nameplate maximum draw of every device in a cabinet (plus the optics
    plugged into them) must not exceed the cabinet type's power rating: busbar, power shelves
    and cooling are sized for that rating.

    Formula:
        P_cab = sum(device max_w) + sum(transceiver power_w) <= power_rating_kw * 1000

    Example:
        # 132 kW NVL72 rack with a 19th compute tray: 138.2 kW

    Fix:
        Remove devices, move them to another cabinet, or use a cabinet type rated for the load.
    """
    for name, load in sorted(cabinet_loads(inv).items()):
        cab = inv.cabinets[name]
        rating = cab.type.power_rating_kw
        if load.max_w / 1000 > rating:
            yield Finding(f"cabinet {name} draws {load.max_w / 1000:.1f} kW > rating "
                          f"{rating:.1f} kW ({cab.type_name})", cab.origin,
                          "remove or move devices, or use a cabinet type rated for the load")


@rule("PWR002", "cabinet draw exceeds the site policy's cabinet limit")
def cabinet_over_policy(inv: Inventory) -> Iterator[Finding]:
    """The site policy caps the power any one cabinet may draw (`cabinet_kw_limit`), set by what
    the hall's power distribution and cooling can deliver per position.

    Formula:
        P_cab <= policy.cabinet_kw_limit

    Example:
        # Site policy: cabinet_kw_limit: 120; an NVL72 cabinet at 132 kW

    Fix:
        Spread the load over more cabinets or raise the limit in the Site policy (if the
        hall really supports it).
    """
    limit = inv.policy.cabinet_kw_limit
    for name, load in sorted(cabinet_loads(inv).items()):
        if load.max_w / 1000 > limit:
            cab = inv.cabinets[name]
            yield Finding(f"cabinet {name} draws {load.max_w / 1000:.1f} kW > site policy "
                          f"limit {limit:.1f} kW", cab.origin,
                          "spread the load or raise cabinet_kw_limit in the Site policy")
