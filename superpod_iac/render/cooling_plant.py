"""The plant level of the cooling diagram: facility loops, cooling units (a CDU, or a group of
CDUs in its frame) and their CDUs, with heat against capacity and flow against delivery."""

from __future__ import annotations

from superpod_iac.model.cooling import CoolingUnit, cooling_plan
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import CoolingUse, cooling_use, loop_use
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import esc, file_part, html_rows, kw, kw_rating, lpm, pct
from superpod_iac.render.scope import Scope


def temp(c: float | None) -> str:
    return "n/a" if c is None else f"{c:g} °C"


def loops(graph: Graph, inv: Inventory, scope: Scope) -> int:
    """One node per facility loop drawn; returns how many are over capacity."""
    over = 0
    for name, lu in loop_use(inv).items():
        if scope.folded_prefix(name) is not None:
            continue
        over += lu.overloaded
        rows = [f"facility loop · supply {temp(lu.supply_c)}",
                f"<b>{kw(lu.heat_w)}</b> of {kw(lu.capacity_w)} · <b>{pct(lu.pct)}</b>"]
        graph.add_node(Node(f"l_{file_part(name)}", html_rows(esc(name), rows),
                            "cdu-over" if lu.overloaded else "loop", html=True,
                            members=(name,)))
        graph.add_legend("node", "loop", "facility water loop")
    return over


def unit_style(u: CoolingUse) -> str:
    return "cdu-over" if u.overloaded else ("cdu-over-failure" if u.overloaded_after_failure
                                            else "cdu")


def _unit_rows(unit: CoolingUnit, u: CoolingUse) -> list[str]:
    rows = [f"{esc(unit.kind)} · {esc(unit.redundancy)} · {esc(unit.fluid or 'fluid n/a')}, "
            f"ΔT {unit.delta_t_c:g} K",
            f"heat <b>{kw(u.heat_w)}</b> of {kw(u.capacity_w)} · <b>{pct(u.pct)}</b>",
            f"flow <b>{lpm(u.required_lpm)}</b> needed of {lpm(u.flow_lpm)} · "
            f"<b>{pct(u.flow_pct)}</b>"]
    if unit.redundancy != "N" and u.capacity_after_loss_w is not None:
        rows.append(f"with {esc(unit.redundancy)} spent: {kw(u.capacity_after_loss_w)} "
                    f"capacity · {pct(u.after_loss_pct)}")
    return rows


def _members(graph: Graph, unit: CoolingUnit, uid: str, cluster: Cluster | None) -> None:
    """The CDUs of a unit (a group's members in its frame) and their facility water."""
    for m in unit.members:
        mid = uid if unit.kind == "CDU" else f"cdu_{file_part(m.name)}"
        if unit.kind != "CDU":
            mrows = [f"{esc(m.spec.type or 'CDU')}",
                     f"{kw_rating(m.capacity_kw)} · {lpm(m.flow_lpm)} · supply {temp(m.supply_c)}"]
            graph.add_node(Node(mid, html_rows(esc(m.name), mrows), "cdu", html=True,
                                members=(m.name,)), cluster)
            graph.add_edge(Edge(mid, uid, "coolant"))
        if m.spec.loop and f"l_{file_part(m.spec.loop)}" in graph.nodes:
            graph.add_edge(Edge(f"l_{file_part(m.spec.loop)}", mid, "facility"))
            graph.add_legend("edge", "facility", "facility water")


def units(graph: Graph, inv: Inventory, scope: Scope) -> tuple[int, int]:
    """Every cooling unit drawn with its CDUs; returns (over capacity, over with redundancy
    spent)."""
    uses = cooling_use(inv)
    over = after = 0
    for uname, unit in cooling_plan(inv).units.items():
        if scope.folded_prefix(uname) is not None:
            continue
        u = uses[uname]
        style = unit_style(u)
        over += u.overloaded
        after += u.overloaded_after_failure
        uid = f"u_{file_part(uname)}"
        cluster = None
        if unit.kind == "CDU group":
            cluster = Cluster(f"g_{file_part(uname)}", f"CDU group {uname}", "cdu-group")
            graph.clusters.append(cluster)
        graph.add_node(Node(uid, html_rows(esc(uname), _unit_rows(unit, u)), style, html=True,
                            members=(uname,)), cluster)
        graph.add_legend("node", "cdu", "CDU / CDU group (heat, flow vs capacity)")
        if style != "cdu":
            graph.add_legend("node", style, "over capacity" if style == "cdu-over"
                             else "over capacity with its redundancy spent")
        _members(graph, unit, uid, cluster)
    return over, after
