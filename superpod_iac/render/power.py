"""Power one-line diagram: the PowerSystem tree from utility to the cabinets it feeds.

Each node shows its rating, its derated (continuous) capacity, the computed load with its
share of the derated rating, and the worst load after a failure the redundancy must survive.
Sides A and B are boxed and coloured apart; nodes over their derated rating are red, nodes
that overload only after a failure orange, nodes near the limit amber. Every figure comes
from `model.utilization`; this module only lays them out.
"""

from __future__ import annotations

from collections import defaultdict

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import PowerUse, cabinet_use, group_totals, power_use
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import count, esc, file_part, fold, html_rows, kw, n_of, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

_TYPE_NAMES = {"ups": "UPS", "rpp": "RPP", "pdu": "PDU"}


def _status(use: PowerUse, styles: Styles) -> str:
    if use.overloaded:
        return "power-over"
    if use.overloaded_after_failure:
        return "power-over-failure"
    near = styles.near_pct
    if (use.pct is not None and use.pct >= near) or \
            (use.worst_pct is not None and use.worst_pct >= near):
        return "power-near"
    return "power"


_STATUS_TEXT = {
    "power": "power node within its derated rating",
    "power-near": "near its derated rating",
    "power-over-failure": "over its derated rating after a failure",
    "power-over": "over its derated rating in normal operation",
}


def _node_label(name: str, inv: Inventory, use: PowerUse, members: list[str]) -> str:
    spec = inv.power_nodes[name].spec
    kind = _TYPE_NAMES.get(spec.type, spec.type)
    head = f"{kind} · side {spec.side}" if spec.side else kind
    rows = [f'<font color="#5f6368">{esc(head)}</font>',
            f'<font color="#5f6368">{esc(use.basis)}</font>']
    if len(members) > 1:
        rows.insert(0, f"<i>{len(members)} identical, figures for each</i>")
    if use.derated_w is not None:
        rows.append(f"<b>{kw(use.load_w)}</b> of {kw(use.derated_w)} derated · "
                    f"<b>{pct(use.pct)}</b>")
    else:
        rows.append(f"<b>{kw(use.load_w)}</b> (no rating declared)")
    if use.worst_w is not None and use.worst_scenario is not None:
        scenario = use.worst_scenario if len(members) == 1 else "worst failure"
        rows.append(f"{esc(scenario)}: {kw(use.worst_w)} · {pct(use.worst_pct)}")
    return html_rows(esc(fold(members)), rows)


def _feeds(inv: Inventory, cname: str, drawn: set[str]) -> dict[str, list[str]]:
    """Feed -> the devices (power shelves) drawing from it; [] for cabinet-level feeds."""
    cab = inv.cabinets[cname]
    feeds: dict[str, list[str]] = {}
    for f in cab.feeds:
        feeds.setdefault(f, [])
    for d in cab.devices:
        for f in d.feeds:
            feeds.setdefault(f, []).append(d.name)
    return {f: sorted(v, key=natural_key) for f, v in feeds.items() if f in drawn}


def _fold_plan(inv: Inventory, cabinets: dict[str, dict[str, list[str]]], drawn: list[str],
               styles: Styles) -> dict[str, list[str]]:
    """Representative -> members, for cabinets (and their own leaf feeds) that are identical.

    Past `layout.fold_cabinets_above` cabinets, cabinets of one type with the same figures,
    each fed by leaf feeds of its own from the same parents with the same figures, are drawn
    once: `rpp-A[01-20]` -> `c[001-020]` <- `rpp-B[01-20]`. Feeds shared between cabinets
    or with children of their own are never folded."""
    plan: dict[str, list[str]] = {}
    if len(cabinets) <= int(styles.layout("fold_cabinets_above")):
        return plan
    uses, cab_uses = power_use(inv), cabinet_use(inv)
    users: dict[str, list[str]] = defaultdict(list)
    for c, feeds in cabinets.items():
        for f in feeds:
            users[f].append(c)
    parents = {inv.power_nodes[n].spec.parent for n in drawn}
    groups: dict[tuple[object, ...], list[str]] = {}
    for c, feeds in cabinets.items():
        if any(users[f] != [c] or f in parents for f in feeds):
            continue
        cu = cab_uses[c]
        sig = []
        for f, via in feeds.items():
            u, spec = uses[f], inv.power_nodes[f].spec
            sig.append((spec.parent, spec.side or "", u.basis, round(u.load_w, 1),
                        round(u.worst_w or -1.0, 1), _status(u, styles), tuple(via)))
        key = (inv.cabinets[c].type_name, round(cu.load_w, 1), cu.overloaded, tuple(sorted(sig)))
        groups.setdefault(key, []).append(c)
    for members in groups.values():
        if len(members) < 2:
            continue
        plan[members[0]] = members
        per_parent: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        for c in members:
            for f, via in cabinets[c].items():
                per_parent[(inv.power_nodes[f].spec.parent, ",".join(via))].append(f)
        for feeds in per_parent.values():
            plan[feeds[0]] = feeds
    return plan


def power_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("power", "power", f"{title} — power one-line")
    uses = power_use(inv)
    drawn = [n for n in sorted(inv.power_nodes, key=natural_key) if scope.folded_prefix(n) is None]
    drawn_set = set(drawn)
    cab_feeds = {c: f for c in scope.drawn_cabinets if (f := _feeds(inv, c, drawn_set))}
    plan = _fold_plan(inv, cab_feeds, drawn, styles)
    hidden = {m for rep, members in plan.items() for m in members if m != rep}
    sides: dict[str, Cluster] = {}
    counts: dict[str, int] = defaultdict(int)
    for name in drawn:
        if name in hidden:
            continue
        use = uses[name]
        style = _status(use, styles)
        members = plan.get(name, [name])
        counts[style] += len(members)
        side = inv.power_nodes[name].spec.side
        cluster = None
        if side is not None:
            cluster = sides.get(side)
            if cluster is None:
                cluster = sides[side] = Cluster(f"side_{side}", f"side {side}",
                                                f"side-{side}" if side in ("A", "B") else "plain")
        graph.add_node(Node(f"p_{file_part(name)}", _node_label(name, inv, use, members), style,
                            html=True, tooltip=f"{fold(members)}: {use.basis}"), cluster)
    graph.clusters.extend(sides[s] for s in sorted(sides))
    # Mirrored 2N layout: the first side flows left to right into the cabinets, the other
    # side is drawn right to left out of them, so each cabinet sits between its two feeds.
    mirrored = sorted(sides)[1:]
    for name in drawn:
        parent = inv.power_nodes[name].spec.parent
        if name in hidden or parent is None or f"p_{file_part(parent)}" not in graph.nodes:
            continue
        side = inv.power_nodes[name].spec.side
        tail, head = f"p_{file_part(parent)}", f"p_{file_part(name)}"
        attrs: dict[str, str] = {}
        if side in mirrored:
            if inv.power_nodes[parent].spec.side in mirrored:
                tail, head = head, tail
            else:
                attrs["constraint"] = "false"
        graph.add_edge(Edge(tail, head, f"side-{side}" if side in ("A", "B") else "side-none",
                            attrs=attrs))
    cab_uses = cabinet_use(inv)
    cab_styles: set[str] = set()
    feed_node = {m: rep for rep, members in plan.items() for m in members}
    for cname, feeds in cab_feeds.items():
        if cname in hidden:
            continue
        members = plan.get(cname, [cname])
        cab = inv.cabinets[cname]
        use = cab_uses[cname]
        style = "power-cabinet-over" if use.overloaded else "power-cabinet"
        rows = [f'<font color="#5f6368">{esc(cab.type_name)}</font>',
                f"<b>{kw(use.load_w)}</b> of {kw(use.rating_w)} rating · <b>{pct(use.pct)}</b>"]
        if len(members) > 1:
            rows.insert(0, f"<i>{len(members)} identical cabinets, figures for each</i>")
        nid = f"c_{file_part(cname)}"
        graph.add_node(Node(nid, html_rows(esc(fold(members)), rows), style, html=True))
        cab_styles.add(style)
        for f in sorted(feeds, key=natural_key):
            side = inv.power_nodes[f].spec.side
            via = feeds[f]
            tail, head = f"p_{file_part(feed_node.get(f, f))}", nid
            if side in mirrored:
                tail, head = head, tail
            graph.add_edge(Edge(tail, head, f"side-{side}" if side in ("A", "B") else "side-none",
                                fold(via) if via else ""))
    if plan:
        graph.notes.append("Cabinets with the same figures, each on feeds of its own with the "
                           "same figures, are drawn once (nodeset names, figures for each).")
    for fset in scope.folded:
        names = [n for n in inv.power_nodes if scope.folded_prefix(n) is fset]
        if not names:
            continue
        over = sum(1 for n in names if uses[n].overloaded)
        after = sum(1 for n in names if uses[n].overloaded_after_failure)
        tot = group_totals(inv, fset.cabinets)
        rows = [f"{count(len(fset.replicas))} further replicas, each powered like "
                f"{esc(fset.representative)}",
                f"{n_of(len(names), 'power node')} · {kw(tot.load_w)} IT load in total"]
        style = "power-over" if over else ("power-over-failure" if after else "folded")
        if over or after:
            rows.append(f"{over} node(s) overloaded, {after} overloaded after a failure")
        graph.add_node(Node(f"f_{file_part(fset.representative)}",
                            html_rows(esc(fold(fset.replicas)), rows), style, html=True))
        counts["power-over"] += over
        counts["power-over-failure"] += after
        graph.add_legend("node", "folded", "further identical replicas, drawn once")
    for style in ("power", "power-near", "power-over-failure", "power-over"):
        if counts.get(style) or style == "power":
            graph.add_legend("node", style, _STATUS_TEXT[style])
    if "power-cabinet" in cab_styles:
        graph.add_legend("node", "power-cabinet", "cabinet (IT load incl. optics)")
    if "power-cabinet-over" in cab_styles:
        graph.add_legend("node", "power-cabinet-over", "cabinet over its rating")
    for side in sorted(sides):
        if side in ("A", "B"):
            graph.add_legend("edge", f"side-{side}", f"side {side}")
    if any(e.style == "side-none" for e in graph.edges):
        graph.add_legend("edge", "side-none", "no side declared")
    tot = group_totals(inv, list(inv.cabinets))
    over = counts.get("power-over", 0)
    after = counts.get("power-over-failure", 0)
    graph.subtitle.append(
        f"{n_of(len(inv.power_nodes), 'power node')} · {n_of(tot.cabinets, 'cabinet')} · "
        f"{kw(tot.load_w)} IT load · {over} overloaded · {after} overloaded after a failure")
    graph.notes.append(f"Loads: normal operation, devices at nameplate maximum plus optics, "
                       f"through shelf/UPS efficiencies; derated = {inv.policy.derating * 100:.0f} "
                       "% of the rating unless 100 %-rated. Failure lines: the worst load the "
                       "node carries when a side or a sibling fails. Labels on cabinet edges: "
                       "the power shelves on that feed.")
    return graph
