"""The bottom tier of the power one-line: the cabinets and their power shelves.

A cabinet fed from side A and side B gets one inlet box on each side, inside that side's
frame, so no A feeder crosses a B feeder on its way down (each box carries the cabinet's
figures; its title says which inlet it is)."""

from __future__ import annotations

from collections.abc import Callable

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.utilization import CabinetUse, ShelfHeadroom, cabinet_use, shelf_headroom
from superpod_iac.numbers import kw_headroom
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import esc, file_part, fold, kw, pct
from superpod_iac.render.power_boxes import GREY, RED, box, names, replica_prefix
from superpod_iac.render.power_fold import FoldPlan
from superpod_iac.render.power_status import cabinet_class

BREAKER = {"arrowhead": "obox", "arrowsize": "1.4"}
"""The open square at the head of a line: the branch's circuit breaker."""


def side_style(side: str | None) -> str:
    return f"side-{side}" if side in ("A", "B") else "side-none"


def _figures(cname: str, inv: Inventory, use: CabinetUse, sh: ShelfHeadroom | None,
             each: str) -> tuple[list[str], list[str]]:
    left = [f'<font color="{GREY}">{esc(inv.cabinets[cname].type_name)}{each}</font>',
            f"IT load <b>{kw(use.load_w)}</b> of {kw(use.rating_w)} · {pct(use.pct)}",
            f'<font color="{RED if use.headroom_w < 0 else GREY}">headroom '
            f"<b>{kw_headroom(use.headroom_w)}</b></font>"]
    right: list[str] = []
    if sh is not None:
        right = [f"shelves usable <b>{kw(sh.usable_w)}</b>"]
        if sh.failure != "nothing":
            color = RED if sh.headroom_w < 0 else GREY
            right += [f"{esc(sh.failure.replace(cname + '/', ''))}: {kw(sh.left_w)} left "
                      f"for {kw(sh.load_w)}",
                      f'<font color="{color}">headroom after: '
                      f"<b>{kw_headroom(sh.headroom_w)}</b></font>"]
    return left, right


def _by_side(inv: Inventory, feeds: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in sorted(feeds, key=natural_key):
        out.setdefault(inv.power_nodes[f].spec.side or "", []).append(f)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "", kv[0])))


def cabinet_tier(graph: Graph, inv: Inventory, cab_feeds: dict[str, dict[str, list[str]]],
                 plan: FoldPlan, compact: bool,
                 place: Callable[[str, str], Cluster | None], prefixed: bool = False
                 ) -> set[str]:
    """Draw every cabinet group (one inlet box per side it is fed from) and its feeders; returns
    the classes used. `place(feed, side)` is the frame a box on that feed belongs in;
    `prefixed`: the frames name the replica, so the boxes leave its prefix out."""
    uses, shelves = cabinet_use(inv), shelf_headroom(inv)
    used: set[str] = set()
    hidden = plan.hidden()
    row: list[str] = []
    for cname, feeds in cab_feeds.items():
        if cname in hidden:
            continue
        members = plan.members.get(cname, [cname])
        use, sh = uses[cname], shelves.get(cname)
        style = cabinet_class(use, sh)
        sides = _by_side(inv, feeds)
        for side, side_feeds in sides.items():
            left, right = _figures(cname, inv, use, sh,
                                   " (each)" if len(members) > 1 else "")
            via = sorted({v.rpartition("/")[2] for f in side_feeds for v in feeds[f]},
                         key=natural_key)
            inlet = f"inlet {side}" if len(sides) > 1 and side else ""
            if via:
                left.append(f"{esc(fold(via))} on side {side}" if side else esc(fold(via)))
            strip = replica_prefix(cname) if prefixed else ""
            title = esc(names(members, prefix=strip)) + (f" · {inlet}" if inlet else "")
            nid = f"c_{file_part(cname)}" + (f"_{side}" if inlet else "")
            graph.add_node(Node(nid, box("CAB", title, left, right, len(members), compact),
                                style, html=True, tooltip=fold(members),
                                members=tuple(members)),
                           place(side_feeds[0], side))
            row.append(nid)
            used.add(style)
            for f in side_feeds:
                graph.add_edge(Edge(f"p_{file_part(plan.rep_of.get(f, f))}", nid,
                                    side_style(side), attrs=dict(BREAKER)))
    if len(row) > 1:
        graph.ranks.append(row)
    return used
