"""Reading numbers from library files: finite, non-negative, or a warning and a default."""

from __future__ import annotations

import math
from typing import Any

WEIGHT_KG = {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125}
LENGTH_MM = {"mm": 1.0, "in": 25.4}
MAX_COMPONENTS = 5_000
"""Components of one kind (interfaces, outlets, ports) per type: the largest real chassis in
the library has a few hundred; past this the file is refused with an error, so an import is
bounded (a 60,000-interface file would cost seconds of CPU)."""


def number(data: dict[str, Any], key: str, default: float | None, src: str,
           warnings: list[str]) -> float | None:
    """`data[key]` as a finite number >= 0; absent -> default; anything else -> default and a
    warning."""
    v = data.get(key)
    if v is None or v == "":
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        shown = "absent" if default is None else f"{default:g}"
        warnings.append(f"{src}: {key} {v!r} is not a finite number >= 0: taken as {shown}")
        return default
    return float(v)


def weight_kg(data: dict[str, Any], key: str, src: str, warnings: list[str]) -> float | None:
    w = number(data, key, None, src, warnings)
    if w is None:
        return None
    unit = str(data.get("weight_unit") or "kg")
    if unit not in WEIGHT_KG:
        warnings.append(f"{src}: weight_unit {unit!r} unknown: {key} taken as kg")
    return round(w * WEIGHT_KG.get(unit, 1.0), 3)


def too_many(data: dict[str, Any], src: str) -> str | None:
    """An error when any component list is longer than MAX_COMPONENTS (or not a list)."""
    for key in ("interfaces", "power-ports", "power-outlets", "front-ports", "rear-ports",
                "console-ports", "console-server-ports", "module-bays", "device-bays",
                "inventory-items"):
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return f"{src}: {key} is not a list of components: file not imported"
        if len(items) > MAX_COMPONENTS:
            return (f"{src}: {len(items):,} {key} > {MAX_COMPONENTS:,} (limit per type): file "
                    "not imported")
    return None
