"""physics.py against hand calculations, including REFERENCE.md's worked examples."""

from __future__ import annotations

import math

import pytest

from superpod_iac import physics


def test_three_phase_current_reference_example() -> None:
    # REFERENCE.md s2: 132 kW at 415 V, PF 0.95 -> 193 A
    assert physics.three_phase_current_a(132_000, 415, 0.95) == pytest.approx(193.3, abs=0.1)


def test_single_phase_current() -> None:
    # 10 kW at 230 V, PF 1.0 -> 43.5 A
    assert physics.single_phase_current_a(10_000, 230, 1.0) == pytest.approx(43.48, abs=0.01)


def test_usable_kva_reference_example() -> None:
    # REFERENCE.md s2: 415 V 60 A 3-phase: 43.1 kVA, 34.5 kVA at 80 %
    assert physics.circuit_kva(415, 60, 3) == pytest.approx(43.1, abs=0.05)
    assert physics.circuit_kva(415, 60, 3, 0.8) == pytest.approx(34.5, abs=0.05)
    assert physics.circuit_kva(230, 32, 1) == pytest.approx(7.36, abs=0.01)
    # S = P / PF by hand: 1,000 kW at PF 0.95 -> 1,052.6 kVA; at PF 1 the same figure
    assert physics.apparent_kva(1000, 0.95) == pytest.approx(1052.63, abs=0.01)
    assert physics.apparent_kva(800, 1.0) == 800


def test_circuit_capacity_real_power() -> None:
    # 415 V x 250 A x sqrt(3) x 0.95 x 0.8 = 136.6 kW
    assert physics.circuit_capacity_w(415, 250, 3, 0.95, 0.8) == pytest.approx(136_628, rel=1e-3)


def test_derating_and_100pct_assemblies() -> None:
    assert physics.derated_w(100_000, 0.8) == 80_000
    assert physics.derated_w(100_000, 0.8, continuous_100pct=True) == 100_000


def test_input_power_through_psu_efficiency() -> None:
    assert physics.input_power_w(96_000, 0.96) == pytest.approx(100_000)
    assert physics.input_power_w(96_000, None) == 96_000
    with pytest.raises(ValueError):
        physics.input_power_w(1, 0)


def test_coolant_flow_reference_examples() -> None:
    # REFERENCE.md s3: water 995.6 kg/m3, 4.18 kJ/kgK -> 1.44 L/min per kW at 10 K
    assert physics.coolant_flow_lpm(1000, 995.6, 4.18, 10) == pytest.approx(1.44, abs=0.005)
    # PG25 1,019 kg/m3, 3.94 kJ/kgK -> 1.49 L/min per kW
    assert physics.coolant_flow_lpm(1000, 1019, 3.94, 10) == pytest.approx(1.49, abs=0.005)
    # a 132 kW rack needs ~200 L/min (at the 1.5 L/min/kW guidance; water gives 190)
    assert physics.coolant_flow_lpm(132_000, 995.6, 4.18, 10) == pytest.approx(190.3, abs=0.5)
    with pytest.raises(ValueError):
        physics.coolant_flow_lpm(1000, 995.6, 4.18, 0)


def test_heat_split() -> None:
    assert physics.heat_split_w(5400, 0.85) == pytest.approx((4590, 810))


def test_cable_run_on_floor_grid() -> None:
    # 3 slots apart (1.8 m) + 1.2 m cross-aisle, 2 m rise at each end -> 7.0 m;
    # +10 % = 7.7 m, +1 m = 8.7 m
    run = physics.cable_run_m(0, 0, 1.8, 1.2, 2.0, 2.0, 10, 1.0)
    assert run == pytest.approx(8.7)
    assert physics.manhattan_m(0, 0, -3, 4) == 7


def test_intra_cabinet_and_u_positions() -> None:
    assert physics.u_to_mm(1, 44.45) == 0
    assert physics.u_to_mm(11, 44.45) == pytest.approx(444.5)
    assert physics.intra_cabinet_run_m(10, 20, 44.45, 0.5) == pytest.approx(0.9445)


def test_round_up_to_stock() -> None:
    stock = [1, 2, 3, 5, 7, 10]
    assert physics.round_up_to_stock(2.1, stock) == 3
    assert physics.round_up_to_stock(3.0, stock) == 3
    assert physics.round_up_to_stock(10.5, stock) is None
    assert physics.round_up_to_stock(2.1, []) == 2.5


def test_channel_loss_and_budget() -> None:
    # 500 m of OS2 at 0.4 dB/km + 2 mated LC pairs at 0.5 dB = 0.2 + 1.0 = 1.2 dB
    assert physics.channel_loss_db(500, 0.4, 2, 0.5) == pytest.approx(1.2)
    # 100 m OM4 at 3.5 dB/km through one patch panel with MPO (0.75 dB) = 0.35 + 0.75
    assert physics.channel_loss_db(100, 3.5, 0, 0.75, patch_panels=1) == pytest.approx(1.1)
    assert physics.power_budget_db(-2.0, -6.5, 0.5) == pytest.approx(4.0)


def test_floor_load_reference_example() -> None:
    # REFERENCE.md s5: 1,360 kg on 0.6 x 1.2 m ~ 1,890 kg/m2
    assert physics.floor_load_kg_m2(1360, 600, 1200) == pytest.approx(1889, abs=1)


def test_floor_area_by_hand() -> None:
    # one row of 10 cabinets 0.6 x 1.2 m: 6.0 x 1.2 m block, 1.2 m clearance all round:
    # 8.4 x 3.6 = 30.24 m2
    assert physics.floor_area_m2(0.0, 6.0, -0.6, 0.6, 1.2) == pytest.approx(30.24)
    # Atlas 950 layout: 26 slots of 0.6 m, rows y = 0 .. 22.8 of 1.2 m-deep cabinets, 1.8 m:
    # (15.6 + 3.6) x (24.0 + 3.6) = 529.92 m2
    assert physics.floor_area_m2(0.0, 15.6, -0.6, 23.4, 1.8) == pytest.approx(529.92)
    with pytest.raises(ValueError):
        physics.floor_area_m2(1.0, 0.0, 0.0, 1.0, 0.0)
    with pytest.raises(ValueError):
        physics.floor_area_m2(0.0, 1.0, 0.0, 1.0, -1.0)


def test_summary_floor_area_of_the_atlas_950_hall() -> None:
    """`summary`'s floor area is the Atlas 950 cabinet block from its rows (see above)."""
    from superpod_iac.docs_build.figures import spec_metrics
    from tests.conftest import SPECS

    value, unit = spec_metrics(SPECS / "atlas-950")["floor area"]
    assert unit == "m2" and value == pytest.approx(529.9, abs=0.05)


def test_phase_imbalance() -> None:
    assert physics.phase_imbalance_pct([10, 10, 10]) == 0
    # mean 10, max deviation 5 -> 50 %
    assert physics.phase_imbalance_pct([15, 10, 5]) == pytest.approx(50)
    assert physics.phase_imbalance_pct([0, 0, 0]) == 0
    assert physics.phase_imbalance_pct([30, 0, 0]) == pytest.approx(200)


def test_surviving_load_share() -> None:
    assert physics.surviving_load_share_w(120, 2, 1) == 120
    assert physics.surviving_load_share_w(120, 4, 1) == 40
    with pytest.raises(ValueError):
        physics.surviving_load_share_w(120, 2, 2)
    assert math.isclose(physics.three_phase_current_a(0, 415, 0.9), 0)


def test_input_voltage_fits_hand_checked() -> None:
    # 415 V 3-phase shelf on 208 V: 49.9 % off -> no; on 400 V: 3.6 % off -> yes
    assert not physics.input_voltage_fits(415, 3, 208, 3, 10)
    assert physics.input_voltage_fits(415, 3, 400, 3, 10)
    # 3-phase input on a single-phase supply never fits
    assert not physics.input_voltage_fits(415, 3, 415, 1, 10)
    # 230 V single-phase PSU on a 400 V wye, line-to-neutral: 400 / sqrt 3 = 230.9 V
    assert physics.line_to_neutral_v(400) == pytest.approx(230.94, abs=0.01)
    assert physics.input_voltage_fits(230, 1, 400, 3, 10)
    # 230 V PSU on a 120 V single-phase circuit: 47.8 % off
    assert not physics.input_voltage_fits(230, 1, 120, 1, 10)


def test_ups_runtime_hand_checked() -> None:
    # ELC003 example: 4 kWh x 0.96 / 63.7 kW x 60 = 3.62 min; 10 kWh: 9.04 min
    assert physics.ups_runtime_min(4, 63_700, 0.96) == pytest.approx(3.617, abs=0.001)
    assert physics.ups_runtime_min(10, 63_700, 0.96) == pytest.approx(9.042, abs=0.001)
    assert physics.ups_runtime_min(10, 0) == math.inf


def test_cdu_min_supply_hand_checked() -> None:
    # CLG006 example: 40 C facility water + 6 K approach = 46 C; 30 C + 6 K = 36 C
    assert physics.cdu_min_supply_c(40, 6) == 46
    assert physics.cdu_min_supply_c(30, 6) == 36


def test_channel_loss_counts_both_ends_and_every_panel() -> None:
    # OPT003 example: 400GBASE-DR4 over 200 m OS2 (0.5 dB/km), 0.75 dB per mated MPO pair
    assert physics.channel_loss_db(200, 0.5, 2, 0.75) == pytest.approx(1.60)
    assert physics.channel_loss_db(200, 0.5, 2, 0.75, patch_panels=2) == pytest.approx(3.10)
    # OPT004 example: one patch panel -> 2.35 dB, 0.65 dB left of 3.0
    assert physics.channel_loss_db(200, 0.5, 2, 0.75, patch_panels=1) == pytest.approx(2.35)
    # two splices at 0.3 dB (TIA-568.3-D) on top
    assert physics.channel_loss_db(200, 0.5, 2, 0.75, splices=2, splice_loss_db=0.3) == \
        pytest.approx(2.20)


def test_pump_example_flow_hand_checked() -> None:
    # RED004 example: 173.3 kW of PG25 (1019 kg/m3, 3.94 kJ/kg K) at dT 10 K -> 258.9 L/min
    assert physics.coolant_flow_lpm(173_264, 1019, 3.94, 10) == pytest.approx(258.9, abs=0.1)


@pytest.mark.parametrize(("kva", "pct"), [(100, 4.0), (630, 4.0), (631, 5.0), (1250, 5.0),
                                          (2000, 6.0), (2500, 6.0), (3150, 7.0), (10000, 8.0),
                                          (31500, 10.0), (50000, 11.0), (80000, 12.5),
                                          (250000, 12.5)])
def test_min_transformer_impedance_is_iec_60076_5_table_1(kva: float, pct: float) -> None:
    assert physics.min_transformer_impedance_pct(kva) == pct
