"""The reference designs in specs/ validate clean, each folder on its own and through the real
entry point too. `superpod validate specs/` (all of them as one project, what `make demo` and
the pre-commit hook run) is the README tour's first command: tests/test_readme.py runs it and
checks its exact output (`ok: N file(s) checked, no findings`) and exit code."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from superpod_iac.manifest.builtin import builtin_catalogs
from tests.conftest import ROOT, SPECS
from tests.heavy_specs import heavy_specs, light_specs


def test_each_spec_folder_is_self_contained(cli) -> None:
    for folder in sorted(p for p in SPECS.iterdir() if p.is_dir()):
        res = cli("validate", str(folder.relative_to(ROOT)))
        assert res.code == 0, f"{folder.name}: {res.out}"


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "validate", "specs/gb200-nvl72"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: ")


def test_generated_docs_are_current() -> None:
    from superpod_iac.docs_build.docsgen import GENERATED

    for rel, make in GENERATED.items():
        assert (ROOT / rel).read_text(encoding="utf-8") == make(), \
            f"{rel} is stale: run `make docs`"


def test_every_spec_has_a_readme_and_expectations() -> None:
    for folder in sorted(p for p in SPECS.iterdir() if p.is_dir()):
        assert (folder / "README.md").is_file(), folder.name
        text = "".join(p.read_text() for p in folder.rglob("*.yaml"))
        assert "expect:" in text, f"{folder.name} declares no expectations"


def test_al128_shelves_stay_n_plus_1(cli, tmp_path) -> None:
    """The AL128's 7 dual-fed 54 kW shelves are sized for the published 350 kW supply ceiling;
    the modelled 87.9 kW (T-Head PPU planning values, issue 27) needs two: with only two,
    losing one leaves 54 kW (PWR007)."""
    for f in (SPECS / "al128").glob("*.yaml"):
        text = f.read_text().replace('{name: "pwr[1-7]", type: al128-hvdc-shelf, u: "[41-47]"',
                                     '{name: "pwr[1-2]", type: al128-hvdc-shelf, u: "[41-42]"')
        (tmp_path / f.name).write_text(text)
    res = cli("validate", "--format", "json", str(tmp_path))
    assert res.code == 1
    diags = res.json()["diagnostics"]
    assert [d["rule"] for d in diags] == ["PWR007"], diags
    assert "54.0 kW" in diags[0]["message"]


def test_readme_figure_tables_match_the_tool() -> None:
    """Each spec README's published-figures table: the tool column is what `summary` computes
    for the spec's system (regenerated, then compared cell by cell), every difference above
    2 % carries a note, and no row compares a published figure with a catalog claim the model
    can derive (the links' bandwidth instead of the vendor's per-accelerator figure)."""
    from superpod_iac.docs_build.figures import (
        declared_rows,
        differences_unexplained,
        render_rows,
        spec_folders,
        spec_metrics,
        table_rows,
        unsourced,
    )
    from superpod_iac.numbers import figure

    folders = spec_folders(str(SPECS))
    assert folders
    for folder in folders:
        text = (folder / "README.md").read_text(encoding="utf-8")
        rows = table_rows(text)
        assert rows, f"{folder.name}: README has no figures table"
        metrics = spec_metrics(folder)
        for row in rows:
            assert row[0] in metrics, f"{folder.name}: '{row[0]}' is not a summary metric"
            value, unit = metrics[row[0]]
            assert row[1] == f"{figure(value)} {unit}".strip(), (folder.name, row)
        assert rows == render_rows(folder, rows), folder.name
        assert not differences_unexplained(rows), (folder.name, differences_unexplained(rows))
        # published figures meet what the model derives, never the catalog claim it restates
        assert not declared_rows(rows), (folder.name, declared_rows(rows))
        assert not unsourced(rows), (folder.name, unsourced(rows))  # every number its source


def test_catalina_sidecars_reject_liquid_heat_to_the_hall(cli, tmp_path) -> None:
    """Meta Catalina's AALC sidecars are liquid-to-air CDUs: the racks' cold-plate heat lands
    in the hall's air. With the hall sized below the residual air heat plus the sidecars'
    ~80 kW (4 x 20 kW, NVL36x2 trays of 1 Grace + 2 B200), the hall check fails on 145.3 kW."""
    for f in (SPECS / "meta-catalina").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text().replace(
            "air_capacity_kw: 180", "air_capacity_kw: 120"))
    res = cli("validate", "--format", "json", str(tmp_path))
    assert res.code == 1
    diags = res.json()["diagnostics"]
    assert [d["rule"] for d in diags] == ["CLG007"], diags
    assert "145.3" in diags[0]["message"] and "cat-hall" in diags[0]["message"]


def test_itemised_tray_power_sums_and_drifts_are_schema_errors(cli, tmp_path) -> None:
    """Tray power is itemised (GPUs, CPUs, NICs, DPUs, fans, drives): the built-in GB200 trays'
    items sum to their max_w, the NVL72 rack is 18 x 6,370 + 9 x 1,800 + 2 x 250 W, and a
    project catalog whose items do not add up to max_w is a schema error at its line."""
    from superpod_iac.manifest.builtin import builtin_catalogs

    types = {t.name: t for m in builtin_catalogs() for t in m.model.spec.device_types}
    tray, sw = types["gb200-compute-tray"], types["nvlink-switch-tray"]
    items = {i.item: i.count * i.w for i in tray.power_items}
    assert {"ConnectX-7 400G NIC", "BlueField-3 DPU", "E1.S NVMe drive"} <= set(items)
    assert any("fans" in k for k in items)
    assert sum(items.values()) == tray.max_w == 6370
    assert sum(i.count * i.w for i in sw.power_items) == sw.max_w == 1800
    res = cli("summary", "--format", "json", "specs/gb200-nvl72")
    assert res.code == 0, res.err
    power = [r for r in res.json()["rows"] if r["metric"] == "power max"]
    assert power[0]["value"] == pytest.approx(18 * 6.37 + 9 * 1.8 + 2 * 0.25)
    bad = tmp_path / "catalog.yaml"
    bad.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Catalog\nmetadata: {name: t}\n"
                   "spec:\n  device_types:\n"
                   "    - name: tray\n      max_w: 1000\n      power_items:\n"
                   "        - {item: gpu, count: 2, w: 400}\n")
    res = cli("validate", "--format", "json", str(bad))
    assert res.code != 0
    diags = res.json()["diagnostics"]
    assert diags and diags[0]["rule"].startswith("SCH"), diags
    assert "800" in diags[0]["message"] and diags[0]["line"] == 6, diags


# The reference designs added for issue 27 (AMD Helios, DGX B300 SU, Rubin Ultra NVL576,
# Sugon scaleX640, Atlas 950 SuperCluster): what their READMEs' tables do not show.

def test_the_supercluster_node_is_the_builtin_node_plus_its_roce_ports() -> None:
    """The SuperCluster's catalog.yaml replaces the built-in `atlas950-node` whole (a project
    part overrides a built-in one) to add one 400G UBoE/RoCE port per NPU. Every other field
    must stay the built-in node's: when specs/atlas-950's node changes, resync the copy."""
    builtin = next(t for m in builtin_catalogs() for t in m.model.spec.device_types
                   if t.name == "atlas950-node")
    doc = YAML(typ="safe").load((SPECS / "atlas-950-supercluster" / "catalog.yaml").read_text())
    copy = next(t for t in doc["spec"]["device_types"] if t["name"] == "atlas950-node")
    groups = copy.pop("port_groups")
    want = builtin.model_dump(mode="json", exclude_unset=True)
    want_groups = want.pop("port_groups")
    assert copy == want
    assert [g for g in groups if g["name"] != "roce"] == want_groups
    roce = [g for g in groups if g["name"] == "roce"]
    assert len(roce) == 1 and roce[0]["plane"] == "scale-out"
    assert roce[0]["ports"] == "roce[1-8]"  # one per NPU: 8 NPUs per node
    assert builtin.accelerators is not None and builtin.accelerators.count == 8


def test_only_designs_that_raise_their_limits_leave_the_drawing_loops() -> None:
    assert heavy_specs() == ["atlas-950-supercluster"]
    assert {"amd-helios", "dgx-b300-superpod-su", "rubin-ultra-nvl576",
            "sugon-scalex640", "cluster-432xcm384"} <= set(light_specs())
