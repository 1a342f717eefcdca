"""The cluster level of the power one-line: the replicas folded into one box each, and the
campus box with the utility connection of every power tree above them."""

from __future__ import annotations

from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import group_totals, power_use, site_totals
from superpod_iac.render.graph import Edge, Graph, Node
from superpod_iac.render.labels import count, esc, file_part, fold, kw, n_of
from superpod_iac.render.power_boxes import box
from superpod_iac.render.scope import Scope


def folded_replicas(graph: Graph, inv: Inventory, scope: Scope) -> tuple[int, int]:
    """One box per folded set of replicas; returns (overloaded, overloaded after a failure)."""
    uses = power_use(inv)
    over_all = after_all = 0
    for fset in scope.folded:
        members = [n for n in inv.power_nodes if scope.folded_prefix(n) is fset]
        if not members:
            continue
        over = sum(1 for n in members if uses[n].overloaded)
        after = sum(1 for n in members if uses[n].overloaded_after_failure)
        tot = group_totals(inv, fset.cabinets)
        left = [f"{count(len(fset.replicas))} further replicas, each powered like",
                f"{esc(fset.representative)} · {n_of(len(members), 'power node')}",
                f"{kw(tot.load_w)} IT load in total"]
        style = "power-over" if over else ("power-over-failure" if after else "folded")
        if over or after:
            left.append(f"{over} node(s) overloaded, {after} overloaded after a failure")
        graph.add_node(Node(f"f_{file_part(fset.representative)}",
                            box("POD", esc(fold(fset.replicas)), left, []), style, html=True))
        over_all += over
        after_all += after
        graph.add_legend("node", "folded", "further identical replicas, drawn once")
    return over_all, after_all


def campus(graph: Graph, inv: Inventory, scope: Scope, roots_drawn: list[str]) -> None:
    """The site above every power tree: the utility connections it draws from and the total
    rating and load, with an edge to each tree drawn and each folded set of replicas."""
    uses = power_use(inv)
    site = site_totals(inv)
    tot_all = group_totals(inv, list(inv.cabinets))
    roots = [n for n, node in inv.power_nodes.items() if node.spec.parent is None]
    pods = [n for n in roots if n.partition(".")[0] in inv.superpods and "." in n]
    others = [n for n in roots if n not in set(pods)]
    left = [f"{count(site.roots)} utility connections (one per power tree)"]
    if others:  # e.g. a core network tier fed on its own, beside the superpods
        left += [f"{count(len(pods))} utility connections of the superpods, rated "
                 f"{kw(sum(uses[n].rated_w or 0.0 for n in pods))}",
                 f"{count(len(others))} outside superpods ({esc(fold(others))}),",
                 f"rated {kw(sum(uses[n].rated_w or 0.0 for n in others))}"]
    left += [f"rated <b>{kw(site.rated_w)}</b> in total",
             f"load <b>{kw(site.load_w)}</b> · IT load {kw(tot_all.load_w)}"]
    graph.add_node(Node("campus", box("SITE", "campus", left, []), "power", html=True))
    for name in roots_drawn:
        graph.add_edge(Edge("campus", f"p_{file_part(name)}", "campus"))
    for nid in [n for n in graph.nodes if n.startswith("f_")]:
        graph.add_edge(Edge("campus", nid, "campus"))
    graph.add_legend("edge", "campus", "campus: the utility connection of each power tree")
