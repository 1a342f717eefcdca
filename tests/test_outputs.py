"""bom, cabling, summary, compare and diff: totals against independent counts, determinism."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CM = "specs/cloudmatrix-384"
NVL = "specs/gb200-nvl72"


def test_bom_transceivers_are_one_per_cabled_cage(cli) -> None:
    """One module per cage that has a transceiver: the two UB links of a twin-link cage
    (`ub01/1`, `ub01/2`) share one module (independent count from the cabling schedule)."""
    res = cli("bom", "--format", "json", CM)
    assert res.code == 0, res.err
    doc = res.json()
    xcvr = sum(r["quantity"] for r in doc["rows"] if r["category"] == "optics"
               and r["line"] == "base")
    cab = list(csv.DictReader(io.StringIO(cli("cabling", CM).out)))
    cages = {(r[f"{e}_cabinet"], r[f"{e}_device"], r[f"{e}_port"].split("/")[0])
             for r in cab for e in "ab" if r[f"transceiver_{e}"]}
    assert xcvr == len(cages) == 7008
    ub = sum(r["quantity"] for r in doc["rows"] if r["part"] in ("400g-lpo", "ub-lpo")
             and r["line"] == "base")
    assert ub == 5376 + 1536   # SemiAnalysis: scale-up + scale-out
    cables = sum(r["quantity"] for r in doc["rows"] if r["category"] == "cables"
                 and r["line"] == "base")
    assert cables == len(cab) == 5376 + 768 + 48


def test_bom_accelerators_and_power_match_independent_counts(cli) -> None:
    doc = cli("bom", "--format", "json", NVL).json()
    assert doc["totals"]["accelerators_by_type"] == {"b200": 18 * 4}
    # 18 x 6.37 (itemised trays) + 9 x 1.8 + 2 x 0.25 kW
    assert doc["totals"]["power_kw"] == pytest.approx(131.36)
    # the published GB200 NVL72 rack weight: 1.36 t
    assert doc["totals"]["weight_kg"] == pytest.approx(1360)


def test_cabling_rows_and_stocked_lengths(cli, tmp_path: Path) -> None:
    out = tmp_path / "cut.csv"
    res = cli("cabling", CM, "--out", str(out))
    assert res.code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5376 + 768 + 48
    first = rows[0]
    assert first["a_hall"] == "cm384-hall" and first["cable"] == "smf-os2-mpo12"
    assert float(first["length_m"]) in {1, 2, 3, 5, 7, 10, 15, 20, 30}
    assert first["label"].startswith(first["link_id"])
    js = json.loads(cli("cabling", "--format", "json", NVL).out)
    assert len(js["links"]) == 1296 and js["columns"][0] == "cable_id"


def test_summary_and_compare_reproduce_published_multiples(cli) -> None:
    res = cli("compare", "specs/atlas-950", "specs/nvl144", "--format", "json")
    assert res.code == 0, res.err
    ratio = {r["metric"]: float(r["ratio A/B"].rstrip("x")) for r in res.json()["rows"]
             if r["ratio A/B"]}
    published = {"accelerator dies": 56.8, "compute fp8 dense": 6.7,
                 "fast memory (HBM + device memory)": 15, "scale-up bandwidth aggregate": 62}
    for metric, multiple in published.items():
        assert ratio[metric] == pytest.approx(multiple, rel=0.05), metric
    summ = cli("summary", "--format", "json", CM).json()["rows"]
    values = {r["metric"]: r["value"] for r in summ}
    assert values["accelerators"] == 384 and values["HBM"] == 384 * 128


@pytest.mark.parametrize("command", [["bom"], ["bom", "--format", "md"], ["summary"],
                                     ["cabling"]])
def test_outputs_are_deterministic_across_hash_seeds(command: list[str]) -> None:
    outs = []
    for seed in ("0", "12345"):
        proc = subprocess.run([sys.executable, "-m", "superpod_iac", *command, CM], cwd=ROOT,
                              capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        outs.append(proc.stdout)
    assert outs[0] == outs[1]


def test_twin_port_module_counted_once(cli, tmp_path: Path) -> None:
    """Two 400G links on the sub-ports of one 800G twin-port cage use one 2xSR4 module there."""
    (tmp_path / "base.yaml").write_text((ROOT / "tests/fixtures/rules/_base.yaml").read_text())
    (tmp_path / "twin.yaml").write_text("""apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: rk}
spec:
  type: nvl72-rack
  location: {hall: hall1, row: A, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: "host[1-2]", type: fx-host, u: "[1-2]"}
    - {name: sw1, type: fx-switch, u: 20}
---
apiVersion: superpod-iac/v1alpha1
kind: Fabric
metadata: {name: fab}
spec:
  plane: scale-out
  cable: mmf-om4-mpo12
  links:
    - {a: "rk/sw1:p1/[1-2]", b: "rk/host[1-2]:osfp1", transceiver_a: 800g-2xsr4, transceiver_b: 400g-sr4}
""")
    res = cli("validate", "--format", "json", str(tmp_path))
    assert [d for d in res.json()["diagnostics"] if d["severity"] == "error"] == []
    rows = {(r["category"], r["part"]): r["quantity"]
            for r in cli("bom", "--format", "json", str(tmp_path)).json()["rows"]
            if r["line"] == "base"}
    assert rows[("optics", "800g-2xsr4")] == 1
    assert rows[("optics", "400g-sr4")] == 2
