"""`PowerSystem`: the power tree from utility down to the feeds cabinets attach to."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import Fraction, ManifestBase, Name, Pos, Ref, Strict

NodeType = Literal["utility", "generator", "transformer", "ups", "switchboard", "busway", "rpp",
                   "panel", "pdu", "feed"]


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
    differ from its input (ELC007). Declared, never assumed from the node type."""
    battery_kwh: Pos | None = None
    """UPS: usable battery energy; with it the runtime at the worst-case load is checked."""


class PowerSystemSpec(Strict):
    redundancy: Literal["N", "N+1", "2N"] = "2N"
    nodes: list[PowerNode] = Field(default_factory=list)


class PowerSystem(ManifestBase):
    kind: Literal["PowerSystem"]
    spec: PowerSystemSpec
