"""Power one-line diagram: the PowerSystem tree from utility to the cabinets it feeds.

Drawn top-down at every level (one cabinet, a superpod, a cluster of hundreds) in the
conventions of an electrical one-line: utility / medium voltage at the top, then transformers,
switchboards, UPS, busways / RPPs and feeds, and the cabinets (with their power shelves) at the
bottom. Each power tree (a superpod's, a core network tier's) is framed on its own; inside it
side A is drawn left of side B, each side in its frame, so feeders stay inside their side, and a
cabinet fed from both sides has an inlet box on each. Every branch ends in a circuit-breaker
symbol (the open square at the head of the line) and its box gives the tag (UTIL, XFMR, UPS,
BUS, FEED ...), the voltage level and kVA of sources and transformers, the breaker trip, the
rating and derated capacity, the normal load in kW and A, the headroom (negative: the
shortfall) and the load after the worst single failure, the fault level where known, and the
rule IDs of the findings naming it. Identical branches are drawn once with a multiplier.
Every figure comes from the model (`model.utilization`, `model.electrical`); the layout
helpers are in power_boxes (labels), power_fold (folding), power_status (headroom colours),
power_cabinets (the bottom tier) and power_campus (the cluster level).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import group_totals, power_currents, power_use
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import esc, file_part, fold, kw, n_of
from superpod_iac.render.power_boxes import TAGS, node_label, replica_prefix
from superpod_iac.render.power_cabinets import BREAKER, cabinet_tier, side_style
from superpod_iac.render.power_campus import campus, folded_replicas
from superpod_iac.render.power_fold import FoldPlan, cabinet_feeds, fold_plan
from superpod_iac.render.power_status import CABINET_TEXT, STATUS_TEXT, node_class
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

__all__ = ["TAGS", "power_graph", "sheet_name", "side_sheets"]


@dataclass
class _Frames:
    """The frames of the drawing: one per power tree (when there are several), inside it one
    per side, A before B."""

    graph: Graph
    inv: Inventory
    drawn: set[str]
    several: bool
    trees: dict[str, Cluster] = field(default_factory=dict)
    sides: dict[tuple[str, str], Cluster] = field(default_factory=dict)

    def root(self, name: str) -> str:
        return _root_of(self.inv, self.drawn, name)

    def tree(self, root: str) -> Cluster | None:
        if not self.several:
            return None
        if root not in self.trees:
            self.trees[root] = Cluster(f"tree_{file_part(root)}",
                                       f"<b>power tree {esc(root)}</b>"
                                       + (" (names below without the prefix "
                                          f"{esc(replica_prefix(root))})"
                                          if replica_prefix(root) else ""), "tree", html=True)
        return self.trees[root]

    def place(self, name: str, side: str | None) -> Cluster | None:
        root = self.root(name)
        if not side:
            return self.tree(root)
        key = (root, side)
        if key not in self.sides:
            self.sides[key] = Cluster(f"side_{file_part(root)}_{side}" if self.several
                                      else f"side_{side}", f"<b>side {esc(side)}</b>",
                                      f"side-{side}" if side in ("A", "B") else "plain",
                                      html=True)
        return self.sides[key]

    def close(self) -> None:
        """Attach the frames in order: trees by name, sides A then B inside each."""
        for (root, _side), cl in sorted(self.sides.items(),
                                        key=lambda kv: (natural_key(kv[0][0]), kv[0][1])):
            tree = self.tree(root)
            (tree.clusters if tree is not None else self.graph.clusters).append(cl)
        for root in sorted(self.trees, key=natural_key):
            self.graph.clusters.append(self.trees[root])


def _side_key(inv: Inventory, name: str) -> tuple[int, str, tuple[object, ...]]:
    side = inv.power_nodes[name].spec.side
    return (0, side, natural_key(name)) if side else (1, "", natural_key(name))


def _tree_nodes(graph: Graph, inv: Inventory, order: list[str], plan: FoldPlan,
                frames: _Frames, compact: bool, near: float, prefixed: bool,
                wide_lines: bool = False) -> dict[str, int]:
    uses, currents = power_use(inv), power_currents(inv)
    hidden = plan.hidden()
    counts: dict[str, int] = {}
    for name in order:
        if name in hidden:
            continue
        use = uses[name]
        style = node_class(use, near)
        members = plan.members.get(name, [name])
        counts[style] = counts.get(style, 0) + len(members)
        label = node_label(name, inv, use, currents.get(name), members,
                           plan.per_parent.get(name, 1), compact,
                           replica_prefix(name) if prefixed else "", wide_lines)
        graph.add_node(Node(f"p_{file_part(name)}", label, style, html=True,
                            tooltip=f"{fold(members)}: {use.basis}", members=tuple(members)),
                       frames.place(name, inv.power_nodes[name].spec.side))
    return counts


def _tree_edges(graph: Graph, inv: Inventory, order: list[str], plan: FoldPlan) -> bool:
    hidden = plan.hidden()
    drawn = False
    for name in order:
        parent = inv.power_nodes[name].spec.parent
        if name in hidden or parent is None:
            continue
        parent = plan.rep_of.get(parent, parent)
        if f"p_{file_part(parent)}" not in graph.nodes:
            continue
        graph.add_edge(Edge(f"p_{file_part(parent)}", f"p_{file_part(name)}",
                            side_style(inv.power_nodes[name].spec.side), attrs=dict(BREAKER)))
        drawn = True
    return drawn


def _legend(graph: Graph, counts: dict[str, int], cab_styles: set[str],
            sides: set[str]) -> None:
    for style in ("power", "power-near", "power-over-failure", "power-over"):
        if counts.get(style):
            graph.add_legend("node", style, STATUS_TEXT[style])
    for style in ("power-cabinet", "power-cabinet-near", "power-cabinet-over-failure",
                  "power-cabinet-over"):
        if style in cab_styles:
            graph.add_legend("node", style, CABINET_TEXT[style])
    for side in sorted(sides):
        if side in ("A", "B"):
            graph.add_legend("edge", f"side-{side}", f"side {side}")
    if any(e.style == "side-none" for e in graph.edges):
        graph.add_legend("edge", "side-none", "no side declared")


def _notes(graph: Graph, inv: Inventory, folded_any: bool, breakers: bool,
           counts: dict[str, int]) -> None:
    tot = group_totals(inv, list(inv.cabinets))
    graph.subtitle.append(
        f"{n_of(len(inv.power_nodes), 'power node')} · {n_of(tot.cabinets, 'cabinet')} · "
        f"{kw(tot.load_w)} IT load · {counts.get('power-over', 0)} overloaded · "
        f"{counts.get('power-over-failure', 0)} overloaded after a failure")
    if folded_any:
        graph.notes.append("N × name: N identical branches under each box above (same figures, "
                           "same children) drawn once, figures for each; N × cabinet: the total "
                           "count of identical cabinets on those branches.")
    if breakers:
        graph.notes.append("Open square at the head of a line: the branch's circuit breaker (trip "
                           "rating in the box). Tags: UTIL utility, XFMR transformer, SWBD "
                           "switchboard, BUS busway, RPP remote power panel, FEED cabinet feed, "
                           "CAB cabinet (an inlet box per side feeding it). kVA (PF): from kW at "
                           "that power factor; V n/a: no voltage declared.")
    graph.notes.append(f"Loads at nameplate maximum plus optics, through shelf/UPS "
                       f"efficiencies; derated = {inv.policy.derating * 100:.0f} % of the rating "
                       "unless 100 %-rated; A = P / (√3 V PF). Headroom: derated less load, "
                       "negative when short; after: after the worst side or sibling failure. "
                       "Amber from 90 %, red over 100 % (dashed: after a failure).")


def _drawn(inv: Inventory, scope: Scope) -> list[str]:
    return [n for n in sorted(inv.power_nodes, key=natural_key) if scope.folded_prefix(n) is None]


def _root_of(inv: Inventory, drawn: set[str], name: str) -> str:
    seen = {name}
    while (parent := inv.power_nodes[name].spec.parent) in drawn and parent not in seen:
        name = parent
        seen.add(name)
    return name


def _cab_feeds(inv: Inventory, scope: Scope, drawn: set[str]) -> dict[str, dict[str, list[str]]]:
    return {c: fs for c in scope.drawn_cabinets if (fs := cabinet_feeds(inv, c, drawn))}


def side_sheets(inv: Inventory, scope: Scope, styles: Styles) -> list[tuple[str, str]]:
    """(power tree, side) of each A3 sheet a wide one-line is also drawn on: when its widest
    tier holds more than `layout.power_sheet_boxes_up_to` boxes and it has more than one side,
    every side of every tree gets a sheet of its own (none otherwise)."""
    drawn = _drawn(inv, scope)
    drawn_set = set(drawn)
    plan = fold_plan(inv, drawn, _cab_feeds(inv, scope, drawn_set), styles.near_pct)
    if plan.widest <= int(styles.layout("power_sheet_boxes_up_to")):
        return []
    pairs = {(_root_of(inv, drawn_set, n), side) for n in drawn
             if (side := inv.power_nodes[n].spec.side)}
    if len(pairs) < 2:
        return []
    return sorted(pairs, key=lambda p: (natural_key(p[0]), p[1]))


def sheet_name(root: str, side: str) -> str:
    return f"power-{file_part(root)}-{file_part(side)}"


def power_graph(inv: Inventory, scope: Scope, styles: Styles, title: str,
                sheet: tuple[str, str] | None = None) -> Graph:
    """The whole one-line, or with `sheet` = (tree root, side) one side of one tree on a sheet
    of its own (its root on top, no campus)."""
    graph = Graph("power", "power", f"{title} — power one-line")
    near = styles.near_pct
    drawn = _drawn(inv, scope)
    every = set(drawn)
    roots = [n for n in drawn if inv.power_nodes[n].spec.parent not in every]
    if sheet is not None:
        root, side = sheet
        drawn = [n for n in drawn if n == root or (_root_of(inv, every, n) == root and
                                                   inv.power_nodes[n].spec.side == side)]
        graph = Graph(sheet_name(root, side), "power-sheet",
                      f"{title} — power one-line, side {side} of {root}")
    drawn_set = set(drawn)
    cab_feeds = _cab_feeds(inv, scope, drawn_set)
    plan = fold_plan(inv, drawn, cab_feeds, near)
    compact = sheet is not None or plan.widest > int(styles.layout("power_wide_boxes_up_to"))
    frames = _Frames(graph, inv, drawn_set, len(roots) > 1 and sheet is None)
    # Side A left of side B: nodes are added A first, and dot keeps the order of out-edges.
    order = sorted(drawn, key=lambda n: _side_key(inv, n))
    counts = _tree_nodes(graph, inv, order, plan, frames, compact, near, len(roots) > 1,
                         sheet is not None)
    breakers = _tree_edges(graph, inv, order, plan)
    cab_styles = cabinet_tier(graph, inv, cab_feeds, plan, compact, frames.place,
                              len(roots) > 1)
    frames.close()
    if sheet is None:
        over, after = folded_replicas(graph, inv, scope)
        counts["power-over"] = counts.get("power-over", 0) + over
        counts["power-over-failure"] = counts.get("power-over-failure", 0) + after
        if scope.folded:  # a campus: the utility feeds of every replica, drawn and folded
            campus(graph, inv, scope, roots)
    else:
        graph.subtitle.append(
            f"{n_of(len(drawn), 'power node')} on this sheet · "
            f"{counts.get('power-over', 0)} overloaded · "
            f"{counts.get('power-over-failure', 0)} overloaded after a failure")
        graph.notes.append(f"Side {sheet[1]} of {sheet[0]} from its source down; sheet `power`: "
                           "every tree and side, and how to read the boxes.")
    _legend(graph, counts, cab_styles, {s for _r, s in frames.sides})
    if sheet is None:
        _notes(graph, inv, any(len(m) > 1 for m in plan.members.values()),
               breakers or bool(cab_feeds), counts)
    return graph
