"""`CoolingSystem`: CDUs, facility loops, redundancy groups and air-side capacity."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    ManifestBase,
    Name,
    NonNeg,
    Pos,
    Ref,
    Strict,
    Temperature,
    empty_list,
)


class Cdu(Strict):
    name: Name
    type: Ref | None = None
    """A catalog CDU type; capacity/flow below override it."""
    capacity_kw: Pos | None = None
    flow_lpm: Pos | None = None
    supply_c: Temperature | None = None
    approach_c: NonNeg | None = None
    """Overrides the CDU type's approach (facility water to supply)."""
    delta_t_c: Pos | None = None
    fluid: Ref = "water"
    group: Ref | None = None
    loop: Ref | None = None
    rejects_to_hall: Ref | None = None
    """A liquid-to-air CDU (an air-assisted liquid cooling sidecar): the hall whose air takes
    the heat it removes, instead of a facility water loop."""


class CduGroup(Strict):
    name: Name
    redundancy: Literal["N", "N+1", "N+2", "2N"] = "N+1"


class FacilityLoop(Strict):
    name: Name
    capacity_kw: Pos
    supply_c: Temperature


class AirZone(Strict):
    name: Name
    hall: Ref
    row: Ref | None = None
    capacity_kw: NonNeg


class CoolingSystemSpec(Strict):
    cdus: list[Cdu] = Field(default_factory=empty_list)
    groups: list[CduGroup] = Field(default_factory=empty_list)
    loops: list[FacilityLoop] = Field(default_factory=empty_list)
    air_zones: list[AirZone] = Field(default_factory=empty_list)


class CoolingSystem(ManifestBase):
    kind: Literal["CoolingSystem"]
    spec: CoolingSystemSpec
