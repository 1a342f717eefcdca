"""Text in diagrams agrees with `superpod summary`: the totals printed in the subtitles of the
pod wiring, power and cooling views are the summary's numbers (to the printed precision)."""

from __future__ import annotations

import re

import pytest

from superpod_iac.config import Config
from superpod_iac.metrics import summary_rows
from superpod_iac.pipeline import load_project
from superpod_iac.render import LEVELS, VIEWS, design_title, plan
from tests.conftest import SPECS

SINGLE_POD = ["gb200-nvl72", "cloudmatrix-384", "dgx-superpod-su", "al128", "nvl144"]


def _kw(text: str, what: str) -> float:
    m = re.search(r"([\d,.]+) (kW|MW) " + re.escape(what), text)
    assert m, f"{what!r} not in {text!r}"
    value = float(m.group(1).replace(",", ""))
    return value * 1000 if m.group(2) == "MW" else value


def _int(text: str, what: str) -> int:
    m = re.search(r"([\d,]+) " + re.escape(what), text)
    assert m, f"{what!r} not in {text!r}"
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("spec", SINGLE_POD)
def test_diagram_totals_match_the_summary(spec: str) -> None:
    inv = load_project([str(SPECS / spec)], Config(), check=False).inventory
    _, rows = summary_rows(inv)
    summary = {str(r[1]): r[2] for r in rows}
    subs = {j.name: " ".join(j.build().subtitle)
            for j in plan(inv, VIEWS, [lv for lv in LEVELS if lv != "cabinet"],
                          design_title(inv, spec))}
    pod = next(v for k, v in subs.items() if k.startswith("wiring-pod-"))
    assert _int(pod, "accelerators") == summary["accelerators"]
    assert _int(pod, "links") == summary["links"]
    assert _int(pod, "cabinet") == summary["cabinets"]
    assert _kw(pod, "IT load") == pytest.approx(summary["power max"], abs=0.05)
    assert _kw(subs["power"], "IT load") == pytest.approx(summary["power max"], abs=0.05)
    assert _int(subs["power"], "cabinet") == summary["cabinets"]
    assert _kw(subs["cooling"], "to liquid") == pytest.approx(summary["heat to liquid"], abs=0.05)
    assert _kw(subs["cooling"], "to air") == pytest.approx(summary["heat to air"], abs=0.05)


def test_cooling_counts_cdus_and_units_apart() -> None:
    inv = load_project([str(SPECS / "gb200-nvl72")], Config(), check=False).inventory
    job = plan(inv, ["cooling"], LEVELS, "t")[0]
    graph = job.build()
    assert graph.subtitle[0].startswith("2 CDUs in 1 cooling unit")
    air_edges = [e for e in graph.edges if e.style == "air" and e.label != "within"]
    assert len(air_edges) == 1  # the cabinet's air heat is drawn once, not to hall and zone


def test_elevation_subtitle_reads_well() -> None:
    inv = load_project([str(SPECS / "gb200-nvl72")], Config(), check=False).inventory
    text = " ".join(plan(inv, ["elevation"], LEVELS, "t")[0].build().subtitle)
    assert "1 distinct layout (" in text and "layouts" not in text
