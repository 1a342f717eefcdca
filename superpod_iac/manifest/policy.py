"""The site policy, declared once: each key's type and range here, its default value and the
source of that value in catalog/policy.yaml (the comment above the key is its description).

Everything else derives from this declaration: the Site manifest's optional overrides
(`manifest.site.Policy`, every key optional), `[tool.superpod.policy]` in the configuration
(validated against those overrides), the effective policy the model holds (`Inventory.policy`,
an instance of `Policy`), and the Options section of each rule's documentation (the keys a
rule declares with `@rule(..., policy=(...))`, with their defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import Field, create_model
from ruamel.yaml import YAML

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.common import (
    Count,
    Fraction,
    NonNeg,
    Pos,
    PosCount,
    Strict,
    Temperature,
)

POLICY_FILE = resources.files("superpod_iac") / "catalog" / "policy.yaml"


def _read() -> tuple[dict[str, Any], dict[str, str]]:
    """The default values, and each key's description: the comment lines right above it."""
    text = POLICY_FILE.read_text(encoding="utf-8")
    notes: dict[str, str] = {}
    pending: list[str] = []
    previous = ""
    for line in text.splitlines():
        key = re.match(r"^(\w+):", line)
        if line.startswith("#"):
            pending.append(line[1:].strip())
        elif key:  # a key right below another without a comment of its own shares its note
            notes[key.group(1)] = " ".join(pending) or notes.get(previous, "")
            pending = []
            previous = key.group(1)
        elif not line.strip():
            pending = []
    return dict(YAML(typ="safe").load(text)), notes


DEFAULTS, NOTES = _read()


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


@dataclass(slots=True)
class Policy:
    """The effective site policy: the defaults of catalog/policy.yaml, overlaid by
    `[tool.superpod.policy]` and the Site's `policy:` (a hall follows the Site declaring it).

    A plain dataclass (the model builds one per Site; no validator to build): the values were
    validated where they were written, by the models derived from this declaration
    (`manifest.site.Policy`, `overrides_model()`); the defaults by tests/manifest/test_policy.py."""

    cabinet_kw_limit: Pos = DEFAULTS["cabinet_kw_limit"]
    air_cooled_kw_limit: Pos = DEFAULTS["air_cooled_kw_limit"]
    high_density_kw: Pos = DEFAULTS["high_density_kw"]
    derating: Fraction = DEFAULTS["derating"]
    optical_margin_db: NonNeg = DEFAULTS["optical_margin_db"]
    cable_slack_pct: NonNeg = DEFAULTS["cable_slack_pct"]
    cable_slack_m: NonNeg = DEFAULTS["cable_slack_m"]
    phase_imbalance_pct: NonNeg = DEFAULTS["phase_imbalance_pct"]
    coolant_delta_t_c: Pos = DEFAULTS["coolant_delta_t_c"]
    facility_supply_c: Temperature = DEFAULTS["facility_supply_c"]
    patch_panels_per_link: Annotated[int, Field(ge=0, le=20)] = DEFAULTS["patch_panels_per_link"]
    spares: list[Spares] = field(default_factory=lambda: list(DEFAULTS["spares"]))
    voltage_tolerance_pct: Annotated[NonNeg, Field(le=50)] = DEFAULTS["voltage_tolerance_pct"]
    ups_runtime_min: NonNeg = DEFAULTS["ups_runtime_min"]
    supply_air_c: Temperature = DEFAULTS["supply_air_c"]
    max_dew_point_c: Temperature = DEFAULTS["max_dew_point_c"]
    cdu_approach_c: Annotated[NonNeg, Field(le=50)] = DEFAULTS["cdu_approach_c"]
    splice_loss_db: Annotated[NonNeg, Field(le=10)] = DEFAULTS["splice_loss_db"]
    aisle_clearance_m: Annotated[NonNeg, Field(le=100)] = DEFAULTS["aisle_clearance_m"]
    voltage_drop_branch_pct: Annotated[Pos, Field(le=50)] = DEFAULTS["voltage_drop_branch_pct"]
    voltage_drop_total_pct: Annotated[Pos, Field(le=50)] = DEFAULTS["voltage_drop_total_pct"]
    copper_resistivity_ohm_mm2_m: Annotated[Pos, Field(le=1)] = \
        DEFAULTS["copper_resistivity_ohm_mm2_m"]
    aluminium_resistivity_ohm_mm2_m: Annotated[Pos, Field(le=1)] = \
        DEFAULTS["aluminium_resistivity_ohm_mm2_m"]
    conductor_reactance_mohm_m: Annotated[NonNeg, Field(le=10)] = \
        DEFAULTS["conductor_reactance_mohm_m"]
    inlet_derate_above_m: Annotated[NonNeg, Field(le=9000)] = DEFAULTS["inlet_derate_above_m"]
    inlet_derate_m_per_c: Annotated[Pos, Field(le=10000)] = DEFAULTS["inlet_derate_m_per_c"]
    equipment_rated_altitude_m: Annotated[NonNeg, Field(le=6000)] = \
        DEFAULTS["equipment_rated_altitude_m"]
    max_cabinet_depth_mm: Annotated[Pos, Field(le=10000)] = DEFAULTS["max_cabinet_depth_mm"]
    bandwidth_warning_pct: Annotated[NonNeg, Field(le=100)] = DEFAULTS["bandwidth_warning_pct"]
    bandwidth_error_pct: Annotated[NonNeg, Field(le=100)] = DEFAULTS["bandwidth_error_pct"]
    origin: Origin | None = None
    """Where the values came from (the Site's `policy:`), for findings about the policy."""

    def __post_init__(self) -> None:
        # rows given as mappings (the policy file, a Site's model_dump) become Spares; they
        # were validated where they were written, so no validator is built here
        self.spares = [r if isinstance(r, Spares) else Spares.model_construct(**r)
                       for r in self.spares]


KEYS: tuple[str, ...] = tuple(f.name for f in fields(Policy) if f.name != "origin")
"""The policy keys, in declaration order."""


SPARES_NOTE = "A list given replaces the built-in one."


def describe(key: str) -> str:
    """A key's description (its source), from the comment above it in catalog/policy.yaml."""
    return (SPARES_NOTE + " " if key == "spares" else "") + NOTES[key]


def overrides_model(name: str, doc: str) -> type[Strict]:
    """A model of optional overrides of every key (a Site's `policy:`): each key's type and
    range as declared in Policy, its description from catalog/policy.yaml, default None."""
    hints = get_type_hints(Policy, include_extras=True)
    spec: dict[str, Any] = {key: (hints[key] | None, Field(default=None, description=describe(key)))
                            for key in KEYS}
    return create_model(name, __base__=Strict, __doc__=doc, __module__="superpod_iac.manifest.site",
                        **spec)


def default_text(key: str) -> str:
    """A key's default as written in docs (`150`, `0.8`, `3 rows`)."""
    value = DEFAULTS[key]
    if isinstance(value, list):
        return "; ".join(", ".join(f"{k}: {v}" for k, v in row.items()) for row in value)
    return f"{value:g}" if isinstance(value, float) else str(value)
