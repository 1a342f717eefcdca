"""One device type or module type of the library -> one superpod device type."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from superpod_iac.netbox.library import power
from superpod_iac.netbox.library.fields import dropped_warning
from superpod_iac.netbox.library.numbers import number, weight_kg
from superpod_iac.netbox.library.ports import interface_groups, passive_groups
from superpod_iac.netbox.library.roles import role

SUPERPOD_MARK = "superpod-iac catalog entry:"
"""First line of the `comments` an exported device type carries: what the devicetype-library
format has no field for (role, power, cooling, port groups) as JSON after it, so `superpod
import netbox` of an export restores the catalog entry exactly."""
FROM_NETBOX = ("name", "part_number", "height_u", "weight_kg")
"""Fields NetBox's own fields give even when a superpod entry rides in the comments."""
AIRFLOW = {"front-to-rear", "rear-to-front", "passive", "mixed"}
_PSU = re.compile(r"\b(psu|power supply|pwr|power module)\b", re.I)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def type_name(data: dict[str, Any]) -> str:
    s = data.get("slug")
    if isinstance(s, str) and re.fullmatch(r"[a-z0-9][-a-z0-9_]*", s):
        return s
    return slug(f"{data['manufacturer']}-{data['model']}")


def _superpod_entry(data: dict[str, Any], src: str, warnings: list[str]) -> dict[str, Any] | None:
    text = str(data.get("comments") or "")
    if not text.startswith(SUPERPOD_MARK):
        return None
    try:
        extra = json.loads(text[len(SUPERPOD_MARK):])
    except ValueError:
        warnings.append(f"{src}: comments start with '{SUPERPOD_MARK}' but the JSON after it "
                        "does not parse: ignored")
        return None
    return extra if isinstance(extra, dict) else None


def is_psu_module(data: dict[str, Any]) -> bool:
    """A module type that is a power supply: it has power ports and nothing else to cable (no
    interfaces, no outlets), or says so. Its power port's rating is an output, not a load."""
    if data.get("interfaces") or data.get("power-outlets") or not data.get("power-ports"):
        return False
    text = " ".join(str(data.get(k) or "") for k in ("profile", "model", "part_number",
                                                       "description", "comments"))
    return bool(_PSU.search(text)) or not (data.get("front-ports") or data.get("rear-ports"))


def _height(data: dict[str, Any], module: bool, src: str, warnings: list[str]) -> int:
    u = number(data, "u_height", 0.0 if module else 1.0, src, warnings) or 0.0
    height = math.ceil(u)
    if height != u:
        warnings.append(f"{src}: u_height {u:g} is not a whole U: imported as {height} U "
                        "(superpod places devices on whole units)")
    return height


def _power(data: dict[str, Any], kind: str, redundancy: str, src: str,
           warnings: list[str]) -> tuple[dict[str, Any], str]:
    """The power fields of the entry and the note about them."""
    inlets = [p for p in data.get("power-ports") or [] if isinstance(p, dict)]
    outlets = [p for p in data.get("power-outlets") or [] if isinstance(p, dict)]
    out: dict[str, Any] = {"max_w": 0.0}
    if outlets:
        output, note = power.pdu_output(data, inlets, src, warnings)
        kinds = sorted({str(o.get("type", "?")) for o in outlets})
        note = (f"; PDU with {len(outlets)} outlet(s) ({', '.join(kinds)}) on {len(inlets)} "
                f"inlet(s): inlet ratings are its capacity, its own draw is 0 W" + note)
        if output:
            out["power_output"] = output
        if banks := power.outlet_banks(outlets, src, warnings,
                                       power.single_phase_inlets(inlets)):
            out["outlets"] = banks
        return out, note
    if kind == "moduletype" and is_psu_module(data):
        rating = max((d for p in inlets if (d := power.draw(p, "maximum_draw"))), default=0)
        warnings.append(f"{src}: a power supply module (rated {rating:g} W): imported with "
                        "max_w 0, it converts power for the device it sits in and is no load "
                        "of its own")
        return out, f"; power supply module, output rating {rating:g} W"
    if not inlets and data.get("is_powered") is False:
        warnings.append(f"{src}: is_powered: false and no power ports (fed by a rack busbar or "
                        "shelf): max_w left 0 W; set it by hand so the shelf's load is counted")
        return out, "; no power inlets of its own (is_powered: false)"
    max_w, typical_w, note = power.device_draw(inlets, redundancy, src, warnings)
    out["max_w"] = max_w
    if typical_w is not None:
        out["typical_w"] = round(typical_w, 3)
    if psus := power.psus(inlets, redundancy, src, warnings):
        out["psus"] = psus
    return out, note


def _notes(data: dict[str, Any], kind: str, evidence: str) -> str:
    bits = [f"a {kind[:-4]} type", f"role: {evidence}"]
    if data.get("is_full_depth") is False:
        bits.append("half depth (is_full_depth: false)")
    for key in ("subdevice_role", "profile", "description"):
        if data.get(key):
            bits.append(f"{key}: {data[key]}")
    if isinstance(data.get("attribute_data"), dict):
        bits.append("attribute_data: " + json.dumps(data["attribute_data"], sort_keys=True))
    for key in ("console-server-ports", "module-bays", "device-bays"):
        if data.get(key):
            bits.append(f"{len(data[key])} {key}")
    return "; ".join(bits)


def _ports(data: dict[str, Any], src: str, warnings: list[str]) -> list[dict[str, Any]]:
    ifaces = [i for i in data.get("interfaces") or [] if isinstance(i, dict)]
    if any("{module}" in str(i.get("name", "")) for i in ifaces):
        warnings.append(f"{src}: interface names hold the '{{module}}' placeholder (the bay "
                        "the module sits in): imported with 'module' in its place")
    groups, _ = interface_groups(ifaces, src, warnings)
    return groups + passive_groups(data)


def device(data: dict[str, Any], src: str, kind: str, redundancy: str,
           warnings: list[str]) -> dict[str, Any]:
    """One device type (or module type: a card with ports and power, imported as a zero-U
    device type). Every default taken for something the file does not say is a warning."""
    extra = _superpod_entry(data, src, warnings)
    if extra is not None:
        plain = device({k: v for k, v in data.items() if k != "comments"}, src, kind,
                       redundancy, [])
        return {**{k: v for k, v in extra.items() if k not in FROM_NETBOX},
                **{k: plain[k] for k in FROM_NETBOX if k in plain}}
    module = kind == "moduletype"
    groups = _ports(data, src, warnings)
    found, evidence = role(data, groups, module)
    out: dict[str, Any] = {"name": type_name(data), "manufacturer": data["manufacturer"],
                           "model": data["model"]}
    if found:
        out["role"] = found
    elif not module:
        warnings.append(f"{src}: role unknown ({evidence}): left unset; set role (compute, "
                        "switch, storage ...) so role-based checks apply")
    out["height_u"] = _height(data, module, src, warnings)
    w = weight_kg(data, "weight", src, warnings)
    if w is None:
        warnings.append(f"{src}: no weight: weight_kg 0 (default); set it by hand (a rack-mounted "
                        "type left so is SPC009 in a design that uses it)")
    out["weight_kg"] = w or 0.0
    fields, note = _power(data, kind, redundancy, src, warnings)
    out.update(fields)
    if data.get("part_number"):
        out["part_number"] = str(data["part_number"])
    airflow = data.get("airflow")
    if airflow in AIRFLOW:
        out["airflow"] = airflow
    elif airflow:
        warnings.append(f"{src}: airflow '{airflow}' has no superpod equivalent: left unset")
    if groups:
        out["port_groups"] = groups
    out["source"] = f"NetBox devicetype-library {src}; {_notes(data, kind, evidence)}{note}"
    if (line := dropped_warning(kind, src, data)) is not None:
        warnings.append(line)
    return out
