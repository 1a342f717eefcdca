"""Cooling diagram: facility loops -> CDUs (and their redundancy groups) -> cabinets -> room air.

Each CDU group shows its heat against capacity, the coolant flow the heat needs against the
flow its CDUs deliver, and its capacity with the redundancy spent; each cabinet edge carries
the cabinet's liquid heat (kW) and flow (L/min); dashed edges take the heat left for the air
to the hall, row or air zone that must absorb it. Figures from `model.utilization`.
"""

from __future__ import annotations

from collections import defaultdict

from superpod_iac.model.cooling import cooling_plan
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import (
    air_use,
    cabinet_use,
    cooling_use,
    group_totals,
    loop_use,
)
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import (
    count,
    esc,
    file_part,
    fold,
    html_rows,
    kw,
    kw_rating,
    lpm,
    n_of,
    pct,
)
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

_NARROW = {"air zone": 0, "row": 1, "hall": 2}
"""Air spaces from the narrowest: a cabinet's residual heat is drawn to the first it is in."""


def _after_doors(gross_w: float, residual_w: float) -> str:
    """` (12.2 kW left to the room after rear doors)` when rear doors take a share."""
    return "" if kw(gross_w) == kw(residual_w) else \
        f" ({kw(residual_w)} left to the room after rear doors)"


def _temp(c: float | None) -> str:
    return "n/a" if c is None else f"{c:g} °C"


def cooling_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("cooling", "cooling", f"{title} — cooling")
    plan = cooling_plan(inv)
    uses = cooling_use(inv)
    cabs = cabinet_use(inv)
    over = after = 0
    # facility loops
    for name, lu in loop_use(inv).items():
        if scope.folded_prefix(name) is not None:
            continue
        style = "cdu-over" if lu.overloaded else "loop"
        over += lu.overloaded
        rows = [f"facility loop · supply {_temp(lu.supply_c)}",
                f"<b>{kw(lu.heat_w)}</b> of {kw(lu.capacity_w)} · <b>{pct(lu.pct)}</b>"]
        graph.add_node(Node(f"l_{file_part(name)}", html_rows(esc(name), rows), style, html=True))
        graph.add_legend("node", "loop", "facility water loop")
    # cooling units (a CDU, or a group of CDUs) with their CDUs
    for uname, unit in plan.units.items():
        if scope.folded_prefix(uname) is not None:
            continue
        u = uses[uname]
        style = "cdu-over" if u.overloaded else ("cdu-over-failure" if u.overloaded_after_failure
                                                 else "cdu")
        over += u.overloaded
        after += u.overloaded_after_failure
        rows = [f"{esc(unit.kind)} · {esc(unit.redundancy)} · {esc(unit.fluid or 'fluid n/a')}, "
                f"ΔT {unit.delta_t_c:g} K",
                f"heat <b>{kw(u.heat_w)}</b> of {kw(u.capacity_w)} · <b>{pct(u.pct)}</b>",
                f"flow <b>{lpm(u.required_lpm)}</b> needed of {lpm(u.flow_lpm)} · "
                f"<b>{pct(u.flow_pct)}</b>"]
        if unit.redundancy != "N" and u.capacity_after_loss_w is not None:
            rows.append(f"with {esc(unit.redundancy)} spent: {kw(u.capacity_after_loss_w)} "
                        f"capacity · {pct(u.after_loss_pct)}")
        uid = f"u_{file_part(uname)}"
        cluster = None
        if unit.kind == "CDU group":
            cluster = Cluster(f"g_{file_part(uname)}", f"CDU group {uname}", "cdu-group")
            graph.clusters.append(cluster)
        graph.add_node(Node(uid, html_rows(esc(uname), rows), style, html=True), cluster)
        graph.add_legend("node", "cdu", "CDU / CDU group (heat, flow vs capacity)")
        if style != "cdu":
            graph.add_legend("node", style, "over capacity" if style == "cdu-over"
                             else "over capacity with its redundancy spent")
        for m in unit.members:
            mid = uid if unit.kind == "CDU" else f"cdu_{file_part(m.name)}"
            if unit.kind != "CDU":
                mrows = [f"{esc(m.spec.type or 'CDU')}",
                         f"{kw_rating(m.capacity_kw)} · "
                         f"{lpm(m.flow_lpm)} · supply {_temp(m.supply_c)}"]
                graph.add_node(Node(mid, html_rows(esc(m.name), mrows), "cdu", html=True),
                               cluster)
                graph.add_edge(Edge(mid, uid, "coolant"))
            if m.spec.loop and f"l_{file_part(m.spec.loop)}" in graph.nodes:
                graph.add_edge(Edge(f"l_{file_part(m.spec.loop)}", mid, "facility"))
                graph.add_legend("edge", "facility", "facility water")
    # cabinets
    zones = [z for z in air_use(inv) if scope.folded_prefix(z.name) is None]
    # A cabinet's heat reaches the room once: drawn to the narrowest air space it is in (an
    # air zone, else its row, else its hall); wider spaces show their totals in their boxes.
    zone_of: dict[str, list[str]] = defaultdict(list)
    narrowest: dict[str, int] = {}
    for (kind, name, _cap, _heat, members) in plan.air_zones:
        if scope.folded_prefix(name) is None:
            rank = _NARROW.get(kind, len(_NARROW))
            for c in members:
                if rank < narrowest.get(c, len(_NARROW) + 1):
                    narrowest[c] = rank
                    zone_of[c] = [f"a_{file_part(kind)}_{file_part(name)}"]
    nested = len({z.kind for z in zones}) > 1
    for z in zones:
        style = "air-over" if z.overloaded else "air"
        over += z.overloaded
        rows = [f"{esc(z.kind)} air side",
                f"<b>{kw(z.heat_w)}</b> residual of {kw(z.capacity_w)} · <b>{pct(z.pct)}</b>"]
        graph.add_node(Node(f"a_{file_part(z.kind)}_{file_part(z.name)}",
                            html_rows(esc(z.name), rows), style, html=True))
        graph.add_legend("node", "air", "room air (hall, row, air zone)")
    spaces = [(_NARROW.get(kind, len(_NARROW)), f"a_{file_part(kind)}_{file_part(name)}",
               set(members)) for (kind, name, _cap, _heat, members) in plan.air_zones
              if scope.folded_prefix(name) is None]
    for rank, zid, inside in spaces:  # an air zone within its row or hall: a dashed "within"
        wider = [(r, w) for r, w, m in spaces if r > rank and inside and inside <= m]
        if wider and zid in graph.nodes:
            graph.add_edge(Edge(zid, min(wider)[1], "air", "within"))
    groups: dict[tuple[object, ...], list[str]] = {}
    fold_above = len(scope.drawn_cabinets) > int(styles.layout("fold_cabinets_above"))
    for cname in scope.drawn_cabinets:
        cu = cabs[cname]
        key: tuple[object, ...] = (cname,)
        if fold_above:  # identical cabinets on the same unit and air zones: drawn once
            key = (plan.unit_of_cabinet.get(cname), inv.cabinets[cname].type_name,
                   round(cu.liquid_w, 1), round(cu.residual_air_w, 1),
                   round(cu.coolant_lpm or -1.0, 1), tuple(zone_of.get(cname, [])))
        groups.setdefault(key, []).append(cname)
    for members in groups.values():
        cname = members[0]
        cu = cabs[cname]
        unit_name = plan.unit_of_cabinet.get(cname)
        unit_id = f"u_{file_part(unit_name)}" if unit_name else None
        style = "cool-cabinet" if unit_name else "cool-cabinet-air"
        rows = [f'<font color="#5f6368">{esc(inv.cabinets[cname].type_name)}</font>',
                f"liquid {kw(cu.liquid_w)} · air {kw(cu.residual_air_w)}" if unit_name
                else f"air-cooled · {kw(cu.residual_air_w)} to air"]
        each = ""
        if len(members) > 1:
            rows.insert(0, f"<i>{len(members)} identical cabinets, figures for each</i>")
            each = f"{len(members)} × "
        cid = f"c_{file_part(cname)}"
        graph.add_node(Node(cid, html_rows(esc(fold(members)), rows), style, html=True))
        graph.add_legend("node", style,
                         "liquid-cooled cabinet" if unit_name else "air-cooled cabinet")
        if unit_id is not None and unit_id in graph.nodes:
            graph.add_edge(Edge(unit_id, cid, "coolant",
                                f"{each}{kw(cu.liquid_w)} · {lpm(cu.coolant_lpm)}"))
            graph.add_legend("edge", "coolant", "coolant to a cabinet (kW, L/min)")
        for zid in zone_of.get(cname, []):
            if zid in graph.nodes and cu.residual_air_w > 0:
                graph.add_edge(Edge(cid, zid, "air", f"{each}{kw(cu.residual_air_w)}"))
                graph.add_legend("edge", "air", "heat left to the room air")
    if len(groups) < len(scope.drawn_cabinets):
        graph.notes.append("Cabinets with the same figures on the same cooling unit are drawn once "
                           "(nodeset names; edge labels N × figures for each).")
    for fset in scope.folded:
        units = [u for u in plan.units if scope.folded_prefix(u) is fset]
        if not units:
            continue
        bad = sum(1 for u in units if uses[u].overloaded or uses[u].overloaded_after_failure)
        tot = group_totals(inv, fset.cabinets)
        rows = [f"{count(len(fset.replicas))} further replicas, each cooled like "
                f"{esc(fset.representative)}",
                f"{n_of(len(units), 'cooling unit')} · {kw(tot.load_w)} IT load in total"]
        if bad:
            rows.append(f"{bad} unit(s) over capacity")
        graph.add_node(Node(f"f_{file_part(fset.representative)}",
                            html_rows(esc(fold(fset.replicas)), rows),
                            "cdu-over" if bad else "folded", html=True))
        graph.add_legend("node", "folded", "further identical replicas, drawn once")
    tot = group_totals(inv, list(inv.cabinets))
    n_cdus = sum(len(u.members) for u in plan.units.values())
    graph.subtitle.append(
        f"{n_of(n_cdus, 'CDU')} in {n_of(len(plan.units), 'cooling unit')} · "
        f"{n_of(tot.cabinets, 'cabinet')} · "
        f"{kw(tot.liquid_cooled_w)} to liquid · {kw(tot.air_gross_w)} to air"
        f"{_after_doors(tot.air_gross_w, tot.air_w)} · {over} over capacity · "
        f"{after} over with redundancy spent")
    graph.notes.append("Heat at nameplate maximum: the liquid share goes to the CDU, the rest "
                       "(and optics) to the room air, less what rear doors absorb. Flow: "
                       "Q / (rho c_p dT) with the CDU's fluid and temperature rise.")
    if nested:
        graph.notes.append("Heat to air is drawn once, to the narrowest air space a cabinet is in "
                           "(air zone, then row, then hall); wider spaces show their totals.")
    return graph
