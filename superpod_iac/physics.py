"""Physics: plain formulas only (no I/O, no catalog figures; every figure comes in as an argument).

Power (REFERENCE.md s2), cooling (s3), optics (s4), space and cabling (s5). Each function raises
ValueError on inputs that would divide by zero; schemas forbid those values upstream.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SQRT3 = math.sqrt(3.0)


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be > 0 (got {value})")


def three_phase_current_a(power_w: float, voltage_ll_v: float, pf: float) -> float:
    """Line current of a balanced three-phase load: I = P / (sqrt(3) * V_LL * PF)."""
    _positive("voltage", voltage_ll_v)
    _positive("power factor", pf)
    return power_w / (SQRT3 * voltage_ll_v * pf)


def single_phase_current_a(power_w: float, voltage_ln_v: float, pf: float) -> float:
    """Current of a single-phase load: I = P / (V_LN * PF)."""
    _positive("voltage", voltage_ln_v)
    _positive("power factor", pf)
    return power_w / (voltage_ln_v * pf)


def circuit_kva(voltage_v: float, breaker_a: float, phases: int, derating: float = 1.0) -> float:
    """Apparent power of a circuit: 3-phase V_LL * I * sqrt(3) * derate; 1-phase V * I * derate."""
    factor = SQRT3 if phases == 3 else 1.0
    return voltage_v * breaker_a * factor * derating / 1000.0


def circuit_capacity_w(voltage_v: float, breaker_a: float, phases: int, pf: float,
                       derating: float) -> float:
    """Real power a circuit carries continuously: kVA * PF, with the continuous-load derating."""
    return circuit_kva(voltage_v, breaker_a, phases, derating) * pf * 1000.0


def derated_w(rating_w: float, derating: float, continuous_100pct: bool = False) -> float:
    """Continuous capacity: 80 % of the rating (NEC 210.20(A)) unless the assembly is 100 %-rated."""
    return rating_w if continuous_100pct else rating_w * derating


def input_power_w(output_w: float, efficiency: float | None) -> float:
    """Power drawn upstream of a conversion stage (PSU, UPS): output / efficiency."""
    if efficiency is None:
        return output_w
    _positive("efficiency", efficiency)
    return output_w / efficiency


def coolant_flow_lpm(heat_w: float, density_kg_m3: float, specific_heat_kj_kg_k: float,
                     delta_t_c: float) -> float:
    """Coolant flow for a heat load: V = Q / (rho * c_p * dT), in litres per minute."""
    _positive("density", density_kg_m3)
    _positive("specific heat", specific_heat_kj_kg_k)
    _positive("temperature rise", delta_t_c)
    m3_per_s = heat_w / (density_kg_m3 * specific_heat_kj_kg_k * 1000.0 * delta_t_c)
    return m3_per_s * 1000.0 * 60.0


def heat_split_w(power_w: float, liquid_fraction: float) -> tuple[float, float]:
    """Heat to liquid and to air: (P * f, P * (1 - f))."""
    return power_w * liquid_fraction, power_w * (1.0 - liquid_fraction)


def manhattan_m(x1: float, y1: float, x2: float, y2: float) -> float:
    """Horizontal run along rows and the cross-aisle: |dx| + |dy|."""
    return abs(x1 - x2) + abs(y1 - y2)


def cable_run_m(x1: float, y1: float, x2: float, y2: float, rise_a_m: float, rise_b_m: float,
                slack_pct: float, slack_m: float) -> float:
    """Cable length between cabinets: (Manhattan run + rise at both ends) * (1 + pct) + fixed slack."""
    run = manhattan_m(x1, y1, x2, y2) + rise_a_m + rise_b_m
    return run * (1.0 + slack_pct / 100.0) + slack_m


def u_to_mm(u: int, u_height_mm: float) -> float:
    """Height of the bottom of rack unit `u` above the cabinet floor (U1 starts at 0)."""
    return max(u - 1, 0) * u_height_mm


def intra_cabinet_run_m(u_a: int, u_b: int, u_height_mm: float, slack_m: float) -> float:
    """Cable length inside one cabinet: vertical distance between the two U positions + slack."""
    return abs(u_a - u_b) * u_height_mm / 1000.0 + slack_m


def round_up_to_stock(length_m: float, stocked_lengths_m: Sequence[float]) -> float | None:
    """Smallest stocked length >= length; None when none is long enough.

    With no stocked lengths (cut to order) the length is rounded up to the next 0.5 m.
    """
    if not stocked_lengths_m:
        return math.ceil(length_m * 2.0 - 1e-9) / 2.0
    fits = [s for s in stocked_lengths_m if s >= length_m - 1e-9]
    return min(fits) if fits else None


def channel_loss_db(length_m: float, attenuation_db_per_km: float, connector_pairs: int,
                    connector_loss_db: float, patch_panels: int = 0, splices: int = 0,
                    splice_loss_db: float = 0.1) -> float:
    """Optical channel insertion loss: km * dB/km + (mated pairs + patch panels) * loss + splices."""
    return (length_m / 1000.0 * attenuation_db_per_km
            + (connector_pairs + patch_panels) * connector_loss_db
            + splices * splice_loss_db)


def power_budget_db(tx_oma_min_dbm: float, rx_sensitivity_oma_dbm: float,
                    penalties_db: float = 0.0) -> float:
    """Module-level budget: Tx OMA(min) - Rx sensitivity(OMA) - penalties."""
    return tx_oma_min_dbm - rx_sensitivity_oma_dbm - penalties_db


def floor_load_kg_m2(weight_kg: float, width_mm: float, depth_mm: float) -> float:
    """Distributed load of a cabinet on its footprint."""
    _positive("width", width_mm)
    _positive("depth", depth_mm)
    return weight_kg / (width_mm / 1000.0 * depth_mm / 1000.0)


def floor_area_m2(x0_m: float, x1_m: float, y0_m: float, y1_m: float, margin_m: float) -> float:
    """Floor a block of cabinets takes: its bounding rectangle (cabinets and the aisles between
    them) with a service clearance of `margin_m` on every side."""
    if x1_m < x0_m or y1_m < y0_m:
        raise ValueError("floor_area_m2: empty extent")
    if margin_m < 0:
        raise ValueError("floor_area_m2: negative margin")
    return (x1_m - x0_m + 2.0 * margin_m) * (y1_m - y0_m + 2.0 * margin_m)


def phase_imbalance_pct(loads: Sequence[float]) -> float:
    """NEMA imbalance: largest deviation from the mean phase load, over the mean, in percent."""
    if not loads:
        return 0.0
    mean = sum(loads) / len(loads)
    if mean <= 0:
        return 0.0
    return max(abs(x - mean) for x in loads) / mean * 100.0


def surviving_load_share_w(total_w: float, feeds_total: int, feeds_lost: int) -> float:
    """Load on each surviving feed when a shared load loses `feeds_lost` of its feeds."""
    left = feeds_total - feeds_lost
    if left <= 0:
        raise ValueError("no feed survives: the load is unsupplied")
    return total_w / left


def line_to_neutral_v(voltage_ll_v: float) -> float:
    """Phase (line-to-neutral) voltage of a wye system: V_LN = V_LL / sqrt(3) (415 V -> 240 V)."""
    return voltage_ll_v / SQRT3


def within_pct(value: float, nominal: float, tolerance_pct: float) -> bool:
    """|value - nominal| <= nominal x tolerance %."""
    return abs(value - nominal) <= abs(nominal) * tolerance_pct / 100.0 + 1e-9


def input_voltage_fits(nominal_v: float, input_phases: int, supply_v: float, supply_phases: int,
                       tolerance_pct: float) -> bool:
    """Does a PSU of nominal input `nominal_v` run from a supply of `supply_v`?

    A 3-phase input needs a 3-phase supply with V_LL within the tolerance. A 1-phase input on a
    3-phase wye may be wired line-to-line (V_LL) or line-to-neutral (V_LL / sqrt 3); on a
    1-phase supply it sees the supply voltage."""
    if input_phases == 3:
        return supply_phases == 3 and within_pct(supply_v, nominal_v, tolerance_pct)
    candidates = [supply_v]
    if supply_phases == 3:
        candidates.append(line_to_neutral_v(supply_v))
    return any(within_pct(v, nominal_v, tolerance_pct) for v in candidates)


def ups_runtime_min(battery_kwh: float, load_w: float, efficiency: float | None = None) -> float:
    """Battery runtime at a constant load: t = E x efficiency / P, in minutes (inf at no load).

    A first-order estimate: it ignores Peukert losses at high discharge rates, so real runtimes
    at full load come out shorter; use the vendor's runtime curve for the final design."""
    if load_w <= 0:
        return math.inf
    eta = 1.0 if efficiency is None else efficiency
    return battery_kwh * 1000.0 * eta / load_w * 60.0


def cdu_min_supply_c(facility_supply_c: float, approach_c: float) -> float:
    """Coldest coolant a liquid-to-liquid CDU can deliver: facility water + approach."""
    return facility_supply_c + approach_c


def link_gbytes_s_bidirectional(gbps: float) -> float:
    """A full-duplex link's rate as vendors quote per-accelerator bandwidth: both directions,
    in bytes: B = 2 x R / 8 (GB/s from Gb/s per direction). A Blackwell GPU's 18 NVLink 5
    links of 400 Gb/s per direction give 2 x 18 x 400 / 8 = 1,800 GB/s, NVIDIA's 1.8 TB/s."""
    return 2.0 * gbps / 8.0


def shortfall_pct(declared: float, modelled: float) -> float:
    """How far a modelled figure falls short of (negative: exceeds) a declared one:
    (declared - modelled) / declared x 100."""
    return (declared - modelled) / declared * 100.0 if declared else 0.0
