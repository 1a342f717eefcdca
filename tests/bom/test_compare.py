"""`compare` over every pair of reference designs: any metrics, never a crash."""

from __future__ import annotations

import itertools

import pytest

from superpod_iac.docs_build.figures import spec_config
from superpod_iac.metrics import (
    BOUNDARY_METRICS,
    MIXED,
    NA,
    compare_rows,
    pick_system,
    same_boundary,
)
from superpod_iac.model.counts import SystemCounts
from tests.conftest import SPECS

FOLDERS = sorted(p for p in SPECS.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def systems() -> dict[str, SystemCounts]:
    from superpod_iac.pipeline import load_project

    out = {}
    for folder in FOLDERS:
        # under the folder's own load limits (the Atlas 950 SuperCluster raises them)
        inv = load_project([str(folder)], spec_config(folder)).inventory
        out[folder.name] = pick_system(inv, None)[1]
    return out


def test_compare_every_pair_of_specs(systems: dict[str, SystemCounts]) -> None:
    names = sorted(systems)
    assert len(names) == len(FOLDERS) >= 2
    for a, b in itertools.combinations(names, 2):
        cols, rows = compare_rows(systems[a], systems[b])
        assert cols[:2] == ["metric", "unit"] and cols[-1] == "ratio A/B", (a, b)
        metrics = [r[0] for r in rows]
        assert len(metrics) == len(set(metrics)), (a, b)
        mixed = not same_boundary(systems[a], systems[b])
        for r in rows:
            assert len(r) == len(cols)
            va, vb, ratio = r[2], r[3], r[4]
            if va == NA or vb == NA:
                assert ratio is None, (a, b, r)
            elif isinstance(va, int | float) and isinstance(vb, int | float) and vb:
                # a ratio across two system boundaries says so, on the metrics the boundary moves
                marked = ratio.endswith(f" ({MIXED})")
                assert marked == (mixed and r[0] in BOUNDARY_METRICS), (a, b, r)
                ratio = ratio.removesuffix(f" ({MIXED})")
                # the shown values are rounded: the ratio of the exact ones may differ by a
                # hundredth, or relatively by 1e-3 for large ratios (SuperCluster vs a rack)
                assert ratio == f"{va / vb:.2f}x" or abs(float(ratio[:-1]) - va / vb) < max(
                    0.01, 1e-3 * abs(va / vb))
    # a metric only one side has is shown as not applicable on the other side
    cols, rows = compare_rows(systems["cloudmatrix-384"], systems["gb200-nvl72"])
    by = {r[0]: r for r in rows}
    assert by["compute fp4 dense"][2] == NA and by["compute fp4 dense"][3] == 720


def test_compare_cli_two_and_three_specs(cli) -> None:
    res = cli("compare", "specs/cloudmatrix-384", "specs/gb200-nvl72", "--format", "json")
    assert res.code == 0, res.err
    rows = res.json()["rows"]
    bf16 = next(r for r in rows if r["metric"] == "compute bf16 dense")
    assert float(bf16["ratio A/B"].rstrip("x")) == pytest.approx(300 / 180, rel=0.03)
    res = cli("compare", "specs/cloudmatrix-384", "specs/gb200-nvl72", "specs/nvl144")
    assert res.code == 0, res.err
    assert "ratio A/C" in res.out and "n/a" in res.out
