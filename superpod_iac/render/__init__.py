"""Diagrams: Inventory -> one graph model (render.graph) -> Graphviz dot / svg / png.

`plan()` lists the diagrams a request produces (one per view and level, and per pod or
cabinet where the level has several); each job builds its Graph lazily, so a progress bar
can tick per diagram and nothing is built that is not asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from superpod_iac.choices import LEVELS, VIEWS, table
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.render.emit import FORMATS, DotFailed, DotMissing, render_bytes, to_dot
from superpod_iac.render.graph import Graph
from superpod_iac.render.scope import Scope, build_scope
from superpod_iac.render.styles import Styles, load_styles

__all__ = ["FORMATS", "LEVELS", "VIEWS", "VIEW_JOBS", "DotFailed", "DotMissing", "Job",
           "design_title", "plan", "plan_within", "render_bytes", "to_dot"]


@dataclass(slots=True)
class Job:
    name: str
    """File stem, e.g. `wiring-pod-cloudmatrix-384`."""
    build: Callable[[], Graph]


def design_title(inv: Inventory, fallback: str) -> str:
    """The design's name: its cluster, else its single superpod, else the path given."""
    if len(inv.clusters) == 1:
        return next(iter(inv.clusters))
    templates = {sp.template or name for name, sp in inv.superpods.items()}
    if len(templates) == 1:
        return next(iter(templates))
    return fallback


def wiring_jobs(inv: Inventory, scope: Scope, levels: Sequence[str], styles: Styles,
                title: str) -> list[Job]:
    from superpod_iac.render import wiring

    jobs: list[Job] = []
    if "cluster" in levels:
        jobs.append(Job("wiring-cluster", lambda: wiring.cluster_graph(inv, scope, styles, title)))
    if "pod" in levels:
        for pod in scope.pods:
            jobs.append(Job(wiring.pod_graph_name(pod),
                            partial(wiring.pod_graph, inv, scope, pod, styles, title)))
    if "cabinet" in levels:
        cabs = sorted(scope.drawn_cabinets, key=natural_key)
        for members in wiring.identical_cabinets(inv, cabs):
            jobs.append(Job(wiring.cabinet_graph_name(members[0]),
                            partial(wiring.cabinet_graph, inv, scope, members[0], styles, title,
                                    members)))
    return jobs


def power_jobs(inv: Inventory, scope: Scope, _levels: Sequence[str], styles: Styles,
               title: str) -> list[Job]:
    from superpod_iac.render import power

    return [Job("power", lambda: power.power_graph(inv, scope, styles, title))]


def cooling_jobs(inv: Inventory, scope: Scope, _levels: Sequence[str], styles: Styles,
                 title: str) -> list[Job]:
    from superpod_iac.render import cooling

    return [Job("cooling", lambda: cooling.cooling_graph(inv, scope, styles, title))]


def elevation_jobs(inv: Inventory, scope: Scope, _levels: Sequence[str], styles: Styles,
                   title: str) -> list[Job]:
    from superpod_iac.render import elevation

    return [Job("elevation", lambda: elevation.elevation_graph(inv, scope, styles, title))]


ViewJobs = Callable[[Inventory, Scope, Sequence[str], Styles, str], list[Job]]
VIEW_JOBS: dict[str, ViewJobs] = table(VIEWS, {
    "wiring": wiring_jobs,
    "power": power_jobs,
    "cooling": cooling_jobs,
    "elevation": elevation_jobs,
})
"""The diagrams of each view (`superpod render --view`), in the order of choices.VIEWS."""


def plan(inv: Inventory, views: Sequence[str], levels: Sequence[str], title: str) -> list[Job]:
    return _plan(inv, views, levels, title, build_scope(inv))


def _plan(inv: Inventory, views: Sequence[str], levels: Sequence[str], title: str,
          scope: Scope) -> list[Job]:
    styles = load_styles()
    jobs: list[Job] = []
    for view in views:
        if view not in VIEW_JOBS:
            raise ValueError(f"unknown view {view!r}")
        jobs += VIEW_JOBS[view](inv, scope, levels, styles, title)
    return jobs


def drawn_link_ends(inv: Inventory, scope: Scope) -> int:
    """Link ends in the cabinets whose wiring diagrams are drawn (the representative pods'):
    the per-link work of the cabinet level (grouping identical cabinets, bundling links)."""
    import numpy as np

    from superpod_iac.model.linkstats import columns

    drawn = set(scope.drawn_cabinets)
    if not drawn or not len(inv.links):
        return 0
    in_drawn = np.fromiter((d.cabinet in drawn for d in inv.devices), dtype=bool,
                           count=len(inv.devices))
    col = columns(inv)
    return int(in_drawn[col["a_dev"]].sum() + in_drawn[col["b_dev"]].sum())


def plan_within(inv: Inventory, views: Sequence[str], levels: Sequence[str], title: str,
                budget_ms: float) -> tuple[list[Job], str | None]:
    """`plan`, leaving out the cabinet-level wiring diagrams when drawing them is estimated
    (COST_US["drawn_link_end"] per link end in a drawn cabinet, measured in docs/security.md)
    at more than `budget_ms`; then the second item says so, with the numbers. For a report,
    whose work is bounded like validation's: `superpod render` draws what it is asked."""
    from superpod_iac.source.loader import COST_US

    scope = build_scope(inv)
    note = None
    if "wiring" in views and "cabinet" in levels:
        ends = drawn_link_ends(inv, scope)
        ms = ends * COST_US["drawn_link_end"] / 1000.0
        if ms > budget_ms:
            levels = [lv for lv in levels if lv != "cabinet"]
            note = (f"cabinet wiring diagrams: left out; drawing the {ends:,} link ends of the "
                    f"drawn cabinets is estimated at {ms:,.0f} ms of CPU, more than the "
                    f"{max(budget_ms, 0.0):,.0f} ms the design leaves of max_cpu_ms "
                    "(docs/security.md); `superpod render --view wiring --level cabinet` "
                    "draws them")
    return _plan(inv, views, levels, title, scope), note
