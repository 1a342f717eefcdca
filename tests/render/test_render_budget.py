"""Size budget of every diagram of every reference design, laid out by the real `dot`.

At default settings no diagram may exceed 4,000 px on a side at 96 dpi, nor an aspect ratio of
3:1; a view with nothing to show writes no file. The NVL72 power one-line must fit a landscape
A3 page legibly: width <= 2.5 x height and every text at least 9 pt once scaled to the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from superpod_iac.config import Config
from superpod_iac.pipeline import load_project
from superpod_iac.render import LEVELS, VIEWS, design_title, plan, render_bytes, to_dot
from superpod_iac.render.emit import svg_size_pt
from tests.conftest import SPECS
from tests.heavy_specs import light_specs

MAX_PX = 4000
MAX_ASPECT = 3.0
PX_PER_PT = 96 / 72
A3_LANDSCAPE_PT = (420 / 25.4 * 72, 297 / 25.4 * 72)
MIN_LABEL_PT = 9.0
_FONT = re.compile(rb'font-size="([0-9.]+)"')


def _designs() -> list[str]:
    return light_specs()


def _jobs(spec: str):
    inv = load_project([str(SPECS / spec)], Config(), check=False).inventory
    return plan(inv, VIEWS, LEVELS, design_title(inv, spec))


@pytest.mark.parametrize("spec", _designs())
def test_every_view_within_the_size_budget(spec: str) -> None:
    drawn = 0
    for job in _jobs(spec):
        graph = job.build()
        if graph.empty is not None:
            assert not graph.edges or job.name.startswith("wiring-"), job.name
            continue
        svg = render_bytes(to_dot(graph), "svg")
        w, h = (x * PX_PER_PT for x in svg_size_pt(svg))
        assert max(w, h) <= MAX_PX, f"{spec}/{job.name}: {w:.0f} x {h:.0f} px"
        assert max(w, h) / min(w, h) <= MAX_ASPECT, f"{spec}/{job.name}: {w:.0f} x {h:.0f} px"
        drawn += 1
    assert drawn >= 3  # power, cooling and elevation at least


def test_nvl72_power_one_line_fits_a3_landscape() -> None:
    job = next(j for j in _jobs("gb200-nvl72") if j.name == "power")
    svg = render_bytes(to_dot(job.build()), "svg")
    w, h = svg_size_pt(svg)
    assert w <= 2.5 * h, (w, h)
    scale = min(1.0, A3_LANDSCAPE_PT[0] / w, A3_LANDSCAPE_PT[1] / h)
    sizes = [float(s) for s in _FONT.findall(svg)]
    assert sizes and min(sizes) * scale >= MIN_LABEL_PT, (min(sizes), scale)
    text = svg.decode()
    for word in ("UTIL", "XFMR", "UPS", "BUS", "FEED", "CAB", "side A fails", "derated", " A ·"):
        assert word in text, word


def test_views_with_nothing_to_show_write_no_file(cli, tmp_path: Path) -> None:
    res = cli("render", str(SPECS / "nvl144"), "--view", "all", "--format", "dot",
              "--out", str(tmp_path))
    assert res.code == 0, res.err
    names = {p.stem for p in tmp_path.iterdir()}
    assert "wiring-cluster" not in names and {"power", "cooling", "elevation"} <= names
    assert "not written (nothing to show): wiring-cluster" in res.out
    assert len(res.out.splitlines()) == 2  # one summary line per design (`make demo`)
    res = cli("render", str(SPECS / "nvl144"), "--view", "wiring", "--format", "dot",
              "--out", str(tmp_path))
    assert "wiring-cluster: nothing to show" in res.out  # a single view says why
    res = cli("render", str(SPECS / "nvl144"), "--view", "wiring", "--level", "cluster")
    assert res.code == 0 and res.out == "" and "nothing to show" in res.err


def test_identical_cabinets_draw_one_wiring_view() -> None:
    names = [j.name for j in _jobs("cloudmatrix-384") if j.name.startswith("wiring-cabinet-")]
    # the compute cabinets c01-c48 are wired alike: one view. The comm cabinets are not: s1-s2
    # hold a VPC switch (s3-s4 do not), and each comm cabinet's RoCE spines reach the leaves of
    # a different set of cabinets (s1's spine p01 goes to its own rleaf1, s2's to another
    # cabinet's), so each of s1-s4 gets its own view.
    assert names == ["wiring-cabinet-c01", "wiring-cabinet-s1", "wiring-cabinet-s2",
                     "wiring-cabinet-s3", "wiring-cabinet-s4"]


def test_docs_gallery_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/diagrams.md shows a PNG of every view of the NVL72 and the CloudMatrix 384."""
    from superpod_iac.docs_build import gallery
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    assert gallery.main(["--check"]) == 0, "run `make docs` and commit"
    text = (ROOT / "docs" / "diagrams.md").read_text(encoding="utf-8")
    for spec in gallery.SPECS:
        for view in ("power", "cooling", "elevation", "wiring-pod-", "wiring-cabinet-"):
            assert f"](diagrams/{spec}/{view}" in text, (spec, view)


def test_cluster_power_has_a_campus_level() -> None:
    job = next(j for j in _jobs("cluster-432xcm384") if j.name == "power")
    graph = job.build()
    assert "campus" in graph.nodes
    label = graph.nodes["campus"].label
    assert "432 utility connections" in label and "864.0 MW" in label
    heads = {e.head for e in graph.edges if e.tail == "campus"}
    assert any(h.startswith("f_") for h in heads) and any(h.startswith("p_") for h in heads)
