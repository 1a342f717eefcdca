"""`Catalog`: part types. A built-in catalog ships in the package; projects add or override parts."""

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

Precision = Literal["fp4", "fp6", "fp8", "int8", "bf16", "fp16", "tf32", "fp32", "fp64"]
FormFactor = Literal[
    "osfp", "osfp-twin", "qsfp28", "qsfp56", "qsfp112", "qsfp-dd", "sfp28", "sfp56", "sfp112",
    "rj45", "backplane", "lpo-osfp", "cpo", "other",
]
Medium = Literal["dac", "acc", "aec", "mmf", "smf", "backplane", "cat6"]
Connector = Literal["lc", "mpo-12", "mpo-16", "2xmpo-12", "2xlc", "mpo-24", "sn", "rj45", "integrated"]
Plane = Literal["scale-up", "scale-out", "frontend", "management", "storage"]
Role = Literal["compute", "switch", "power-shelf", "pdu", "management", "storage", "cdu",
               "patch-panel", "other"]
Redundancy = Literal["N", "N+1", "N+2", "N+N", "2N"]


class Part(Strict):
    name: Name
    manufacturer: str | None = None
    model: str | None = None
    part_number: str | None = None
    unit_price_usd: NonNeg | None = None
    status: Literal["shipping", "announced", "unconfirmed"] = "shipping"
    source: str | None = None


class Footprint(Strict):
    width_mm: Pos
    depth_mm: Pos


class CabinetType(Part):
    height_u: PosCount
    u_height_mm: Pos = 44.45
    payload_kg: Pos
    empty_weight_kg: NonNeg = 0
    power_rating_kw: Pos
    footprint: Footprint
    cooling: Literal["air", "liquid", "hybrid"] = "air"


class AcceleratorType(Part):
    compute_tflops: dict[Precision, NonNeg] = Field(default_factory=dict)
    hbm_gb: NonNeg = 0
    hbm_tbytes_s: NonNeg = 0
    scale_up_gbytes_s: NonNeg = 0
    """Vendor-quoted aggregate scale-up bandwidth per accelerator (GB/s, both directions)."""
    dies: PosCount = 1
    tdp_w: NonNeg | None = None


class PortGroup(Strict):
    name: Name
    ports: str
    """Nodeset of port names, e.g. `osfp[1-4]` or `nvl[1-18]`."""
    form_factor: FormFactor
    speed_gbps: Pos
    breakout: PosCount = 1
    """Logical ports per cage (an 800G twin-port OSFP is breakout 2 x 400G)."""
    plane: Plane | None = None
    medium: Literal["optical", "copper", "any"] = "any"
    required: bool = False


class Mount(Strict):
    count: PosCount = 1
    type: Name


class PowerOutput(Strict):
    """What a power shelf / PDU supplies: PSUs, their rating and redundancy."""

    psu_count: PosCount
    psu_w: Pos
    redundancy: Redundancy = "N+1"
    efficiency: Fraction | None = None
    input_voltage_v: Pos | None = None
    input_phases: Literal[1, 3] = 3


class DeviceType(Part):
    role: Role = "other"
    height_u: Count = 1
    weight_kg: NonNeg = 0
    max_w: NonNeg = 0
    typical_w: NonNeg | None = None
    liquid_fraction: Fraction = 0
    max_inlet_c: Temperature | None = None
    max_coolant_supply_c: Temperature | None = None
    accelerators: Mount | None = None
    cpus: Mount | None = None
    memory_gb: NonNeg = 0
    """Fast memory on the device outside accelerator HBM (e.g. Grace/Vera LPDDR5X)."""
    port_groups: list[PortGroup] = Field(default_factory=list)
    power_output: PowerOutput | None = None
    airflow: Literal["front-to-rear", "rear-to-front", "passive", "liquid", "mixed"] | None = None


class TransceiverType(Part):
    form_factor: FormFactor
    speed_gbps: Pos
    medium: Literal["smf", "mmf", "copper"]
    reach_m: Pos
    max_channel_loss_db: NonNeg | None = None
    connector: Connector
    power_w: NonNeg = 0
    tx_oma_min_dbm: float | None = Field(default=None, ge=-40, le=20)
    rx_sensitivity_oma_dbm: float | None = Field(default=None, ge=-40, le=20)
    penalties_db: NonNeg = 0
    ports: PosCount = 1
    """Logical ports the module carries (2 for twin-port 2x400G modules)."""


class CableType(Part):
    medium: Medium
    max_length_m: Pos
    attenuation_db_per_km: NonNeg = 0
    stocked_lengths_m: list[Pos] = Field(default_factory=list)
    connector: Connector = "integrated"
    form_factor: FormFactor | None = None
    """For DAC/ACC/AEC: the cage form factor of the integrated plugs."""
    speed_gbps: Pos | None = None
    fibres: PosCount | None = None
    weight_kg_per_m: NonNeg = 0


class CduType(Part):
    capacity_kw: Pos
    flow_lpm: Pos
    supply_c: Temperature | None = None
    form: Literal["in-rack", "in-row", "facility", "liquid-to-air"] = "in-row"
    """`liquid-to-air`: rejects to room air (AALC sidecar); see Cdu.rejects_to_hall."""
    height_u: Count = 0
    power_w: NonNeg = 0


class Fluid(Strict):
    name: Name
    density_kg_m3: Pos
    specific_heat_kj_kg_k: Pos
    at_c: Temperature | None = None
    source: str | None = None


class ConnectorLoss(Strict):
    connector: Connector
    loss_db: NonNeg
    source: str | None = None


class CatalogSpec(Strict):
    cabinet_types: list[CabinetType] = Field(default_factory=list)
    device_types: list[DeviceType] = Field(default_factory=list)
    accelerator_types: list[AcceleratorType] = Field(default_factory=list)
    transceiver_types: list[TransceiverType] = Field(default_factory=list)
    cable_types: list[CableType] = Field(default_factory=list)
    cdu_types: list[CduType] = Field(default_factory=list)
    fluids: list[Fluid] = Field(default_factory=list)
    connector_losses: list[ConnectorLoss] = Field(default_factory=list)


class Catalog(ManifestBase):
    kind: Literal["Catalog"]
    spec: CatalogSpec
