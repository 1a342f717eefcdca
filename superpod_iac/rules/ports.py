"""PRT: ports on devices and how links use them."""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import Finding, rule


@rule("PRT001", "port used by more than one link")
def port_used_twice(inv: Inventory) -> Iterator[Finding]:
    """A physical port takes one cable. Two links on one port means one of them cannot be
    installed (breakout ports are separate logical ports and are named separately).

    Example:
        links:
          - {a: "nvl72-01/tray01:osfp1", b: "leaf1/sw:p1"}
          - {a: "nvl72-01/tray01:osfp1", b: "leaf1/sw:p2"}

    Fix:
        Move one link to a free port.
    """
    links = inv.links
    uses: dict[int, list[int]] = {}
    for side_dev, side_port in ((links.a_dev, links.a_port), (links.b_dev, links.b_port)):
        for i, (dev, port) in enumerate(zip(side_dev, side_port, strict=True)):
            key = (dev << 20) | port
            found = uses.get(key)
            if found is None:
                uses[key] = [i]
            else:
                found.append(i)
    for key, idx in sorted(uses.items(), key=lambda kv: kv[1][0]):
        if len(idx) < 2:
            continue
        idx.sort()
        where = ", ".join(f"#{i + 1}" for i in idx[:5]) + (" ..." if len(idx) > 5 else "")
        yield Finding(f"port {inv.endpoint(key >> 20, key & 0xFFFFF)} is used by {len(idx)} "
                      f"links ({where})", links.origins[links.origin[idx[1]]],
                      "move one link to a free port")
