"""Write neighbour tables in the shape of `lldpctl -f json` (lldpd 1.0.16, as collected from
the real daemon in tests/fixtures/verify/lldp-collected): one interface is an object, several
are a list of one-key objects."""

from __future__ import annotations

import json
from typing import Any


def lldpctl_json(neighbours: list[tuple[str, str, str, str]]) -> str:
    """(local interface, remote system name, remote interface, MAU type) -> lldpctl -f json."""
    entries: list[dict[str, Any]] = []
    for k, (ifname, rhost, rport, mau) in enumerate(neighbours):
        entries.append({ifname: {
            "via": "LLDP", "rid": str(k + 1), "age": "0 day, 00:00:03",
            "chassis": {rhost: {"id": {"type": "mac", "value": f"02:00:00:00:00:{k % 256:02x}"},
                                "descr": "Debian GNU/Linux 12 (bookworm)",
                                "capability": [{"type": "Station", "enabled": True}]}},
            "port": {"id": {"type": "ifname", "value": rport}, "descr": rport, "ttl": "120",
                     "auto-negotiation": {"supported": False, "enabled": False,
                                          "current": mau}}}})
    interface: Any = entries[0] if len(entries) == 1 else entries
    return json.dumps({"lldp": {"interface": interface}} if entries else {"lldp": {}},
                      indent=2) + "\n"
