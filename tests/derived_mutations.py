"""Declared-figure mutations for the "derived beats declared" tests (issue #32).

Each mutation adds or changes a figure someone writes, in a way the design itself contradicts:
a rating above what the node's breaker allows, a CDU above its type's nameplate, a rear door
with no rated type, a link shorter than the run between its ends, an active type re-roled as a
patch panel or flattened to 0U, a typical draw above the maximum. Used by the mass fuzzer (on a
clean design each is a known error: exit 1) and by the property test (on a failing design none
may turn the exit into 0).

`docs` is a list of manifest documents (plain data, mutated in place); `choose` picks one of a
non-empty list (random.Random.choice, or a hypothesis draw).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Choose = Callable[[list[Any]], Any]

KINDS = ("rating_above_breaker", "cdu_above_nameplate", "rear_door", "shorten_length",
         "role_hides_power", "height_hides_space", "typical_above_max")


def _of_kind(docs: list[Any], kind: str) -> Iterator[dict[str, Any]]:
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == kind and isinstance(doc.get("spec"), dict):
            yield doc


def _items(docs: list[Any], kind: str, key: str) -> list[dict[str, Any]]:
    return [x for d in _of_kind(docs, kind) for x in d["spec"].get(key) or []
            if isinstance(x, dict)]


def _lonely_types(docs: list[Any]) -> set[str]:
    """Device types used by a cabinet that holds only that one device line (so a 0U device of
    the type sits in no chassis)."""
    out: set[str] = set()
    for d in _of_kind(docs, "Cabinet"):
        devs = d["spec"].get("devices") or []
        if len(devs) == 1 and isinstance(devs[0], dict) and isinstance(devs[0].get("type"), str):
            out.add(devs[0]["type"])
    return out


def _used_types(docs: list[Any]) -> set[str]:
    return {x["type"] for x in _items(docs, "Cabinet", "devices") if isinstance(x.get("type"), str)}


def _active(t: dict[str, Any]) -> bool:
    ports = [g for g in t.get("port_groups") or [] if isinstance(g, dict)]
    fast = any(isinstance(g.get("speed_gbps"), (int, float)) and g["speed_gbps"] > 1 for g in ports)
    return t.get("accelerators") is not None or fast


def mutate(docs: list[Any], kind: str, choose: Choose) -> tuple[str, bool] | None:
    """Apply mutation `kind`; returns (what was done, whether it is an error on its own in
    a clean design), or None when the design has nothing it applies to."""
    if kind == "rating_above_breaker":
        nodes = [n for n in _items(docs, "PowerSystem", "nodes")
                 if n.get("voltage_v") is not None and n.get("breaker_a") is not None]
        if nodes:
            node = choose(nodes)
            node["rating_kw"] = 1_000_000
            return f"power node {node.get('name')} rating_kw 1e6 over its breaker", True
    elif kind == "cdu_above_nameplate":
        cdus = [c for c in _items(docs, "CoolingSystem", "cdus") if c.get("type") is not None]
        if cdus:
            cdu = choose(cdus)
            figure = choose(["capacity_kw", "flow_lpm"])
            cdu[figure] = 1_000_000
            return f"CDU {cdu.get('name')} {figure} 1e6 over its type", True
    elif kind == "rear_door":
        cabs = list(_of_kind(docs, "Cabinet"))
        if cabs:
            cab = choose(cabs)
            cab["spec"]["rear_door_kw"] = 9999
            return f"cabinet {cab.get('metadata')} rear_door_kw 9999", True
    elif kind == "shorten_length":
        links = _items(docs, "Fabric", "links") + _items(docs, "Fabric", "generators")
        if links:
            link = choose(links)
            link["length_m"] = 0.01
            return "a link line's length_m 0.01", "a" in link
    else:
        return _type_mutation(docs, kind, choose)
    return None


def _type_mutation(docs: list[Any], kind: str, choose: Choose) -> tuple[str, bool] | None:
    types = _items(docs, "Catalog", "device_types")
    used = _used_types(docs)
    if kind == "role_hides_power":
        cands = [t for t in types if _active(t)]
        if cands:
            t = choose(cands)
            t["role"] = choose(["patch-panel", "other"])
            t.pop("max_w", None)
            t.pop("typical_w", None)
            t.pop("power_items", None)
            return f"device type {t.get('name')} re-roled {t['role']} without max_w", \
                t.get("name") in used
    elif kind == "height_hides_space":
        cands = [t for t in types if _active(t) or (t.get("max_w") or 0) > 0 or
                 t.get("role") in ("compute", "switch", "storage", "management")]
        if cands:
            t = choose(cands)
            t["height_u"] = 0
            return f"device type {t.get('name')} height_u 0", t.get("name") in _lonely_types(docs)
    elif kind == "typical_above_max":
        cands = [t for t in types if isinstance(t.get("max_w"), (int, float)) and t["max_w"] > 0]
        if cands:
            t = choose(cands)
            t["typical_w"] = t["max_w"] * 1000 + 1
            return f"device type {t.get('name')} typical_w above max_w", t.get("name") in used
    return None
