"""The NetBox choice tables the importer and exporter share: interface types (generated from
NetBox's own choices by scripts/netbox-interface-types) and power outlet / port types."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

NOT_PORTS = frozenset({"virtual", "wireless", "unrated"})
"""Interface kinds that are no cabled port with a defined rate: left out with a warning."""


def _load(name: str) -> dict[str, Any]:
    text = (resources.files("superpod_iac") / "netbox" / name).read_text(encoding="utf-8")
    return dict(YAML(typ="safe").load(text))


@lru_cache(maxsize=1)
def interface_table() -> dict[str, dict[str, Any]]:
    """Every NetBox interface type -> its table entry (interface_types.yaml)."""
    return _load("interface_types.yaml")


@lru_cache(maxsize=1)
def interface_map() -> dict[str, dict[str, Any]]:
    """NetBox interface types whose name states the cage (`400gbase-x-osfp`, `10gbase-t`,
    InfiniBand): the ones `export netbox` and `netbox push` pick from for a superpod port of a
    form factor and rate (the first by name wins)."""
    return {k: v for k, v in interface_table().items()
            if "speed_gbps" in v and "kind" not in v and v.get("cage") != "typical"}


@lru_cache(maxsize=1)
def power_types() -> dict[str, Any]:
    """superpod outlet / cord types <-> NetBox power outlet / port types (power_types.yaml)."""
    return _load("power_types.yaml")
