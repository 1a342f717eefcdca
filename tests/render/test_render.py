"""`superpod render`: golden dot text, real `dot` output, determinism, bundling, CLI contract.

Golden files live in tests/golden/render/<design>/<diagram>.dot. After an intended change to
the diagrams (or to the designs they draw), regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_render.py -k golden
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from superpod_iac.config import Config
from superpod_iac.model.bundles import bundle_links
from superpod_iac.pipeline import load_project
from superpod_iac.render import LEVELS, VIEWS, design_title, plan, render_bytes, to_dot
from superpod_iac.render.output import write_all
from superpod_iac.render.styles import load_styles
from tests.conftest import FIXTURES, ROOT, SPECS
from tests.heavy_specs import light_specs

MINI = FIXTURES / "render" / "mini"
RING = FIXTURES / "render" / "ring.yaml"
GOLDEN = ROOT / "tests" / "golden" / "render"
DESIGNS = {"mini": [MINI], "gb200-nvl72": [SPECS / "gb200-nvl72"]}


def _jobs(paths: list[Path], views=VIEWS, levels=LEVELS):
    project = load_project([str(p) for p in paths], Config(), check=False)
    inv = project.inventory
    return inv, plan(inv, views, levels, design_title(inv, paths[0].name))


@pytest.fixture(scope="module")
def mini_dots() -> dict[str, str]:
    _, jobs = _jobs([MINI])
    return {j.name: to_dot(j.build()) for j in jobs}


def _golden_cases() -> list[tuple[str, str]]:
    cases = []
    for design in DESIGNS:
        folder = GOLDEN / design
        names = sorted(p.stem for p in folder.glob("*.dot")) if folder.is_dir() else []
        cases += [(design, n) for n in names] or [(design, "<none>")]
    return cases


@pytest.mark.parametrize(("design", "name"), _golden_cases())
def test_golden_dot(design: str, name: str) -> None:
    _, jobs = _jobs(DESIGNS[design])
    dots = {j.name: to_dot(j.build()) for j in jobs}
    folder = GOLDEN / design
    if os.environ.get("UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.dot"):
            old.unlink()
        for n, text in dots.items():
            (folder / f"{n}.dot").write_text(text, encoding="utf-8")
        return
    assert name != "<none>", f"no golden files for {design}: run with UPDATE_GOLDEN=1"
    assert sorted(dots) == sorted(p.stem for p in folder.glob("*.dot")), \
        "the set of diagrams changed: regenerate with UPDATE_GOLDEN=1 and review"
    expected = (folder / f"{name}.dot").read_text(encoding="utf-8")
    assert dots[name] == expected, f"{design}/{name}.dot differs: UPDATE_GOLDEN=1 to accept"


def test_every_view_and_level_is_drawn(mini_dots: dict[str, str]) -> None:
    assert sorted(mini_dots) == sorted([  # rk1 and rk2 are wired alike: one view for both
        "wiring-cluster", "wiring-pod-mini", "wiring-cabinet-net1", "wiring-cabinet-rk1",
        "power", "cooling", "elevation"])
    for name, text in mini_dots.items():
        assert "LEGEND" in text, f"{name} has no legend"
        assert "mini — " in text, f"{name} has no title"


def test_real_dot_renders_valid_svg(mini_dots: dict[str, str]) -> None:
    for name, text in mini_dots.items():
        svg = render_bytes(text, "svg")
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), name
        words = "".join(root.itertext())
        assert "LEGEND" in words, name
    png = render_bytes(mini_dots["power"], "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_power_highlights_overloads() -> None:
    _, jobs = _jobs([MINI], views=("power",))
    graph = jobs[0].build()
    styles = {n.id: n.style for n in graph.nodes.values()}
    assert styles["p_net1-A"] == "power-over"  # 1.0 kW on a 0.7 kW derated branch
    assert styles["p_rk2-A"] == "power-over-failure"  # 12.6 kW after side B fails > 10.9 kW
    assert styles["p_rk1-A"] == "power"
    label = graph.nodes["p_net1-A"].label
    assert "148 %" in label and "derated <b>0.7 kW</b>" in label
    # sides are distinguishable: A and B edges carry their own classes
    assert {e.style for e in graph.edges} >= {"side-A", "side-B"}


def test_cooling_shows_kw_and_flow() -> None:
    _, jobs = _jobs([MINI], views=("cooling",))
    graph = jobs[0].build()
    coolant = [e for e in graph.edges if e.style == "coolant" and e.label]
    assert coolant and all("kW" in e.label and "L/min" in e.label for e in coolant)


def test_elevation_folds_identical_cabinets_and_shows_free_space() -> None:
    text = to_dot(_jobs([MINI], views=("elevation",))[1][0].build())
    assert "rk[1-2]" in text and "2 identical" in text
    assert "U free" in text and "shelf-a" in text


def test_elevation_lists_0u_chips_and_reports_no_overlap() -> None:
    """0U devices mounted at their tray's U (Trainium2 chips on their servers, Ironwood chips on
    their trays) take no rack units: the elevation lists them as 0U, not as overlapping."""
    text = to_dot(_jobs([SPECS / "trn2-ultraserver"], views=("elevation",))[1][0].build())
    assert "overlap" not in text
    # on the side rail: rack 1 of 2 holds instances 1 and 2, with the chips' kW
    assert re.search(r"<b>\d+ × [\w-]+</b><br align=\"left\"/>i\[1-2\]c\[01-16\]", text)
    assert "0U · " in text and " kW each" in text
    assert "trn2-server" in text


def test_elevation_front_rear_kw_feed_side_and_place() -> None:
    """Every device with its kW (1U ones too) and the side feeding it; the rear face; the row
    and slot in the cabinet's title; Ironwood's chips on the rail with their kW."""
    text = to_dot(_jobs([SPECS / "gb200-nvl72"], views=("elevation",))[1][0].build())
    assert "<b>FRONT</b>" in text and "<b>REAR</b>" in text
    assert "nvl72-01 · hall nvl72-hall · row A · slot 3" in text
    assert re.search(r"tray01 · gb200-compute-tray <font[^>]*>1U · 6\.4 kW", text)
    assert re.search(r"pwr1 · nvl72-power-shelf-33kw <font[^>]*>1U · out [\d.]+ kW · feed A",
                     text)
    assert "pwr8: inlet B" in text  # the rear face: the shelf's inlet on side B
    iw = to_dot(_jobs([SPECS / "ironwood-pod"], views=("elevation",))[1][0].build())
    assert "64 × ironwood-chip</b>" in iw and "0U · 0.9 kW each · 60.8 kW" in iw
    assert "0U:" not in iw


def test_bundles_match_a_per_link_count() -> None:
    inv, _ = _jobs([MINI])
    cab_id = {name: i for i, name in enumerate(sorted(inv.cabinets))}
    group = np.array([cab_id[d.cabinet] for d in inv.devices], dtype=np.int64)
    got = {(b.a, b.b, b.cable): b.count for b in bundle_links(inv, group)}
    t = inv.links
    naive: Counter[tuple[int, int, str | None]] = Counter()
    for i in range(len(t)):
        a, b = int(group[t.a_dev[i]]), int(group[t.b_dev[i]])
        naive[(min(a, b), max(a, b), t.cable_of(i))] += 1
    assert got == dict(naive)


def test_cluster_view_folds_many_superpods_into_a_ring() -> None:
    inv, jobs = _jobs([MINI, RING], levels=("cluster",), views=("wiring",))
    graph = jobs[0].build()
    limit = int(load_styles().layout("cluster_max_nodes"))
    assert len(inv.superpods) == 30
    assert 3 <= len(graph.nodes) <= limit
    assert graph.view == "wiring-cluster-ring"
    assert len(graph.edges) == len(graph.nodes)  # one bundle between neighbouring runs
    assert all("4 links" in e.label for e in graph.edges)
    # pod level draws the first replica only, naming its neighbours in the ring
    pods = [j for j in _jobs([MINI, RING], views=("wiring",), levels=("pod",))[1]]
    assert [j.name for j in pods] == ["wiring-pod-mini-01"]
    pod = pods[0].build()
    assert {"mini-02", "mini-30"} <= {n.label.split("<b>")[1].split("</b>")[0]
                                       for n in pod.nodes.values() if n.style == "external"}


def test_dot_is_identical_across_hash_seeds_and_file_order(tmp_path: Path) -> None:
    def run(seed: str, order: list[str], out: Path) -> dict[str, bytes]:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "superpod_iac", "render", *order, "--view", "all",
                        "--format", "dot", "--out", str(out)], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    files = [str(MINI / "design.yaml"), str(RING)]
    first = run("1", files, tmp_path / "a")
    second = run("4242", files[::-1], tmp_path / "b")
    assert first == second and len(first) >= 7


def test_format_dot_needs_no_dot_binary(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    res = cli("render", str(MINI), "--view", "power", "--format", "dot")
    assert res.code == 0 and res.out.startswith("digraph power {")
    assert "2 A3 sheet(s)" in res.err  # stdout takes the one-line, not its sheets
    res = cli("render", str(MINI), "--view", "power", "--format", "svg")
    assert res.code == 2
    assert "apt-get install graphviz" in res.err and "--format dot" in res.err
    assert "Traceback" not in res.err


def test_out_dir_gets_one_file_per_view_and_level(cli, tmp_path: Path) -> None:
    res = cli("render", str(MINI), "--view", "all", "--format", "svg", "--out", str(tmp_path))
    assert res.code == 0, res.err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "power.svg" in names and "wiring-cluster.svg" not in names  # one superpod: empty
    # five feed boxes on one tier: the CLI also draws each side on an A3 sheet of its own
    assert len(names) == 8 and not any(n.endswith(".tmp") for n in names)
    assert "power-utility-A.svg" in names and "power-utility-B.svg" in names


def test_stdout_takes_one_diagram(cli) -> None:
    res = cli("render", str(MINI), "--view", "wiring", "--format", "dot")
    assert res.code == 2 and "--out DIR" in res.err
    res = cli("render", str(MINI), "--view", "wiring", "--level", "pod", "--format", "dot")
    assert res.code == 0 and "wiring_pod_mini" in res.out


def test_level_only_for_wiring(cli) -> None:
    res = cli("render", str(MINI), "--view", "power", "--level", "pod")
    assert res.code == 2 and "--level applies to --view wiring" in res.err


def test_unparseable_design_is_reported_not_drawn(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((MINI / "design.yaml").read_text().replace("breaker_a: 60}", "breaker_a: x}",
                                                              1))
    out = tmp_path / "out"
    res = cli("render", str(bad), "--view", "all", "--out", str(out))
    assert res.code == 1
    assert "SCH" in res.err and "nothing rendered" in res.err
    assert not out.exists()


def test_missing_path_is_usage_error(cli) -> None:
    res = cli("render", "no/such/design", "--view", "power")
    assert res.code == 2 and "no such file" in res.err


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    class Tty:
        def __init__(self) -> None:
            self.text = ""

        def write(self, s: str) -> int:
            self.text += s
            return len(s)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    _, jobs = _jobs([MINI], views=("power", "elevation"))
    tty = Tty()
    write_all(jobs, "dot", tmp_path, stream=tty, delay_s=0)  # type: ignore[arg-type]
    assert "render" in tty.text and "diagram" in tty.text
    quiet = Tty()
    quiet.isatty = lambda: False  # type: ignore[method-assign]
    write_all(jobs, "dot", tmp_path, stream=quiet, delay_s=0)  # type: ignore[arg-type]
    assert quiet.text == ""


def test_identical_cabinets_fold_in_power_and_cooling(tmp_path: Path) -> None:
    from superpod_iac.render import cooling, power
    from superpod_iac.render.scope import build_scope
    from superpod_iac.render.styles import Styles

    text = (MINI / "design.yaml").read_text().replace(
        "{name: rk2-A, type: feed, parent: ups-A, side: A, voltage_v: 415, breaker_a: 20}",
        "{name: rk2-A, type: feed, parent: ups-A, side: A, voltage_v: 415, breaker_a: 60}")
    (tmp_path / "design.yaml").write_text(text)
    inv = load_project([str(tmp_path)], Config(), check=False).inventory
    base = load_styles().data
    styles = Styles({**base, "layout": {**base["layout"], "fold_cabinets_above": 1}})
    graph = power.power_graph(inv, build_scope(inv), styles, "t")
    cabinets = [n for n in graph.nodes.values() if n.id.startswith("c_")]
    # rk1+rk2 folded once, net1 on its own; each has an inlet box on side A and on side B
    assert sorted(c.label.count("rk[1-2]") for c in cabinets) == [0, 0, 1, 1]
    assert sorted(c.id for c in cabinets) == ["c_net1_A", "c_net1_B", "c_rk1_A", "c_rk1_B"]
    assert any("rk[1-2]-A" in n.label and "<b>2 × </b>" in n.label for n in graph.nodes.values())
    cool = cooling.cooling_graph(inv, build_scope(inv), styles, "t")
    assert any(e.label.startswith("2 × ") and "L/min" in e.label for e in cool.edges)
    unfold = Styles({**base, "layout": {**base["layout"], "fold_cabinets_above": 99}})
    unfolded = cooling.cooling_graph(inv, build_scope(inv), unfold, "t")
    assert not any(e.label.startswith("2 × ") for e in unfolded.edges)  # below the threshold


def test_alike_cdus_fold_in_cooling_past_the_threshold() -> None:
    """A hall of in-rack CDUs (specs/colossus-100k: 392 per hall, one per compute rack) draws
    the CDUs alike in type, loop and figures once, as cabinets are, and their cabinets once
    with them; below `fold_cdus_above` every CDU is its own box. Nothing is lost: the folded
    boxes stand for every CDU, and the counts of units over capacity count each one."""
    from superpod_iac.model.cooling import cooling_plan
    from superpod_iac.render import cooling
    from superpod_iac.render.scope import build_scope
    from superpod_iac.render.styles import Styles

    inv = load_project([str(SPECS / "colossus-100k")], Config(), check=False).inventory
    scope = build_scope(inv)
    base = load_styles().data
    graph = cooling.cooling_graph(inv, scope, Styles(base), "t")
    units = [n for n in graph.nodes.values() if n.id.startswith("u_")]
    drawn_cdus = [u for u in cooling_plan(inv).units if scope.folded_prefix(u) is None]
    assert len(drawn_cdus) == 392  # one hall drawn, the other three folded
    assert len(units) == 1 and len(units[0].members) == 392
    assert "392 alike, figures for each" in units[0].label
    liquid = [n for n in graph.nodes.values()
              if n.id.startswith("c_") and "liquid" in n.label]
    assert [len(c.members) for c in liquid] == [392]
    assert sum(1 for e in graph.edges if e.style == "coolant") == 1
    unfold = Styles({**base, "layout": {**base["layout"], "fold_cdus_above": 1000}})
    unfolded = cooling.cooling_graph(inv, scope, unfold, "t")
    assert sum(1 for n in unfolded.nodes.values() if n.id.startswith("u_")) == 392


@pytest.mark.parametrize("spec", light_specs())
def test_every_spec_draws_all_four_views(spec: str) -> None:
    """Every reference design yields wiring (three levels), power, cooling and elevation;
    cabinet-level wiring is built for two cabinets per spec to keep the suite quick."""
    _, jobs = _jobs([SPECS / spec])
    names = [j.name for j in jobs]
    assert {"power", "cooling", "elevation", "wiring-cluster"} <= set(names)
    assert any(n.startswith("wiring-pod-") for n in names)
    cabinets = [j for j in jobs if j.name.startswith("wiring-cabinet-")]
    assert cabinets
    for job in [j for j in jobs if not j.name.startswith("wiring-cabinet-")] + cabinets[:2]:
        text = to_dot(job.build())
        assert text.startswith("digraph ") and "LEGEND" in text, job.name
