"""Field-level changes between the manifests of two revisions, like `terraform plan`.

Manifests are matched by (kind, metadata.name); inside them mappings by key, lists of named
objects (power nodes, CDUs, part types, halls) by `name`, other lists of mappings (fabric link
lines) by content, and lists of scalars (feeds, `cabinets:`) as one value. Every change carries
the file and line that wrote it in the new revision (the old one for a removal).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from superpod_iac.diagnostics import Path
from superpod_iac.manifest.parse import Manifest
from superpod_iac.model.inventory import Inventory
from superpod_iac.numbers import num

MAX_VALUE_CHARS = 100


@dataclass(frozen=True, slots=True)
class Change:
    op: str
    """`+` added, `-` removed, `~` changed."""
    kind: str
    name: str
    path: str
    """Dotted path inside the manifest, list items by name: `spec.nodes[rk1-A].breaker_a`."""
    old: Any
    new: Any
    file: str
    line: int
    affects: str = ""
    """Objects of the resolved design this change reaches, e.g. `20 devices`."""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def subject(self) -> str:
        return f"{self.kind}/{self.name}" + (f" {self.path}" if self.path else "")

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "name": self.name, "path": self.path,
                "old": self.old, "new": self.new, "file": self.file, "line": self.line,
                "affects": self.affects}


def show(value: Any) -> str:
    """A value as it would read in YAML flow style, shortened: `125`, `[a, b]`, `{name: x}`."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return num(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        text = "[" + ", ".join(show(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 3] + "..."


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)


def _is_named(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("name"), str)


def _keyed(items: list[Any]) -> dict[str, tuple[int, Any, str]]:
    """List items by name (named objects) or by content (other mappings): key -> (index,
    item, label for the path)."""
    out: dict[str, tuple[int, Any, str]] = {}
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            key = label = item["name"]
        else:
            key, label = json.dumps(item, sort_keys=True, default=str), show(item)
        while key in out:  # the same line twice: keep both
            key += "'"
        out[key] = (i, item, label)
    return out


class _Walker:
    def __init__(self, kind: str, name: str, old: Manifest[None] | None,
                 new: Manifest[None] | None,
                 where: Callable[[Manifest[None], Path], tuple[str, int]]) -> None:
        self.kind, self.name, self.old, self.new, self.where = kind, name, old, new, where
        self.out: list[Change] = []

    def emit(self, op: str, label: str, a: Any, b: Any, pa: Path, pb: Path) -> None:
        m, raw = (self.new, pb) if op != "-" and self.new is not None else (self.old, pa)
        assert m is not None
        file, line = self.where(m, raw)
        self.out.append(Change(op, self.kind, self.name, label, a, b, file, line))

    def walk(self, a: Any, b: Any, label: str, pa: Path, pb: Path) -> None:
        if a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                sub = f"{label}.{key}" if label else str(key)
                if key not in b:
                    self.emit("-", sub, a[key], None, (*pa, key), pb)
                elif key not in a:
                    self.emit("+", sub, None, b[key], pa, (*pb, key))
                else:
                    self.walk(a[key], b[key], sub, (*pa, key), (*pb, key))
            return
        structured = isinstance(a, list) and isinstance(b, list) and (
            _named_list(a) or _named_list(b) or
            any(isinstance(v, dict) for v in a) or any(isinstance(v, dict) for v in b))
        if structured:
            ka, kb = _keyed(a), _keyed(b)
            # unnamed items edited in place (a generator's field, one end of a link line): pair
            # the unmatched ones in order when both sides have as many, and diff field by field
            gone = [k for k in ka if k not in kb and not _is_named(ka[k][1])]
            came = [k for k in kb if k not in ka and not _is_named(kb[k][1])]
            paired = dict(zip(gone, came, strict=True)) if len(gone) == len(came) else {}
            for old_key, new_key in paired.items():
                i, j = ka[old_key][0], kb[new_key][0]
                self.walk(ka[old_key][1], kb[new_key][1], f"{label}[{j}]", (*pa, i), (*pb, j))
            for key in [*ka, *(k for k in kb if k not in ka)]:
                if key in paired or key in paired.values():
                    continue
                sub = f"{label}[{(ka.get(key) or kb[key])[2]}]"
                if key not in kb:
                    self.emit("-", sub, ka[key][1], None, (*pa, ka[key][0]), pb)
                elif key not in ka:
                    self.emit("+", sub, None, kb[key][1], pa, (*pb, kb[key][0]))
                else:
                    self.walk(ka[key][1], kb[key][1], sub, (*pa, ka[key][0]),
                              (*pb, kb[key][0]))
            return
        self.emit("~", label, a, b, pa, pb)


def manifest_changes(old: list[Manifest[None]], new: list[Manifest[None]],
                     where: Callable[[Manifest[None], Path], tuple[str, int]]) -> list[Change]:
    """Every added, removed and changed field, in kind / name / document order."""
    om = {(m.kind, m.name): m for m in old}
    nm = {(m.kind, m.name): m for m in new}
    out: list[Change] = []
    for key in sorted(set(om) | set(nm)):
        a, b = om.get(key), nm.get(key)
        w = _Walker(key[0], key[1], a, b, where)
        if a is None and b is not None:
            w.emit("+", "", None, b.document.data.get("spec"), (), ())
        elif b is None and a is not None:
            w.emit("-", "", a.document.data.get("spec"), None, (), ())
        elif a is not None and b is not None:
            w.walk(a.document.data, b.document.data, "", (), ())
        out.extend(w.out)
    return out


_CATALOG_SECTIONS = {"device_types": "device", "cabinet_types": "cabinet",
                     "transceiver_types": "transceiver", "cable_types": "cable"}


def with_reach(changes: list[Change], old: Inventory, new: Inventory) -> list[Change]:
    """Attach to each catalog change how many objects of the design use the changed part
    (a changed device type changes every device of that type)."""
    out: list[Change] = []
    for ch in changes:
        affects = ""
        if ch.kind == "Catalog" and ch.path.startswith("spec.") and "[" in ch.path:
            section, rest = ch.path[len("spec."):].split("[", 1)
            part = rest.split("]", 1)[0]
            inv = old if ch.op == "-" and ch.path.endswith("]") else new
            what = _CATALOG_SECTIONS.get(section)
            count = _uses(inv, section, part)
            if what is not None and count:
                affects = f"{count:,} {what}{'s' if count != 1 else ''}" if what in (
                    "device", "cabinet") else f"{count:,} link ends"
        elif ch.kind in ("Cabinet", "Fabric") and "[" in ch.name:
            n = _expanded(ch.name)
            affects = f"{n:,} {ch.kind.lower()}s" if n > 1 else ""
        out.append(Change(ch.op, ch.kind, ch.name, ch.path, ch.old, ch.new, ch.file, ch.line,
                          affects) if affects else ch)
    return out


def _expanded(template: str) -> int:
    from superpod_iac.model.expand import ExpansionError, expand

    try:
        return len(expand(template))
    except ExpansionError:
        return 0


def _uses(inv: Inventory, section: str, part: str) -> int:
    if section == "device_types":
        return sum(1 for d in inv.devices if d.type_name == part)
    if section == "cabinet_types":
        return sum(1 for c in inv.cabinets.values() if c.type_name == part)
    links = inv.links
    if section == "cable_types":
        names, col = links.cable_names, [links.cable]
    elif section == "transceiver_types":
        names, col = links.xcvr_names, [links.xcvr_a, links.xcvr_b]
    else:
        return 0
    if part not in names:
        return 0
    idx = names.index(part)
    return sum(c.count(idx) for c in col)
