"""Drift between a design and the as-built NetBox, in the markdown shape of `superpod diff`.

Everything NetBox holds in the design's sites is compared, whoever made it: a device someone
racked by hand is drift as much as a device moved to another U. Shared kinds (device types,
templates) are compared only for the types the design uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from superpod_iac.netbox.desired import GLOBAL_KINDS, KINDS
from superpod_iac.netbox.planning import Change, plan
from superpod_iac.netbox.read import Live
from superpod_iac.report.escape import markdown_code

MAX_LISTED = 50
TITLES = {"devices": "Devices", "racks": "Racks", "cables": "Cables", "interfaces": "Interfaces",
          "power-feeds": "Power feeds", "power-panels": "Power panels", "sites": "Sites",
          "locations": "Locations (rows)", "device-types": "Device types",
          "rack-types": "Rack types", "interface-templates": "Interface templates",
          "front-port-templates": "Front-port templates",
          "rear-port-templates": "Rear-port templates",
          "power-port-templates": "Power-port templates",
          "power-outlet-templates": "Power-outlet templates", "module-types": "Module types",
          "manufacturers": "Manufacturers",
          "device-roles": "Device roles", "tags": "Tags", "custom-fields": "Custom fields",
          "power-ports": "Power ports", "power-outlets": "Power outlets",
          "module-bays": "Module bays", "modules": "Modules (installed optics)",
          "module-bay-templates": "Module-bay templates"}


@dataclass
class Drift:
    missing: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))
    """In the design, not in NetBox."""
    extra: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))
    """In NetBox (in the design's sites), not in the design."""
    changed: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))
    moved: list[str] = field(default_factory=list)
    """Cables whose one end is where the design has it and the other end elsewhere."""

    @property
    def empty(self) -> bool:
        return not (any(self.missing.values()) or any(self.extra.values())
                    or any(self.changed.values()))


def drift(live: Live) -> Drift:
    d = Drift()
    for c in plan(live, drift=True).changes:
        if c.kind in ("tags", "custom-fields"):
            continue
        if c.action == "create":
            d.missing[c.kind].append(c)
        elif c.action == "delete" and c.kind not in GLOBAL_KINDS:
            d.extra[c.kind].append(c)
        elif c.action in ("update", "conflict"):
            d.changed[c.kind].append(c)
    by_end: dict[Any, Change] = {}
    for c in d.extra.get("cables", []):
        for side in c.key:
            for end in side:
                by_end[end] = c
    for c in d.missing.get("cables", []):
        for side in c.key:
            for end in side:
                other = by_end.get(end)
                if other is not None:
                    d.moved.append(f"{c.label}: NetBox has {other.label}")
    return d


def _fmt(v: Any) -> str:
    if isinstance(v, tuple):
        return "/".join(_fmt(x) for x in v)
    return repr(v) if v not in (None, "") else "(none)"


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = [f"- {markdown_code(x)}" for x in items[:MAX_LISTED]]
    more = [f"- ... and {len(items) - MAX_LISTED} more"] if len(items) > MAX_LISTED else []
    return [f"**{title}** ({len(items)})", "", *shown, *more, ""]


def to_markdown(d: Drift, design: str, url: str) -> str:
    lines = [f"### superpod drift: design {markdown_code(design)} -> NetBox "
             f"{markdown_code(url)}", ""]
    if d.empty:
        return "\n".join([*lines, "No drift: NetBox matches the design.", ""])
    counts = [f"{sum(len(v) for v in d.missing.values())} missing in NetBox",
              f"{sum(len(v) for v in d.extra.values())} not in the design",
              f"{sum(len(v) for v in d.changed.values())} differ"]
    lines += [", ".join(counts) + ".", ""]
    for kind in KINDS:
        title = TITLES.get(kind, kind)
        lines += _section(f"{title} missing in NetBox", [f"- {c.label}" for c in
                                                           sorted(d.missing.get(kind, []),
                                                                  key=lambda c: c.label)])
        lines += _section(f"{title} in NetBox, not in the design",
                          [f"+ {c.label}" for c in sorted(d.extra.get(kind, []),
                                                          key=lambda c: c.label)])
        changed = []
        for c in sorted(d.changed.get(kind, []), key=lambda c: c.label):
            what = ", ".join(f"{f} {_fmt(new)} in the design, {_fmt(old)} in NetBox"
                             for f, (old, new) in sorted(c.diffs.items()))
            changed.append(f"~ {c.label}: {what}")
        heading = {"devices": "Devices at another U, rack or type",
                   "power-feeds": "Power feeds with other ratings"}.get(kind, f"{title} changed")
        lines += _section(heading, changed)
        if kind == "cables":
            lines += _section("Cables moved (one end as designed, the other elsewhere)",
                              [f"~ {m}" for m in sorted(set(d.moved))])
    return "\n".join(lines)
