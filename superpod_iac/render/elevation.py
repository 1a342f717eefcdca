"""Rack elevations: each cabinet's U slots from top to bottom, front and rear face side by side,
devices coloured by role (compute, switch, power shelf, ...), every device with its U height,
its nameplate kW and the side(s) (A/B) it is fed from, empty space shown, rack PDUs and 0U parts
(chips on their trays) on the side rail with their kW, and the cabinet's row, slot, load,
rating, weight and U usage. Cabinets with the same layout and figures are drawn once, named as
a nodeset (`c[01-12]`, 12 identical), so a 6,912-cabinet cluster stays one page. Figures from
the model (the catalog's nameplates, `model.utilization`); none computed here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Cabinet, Device, Inventory
from superpod_iac.model.power import usable_output_w
from superpod_iac.model.utilization import CabinetUse, cabinet_use
from superpod_iac.render.graph import Edge, Graph, Node
from superpod_iac.render.labels import count, esc, fold, kw, n_of, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

PER_ROW = 5
U_PT = 13
"""Height of one U in the drawing, in points at 100 % (the sheet's scale note)."""
_ROLE_TEXT = {"compute": "compute", "switch": "switch", "power-shelf": "power shelf",
              "pdu": "rack PDU", "management": "management", "storage": "storage", "cdu": "CDU",
              "patch-panel": "patch panel / ODF", "other": "other"}
_GREY = "#5f6368"
_RED = "#d93025"


def _layout_key(inv: Inventory, cab: Cabinet, use: CabinetUse) -> tuple[object, ...]:
    # names are left out: a pod whose devices are named by torus coordinates (x04y00z00)
    # has no two racks with the same names, yet 144 racks of one layout
    # feeds by side: every cabinet has feeds of its own, drawn alike when on the same sides
    devs = tuple(sorted((d.u, d.type_name, feed_sides(inv, d)) for d in cab.devices))
    return (cab.type_name, devs, round(use.load_w, 1), round(use.weight_kg, 1))


def feed_sides(inv: Inventory, d: Device) -> str:
    """`A`, `B`, `A+B` from the device's feeds (or the PDUs its cords plug into); `` if none."""
    feeds = list(d.feeds)
    cab = inv.cabinets[d.cabinet]
    by_name = {x.name: x for x in cab.devices}
    for cord in d.outlets:
        pdu = by_name.get(cord.partition(":")[0])
        if pdu is not None:
            feeds += pdu.feeds
    sides = sorted({s for f in feeds if f in inv.power_nodes
                    and (s := inv.power_nodes[f].spec.side)})
    return "+".join(sides)


def _ports(inv: Inventory, d: Device) -> int:
    """Data ports of the device's type (the catalog's expanded port list)."""
    return len(inv.catalog.ports(d.type_name)[0]) if d.type.port_groups else 0


@dataclass
class _Rack:
    """What one cabinet puts where: devices by top U, the U taken, rail parts, problems."""

    start: dict[int, Device] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)
    rail: list[Device] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _place(cab: Cabinet) -> _Rack:
    rack = _Rack()
    height = cab.type.height_u
    overlaps: dict[str, list[Device]] = {}
    for d in sorted(cab.devices, key=lambda d: (-d.top_u, natural_key(d.name))):
        if d.u <= 0 or d.type.height_u == 0:  # 0U parts (chips, rack PDUs) take no U
            rack.rail.append(d)
            continue
        span = set(range(d.u, d.top_u + 1))
        if d.top_u > height:
            rack.problems.append(f"{d.name} reaches U{d.top_u} of {height}")
        elif span & rack.taken:
            overlaps.setdefault(d.type_name, []).append(d)
        else:
            rack.taken |= span
            rack.start[d.top_u] = d
    for tname, devs in overlaps.items():  # one line per type: 64 chips in trays, not 64 lines
        us = sorted(d.u for d in devs)
        rack.problems.append(f"{n_of(len(devs), tname)} at U{us[0]}–U{us[-1]} overlap other "
                             f"devices ({fold(sorted((d.name for d in devs), key=natural_key))})")
    return rack


def _front(d: Device, inv: Inventory, styles: Styles) -> str:
    role = styles.role(d.type.role)
    rows = d.type.height_u
    side = feed_sides(inv, d)
    power = kw(d.type.max_w) if d.type.power_output is None else \
        f"out {kw(usable_output_w(d))}"  # a shelf: its usable output (its losses are upstream)
    figures = f"{d.type.height_u}U · {power}" + (f" · feed {side}" if side else "")
    if rows >= 2:
        if d.type.accelerators is not None:
            figures += f" · {d.type.accelerators.count} × {esc(d.type.accelerators.type)}"
        text = (f"{esc(d.name)} · {esc(d.type_name)}<br align=\"left\"/>"
                f'<font color="{_GREY}">{figures}</font><br align="left"/>')
    else:
        text = f'{esc(d.name)} · {esc(d.type_name)} <font color="{_GREY}">{figures}</font>'
    return (f'<td rowspan="{rows}" bgcolor="{role["fill"]}" color="{role["line"]}" '
            f'align="left" width="250"><font point-size="{9 if rows >= 2 else 8}">{text}'
            "</font></td>")


def _rear(d: Device, inv: Inventory, styles: Styles) -> str:
    role = styles.role(d.type.role)
    side = feed_sides(inv, d)
    ports = _ports(inv, d)
    parts = [f"inlet {side}" if side else "", f"{ports} ports" if ports else ""]
    text = " · ".join(p for p in parts if p) or "—"
    return (f'<td rowspan="{d.type.height_u}" bgcolor="{role["fill"]}" color="{role["line"]}" '
            f'align="left" width="110"><font point-size="8">{esc(d.name)}: {text}</font></td>')


def _empty(n: int, styles: Styles, width: int) -> str:
    e = styles.role("empty")
    text = f"{n}U free" if n > 1 else "free"
    return (f'<td rowspan="{n}" bgcolor="{e["fill"]}" color="{e["line"]}" width="{width}">'
            f'<font point-size="8" color="{e.get("text", "#9aa0a6")}">{text}</font></td>')


def _u_cell(u: int) -> str:
    return f'<td width="22" height="{U_PT}"><font point-size="8" color="#80868b">{u}</font></td>'


def _rail(rack: _Rack, inv: Inventory, height: int, styles: Styles) -> str:
    """The side rail: rack PDUs and 0U parts grouped by type, with count, kW and feed side."""
    groups: dict[tuple[str, str], list[Device]] = defaultdict(list)
    for d in rack.rail:
        groups[(d.type_name, feed_sides(inv, d))].append(d)
    lines = []
    for (tname, side), devs in sorted(groups.items(), key=lambda kv: natural_key(kv[0][0])):
        each = devs[0].type.max_w
        lines.append(f"<b>{len(devs)} × {esc(tname)}</b><br align=\"left\"/>"
                     f"{esc(fold(sorted((d.name for d in devs), key=natural_key)))}"
                     f'<br align="left"/><font color="{_GREY}">0U · {kw(each)} each'
                     + (f" · {kw(each * len(devs))}" if len(devs) > 1 else "")
                     + (f" · feed {side}" if side else "") + '</font><br align="left"/>')
    role = styles.role("pdu" if any(d.type.role == "pdu" for d in rack.rail) else "other")
    body = "<br/>".join(lines) if lines else "none"
    width = 150 if lines else 40
    return (f'<td rowspan="{height}" valign="top" align="left" width="{width}" '
            f'bgcolor="{role["fill"]}" '
            f'color="{role["line"]}"><font point-size="8"><b>0U</b><br align="left"/>'
            f"{body}</font></td>")


def _faces(rack: _Rack, inv: Inventory, height: int, styles: Styles) -> list[str]:
    rows: list[str] = []
    rail = _rail(rack, inv, height, styles)
    u = height
    while u >= 1:
        first = (rail if u == height else "") + _u_cell(u)
        if u in rack.start:
            d = rack.start[u]
            rows.append(f"<tr>{first}{_front(d, inv, styles)}{_rear(d, inv, styles)}</tr>")
            span = d.type.height_u
        else:
            span = 1
            while u - span >= 1 and (u - span) not in rack.taken:
                span += 1
            rows.append(f"<tr>{first}{_empty(span, styles, 250)}{_empty(span, styles, 110)}</tr>")
        rows += [f"<tr>{_u_cell(u - k)}</tr>" for k in range(1, span)]
        u -= span
    return rows


def _title(cab: Cabinet, names: list[str]) -> str:
    where = [f"hall {cab.hall}" if cab.hall else "", f"row {cab.row}" if cab.row else "",
             f"slot {cab.slot}" if cab.slot is not None else ""]
    place = " · ".join(w for w in where if w)
    if len(names) > 1:
        place = f"{place} (drawn: {names[0]})" if place else f"drawn: {names[0]}"
    return f"{fold(names)}" + (f" · {place}" if place else "")


def _feed_lines(inv: Inventory, cab: Cabinet) -> list[str]:
    """The cabinet's own feeds by side (`feed A: rpp-A01`), when it declares any."""
    by_side: dict[str, list[str]] = defaultdict(list)
    for f in cab.feeds:
        side = inv.power_nodes[f].spec.side if f in inv.power_nodes else None
        by_side[side or "-"].append(f)
    return [f"feed {esc(side)}: {esc(fold(sorted(fs, key=natural_key)))}" if side != "-" else
            f"feed: {esc(fold(sorted(fs, key=natural_key)))}"
            for side, fs in sorted(by_side.items())]


def rack_table(cab: Cabinet, names: list[str], use: CabinetUse, styles: Styles,
               inv: Inventory) -> str:
    height = cab.type.height_u
    rack = _place(cab)
    head = (f'<tr><td colspan="4" bgcolor="#3c4043"><font color="#ffffff" point-size="11">'
            f"<b>{esc(_title(cab, names))}</b></font></td></tr>"
            f'<tr><td colspan="4"><font point-size="8">{esc(cab.type.name)} · {height}U'
            + (f" · {len(names)} identical" if len(names) > 1 else "") + "</font></td></tr>"
            '<tr><td><font point-size="8">rail</font></td><td><font point-size="8">U</font></td>'
            '<td><font point-size="8"><b>FRONT</b></font></td>'
            '<td><font point-size="8"><b>REAR</b></font></td></tr>')
    status = _RED if use.overloaded else "#202124"
    foot = [f"{use.used_u}/{use.height_u} U used",
            f'<font color="{status}">{kw(use.load_w)} of {kw(use.rating_w)} '
            f"({pct(use.pct)})</font>",
            f"{use.weight_kg:,.0f} kg · {count(use.accelerators)} accelerators"]
    foot += _feed_lines(inv, cab)
    foot += [f'<font color="{_RED}">{esc(p)}</font>' for p in rack.problems]
    tail = "".join(f'<tr><td colspan="4" align="left"><font point-size="8">{line}</font></td></tr>'
                   for line in foot)
    return ('<table border="1" cellborder="1" cellspacing="0" cellpadding="1" color="#3c4043">'
            + head + "".join(_faces(rack, inv, height, styles)) + tail + "</table>")


def _notes(graph: Graph, scope: Scope) -> None:
    if scope.folded:
        reps = sum(len(f.replicas) for f in scope.folded)
        graph.notes.append(f"{count(reps)} further superpod replicas have the same cabinets as "
                           f"the one drawn ({', '.join(f.representative for f in scope.folded)}).")
    graph.notes.append("Front and rear face side by side, U1 at the bottom; the side rail holds "
                       "rack PDUs and 0U parts (chips on their trays) with their kW. Each device: "
                       "U height, nameplate maximum kW and the side(s) it is fed from (feed A, "
                       "B, A+B); the rear face shows its power inlets and data ports. Cabinets "
                       "with the same device types at the same U positions and the same figures "
                       "are drawn once, named in nodeset notation (device names are those of "
                       "the first). Load: nameplate maximum of devices and optics, against the "
                       "cabinet type's rating.")


def elevation_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("elevation", "elevation", f"{title} — rack elevations")
    uses = cabinet_use(inv)
    layouts: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for name in scope.drawn_cabinets:
        layouts[_layout_key(inv, inv.cabinets[name], uses[name])].append(name)
    ordered = sorted(layouts.values(), key=lambda names: natural_key(names[0]))
    roles: set[str] = set()
    for k, names in enumerate(ordered):
        cab = inv.cabinets[names[0]]
        roles.update(d.type.role for d in cab.devices)
        graph.add_node(Node(f"r{k}", rack_table(cab, names, uses[names[0]], styles, inv), "rack",
                            html=True, tooltip=fold(names), members=tuple(names)))
    ids = list(graph.nodes)
    for k in range(0, len(ids), PER_ROW):
        graph.ranks.append(ids[k:k + PER_ROW])
        if k:
            graph.add_edge(Edge(ids[k - PER_ROW], ids[k], "invisible"))
    for role in (*_ROLE_TEXT, "empty"):
        if role in roles or role == "empty":
            graph.add_legend("node", f"role:{role}", _ROLE_TEXT.get(role, "free U"))
    graph.subtitle.append(f"{n_of(len(scope.drawn_cabinets), 'cabinet')} drawn as "
                          f"{n_of(len(ordered), 'distinct layout')} (front and rear, U1 at the "
                          "bottom)")
    _notes(graph, scope)
    return graph
