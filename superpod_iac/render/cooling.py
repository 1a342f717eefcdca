"""Cooling diagram: facility loops -> CDUs (and their redundancy groups) -> cabinets -> room air.

Each CDU group shows its heat against capacity, the coolant flow the heat needs against the
flow its CDUs deliver, and its capacity with the redundancy spent; each cabinet edge carries
the cabinet's liquid heat (kW) and flow (L/min); dashed edges take the heat left for the air
to the hall, row or air zone that must absorb it. Figures from `model.utilization`. The plant
(loops, units, CDUs) is drawn by cooling_plant, the room (cabinets, air spaces) by
cooling_room; this module adds the folded replicas, the subtitle and the notes.
"""

from __future__ import annotations

from superpod_iac.model.cooling import cooling_plan
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import cooling_use, group_totals
from superpod_iac.render.cooling_plant import loops, units
from superpod_iac.render.cooling_room import air_spaces, cabinets
from superpod_iac.render.graph import Graph, Node
from superpod_iac.render.labels import count, esc, file_part, fold, html_rows, kw, n_of
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles


def _after_doors(gross_w: float, residual_w: float) -> str:
    """` (12.2 kW left to the room after rear doors)` when rear doors take a share."""
    return "" if kw(gross_w) == kw(residual_w) else \
        f" ({kw(residual_w)} left to the room after rear doors)"


def _folded(graph: Graph, inv: Inventory, scope: Scope) -> None:
    plan, uses = cooling_plan(inv), cooling_use(inv)
    for fset in scope.folded:
        names = [u for u in plan.units if scope.folded_prefix(u) is fset]
        if not names:
            continue
        bad = sum(1 for u in names if uses[u].overloaded or uses[u].overloaded_after_failure)
        tot = group_totals(inv, fset.cabinets)
        rows = [f"{count(len(fset.replicas))} further replicas, each cooled like "
                f"{esc(fset.representative)}",
                f"{n_of(len(names), 'cooling unit')} · {kw(tot.load_w)} IT load in total"]
        if bad:
            rows.append(f"{bad} unit(s) over capacity")
        graph.add_node(Node(f"f_{file_part(fset.representative)}",
                            html_rows(esc(fold(fset.replicas)), rows),
                            "cdu-over" if bad else "folded", html=True))
        graph.add_legend("node", "folded", "further identical replicas, drawn once")


def _notes(graph: Graph, inv: Inventory, over: int, after: int, folded: bool,
           nested: bool) -> None:
    plan = cooling_plan(inv)
    tot = group_totals(inv, list(inv.cabinets))
    n_cdus = sum(len(u.members) for u in plan.units.values())
    graph.subtitle.append(
        f"{n_of(n_cdus, 'CDU')} in {n_of(len(plan.units), 'cooling unit')} · "
        f"{n_of(tot.cabinets, 'cabinet')} · "
        f"{kw(tot.liquid_cooled_w)} to liquid · {kw(tot.air_gross_w)} to air"
        f"{_after_doors(tot.air_gross_w, tot.air_w)} · {over} over capacity · "
        f"{after} over with redundancy spent")
    if folded:
        graph.notes.append("Cabinets with the same figures on the same cooling unit are drawn once "
                           "(nodeset names; edge labels N × figures for each).")
    graph.notes.append("Heat at nameplate maximum: the liquid share goes to the CDU, the rest "
                       "(and optics) to the room air, less what rear doors absorb. Flow: "
                       "Q / (rho c_p dT) with the CDU's fluid and temperature rise.")
    if nested:
        graph.notes.append("Heat to air is drawn once, to the narrowest air space a cabinet is in "
                           "(air zone, then row, then hall); wider spaces show their totals.")


def cooling_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("cooling", "cooling", f"{title} — cooling")
    over = loops(graph, inv, scope)
    unit_over, after = units(graph, inv, scope, styles)
    air_over, nested = air_spaces(graph, inv, scope)
    folded = cabinets(graph, inv, scope, styles)
    _folded(graph, inv, scope)
    _notes(graph, inv, over + unit_over + air_over, after, folded, nested)
    return graph
