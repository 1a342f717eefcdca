"""Power ports and outlets: a PDU's inlets are its capacity (never a load); an automatic
transfer PDU (two inlets, one feeding at a time) has the capacity of one inlet; outlets become
banks that keep their type and feed leg; a device's inlets are its PSU cords and draw."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from superpod_iac.choices import IMPORT_REDUNDANCY, table
from superpod_iac.netbox.library.ports import port_name
from superpod_iac.netbox.library.tables import power_types

REDUNDANCY_SHARE: dict[str, Callable[[int], int]] = table(IMPORT_REDUNDANCY, {
    "N+N": lambda n: max(n // 2, 1), "2N": lambda n: max(n // 2, 1),
    "N+1": lambda n: max(n - 1, 1), "N": lambda n: n})
_ATS = re.compile(r"\b(ats|automatic transfer|transfer switch|static transfer|sts)\b|"
                  r"^(primary|secondary|source [ab12]|input source [12])$", re.I)


def draw(p: dict[str, Any], key: str) -> float | None:
    """A power port's `maximum_draw` / `allocated_draw` in W, when it is a positive number."""
    v = p.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else None


def is_transfer(data: dict[str, Any], inlets: list[dict[str, Any]]) -> bool:
    """Two inlets of which only one feeds at a time: an ATS / transfer PDU, by its own words
    (model, description, comments, inlet names or labels)."""
    if len(inlets) != 2:
        return False
    text = " ".join(str(data.get(k) or "") for k in ("model", "description", "comments"))
    if _ATS.search(text):
        return True
    return all(_ATS.search(str(p.get(k) or "")) for p in inlets for k in ("name",)) or all(
        _ATS.search(str(p.get("label") or "")) for p in inlets)


_THREE_PHASE = re.compile(r"3p|nema-l(15|21|22)|nema-1[45]-|cs8[1-4]6")
_SINGLE_PHASE = re.compile(r"iec-60320|p-n-e|2p-e|nema-(l?[156]|l?10)-")


def single_phase_inlets(inlets: list[dict[str, Any]]) -> bool:
    """Every inlet has a single-phase plug (IEC 60320, IEC 60309 P+N+E, NEMA 1/5/6/L5/L6...)."""
    types = [str(p.get("type") or "") for p in inlets]
    return bool(types) and all(_SINGLE_PHASE.search(t) and not _THREE_PHASE.search(t)
                               for t in types)


def _phases(data: dict[str, Any], inlets: list[dict[str, Any]]) -> int:
    """3 when an inlet's plug is a three-phase one (IEC 60309 3P, NEMA L15/L21/L22); 1 when
    every inlet is a single-phase plug; otherwise 3 if the outlets use two or more feed legs."""
    types = [str(p.get("type") or "") for p in inlets]
    if any(_THREE_PHASE.search(t) for t in types):
        return 3
    if types and all(_SINGLE_PHASE.search(t) for t in types):
        return 1
    legs = {o.get("feed_leg") for o in data.get("power-outlets") or [] if isinstance(o, dict)}
    return 3 if len(legs & {"A", "B", "C"}) > 1 else 1


def pdu_output(data: dict[str, Any], inlets: list[dict[str, Any]], src: str,
               warnings: list[str]) -> tuple[dict[str, Any] | None, str]:
    """(power_output, note) of a device with outlets."""
    draws = [d for p in inlets if (d := draw(p, "maximum_draw")) is not None]
    phases = _phases(data, inlets)
    if not draws:
        warnings.append(f"{src}: PDU inlets have no maximum_draw: capacity unknown, power_output "
                        "left unset (PWR checks of what it feeds cannot run until it is set)")
        return None, ""
    if is_transfer(data, inlets):
        return ({"psu_count": 2, "psu_w": max(draws), "redundancy": "N+N",
                 "input_phases": phases, "inlets": "transfer"},
                f"; automatic transfer: {len(inlets)} inlets, one feeding at a time -> "
                f"inlets: transfer, capacity of one inlet, {max(draws):g} W (give it feeds on "
                "two sides: RED005)")
    return ({"psu_count": len(draws), "psu_w": max(draws), "redundancy": "N",
             "input_phases": phases},
            f"; {len(draws)} inlet(s) of {max(draws):g} W each add up (each feeds its own outlets)")


def outlet_banks(outlets: list[dict[str, Any]], src: str, warnings: list[str],
                 single_phase: bool = False) -> list[dict[str, Any]]:
    """A PDU's outlets -> banks: consecutive outlets of one type on the same inlet and feed leg
    form a bank (on a PDU whose inlets are all single-phase plugs the library's `feed_leg` is
    not a phase of a three-phase supply: dropped, with a warning), named by their common prefix (`c19-1-1`, `c19-1-2` -> `c19-1`, as `superpod
    netbox push` names them) or by type and number. NetBox outlets carry no current rating:
    a bank gets its type's standard rating (power_types.yaml). Outlets of types superpod has no
    bank for are counted in one warning per type."""
    types = {v["netbox"].lower(): (k, v.get("outlet_a"))
             for k, v in power_types()["outlets"].items() if v.get("netbox")}
    banks: list[dict[str, Any]] = []
    dropped: dict[str, int] = defaultdict(int)
    dropped_legs: set[str] = set()
    last: tuple[Any, ...] | None = None
    for o in outlets:
        ntype = str(o.get("type") or "")
        kind, amps = types.get(ntype.lower(), (None, None))
        if kind is None or amps is None:
            dropped[ntype or "(none)"] += 1
            last = None
            continue
        m = re.match(r"^(.+)-\d+$", str(o.get("name", "")))
        prefix = port_name(m.group(1)) if m else None
        leg = o.get("feed_leg") if o.get("feed_leg") in ("A", "B", "C") else None
        if leg and single_phase:
            dropped_legs.add(leg)
            leg = None
        group = (prefix, kind, o.get("power_port"), leg)
        if group == last:
            banks[-1]["count"] += 1
            continue
        last = group
        bank: dict[str, Any] = {"name": prefix or f"{kind}-{len(banks) + 1}", "type": kind,
                                "count": 1, "outlet_a": amps}
        if leg:
            bank["feed_leg"] = leg
        banks.append(bank)
    seen: dict[str, int] = defaultdict(int)
    for b in banks:  # names unique
        seen[b["name"]] += 1
        if seen[b["name"]] > 1:
            b["name"] = f"{b['name']}-{seen[b['name']]}"
    if dropped_legs:
        warnings.append(f"{src}: outlets on feed_leg {'/'.join(sorted(dropped_legs))} but every "
                        "inlet is a single-phase plug: the legs are not phases, not kept "
                        "(OUT004/OUT005 check phase balance on three-phase PDUs only)")
    for ntype, n in sorted(dropped.items()):
        warnings.append(f"{src}: {n} power outlet(s) of type '{ntype}' not kept: superpod has no "
                        "outlet bank of that type with a standard rating (see power_types.yaml); "
                        "cords cannot be assigned to them (OUT checks)")
    return banks


def psus(inlets: list[dict[str, Any]], redundancy: str, src: str,
         warnings: list[str]) -> dict[str, Any] | None:
    """A device's power ports -> its PSU cords when they are all of one plug type superpod
    knows; else a warning naming the types."""
    if not inlets:
        return None
    cords = {v: k for k, v in power_types()["cords"].items() if v}
    kinds = {cords.get(str(p.get("type") or "")) for p in inlets}
    if None in kinds or len(kinds) != 1:
        found = ", ".join(sorted({str(p.get("type") or "(none)") for p in inlets}))
        warnings.append(f"{src}: power port type(s) {found}: no single superpod cord type: "
                        "psus left unset (outlet assignment is not checked for it)")
        return None
    return {"count": len(inlets), "cord": kinds.pop(),
            "redundancy": redundancy if len(inlets) > 1 else "N"}


def device_draw(inlets: list[dict[str, Any]], redundancy: str, src: str,
                warnings: list[str]) -> tuple[float, float | None, str]:
    """(max_w, typical_w, note) of a device from its inlets' maximum and allocated draw."""
    draws = [d for p in inlets if (d := draw(p, "maximum_draw")) is not None]
    typical = [d for p in inlets if (d := draw(p, "allocated_draw")) is not None]
    n = len(inlets)
    if draws:
        share = REDUNDANCY_SHARE.get(redundancy, REDUNDANCY_SHARE["N+N"])(n)
        max_w = max(draws) * share
        typ = min(max(typical) * share, max_w) if typical else None
        return max_w, typ, (f"; {n} power port(s), max {max(draws):g} W each, {redundancy} -> "
                            f"{max_w:g} W")
    what = (f"{n} power port(s) without maximum_draw" if n else "no power ports")
    warnings.append(f"{src}: {what}: max_w left 0 W; set it by hand (until then PWR001/PWR012 "
                    "count this type as drawing nothing)")
    return 0.0, None, ""
