"""The port map: per cabinet, per device, one row per connected port (local port, peer device,
peer port, cable ID, cable and optic, orderable length, bundle), the table an installer cables
a cabinet from.

One row per link end (`model.portends`): a link appears twice, once in the map of each end's
cabinet (a link inside a cabinet twice in that cabinet's). The cable ID, link ID, end labels
and orderable length are the cut sheet's (`bom.ids`, `bom.lines.cable_sizes`), so row
`L000123` here is row `L000123` of `superpod cabling`. The bundle column (`W3`) is the
numbering the cabinet wiring diagram prints on its edges.

Writers: CSV (the package's one guarded cell writer), JSON, XLSX (one sheet per cabinet), and
a print-ready HTML sheet per cabinet (`superpod portmap --format html`).
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from superpod_iac.bom.ids import device_id, route, size_info
from superpod_iac.bom.lines import cable_sizes
from superpod_iac.choices import PORTMAP_FORMATS, table
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.portends import PortEnds, bundle_name, cabinet_ends
from superpod_iac.numbers import num
from superpod_iac.report.escape import CsvCells, GuardedWriter, html_text

COLUMNS = [
    "cabinet", "u", "device", "port", "bundle", "peer_cabinet", "peer_u", "peer_device",
    "peer_port", "cable_id", "end", "fabric", "route", "cable", "transceiver",
    "peer_transceiver", "length_m", "link_id",
]
"""`end`: which end of the cable this port is (A or B, as on its labels); `route` and
`length_m`: the cut sheet's (same cabinet, same row, cross-row via tray, cross-hall, in-rack
harness; the orderable length, or a size label such as `over-length`, empty for a harness)."""

_I = {c: i for i, c in enumerate(COLUMNS)}


class TooMany(ValueError):
    """The printable sheet was asked for more cabinets than a person prints."""


def select_cabinets(inv: Inventory, patterns: Sequence[str] | None) -> list[str]:
    """Cabinet names matching any of the glob `patterns` (all when none), in natural order.
    A pattern that matches nothing is an error (a typo never yields an empty map)."""
    names = sorted(inv.cabinets, key=natural_key)
    if not patterns:
        return names
    chosen: set[str] = set()
    for pat in patterns:
        hit = [n for n in names if fnmatch.fnmatchcase(n, pat)]
        if not hit:
            raise KeyError(f"no cabinet matches {pat!r} (cabinets: {_some(names)})")
        chosen.update(hit)
    return [n for n in names if n in chosen]


def _some(names: list[str], k: int = 6) -> str:
    return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")


_DevInfo = tuple[str, int, str, str, list[str], list[str]]
"""cabinet, U, name, `SITE.RSS-UUU:` end prefix, port names, port names as in a cable ID."""


class _Rows:
    """Per-device, per-type, per-route and per-size pieces computed once; `rows()` only joins
    them per end (a few list lookups: the cluster's 5.7 M ends stream without per-end
    formatting beyond the IDs)."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.ends: PortEnds = cabinet_ends(inv, [])
        """The ends of the current batch of cabinets (`batches`)."""
        t = inv.links
        self.width = max(len(str(len(t))), 6)
        per_link, sizes = cable_sizes(inv)
        self.size_of = per_link.astype(np.int64) if len(t) else np.zeros(0, dtype=np.int64)
        self.sizes = size_info(inv, sizes)
        self.fabrics = {f.index: f.name for f in inv.fabrics.values()}
        self.types: dict[str, tuple[list[str], list[str]]] = {}
        self.devs: dict[int, _DevInfo] = {}
        self.routes: dict[tuple[str, str], str] = {}

    def dev(self, k: int) -> _DevInfo:
        info = self.devs.get(k)
        if info is None:
            d = self.inv.devices[k]
            names = self.types.get(d.type_name)
            if names is None:
                raw = [p.name for p in self.inv.catalog.ports(d.type_name)[0]]
                names = self.types[d.type_name] = (raw, [n.replace("/", ".") for n in raw])
            cab = self.inv.cabinets[d.cabinet]
            info = self.devs[k] = (d.cabinet, d.u, d.name, f"{device_id(cab, d)}:", *names)
        return info

    def route(self, a: str, b: str) -> str:
        r = self.routes.get((a, b))
        if r is None:
            r = self.routes[(a, b)] = route(self.inv.cabinets[a], self.inv.cabinets[b])
        return r

    def between(self, lo: int, hi: int) -> Iterator[list[Any]]:
        """The rows of ends [lo, hi)."""
        x, t = self.ends, self.inv.links
        cables, xnames, width = t.cable_names, t.xcvr_names, self.width
        fab, xa_, xb_, cab_, size_of = t.fabric, t.xcvr_a, t.xcvr_b, t.cable, self.size_of
        for i, side, d, p, q, qp, w in zip(
                x.link[lo:hi].tolist(), x.side[lo:hi].tolist(), x.dev[lo:hi].tolist(),
                x.port[lo:hi].tolist(), x.peer_dev[lo:hi].tolist(),
                x.peer_port[lo:hi].tolist(), x.bundle[lo:hi].tolist(), strict=True):
            dc, du, dn, dpre, dnames, ddots = self.dev(d)
            qc, qu, qn, qpre, qnames, qdots = self.dev(q)
            here, there = dpre + ddots[p], qpre + qdots[qp]
            length, _, _, harness = self.sizes[int(size_of[i])]
            xa, xb, ci = xa_[i], xb_[i], cab_[i]
            mine, theirs = (xa, xb) if side == 0 else (xb, xa)
            yield [dc, du, dn, dnames[p], bundle_name(w), qc, qu, qn, qnames[qp],
                   f"{here}/{there}" if side == 0 else f"{there}/{here}", "AB"[side],
                   self.fabrics.get(fab[i], ""),
                   "in-rack harness" if harness else self.route(dc, qc),
                   cables[ci] if ci >= 0 else None, xnames[mine] if mine >= 0 else None,
                   xnames[theirs] if theirs >= 0 else None, length, f"L{i + 1:0{width}d}"]


BATCH_CABINETS = 256
"""Cabinets whose ends are sorted at a time: the cluster's 5.7 M ends never sit in memory
together."""


def batches(r: _Rows, cabinets: Iterable[str] | None, step: int = 1 << 15
            ) -> Iterator[tuple[int, int]]:
    """Set `r.ends` to each batch of cabinets in turn (natural order) and yield its end ranges
    [lo, hi) of at most `step` ends."""
    names = sorted(r.inv.cabinets if cabinets is None else set(cabinets), key=natural_key)
    for k in range(0, len(names), BATCH_CABINETS):
        r.ends = cabinet_ends(r.inv, names[k:k + BATCH_CABINETS])
        total = len(r.ends.link)
        for lo in range(0, total, step):
            yield lo, min(total, lo + step)


def rows(inv: Inventory, cabinets: Iterable[str] | None = None) -> Iterator[list[Any]]:
    """Port map rows (COLUMNS), cabinet by cabinet (natural order), devices top to bottom,
    ports in the device type's order; streamed."""
    if not len(inv.links):
        return
    r = _Rows(inv)
    for lo, hi in batches(r, cabinets):
        yield from r.between(lo, hi)


def section_rows(inv: Inventory, cabinet: str) -> list[list[Any]]:
    """The port map of one cabinet (COLUMNS): the hook an HTML report section shows."""
    return list(rows(inv, [cabinet]))


REPORT_ROWS = 5000
"""The HTML report's port map section shows whole cabinets up to this many rows."""


def report_section(inv: Inventory, limit: int = REPORT_ROWS
                   ) -> tuple[list[str], list[list[Any]], int]:
    """The hook for a `port_map` section of the HTML report: (COLUMNS, the rows of the first
    cabinets in natural order whose rows fit in `limit` (at least one cabinet), the number of
    rows of the whole design). The report owns how it shows them."""
    from superpod_iac.model.linkstats import columns

    total = 2 * len(inv.links)
    if not total:
        return list(COLUMNS), [], 0
    names = sorted(inv.cabinets, key=natural_key)
    index = {c: k for k, c in enumerate(names)}
    dev_cab = np.fromiter((index[d.cabinet] for d in inv.devices), dtype=np.int64,
                          count=len(inv.devices))
    col = columns(inv)
    per_cab = np.bincount(dev_cab[np.concatenate([col["a_dev"], col["b_dev"]])],
                          minlength=len(names)).tolist()
    chosen: list[str] = []
    n = 0
    for name, k in zip(names, per_cab, strict=True):
        if k and chosen and n + k > limit:
            break
        if k:
            chosen.append(name)
            n += k
    return list(COLUMNS), list(rows(inv, chosen)), total


@dataclass(frozen=True, slots=True)
class BundleKey:
    """One numbered bundle of a cabinet, as the sheet's key and the drawing's edges show it."""

    number: str
    local: str
    """Local devices (folded names) and their device type."""
    peer: str
    fabric: str
    media: str
    links: int


def bundle_keys(cab_rows: list[list[Any]]) -> list[BundleKey]:
    """The bundles of one cabinet's rows, in number order."""
    by: dict[str, list[list[Any]]] = {}
    for r in cab_rows:
        by.setdefault(r[_I["bundle"]], []).append(r)
    out: list[BundleKey] = []
    for number, rs in sorted(by.items(), key=lambda kv: int(kv[0][1:])):
        same = all(r[_I["peer_cabinet"]] == r[_I["cabinet"]] for r in rs)
        if same:  # both ends here: each link once, from its A end to its B end
            rs = [r for r in rs if r[_I["end"]] == "A"] or rs
        local = _names({r[_I["device"]] for r in rs})
        peers = _names({r[_I["peer_device"]] for r in rs})
        peer_cabs = _names({r[_I["peer_cabinet"]] for r in rs})
        peer = f"{peers} (this cabinet)" if same else f"{peer_cabs}: {peers}"
        media = sorted({" + ".join(str(v) for v in (r[_I["cable"]], r[_I["transceiver"]]) if v)
                        or "no cable declared" for r in rs})
        links = len({r[_I["link_id"]] for r in rs})
        out.append(BundleKey(number, local, peer, str(rs[0][_I["fabric"]]), "; ".join(media),
                             links))
    return out


def _names(names: set[str]) -> str:
    """`node1–node4` (first and last of a run), `vpc1`, or `a, b, c`: readable, no nodesets."""
    items = sorted(names, key=natural_key)
    if len(items) <= 3:
        return ", ".join(items)
    return f"{items[0]} … {items[-1]} ({len(items)})"


# -- writers -----------------------------------------------------------------------------------

def _shown_length(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return num(value)
    return value


def write_csv(inv: Inventory, out: IO[str], cabinets: Sequence[str] | None = None,
              design: str = "design") -> int:
    """The port map as CSV through the guarded cell writer; when every piece that goes into
    the composite cable ID needs no quoting or formula escaping, rows are joined from cells
    encoded once per device, port, size and name (the same bytes, tested), which keeps the
    cluster's 5.7 M rows within seconds."""
    w = GuardedWriter(out)
    w.writerow(COLUMNS)
    if not len(inv.links):
        return 0
    r = _Rows(inv)
    fast = _CsvJoin(r)
    total = 0
    for lo, hi in batches(r, cabinets):
        total += hi - lo
        text = fast.text(lo, hi)
        if text is None:
            w.writerows(r.between(lo, hi))
        else:
            out.write(text)
    return total


class _CsvJoin:
    """CSV rows of `_Rows` joined from cells encoded once (`CsvCells`: exactly as the guarded
    writer writes them); None for a chunk where a cable ID piece is not plain."""

    def __init__(self, r: _Rows) -> None:
        self.r = r
        self.enc = CsvCells()
        t = r.inv.links
        self.cables = [self.enc(c) for c in t.cable_names]
        self.xcvrs = [self.enc(x) for x in t.xcvr_names]
        self.lengths = [self.enc(length) for length, _, _, _ in r.sizes]
        self.harness = [h for _, _, _, h in r.sizes]
        self.fabrics = {k: self.enc(v) for k, v in r.fabrics.items()}
        self.routes: dict[tuple[str, str], str] = {}
        self.devs: dict[int, tuple[str, str, list[str], list[str]] | None] = {}
        self.types: dict[str, tuple[list[str], bool]] = {}

    def dev(self, k: int) -> tuple[str, str, list[str], list[str]] | None:
        """(cabinet,u,device cells, end prefix, port cells, port names as in a cable ID), or
        None when the prefix or a port name is not a plain cell."""
        if k in self.devs:
            return self.devs[k]
        cab, u, name, prefix, names, dots = self.r.dev(k)
        cells = self.types.get(self.r.inv.devices[k].type_name)
        if cells is None:
            cells = self.types[self.r.inv.devices[k].type_name] = (
                [self.enc(n) for n in names], all(map(self.enc.plain, dots)))
        ok = cells[1] and self.enc.plain(prefix)
        info = self.devs[k] = (self.enc(cab, u, name), prefix, cells[0], dots) if ok else None
        return info

    def route(self, a: str, b: str) -> str:
        cell = self.routes.get((a, b))
        if cell is None:
            cell = self.routes[(a, b)] = self.enc(self.r.route(a, b))
        return cell

    def text(self, lo: int, hi: int) -> str | None:
        x, t, r = self.r.ends, self.r.inv.links, self.r
        out: list[str] = []
        harness, routes, cab_of = self.harness, self.enc("in-rack harness"), r.inv.devices
        for i, side, d, p, q, qp, w in zip(
                x.link[lo:hi].tolist(), x.side[lo:hi].tolist(), x.dev[lo:hi].tolist(),
                x.port[lo:hi].tolist(), x.peer_dev[lo:hi].tolist(),
                x.peer_port[lo:hi].tolist(), x.bundle[lo:hi].tolist(), strict=True):
            a, b = self.dev(d), self.dev(q)
            if a is None or b is None:
                return None
            here, there = a[1] + a[3][p], b[1] + b[3][qp]
            size = int(r.size_of[i])
            xa, xb, ci = t.xcvr_a[i], t.xcvr_b[i], t.cable[i]
            mine, theirs = (xa, xb) if side == 0 else (xb, xa)
            path = routes if harness[size] else \
                self.route(cab_of[d].cabinet, cab_of[q].cabinet)
            out.append(
                f"{a[0]},{a[2][p]},W{w},{b[0]},{b[2][qp]},"
                f"{here + '/' + there if side == 0 else there + '/' + here},{'AB'[side]},"
                f"{self.fabrics.get(t.fabric[i], '')},{path},"
                f"{self.cables[ci] if ci >= 0 else ''},{self.xcvrs[mine] if mine >= 0 else ''},"
                f"{self.xcvrs[theirs] if theirs >= 0 else ''},{self.lengths[size]},"
                f"L{i + 1:0{r.width}d}\n")
        return "".join(out)


def write_json(inv: Inventory, out: IO[str], cabinets: Sequence[str] | None = None,
              design: str = "design") -> int:
    out.write('{"columns": ' + json.dumps(COLUMNS) + ', "ports": [')
    n = 0
    for r in rows(inv, cabinets):
        out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(dict(zip(COLUMNS, r, strict=True))))
        n += 1
    out.write("\n]}\n")
    return n


XLSX_SHEETS = 64
"""Up to this many cabinets the workbook has one sheet per cabinet; past it, one sheet."""


def xlsx_bytes(inv: Inventory, cabinets: Sequence[str] | None = None) -> tuple[bytes, int]:
    """The workbook (cells written as strings or numbers, never formulas) and its row count."""
    from superpod_iac.report.tables import to_xlsx

    names = list(cabinets) if cabinets is not None else sorted(inv.cabinets, key=natural_key)
    if len(names) > XLSX_SHEETS:
        every = list(rows(inv, names))
        return to_xlsx([("port map", COLUMNS, every, [])]), len(every)
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]], Sequence[Sequence[Any]]]] = []
    n = 0
    for name in names:
        rs = section_rows(inv, name)
        if rs:
            sheets.append((name, COLUMNS, rs, []))
            n += len(rs)
    return to_xlsx(sheets or [("port map", COLUMNS, [], [])]), n


HTML_MAX_CABINETS = 64
"""The printable sheet covers at most this many cabinets (pick them with --cabinet)."""

_CSS = """
@page { size: A4 landscape; margin: 9mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #111; margin: 0; }
section.cabinet { break-before: page; }
section.cabinet:first-of-type { break-before: auto; }
.title { display: grid; grid-template-columns: 3fr 1fr 1fr 1fr; border: 0.4mm solid #000;
         margin-bottom: 3mm; }
.title div { border-right: 0.2mm solid #000; padding: 1mm 2mm; }
.title div:last-child { border-right: 0; }
.title small { display: block; font-size: 7pt; color: #444; }
.title b { font-size: 11pt; }
h2 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.2mm solid #888; padding: 0.3mm 1.2mm; text-align: left; vertical-align: top;
         white-space: nowrap; }
th { background: #e8eaed; font-size: 8pt; }
td.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
td.num { text-align: right; }
td.id { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; }
.key td { white-space: normal; }
.key td:first-child, td.w { font-weight: bold; }
p.note { font-size: 8pt; color: #333; }
"""


def _title_block(design: str, cabinet: str, sheet: int, sheets: int, inv: Inventory) -> str:
    cab = inv.cabinets[cabinet]
    where = " · ".join(str(v) for v in (cab.hall, f"row {cab.row}" if cab.row else None,
                                        f"position {cab.slot}" if cab.slot is not None else None)
                       if v)
    return (f'<div class="title"><div><small>design</small><b>{html_text(design)}</b></div>'
            f"<div><small>cabinet</small><b>{html_text(cabinet)}</b><br>"
            f"{html_text(cab.type_name)}</div>"
            f"<div><small>location</small>{html_text(where or 'no floor position')}</div>"
            f"<div><small>sheet</small><b>{sheet} of {sheets}</b></div></div>")


_DEV_COLS = ("port", "bundle", "peer cabinet", "peer device", "peer U", "peer port", "end",
             "cable ID", "cable", "optic here", "optic there", "length", "link")


def _device_table(dev_rows: list[list[Any]]) -> str:
    body = []
    for r in dev_rows:
        g = r.__getitem__
        length = g(_I["length_m"])
        shown = f"{num(length)} m" if isinstance(length, int | float) else \
            (length or ("harness" if g(_I["route"]) == "in-rack harness" else ""))
        cells = [("mono", g(_I["port"])), ("w", g(_I["bundle"])), ("", g(_I["peer_cabinet"])),
                 ("", g(_I["peer_device"])), ("num", f"U{g(_I['peer_u'])}"),
                 ("mono", g(_I["peer_port"])), ("", g(_I["end"])), ("id", g(_I["cable_id"])),
                 ("", g(_I["cable"]) or ""), ("", g(_I["transceiver"]) or ""),
                 ("", g(_I["peer_transceiver"]) or ""), ("num", shown), ("mono", g(_I["link_id"]))]
        body.append("<tr>" + "".join(f'<td class="{c}">{html_text(v)}</td>' if c else
                                     f"<td>{html_text(v)}</td>" for c, v in cells) + "</tr>")
    head = "".join(f"<th>{c}</th>" for c in _DEV_COLS)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bundle_table(keys: list[BundleKey]) -> str:
    head = "".join(f"<th>{c}</th>" for c in ("bundle", "from (this cabinet)", "to", "fabric",
                                             "cable + optic", "links"))
    body = "".join(
        f"<tr><td>{html_text(k.number)}</td><td>{html_text(k.local)}</td>"
        f"<td>{html_text(k.peer)}</td><td>{html_text(k.fabric)}</td>"
        f'<td>{html_text(k.media)}</td><td class="num">{num(k.links)}</td></tr>' for k in keys)
    return f'<table class="key"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def cabinet_section(inv: Inventory, design: str, cabinet: str, sheet: int, sheets: int) -> str:
    """One cabinet's printable port map: title block, bundle key, one table per device."""
    cab_rows = section_rows(inv, cabinet)
    parts = [f'<section class="cabinet" id="portmap-{html_text(cabinet)}">',
             _title_block(design, cabinet, sheet, sheets, inv)]
    if not cab_rows:
        parts.append("<p>No links touch this cabinet.</p></section>")
        return "".join(parts)
    parts.append("<h2>Bundles (as numbered on the cabinet wiring diagram)</h2>")
    parts.append(_bundle_table(bundle_keys(cab_rows)))
    by_dev: dict[str, list[list[Any]]] = {}
    for r in cab_rows:
        by_dev.setdefault(r[_I["device"]], []).append(r)
    cab = inv.cabinets[cabinet]
    devs = {d.name: d for d in cab.devices}
    for dev, dev_rows in by_dev.items():
        d = devs[dev]
        parts.append(f"<h2>{html_text(dev)} · U{d.u} · {html_text(d.type_name)} · "
                     f"{num(len(dev_rows))} connected ports · device ID "
                     f"{html_text(device_id(cab, d))}</h2>")
        parts.append(_device_table(dev_rows))
    parts.append("</section>")
    return "".join(parts)


def write_html(inv: Inventory, out: IO[str], cabinets: Sequence[str] | None = None,
               design: str = "design") -> int:
    """The print-ready port map: one section per cabinet (a new page each, A4 landscape),
    a title block with sheet n of m, the cabinet's bundle key, then a table per device with
    its header repeated on every printed page."""
    names = list(cabinets) if cabinets is not None else sorted(inv.cabinets, key=natural_key)
    if len(names) > HTML_MAX_CABINETS:
        raise TooMany(f"the printable port map covers at most {HTML_MAX_CABINETS} cabinets "
                      f"and this selection has {num(len(names))}: pick some with --cabinet "
                      f"(e.g. --cabinet '{names[0]}')")
    out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
              f"<title>Port map — {html_text(design)}</title><style>{_CSS}</style></head>"
              "<body>\n")
    n = 0
    for k, name in enumerate(names, start=1):
        out.write(cabinet_section(inv, design, name, k, len(names)) + "\n")
        n += 1
    out.write('<p class="note">One row per connected port. Cable IDs, link IDs and lengths are '
              "the cut sheet's (<code>superpod cabling</code>); bundle numbers are the cabinet "
              "wiring diagram's. <i>end</i>: the end of the cable at this port (A or B, as on "
              "its labels).</p>\n</body></html>\n")
    return n


def write_xlsx(inv: Inventory, out: IO[bytes], cabinets: Sequence[str] | None = None,
               design: str = "design") -> int:
    data, n = xlsx_bytes(inv, cabinets)
    out.write(data)
    return n


Writer = Callable[[Inventory, Any, Sequence[str] | None, str], int]
"""writer(inv, out, cabinets, design) -> rows (or cabinets, for html) written."""

WRITERS: dict[str, tuple[bool, Writer]] = table(PORTMAP_FORMATS, {
    "csv": (False, write_csv),
    "json": (False, write_json),
    "xlsx": (True, write_xlsx),
    "html": (False, write_html),
})
"""`superpod portmap --format`: (writes bytes, writer)."""
