"""Rack elevations: each cabinet's U slots from top to bottom, devices coloured by role
(compute, switch, power shelf, ...), empty space shown, with the cabinet's load, rating,
weight and U usage underneath. Cabinets with the same layout and figures are drawn once,
named as a nodeset (`c[01-12]`, 12 identical), so a 6,912-cabinet cluster stays one page.
"""

from __future__ import annotations

from collections import defaultdict

from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Cabinet, Device, Inventory
from superpod_iac.model.utilization import CabinetUse, cabinet_use
from superpod_iac.render.graph import Edge, Graph, Node
from superpod_iac.render.labels import count, esc, fold, kw, n_of, pct
from superpod_iac.render.scope import Scope
from superpod_iac.render.styles import Styles

PER_ROW = 8
_ROLE_TEXT = {"compute": "compute", "switch": "switch", "power-shelf": "power shelf",
              "pdu": "PDU", "management": "management", "storage": "storage", "cdu": "CDU",
              "patch-panel": "patch panel / ODF", "other": "other"}


def _layout_key(cab: Cabinet, use: CabinetUse) -> tuple[object, ...]:
    # names are left out: a pod whose devices are named by torus coordinates (x04y00z00)
    # has no two racks with the same names, yet 144 racks of one layout
    devs = tuple(sorted((d.u, d.type_name) for d in cab.devices))
    return (cab.type_name, devs, round(use.load_w, 1), round(use.weight_kg, 1))


def _device_cell(d: Device, rows: int, styles: Styles) -> str:
    role = styles.role(d.type.role)
    size = "8" if rows == 1 else "9"
    detail = f"{esc(d.name)} · {esc(d.type_name)}"
    if rows >= 2:
        extra = f"{d.type.height_u}U · {kw(d.type.max_w)} max"
        if d.type.accelerators is not None:
            extra += f" · {d.type.accelerators.count} × {esc(d.type.accelerators.type)}"
        detail += f'<br align="left"/><font color="#5f6368">{extra}</font><br align="left"/>'
    return (f'<td rowspan="{rows}" bgcolor="{role["fill"]}" color="{role["line"]}" '
            f'align="left" width="230"><font point-size="{size}">{detail}</font></td>')


def _empty_cell(n: int, styles: Styles) -> str:
    e = styles.role("empty")
    text = f"{n}U free" if n > 1 else "free"
    return (f'<td rowspan="{n}" bgcolor="{e["fill"]}" color="{e["line"]}" width="230">'
            f'<font point-size="8" color="{e.get("text", "#9aa0a6")}">{text}</font></td>')


def rack_table(cab: Cabinet, names: list[str], use: CabinetUse, styles: Styles) -> str:
    height = cab.type.height_u
    start: dict[int, Device] = {}
    taken: set[int] = set()
    problems: list[str] = []
    zero_u: list[str] = []
    overlaps: dict[str, list[Device]] = {}
    for d in sorted(cab.devices, key=lambda d: (-d.top_u, natural_key(d.name))):
        if d.u <= 0 or d.type.height_u == 0:  # 0U parts (chips on their tray) take no U
            zero_u.append(d.name)
            continue
        span = set(range(d.u, d.top_u + 1))
        if d.top_u > height:
            problems.append(f"{d.name} reaches U{d.top_u} of {height}")
            continue
        if span & taken:
            overlaps.setdefault(d.type_name, []).append(d)
            continue
        taken |= span
        start[d.top_u] = d
    for tname, devs in overlaps.items():  # one line per type: 64 chips in trays, not 64 lines
        if len(devs) == 1:
            problems.append(f"{devs[0].name} at U{devs[0].u} overlaps another device")
        else:
            us = sorted(d.u for d in devs)
            problems.append(f"{len(devs)} × {tname} at U{us[0]}–U{us[-1]} overlap other devices "
                            f"({fold(sorted((d.name for d in devs), key=natural_key))})")
    title = fold(names)
    rows = [f'<tr><td colspan="2" bgcolor="#3c4043"><font color="#ffffff" point-size="11">'
            f"<b>{esc(title)}</b></font></td></tr>",
            f'<tr><td colspan="2"><font point-size="8">{esc(cab.type_name)} · {height}U'
            + (f" · {len(names)} identical" if len(names) > 1 else "") + "</font></td></tr>"]
    u = height
    while u >= 1:
        label = f'<td width="22" height="13"><font point-size="7" color="#80868b">{u}</font></td>'
        if u in start:
            d = start[u]
            rows.append(f"<tr>{label}{_device_cell(d, d.type.height_u, styles)}</tr>")
            for k in range(1, d.type.height_u):
                rows.append(f'<tr><td width="22" height="13"><font point-size="7" '
                            f'color="#80868b">{u - k}</font></td></tr>')
            u -= d.type.height_u
            continue
        run = 0
        while u - run >= 1 and (u - run) not in taken:
            run += 1
        rows.append(f"<tr>{label}{_empty_cell(run, styles)}</tr>")
        for k in range(1, run):
            rows.append(f'<tr><td width="22" height="13"><font point-size="7" '
                        f'color="#80868b">{u - k}</font></td></tr>')
        u -= run
    status = "#d93025" if use.overloaded else "#202124"
    foot = [f"{use.used_u}/{use.height_u} U used",
            f'<font color="{status}">{kw(use.load_w)} of {kw(use.rating_w)} '
            f"({pct(use.pct)})</font>",
            f"{use.weight_kg:,.0f} kg · {count(use.accelerators)} accelerators"]
    if zero_u:
        foot.append(f"0U: {esc(fold(sorted(zero_u, key=natural_key)))}")
    foot += [f'<font color="#d93025">{esc(p)}</font>' for p in problems]
    for line in foot:
        rows.append(f'<tr><td colspan="2" align="left"><font point-size="8">{line}</font></td></tr>')
    return ('<table border="1" cellborder="1" cellspacing="0" cellpadding="1" color="#3c4043">'
            + "".join(rows) + "</table>")


def elevation_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("elevation", "elevation", f"{title} — rack elevations")
    uses = cabinet_use(inv)
    layouts: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for name in scope.drawn_cabinets:
        layouts[_layout_key(inv.cabinets[name], uses[name])].append(name)
    ordered = sorted(layouts.values(), key=lambda names: natural_key(names[0]))
    roles: set[str] = set()
    for k, names in enumerate(ordered):
        cab = inv.cabinets[names[0]]
        roles.update(d.type.role for d in cab.devices)
        graph.add_node(Node(f"r{k}", rack_table(cab, names, uses[names[0]], styles), "rack",
                            html=True, tooltip=fold(names)))
    ids = list(graph.nodes)
    for k in range(0, len(ids), PER_ROW):
        graph.ranks.append(ids[k:k + PER_ROW])
        if k:
            graph.add_edge(Edge(ids[k - PER_ROW], ids[k], "invisible"))
    for role in ("compute", "switch", "power-shelf", "pdu", "management", "storage", "cdu",
                 "patch-panel", "other", "empty"):
        if role in roles or role == "empty":
            graph.add_legend("node", f"role:{role}", _ROLE_TEXT.get(role, "free U"))
    total = len(scope.drawn_cabinets)
    graph.subtitle.append(f"{n_of(total, 'cabinet')} drawn as {n_of(len(ordered), 'distinct layout')} "
                          "(front view, U1 at the bottom)")
    if scope.folded:
        reps = sum(len(f.replicas) for f in scope.folded)
        graph.notes.append(f"{count(reps)} further superpod replicas have the same cabinets as "
                           f"the one drawn ({', '.join(f.representative for f in scope.folded)}).")
    graph.notes.append("Cabinets with the same device types at the same U positions and the "
                       "same figures are drawn once, named in nodeset notation (device names "
                       "are those of the first). Load: nameplate "
                       "maximum of devices and optics, against the cabinet type's rating.")
    return graph

