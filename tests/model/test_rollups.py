"""Power and cooling roll-ups on the NVL72 reference design, checked by hand."""

from __future__ import annotations

import pytest

from superpod_iac.config import Config
from superpod_iac.model.cooling import cooling_plan
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.model.power import power_tree, shelf_capacity
from superpod_iac.pipeline import load_project
from tests.conftest import SPECS


@pytest.fixture(scope="module")
def inv():
    return load_project([str(SPECS / "gb200-nvl72")], Config()).inventory


def test_cabinet_load_by_hand(inv) -> None:
    # 18 x 6.37 kW trays (itemised) + 9 x 1.8 kW switch trays + 2 x 0.25 kW mgmt = 131.36 kW
    load = cabinet_loads(inv)["nvl72-01"]
    assert load.max_w == pytest.approx(131_360)
    # liquid: 18 x 6370 x 0.85 + 9 x 1800 x 0.7 = 97,461 + 11,340 = 108,801 W
    assert load.liquid_w == pytest.approx(108_801)


def test_power_tree_by_hand(inv) -> None:
    tree = power_tree(inv)
    # 131.36 kW through 96 %-efficient shelves = 136.83 kW, half on each side
    assert tree.normal.loads_w["nvl72-feed-A1"] == pytest.approx(131_360 / 0.96 / 2)
    assert tree.normal.loads_w["nvl72-utility"] == pytest.approx(131_360 / 0.96)
    # side B fails: feed-A1 carries everything
    load, scenario = tree.worst["nvl72-feed-A1"]
    assert load == pytest.approx(131_360 / 0.96)
    assert scenario == "side B fails"
    # 415 V, 300 A, PF 0.95, 80 % = 163.9 kW
    assert tree.capacity["nvl72-feed-A1"].derated_w == pytest.approx(163_954, rel=1e-3)


def test_shelf_capacity_by_hand(inv) -> None:
    total, worst, what = shelf_capacity(inv)["nvl72-01"]
    assert total == 8 * 33_000
    assert worst == 4 * 33_000 and what.startswith("side")


def test_cooling_plan_by_hand(inv) -> None:
    plan = cooling_plan(inv)
    unit = plan.units["nvl72-tcs"]
    assert unit.heat_w == pytest.approx(108_801)
    # PG25: 108.801 kW / (1019 x 3.94 x 10) m3/s = 162.6 L/min
    assert unit.required_lpm == pytest.approx(162.6, abs=0.1)
    assert unit.capacity_after_loss_w() == 250_000
    # residual air: 131.36 - 108.801 = 22.559 kW
    assert plan.residual_air_w["nvl72-01"] == pytest.approx(22_559)
