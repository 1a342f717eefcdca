"""`Site`: halls, rows and positions on a floor grid, floor ratings, and the site policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    ManifestBase,
    Name,
    NonNeg,
    Pos,
    PosCount,
    Strict,
    Temperature,
    empty_list,
)
from superpod_iac.manifest.policy import overrides_model

if TYPE_CHECKING:
    class Policy(Strict):
        """The Site's overrides of the site policy (manifest/policy.py), each optional."""
else:
    Policy = overrides_model(
        "Policy", "Site policy; every field left out takes the built-in default "
        "(catalog/policy.yaml).")


class Row(Strict):
    name: Name
    y_m: NonNeg = 0
    x_m: NonNeg = 0
    pitch_m: Pos = 0.6
    slots: PosCount
    air_capacity_kw: NonNeg | None = None
    cold_aisle: Literal["front", "rear"] = "front"
    """Which face of the row's cabinets is on the cold aisle (`front` in the usual hot/cold
    aisle layout); air-cooled devices must take air in from that side."""
    front_faces: Literal["+y", "-y"] | None = None
    """Direction the cabinets' fronts face on the floor grid; with it, neighbouring rows are
    checked to present the same (hot or cold) side to the aisle they share."""


class Hall(Strict):
    name: Name
    floor_load_kg_m2: Pos | None = None
    tray_height_m: NonNeg = 2.6
    air_capacity_kw: NonNeg | None = None
    supply_air_c: Temperature | None = None
    """Cold-aisle supply air; policy `supply_air_c` (ASHRAE recommended 27 C) when unset."""
    rows: list[Row] = Field(default_factory=empty_list)
    floor: Literal["raised", "slab"] = "slab"
    altitude_m: Annotated[float, Field(ge=-500, le=6000)] | None = None
    """Elevation above sea level: air-side capacities (declared at sea level, as nameplates
    give them) scale with the air density (CLG007), and devices' allowable inlet temperature
    is derated (TMP001). Left out: the declared capacities and inlet limits are used as
    they are (sea level)."""


class SiteSpec(Strict):
    halls: list[Hall] = Field(default_factory=empty_list)
    policy: Policy = Field(default_factory=Policy)


class Site(ManifestBase):
    kind: Literal["Site"]
    spec: SiteSpec
