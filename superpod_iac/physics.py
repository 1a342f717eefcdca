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


def apparent_kva(real_kw: float, pf: float) -> float:
    """Apparent power from real power: S = P / PF (1,000 kW at PF 0.95 -> 1,052.6 kVA)."""
    _positive("power factor", pf)
    return real_kw / pf


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


# ------------------------------------------------------------------ conductors and fault levels


def awg_area_mm2(size: str) -> float:
    """Cross-section of an AWG size or a kcmil size (ASTM B258): d = 0.127 mm x 92^((36 - n)/39)
    with n = 0, -1, -2, -3 for 1/0 .. 4/0; 1 kcmil = 0.506707 mm2. '4/0' -> 107.2 mm2,
    '12' -> 3.31 mm2, '250kcmil' -> 126.7 mm2."""
    text = size.strip().lower().replace(" ", "")
    if text.endswith("kcmil"):
        kcmil = float(text[:-5])
        _positive("kcmil", kcmil)
        return kcmil * 0.506707
    n = 1 - int(text[:-2]) if text.endswith("/0") else int(text)
    if not -3 <= n <= 40:
        raise ValueError(f"AWG size out of range: {size}")
    d = 0.127 * float(92 ** ((36 - n) / 39))
    return math.pi / 4 * d * d


def conductor_impedance_ohm(length_m: float, area_mm2: float, resistivity_ohm_mm2_m: float,
                            reactance_mohm_m: float, parallel: int = 1) -> tuple[float, float]:
    """Resistance and reactance of one phase conductor run (IEC 60364-5-52 Annex G):
    R = rho x L / S, X = lambda x L, both divided by the number of parallel sets."""
    _positive("conductor size", area_mm2)
    _positive("parallel sets", parallel)
    r = resistivity_ohm_mm2_m * length_m / area_mm2 / parallel
    x = reactance_mohm_m / 1000.0 * length_m / parallel
    return r, x


def voltage_drop_pct(current_a: float, r_ohm: float, x_ohm: float, pf: float, voltage_v: float,
                     phases: int) -> float:
    """Voltage drop of a circuit in % (IEC 60364-5-52 Annex G, G.52.1):
    u = b (R cos phi + X sin phi) I_B; b = 1 three-phase (relative to U0 = V_LL / sqrt 3),
    b = 2 single-phase (go and return conductor, relative to the circuit voltage)."""
    _positive("voltage", voltage_v)
    sin = math.sqrt(max(0.0, 1.0 - pf * pf))
    b, u0 = (1.0, voltage_v / SQRT3) if phases == 3 else (2.0, voltage_v)
    return 100.0 * b * (r_ohm * pf + x_ohm * sin) * current_a / u0


def source_reactance_ohm(voltage_ll_v: float, fault_ka: float) -> float:
    """Impedance of a source with a known available three-phase fault current, seen at its own
    voltage: Z = V_LL / (sqrt 3 x I_k) (IEC 60909-0, network feeder, taken as reactive)."""
    _positive("fault current", fault_ka)
    return voltage_ll_v / (SQRT3 * fault_ka * 1000.0)


def transformer_impedance_ohm(voltage_ll_v: float, rating_kva: float, impedance_pct: float) -> float:
    """Transformer short-circuit impedance referred to its secondary:
    Z_T = (u_k / 100) x V_LL^2 / S_rT (IEC 60909-0 eq. 7)."""
    _positive("transformer rating", rating_kva)
    return impedance_pct / 100.0 * voltage_ll_v ** 2 / (rating_kva * 1000.0)


def referred_ohm(z_ohm: float, from_v: float, to_v: float) -> float:
    """An impedance referred across a transformer: Z' = Z x (V_to / V_from)^2."""
    _positive("voltage", from_v)
    return z_ohm * (to_v / from_v) ** 2


def three_phase_fault_ka(voltage_ll_v: float, r_ohm: float, x_ohm: float) -> float:
    """Bolted three-phase fault current: I_k = V_LL / (sqrt 3 x |R + jX|) in kA (IEC 60909-0,
    voltage factor c = 1)."""
    z = math.hypot(r_ohm, x_ohm)
    _positive("fault-loop impedance", z)
    return voltage_ll_v / (SQRT3 * z) / 1000.0


# ------------------------------------------------------------------------------------ altitude


def air_density_ratio(altitude_m: float) -> float:
    """Air density at an altitude relative to sea level, at the same air temperature: the
    pressure ratio p / p0 = (1 - 2.25577e-5 x Z)^5.2559 (ASHRAE Handbook Fundamentals ch. 1,
    eq. 3; U.S. Standard Atmosphere). Air-side heat removal at a fixed volumetric flow
    (Q = rho V c_p dT) scales with it: 0.785 at 2,000 m."""
    if not -1000 <= altitude_m < 44_000:
        raise ValueError(f"altitude out of range: {altitude_m}")
    return float((1.0 - 2.25577e-5 * altitude_m) ** 5.2559)


def derated_inlet_c(max_inlet_c: float, altitude_m: float, above_m: float, m_per_c: float) -> float:
    """Allowable inlet temperature at altitude: 1 C less per `m_per_c` metres above `above_m`
    (ASHRAE TC 9.9 Thermal Guidelines, classes A1/A2: 1 C per 300 m above 900 m)."""
    _positive("metres per degree", m_per_c)
    return max_inlet_c - max(0.0, altitude_m - above_m) / m_per_c


def neutral_current_a(i1: float, i2: float, i3: float, third_a: float) -> float:
    """Neutral current of a wye feed with line-to-neutral loads: the phasor sum of the phase
    fundamentals (I_N1^2 = I1^2 + I2^2 + I3^2 - I1 I2 - I2 I3 - I3 I1) and the third
    harmonics, which add in the neutral (I_N3 = sum of the phases' third-harmonic currents);
    I_N = sqrt(I_N1^2 + I_N3^2) (IEC 60364-5-52 Annex E). With all of a load's THD taken as
    third harmonic this is an upper bound: balanced loads at h3 = 0.577 put 1.73 x the phase
    current on the neutral."""
    fund = max(0.0, i1 * i1 + i2 * i2 + i3 * i3 - i1 * i2 - i2 * i3 - i3 * i1)
    return math.sqrt(fund + third_a * third_a)
def link_gbytes_s_bidirectional(gbps: float) -> float:
    """A full-duplex link's rate as vendors quote per-accelerator bandwidth: both directions,
    in bytes: B = 2 x R / 8 (GB/s from Gb/s per direction). A Blackwell GPU's 18 NVLink 5
    links of 400 Gb/s per direction give 2 x 18 x 400 / 8 = 1,800 GB/s, NVIDIA's 1.8 TB/s."""
    return 2.0 * gbps / 8.0


def shortfall_pct(declared: float, modelled: float) -> float:
    """How far a modelled figure falls short of (negative: exceeds) a declared one:
    (declared - modelled) / declared x 100."""
    return (declared - modelled) / declared * 100.0 if declared else 0.0


_MIN_IMPEDANCE_PCT = ((630.0, 4.0), (1250.0, 5.0), (2500.0, 6.0), (6300.0, 7.0), (25000.0, 8.0),
                      (40000.0, 10.0), (63000.0, 11.0), (100000.0, 12.5))


def min_transformer_impedance_pct(rating_kva: float) -> float:
    """The recognised minimum short-circuit impedance of a two-winding transformer of this
    rating (IEC 60076-5:2006 Table 1): 4.0 % up to 630 kVA, 5.0 % to 1,250, 6.0 % to 2,500,
    7.0 % to 6,300, 8.0 % to 25,000, 10.0 % to 40,000, 11.0 % to 63,000, 12.5 % to 100,000
    kVA and above (the table says "> 12.5" there: 12.5 is the floor)."""
    _positive("transformer rating", rating_kva)
    for up_to, pct in _MIN_IMPEDANCE_PCT:
        if rating_kva <= up_to:
            return pct
    return _MIN_IMPEDANCE_PCT[-1][1]
