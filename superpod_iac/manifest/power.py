"""`PowerSystem`: the power tree from utility down to the feeds cabinets attach to."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from superpod_iac.manifest.common import (
    Fraction,
    ManifestBase,
    Name,
    Pos,
    PosCount,
    Ref,
    Strict,
    empty_list,
)

NodeType = Literal["utility", "generator", "transformer", "ups", "switchboard", "busway", "rpp",
                   "panel", "pdu", "feed"]


AwgSize = Literal["14", "12", "10", "8", "6", "4", "3", "2", "1", "1/0", "2/0", "3/0", "4/0",
                  "250kcmil", "300kcmil", "350kcmil", "400kcmil", "500kcmil", "600kcmil",
                  "750kcmil", "1000kcmil"]
"""North American conductor sizes (ASTM B258 AWG; kcmil above 4/0)."""
METRIC_SIZES_MM2 = (1.5, 2.5, 4, 6, 10, 16, 25, 35, 50, 70, 95, 120, 150, 185, 240, 300, 400, 500,
                    630, 800, 1000)
"""IEC 60228 nominal cross-sections, mm2."""


class Conductor(Strict):
    """The cable, whip or busway that feeds a node from its parent (one phase conductor's
    figures; `parallel` sets per phase). Gives the node's voltage drop (ELC008, ELC009) and the
    impedance the fault current meets below it (ELC010)."""

    length_m: Pos
    material: Literal["copper", "aluminium"]
    size_mm2: Pos | None = None
    """An IEC 60228 nominal cross-section (1.5 ... 1000 mm2)."""
    awg: AwgSize | None = None
    parallel: PosCount = 1

    @model_validator(mode="after")
    def _one_size(self) -> Conductor:
        if (self.size_mm2 is None) == (self.awg is None):
            raise ValueError("give the conductor's size once: size_mm2 or awg")
        if self.size_mm2 is not None and self.size_mm2 not in METRIC_SIZES_MM2:
            near = sorted(METRIC_SIZES_MM2, key=lambda a: abs(a - float(self.size_mm2 or 0)))[:2]
            raise ValueError(f"{self.size_mm2:g} mm2 is not an IEC 60228 size; did you mean "
                             f"{' or '.join(f'{a:g}' for a in sorted(near))}?")
        return self


class AltitudeDerating(Strict):
    """A machine's rating above its rated altitude, from its datasheet or standard curve."""

    above_m: Annotated[float, Field(ge=0, le=6000)]
    pct_per_100m: Annotated[float, Field(gt=0, le=20)]
    source: str = Field(max_length=400)
    """Where the figure comes from (datasheet, IEC 60076-2 / ISO 8528-1 factor, ...)."""


class PowerNode(Strict):
    name: Name
    type: NodeType = "feed"
    parent: Ref | None = None
    side: Literal["A", "B"] | None = None
    rating_kw: Pos | None = None
    voltage_v: Pos | None = None
    phases: Literal[1, 3] = 3
    breaker_a: Pos | None = None
    """Overcurrent protection; a child's breaker must not exceed its parent's (ELC002)."""
    conductor_a: Pos | None = None
    """Ampacity of the cable, whip or busway the node's breaker protects (ELC004)."""
    pf: Fraction = 0.95
    phase: Literal["L1", "L2", "L3"] | None = None
    """For single-phase branches: the phase of the parent they sit on."""
    continuous_100pct: bool = False
    """A 100 %-rated assembly: carries its full rating continuously (no 80 % derating)."""
    efficiency: Fraction | None = None
    frequency_hz: Literal[50, 60] | None = None
    """Supply frequency; nodes without one inherit it from the nearest ancestor."""
    frequency_converter: bool = False
    """A double-conversion UPS or a frequency converter (VFD, rotary): its output frequency may
    differ from its input (ELC020). Declared, never assumed from the node type."""
    battery_kwh: Pos | None = None
    conductor: Conductor | None = None
    """The conductor from the parent to this node (length, size, material): voltage drop and
    fault-loop impedance."""
    rating_kva: Pos | None = None
    """Apparent-power rating of a transformer, UPS or generator (ELC011: load kVA and kW)."""
    impedance_pct: Pos | None = None
    """Transformer short-circuit impedance u_k in % (nameplate %Z; ELC010)."""
    fault_ka: Pos | None = None
    """A source's available three-phase fault current at its terminals (the utility's letter)."""
    sccr_ka: Pos | None = None
    """Short-circuit rating of the node's breaker or assembly (interrupting rating / SCCR)."""
    trip_instantaneous_a: Pos | None = None
    """The breaker's instantaneous pickup in A (ELC025: selective coordination)."""
    altitude_m: Annotated[float, Field(ge=-500, le=6000)] | None = None
    """Where a transformer, UPS or generator is installed: above its rated altitude its rating
    falls (ELC026)."""
    altitude_derating: AltitudeDerating | None = None
    step_load_pct: Annotated[float, Field(gt=0, le=100)] | None = None
    """A generator's largest load step as % of its rating (datasheet; ISO 8528-5 class)."""
    neutral_a: Pos | None = None
    """Ampacity of a three-phase node's neutral conductor (ELC027); without it, a full-size
    neutral of `conductor_a` is assumed only where that is declared."""
    load_thd_pct: Annotated[float, Field(ge=0, le=300)] | None = None
    """Current THD of the load on a single-phase branch (PSU datasheet, IEC 61000-3-2/-12),
    taken as third harmonic on the neutral above it (ELC027)."""
    """UPS: usable battery energy; with it the runtime at the worst-case load is checked."""


class PowerSystemSpec(Strict):
    redundancy: Literal["N", "N+1", "2N"] = "2N"
    nodes: list[PowerNode] = Field(default_factory=empty_list)


class PowerSystem(ManifestBase):
    kind: Literal["PowerSystem"]
    spec: PowerSystemSpec
