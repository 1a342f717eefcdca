"""Declared vs modelled bandwidth (TOP020, model/bandwidth.py): hand calculations and the
rule's thresholds as a property over link counts, speeds and claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac import physics
from superpod_iac.config import Config
from superpod_iac.diagnostics import Severity
from superpod_iac.metrics import metric_rows, pick_system
from superpod_iac.pipeline import load_project
from tests.conftest import FIXTURES, SPECS

BASE = FIXTURES / "rules" / "_base.yaml"
FAIL = (FIXTURES / "rules" / "TOP020.yaml").read_text(encoding="utf-8")


def test_link_rate_hand_checked() -> None:
    # NVLink 5: 18 links x 400 Gb/s per direction = 1,800 GB/s both directions
    assert physics.link_gbytes_s_bidirectional(18 * 400) == pytest.approx(1800)
    # the old Atlas 950 model: 72 x 400G per 8-NPU node = 900 GB/s per NPU, 55 % short of 2 TB/s
    assert physics.link_gbytes_s_bidirectional(72 * 400) / 8 == pytest.approx(900)
    assert physics.shortfall_pct(2000, 900) == pytest.approx(55.0)
    assert physics.shortfall_pct(0, 900) == 0.0


def _design(tmp: Path, links: int, speed: int, claim: int) -> list[str]:
    text = (FAIL.replace("scale_up_gbytes_s: 2000", f"scale_up_gbytes_s: {claim}")
            .replace("speed_gbps: 400, plane: scale-up", f"speed_gbps: {speed}, plane: scale-up")
            .replace("ub[1-9]", f"ub[1-{links}]"))
    path = tmp / "design.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(BASE), str(path)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=st.integers(1, 24), speed=st.sampled_from([100, 200, 400, 800]),
       claim=st.integers(50, 4000))
def test_severity_follows_the_shortfall(tmp_path: Path, links: int, speed: int,
                                        claim: int) -> None:
    project = load_project(_design(tmp_path, links, speed, claim), Config())
    found = [d for d in project.diagnostics if d.rule == "TOP020"]
    modelled = physics.link_gbytes_s_bidirectional(links * speed)
    short = physics.shortfall_pct(claim, modelled)
    expected = (None if short <= 5 else Severity.WARNING if short <= 25 else Severity.ERROR)
    assert [d.severity for d in found] == ([] if expected is None else [expected])
    if found:
        assert f"{modelled:,.0f} GB/s per accelerator" in found[0].message
    # summary shows the links' figure beside the catalog's
    inv = project.inventory
    rows = {m: v for m, v, _u in metric_rows(pick_system(inv, None)[1])}
    assert rows["scale-up bandwidth per accelerator"] == pytest.approx(claim)
    assert rows["scale-up bandwidth per accelerator (links)"] == pytest.approx(modelled)


@pytest.mark.parametrize("spec", ["atlas-950", "atlas-960", "gb200-nvl72"])
def test_reference_designs_links_carry_their_claim(spec: str) -> None:
    inv = load_project([str(SPECS / spec)], Config(select=["SCH", "REF"])).inventory
    rows = {m: v for m, v, _u in metric_rows(pick_system(inv, None)[1])}
    assert rows["scale-up bandwidth per accelerator (links)"] == \
        pytest.approx(rows["scale-up bandwidth per accelerator"])


def test_compare_states_each_systems_boundary(cli) -> None:
    """`compare` says what each system counts (issue 27): the CloudMatrix 384 with its in-pod
    scale-out network, the NVL72 spec as the rack alone, so a 4.25x power ratio is read at its
    boundary; the scale-out rows give the links' figures."""
    res = cli("compare", str(SPECS / "cloudmatrix-384"), str(SPECS / "gb200-nvl72"),
              "--format", "json")
    assert res.code == 0, res.err
    rows = {r["metric"]: r for r in res.json()["rows"]}
    b = rows["system boundary"]
    assert "scale-out network" in b["cloudmatrix-384"]
    assert "rack only" in b["gb200-nvl72"] and b["ratio A/B"] is None
    assert rows["scale-out bandwidth aggregate (links)"]["cloudmatrix-384"] == pytest.approx(38.4)
    assert rows["accelerators"]["unit"] == "packages"
    assert rows["accelerator dies"]["unit"] == "dies"


OCS_FAIL = (FIXTURES / "rules" / "TOP021.yaml").read_text(encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=st.integers(1, 2), ports=st.integers(1, 6))
def test_optical_port_budget_is_exact(tmp_path: Path, links: int, ports: int) -> None:
    """TOP021 fires exactly when 2 x optical links exceed the pass-through devices' ports."""
    text = (OCS_FAIL.replace('ports: "oc[1-2]"', f'ports: "oc[1-{ports}]"')
            .replace('osfp[1-2]', f'osfp[1-{links}]'))
    path = tmp_path / "design.yaml"
    path.write_text(text, encoding="utf-8")
    project = load_project([str(BASE), str(path)], Config())
    found = [d for d in project.diagnostics if d.rule == "TOP021"]
    assert bool(found) == (2 * links > ports), [d.message for d in found]
    if found:
        assert f"{2 * links:,} link ends" in found[0].message and f"{ports:,} ports" in found[0].message
