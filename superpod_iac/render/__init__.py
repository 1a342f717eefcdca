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
           "design_title", "plan", "render_bytes", "to_dot"]


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
    styles = load_styles()
    scope = build_scope(inv)
    jobs: list[Job] = []
    for view in views:
        if view not in VIEW_JOBS:
            raise ValueError(f"unknown view {view!r}")
        jobs += VIEW_JOBS[view](inv, scope, levels, styles, title)
    return jobs
