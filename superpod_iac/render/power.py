"""Power one-line diagram: the PowerSystem tree from utility to the cabinets it feeds.

Drawn top-down in the conventions of an electrical one-line: utility / medium voltage at the
top, then transformers, switchboards, UPS, busways / RPPs and feeds, and the cabinets (with
their power shelves) at the bottom. Side A is drawn left of side B, both flowing down (not
mirrored). Every branch ends in a circuit-breaker symbol (the open square at the head of the
line) and its box gives the tag (UTIL, XFMR, UPS, BUS, FEED ...), the rating basis, the
derated (continuous) capacity, the normal load in kW and A (per phase where phases are
modelled), and the load after the worst single failure the redundancy must survive.
Identical branches (feeds of their own, same parent, same figures, identical cabinets) are
drawn once with a multiplier. Every figure comes from `model.utilization`; this module only
lays them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from superpod_iac.model.electrical import node_studies
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.power import shelf_capacity, supplies
from superpod_iac.model.utilization import (
    PowerCurrent,
    PowerUse,
    cabinet_use,
    group_totals,
    power_currents,
    power_use,
    site_totals,
)
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import count, esc, file_part, fold, kw, n_of, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

TAGS = {"utility": "UTIL", "generator": "GEN", "transformer": "XFMR", "ups": "UPS",
        "switchboard": "SWBD", "busway": "BUS", "rpp": "RPP", "panel": "PNL", "pdu": "PDU",
        "feed": "FEED"}
"""One-line device designations drawn in the tag cell of each box."""
_GREY = "#5f6368"


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
    "power": "within its derated rating",
    "power-near": "near its derated rating",
    "power-over-failure": "over its derated rating after a failure",
    "power-over": "over its derated rating in normal operation",
}


def amps(a: float | None) -> str:
    return "" if a is None else f"{a:,.0f} A"


def _box(tag: str, title: str, left: list[str], right: list[str], multiplier: int = 1,
         compact: bool = False) -> str:
    """HTML label of a one-line box: a tag cell, a bold title, two columns of figures (one
    column, the right figures under the left ones, when `compact`)."""
    if compact:
        left, right = [x for x in left + right if x], []
    mult = f'<font point-size="12"><b>{multiplier} × </b></font>' if multiplier > 1 else ""
    n = max(len(left), len(right))
    left = left + [""] * (n - len(left))
    right = right + [""] * (n - len(right))
    rows = "".join(f'<tr><td align="left">{a}</td><td width="10"></td><td align="left">{b}</td>'
                   '</tr>'
                   for a, b in zip(left, right, strict=True))
    return ('<table border="0" cellspacing="0" cellpadding="1">'
            f'<tr><td rowspan="{n + 1}" border="1" color="{_GREY}" valign="top" cellpadding="3">'
            f'<font point-size="10"><b>{esc(tag)}</b></font></td>'
            f'<td align="left" colspan="3">{mult}<font point-size="11"><b>{title}</b></font>'
            f'</td></tr>{rows}</table>')


def _node_label(name: str, inv: Inventory, use: PowerUse, cur: PowerCurrent | None,
                members: list[str], multiplier: int, compact: bool) -> str:
    spec = inv.power_nodes[name].spec
    tag = TAGS.get(spec.type, spec.type.upper())
    side = f" · side {spec.side}" if spec.side else ""
    each = " (figures for each)" if len(members) > 1 else ""
    rating = [f"rating {esc(use.basis)}"]
    parts = use.basis.split(", ")
    if compact and len(parts) > 2:  # one-column boxes stay narrow: the rating on two lines
        half = (len(parts) + 1) // 2
        rating = [f"rating {esc(', '.join(parts[:half]))},", esc(", ".join(parts[half:]))]
    left = [f'<font color="{_GREY}">{esc(spec.type)}{side}{each}</font>', *rating]
    right = ["", f"derated <b>{kw(use.derated_w)}</b>" if use.derated_w is not None
             else "no rating declared"]
    load = f"load <b>{kw(use.load_w)}</b>"
    if cur is not None:
        load += f" · <b>{amps(cur.load_a)}</b>"
    if use.pct is not None:
        load += f" · {pct(use.pct)}"
    left.append(load)
    if use.worst_w is not None and use.worst_scenario is not None:
        scenario = use.worst_scenario if len(members) == 1 or \
            use.worst_scenario.startswith("side ") else "worst failure"
        worst = f"{esc(scenario)}: <b>{kw(use.worst_w)}</b>"
        if cur is not None and cur.worst_a is not None:
            worst += f" · {amps(cur.worst_a)}"
        if use.worst_pct is not None:
            worst += f" · {pct(use.worst_pct)}"
    else:
        worst = "no failure adds load"
    right.append(worst)
    if cur is not None and cur.phase_a:
        left.append("per phase " + " · ".join(f"{ph} {amps(a)}"
                                                for ph, a in cur.phase_a.items()))
    left.extend(_study_lines(name, inv, use.basis))
    return _box(tag, esc(_names(members)), left, right, multiplier, compact)


def _study_lines(name: str, inv: Inventory, basis: str) -> list[str]:
    """The one-line conventions an electrician reads: voltage and frequency, kVA and %Z of a
    transformer, breaker trip settings, the fault level against the equipment's rating and the
    voltage drop (figures from model.electrical; none computed here)."""
    spec = inv.power_nodes[name].spec
    study = node_studies(inv)[name]
    sup = supplies(inv)[name]
    lines: list[str] = []
    volts = [f"{sup.voltage_v:g} V {spec.phases}φ" if sup.voltage_v is not None and
             f"{sup.voltage_v:g} V" not in basis else "",
             f"{sup.frequency_hz} Hz" if sup.frequency_hz is not None else ""]
    nameplate = [f"{spec.rating_kva:g} kVA" if spec.rating_kva is not None else "",
                 f"Z {spec.impedance_pct:g} %" if spec.impedance_pct is not None else ""]
    if any(volts) or any(nameplate):
        lines.append(" · ".join(x for x in [*volts, *nameplate] if x))
    trip = [f"breaker {spec.breaker_a:g} A" if spec.breaker_a is not None else "",
            f"inst {spec.trip_instantaneous_a:g} A" if spec.trip_instantaneous_a is not None
            else ""]
    if spec.trip_instantaneous_a is not None:
        lines.append(" · ".join(x for x in trip if x))
    if study.fault_ka is not None and (spec.sccr_ka is not None or spec.type == "transformer"):
        rated = f" / rated {spec.sccr_ka:g} kA" if spec.sccr_ka is not None else ""
        lines.append(f"fault <b>{study.fault_ka:.1f} kA</b>{rated}")
    if study.drop_pct is not None:
        total = (f" (total {study.total_drop_pct:.1f} %)" if study.total_drop_pct is not None
                 and study.total_drop_pct > study.drop_pct + 1e-9 else "")
        lines.append(f"drop {study.drop_pct:.1f} %{total}")
    return lines


def _names(members: list[str], limit: int = 48) -> str:
    """Folded names of a group, shortened past `limit` characters (the tooltip has them all)."""
    text = fold(sorted(members, key=natural_key))
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


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


def _short(via: list[str]) -> tuple[str, ...]:
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
    boxes: int = 0
    """Power boxes drawn (cabinets not counted)."""
    """Most boxes drawn at one depth of the tree (cabinets count as the deepest level)."""


def _fold_plan(inv: Inventory, drawn: list[str], cab_feeds: dict[str, dict[str, list[str]]],
               styles: Styles) -> FoldPlan:
    """Fold identical branches: siblings whose whole subtrees (figures, children, cabinets
    fed) are identical are drawn once with a multiplier, top-down, so `7 × busway` under a
    UPS each carry `20 × rpp`; cabinets of one type with the same figures on the same folded
    feeds are drawn once with their total count."""
    uses, cab_uses = power_use(inv), cabinet_use(inv)
    drawn_set = set(drawn)
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    for n in drawn:
        parent = inv.power_nodes[n].spec.parent
        (children[parent] if parent in drawn_set else roots).append(n)
    fed: dict[str, list[str]] = defaultdict(list)
    for c, feeds in cab_feeds.items():
        for f in feeds:
            fed[f].append(c)
    cab_sig = {c: (inv.cabinets[c].type_name, round(cab_uses[c].load_w, 1),
                   cab_uses[c].overloaded,
                   tuple(sorted((inv.power_nodes[f].spec.side or "", _short(v))
                                for f, v in feeds.items())))
               for c, feeds in cab_feeds.items()}
    ids: dict[object, int] = {}
    sig: dict[str, int] = {}
    for n in reversed(drawn_topdown(drawn, children, roots)):
        u, spec = uses[n], inv.power_nodes[n].spec
        key = (spec.type, spec.side or "", spec.phase or "", u.basis, round(u.load_w, 1),
               round(u.worst_w if u.worst_w is not None else -1.0, 1), _status(u, styles),
               tuple(sorted(sig[k] for k in children[n])),
               tuple(sorted((cab_sig[c], _short(cab_feeds[c][n])) for c in fed[n])))
        sig[n] = ids.setdefault(key, len(ids))
    members: dict[str, list[str]] = {}
    per_parent: dict[str, int] = {}
    rep_of: dict[str, str] = {}

    depth_count: dict[int, int] = defaultdict(int)

    def partition(nodes: list[str], parents: int, depth: int) -> None:
        by: dict[int, list[str]] = {}
        for n in nodes:
            by.setdefault(sig[n], []).append(n)
        depth_count[depth] += len(by)
        for group in by.values():
            members[group[0]] = group
            per_parent[group[0]] = max(len(group) // max(parents, 1), 1)
            for m in group:
                rep_of[m] = group[0]
            partition([k for m in group for k in children[m]], len(group), depth + 1)

    partition(roots, 1, 0)
    cabs: dict[tuple[object, ...], list[str]] = {}
    for c, feeds in cab_feeds.items():
        cab_key = (cab_sig[c], tuple(sorted(rep_of.get(f, f) for f in feeds)))
        cabs.setdefault(cab_key, []).append(c)
    for group in cabs.values():
        members[group[0]] = group
        for c in group:
            rep_of[c] = group[0]
    widest = max([*depth_count.values(), len(cabs)])
    return FoldPlan(members, per_parent, rep_of, widest, sum(depth_count.values()))


def drawn_topdown(drawn: list[str], children: dict[str, list[str]], roots: list[str]
                  ) -> list[str]:
    """Nodes parents-first (breadth-first from the roots)."""
    out = list(roots)
    for n in out:
        out.extend(children[n])
    return out


def _side_key(side: str | None) -> tuple[int, str]:
    return (0, side) if side else (1, "")


def power_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("power", "power", f"{title} — power one-line")
    uses = power_use(inv)
    currents = power_currents(inv)
    drawn = [n for n in sorted(inv.power_nodes, key=natural_key) if scope.folded_prefix(n) is None]
    drawn_set = set(drawn)
    cab_feeds = {c: fs for c in scope.drawn_cabinets if (fs := _feeds(inv, c, drawn_set))}
    plan = _fold_plan(inv, drawn, cab_feeds, styles)
    hidden = {m for rep, members in plan.members.items() for m in members if m != rep}
    folded_any = any(len(m) > 1 for m in plan.members.values())
    compact = plan.widest > int(styles.layout("power_wide_boxes_up_to"))
    if plan.boxes > int(styles.layout("power_left_to_right_above")):
        graph.view = "power-wide"  # a dozen boxes side by side would pass 4,000 px
    sides: dict[str, Cluster] = {}
    counts: dict[str, int] = defaultdict(int)
    # Side A left of side B: nodes are added side by side, A first, so dot keeps that order.
    order = sorted(drawn, key=lambda n: _side_key(inv.power_nodes[n].spec.side))
    for name in order:
        if name in hidden:
            continue
        use = uses[name]
        style = _status(use, styles)
        members = plan.members.get(name, [name])
        counts[style] += len(members)
        side = inv.power_nodes[name].spec.side
        cluster = None
        if side is not None:
            cluster = sides.get(side)
            if cluster is None:
                cluster = sides[side] = Cluster(f"side_{side}", f"<b>side {side}</b>",
                                                f"side-{side}" if side in ("A", "B") else "plain",
                                                html=True)
        graph.add_node(Node(f"p_{file_part(name)}",
                            _node_label(name, inv, use, currents.get(name), members,
                                        plan.per_parent.get(name, 1), compact), style,
                            html=True, tooltip=f"{fold(members)}: {use.basis}"), cluster)
    graph.clusters.extend(sides[s] for s in sorted(sides))
    breakers = False
    for name in order:
        parent = inv.power_nodes[name].spec.parent
        if name in hidden or parent is None:
            continue
        parent = plan.rep_of.get(parent, parent)
        if f"p_{file_part(parent)}" not in graph.nodes:
            continue
        side = inv.power_nodes[name].spec.side
        graph.add_edge(Edge(f"p_{file_part(parent)}", f"p_{file_part(name)}",
                            f"side-{side}" if side in ("A", "B") else "side-none",
                            attrs={"arrowhead": "obox", "arrowsize": "1.4"}))
        breakers = True
    cab_uses = cabinet_use(inv)
    shelves = shelf_capacity(inv)
    cab_styles: set[str] = set()
    cab_row: list[str] = []
    for cname, feeds in cab_feeds.items():
        if cname in hidden:
            continue
        members = plan.members.get(cname, [cname])
        cab = inv.cabinets[cname]
        cab_use = cab_uses[cname]
        style = "power-cabinet-over" if cab_use.overloaded else "power-cabinet"
        each = " (figures for each)" if len(members) > 1 else ""
        left = [f'<font color="{_GREY}">{esc(cab.type_name)}{each}</font>',
                f"IT load <b>{kw(cab_use.load_w)}</b> of {kw(cab_use.rating_w)} · "
                f"{pct(cab_use.pct)}"]
        right = ["", ""]
        sh = shelves.get(cname)
        if sh is not None:
            total, worst, what = sh
            right = ["", f"shelves usable <b>{kw(total)}</b>"]
            if what != "nothing":
                right.append(f"{esc(what.replace(cname + '/', ''))}: {kw(worst)} left")
        for f in sorted(feeds, key=lambda f: (_side_key(inv.power_nodes[f].spec.side),
                                              natural_key(f))):
            via = feeds[f]
            short = fold(v.rpartition("/")[2] for v in via)
            side = inv.power_nodes[f].spec.side
            if via:
                left.append(f"{esc(short)} on side {side}" if side else f"{esc(short)}")
        nid = f"c_{file_part(cname)}"
        graph.add_node(Node(nid, _box("CAB", esc(_names(members)), left, right, len(members),
                                      compact),
                            style, html=True))
        cab_row.append(nid)
        cab_styles.add(style)
        for f in sorted(feeds, key=lambda f: (_side_key(inv.power_nodes[f].spec.side),
                                              natural_key(f))):
            side = inv.power_nodes[f].spec.side
            graph.add_edge(Edge(f"p_{file_part(plan.rep_of.get(f, f))}", nid,
                                f"side-{side}" if side in ("A", "B") else "side-none",
                                attrs={"arrowhead": "obox", "arrowsize": "1.4"}))
            breakers = True
    if len(cab_row) > 1:
        graph.ranks.append(cab_row)
    if folded_any:
        graph.notes.append("N × name: N identical branches under each box above (same figures, "
                           "same children) drawn once, figures for each; N × cabinet: the total "
                           "count of identical cabinets on those branches.")
    for fset in scope.folded:
        names = [n for n in inv.power_nodes if scope.folded_prefix(n) is fset]
        if not names:
            continue
        over = sum(1 for n in names if uses[n].overloaded)
        after = sum(1 for n in names if uses[n].overloaded_after_failure)
        tot = group_totals(inv, fset.cabinets)
        left = [f"{count(len(fset.replicas))} further replicas, each powered like "
                f"{esc(fset.representative)}",
                f"{n_of(len(names), 'power node')} · {kw(tot.load_w)} IT load in total"]
        style = "power-over" if over else ("power-over-failure" if after else "folded")
        if over or after:
            left.append(f"{over} node(s) overloaded, {after} overloaded after a failure")
        graph.add_node(Node(f"f_{file_part(fset.representative)}",
                            _box("POD", esc(fold(fset.replicas)), left, []), style, html=True))
        counts["power-over"] += over
        counts["power-over-failure"] += after
        graph.add_legend("node", "folded", "further identical replicas, drawn once")
    if scope.folded:  # a campus: the utility feeds of every replica, drawn and folded
        site = site_totals(inv)
        tot_all = group_totals(inv, list(inv.cabinets))
        roots = [n for n, node in inv.power_nodes.items() if node.spec.parent is None]
        pods = [n for n in roots if n.partition(".")[0] in inv.superpods and "." in n]
        others = [n for n in roots if n not in set(pods)]
        left = [f"{count(site.roots)} utility connections (one per power tree)"]
        if others:  # e.g. a core network tier fed on its own, beside the superpods
            left += [f"{count(len(pods))} utility connections of the superpods, rated "
                     f"{kw(sum(uses[n].rated_w or 0.0 for n in pods))}",
                     f"{count(len(others))} outside superpods ({esc(fold(others))}), rated "
                     f"{kw(sum(uses[n].rated_w or 0.0 for n in others))}"]
        left += [f"rated <b>{kw(site.rated_w)}</b> in total",
                f"load <b>{kw(site.load_w)}</b> · IT load {kw(tot_all.load_w)}"]
        graph.add_node(Node("campus", _box("SITE", "campus", left, []), "power", html=True))
        for name in order:
            if inv.power_nodes[name].spec.parent is None and f"p_{file_part(name)}" in \
                    graph.nodes:
                graph.add_edge(Edge("campus", f"p_{file_part(name)}", "campus"))
        for nid in [n for n in graph.nodes if n.startswith("f_")]:
            graph.add_edge(Edge("campus", nid, "campus"))
        graph.add_legend("edge", "campus", "campus: the utility connection of each superpod")
    for style in ("power", "power-near", "power-over-failure", "power-over"):
        if counts.get(style):
            graph.add_legend("node", style, _STATUS_TEXT[style])
    if "power-cabinet" in cab_styles:
        graph.add_legend("node", "power-cabinet", "cabinet (IT load incl. optics)")
    if "power-cabinet-over" in cab_styles:
        graph.add_legend("node", "power-cabinet-over", "cabinet over its rating")
    for side_name in sorted(sides):
        if side_name in ("A", "B"):
            graph.add_legend("edge", f"side-{side_name}", f"side {side_name}")
    if any(e.style == "side-none" for e in graph.edges):
        graph.add_legend("edge", "side-none", "no side declared")
    tot = group_totals(inv, list(inv.cabinets))
    over = counts.get("power-over", 0)
    after = counts.get("power-over-failure", 0)
    graph.subtitle.append(
        f"{n_of(len(inv.power_nodes), 'power node')} · {n_of(tot.cabinets, 'cabinet')} · "
        f"{kw(tot.load_w)} IT load · {over} overloaded · {after} overloaded after a failure")
    if breakers:
        graph.notes.append("Open square at the head of a line: the circuit breaker of that "
                           "branch (its rating is the box's rating). Tags: UTIL utility, XFMR "
                           "transformer, SWBD switchboard, BUS busway, RPP remote power panel, "
                           "FEED cabinet feed, CAB cabinet.")
    graph.notes.append(f"Loads: normal operation, devices at nameplate maximum plus optics, "
                       f"through shelf/UPS efficiencies; derated = {inv.policy.derating * 100:.0f} "
                       "% of the rating unless 100 %-rated; amps = P / (√3 V PF) for 3-phase "
                       "branches. Failure figures: the worst load the branch carries when a "
                       "side or a sibling fails.")
    return graph
