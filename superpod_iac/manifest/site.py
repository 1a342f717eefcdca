"""`Site`: halls, rows and positions on a floor grid, floor ratings, and the site policy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    Count,
    Fraction,
    ManifestBase,
    Name,
    NonNeg,
    Pos,
    PosCount,
    Strict,
    Temperature,
)


class Spares(Strict):
    """Spares for one BOM category: the larger of `pct` % of the base quantity and `min`,
    and one per `per` units when given (e.g. PSUs: 1 per 20); rounded up."""

    category: Literal["compute", "network", "optics", "cables", "power", "cooling", "racks",
                      "accessories"]
    pct: NonNeg = 0
    min: Count = 0
    per: PosCount | None = None
    kind: str | None = None
    """Only parts of this accessory kind or device role (e.g. `power-shelf`, `power-cord`)."""


class Policy(Strict):
    """Site policy; every field left out takes the built-in default (catalog/policy.yaml)."""

    cabinet_kw_limit: Pos | None = None
    air_cooled_kw_limit: Pos | None = None
    high_density_kw: Pos | None = None
    derating: Fraction | None = None
    optical_margin_db: NonNeg | None = None
    cable_slack_pct: NonNeg | None = None
    cable_slack_m: NonNeg | None = None
    phase_imbalance_pct: NonNeg | None = None
    coolant_delta_t_c: Pos | None = None
    facility_supply_c: Temperature | None = None
    patch_panels_per_link: int | None = Field(default=None, ge=0, le=20)
    spares: list[Spares] | None = None
    """Spares and attrition per BOM category (replaces the built-in list when given)."""
    voltage_tolerance_pct: NonNeg | None = Field(default=None, le=50)
    ups_runtime_min: NonNeg | None = None
    supply_air_c: Temperature | None = None
    cdu_approach_c: NonNeg | None = Field(default=None, le=50)
    splice_loss_db: NonNeg | None = Field(default=None, le=10)
    aisle_clearance_m: NonNeg | None = Field(default=None, le=100)


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
    rows: list[Row] = Field(default_factory=list)
    floor: Literal["raised", "slab"] = "slab"


class SiteSpec(Strict):
    halls: list[Hall] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)


class Site(ManifestBase):
    kind: Literal["Site"]
    spec: SiteSpec
