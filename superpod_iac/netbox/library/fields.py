"""What `superpod import netbox` does with every field of the devicetype-library schemas:
`mapped` into a catalog field, `note` (kept in the entry's `source` text, for people and for
`netbox push`, which reads the type back from NetBox), or `dropped` with what that means for
validation. docs/netbox.md's mapping table is this table; a file's dropped fields are named
in one warning per type."""

from __future__ import annotations

from typing import Any

Fate = tuple[str, str]
"""(mapped | note | dropped, where it goes or what dropping it means)."""

DEVICE: dict[str, Fate] = {
    "manufacturer": ("mapped", "manufacturer"),
    "model": ("mapped", "model"),
    "slug": ("mapped", "name (else manufacturer-model slugified)"),
    "part_number": ("mapped", "part_number"),
    "u_height": ("mapped", "height_u (half units rounded up, warned)"),
    "is_full_depth": ("note", "source ('half depth'); depth_mm is not set: SPC depth checks "
                              "use the cabinet's rails only"),
    "airflow": ("mapped", "airflow (values superpod has; others warned, left unset)"),
    "weight": ("mapped", "weight_kg (kg, g, lb, oz converted)"),
    "weight_unit": ("mapped", "unit of weight_kg"),
    "front_image": ("dropped", "picture flag: no effect on validation"),
    "rear_image": ("dropped", "picture flag: no effect on validation"),
    "subdevice_role": ("note", "source; superpod has no parent/child devices: a child is "
                               "placed like any device (SPC checks its U)"),
    "is_powered": ("note", "source; is_powered: false with no power ports means its power "
                           "comes from elsewhere (rack busbar): max_w stays 0, warned"),
    "console-ports": ("dropped", "serial ports are not cabled in the model: no PRT checks"),
    "console-server-ports": ("note", "count in source; role management when nothing else "
                                     "decides; the serial ports are not modelled"),
    "power-ports": ("mapped", "max_w / typical_w (maximum_draw, allocated_draw x redundancy "
                              "share), psus (plug type), a PDU's power_output"),
    "power-outlets": ("mapped", "outlets banks (type, count, feed_leg, standard rating)"),
    "interfaces": ("mapped", "port_groups (form factor and rate from interface_types.yaml, "
                             "one group per foldable run of names)"),
    "front-ports": ("mapped", "port_groups front-<type> (names front-<name>)"),
    "rear-ports": ("mapped", "port_groups rear-<type> (names rear-<name>)"),
    "module-bays": ("note", "count in source; installed modules are not modelled: their "
                            "ports and power are not part of the type"),
    "device-bays": ("note", "count in source; child devices are placed separately"),
    "inventory-items": ("dropped", "inventory only: no effect on validation"),
    "description": ("note", "source"),
    "comments": ("note", "source (a superpod export's JSON entry is restored from it)"),
}
MODULE: dict[str, Fate] = {
    **{k: v for k, v in DEVICE.items() if k in (
        "manufacturer", "model", "part_number", "weight", "weight_unit", "airflow",
        "console-ports", "console-server-ports", "interfaces", "front-ports", "rear-ports",
        "module-bays", "description", "comments")},
    "power-ports": ("mapped", "a PSU module's maximum_draw is its output rating, kept in "
                              "source; max_w 0 (a PSU is not a load)"),
    "power-outlets": ("mapped", "outlets banks"),
    "profile": ("note", "source (module type profile, e.g. Power supply)"),
    "attribute_data": ("note", "source (profile attributes, e.g. wattage)"),
    "module_bay_types": ("dropped", "which bays accept it: not modelled"),
}
RACK: dict[str, Fate] = {
    "manufacturer": ("mapped", "manufacturer"),
    "model": ("mapped", "model"),
    "slug": ("mapped", "name"),
    "u_height": ("mapped", "height_u"),
    "starting_unit": ("note", "source; superpod numbers units from 1"),
    "width": ("note", "source (rail width, inches); mounting_width_mm is not set"),
    "form_factor": ("note", "source (4-post cabinet, frame, wall cabinet ...)"),
    "outer_width": ("mapped", "footprint.width_mm (outer_unit converted)"),
    "outer_depth": ("mapped", "footprint.depth_mm (outer_unit converted)"),
    "outer_height": ("note", "source; not checked against the hall"),
    "outer_unit": ("mapped", "unit of the outer dimensions"),
    "mounting_depth": ("mapped", "mounting_depth_mm (SPC depth check)"),
    "weight": ("mapped", "empty_weight_kg"),
    "max_weight": ("mapped", "payload_kg"),
    "weight_unit": ("mapped", "unit of the weights"),
    "desc_units": ("note", "source; superpod numbers units bottom up"),
    "description": ("note", "source"),
    "comments": ("note", "source"),
}
TABLES = {"devicetype": DEVICE, "moduletype": MODULE, "racktype": RACK}

_LABEL: Fate = ("dropped", "display text only: no effect on validation")
COMPONENTS: dict[str, dict[str, Fate]] = {
    "interfaces": {
        "name": ("mapped", "the port's name (`{module}` becomes `module`)"),
        "type": ("mapped", "form factor and rate (interface_types.yaml)"),
        "mgmt_only": ("mapped", "a `-mgmt` group with plane management"),
        "label": _LABEL, "description": _LABEL,
        "enabled": ("dropped", "administrative state, not hardware: no effect"),
        "bridge": ("dropped", "a software bridge: no effect"),
        "poe_mode": ("dropped", "PoE is not modelled: no PoE budget is checked"),
        "poe_type": ("dropped", "PoE is not modelled: no PoE budget is checked"),
        "rf_role": ("dropped", "radio role: wireless is not modelled"),
    },
    "power-ports": {
        "name": ("mapped", "the cord's position"), "type": ("mapped", "psus.cord"),
        "maximum_draw": ("mapped", "max_w (x redundancy share), a PDU's capacity"),
        "allocated_draw": ("mapped", "typical_w"), "label": _LABEL, "description": _LABEL,
    },
    "power-outlets": {
        "name": ("mapped", "bank name (common prefix)"), "type": ("mapped", "bank type"),
        "power_port": ("mapped", "banks split per inlet"),
        "feed_leg": ("mapped", "bank feed_leg (phase)"), "label": _LABEL,
        "description": _LABEL,
    },
    "front-ports": {
        "name": ("mapped", "port front-<name>"), "type": ("mapped", "group front-<type>"),
        "rear_port": ("dropped", "front-to-rear mapping is not modelled: a link through the "
                                 "panel is not traced to the rear side"),
        "rear_port_position": ("dropped", "position on the rear port: not modelled"),
        "positions": ("dropped", "not modelled"), "color": _LABEL, "label": _LABEL,
        "description": _LABEL,
    },
    "rear-ports": {
        "name": ("mapped", "port rear-<name>"), "type": ("mapped", "group rear-<type>"),
        "positions": ("dropped", "how many front ports share it: not modelled"),
        "color": _LABEL, "label": _LABEL, "description": _LABEL,
        "_is_power_source": ("dropped", "not modelled"),
    },
}
"""Fields of the components superpod models; console ports, bays and inventory items are
handled whole by the type's own table."""


def unknown_and_dropped(kind: str, data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(fields the table does not know, fields it drops) present with a value in `data`."""
    table = TABLES[kind]
    present = [k for k, v in data.items() if v not in (None, "", [], {})]
    return ([k for k in present if k not in table],
            [k for k in present if table.get(k, ("", ""))[0] == "dropped"])


def component_parts(data: dict[str, Any]) -> list[str]:
    """`<component>.<field> (what dropping it means)` for every component field present with
    a value that is dropped or unknown, once per field."""
    parts: list[str] = []
    for comp, table in COMPONENTS.items():
        items = data.get(comp)
        if not isinstance(items, list):
            continue
        present = sorted({k for i in items if isinstance(i, dict) for k, v in i.items()
                          if v not in (None, "", [], {})})
        for k in present:
            fate = table.get(k)
            if fate is None:
                parts.append(f"{comp}.{k} (not a field superpod knows: ignored)")
            elif fate[0] == "dropped":
                parts.append(f"{comp}.{k} ({fate[1]})")
    return parts


def dropped_warning(kind: str, src: str, data: dict[str, Any]) -> str | None:
    """One line naming every field of this type (and of its components) that is not kept, and
    what that means."""
    unknown, dropped = unknown_and_dropped(kind, data)
    table = TABLES[kind]
    parts = [f"{k} ({table[k][1]})" for k in dropped]
    parts += [f"{k} (not a field superpod knows: ignored)" for k in unknown]
    if kind != "racktype":
        parts += component_parts(data)
    if not parts:
        return None
    return f"{src}: not kept: " + "; ".join(parts)
