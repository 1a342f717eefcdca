"""Design diff: what a change adds, removes and changes, and what it costs in kW.

Inputs are two Inventories; `materialize` turns `REV:PATH` into a temporary checkout of that
git revision so a pull request can be compared with its base.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from superpod_iac.bom import bom_lines
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads

MAX_LISTED = 50
LINK_SET_LIMIT = 200_000
"""Above this many links, links are compared as counts per fabric and media."""


@dataclass
class DesignDiff:
    cabinets_added: list[str] = field(default_factory=list)
    cabinets_removed: list[str] = field(default_factory=list)
    cabinets_changed: list[str] = field(default_factory=list)
    devices_added: list[str] = field(default_factory=list)
    devices_removed: list[str] = field(default_factory=list)
    devices_changed: list[str] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    link_examples: list[str] = field(default_factory=list)
    bom_changes: list[tuple[str, str, int, int]] = field(default_factory=list)
    bom_costs: list[str] = field(default_factory=list)
    """Per BOM change: `old -> new CUR` when both sides are priced, else `unconfirmed`."""
    power_kw: list[tuple[str, float, float]] = field(default_factory=list)
    total_kw: tuple[float, float] = (0.0, 0.0)

    @property
    def empty(self) -> bool:
        return not (self.cabinets_added or self.cabinets_removed or self.cabinets_changed or
                    self.devices_added or self.devices_removed or self.devices_changed or
                    self.links_added or self.links_removed or self.bom_changes)


def _devices(inv: Inventory) -> dict[str, tuple[str, int]]:
    return {d.address: (d.type_name, d.u) for d in inv.devices}


def _links(inv: Inventory) -> Counter[str]:
    t = inv.links
    fabrics = {f.index: f.name for f in inv.fabrics.values()}
    out: Counter[str] = Counter()
    if len(t) <= LINK_SET_LIMIT:
        for i in range(len(t)):
            a = inv.endpoint(t.a_dev[i], t.a_port[i])
            b = inv.endpoint(t.b_dev[i], t.b_port[i])
            a, b = sorted((a, b))
            out[f"{a} <> {b} ({t.cable_of(i) or 'no cable'})"] += 1
    else:
        for i in range(len(t)):
            out[f"{fabrics.get(t.fabric[i], '?')}: {t.cable_of(i)} / {t.xcvrs_of(i)}"] += 1
    return out


def diff(old: Inventory, new: Inventory) -> DesignDiff:
    d = DesignDiff()
    oc, nc = set(old.cabinets), set(new.cabinets)
    d.cabinets_added = sorted(nc - oc)
    d.cabinets_removed = sorted(oc - nc)
    for name in sorted(oc & nc):
        a, b = old.cabinets[name], new.cabinets[name]
        if (a.type_name, a.hall, a.row, a.slot, a.feeds, a.cdu) != \
                (b.type_name, b.hall, b.row, b.slot, b.feeds, b.cdu):
            d.cabinets_changed.append(name)
    od, nd = _devices(old), _devices(new)
    d.devices_added = sorted(set(nd) - set(od))
    d.devices_removed = sorted(set(od) - set(nd))
    d.devices_changed = sorted(k for k in set(od) & set(nd) if od[k] != nd[k])
    ol, nl = _links(old), _links(new)
    added, removed = nl - ol, ol - nl
    d.links_added, d.links_removed = sum(added.values()), sum(removed.values())
    d.link_examples = [f"+ {k}" for k in sorted(added)[:MAX_LISTED // 2]] + \
        [f"- {k}" for k in sorted(removed)[:MAX_LISTED // 2]]
    ob, nb = _bom(old), _bom(new)
    for key in sorted(set(ob) | set(nb)):
        oq, oc, ocur = ob.get(key, (0, 0.0, ""))
        nq, nc, ncur = nb.get(key, (0, 0.0, ""))
        if oq != nq:
            d.bom_changes.append((key[0], key[1], oq, nq))
            cur = ncur or ocur
            d.bom_costs.append("unconfirmed" if oc is None or nc is None
                               else f"{oc:,.2f} -> {nc:,.2f} {cur}")
    ol_, nl_ = cabinet_loads(old), cabinet_loads(new)
    for name in sorted(set(ol_) | set(nl_)):
        a = ol_[name].max_w / 1000 if name in ol_ else 0.0
        b = nl_[name].max_w / 1000 if name in nl_ else 0.0
        if abs(a - b) > 1e-9:
            d.power_kw.append((name, a, b))
    d.total_kw = (sum(x.max_w for x in ol_.values()) / 1000,
                  sum(x.max_w for x in nl_.values()) / 1000)
    return d


def _bom(inv: Inventory) -> dict[tuple[str, str], tuple[int, float | None, str]]:
    """(category, part) -> (quantity, total price or None when unpriced, currency); spare rows
    are keyed `part (spares)` so base and spares compare separately."""
    out: dict[tuple[str, str], tuple[int, float | None, str]] = {}
    for x in bom_lines(inv):
        part = x.part if x.line == "base" else f"{x.part} (spares)"
        out[(x.category, part)] = (x.quantity, x.total_price, x.currency)
    return out


def _listing(title: str, items: list[str], sign: str) -> list[str]:
    if not items:
        return []
    shown = [f"- `{sign} {x}`" for x in items[:MAX_LISTED]]
    more = [f"- ... and {len(items) - MAX_LISTED} more"] if len(items) > MAX_LISTED else []
    return [f"**{title}** ({len(items)})", "", *shown, *more, ""]


def to_markdown(d: DesignDiff, old_label: str, new_label: str) -> str:
    a, b = d.total_kw
    lines = [f"### superpod design diff: `{old_label}` -> `{new_label}`", "",
             f"Total power: {a:,.1f} kW -> {b:,.1f} kW ({b - a:+,.1f} kW)", ""]
    if d.empty:
        return "\n".join([*lines, "No changes to cabinets, devices, links or the BOM.", ""])
    lines += _listing("Cabinets added", d.cabinets_added, "+")
    lines += _listing("Cabinets removed", d.cabinets_removed, "-")
    lines += _listing("Cabinets changed", d.cabinets_changed, "~")
    lines += _listing("Devices added", d.devices_added, "+")
    lines += _listing("Devices removed", d.devices_removed, "-")
    lines += _listing("Devices changed (type or U)", d.devices_changed, "~")
    if d.links_added or d.links_removed:
        lines += [f"**Links**: +{d.links_added:,} / -{d.links_removed:,}", ""]
        lines += [f"- `{x}`" for x in d.link_examples] + [""]
    if d.bom_changes:
        lines += ["**BOM changes**", "", "| category | part | old | new | delta | cost |",
                  "|---|---|---|---|---|---|"]
        costs = d.bom_costs or [""] * len(d.bom_changes)
        lines += [f"| {c} | {p} | {o:,} | {n:,} | {n - o:+,} | {cost} |"
                  for (c, p, o, n), cost in zip(d.bom_changes, costs, strict=True)]
        lines.append("")
    if d.power_kw:
        lines += ["**Power per cabinet**", "", "| cabinet | old kW | new kW | delta |",
                  "|---|---|---|---|"]
        lines += [f"| {c} | {o:,.1f} | {n:,.1f} | {n - o:+,.1f} |"
                  for c, o, n in d.power_kw[:MAX_LISTED]]
        lines.append("")
    return "\n".join(lines)


class RevisionError(Exception):
    """A `REV:PATH` argument that git cannot produce."""


def materialize(spec: str, workdir: str) -> str:
    """`REV:PATH` -> a temporary directory holding PATH as of git revision REV; else `spec`."""
    if os.path.exists(spec) or ":" not in spec:
        return spec
    rev, path = spec.split(":", 1)
    target = tempfile.mkdtemp(prefix="rev-", dir=workdir)
    tar_path = os.path.join(target, "tree.tar")
    with open(tar_path, "wb") as fh:
        proc = subprocess.run(["git", "archive", "--format=tar", rev, "--", path or "."],
                              stdout=fh, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RevisionError(f"git cannot produce {spec}: "
                            f"{proc.stderr.decode(errors='replace').strip()}")
    with tarfile.open(tar_path) as tar:
        tar.extractall(target, filter="data")
    os.unlink(tar_path)
    return os.path.join(target, path) if path else target
