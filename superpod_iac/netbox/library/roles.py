"""A device type's role from evidence, never from a port count: accelerators named in the type
make it compute; a switch is a switch by its manufacturer's switch line or a switch's interface
profile; outlets make a PDU, passive front/rear ports a patch panel, console-server ports a
management device. Without evidence the role is left unset (the manifest default) and the
caller warns, so checks that key on content still apply."""

from __future__ import annotations

import re
from typing import Any

ACCELERATOR = re.compile(
    r"\b(dgx|hgx|mgx|a100|a800|h100|h200|h800|h20|b100|b200|b300|gb200|gb300|gh200|l40s?|"
    r"mi210|mi250x?|mi300[ax]?|mi325x|mi350x|mi355x|gaudi\s?[23]?|gpu|nvl\s?(36|72)|"
    r"superchip|compute tray|gpus)\b", re.I)
"""Words that name an accelerator or an accelerator system in a type's model, part number,
description or comments (NVIDIA, AMD Instinct, Intel Gaudi)."""
SWITCH_LINE = re.compile(
    r"^(dcs-|ccs-|7\d{3}|n\d?k-|n9k|nexus|c9\d{3}|ws-c|catalyst|ex\d{4}|qfx|ptx|acx|"
    r"sn\d{4}|qm\d{4}|q3\d{3}|msn\d|msb\d|mqm\d|m?sx\d{4}|sb\d{4}|cs\d{4}|s\d{4}|z\d{4}|n\d{4}-on|as\d{4}-|"
    r"ds\d{4}|dx\d{3}|g\d{4}|jl\d{3}|sse-|ne\d{4}|"
    r".*\b(switch|networking|force10|powerconnect|rackswitch|catalyst|nexus)\b)", re.I)
"""Model names of the switch lines of common network vendors (Arista DCS/CCS, Cisco Nexus and
Catalyst, Juniper EX/QFX/PTX/ACX, NVIDIA/Mellanox Spectrum SN, SwitchX SX, Switch-IB SB, Quantum QM/Q3 and CS directors, Dell S/Z, Edgecore AS,
HPE Aruba JL, Supermicro SSE, Lenovo NE), or a model that names a switch line (Dell Networking,
Force10, PowerConnect, Lenovo RackSwitch, Cisco Catalyst/Nexus) or says it is a switch."""
SWITCH_PORTS = 24
"""A switch's interface profile: at least this many data (not management) ports of one rate of
10 Gb/s or more, on a type with no accelerator evidence."""


def accelerator_evidence(data: dict[str, Any]) -> str | None:
    text = " ".join(str(data.get(k) or "") for k in ("model", "part_number", "description",
                                                       "comments", "slug"))
    m = ACCELERATOR.search(text)
    return m.group(0) if m else None


def _switch_profile(groups: list[dict[str, Any]]) -> bool:
    by_rate: dict[float, int] = {}
    for g in groups:
        if g.get("plane") == "management" or float(g["speed_gbps"]) < 10:
            continue
        n = len(g["ports"].split(",")) if "[" not in g["ports"] else _count(g["ports"])
        by_rate[float(g["speed_gbps"])] = by_rate.get(float(g["speed_gbps"]), 0) + n
    return any(n >= SWITCH_PORTS for n in by_rate.values())


def _count(nodeset: str) -> int:
    from superpod_iac.model.expand import expand

    return len(list(expand(nodeset)))


def role(data: dict[str, Any], groups: list[dict[str, Any]], module: bool) -> tuple[str | None,
                                                                                    str]:
    """(role or None, the evidence)."""
    if data.get("power-outlets"):
        return "pdu", "it has power outlets"
    if (data.get("front-ports") or data.get("rear-ports")) and not data.get("interfaces"):
        return "patch-panel", "front/rear ports and no interfaces"
    if not module and SWITCH_LINE.match(str(data.get("model") or "")):
        return "switch", f"model '{data.get('model')}' is of a switch line"
    gpu = accelerator_evidence(data)
    if gpu:
        return "compute", f"'{gpu}' in its model or description"
    if module:
        return None, "a module type"
    if _switch_profile(groups):
        return "switch", f"{SWITCH_PORTS}+ data ports of one rate >= 10 Gb/s"
    if data.get("console-server-ports"):
        return "management", "console-server ports"
    return None, "no evidence"
