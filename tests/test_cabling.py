"""Cable schedule: TIA-606 identifiers (unique, stable under unrelated edits), both end labels,
routes, orderable lengths, and the printable label sheet."""

from __future__ import annotations

import csv
import html.parser
import io
import shutil
from pathlib import Path

from tests.conftest import ROOT

CM = "specs/cloudmatrix-384"
NVL = "specs/gb200-nvl72"


def _cut(cli, path: str) -> list[dict[str, str]]:
    res = cli("cabling", path)
    assert res.code == 0, res.err
    return list(csv.DictReader(io.StringIO(res.out)))


def test_identifiers_are_tia606_and_unique(cli) -> None:
    rows = _cut(cli, CM)
    ids = [r["cable_id"] for r in rows]
    assert len(set(ids)) == len(ids) == 5376 + 768 + 48  # UB, scale-out, VPC links
    first = rows[0]
    # c01 is row A position 1, node1 sits at U1; s1 is row B position 5, l2sw01 at U1; UB
    # links are the sub-ports of twin-link cages (ub01/1 is labelled ub01.1)
    assert first["a_label"] == "CM384-HALL.A01-U01:ub01.1"
    assert first["b_label"] == "CM384-HALL.B05-U01:p01.1"
    assert first["cable_id"] == f"{first['a_label']}/{first['b_label']}"
    assert first["route"] == "cross-row via tray"
    assert first["length_m"] == "15" and float(first["run_m"]) == 12
    assert first["transceiver_a"] == first["transceiver_b"] == "ub-lpo"
    assert first["cable_mpn"] == "unconfirmed"
    routes = {r["route"] for r in rows}
    assert routes <= {"same cabinet", "same row", "cross-row via tray"}
    same_row = [r for r in rows if r["route"] == "same row"]
    assert same_row and all(r["a_row"] == r["b_row"] for r in same_row)


def test_editing_an_unrelated_cabinet_keeps_every_other_identifier(cli, tmp_path: Path) -> None:
    """Split c12 out of its template and move its nodes up one U: only c12's cables change
    identifier; then add an unrelated cabinet: no identifier changes."""
    before = _cut(cli, CM)
    spec = tmp_path / "cm"
    shutil.copytree(ROOT / CM, spec)
    cabs = spec / "cabinets.yaml"
    text = cabs.read_text()
    old = """  name: "c[09-12]"
  labels: {system: cloudmatrix-384, role: compute}
spec:
  type: cm384-compute-rack
  location: {hall: cm384-hall, row: B, slot: "[1-4]"}
  feeds: ["cm384-rpp-A[09-12]", "cm384-rpp-B[09-12]"]
  cdu: cm384-tcs
  devices:
    - {name: "node[1-4]", type: cm384-node, u: "[1-25/8]"}"""
    new = """  name: "c[09-11]"
  labels: {system: cloudmatrix-384, role: compute}
spec:
  type: cm384-compute-rack
  location: {hall: cm384-hall, row: B, slot: "[1-3]"}
  feeds: ["cm384-rpp-A[09-11]", "cm384-rpp-B[09-11]"]
  cdu: cm384-tcs
  devices:
    - {name: "node[1-4]", type: cm384-node, u: "[1-25/8]"}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata:
  name: c12
  labels: {system: cloudmatrix-384, role: compute}
spec:
  type: cm384-compute-rack
  location: {hall: cm384-hall, row: B, slot: 4}
  feeds: [cm384-rpp-A12, cm384-rpp-B12]
  cdu: cm384-tcs
  devices:
    - {name: "node[1-4]", type: cm384-node, u: "[2-26/8]"}"""
    assert old in text
    cabs.write_text(text.replace(old, new))
    after = _cut(cli, str(spec))
    assert len(after) == len(before)

    def ids(rows: list[dict[str, str]], c12: bool) -> list[str]:
        return sorted(r["cable_id"] for r in rows
                      if ("c12" in (r["a_cabinet"], r["b_cabinet"])) == c12)

    assert ids(after, False) == ids(before, False)
    assert not set(ids(after, True)) & set(ids(before, True))
    assert len(ids(after, True)) == 4 * (112 + 8 + 1)  # per node: UB sub-ports, RDMA, VPC
    # an unrelated cabinet added: no identifier changes at all
    (spec / "extra.yaml").write_text("""\
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: aaa-new}
spec:
  type: generic-42u-rack
  devices: []
""")
    again = _cut(cli, str(spec))
    assert sorted(r["cable_id"] for r in again) == sorted(r["cable_id"] for r in after)


def test_labels_csv_two_per_cable(cli) -> None:
    res = cli("cabling", NVL, "--labels")
    assert res.code == 0, res.err
    labels = list(csv.DictReader(io.StringIO(res.out)))
    assert len(labels) == 2 * 1296
    a, b = labels[0], labels[1]
    assert a["cable_id"] == b["cable_id"] and (a["end"], b["end"]) == ("A", "B")
    assert a["this_end"] == b["far_end"] and a["far_end"] == b["this_end"]
    assert a["cable_id"] == f"{a['this_end']}/{a['far_end']}"
    assert a["route"] == "in-rack harness"


class _Labels(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and ("class", "label") in attrs:
            self.labels += 1


def test_labels_html_is_printable_and_escaped(cli, tmp_path: Path) -> None:
    out = tmp_path / "labels.html"
    res = cli("cabling", CM, "--labels", "--format", "html", "--out", str(out))
    assert res.code == 0, res.err
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "@page" in text
    parser = _Labels()
    parser.feed(text)
    assert parser.labels == 2 * (5376 + 768 + 48)
    assert "CM384-HALL.A01-U01:ub01" in text and "smf-os2-mpo12 15 m" in text
    assert cli("cabling", CM, "--format", "html").code == 2  # html is the label sheet only
    assert cli("cabling", CM, "--labels", "--format", "json").code == 2
