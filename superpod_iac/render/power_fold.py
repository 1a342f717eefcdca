"""Folding of the power one-line: identical branches drawn once with a multiplier, identical
cabinets on the same folded feeds drawn once with their total count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import cabinet_use, power_use
from superpod_iac.render.power_status import node_class


def cabinet_feeds(inv: Inventory, cname: str, drawn: set[str]) -> dict[str, list[str]]:
    """Feed -> the devices (power shelves) drawing from it; [] for cabinet-level feeds."""
    cab = inv.cabinets[cname]
    feeds: dict[str, list[str]] = {}
    for f in cab.feeds:
        feeds.setdefault(f, [])
    for d in cab.devices:
        for f in d.feeds:
            feeds.setdefault(f, []).append(d.name)
    return {f: sorted(v, key=natural_key) for f, v in feeds.items() if f in drawn}


def short_names(via: list[str]) -> tuple[str, ...]:
    """Power-shelf names without their cabinet: `nvl72-01/pwr3` -> `pwr3`."""
    return tuple(v.rpartition("/")[2] for v in via)


@dataclass(slots=True)
class FoldPlan:
    members: dict[str, list[str]]
    """Representative (power node or cabinet) -> the identical members it stands for."""
    per_parent: dict[str, int]
    """Representative power node -> how many of its members hang under each parent member."""
    rep_of: dict[str, str]
    widest: int
    """Most boxes drawn at one depth of the tree (cabinets count as the deepest level)."""
    boxes: int = 0
    """Power boxes drawn (cabinets not counted)."""

    def hidden(self) -> set[str]:
        return {m for rep, ms in self.members.items() for m in ms if m != rep}


def drawn_topdown(drawn: list[str], children: dict[str, list[str]], roots: list[str]
                  ) -> list[str]:
    """Nodes parents-first (breadth-first from the roots)."""
    out = list(roots)
    for n in out:
        out.extend(children[n])
    return out


def _tree(inv: Inventory, drawn: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    drawn_set = set(drawn)
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    for n in drawn:
        parent = inv.power_nodes[n].spec.parent
        (children[parent] if parent in drawn_set else roots).append(n)
    return children, roots


def _signatures(inv: Inventory, drawn: list[str], cab_feeds: dict[str, dict[str, list[str]]],
                near_pct: float) -> tuple[dict[str, int], dict[str, tuple[object, ...]]]:
    """Subtree signature of every power node (same id: identical branch) and of each cabinet."""
    uses, cab_uses = power_use(inv), cabinet_use(inv)
    children, roots = _tree(inv, drawn)
    fed: dict[str, list[str]] = defaultdict(list)
    for c, feeds in cab_feeds.items():
        for f in feeds:
            fed[f].append(c)
    cab_sig: dict[str, tuple[object, ...]] = {c: (inv.cabinets[c].type_name, round(cab_uses[c].load_w, 1),
                   cab_uses[c].overloaded,
                   tuple(sorted((inv.power_nodes[f].spec.side or "", short_names(v))
                                for f, v in feeds.items())))
               for c, feeds in cab_feeds.items()}
    ids: dict[object, int] = {}
    sig: dict[str, int] = {}
    for n in reversed(drawn_topdown(drawn, children, roots)):
        u, spec = uses[n], inv.power_nodes[n].spec
        key = (spec.type, spec.side or "", spec.phase or "", u.basis, round(u.load_w, 1),
               round(u.worst_w if u.worst_w is not None else -1.0, 1),
               node_class(u, near_pct),
               tuple(sorted(sig[k] for k in children[n])),
               tuple(sorted((cab_sig[c], short_names(cab_feeds[c][n])) for c in fed[n])))
        sig[n] = ids.setdefault(key, len(ids))
    return sig, cab_sig


def fold_plan(inv: Inventory, drawn: list[str], cab_feeds: dict[str, dict[str, list[str]]],
              near_pct: float) -> FoldPlan:
    """Fold identical branches: siblings whose whole subtrees (figures, children, cabinets
    fed) are identical are drawn once with a multiplier, top-down, so `7 × busway` under a
    UPS each carry `20 × rpp`; cabinets of one type with the same figures on the same folded
    feeds are drawn once with their total count."""
    sig, cab_sig = _signatures(inv, drawn, cab_feeds, near_pct)
    children, roots = _tree(inv, drawn)
    plan = FoldPlan({}, {}, {}, 0)
    depth_count: dict[int, int] = defaultdict(int)

    def partition(nodes: list[str], parents: int, depth: int) -> None:
        by: dict[int, list[str]] = {}
        for n in nodes:
            by.setdefault(sig[n], []).append(n)
        depth_count[depth] += len(by)
        for group in by.values():
            plan.members[group[0]] = group
            plan.per_parent[group[0]] = max(len(group) // max(parents, 1), 1)
            for m in group:
                plan.rep_of[m] = group[0]
            partition([k for m in group for k in children[m]], len(group), depth + 1)

    partition(roots, 1, 0)
    cabs: dict[tuple[object, ...], list[str]] = {}
    for c, feeds in cab_feeds.items():
        cab_key = (cab_sig[c], tuple(sorted(plan.rep_of.get(f, f) for f in feeds)))
        cabs.setdefault(cab_key, []).append(c)
    for group in cabs.values():
        plan.members[group[0]] = group
        for c in group:
            plan.rep_of[c] = group[0]
    plan.widest = max([*depth_count.values(), len(cabs)])
    plan.boxes = sum(depth_count.values())
    return plan
