"""The cut sheet and NetBox cables.csv are joined column-wise from cells encoded once (issue #17):
they must be the bytes the row-by-row writers give, on designs with the awkward values too
(NaN, -0.0 and half-way lengths, links without cable, transceiver or fabric, cabinets without
row or hall, names that need CSV quoting or formula escaping)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from superpod_iac import cabling
from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.netbox import exporter
from superpod_iac.netbox.desired import CABLE_TYPES
from superpod_iac.pipeline import load_project
from superpod_iac.report.escape import csv_row
from tests.conftest import ROOT

CM = str(ROOT / "specs" / "cloudmatrix-384")


def _awkward() -> Inventory:
    inv = load_project([CM], Config(select=["SCH"])).inventory
    t = inv.links
    for k, v in enumerate([math.nan, -0.0, 0.0, 1.005, 2.675, 1e-9, 12345.678, math.nan]):
        t.length_m[k * 7] = v
    t.cable[3] = -1
    t.xcvr_a[5] = -1
    t.xcvr_b[9] = -1
    t.fabric[6] = -1
    cabs = list(inv.cabinets.values())
    cabs[0].row = None
    cabs[1].hall = None
    inv.cache.clear()
    return inv


def _row_by_row(inv: Inventory) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cabling.COLUMNS)
    w.writerows(csv_row(r) for r in cabling.rows(inv))
    return buf.getvalue()


def _written(inv: Inventory) -> str:
    buf = io.StringIO()
    n = cabling.write_csv(inv, buf)
    assert n == len(inv.links)
    return buf.getvalue()


def test_cut_sheet_column_wise_is_the_row_by_row_csv() -> None:
    inv = _awkward()
    assert cabling._csv_chunks(inv) is not None  # the column-wise path is the one compared
    text = _written(inv)
    assert text == _row_by_row(inv)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["run_m"] == "" and rows[7]["run_m"] == "-0.0" and rows[21]["run_m"] == "1.0"
    assert rows[3]["cable"] == "" and rows[5]["transceiver_a"] == "" and rows[6]["fabric"] == ""


def test_names_needing_quotes_take_the_row_by_row_path() -> None:
    inv = _awkward()
    list(inv.cabinets.values())[2].hall = '=evil,"hall"'
    assert cabling._csv_chunks(inv) is None
    text = _written(inv)
    assert text == _row_by_row(inv)
    assert "'=EVIL" in text  # formula-escaped, quoted


def _cables_reference(inv: Inventory) -> str:
    """cables.csv as the exporter wrote it one row at a time before the column-wise join."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(exporter.CABLE_COLUMNS)
    t = inv.links

    def end(dev: int, port: int) -> list[Any]:
        d = inv.devices[dev]
        p = inv.catalog.ports(d.type_name)[0][port]
        kind = "dcim.interface"
        if d.type.role == "patch-panel":
            kind = "dcim.rearport" if p.group.name.startswith("rear") else "dcim.frontport"
        return [inv.cabinets[d.cabinet].hall or "unplaced", f"{d.cabinet}-{d.name}", kind, p.name]

    for i in range(len(t)):
        cable = inv.catalog.cable_types.get(t.cable_of(i) or "")
        length = t.length_m[i]
        w.writerow([*end(t.a_dev[i], t.a_port[i]), *end(t.b_dev[i], t.b_port[i]),
                    CABLE_TYPES[cable.medium] if cable else "", "planned",
                    f"L{i + 1}", "" if length != length else round(length, 2), "m"])
    return buf.getvalue()


def test_netbox_cables_column_wise_is_the_row_by_row_csv() -> None:
    inv = _awkward()
    list(inv.cabinets.values())[2].hall = 'hall, "quoted"'
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(exporter.CABLE_COLUMNS)
    for text in exporter._cable_rows(inv, chunk=1000):
        buf.write(text)
    assert buf.getvalue() == _cables_reference(inv)
    assert '"hall, ""quoted"""' in buf.getvalue()
