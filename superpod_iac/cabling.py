"""The cable schedule (cut sheet) and label sheets: one row per link, streamed.

Rows are produced one at a time from the LinkTable columns, so a cluster with millions of links
is written without holding the rows in memory.

Identifiers follow the ANSI/TIA-606 pattern for a cable: the identifiers of its two ends joined
by `/`, each end `SITE.RSS-UUU:PORT` (site = hall, R = row, SS = position in the row, UUU = the
device's lowest rack unit, then the port; a breakout sub-port `p1/2` is written `p1.2` so `/`
only ever separates the ends). An identifier depends only on where the two ends are, never on
the link's position in the design, so editing another cabinet never renames a cable.
"""

from __future__ import annotations

import html
import json
import math
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import numpy as np

from superpod_iac.bom.ids import cabinet_id as cabinet_id  # re-exported: verify, tests
from superpod_iac.bom.ids import device_id as device_id
from superpod_iac.bom.ids import route
from superpod_iac.bom.ids import size_info as _size_info
from superpod_iac.bom.lines import cable_sizes
from superpod_iac.choices import CABLING_FORMATS, table
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.sorting import distinct
from superpod_iac.report.escape import CsvCells, GuardedWriter

COLUMNS = [
    "cable_id", "link_id", "fabric", "route",
    "a_hall", "a_row", "a_position", "a_cabinet", "a_u", "a_device", "a_port",
    "b_hall", "b_row", "b_position", "b_cabinet", "b_u", "b_device", "b_port",
    "a_label", "b_label",
    "cable", "length_m", "run_m", "cable_mpn", "cable_sku", "transceiver_a", "transceiver_b",
    "label",
]
"""`length_m`: the orderable length; `run_m`: the computed run (floor + rise + slack)."""

Writer = Callable[[Inventory, IO[str]], int]

def rows(inv: Inventory, indices: Iterable[int] | None = None) -> Iterator[list[Any]]:
    """One row per link (COLUMNS), streamed, or of the links at `indices` (in that order).
    Everything per device, per port list and per cable size is looked up once; the loop only
    joins precomputed pieces."""
    t = inv.links
    n = len(t)
    if not n:
        return
    fabrics = {f.index: f.name for f in inv.fabrics.values()}
    width = max(len(str(n)), 6)
    per_link, sizes = cable_sizes(inv)
    size_info = _size_info(inv, sizes)
    dev_info: dict[int, tuple[Any, ...]] = {}
    port_names: dict[str, list[str]] = {}

    def device(i: int) -> tuple[Any, ...]:
        info = dev_info.get(i)
        if info is None:
            d = inv.devices[i]
            cab = inv.cabinets[d.cabinet]
            names = port_names.get(d.type_name)
            if names is None:
                names = port_names[d.type_name] = [p.name for p in
                                                   inv.catalog.ports(d.type_name)[0]]
            info = dev_info[i] = (cab, f"{device_id(cab, d)}:", names, d.address,
                                  [cab.hall, cab.row, cab.slot, cab.name, d.u, d.name])
        return info

    a_dev, b_dev, a_port, b_port = t.a_dev, t.b_dev, t.a_port, t.b_port  # array('i'): cheap
    fab, lengths, sizes_of = t.fabric, t.length_m, array("i", per_link.astype(np.int32).tobytes())
    xa_idx, xb_idx, xnames = t.xcvr_a, t.xcvr_b, t.xcvr_names
    cable_idx, cnames = t.cable, t.cable_names
    from superpod_iac.progress import bar

    chosen = range(n) if indices is None else indices
    for i in bar(chosen, desc="cabling", unit="link", scale=True):
        ca, pa, names_a, addr_a, loc_a = device(a_dev[i])
        cb, pb, names_b, addr_b, loc_b = device(b_dev[i])
        port_a, port_b = names_a[a_port[i]], names_b[b_port[i]]
        a_end = pa + port_a.replace("/", ".")
        b_end = pb + port_b.replace("/", ".")
        length, mpn, sku, harness = size_info[sizes_of[i]]
        run = lengths[i]
        link_id = f"L{i + 1:0{width}d}"
        xa, xb, ci = xa_idx[i], xb_idx[i], cable_idx[i]
        yield [f"{a_end}/{b_end}", link_id, fabrics.get(fab[i], ""),
               "in-rack harness" if harness else route(ca, cb),
               *loc_a, port_a, *loc_b, port_b, a_end, b_end,
               cnames[ci] if ci >= 0 else None, length,
               None if math.isnan(run) else round(run, 2), mpn, sku,
               xnames[xa] if xa >= 0 else None, xnames[xb] if xb >= 0 else None,
               f"{link_id} {addr_a}:{port_a} <> {addr_b}:{port_b}"]


class _Counted:
    """Wrap a row iterator and count what passes (csv.writerows takes an iterator)."""

    def __init__(self, it: Iterator[list[Any]]) -> None:
        self.it, self.n = it, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for r in self.it:
            self.n += 1
            yield r


def write_csv(inv: Inventory, out: IO[str]) -> int:
    """csv writes None as an empty cell; numbers arrive already in their shortest form."""
    w = GuardedWriter(out)
    w.writerow(COLUMNS)
    fast = _csv_chunks(inv)
    if fast is not None:
        from superpod_iac.progress import bar

        progress = bar(desc="cabling", total=len(inv.links), unit="link", scale=True)
        for text, n in fast:
            out.write(text)
            progress.update(n)
        progress.close()
        return len(inv.links)
    counted = _Counted(rows(inv))
    w.writerows(counted)
    return counted.n


def _csv_chunks(inv: Inventory, chunk: int = 1 << 15) -> Iterator[tuple[str, int]] | None:
    """The rows of `write_csv` as CSV text in chunks (text, rows), the same bytes: the cells of
    each device, port, cable size, transceiver and distinct run length are encoded once and
    each row is one f-string of them. None when a piece that goes into a composite cell
    (cable_id, the end labels, label) would need quoting or formula escaping there: then the
    row-by-row path writes it."""
    t = inv.links
    n = len(t)
    if not n:
        return iter(())
    enc = CsvCells()
    cab_index: dict[str, int] = {}
    hall_ids: dict[str | None, int] = {}
    row_ids: dict[str, int] = {}
    cab_hall: list[int] = []
    cab_row: list[int] = []
    for name, cab in inv.cabinets.items():
        cab_index[name] = len(cab_hall)
        cab_hall.append(hall_ids.setdefault(cab.hall, len(hall_ids)))
        cab_row.append(-1 if cab.row is None else row_ids.setdefault(cab.row, len(row_ids)))
    type_base: dict[str, int] = {}
    p_dot: list[str] = []
    p_cell: list[str] = []
    p_raw: list[str] = []
    d_id: list[str] = []
    d_loc: list[str] = []
    d_addr: list[str] = []
    nd = len(inv.devices)
    dev_base = np.empty(nd, dtype=np.int64)
    dev_cab = np.empty(nd, dtype=np.int64)
    for k, d in enumerate(inv.devices):
        base = type_base.get(d.type_name)
        if base is None:
            base = type_base[d.type_name] = len(p_raw)
            for p in inv.catalog.ports(d.type_name)[0]:
                p_raw.append(p.name)
                p_dot.append(p.name.replace("/", "."))
                p_cell.append(enc(p.name))
        dev_base[k] = base
        cab = inv.cabinets[d.cabinet]
        dev_cab[k] = cab_index[d.cabinet]
        d_id.append(f"{device_id(cab, d)}:")
        d_loc.append(enc(cab.hall, cab.row, cab.slot, cab.name, d.u, d.name))
        d_addr.append(d.address)
    if not all(map(enc.plain, [*p_raw, *p_dot, *d_id, *d_addr])):
        return None
    per_link, sizes = cable_sizes(inv)
    size_cells = [(enc(length), enc(mpn, sku), harness)
                  for length, mpn, sku, harness in _size_info(inv, sizes)]
    cnames = [*inv.links.cable_names, None]  # index -1: no cable
    xnames = [*inv.links.xcvr_names, None]
    x_cell = [enc(x) for x in xnames]
    fab_names = {f.index: f.name for f in inv.fabrics.values()}

    def col(a: Any) -> np.ndarray:
        return np.frombuffer(a, dtype=np.int32).astype(np.int64)

    a_dev, b_dev, a_port, b_port = col(t.a_dev), col(t.b_dev), col(t.a_port), col(t.b_port)
    a_gp, b_gp = dev_base[a_dev] + a_port, dev_base[b_dev] + b_port
    size_of = per_link.astype(np.int64)
    # cable and size: a distinct pair -> "cable,length" and "mpn,sku" cells
    cable_size, cs_idx = distinct(col(t.cable) * len(sizes) + size_of)[:2]
    cs_a, cs_b = [], []
    for code in cable_size.tolist():
        ci, si = divmod(code, len(sizes))  # no cable: ci -1 (floor division)
        length_cell, mpn_sku, _ = size_cells[si]
        cs_a.append(f"{enc(cnames[ci])},{length_cell}")
        cs_b.append(mpn_sku)
    # route: same cabinet, cross-hall, same row, cross-row; in-rack harness by cable size
    ca, cb = dev_cab[a_dev], dev_cab[b_dev]
    hall, row_ = np.array(cab_hall, dtype=np.int64), np.array(cab_row, dtype=np.int64)
    ra, rb = row_[ca], row_[cb]
    route_code = np.where(ca == cb, 0, np.where(hall[ca] != hall[cb], 3,
                                                np.where((ra >= 0) & (ra == rb), 1, 2)))
    is_harness = np.array([h for _, _, h in size_cells], dtype=bool)
    route_code = np.where(is_harness[size_of], 4, route_code)
    route_names = ["same cabinet", "same row", "cross-row via tray", "cross-hall",
                   "in-rack harness"]
    fab = col(t.fabric)
    fab_route, fr_idx = distinct(fab * 8 + route_code)[:2]
    fr_cell = [enc(fab_names.get(code // 8, ""), route_names[code % 8])
               for code in fab_route.tolist()]
    run_bits, run_idx = distinct(np.frombuffer(t.length_m, dtype=np.int64))[:2]
    run_cell = [enc(None if math.isnan(x) else round(x, 2))
                for x in run_bits.view(np.float64).tolist()]
    xa, xb = col(t.xcvr_a), col(t.xcvr_b)
    width = max(len(str(n)), 6)
    objs = {name: np.array(v, dtype=object) for name, v in (
        ("d_id", d_id), ("d_loc", d_loc), ("d_addr", d_addr), ("p_dot", p_dot),
        ("p_cell", p_cell), ("p_raw", p_raw), ("cs_a", cs_a), ("cs_b", cs_b),
        ("fr", fr_cell), ("run", run_cell), ("x", x_cell))}

    def chunks() -> Iterator[tuple[str, int]]:
        o = objs
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            ad, bd, ag, bg = a_dev[s:e], b_dev[s:e], a_gp[s:e], b_gp[s:e]
            text = "".join([
                f"{ia}{pa}/{ib}{pb},{lid},{fr},{la},{ca_},{lb},{cb_},{ia}{pa},{ib}{pb},"
                f"{c1},{run},{c2},{x1},{x2},{lid} {aa}:{ra_} <> {ab}:{rb_}\n"
                for ia, pa, ib, pb, lid, fr, la, ca_, lb, cb_, c1, run, c2, x1, x2, aa, ra_,
                ab, rb_ in zip(
                    o["d_id"][ad].tolist(), o["p_dot"][ag].tolist(), o["d_id"][bd].tolist(),
                    o["p_dot"][bg].tolist(),
                    [f"L{i:0{width}d}" for i in range(s + 1, e + 1)],
                    o["fr"][fr_idx[s:e]].tolist(), o["d_loc"][ad].tolist(),
                    o["p_cell"][ag].tolist(), o["d_loc"][bd].tolist(),
                    o["p_cell"][bg].tolist(), o["cs_a"][cs_idx[s:e]].tolist(),
                    o["run"][run_idx[s:e]].tolist(), o["cs_b"][cs_idx[s:e]].tolist(),
                    o["x"][xa[s:e]].tolist(), o["x"][xb[s:e]].tolist(),
                    o["d_addr"][ad].tolist(), o["p_raw"][ag].tolist(),
                    o["d_addr"][bd].tolist(), o["p_raw"][bg].tolist(), strict=True)])
            yield text, e - s

    return chunks()


def write_json(inv: Inventory, out: IO[str]) -> int:
    out.write('{"columns": ' + json.dumps(COLUMNS) + ', "links": [')
    n = 0
    for r in rows(inv):
        out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(dict(zip(COLUMNS, r, strict=True))))
        n += 1
    out.write("\n]}\n")
    return n


LABEL_COLUMNS = ["cable_id", "end", "this_end", "far_end", "cable", "length_m",
                 "transceiver", "route"]
_I = {c: i for i, c in enumerate(COLUMNS)}


def labels(inv: Inventory) -> Iterator[list[Any]]:
    """Two labels per cable, A end then B end: the cable identifier, this end, the far end."""
    for r in rows(inv):
        for end, near, far, xcvr in (("A", "a_label", "b_label", "transceiver_a"),
                                     ("B", "b_label", "a_label", "transceiver_b")):
            yield [r[_I["cable_id"]], end, r[_I[near]], r[_I[far]], r[_I["cable"]],
                   r[_I["length_m"]], r[_I[xcvr]], r[_I["route"]]]


def write_labels_csv(inv: Inventory, out: IO[str]) -> int:
    w = GuardedWriter(out)
    w.writerow(LABEL_COLUMNS)
    n = 0
    for r in labels(inv):
        w.writerow(r)
        n += 1
    return n


_HTML_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cable labels</title>
<style>
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans Mono", monospace; margin: 0; }
.sheet { display: grid; grid-template-columns: repeat(2, 1fr); gap: 2mm; }
.label { border: 0.2mm solid #000; padding: 1.5mm; height: 19mm; overflow: hidden;
         break-inside: avoid; page-break-inside: avoid; font-size: 7pt; line-height: 1.25; }
.label b { font-size: 8pt; }
.id { word-break: break-all; }
</style></head><body>
<p>Cable labels: two per cable (A end, then B end); TIA-606 identifiers
<code>SITE.RSS-UUU:PORT</code>. Print at 100 % on A4.</p>
<div class="sheet">
"""


def write_labels_html(inv: Inventory, out: IO[str]) -> int:
    """Print-ready HTML: a two-column grid of labels (one row per cable: its A and B ends)."""
    out.write(_HTML_HEAD)
    n = 0
    for cid, end, near, far, cable, length, xcvr, rte in labels(inv):
        size = f"{length:g} m" if isinstance(length, int | float) else (length or "")
        extra = f" &middot; {html.escape(str(xcvr))}" if xcvr else ""
        out.write(
            f'<div class="label"><b>{end}: {html.escape(near)}</b><br>'
            f'<span class="id">to {html.escape(far)}</span><br>'
            f'{html.escape(str(cable or ""))} {html.escape(str(size))}{extra}'
            f' &middot; {html.escape(rte)}<br><span class="id">{html.escape(cid)}</span>'
            f"</div>\n")
        n += 1
    out.write("</div>\n</body></html>\n")
    return n


WRITERS: dict[str, tuple[Writer | None, Writer | None]] = table(CABLING_FORMATS, {
    "csv": (write_csv, write_labels_csv),
    "json": (write_json, None),
    "html": (None, write_labels_html),
})
"""`superpod cabling --format`: (cut-sheet writer, --labels writer); None where the format does
not apply (json labels, an html cut sheet)."""
