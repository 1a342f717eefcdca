"""The cable schedule (cut sheet): one row per link, streamed.

Rows are produced one at a time from the LinkTable columns, so a cluster with millions of links
is written without holding the rows in memory.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from typing import IO, Any

from superpod_iac import physics
from superpod_iac.model.inventory import Inventory

COLUMNS = [
    "link_id", "fabric",
    "a_hall", "a_row", "a_position", "a_cabinet", "a_u", "a_device", "a_port",
    "b_hall", "b_row", "b_position", "b_cabinet", "b_u", "b_device", "b_port",
    "cable", "length_m", "transceiver_a", "transceiver_b", "label",
]


def rows(inv: Inventory, indices: Iterable[int] | None = None) -> Iterator[list[Any]]:
    """Cut-sheet rows of every link, or of the links at `indices` (in that order)."""
    t = inv.links
    fabrics = {f.index: f.name for f in inv.fabrics.values()}
    width = max(len(str(len(t))), 6)
    stock_cache: dict[tuple[int, float], float | None] = {}
    from superpod_iac.progress import bar

    chosen = range(len(t)) if indices is None else indices
    for i in bar(chosen, desc="cabling", unit="link", scale=True):
        a_dev, b_dev = inv.devices[t.a_dev[i]], inv.devices[t.b_dev[i]]
        a_port, b_port = inv.port_name(t.a_dev[i], t.a_port[i]), inv.port_name(t.b_dev[i], t.b_port[i])
        ca, cb = inv.cabinets[a_dev.cabinet], inv.cabinets[b_dev.cabinet]
        cable = t.cable_of(i)
        xa, xb = t.xcvrs_of(i)
        length = t.length_m[i]
        cut: float | None = None
        if not math.isnan(length) and cable in inv.catalog.cable_types:
            key = (t.cable[i], round(length, 2))
            if key not in stock_cache:
                stock_cache[key] = physics.round_up_to_stock(
                    length, inv.catalog.cable_types[cable].stocked_lengths_m)
            cut = stock_cache[key]
        link_id = f"L{i + 1:0{width}d}"
        fabric = fabrics.get(t.fabric[i], "")
        label = f"{link_id} {a_dev.address}:{a_port} <> {b_dev.address}:{b_port}"
        yield [link_id, fabric,
               ca.hall, ca.row, ca.slot, ca.name, a_dev.u, a_dev.name, a_port,
               cb.hall, cb.row, cb.slot, cb.name, b_dev.u, b_dev.name, b_port,
               cable, cut, xa, xb, label]


def write_csv(inv: Inventory, out: IO[str]) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    n = 0
    for r in rows(inv):
        w.writerow(["" if v is None else v for v in r])
        n += 1
    return n


def write_json(inv: Inventory, out: IO[str]) -> int:
    out.write('{"columns": ' + json.dumps(COLUMNS) + ', "links": [')
    n = 0
    for r in rows(inv):
        out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(dict(zip(COLUMNS, r, strict=True))))
        n += 1
    out.write("\n]}\n")
    return n
