"""BOM: every derived quantity checked by hand for the GB200 NVL72 and the CloudMatrix 384,
part data explicit or `unconfirmed`, spares separate, grouping, totals, XLSX read back."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from superpod_iac.manifest.builtin import builtin_catalogs
from tests.conftest import ROOT

CM = "specs/cloudmatrix-384"
NVL = "specs/gb200-nvl72"


def _rows(cli, *args: str) -> dict[tuple[str, str, str], dict]:
    res = cli("bom", "--format", "json", *args)
    assert res.code == 0, res.err
    return {(r["category"], r["part"], r["line"]): r for r in res.json()["rows"]}


def test_builtin_parts_have_explicit_part_data() -> None:
    """Every orderable built-in part states its MPN, price and lead time, or `unconfirmed`."""
    missing = []
    for m in builtin_catalogs():
        spec = m.model.spec
        for section in ("cabinet_types", "device_types", "transceiver_types", "cable_types",
                        "cdu_types", "accessory_types"):
            for part in getattr(spec, section):
                for attr in ("mpn", "unit_price", "lead_time_weeks"):
                    if getattr(part, attr) is None:
                        missing.append(f"{section}/{part.name}.{attr}")
    assert missing == []


def test_nvl72_derived_rows_by_hand(cli) -> None:
    rows = _rows(cli, NVL)
    # U used: 8 power shelves + 18 trays + 9 switch trays + 2 mgmt = 37 of 48 -> 11 panels
    assert rows[("racks", "blanking-panel-1u", "base")]["quantity"] == 48 - 37
    assert "11 free U" in rows[("racks", "blanking-panel-1u", "base")]["note"]
    # one supply + return hose pair for the one cabinet with a CDU
    assert rows[("cooling", "cdu-hose-pair", "base")]["quantity"] == 1
    # one input whip per power shelf; two C13 cords and a rail kit per management switch
    assert rows[("power", "whip-3ph-415v-3m", "base")]["quantity"] == 8
    assert rows[("power", "power-cord-c13-c14-2m", "base")]["quantity"] == 2 * 2
    assert rows[("accessories", "rail-kit-1u", "base")]["quantity"] == 2
    # spares: 8 shelves x 6 PSUs = 48 PSUs, 1 per 20 -> ceil(2.4) = 3
    spare = rows[("power", "nvl72-power-shelf-33kw PSU", "spare")]
    assert spare["quantity"] == 3 and "48 PSUs" in spare["note"]
    # the 1,296 NVLink links ride the rack's copper spine: no cable rows, no spares of it
    assert not [k for k in rows if k[0] == "cables"]
    assert rows[("compute", "gb200-compute-tray", "base")]["manufacturer"] == "NVIDIA"
    assert rows[("compute", "gb200-compute-tray", "base")]["mpn"] == "unconfirmed"
    # the tray's itemised power (catalog power_items) is spelled out in its note
    note = rows[("compute", "gb200-compute-tray", "base")]["note"]
    assert "max power 4 x B200 GPU (liquid cooled) 1200 W + 2 x Grace CPU + LPDDR5X 300 W" in note
    assert "4 x ConnectX-7 400G NIC 25 W" in note and "2 x BlueField-3 DPU 150 W" in note


def test_nvl72_totals(cli) -> None:
    tot = cli("bom", "--format", "json", NVL).json()["totals"]
    assert tot["rack_units_used"] == 37 and tot["rack_units_total"] == 48
    assert tot["power_kw"] == pytest.approx(131.36) and tot["weight_kg"] == pytest.approx(1360)
    assert tot["integrated_links"] == {"scale-up-backplane": 1296}
    assert tot["price"] == {} and tot["rows_unpriced"] > 0


def test_cm384_derived_rows_by_hand(cli) -> None:
    rows = _rows(cli, CM)
    q = {k: r["quantity"] for k, r in rows.items()}
    # 42U racks: compute 42 - 4 x 8U = 10 free x 12; comm s1-s2 hold 28 L2 + 4 leaf + 3 spine
    # + 1 VPC = 36U (6 free each), s3-s4 35U (7 free each)
    assert q[("racks", "blanking-panel-1u", "base")] == 10 * 12 + 2 * 6 + 2 * 7 == 146
    assert q[("cooling", "cdu-hose-pair", "base")] == 12  # the compute cabinets have a CDU
    assert q[("power", "rack-pdu-3ph-415v", "base")] == 2 * 16
    assert q[("power", "power-cord-c19-c20-2m", "base")] == 4 * 48
    assert q[("power", "power-cord-c13-c14-2m", "base")] == 2 * 112
    assert q[("accessories", "rail-kit-8u", "base")] == 48
    assert q[("accessories", "rail-kit-1u", "base")] == 112
    assert q[("accessories", "cable-manager-vertical-42u", "base")] == 2 * 4
    # optics: 5,376 UB links, two per twin-port module at each end (2 x 2,688 ub-lpo) + 1,536
    # scale-out module ends (NIC, leaf and spine) = 6,912 modules; 2 % spares per part
    assert q[("optics", "ub-lpo", "base")] == 2 * 2688 == 5376
    assert q[("optics", "400g-lpo", "base")] == 1536
    assert q[("optics", "ub-lpo", "spare")] == math.ceil(5376 * 0.02) == 108
    assert q[("optics", "400g-lpo", "spare")] == math.ceil(1536 * 0.02) == 31
    assert "5376 A + 5376 B = 10752, 5376 share a twin-port cage" in \
        rows[("optics", "ub-lpo", "base")]["note"]


SITE = {"A": 0.0, "B": 2.4}  # specs/cloudmatrix-384/site.yaml: row y, x 0, pitch 0.6
STOCK = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500]  # smf-os2-mpo12


def _run_by_hand(a_row: str, a_pos: int, a_u: int, b_row: str, b_pos: int, b_u: int) -> float:
    """(Manhattan + rise to the 2.6 m tray at both ends) x 1.10 + 1 m (policy defaults); in one
    cabinet, the vertical distance between the U positions + 1 m."""
    if (a_row, a_pos) == (b_row, b_pos):
        return abs(a_u - b_u) * 0.04445 + 1.0
    dx = abs((a_pos - 1) * 0.6 - (b_pos - 1) * 0.6)
    dy = abs(SITE[a_row] - SITE[b_row])
    rise = (2.6 - (a_u - 1) * 0.04445) + (2.6 - (b_u - 1) * 0.04445)
    return (dx + dy + rise) * 1.10 + 1.0


def test_cm384_orderable_cable_lengths_by_hand(cli) -> None:
    """Every link's run recomputed from the floor plan, rounded up to the stocked lengths: the
    counts per length are the BOM's cable rows, and spares are 5 % of each, rounded up."""
    cut = [r for r in csv.DictReader(io.StringIO(cli("cabling", CM).out))
           if r["cable"] == "smf-os2-mpo12"]
    want: Counter[float] = Counter()
    for r in cut:
        run = _run_by_hand(r["a_row"], int(r["a_position"]), int(r["a_u"]),
                           r["b_row"], int(r["b_position"]), int(r["b_u"]))
        want[min(s for s in STOCK if s >= run - 1e-9)] += 1
    # the first link, c01/node1 (A1, U1) -> s1/l2sw01 (B5, U1): (2.4 + 2.4 + 5.2) x 1.1 + 1 = 12
    assert _run_by_hand("A", 1, 1, "B", 5, 1) == pytest.approx(12.0)
    rows = _rows(cli, CM)
    got = {r["length_m"]: r["quantity"] for (c, p, line), r in rows.items()
           if c == "cables" and line == "base" and p.startswith("smf-os2-mpo12 ")}
    assert got == dict(want)
    assert sum(got.values()) == len(cut) == 5376 + 768 + 48
    for (c, part, line), r in rows.items():
        if c == "cables" and line == "spare":
            base = rows[(c, part, "base")]["quantity"]
            assert r["quantity"] == max(math.ceil(base * 0.05), 1)


def test_spares_can_be_left_out_and_set_in_the_site_policy(cli, tmp_path: Path) -> None:
    assert not [k for k in _rows(cli, CM, "--no-spares") if k[2] == "spare"]
    spec = tmp_path / "cm"
    shutil.copytree(ROOT / CM, spec)
    site = spec / "site.yaml"
    site.write_text(site.read_text() + "  policy:\n    spares:\n"
                    "      - {category: optics, pct: 10}\n")
    rows = _rows(cli, str(spec))
    assert rows[("optics", "400g-lpo", "spare")]["quantity"] == math.ceil(1536 * 0.10)
    assert rows[("optics", "ub-lpo", "spare")]["quantity"] == math.ceil(5376 * 0.10)
    assert not [k for k in rows if k[0] == "cables" and k[2] == "spare"]  # replaced, not merged


def test_group_by_splits_counts_and_sums_back(cli) -> None:
    whole = _rows(cli, CM, "--no-spares")
    for group_by in ("hall", "row", "cabinet", "superpod"):
        res = cli("bom", "--format", "json", "--group-by", group_by, "--no-spares", CM)
        assert res.code == 0, res.err
        doc = res.json()
        summed: Counter[tuple[str, str]] = Counter()
        for r in doc["rows"]:
            summed[(r["category"], r["part"])] += r["quantity"]
        assert summed == Counter({(c, p): r["quantity"] for (c, p, _l), r in whole.items()})
        groups = doc["totals"]["groups"]
        assert sum(g["accelerators"] for g in groups.values()) == 384
    rows = cli("bom", "--format", "json", "--group-by", "row", CM).json()["rows"]
    assert {r["group"] for r in rows} == {"cm384-hall/A", "cm384-hall/B", "(site)"}


PRICED = """\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: quotes}
spec:
  transceiver_types:
    - {name: 400g-lpo, form_factor: lpo-osfp, speed_gbps: 400, medium: smf, reach_m: 500, max_channel_loss_db: 3.0, connector: mpo-12, power_w: 8.5, mpn: TEST-LPO-400, unit_price: 250.5, currency: USD, price_date: 2026-10, lead_time_weeks: 8}
    - {name: ub-lpo, form_factor: lpo-osfp, speed_gbps: 448, medium: smf, reach_m: 500, max_channel_loss_db: 3.0, connector: mpo-12, power_w: 8.5, mpn: TEST-LPO-UB, unit_price: 250.5, currency: USD, price_date: 2026-10, lead_time_weeks: 8}
  cable_types:
    - {name: smf-os2-mpo12, medium: smf, max_length_m: 10000, attenuation_db_per_km: 0.5, connector: mpo-12, fibres: 8, stocked_lengths_m: [1, 2, 3, 5, 7, 10, 15, 20, 30], unit_price: 40, length_mpns: {"10": TEST-MPO-10M}}
"""


def test_xlsx_reads_back_and_sums(cli, tmp_path: Path) -> None:
    spec = tmp_path / "cm"
    shutil.copytree(ROOT / CM, spec)
    (spec / "quotes.yaml").write_text(PRICED)
    out = tmp_path / "bom.xlsx"
    res = cli("bom", str(spec), "--format", "xlsx", "--group-by", "row", "--out", str(out))
    assert res.code == 0, res.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["(site)", "cm384-hall_A", "cm384-hall_B", "Totals"]
    optics = price = 0.0
    for ws in wb.worksheets[:-1]:
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        data = [dict(zip(header, (c.value for c in row), strict=True))
                for row in ws.iter_rows(min_row=2)]
        body, foot = data[:-1], data[-1]
        assert foot["group"] == "total"
        assert foot["quantity"] == sum(r["quantity"] for r in body)
        priced = [r["total_price"] for r in body if isinstance(r["total_price"], int | float)]
        assert foot["total_price"] == pytest.approx(sum(priced))
        assert all(r["mpn"] for r in body)  # an MPN or "unconfirmed", never empty
        optics += sum(r["quantity"] for r in body if r["category"] == "optics"
                      and r["line"] == "base")
        price += foot["total_price"]
        for r in body:
            if r["part"] == "smf-os2-mpo12 10 m":
                assert r["mpn"] == "TEST-MPO-10M"
    assert optics == 6912 + 96  # 400G LPO + the VPC plane's 96 DR4 modules
    # optics (base + spares, spares rounded up per group) at 250.50, every cable at 40
    grouped = cli("bom", "--format", "json", "--group-by", "row", str(spec)).json()["rows"]
    modules = sum(r["quantity"] for r in grouped if r["part"] in ("400g-lpo", "ub-lpo"))  # priced
    cables = sum(r["quantity"] for r in grouped if r["category"] == "cables")
    assert modules >= 6912 + 108 + 31
    assert price == pytest.approx(modules * 250.5 + cables * 40)
    tot = wb["Totals"]
    last = [c.value for c in tot[tot.max_row]]
    assert last[0] == "total" and last[2] == 384


def test_xlsx_is_deterministic_and_streams_to_a_pipe(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert cli("bom", NVL, "--format", "xlsx", "--out", str(a)).code == 0
    assert cli("bom", NVL, "--format", "xlsx", "--out", str(b)).code == 0
    assert a.read_bytes() == b.read_bytes()
    # no wall-clock stamp anywhere (openpyxl writes the save time into docProps/core.xml)
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert re.findall(r"W3CDTF\">([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "bom", NVL, "--format", "xlsx"],
                          cwd=ROOT, capture_output=True, check=False)
    assert proc.returncode == 0 and proc.stdout == a.read_bytes()  # a pipe takes the bytes


def test_markdown_lists_totals_and_cluster(cli) -> None:
    res = cli("bom", "--format", "md", NVL)
    assert res.code == 0
    assert "- rack units: 37 used of 48" in res.out
    assert "1,296 links on scale-up-backplane" in res.out


def test_diff_shows_bom_rows_with_cost_before_and_after(cli, tmp_path: Path) -> None:
    rails = ("apiVersion: superpod-iac/v1alpha1\nkind: Catalog\nmetadata: {name: quotes}\n"
             "spec:\n  accessory_types:\n    - {name: rail-kit-1u, kind: rail-kit, "
             "unit_price: 50, mpn: TEST-RAIL}\n")
    old, new = tmp_path / "old", tmp_path / "new"
    for d in (old, new):
        shutil.copytree(ROOT / NVL, d)
        (d / "quotes.yaml").write_text(rails)
    cab = new / "cabinet.yaml"
    cab.write_text(cab.read_text().replace('"mgmt[1-2]", type: nvl72-mgmt-switch, u: "[36-37]"',
                                           '"mgmt[1-3]", type: nvl72-mgmt-switch, u: "[36-38]"'))
    res = cli("diff", str(old), str(new), "--format", "md")
    assert res.code == 0, res.err
    assert "| accessories | rail-kit-1u | 2 | 3 | +1 | 100.00 -> 150.00 USD |" in res.out
    assert "| racks | blanking-panel-1u | 11 | 10 | -1 | unconfirmed |" in res.out
    assert "| power | power-cord-c13-c14-2m | 4 | 6 | +2 | unconfirmed |" in res.out


def test_cluster_totals_are_aggregated_per_superpod_and_cluster(cli) -> None:
    """432 x CloudMatrix 384: a few dozen rows, not 2 million; totals per superpod and for the
    cluster are the per-pod figures x 432."""
    res = cli("bom", "--format", "json", "specs/cluster-432xcm384")
    assert res.code == 0, res.err
    doc = res.json()
    assert len(doc["rows"]) < 40
    rows = {(r["category"], r["part"], r["line"]): r["quantity"] for r in doc["rows"]}
    assert rows[("optics", "ub-lpo", "base")] == 432 * 5376
    assert rows[("optics", "400g-lpo", "base")] == 432 * 1536
    # DR4: 96 VPC-plane modules per pod, and 384 pod-to-core uplinks x 2 ends per pod
    assert rows[("optics", "400g-dr4", "base")] == 432 * (96 + 2 * 384)
    # 146 free U per pod (test_cm384_derived_rows_by_hand) + 384 core racks of 42U holding a
    # 32U chassis (10 free U each)
    assert rows[("racks", "blanking-panel-1u", "base")] == 432 * 146 + 384 * 10
    # 432 x 384 pod-to-core uplinks of 150 m (cluster.yaml: length_m 150 -> stocked 150 m)
    assert rows[("cables", "smf-os2-mpo12 150 m", "base")] == 432 * 384
    tot = doc["totals"]
    pods = {k: v for k, v in tot["superpods"].items() if k != "(no superpod)"}
    assert len(pods) == 432
    assert {p["accelerators"] for p in pods.values()} == {384}
    # each pod: the stand-alone 558.928 kW + its 384 uplink modules at the spines (8.5 W each)
    assert all(p["power_kw"] == pytest.approx(558.928 + 384 * 8.5 / 1000) for p in pods.values())
    core = tot["superpods"]["(no superpod)"]
    assert core["cabinets"] == 384
    (cluster,) = tot["clusters"].values()
    assert cluster["superpods"] == 432 and cluster["accelerators"] == 165888
    assert cluster["optics"] == {"400g-dr4": 373248, "400g-lpo": 432 * 1536, "ub-lpo": 432 * 5376}
    assert cluster["power_kw"] == pytest.approx(432 * 562.192 + core["power_kw"])


def test_unknown_accessory_type_is_a_row_not_a_crash(cli, tmp_path: Path) -> None:
    spec = tmp_path / "p"
    spec.mkdir()
    (spec / "p.yaml").write_text("""\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: mine}
spec:
  device_types:
    - {name: box, role: compute, height_u: 2, max_w: 500, accessories: [{type: no-such-rail}]}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: r1}
spec:
  type: generic-42u-rack
  devices:
    - {name: "b[1-3]", type: box, u: "[1-5/2]"}
""")
    rows = _rows(cli, str(spec))
    row = rows[("accessories", "no-such-rail", "base")]
    assert row["quantity"] == 3 and "unknown accessory type" in row["note"]
    assert row["mpn"] == "unconfirmed"
    assert rows[("racks", "blanking-panel-1u", "base")]["quantity"] == 42 - 3 * 2


def test_per_psu_accessories_and_psu_spares(cli, tmp_path: Path) -> None:
    """A PDU type with 3 PSUs and one cord per PSU: 5 PDUs -> 15 cords; PSU spares 1 per 20 of
    15 -> 1; a 10 % power spares rule for cords -> ceil(1.5) = 2."""
    spec = tmp_path / "p"
    spec.mkdir()
    (spec / "p.yaml").write_text("""\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: mine}
spec:
  device_types:
    - name: shelf
      role: power-shelf
      height_u: 1
      power_output: {psu_count: 3, psu_w: 3000}
      accessories: [{type: power-cord-c19-c20-2m, per: psu}]
---
apiVersion: superpod-iac/v1alpha1
kind: Site
metadata: {name: s}
spec:
  policy:
    spares:
      - {category: power, kind: psu, per: 20}
      - {category: power, kind: power-cord, pct: 10}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: r1}
spec:
  type: generic-42u-rack
  devices:
    - {name: "p[1-5]", type: shelf, u: "[1-5]"}
""")
    rows = _rows(cli, str(spec))
    cords = rows[("power", "power-cord-c19-c20-2m", "base")]
    assert cords["quantity"] == 5 * 3 and "PSUs (5 x 3)" in cords["note"]
    assert rows[("power", "shelf PSU", "spare")]["quantity"] == 1
    assert rows[("power", "power-cord-c19-c20-2m", "spare")]["quantity"] == 2
