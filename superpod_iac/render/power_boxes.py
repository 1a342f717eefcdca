"""Boxes of the power one-line: the HTML label of a power node or a cabinet, in the
conventions an electrician reads (tag, name, voltage and kVA, breaker trip, load, headroom,
failure case, fault level). Figures from model/ (utilization, electrical, power);
none computed here."""

from __future__ import annotations

from superpod_iac.model.electrical import apparent_ratings, node_studies
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.power import supplies
from superpod_iac.model.utilization import PowerCurrent, PowerUse
from superpod_iac.numbers import amps, kw_headroom, num
from superpod_iac.render.labels import esc, fold, kw, pct

TAGS = {"utility": "UTIL", "generator": "GEN", "transformer": "XFMR", "ups": "UPS",
        "switchboard": "SWBD", "busway": "BUS", "rpp": "RPP", "panel": "PNL", "pdu": "PDU",
        "feed": "FEED"}
"""One-line device designations drawn in the tag cell of each box."""
GREY = "#5f6368"
RED = "#d93025"
_SOURCES = ("utility", "generator", "transformer")


def box(tag: str, title: str, left: list[str], right: list[str], multiplier: int = 1,
        compact: bool = False) -> str:
    """HTML label of a one-line box: a tag cell, a bold title, two columns of figures (one
    column, the right figures under the left ones, when `compact`)."""
    if compact:
        left, right = [x for x in left + right if x], []
    mult = f'<font point-size="12"><b>{multiplier} × </b></font>' if multiplier > 1 else ""
    n = max(len(left), len(right))
    left = left + [""] * (n - len(left))
    right = right + [""] * (n - len(right))
    rows = "".join(f'<tr><td align="left">{a}</td><td width="10"></td><td align="left">{b}</td>'
                   '</tr>'
                   for a, b in zip(left, right, strict=True))
    return ('<table border="0" cellspacing="0" cellpadding="1">'
            f'<tr><td rowspan="{n + 1}" border="1" color="{GREY}" valign="top" cellpadding="3">'
            f'<font point-size="10"><b>{esc(tag)}</b></font></td>'
            f'<td align="left" colspan="3">{mult}<font point-size="11"><b>{title}</b></font>'
            f'</td></tr>{rows}</table>')


def names(members: list[str], limit: int = 48, prefix: str = "") -> str:
    """Folded names of a group, shortened past `limit` characters (the tooltip has them all);
    a replica's `prefix` (`cm384-001.`, named on its frame) is left out."""
    if prefix and all(m.startswith(prefix) for m in members):
        members = [m[len(prefix):] for m in members]
    text = fold(sorted(members, key=natural_key))
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


def replica_prefix(name: str) -> str:
    """`cm384-001.` of `cm384-001.cm384-rpp-A01`; empty for a name outside any replica."""
    head, dot, _ = name.partition(".")
    return f"{head}." if dot else ""


def _volts_kva(name: str, inv: Inventory, basis: str) -> list[str]:
    """Voltage level, frequency and apparent power: sources and transformers always say their
    voltage (`V n/a` when undeclared; not repeated when the rating basis names it),
    nameplates in kVA."""
    spec = inv.power_nodes[name].spec
    sup = supplies(inv)[name]
    app = apparent_ratings(inv).get(name)
    parts: list[str] = []
    if sup.voltage_v is not None and (spec.type in _SOURCES or f"{sup.voltage_v:g} V" not in
                                      basis):
        parts.append(f"{num(sup.voltage_v)} V {spec.phases}φ")
    elif spec.type in _SOURCES:
        parts.append("V n/a")
    if sup.frequency_hz is not None:
        parts.append(f"{sup.frequency_hz} Hz")
    if app is not None:
        parts.append(f"<b>{num(round(app.kva))} kVA</b>" + ("" if app.declared else
                                                           f" (PF {spec.pf:g})"))
    if spec.impedance_pct is not None:
        parts.append(f"Z {spec.impedance_pct:g} %")
    return [" · ".join(parts)] if parts else []


def study_lines(name: str, inv: Inventory) -> list[str]:
    """Breaker trip settings, the fault level against the equipment's rating and the voltage
    drop (figures from model.electrical; none computed here)."""
    spec = inv.power_nodes[name].spec
    study = node_studies(inv)[name]
    lines: list[str] = []
    trip = [f"breaker <b>{spec.breaker_a:g} A</b>" if spec.breaker_a is not None else "",
            f"inst {spec.trip_instantaneous_a:g} A" if spec.trip_instantaneous_a is not None
            else ""]
    if any(trip):
        lines.append(" · ".join(x for x in trip if x))
    if study.fault_ka is not None:
        rated = f" / rated {spec.sccr_ka:g} kA" if spec.sccr_ka is not None else ""
        lines.append(f"fault <b>{study.fault_ka:.1f} kA</b>{rated}")
    if study.drop_pct is not None:
        total = (f" (total {study.total_drop_pct:.1f} %)" if study.total_drop_pct is not None
                 and study.total_drop_pct > study.drop_pct + 1e-9 else "")
        lines.append(f"drop {study.drop_pct:.1f} %{total}")
    return lines


def _rating_lines(use: PowerUse, compact: bool) -> list[str]:
    parts = use.basis.split(", ")
    if compact and len(parts) > 2:  # one-column boxes stay narrow: the rating on two lines
        half = (len(parts) + 1) // 2
        return [f"rating {esc(', '.join(parts[:half]))},", esc(", ".join(parts[half:]))]
    return [f"rating {esc(use.basis)}"]


def _load_line(use: PowerUse, cur: PowerCurrent | None) -> str:
    load = f"load <b>{kw(use.load_w)}</b>"
    if cur is not None:
        load += f" · <b>{amps(cur.load_a)}</b>"
    if use.pct is not None:
        load += f" · {pct(use.pct)}"
    return load


def _worst_lines(use: PowerUse, cur: PowerCurrent | None, members: list[str]) -> list[str]:
    if use.worst_w is None or use.worst_scenario is None:
        return ["no failure adds load"]
    scenario = use.worst_scenario if len(members) == 1 or \
        use.worst_scenario.startswith("side ") else "worst failure"
    worst = f"<b>{kw(use.worst_w)}</b>"
    if cur is not None and cur.worst_a is not None:
        worst += f" · {amps(cur.worst_a)}"
    if use.worst_pct is not None:
        worst += f" · {pct(use.worst_pct)}"
    out = [f"{esc(scenario)}: {worst}"]
    if use.worst_headroom_w is not None:
        color = RED if use.worst_headroom_w < 0 else GREY
        out.append(f'<font color="{color}">headroom after: '
                   f"<b>{kw_headroom(use.worst_headroom_w)}</b></font>")
    return out


def node_label(name: str, inv: Inventory, use: PowerUse, cur: PowerCurrent | None,
               members: list[str], multiplier: int, compact: bool,
               prefix: str = "", wide_lines: bool = False) -> str:
    """The box of a power node; `compact`: one column, `wide_lines`: the derated rating and
    the headroom share a line (a sheet of one side, where height is short, not width)."""
    spec = inv.power_nodes[name].spec
    tag = TAGS.get(spec.type, spec.type.upper())
    # the tag names the type and the frame the side: a grey line only for a folded group
    each = [f'<font color="{GREY}">{len(members)} alike, figures for each</font>'] \
        if len(members) > 1 else []
    left = [*each, *_volts_kva(name, inv, use.basis), *_rating_lines(use, compact), _load_line(use, cur)]
    right = ["no rating declared"]
    if use.derated_w is not None and use.headroom_w is not None:
        color = RED if use.headroom_w < 0 else GREY
        room = (f'<font color="{color}">headroom <b>{kw_headroom(use.headroom_w)}</b>'
                "</font>")
        right = [f"derated <b>{kw(use.derated_w)}</b>", room] if compact and not wide_lines \
            else [f"derated <b>{kw(use.derated_w)}</b> · {room}"]
    right += _worst_lines(use, cur, members)
    if cur is not None and cur.phase_a:
        left.append("per phase " + " · ".join(f"{ph} {amps(a)}"
                                                for ph, a in cur.phase_a.items()))
    left += study_lines(name, inv)
    return box(tag, esc(names(members, prefix=prefix)), left, right, multiplier, compact)
