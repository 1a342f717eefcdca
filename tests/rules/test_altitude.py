"""Altitude (issue #29 item 5): thinner air removes less heat, and allowable inlets fall."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac import physics
from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"

HALL = """\
apiVersion: superpod-iac/v1alpha1
kind: Site
metadata: {name: mountain}
spec:
  halls:
    - name: hall2
      floor_load_kg_m2: 2500
      air_capacity_kw: AIR
      supply_air_c: 27
      ALTITUDE
      rows: [{name: B, slots: 4}]
---
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: a1-servers}
spec:
  device_types:
    - {name: a1-server, role: compute, height_u: 2, weight_kg: 20, max_w: 2000, max_inlet_c: 32}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: rack-01}
spec:
  type: light-rack
  location: {hall: hall2, row: B, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: "srv[1-4]", type: a1-server, u: "[1,3,5,7]"}
"""


def _findings(cli, tmp_path: Path, air_kw: float, altitude: float | None) -> dict[str, list[str]]:
    text = HALL.replace("AIR", f"{air_kw:g}").replace(
        "ALTITUDE", f"altitude_m: {altitude:g}" if altitude is not None else "")
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    out: dict[str, list[str]] = {}
    for d in cli("validate", "--format", "json", str(BASE), str(path)).json()["diagnostics"]:
        out.setdefault(d["rule"], []).append(d["message"])
    return out


def test_density_ratio_by_hand() -> None:
    # (1 - 2.25577e-5 x 2000)^5.2559 = 0.954885^5.2559 = 0.7845
    assert physics.air_density_ratio(0) == 1.0
    assert physics.air_density_ratio(2000) == pytest.approx(0.7845, abs=1e-4)
    assert physics.air_density_ratio(1500) == pytest.approx(0.8346, abs=1e-4)


@given(st.floats(-400, 5000), st.floats(1, 3000))
def test_higher_never_cools_more(altitude: float, rise: float) -> None:
    assert physics.air_density_ratio(altitude + rise) < physics.air_density_ratio(altitude)


def test_air_capacity_is_derated_at_altitude(cli, tmp_path: Path) -> None:
    # four 2 kW air-cooled servers leave 8 kW to the air; a 9 kW air side is enough at sea
    # level, but at 2,000 m it removes 9 x 0.7845 = 7.06 kW
    assert "CLG007" not in _findings(cli, tmp_path, 9, None)
    assert "CLG007" not in _findings(cli, tmp_path, 9, 0)
    found = _findings(cli, tmp_path, 9, 2000)["CLG007"]
    assert found == ["hall hall2 gets 8.0 kW of residual air heat from 1 cabinet(s) > 7.1 kW "
                     "air-side capacity (x 0.785 air density at 2000 m of the sea-level rating)"]


def test_inlet_limit_is_derated_above_900_m(cli, tmp_path: Path) -> None:
    # ASHRAE A1/A2: 1 C per 300 m above 900 m. 32 C devices at 2,000 m allow 32 - 1100 / 300
    # = 28.33 C (27 C supply passes); at 2,700 m 32 - 6 = 26 C (27 C supply fails)
    assert "TMP001" not in _findings(cli, tmp_path, 50, 2000)
    found = _findings(cli, tmp_path, 50, 2700)["TMP001"]
    assert found == ["4 x a1-server in rack-01 (rack-01/srv1, ...) get 27 C supply air > 26 C "
                     "maximum inlet (32 C rated, derated at 2700 m)"]


def test_a_machine_above_its_rated_altitude_without_derating_is_a_finding(cli, tmp_path: Path) -> None:
    fixture = (RULE_FIXTURES / "pass" / "ELC026.yaml").read_text(encoding="utf-8")
    path = tmp_path / "ups.yaml"
    path.write_text(fixture.replace(', altitude_derating: {above_m: 1000, pct_per_100m: 1, '
                                    'source: "fixture datasheet"}', ""), encoding="utf-8")
    res = cli("validate", "--format", "json", str(BASE), str(path))
    found = [d["message"] for d in res.json()["diagnostics"] if d["rule"] == "ELC026"]
    assert found == ["ups ups-A2 at 2500 m is above the 1000 m its 10 kW nameplate holds, and "
                     "declares no altitude_derating: its capacity there is unknown"]
    assert res.code == 1
