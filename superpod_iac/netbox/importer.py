"""netbox-community devicetype-library YAML -> a superpod Catalog manifest.

Device types become device types (U height, weight in kg, maximum draw from the power ports,
interfaces grouped into port groups by NetBox interface type and management flag, front/rear
ports as `front`/`rear` groups), module types (NICs, line cards, PSUs, transceivers) become
zero-U device types with their ports and power, rack types become cabinet types. A PDU's
outlets make it a `pdu` whose inlet ratings are its capacity (`power_output`), never a load.
Input is checked against the library's own JSON Schema first. Nothing is dropped silently:
every default taken (no power port, no weight, no airflow, a half U rounded up) and every
component the model cannot hold (console ports, module bays) is a one-line warning.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from ruamel.yaml import YAML

from superpod_iac.choices import IMPORT_REDUNDANCY, table
from superpod_iac.model.expand import ExpansionError, expand, fold
from superpod_iac.netbox.slug import slugify
from superpod_iac.source.loader import (
    LoadLimits,
    OverBudget,
    discover,
    missing_message,
    read_within_budget,
)

_WEIGHT = {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125}
_LENGTH_MM = {"mm": 1.0, "in": 25.4}
_AIRFLOW = {"front-to-rear": "front-to-rear", "rear-to-front": "rear-to-front",
            "passive": "passive", "mixed": "mixed"}
_OTHER = {"form_factor": "other", "speed_gbps": 1}
"""Form factor and nominal rate for ports NetBox types do not map (warned about)."""
_SAFE = re.compile(r"[^A-Za-z0-9_./:\-]")
_REDUNDANCY_SHARE: dict[str, Callable[[int], int]] = table(IMPORT_REDUNDANCY, {
    "N+N": lambda n: max(n // 2, 1), "2N": lambda n: max(n // 2, 1),
    "N+1": lambda n: max(n - 1, 1), "N": lambda n: n})


SUPERPOD_MARK = "superpod-iac catalog entry:"
"""First line of the `comments` an exported device type carries: what the devicetype-library
format has no field for (role, power, cooling, port groups) as JSON after it, so `superpod
import netbox` of an export restores the catalog entry exactly."""
_FROM_NETBOX = ("name", "part_number", "height_u", "weight_kg")
"""Fields NetBox's own fields give even when a superpod entry rides in the comments."""


@dataclass
class ImportResult:
    catalog: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: int = 0


def _multiple_of(validator: Validator, m: float, instance: object,
                 schema: Mapping[str, object]) -> Iterator[ValidationError]:
    """`multipleOf` with a float tolerance: 161.36 is a multiple of 0.01 in decimal, though not
    in binary floating point (the stock check rejects it)."""
    if (isinstance(instance, bool) or not isinstance(instance, int | float)
            or not validator.is_type(instance, "number")):
        return
    q = instance / m
    if abs(q - round(q)) > 1e-9 * max(1.0, abs(q)):
        yield ValidationError(f"{instance!r} is not a multiple of {m}")


_Validator = validators.extend(Draft202012Validator, {"multipleOf": _multiple_of})


@lru_cache(maxsize=1)
def _schemas() -> tuple[Registry, dict[str, Any]]:
    folder = resources.files("superpod_iac") / "netbox" / "schema"
    docs = {}
    for name in ("devicetype", "moduletype", "racktype", "components", "reusable",
                 "generated_schema"):
        docs[name] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d)) for d in docs.values() if "$id" in d)
    return registry, docs


@lru_cache(maxsize=1)
def interface_map() -> dict[str, dict[str, Any]]:
    text = (resources.files("superpod_iac") / "netbox" / "interface_types.yaml").read_text(
        encoding="utf-8")
    return dict(YAML(typ="safe").load(text))


@lru_cache(maxsize=1)
def power_types() -> dict[str, Any]:
    """superpod outlet / cord types <-> NetBox power outlet / port types (power_types.yaml)."""
    text = (resources.files("superpod_iac") / "netbox" / "power_types.yaml").read_text(
        encoding="utf-8")
    return dict(YAML(typ="safe").load(text))


def _kind(path: Path, data: dict[str, Any]) -> str:
    parts = set(path.parts)
    if "rack-types" in parts or ("form_factor" in data and "width" in data):
        return "racktype"
    if "module-types" in parts:
        return "moduletype"
    return "devicetype"


def _ports_nodeset(names: list[str]) -> str:
    """A nodeset that expands back to exactly these names, in order if possible."""
    folded = fold(names)
    try:
        if list(expand(folded)) == names or sorted(expand(folded)) == sorted(names):
            return folded
    except ExpansionError:
        pass
    return ",".join(names)


def _port_name(raw: Any) -> str:
    return _SAFE.sub("-", str(raw).replace("{module}", "module").strip()) or "port"


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [_port_name(i["name"]) for i in items]


def _superpod_entry(data: dict[str, Any], src: str,
                    res: ImportResult) -> dict[str, Any] | None:
    text = str(data.get("comments") or "")
    if not text.startswith(SUPERPOD_MARK):
        return None
    try:
        extra = json.loads(text[len(SUPERPOD_MARK):])
    except ValueError:
        res.warnings.append(f"{src}: comments start with '{SUPERPOD_MARK}' but the JSON after "
                            "it does not parse: ignored")
        return None
    return extra if isinstance(extra, dict) else None


def _device(data: dict[str, Any], src: str, redundancy: str, res: ImportResult,
            module: bool = False) -> dict[str, Any]:
    """One device type (or module type: a card with ports and power, imported as a zero-U
    device type). Every default taken for something the file does not say is a warning."""
    extra = _superpod_entry(data, src, res)
    if extra is not None:
        quiet = ImportResult({})
        plain = _device({k: v for k, v in data.items() if k != "comments"}, src, redundancy,
                        quiet, module)
        # the entry restores what the library format lacks: the defaults warned about in a
        # plain library file are not taken here
        return {**{k: v for k, v in extra.items() if k not in _FROM_NETBOX},
                **{k: plain[k] for k in _FROM_NETBOX if k in plain}}
    name = data.get("slug") or slugify(f"{data['manufacturer']}-{data['model']}")
    note = f"NetBox devicetype-library {src}" + ("; a module type (card or module)"
                                                 if module else "")
    unit = data.get("weight_unit", "kg")
    if data.get("weight") is None:
        res.warnings.append(f"{src}: no weight: weight_kg 0 (default); set it by hand")
    weight = float(data.get("weight") or 0) * _WEIGHT.get(unit, 1.0)
    inlets = data.get("power-ports", []) or []
    outlets = data.get("power-outlets", []) or []
    draws = [float(p["maximum_draw"]) for p in inlets if p.get("maximum_draw")]
    typical = [float(p["allocated_draw"]) for p in inlets if p.get("allocated_draw")]
    n = len(inlets)
    max_w = 0.0
    typical_w: float | None = None
    power_output: dict[str, Any] | None = None
    if outlets:
        # A PDU: its inlets' ratings are what it can deliver, never a load of its own.
        kinds = sorted({str(o.get("type", "?")) for o in outlets})
        note += (f"; PDU with {len(outlets)} outlet(s) ({', '.join(kinds)}) on {n} inlet(s): "
                 "inlet ratings are its capacity, its own draw is taken as 0 W")
        if draws:
            power_output = {"psu_count": len(draws), "psu_w": max(draws),
                            "redundancy": "N", "input_phases": 3 if any(
                                "3p" in str(p.get("type", "")) for p in inlets) else 1}
        else:
            res.warnings.append(f"{src}: PDU inlets have no maximum_draw: capacity unknown, "
                                "power_output left unset")
    elif draws:
        share = _REDUNDANCY_SHARE.get(redundancy, _REDUNDANCY_SHARE["N+N"])(n)
        max_w = max(draws) * share
        note += f"; {n} power port(s), max {max(draws):g} W each, {redundancy} -> {max_w:g} W"
        if typical:
            typical_w = min(max(typical) * share, max_w)
    elif n:
        res.warnings.append(f"{src}: {n} power port(s) without maximum_draw: max_w 0 W "
                            "(default); set it by hand")
    else:
        res.warnings.append(f"{src}: no power ports: max_w 0 W (default); set it by hand")
    banks = _outlet_banks(outlets, src, res)
    psus = None if outlets else _psus(inlets, redundancy, src, res)
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    mapping = interface_map()
    for iface in data.get("interfaces", []) or []:
        itype = iface.get("type") or "other"
        groups[(itype, bool(iface.get("mgmt_only")))].append(_port_name(iface["name"]))
    port_groups = []
    for (itype, mgmt), names in groups.items():
        if itype == "virtual":
            res.warnings.append(f"{src}: {len(names)} virtual interface(s) are not physical "
                                f"ports: kept as group 'virtual' ({', '.join(names[:3])})")
        m = mapping.get(itype)
        if m is None:
            if itype != "virtual":
                res.warnings.append(f"{src}: interface type '{itype}' is not mapped: "
                                    f"{len(names)} port(s) kept as form factor 'other'")
            m = _OTHER
        group: dict[str, Any] = {"name": _SAFE.sub("-", itype) + ("-mgmt" if mgmt else ""),
                                 "ports": _ports_nodeset(names),
                                 "form_factor": m["form_factor"], "speed_gbps": m["speed_gbps"]}
        if mgmt:
            group["plane"] = "management"
        port_groups.append(group)
    rear, front = data.get("rear-ports", []) or [], data.get("front-ports", []) or []
    for gname, items in (("rear", rear), ("front", front)):
        if items:
            port_groups.append({"name": gname, "ports": _ports_nodeset(_names(items)),
                                "form_factor": "other", "speed_gbps": _OTHER["speed_gbps"]})
    for key, what in (("console-ports", "console port(s)"),
                      ("console-server-ports", "console server port(s)"),
                      ("module-bays", "module bay(s)"), ("device-bays", "device bay(s)")):
        if data.get(key):
            res.warnings.append(f"{src}: {len(data[key])} {what} not mapped (superpod models "
                                "network ports and power only)")
    n_ifaces = sum(len(v) for v in groups.values())
    role = data.get("x-superpod-role") or (
        "pdu" if outlets else "patch-panel" if (rear or front) and not n_ifaces else
        "switch" if n_ifaces >= 16 else "other")
    u = float(data.get("u_height", 0 if module else 1))
    height = math.ceil(u)
    if height != u:
        res.warnings.append(f"{src}: u_height {u:g} is not a whole U: imported as {height} U "
                            "(superpod places devices on whole units)")
    out: dict[str, Any] = {
        "name": name, "manufacturer": data["manufacturer"], "model": data["model"],
        "role": role, "height_u": height, "weight_kg": round(weight, 3), "max_w": max_w,
    }
    if typical_w is not None:
        out["typical_w"] = round(typical_w, 3)
    if data.get("part_number"):
        out["part_number"] = str(data["part_number"])
    if data.get("airflow") in _AIRFLOW:
        out["airflow"] = _AIRFLOW[data["airflow"]]
    elif data.get("airflow"):
        res.warnings.append(f"{src}: airflow '{data['airflow']}' has no superpod equivalent: "
                            "left unset")
    elif not module:
        res.warnings.append(f"{src}: no airflow: left unset (default)")
    if data.get("is_full_depth") is False:
        note += "; half depth (is_full_depth: false)"
    if port_groups:
        out["port_groups"] = port_groups
    if power_output:
        out["power_output"] = power_output
    if banks:
        out["outlets"] = banks
    if psus:
        out["psus"] = psus
    out["source"] = note
    return out


def _outlet_banks(outlets: list[dict[str, Any]], src: str,
                  res: ImportResult) -> list[dict[str, Any]]:
    """A PDU's outlets -> superpod outlet banks: consecutive outlets of one type on the same
    inlet and feed leg form a bank, named by their common prefix (`c19-1-1`, `c19-1-2` -> bank
    `c19-1`, as `superpod netbox push` names them) or by type and number. NetBox outlets carry
    no current rating: each bank gets its type's standard rating (power_types.yaml). Outlets of
    types superpod has no bank for are counted in one warning per type."""
    types = {v["netbox"]: (k, v.get("outlet_a")) for k, v in power_types()["outlets"].items()
             if v.get("netbox")}
    banks: list[dict[str, Any]] = []
    dropped: dict[str, int] = defaultdict(int)
    last: tuple[Any, ...] | None = None
    for o in outlets:
        ntype = str(o.get("type") or "")
        kind, amps = types.get(ntype, (None, None))
        if kind is None or amps is None:
            dropped[ntype or "(none)"] += 1
            last = None
            continue
        m = re.match(r"^(.+)-\d+$", str(o.get("name", "")))
        prefix = _port_name(m.group(1)) if m else None
        group = (prefix, kind, o.get("power_port"), o.get("feed_leg"))
        if group == last:
            banks[-1]["count"] += 1
            continue
        last = group
        banks.append({"name": prefix or f"{kind}-{len(banks) + 1}", "type": kind, "count": 1,
                      "outlet_a": amps})
    seen: dict[str, int] = defaultdict(int)
    for b in banks:  # names unique
        seen[b["name"]] += 1
        if seen[b["name"]] > 1:
            b["name"] = f"{b['name']}-{seen[b['name']]}"
    for ntype, n in sorted(dropped.items()):
        res.warnings.append(f"{src}: {n} power outlet(s) of type '{ntype}' not kept: superpod "
                            "outlet banks are c13, c19 or c39 (with a standard rating)")
    return banks


def _psus(inlets: list[dict[str, Any]], redundancy: str, src: str,
          res: ImportResult) -> dict[str, Any] | None:
    """A device's power ports -> its PSU cords (`psus`) when they are all of one plug type
    superpod knows (C14, C20, hardwired); else a warning naming the types."""
    if not inlets:
        return None
    cords = {v: k for k, v in power_types()["cords"].items() if v}
    kinds = {cords.get(str(p.get("type") or "")) for p in inlets}
    if None in kinds or len(kinds) != 1:
        found = ", ".join(sorted({str(p.get("type") or "(none)") for p in inlets}))
        res.warnings.append(f"{src}: power port type(s) {found}: no single superpod cord type "
                            "(c14, c20, hardwired): psus left unset")
        return None
    return {"count": len(inlets), "cord": kinds.pop(),
            "redundancy": redundancy if len(inlets) > 1 else "N"}


def _rack(data: dict[str, Any], src: str, power_kw: float, res: ImportResult) -> dict[str, Any]:
    unit = data.get("weight_unit", "kg")
    scale = _WEIGHT.get(unit, 1.0)
    mm = _LENGTH_MM.get(data.get("outer_unit", "mm"), 1.0)
    width = float(data.get("outer_width") or 600) * mm
    depth = float(data.get("outer_depth") or 1200) * mm
    if not data.get("max_weight"):
        res.warnings.append(f"{src}: no max_weight: payload set to 1000 kg (planning value)")
    for dim, default in (("outer_width", 600), ("outer_depth", 1200)):
        if not data.get(dim):
            res.warnings.append(f"{src}: no {dim}: {default} mm (default)")
    return {
        "name": data.get("slug") or slugify(f"{data['manufacturer']}-{data['model']}"),
        "manufacturer": data["manufacturer"], "model": data["model"],
        "height_u": data["u_height"], "payload_kg": float(data.get("max_weight") or 1000) * scale,
        "empty_weight_kg": round(float(data.get("weight", 0)) * scale, 3),
        "power_rating_kw": power_kw,
        "footprint": {"width_mm": width, "depth_mm": depth},
        "source": f"NetBox devicetype-library {src}; power rating not in NetBox: "
                  f"{power_kw:g} kW from --rack-power-kw",
    }


def _files(paths: list[str], limits: LoadLimits, res: ImportResult) -> list[Path]:
    """The YAML files under `paths`, found by the same bounded walk as manifests (folder depth,
    file count, symlink loops, special files): problems are errors, never a hang."""
    found = discover(paths, limits)
    if found.missing:
        raise FileNotFoundError(missing_message(found.missing))
    res.errors.extend(f"{d.file}: {d.message}" for d in found.problems)
    res.errors.extend(f"{link}: symlink leads outside the project; not followed"
                      for link in found.escaped)
    return [Path(f) for f in found.files]


def _one_line(problem: ValidationError) -> str:
    if problem.validator == "enum":
        return f"{problem.instance!r} is not a value the NetBox schema knows"
    if problem.validator == "additionalProperties":
        return problem.message.split(" (")[0]
    text = problem.message.splitlines()[0]
    return text if len(text) <= 160 else text[:157] + "..."


def import_netbox(paths: list[str], *, name: str = "netbox-import", redundancy: str = "N+N",
                  rack_power_kw: float = 10.0, limits: LoadLimits | None = None
                  ) -> ImportResult:
    """devicetype-library files (device, module and rack types) -> a Catalog."""
    res = ImportResult({})
    limits = limits or LoadLimits()
    docs: list[tuple[str, str, dict[str, Any]]] = []
    files = [str(p) for p in _files(paths, limits, res) if p.parent.name != "schema"]
    # the manifests' bounded reader: size, nesting, nodes and aliases limited while reading
    for loaded in read_within_budget(files, limits):
        res.files += 1
        if isinstance(loaded, OverBudget):
            res.errors.append(f"{loaded.path}: the files given hold more than "
                              f"{limits.max_total_bytes:,} bytes (limit max_total_bytes); "
                              "it and the files after it are not read")
            break
        src, path = loaded.path, Path(loaded.path)
        if loaded.diagnostics:
            first = loaded.diagnostics[0]
            res.errors.append(f"{src}:{first.line}: not valid YAML: {first.rule} {first.message}")
            continue
        data = loaded.documents[0].data if loaded.documents else None
        if not isinstance(data, dict) or "model" not in data:
            res.errors.append(f"{src}: not a NetBox device, module or rack type")
            continue
        docs.append((src, _kind(path, data), data))
    return import_documents(docs, name=name, redundancy=redundancy,
                            rack_power_kw=rack_power_kw, res=res)


def import_documents(docs: list[tuple[str, str, dict[str, Any]]], *, name: str = "netbox-import",
                     redundancy: str = "N+N", rack_power_kw: float = 10.0,
                     validate: bool = True, res: ImportResult | None = None) -> ImportResult:
    """(source, kind, document) triples in the devicetype-library's shape -> a Catalog;
    kind is `devicetype`, `moduletype` or `racktype`."""
    registry, schemas = _schemas()
    spec: dict[str, list[dict[str, Any]]] = {"cabinet_types": [], "device_types": []}
    res = res if res is not None else ImportResult({})
    for src, kind, data in docs:
        bad = False
        if validate:
            validator = _Validator(schemas[kind], registry=registry)
            for problem in sorted(validator.iter_errors(data),
                                  key=lambda e: list(e.absolute_path)):
                where = "/".join(str(p) for p in problem.absolute_path) or "(document)"
                text = f"{src}: {where}: {_one_line(problem)} (NetBox {kind} schema)"
                if problem.validator == "required" or not problem.absolute_path:
                    res.errors.append(text)
                    bad = True
                else:
                    res.warnings.append(text + "; imported anyway")
        if bad:
            continue
        if kind == "racktype":
            spec["cabinet_types"].append(_rack(data, src, rack_power_kw, res))
        else:
            spec["device_types"].append(_device(data, src, redundancy, res,
                                                module=kind == "moduletype"))
    spec = {k: sorted(v, key=lambda x: x["name"]) for k, v in spec.items() if v}
    res.catalog = {"apiVersion": "superpod-iac/v1alpha1", "kind": "Catalog",
                   "metadata": {"name": name}, "spec": spec}
    return res


def to_yaml(res: ImportResult) -> str:
    import io

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 120
    buf = io.StringIO()
    buf.write("# yaml-language-server: $schema=../schemas/superpod.schema.json\n"
              f"# Generated by `superpod import netbox` from {res.files} NetBox file(s).\n")
    yaml.dump(res.catalog, buf)
    return buf.getvalue()
