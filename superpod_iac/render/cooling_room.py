"""The room level of the cooling diagram: the cabinets (identical ones drawn once) with their
liquid heat and coolant flow, and the air spaces (hall, row, air zone) taking what is left."""

from __future__ import annotations

from collections import defaultdict

from superpod_iac.model.cooling import cooling_plan
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import air_use, cabinet_use
from superpod_iac.render.cooling_plant import unit_folds
from superpod_iac.render.graph import Edge, Graph, Node
from superpod_iac.render.labels import esc, file_part, fold, html_rows, kw, lpm, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

_NARROW = {"air zone": 0, "row": 1, "hall": 2}
"""Air spaces from the narrowest: a cabinet's residual heat is drawn to the first it is in."""


def _zid(kind: str, name: str) -> str:
    return f"a_{file_part(kind)}_{file_part(name)}"


def zone_of_cabinet(inv: Inventory, scope: Scope) -> dict[str, list[str]]:
    """A cabinet's heat reaches the room once: drawn to the narrowest air space it is in (an
    air zone, else its row, else its hall); wider spaces show their totals in their boxes."""
    zone_of: dict[str, list[str]] = defaultdict(list)
    narrowest: dict[str, int] = {}
    for (kind, name, _cap, _heat, members) in cooling_plan(inv).air_zones:
        if scope.folded_prefix(name) is not None:
            continue
        rank = _NARROW.get(kind, len(_NARROW))
        for c in members:
            if rank < narrowest.get(c, len(_NARROW) + 1):
                narrowest[c] = rank
                zone_of[c] = [_zid(kind, name)]
    return zone_of


def air_spaces(graph: Graph, inv: Inventory, scope: Scope) -> tuple[int, bool]:
    """Air zones, rows and halls drawn, an air zone linked to the space it is within; returns
    (how many are over capacity, whether spaces of several kinds are drawn)."""
    zones = [z for z in air_use(inv) if scope.folded_prefix(z.name) is None]
    over = 0
    for z in zones:
        over += z.overloaded
        rows = [f"{esc(z.kind)} air side",
                f"<b>{kw(z.heat_w)}</b> residual of {kw(z.capacity_w)} · <b>{pct(z.pct)}</b>"]
        graph.add_node(Node(_zid(z.kind, z.name), html_rows(esc(z.name), rows),
                            "air-over" if z.overloaded else "air", html=True, members=(z.name,)))
        graph.add_legend("node", "air", "room air (hall, row, air zone)")
    spaces = [(_NARROW.get(kind, len(_NARROW)), _zid(kind, name), set(members))
              for (kind, name, _cap, _heat, members) in cooling_plan(inv).air_zones
              if scope.folded_prefix(name) is None]
    for rank, zid, inside in spaces:  # an air zone within its row or hall: a dashed "within"
        wider = [(r, w) for r, w, m in spaces if r > rank and inside and inside <= m]
        if wider and zid in graph.nodes:
            graph.add_edge(Edge(zid, min(wider)[1], "air", "within"))
    return over, len({z.kind for z in zones}) > 1


def _groups(inv: Inventory, scope: Scope, styles: Styles,
            zone_of: dict[str, list[str]], drawn_unit: dict[str, str]) -> list[list[str]]:
    """Cabinets drawn together: identical ones on the same drawn unit (alike CDUs are drawn
    once) and air spaces, past the `fold_cabinets_above` threshold."""
    plan, cabs = cooling_plan(inv), cabinet_use(inv)
    groups: dict[tuple[object, ...], list[str]] = {}
    fold_above = len(scope.drawn_cabinets) > int(styles.layout("fold_cabinets_above"))
    for cname in scope.drawn_cabinets:
        cu = cabs[cname]
        key: tuple[object, ...] = (cname,)
        if fold_above:
            unit = plan.unit_of_cabinet.get(cname)
            key = (drawn_unit.get(unit, unit) if unit else None, inv.cabinets[cname].type_name,
                   round(cu.liquid_w, 1), round(cu.residual_air_w, 1),
                   round(cu.coolant_lpm or -1.0, 1), tuple(zone_of.get(cname, [])))
        groups.setdefault(key, []).append(cname)
    return list(groups.values())


def cabinets(graph: Graph, inv: Inventory, scope: Scope, styles: Styles) -> bool:
    """The cabinets with their coolant and residual-air edges; whether any were folded."""
    plan, cabs = cooling_plan(inv), cabinet_use(inv)
    zone_of = zone_of_cabinet(inv, scope)
    drawn_unit = {u: rep for rep, alike in unit_folds(inv, scope, styles).items() for u in alike}
    groups = _groups(inv, scope, styles, zone_of, drawn_unit)
    for members in groups:
        cname = members[0]
        cu = cabs[cname]
        unit_name = plan.unit_of_cabinet.get(cname)
        style = "cool-cabinet" if unit_name else "cool-cabinet-air"
        rows = [f'<font color="#5f6368">{esc(inv.cabinets[cname].type_name)}</font>',
                f"liquid {kw(cu.liquid_w)} · air {kw(cu.residual_air_w)}" if unit_name
                else f"air-cooled · {kw(cu.residual_air_w)} to air"]
        each = f"{len(members)} × " if len(members) > 1 else ""
        if each:
            rows.insert(0, f"<i>{len(members)} identical cabinets, figures for each</i>")
        cid = f"c_{file_part(cname)}"
        graph.add_node(Node(cid, html_rows(esc(fold(members)), rows), style, html=True,
                            members=tuple(members)))
        graph.add_legend("node", style,
                         "liquid-cooled cabinet" if unit_name else "air-cooled cabinet")
        unit_id = f"u_{file_part(drawn_unit.get(unit_name, unit_name))}" if unit_name else None
        if unit_id is not None and unit_id in graph.nodes:
            graph.add_edge(Edge(unit_id, cid, "coolant",
                                f"{each}{kw(cu.liquid_w)} · {lpm(cu.coolant_lpm)}"))
            graph.add_legend("edge", "coolant", "coolant to a cabinet (kW, L/min)")
        for zid in zone_of.get(cname, []):
            if zid in graph.nodes and cu.residual_air_w > 0:
                graph.add_edge(Edge(cid, zid, "air", f"{each}{kw(cu.residual_air_w)}"))
                graph.add_legend("edge", "air", "heat left to the room air")
    return len(groups) < len(scope.drawn_cabinets)
