"""One rack type of the library -> one superpod cabinet type. NetBox has no power rating for a
rack: `power_rating_kw` is written only when the user gives one (--rack-power-kw), and the
source says where it came from; otherwise the entry lacks it and validation says so."""

from __future__ import annotations

from typing import Any

from superpod_iac.netbox.library.device import type_name
from superpod_iac.netbox.library.fields import dropped_warning
from superpod_iac.netbox.library.numbers import LENGTH_MM, number, weight_kg


def _mm(data: dict[str, Any], key: str, src: str, warnings: list[str]) -> float | None:
    v = number(data, key, None, src, warnings)
    if v is None:
        return None
    return round(v * LENGTH_MM.get(str(data.get("outer_unit") or "mm"), 1.0), 1)


def rack(data: dict[str, Any], src: str, power_kw: float | None,
         warnings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": type_name(data), "manufacturer": data["manufacturer"],
                           "model": data["model"]}
    height = number(data, "u_height", None, src, warnings)
    if height is None or height < 1 or height != int(height):
        warnings.append(f"{src}: u_height {data.get('u_height')!r} is not a whole number of "
                        "units >= 1: height_u left out (validation will say it is missing)")
    else:
        out["height_u"] = int(height)
    sources = [f"NetBox devicetype-library {src}"]
    payload = weight_kg(data, "max_weight", src, warnings)
    if payload:
        out["payload_kg"] = payload
    else:
        warnings.append(f"{src}: no max_weight: payload_kg left out (validation will say it is "
                        "missing; take it from the vendor's data sheet)")
    out["empty_weight_kg"] = weight_kg(data, "weight", src, warnings) or 0.0
    if power_kw is not None:
        out["power_rating_kw"] = power_kw
        sources.append(f"power_rating_kw {power_kw:g} kW from --rack-power-kw (NetBox has none)")
    else:
        warnings.append(f"{src}: NetBox has no power rating for a rack: power_rating_kw left "
                        "out; set it (or pass --rack-power-kw) -- until then the cabinet type "
                        "fails validation and PWR001 cannot run")
    width, depth = _mm(data, "outer_width", src, warnings), _mm(data, "outer_depth", src, warnings)
    if width and depth:
        out["footprint"] = {"width_mm": width, "depth_mm": depth}
    else:
        warnings.append(f"{src}: outer_width/outer_depth missing: footprint left out (floor "
                        "load and row pitch checks need it; validation will say it is missing)")
    if mounting := number(data, "mounting_depth", None, src, warnings):  # always mm in NetBox
        out["mounting_depth_mm"] = mounting
    for key in ("form_factor", "outer_height", "starting_unit", "width", "description"):
        if data.get(key) not in (None, ""):
            sources.append(f"{key}: {data[key]}")
    out["source"] = "; ".join(sources)
    if (line := dropped_warning("racktype", src, data)) is not None:
        warnings.append(line)
    return out
