"""netbox-community devicetype-library YAML -> a superpod Catalog manifest.

Device types become device types, module types zero-U device types (a power supply module is
no load), rack types cabinet types; the work is in `superpod_iac.netbox.library` (schema,
fields, ports, power, roles). Input is checked against the library's own JSON Schema, relaxed
to what upstream accepts today: a schema problem is a warning, a file that names no type is an
error. Nothing is dropped silently: every default taken and every field not kept is a
warning, once per type (the table: library/fields.py, docs/netbox.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from superpod_iac.netbox.library.device import SUPERPOD_MARK, device
from superpod_iac.netbox.library.numbers import too_many
from superpod_iac.netbox.library.power import REDUNDANCY_SHARE as _REDUNDANCY_SHARE
from superpod_iac.netbox.library.rack import rack
from superpod_iac.netbox.library.schema import check
from superpod_iac.netbox.library.tables import interface_map, interface_table, power_types
from superpod_iac.source.loader import (
    LoadLimits,
    OverBudget,
    discover,
    missing_message,
    read_within_budget,
)

__all__ = [
    "SUPERPOD_MARK",
    "_REDUNDANCY_SHARE",
    "ImportResult",
    "import_documents",
    "import_netbox",
    "interface_map",
    "interface_table",
    "power_types",
    "to_yaml",
]


@dataclass
class ImportResult:
    catalog: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: int = 0


def _kind(path: Path, data: dict[str, Any]) -> str:
    parts = set(path.parts)
    if "rack-types" in parts or ("form_factor" in data and "width" in data
                                 and "interfaces" not in data):
        return "racktype"
    if "module-types" in parts:
        return "moduletype"
    return "devicetype"


def _files(paths: list[str], limits: LoadLimits, res: ImportResult) -> list[Path]:
    """The files under `paths`, found by the same bounded walk as manifests (folder depth,
    file count, symlink loops, special files): problems are errors, never a hang. In a folder,
    library files without a .yaml/.yml extension are read too (the library has some)."""
    found = discover(paths, limits)
    if found.missing:
        raise FileNotFoundError(missing_message(found.missing))
    res.errors.extend(f"{d.file}: {d.message}" for d in found.problems)
    res.errors.extend(f"{link}: symlink leads outside the project; not followed"
                      for link in found.escaped)
    files = [Path(f) for f in found.files]
    seen = set(files)
    for given in paths:
        for p in _extensionless(Path(given), limits, res):
            if p not in seen and len(files) < limits.max_files:
                files.append(p)
                seen.add(p)
                res.warnings.append(f"{p}: no .yaml extension: read as a library file")
    return files


_LIBRARY_DIRS = ("device-types", "module-types", "rack-types")


def _extensionless(root: Path, limits: LoadLimits, res: ImportResult) -> list[Path]:
    """Regular files without an extension under a library folder (one holding, being or
    inside device-types/module-types/rack-types): the library has a few. The walk does not
    follow symlinks and stops after `max_files` entries (an error says so)."""
    if not root.is_dir() or not ({root.name, *root.resolve().parts} & set(_LIBRARY_DIRS)
                                 or any((root / d).is_dir() for d in _LIBRARY_DIRS)):
        return []
    import os

    out: list[Path] = []
    seen = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            seen += 1
            if seen > limits.max_files:
                res.errors.append(f"{root}: more than {limits.max_files:,} entries (limit "
                                  "max_files): files without an extension past them not read")
                return out
            p = Path(folder) / name
            if "." not in name and p.is_file() and not p.is_symlink():
                out.append(p)
    return out


def import_netbox(paths: list[str], *, name: str = "netbox-import", redundancy: str = "N+N",
                  rack_power_kw: float | None = None, limits: LoadLimits | None = None
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
        # a file without an extension is read on the chance it is a library file: if it is
        # not one (a README, a licence), that is a warning, not an error
        report = res.warnings if "." not in path.name else res.errors
        if loaded.diagnostics:
            first = loaded.diagnostics[0]
            report.append(f"{src}:{first.line}: not valid YAML: {first.rule} {first.message}")
            continue
        data = loaded.documents[0].data if loaded.documents else None
        if not isinstance(data, dict) or "model" not in data:
            report.append(f"{src}: not a NetBox device, module or rack type")
            continue
        docs.append((src, _kind(path, data), data))
    return import_documents(docs, name=name, redundancy=redundancy,
                            rack_power_kw=rack_power_kw, res=res)


def import_documents(docs: list[tuple[str, str, dict[str, Any]]], *, name: str = "netbox-import",
                     redundancy: str = "N+N", rack_power_kw: float | None = None,
                     validate: bool = True, res: ImportResult | None = None) -> ImportResult:
    """(source, kind, document) triples in the devicetype-library's shape -> a Catalog;
    kind is `devicetype`, `moduletype` or `racktype`."""
    spec: dict[str, list[dict[str, Any]]] = {"cabinet_types": [], "device_types": []}
    res = res if res is not None else ImportResult({})
    for src, kind, data in docs:
        if (bound := too_many(data, src)) is not None:  # bounded before any work per item
            res.errors.append(bound)
            continue
        errors, warnings = check(src, kind, data) if validate else ([], [])
        res.warnings.extend(warnings)
        if errors:
            res.errors.extend(errors)
            continue
        if kind == "racktype":
            spec["cabinet_types"].append(rack(data, src, rack_power_kw, res.warnings))
        else:
            spec["device_types"].append(device(data, src, kind, redundancy, res.warnings))
    _unique_names(spec, res)
    spec = {k: sorted(v, key=lambda x: x["name"]) for k, v in spec.items() if v}
    res.catalog = {"apiVersion": "superpod-iac/v1alpha1", "kind": "Catalog",
                   "metadata": {"name": name}, "spec": spec}
    return res


def _unique_names(spec: dict[str, list[dict[str, Any]]], res: ImportResult) -> None:
    """Two files giving one type name: the later one is renamed `<name>-2` with a warning, so
    neither replaces the other."""
    for entries in spec.values():
        seen: dict[str, int] = {}
        for e in entries:
            n = seen.get(e["name"], 0) + 1
            seen[e["name"]] = n
            if n > 1:
                res.warnings.append(f"{e['source'].split(';')[0]}: type name {e['name']} is "
                                    f"already taken by another file: imported as "
                                    f"{e['name']}-{n}")
                e["name"] = f"{e['name']}-{n}"


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
