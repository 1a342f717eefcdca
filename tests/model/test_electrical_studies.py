"""Voltage drop and fault current (physics + model.electrical), checked against hand arithmetic."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac import physics
from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"


@pytest.mark.parametrize("size,mm2", [("14", 2.08), ("12", 3.31), ("10", 5.26), ("4", 21.15),
                                      ("1/0", 53.48), ("4/0", 107.2), ("250kcmil", 126.7),
                                      ("500kcmil", 253.4)])
def test_awg_areas_match_astm_b258(size: str, mm2: float) -> None:
    assert physics.awg_area_mm2(size) == pytest.approx(mm2, rel=2e-3)


def test_voltage_drop_by_hand() -> None:
    # IEC 60364-5-52 G.52.1: 100 m of 16 mm2 copper, 3-phase 400 V, 50 A at PF 0.9:
    # R = 0.0225 x 100 / 16 = 0.1406 ohm, X = 0.008 ohm; u = (0.1406 x 0.9 + 0.008 x 0.436) x 50
    # = 6.502 V of 230.9 V = 2.82 %
    r, x = physics.conductor_impedance_ohm(100, 16, 0.0225, 0.08)
    assert (r, x) == pytest.approx((0.140625, 0.008))
    assert physics.voltage_drop_pct(50, r, x, 0.9, 400, 3) == pytest.approx(2.8155, abs=1e-3)
    # single phase 230 V, same conductor: b = 2 -> 2 x 6.502 V of 230 V = 5.654 %
    assert physics.voltage_drop_pct(50, r, x, 0.9, 230, 1) == pytest.approx(5.6543, abs=1e-3)


def test_fault_current_by_hand() -> None:
    # 1,000 kVA, 5 %, 400 V on an infinite bus: Z = 0.05 x 400^2 / 1e6 = 0.008 ohm;
    # I_k = 400 / (sqrt 3 x 0.008) = 28.87 kA (the textbook I_rT / u_k = 1443 A / 0.05)
    z = physics.transformer_impedance_ohm(400, 1000, 5)
    assert z == pytest.approx(0.008)
    assert physics.three_phase_fault_ka(400, 0, z) == pytest.approx(28.87, abs=0.01)
    assert physics.three_phase_fault_ka(400, 0, z) == pytest.approx(1000e3 / (math.sqrt(3) * 400)
                                                                     / 0.05 / 1000)


@given(st.floats(1, 500), st.floats(1.5, 630), st.floats(1, 2000), st.floats(0.5, 1.0))
def test_drop_grows_with_length_and_shrinks_with_size(length: float, size: float, amps: float,
                                                      pf: float) -> None:
    r, x = physics.conductor_impedance_ohm(length, size, 0.0225, 0.08)
    r2, x2 = physics.conductor_impedance_ohm(length * 2, size, 0.0225, 0.08)
    r3, x3 = physics.conductor_impedance_ohm(length, size * 2, 0.0225, 0.08)
    d = physics.voltage_drop_pct(amps, r, x, pf, 415, 3)
    assert physics.voltage_drop_pct(amps, r2, x2, pf, 415, 3) == pytest.approx(2 * d)
    assert physics.voltage_drop_pct(amps, r3, x3, pf, 415, 3) <= d + 1e-12


@given(st.floats(0.001, 1), st.floats(0, 1), st.floats(0, 1))
def test_more_impedance_never_more_fault_current(x: float, dr: float, dx: float) -> None:
    assert physics.three_phase_fault_ka(415, dr, x + dx) <= physics.three_phase_fault_ka(415, 0, x)


NO_FIGURES = """\
apiVersion: superpod-iac/v1alpha1
kind: PowerSystem
metadata: {name: unknown-source}
spec:
  nodes:
    - {name: grid2, type: utility, voltage_v: 11000, rating_kw: 3000}
    - {name: xfmr2, type: transformer, parent: grid2, voltage_v: 415, rating_kw: 1900}
    - {name: feed-A2, parent: xfmr2, side: A, voltage_v: 415, breaker_a: 100, sccr_ka: 35}
"""


def test_a_rating_that_cannot_be_checked_is_a_finding(cli, tmp_path: Path) -> None:
    # the transformer gives neither kVA nor %Z: the feed's 35 kA cannot be compared with
    # anything, and saying nothing would pass an under-rated breaker
    path = tmp_path / "p.yaml"
    path.write_text(NO_FIGURES, encoding="utf-8")
    res = cli("validate", "--format", "json", str(BASE), str(path))
    found = [d["message"] for d in res.json()["diagnostics"] if d["rule"] == "ELC023"]
    assert found == ["feed feed-A2: rated 35 kA, but the fault current there cannot be computed: "
                     "transformer xfmr2 declares no rating_kva or impedance_pct"]
    assert res.code == 1
    # with the nameplate given (and the source unknown: an infinite bus) it computes:
    # 0.06 x 415^2 / 2e6 = 0.005167 ohm -> 46.4 kA > 35 kA
    path.write_text(NO_FIGURES.replace("rating_kw: 1900}", "rating_kw: 1900, rating_kva: 2000, "
                                       "impedance_pct: 6}"), encoding="utf-8")
    found = [d["message"] for d in cli("validate", "--format", "json", str(BASE),
                                       str(path)).json()["diagnostics"] if d["rule"] == "ELC023"]
    assert found == ["feed feed-A2: prospective fault current 46.4 kA > its 35 kA short-circuit "
                     "rating"]


def test_neutral_current_by_hand() -> None:
    # balanced phases cancel; one loaded phase returns all of it; two equal phases return one
    assert physics.neutral_current_a(10, 10, 10, 0) == pytest.approx(0, abs=1e-9)
    assert physics.neutral_current_a(10, 0, 0, 0) == pytest.approx(10)
    assert physics.neutral_current_a(10, 10, 0, 0) == pytest.approx(10)
    # balanced 10 A with 57.7 % third harmonic: 0.577 x 30 = 17.3 A, 1.73 x the phase current
    assert physics.neutral_current_a(10, 10, 10, 0.57735 * 30) == pytest.approx(17.32, abs=0.01)


@given(st.floats(0, 500), st.floats(0, 500), st.floats(0, 500))
def test_neutral_fundamental_never_exceeds_the_largest_phase(a: float, b: float, c: float) -> None:
    assert physics.neutral_current_a(a, b, c, 0) <= max(a, b, c) + 1e-6


@pytest.mark.parametrize("old,new,hint", [
    ("size_mm2: 2.5", "size_mm2: 2.7", "did you mean 1.5 or 2.5?"),
    ("size_mm2: 2.5", 'awg: "4/00"', "did you mean '4/0'?"),
    ("material: copper", "material: coper", "did you mean 'copper'?"),
    ("size_mm2: 2.5", "size_mm2: 2.5, awg: '12'", "give the conductor's size once"),
])
def test_bad_conductors_are_schema_findings_with_a_hint(cli, tmp_path: Path, old: str, new: str,
                                                        hint: str) -> None:
    text = (RULE_FIXTURES / "ELC021.yaml").read_text(encoding="utf-8").replace(old, new)
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    res = cli("validate", "--format", "json", str(BASE), str(path))
    diags = res.json()["diagnostics"]
    assert res.code == 1
    assert [(d["rule"], d["line"]) for d in diags] == [("SCH004", 11)]
    assert hint in diags[0]["message"] + " " + (diags[0].get("hint") or "")


def test_neutral_takes_the_psus_catalog_thd_where_the_branch_declares_none(cli,
                                                                        tmp_path: Path) -> None:
    # ELC027's fixture without load_thd_pct on the branches, and the servers' PSUs declaring
    # 60 % current THD in the catalog: the same 23.7 A on the 20 A neutral
    text = (RULE_FIXTURES / "ELC027.yaml").read_text(encoding="utf-8").replace(
        ", load_thd_pct: 60", "")
    text += ("---\napiVersion: superpod-iac/v1alpha1\nkind: Catalog\nmetadata: {name: thd}\n"
             "spec:\n  device_types:\n    - {name: thd-server, role: compute, height_u: 2, "
             "weight_kg: 30, max_w: 2000, psus: {count: 2, cord: c20, current_thd_pct: 60}}\n")
    text = text.replace("type: fx-air-server", "type: thd-server")
    path = tmp_path / "h.yaml"
    path.write_text(text, encoding="utf-8")
    found = [d["message"] for d in cli("validate", "--format", "json", str(BASE),
                                       str(path)).json()["diagnostics"] if d["rule"] == "ELC027"]
    assert found == ["feed feed-3p: neutral carries 23.7 A (phases 13.2 / 13.2 / 13.2 A "
                     "line-to-neutral, third harmonic 60 %) > 20 A neutral",
                     # side B's feed declares no neutral: the same current, unchecked, is said
                     "feed feed-3p-b: its neutral carries 23.7 A (phases 13.2 / 13.2 / 13.2 A "
                     "line-to-neutral, third harmonic 60 %) but the node declares neither "
                     "neutral_a nor conductor_a: the neutral cannot be checked"]
    # without any THD figure only the (balanced) fundamentals remain: nothing on the neutral
    path.write_text(text.replace(", current_thd_pct: 60", ""), encoding="utf-8")
    found = [d for d in cli("validate", "--format", "json", str(BASE),
                            str(path)).json()["diagnostics"] if d["rule"] == "ELC027"]
    assert found == []
