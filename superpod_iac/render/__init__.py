"""Diagrams: Inventory -> one graph model (render.graph) -> Graphviz dot / svg / png.

`plan()` lists the diagrams a request produces (one per view and level, and per pod or
cabinet where the level has several); each job builds its Graph lazily, so a progress bar
can tick per diagram and nothing is built that is not asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from superpod_iac.choices import LEVELS, VIEWS, table
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.render.emit import FORMATS, DotFailed, DotMissing, render_bytes, to_dot
from superpod_iac.render.flags import flag, rule_index
from superpod_iac.render.graph import Graph, TitleBlock
from superpod_iac.render.scope import Scope, build_scope
from superpod_iac.render.styles import Styles, load_styles

__all__ = ["FORMATS", "LEVELS", "VIEWS", "VIEW_JOBS", "DotFailed", "DotMissing", "Job",
           "Revision", "design_title", "number_sheets", "plan", "plan_within", "render_bytes",
           "to_dot"]


@dataclass(slots=True)
class Job:
    name: str
    """File stem, e.g. `wiring-pod-cloudmatrix-384`."""
    build: Callable[[], Graph]
    extra: bool = False
    """A supplementary sheet of the diagram before it (a wide one-line's A3 sheets of one side
    each): written with `--out`; standard output takes the main diagram alone."""


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

    jobs = [Job("power", lambda: power.power_graph(inv, scope, styles, title))]
    for root, side in power.side_sheets(inv, scope, styles):  # A3 sheets of a wide one-line
        jobs.append(Job(power.sheet_name(root, side),
                        partial(power.power_graph, inv, scope, styles, title, (root, side)),
                        extra=True))
    return jobs


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


@dataclass(slots=True, frozen=True)
class Revision:
    """What the caller (the CLI) knows about the design's version: renderers run no git and
    read no clock."""

    commit: str | None = None
    """Short commit hash; None when the design is not under git."""
    dirty: bool = False
    """The design's files differ from that commit."""
    date: str | None = None
    """ISO date: `--date`, else SOURCE_DATE_EPOCH, else the commit's date; never the clock."""
    note: str = ""
    """Why there is no commit (no git, not a checkout)."""

    def text(self) -> str:
        if self.commit is None:
            return self.note or "not under git"
        return self.commit[:12] + (" + uncommitted changes" if self.dirty else "")


SCALES = {"elevation": "1U = 13 pt (4.6 mm) at 100 %"}
"""Scale note of each view's sheet; schematic views are not to scale."""
SCHEMATIC = "schematic, not to scale"


def status_text(findings: Sequence[Diagnostic] | None) -> str:
    """`validated clean`, `2 errors, 1 warning`, or `not validated` (no findings passed)."""
    if findings is None:
        return "not validated"
    errors = sum(d.severity == Severity.ERROR for d in findings)
    warnings = sum(d.severity == Severity.WARNING for d in findings)
    if not errors and not warnings:
        return "validated clean"
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def revision_text(rev: Revision | None) -> str:
    return "not given" if rev is None else rev.text()


def _sheet(job: Job, block: TitleBlock, index: dict[str, set[str]]) -> Job:
    def build() -> Graph:
        graph = job.build()
        graph.title_block = block
        if index:
            flag(graph, index)
        return graph

    return Job(job.name, build, job.extra)


def number_sheets(graphs: Sequence[Graph]) -> None:
    """Number the sheets actually drawn: `sheet n of m` over the graphs with something to show
    (a view with nothing to show writes no file and takes no number)."""
    drawn = [g for g in graphs if g.empty is None and g.title_block is not None]
    for k, g in enumerate(drawn):
        assert g.title_block is not None
        g.title_block = replace(g.title_block, sheet=k + 1, sheets=len(drawn))


def plan(inv: Inventory, views: Sequence[str], levels: Sequence[str], title: str, *,
         findings: Sequence[Diagnostic] | None = None,
         revision: Revision | None = None, a3_sheets: bool = False,
         scope: Scope | None = None) -> list[Job]:
    """The diagrams of a request, each a numbered sheet with its title block; `findings` (the
    validation's, when the caller ran it) put rule IDs on the boxes they name and the error
    count in the title block; `a3_sheets` adds the supplementary sheets (`Job.extra`: a wide
    one-line's sides, each on A3)."""
    styles = load_styles()
    scope = scope or build_scope(inv)
    jobs: list[tuple[str, Job]] = []
    for view in views:
        if view not in VIEW_JOBS:
            raise ValueError(f"unknown view {view!r}")
        jobs += [(view, j) for j in VIEW_JOBS[view](inv, scope, levels, styles, title)
                 if a3_sheets or not j.extra]
    index = rule_index(findings)
    status = status_text(findings)
    rev = revision_text(revision)
    date = revision.date if revision is not None and revision.date else "undated"
    return [_sheet(j, TitleBlock(title, rev, date, status, k + 1, len(jobs),
                                 SCALES.get(view, SCHEMATIC)), index)
            for k, (view, j) in enumerate(jobs)]


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
                budget_ms: float, *, findings: Sequence[Diagnostic] | None = None,
                revision: Revision | None = None) -> tuple[list[Job], str | None]:
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
    return plan(inv, views, levels, title, findings=findings, revision=revision,
                scope=scope), note
