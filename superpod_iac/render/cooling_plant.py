"""The plant level of the cooling diagram: facility loops, cooling units (a CDU, or a group of
CDUs in its frame) and their CDUs, with heat against capacity and flow against delivery."""

from __future__ import annotations

from superpod_iac.model.cooling import CoolingUnit, cooling_plan
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import CoolingUse, cooling_use, loop_use
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import esc, file_part, fold, html_rows, kw, kw_rating, lpm, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles


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


def unit_folds(inv: Inventory, scope: Scope, styles: Styles) -> dict[str, list[str]]:
    """Cooling units drawn, each with the units it stands for: past `fold_cdus_above` single
    CDUs, those alike (same type, loop, figures) are drawn once (a hall of 392 in-rack CDUs:
    specs/colossus-100k); CDU groups are always drawn one by one."""
    plan, uses = cooling_plan(inv), cooling_use(inv)
    names = [u for u in plan.units if scope.folded_prefix(u) is None]
    singles = sum(1 for u in names if plan.units[u].kind == "CDU")
    fold_above = singles > int(styles.layout("fold_cdus_above"))
    out: dict[tuple[object, ...], list[str]] = {}
    for uname in names:
        unit = plan.units[uname]
        key: tuple[object, ...] = (uname,)
        if fold_above and unit.kind == "CDU":
            m = unit.members[0]
            key = ("CDU", m.spec.type, m.spec.loop, unit_style(uses[uname]),
                   tuple(_unit_rows(unit, uses[uname])), len(unit.cabinets))
        out.setdefault(key, []).append(uname)
    return {members[0]: members for members in out.values()}


def units(graph: Graph, inv: Inventory, scope: Scope, styles: Styles) -> tuple[int, int]:
    """Every cooling unit drawn with its CDUs (alike single CDUs once: unit_folds); returns
    (over capacity, over with redundancy spent), counting every unit."""
    uses = cooling_use(inv)
    plan = cooling_plan(inv)
    over = after = 0
    for uname, alike in unit_folds(inv, scope, styles).items():
        unit = plan.units[uname]
        u = uses[uname]
        style = unit_style(u)
        over += u.overloaded * len(alike)
        after += u.overloaded_after_failure * len(alike)
        uid = f"u_{file_part(uname)}"
        cluster = None
        if unit.kind == "CDU group":
            cluster = Cluster(f"g_{file_part(uname)}", f"CDU group {uname}", "cdu-group")
            graph.clusters.append(cluster)
        rows = _unit_rows(unit, u)
        if len(alike) > 1:
            rows.insert(0, f"<i>{len(alike)} alike, figures for each</i>")
        graph.add_node(Node(uid, html_rows(esc(fold(alike)), rows), style, html=True,
                            members=tuple(alike)), cluster)
        graph.add_legend("node", "cdu", "CDU / CDU group (heat, flow vs capacity)")
        if style != "cdu":
            graph.add_legend("node", style, "over capacity" if style == "cdu-over"
                             else "over capacity with its redundancy spent")
        _members(graph, unit, uid, cluster)
    return over, after
