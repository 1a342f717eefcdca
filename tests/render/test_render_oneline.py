"""Power one-line conventions: headroom colours against their documented thresholds, side A
drawn left of side B (positions read from the real `dot -Tplain` layout), voltage and kVA on
sources and transformers, breaker trips, negative headroom, rule IDs from the findings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.numbers import kw_headroom
from superpod_iac.pipeline import load_project
from superpod_iac.render import design_title, plan, to_dot
from superpod_iac.render.graph import Cluster, Graph
from superpod_iac.render.power_status import headroom_class
from tests.conftest import FIXTURES, SPECS

MINI = FIXTURES / "render" / "mini" / "design.yaml"


def _power(paths: list[Path], findings: list[Diagnostic] | None = None) -> Graph:
    inv = load_project([str(p) for p in paths], Config(), check=False).inventory
    jobs = plan(inv, ("power",), ("cabinet",), design_title(inv, paths[0].name),
                findings=findings)
    return jobs[0].build()


pcts = st.one_of(st.none(), st.floats(min_value=0, max_value=250, allow_nan=False))


@given(pct=pcts, worst=pcts)
def test_headroom_colour_thresholds(pct: float | None, worst: float | None) -> None:
    """Amber from 90 % (normally or after a failure), red over 100 % (the model's flags),
    red-dashed for over only after a failure, white below 90 %."""
    over = pct is not None and pct > 100
    after = not over and worst is not None and worst > 100
    cls = headroom_class(over, after, pct, worst)
    top = max([p for p in (pct, worst) if p is not None], default=None)
    if over:
        assert cls == "power-over"
    elif after:
        assert cls == "power-over-failure"
    elif top is not None and top >= 90:
        assert cls == "power-near"  # 99.5 % is amber, so is exactly 90 %
    else:
        assert cls == "power"


def test_a_cabinet_at_99_5_pct_is_amber() -> None:
    assert headroom_class(False, False, 99.5, None) == "power-near"
    assert headroom_class(False, False, 89.99, None) == "power"


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
def test_headroom_is_signed(watts: float) -> None:
    text = kw_headroom(watts)
    if round(abs(watts) / 1000, 1) == 0:
        assert not text.startswith(("+", "-"))
    else:
        assert text.startswith("-" if watts < 0 else "+")


def test_shortfall_reads_as_negative_headroom() -> None:
    assert kw_headroom(132_000 - 162_700) == "-30.7 kW"


def _positions(graph: Graph) -> dict[str, tuple[float, float]]:
    """node id -> (left x, right x) in the real dot layout (`-Tplain`, inches)."""
    out = subprocess.run(["dot", "-Tplain"], input=to_dot(graph), capture_output=True,
                         text=True, check=True, timeout=120).stdout
    pos: dict[str, tuple[float, float]] = {}
    for line in out.splitlines():
        parts = line.split(" ")
        if parts[0] == "node":
            x, w = float(parts[2]), float(parts[4])
            pos[parts[1].strip('"')] = (x - w / 2, x + w / 2)
    return pos


def _side_frames(clusters: list[Cluster]) -> list[tuple[list[str], list[str]]]:
    """(side A nodes, side B nodes) of each frame holding both sides."""
    out: list[tuple[list[str], list[str]]] = []
    sides = {c.style: c.nodes for c in clusters if c.style in ("side-A", "side-B")}
    if len(sides) == 2:
        out.append((sides["side-A"], sides["side-B"]))
    for c in clusters:
        out += _side_frames(c.clusters)
    return out


def _assert_a_left_of_b(graph: Graph) -> int:
    pos = _positions(graph)
    frames = _side_frames(graph.clusters)
    assert frames, "no side A / side B frames drawn"
    for a_nodes, b_nodes in frames:
        a_right = max(pos[n][1] for n in a_nodes)
        b_left = min(pos[n][0] for n in b_nodes)
        assert a_right < b_left, (a_nodes, b_nodes)
        for n in a_nodes:  # and every A box left of its B twin
            twin = re.sub(r"(?<=[-_])A(?=\d|$|_)", "B", n)
            if twin != n and twin in pos:
                assert pos[n][1] < pos[twin][0], (n, twin)
    return len(frames)


@pytest.mark.parametrize("spec", ["gb200-nvl72", "cloudmatrix-384", "cluster-432xcm384"])
def test_side_a_is_drawn_left_of_side_b(spec: str) -> None:
    graph = _power([SPECS / spec])
    assert graph.view == "power"  # top-down at every level
    assert _assert_a_left_of_b(graph) == (2 if spec.startswith("cluster") else 1)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([20, 40, 60, 100]), min_size=5, max_size=5))
def test_side_a_left_of_side_b_whatever_the_breakers(tmp_path: Path,
                                                       breakers: list[int]) -> None:
    """Breaker sizes change classes and folding (and so the layout); A stays left of B."""
    text = MINI.read_text(encoding="utf-8")
    for feed, amps in zip(["rk1-A", "rk2-A", "rk1-B", "rk2-B", "net1-B"], breakers, strict=True):
        text = re.sub(rf"(name: {feed}, .*?breaker_a: )\d+", rf"\g<1>{amps}", text)
    folder = tmp_path / f"d{'-'.join(map(str, breakers))}"
    folder.mkdir(exist_ok=True)
    (folder / "design.yaml").write_text(text, encoding="utf-8")
    _assert_a_left_of_b(_power([folder]))


def test_sources_and_transformers_say_voltage_and_kva() -> None:
    graph = _power([SPECS / "gb200-nvl72"])
    xfmr = graph.nodes["p_nvl72-xfmr-A"].label
    assert "415 V 3φ" in xfmr and "<b>1,250 kVA</b>" in xfmr and "Z 5 %" in xfmr
    util = graph.nodes["p_nvl72-utility"].label
    assert "kVA" in util and ("V n/a" in util or " V " in util)
    feed = graph.nodes["p_nvl72-feed-A1"].label
    assert "breaker <b>300 A</b>" in feed and "fault <b>" in feed
    cm = _power([SPECS / "cloudmatrix-384"]).nodes["p_cm384-xfmr-A"].label
    assert "1,053 kVA</b> (PF 0.95)" in cm  # 1,000 kW at PF 0.95: derived by the model


def test_cabinet_at_99_5_pct_is_amber_and_shows_headroom() -> None:
    graph = _power([SPECS / "gb200-nvl72"])
    cab = graph.nodes["c_nvl72-01_A"]
    assert cab.style == "power-cabinet-near"  # 131.4 of 132 kW: 99.5 %
    assert "headroom <b>+0.6 kW</b>" in cab.label
    assert graph.nodes["c_nvl72-01_B"].style == "power-cabinet-near"


def test_rule_ids_from_the_findings_on_flagged_nodes() -> None:
    finding = Diagnostic("PWR003", Severity.ERROR, "feed net1-A carries 1.0 kW over 0.7 kW")
    graph = _power([MINI], [finding])
    assert "PWR003" in graph.nodes["p_net1-A"].label
    assert "PWR003" not in graph.nodes["p_rk1-A"].label
    clean = _power([MINI])
    assert "PWR003" not in clean.nodes["p_net1-A"].label  # never recomputed by the renderer


A3_PT = (420 / 25.4 * 72, 297 / 25.4 * 72)
_FONT = re.compile(rb'font-size="([0-9.]+)"')
_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def smallest_label_on_a3(svg: bytes) -> float:
    """The smallest text size in points once the sheet is scaled to fit A3 (landscape or
    portrait, whichever is larger; never enlarged)."""
    m = _SIZE.search(svg)
    assert m is not None
    w, h = float(m[1]), float(m[2])
    scale = max(min(1.0, A3_PT[0] / w, A3_PT[1] / h), min(1.0, A3_PT[1] / w, A3_PT[0] / h))
    return min(float(s) for s in _FONT.findall(svg)) * scale


def test_a3_scale_check_measures_the_sheet() -> None:
    svg = b'<svg width="2380pt" height="1684pt"><text font-size="18">x</text></svg>'
    assert smallest_label_on_a3(svg) == pytest.approx(9.0, rel=1e-3)  # A3 x 2: half of 18


def test_nvl72_one_line_reads_on_a3_at_9_pt() -> None:
    from superpod_iac.render import render_bytes

    svg = render_bytes(to_dot(_power([SPECS / "gb200-nvl72"])), "svg")
    assert smallest_label_on_a3(svg) >= 9.0


@pytest.mark.parametrize(("spec", "sheets"), [
    ("cluster-432xcm384", ["power-cm384-001.cm384-utility-A", "power-cm384-001.cm384-utility-B",
                           "power-core-utility-A", "power-core-utility-B"]),
    ("cloudmatrix-384", ["power-cm384-utility-A", "power-cm384-utility-B"]),
])
def test_wide_one_line_reads_on_a3_at_9_pt(spec: str, sheets: list[str]) -> None:
    """The acceptance of issue #30: the 432-pod cluster's one-line is read top-down on A3 with
    every label at 9 pt or more. The whole drawing (sheet `power`, the key plan) is too wide
    for that, so each side of each power tree is also drawn on a sheet of its own: every one
    of those fits A3 at 100 %, and together they hold every power node drawn."""
    from superpod_iac.render import render_bytes

    inv = load_project([str(SPECS / spec)], Config(), check=False).inventory
    assert [j.name for j in plan(inv, ("power",), ("cabinet",), "c")] == ["power"]
    jobs = plan(inv, ("power",), ("cabinet",), spec, a3_sheets=True)
    assert [j.name for j in jobs] == ["power", *sheets]
    whole = jobs[0].build()
    on_sheets: set[str] = set()
    for job in jobs[1:]:
        graph = job.build()
        assert graph.title_block is not None and graph.title_block.sheets == len(jobs)
        svg = render_bytes(to_dot(graph), "svg")
        assert smallest_label_on_a3(svg) >= 9.0, job.name
        side = job.name[-1]
        assert _side_frames(graph.clusters) == [] and all(
            c.style == f"side-{side}" for c in graph.clusters)
        on_sheets |= {n for n in graph.nodes if n.startswith("p_")}
    assert on_sheets == {n for n in whole.nodes if n.startswith("p_")}


def test_revision_comes_from_git_or_source_date_epoch(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI hands the renderers the design's commit, dirty flag and a date that is never the
    clock's: SOURCE_DATE_EPOCH when set, else the commit's; outside git, it says so."""
    from superpod_iac.cli.revision import read_revision
    from superpod_iac.render import revision_text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "d.yaml").write_text("x: 1\n", encoding="utf-8")
    loose = read_revision([str(tmp_path / "d.yaml")])
    assert loose.commit is None and loose.date == "2023-11-14"
    assert revision_text(loose) == "no git revision (not a git checkout)"
    inside = read_revision([str(SPECS / "gb200-nvl72")])
    assert inside.commit is not None and re.fullmatch(r"[0-9a-f]{40}", inside.commit)
    assert re.fullmatch(r"[0-9a-f]{12}( \+ uncommitted changes)?", revision_text(inside))
    assert inside.date == "2023-11-14"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    dated = read_revision([str(SPECS / "gb200-nvl72")])
    assert dated.date is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dated.date)
    assert read_revision([str(SPECS / "gb200-nvl72")]) == dated  # same state, same block


def test_cli_sheets_carry_a_title_block(cli, tmp_path: Path) -> None:
    res = cli("render", str(SPECS / "gb200-nvl72"), "--view", "all", "--format", "dot",
              "--out", str(tmp_path))
    assert res.code == 0, res.err
    texts = {p.stem: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    n = len(texts)
    for k, text in enumerate(sorted(texts.values(), key=lambda t: t)):
        assert "DESIGN" in text and "<b>gb200-nvl72</b>" in text, k
        assert "<b>validated clean</b>" in text and f" of {n}</b>" in text
        assert "REVISION" in text and "DATE" in text and "SCALE" in text
