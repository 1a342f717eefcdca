"""`Catalog`: part types. A built-in catalog ships in the package; projects add or override parts."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic import Strict as PydStrict

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
    empty_list,
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
Frequency = Literal[50, 60]
FREQUENCIES: tuple[Frequency, ...] = (50, 60)
"""Mains frequencies (Hz); a power supply accepts both unless its type says otherwise."""
Unconfirmed = Literal["unconfirmed"]
"""An explicit "not published / not known": shown as `unconfirmed` in the BOM, never invented."""
BomCategory = Literal["compute", "network", "optics", "cables", "power", "cooling", "racks",
                      "accessories"]
Phy = Literal[
    "100GBASE-SR4", "100GBASE-SR1", "100GBASE-DR", "100GBASE-FR1", "100GBASE-LR1",
    "100GBASE-LR4", "200GBASE-SR4", "200GBASE-DR4", "200GBASE-FR4", "400GBASE-SR8",
    "400GBASE-SR4.2", "400GBASE-SR4", "400GBASE-VR4", "400GBASE-DR4", "400GBASE-FR4",
    "400GBASE-LR4-6", "400GBASE-LR8", "800GBASE-SR8", "800GBASE-VR8", "800GBASE-DR8",
    "800GBASE-DR4", "800GBASE-FR4", "800GBASE-LR4", "proprietary",
]
"""IEEE 802.3 PHY names (802.3bm/cd/cu/bs/cm/db/df/dj); `proprietary` for vendor-only optics."""


Wavelength = Annotated[int, Field(ge=600, le=1700), PydStrict(False)]
"""A wavelength in nm as a mapping key: YAML keys are read as text, so `850:` converts."""


class Part(Strict):
    name: Name
    manufacturer: str | None = None
    model: str | None = None
    part_number: str | None = None
    """Legacy spelling of `mpn` (the NetBox importer writes it); `mpn` wins when both are set."""
    mpn: str | None = None
    """Manufacturer part number; `unconfirmed` when not published."""
    vendor_sku: str | None = None
    """The reseller's or distributor's order code, when it differs from the MPN."""
    unit_price: NonNeg | Unconfirmed | None = None
    """Public list price per unit in `currency`, as of `price_date`; `unconfirmed` when none."""
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """ISO 4217 code of `unit_price`."""
    price_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    """When the price was quoted or published (YYYY-MM or YYYY-MM-DD)."""
    lead_time_weeks: NonNeg | Unconfirmed | None = None
    unit_price_usd: NonNeg | None = None
    status: Literal["shipping", "announced", "unconfirmed"] = "shipping"
    source: str | None = None


class Accessory(Strict):
    """A part bought with a device or cabinet but not drawn in the model (rails, cords, hoses)."""

    type: Name
    """An `accessory_types` entry."""
    count: PosCount = 1
    per: Literal["device", "psu", "cabinet", "cooled-cabinet", "free-u"] = "device"
    """What one `count` is multiplied by: each device, each PSU of a power shelf / PDU, each
    cabinet, each cabinet with a CDU, or each free rack unit of the cabinet."""


class AccessoryType(Part):
    """Rails, power cords and whips, blanking panels, cable managers, CDU hoses, cassettes."""

    category: BomCategory = "accessories"
    kind: Literal["power-cord", "rail-kit", "blanking-panel", "cable-manager", "hose",
                  "manifold", "rack-pdu", "patch-panel", "cassette", "trunk", "other"] = "other"
    length_m: Pos | None = None
    height_u: Count = 0
    weight_kg: NonNeg = 0


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
    mounting_depth_mm: Pos | None = None
    """Usable depth between front and rear rails; the footprint depth when unset."""
    mounting_width_mm: Pos | None = None
    """Usable width between the rails (450 mm for EIA-310 19-inch); the footprint when unset."""
    cooling: Literal["air", "liquid", "hybrid"] = "air"
    accessories: list[Accessory] = Field(default_factory=empty_list)


class AcceleratorType(Part):
    compute_tflops: dict[Precision, NonNeg] = Field(default_factory=dict)
    hbm_gb: NonNeg = 0
    hbm_tbytes_s: NonNeg = 0
    scale_up_gbytes_s: NonNeg = 0
    """Vendor-quoted aggregate scale-up bandwidth per accelerator (GB/s, both directions)."""
    dies: PosCount = 1
    tdp_w: NonNeg | Unconfirmed | None = None
    """Power of one accelerator (its TDP / TGP, watts); `unconfirmed` when not published.
    A device's `max_w` must cover its accelerators' (PWR014)."""


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
    connector: Connector | None = None
    """The connector of a passive port (a patch panel's or cassette's front / rear ports): a
    link routed `via` the device counts one mated pair of each connector its groups name."""


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
    """Nominal input voltage (line-to-line for 3-phase inputs); checked against the feed."""
    input_phases: Literal[1, 3] = 3
    input_frequency_hz: list[Frequency] = Field(default_factory=lambda: list(FREQUENCIES))
    current_thd_pct: Annotated[float, Field(ge=0, le=300)] | None = None
    """Input current THD of the shelf's PSUs at full load (datasheet; IEC 61000-3-2/-12):
    the third harmonics its single-phase inputs put on a wye feed's neutral (ELC027)."""
    inlets: Literal["shared", "transfer"] = "shared"
    """`shared`: every feed of the device carries an equal share of its draw. `transfer`: an
    automatic transfer switch (ATS PDU): two inlets (`psu_count: 2`) of which one feeds at a
    time: the device's first live feed in `feeds` carries all of it, the other takes over when
    it fails; capacity is one inlet's `psu_w`, and the two feeds must be on two sources (RED005)."""

    @model_validator(mode="after")
    def _transfer_has_two_inlets(self) -> PowerOutput:
        if self.inlets == "transfer" and self.psu_count != 2:
            raise ValueError(f"inlets: transfer switches between two inlets, not "
                             f"{self.psu_count} (psu_count must be 2)")
        return self


OutletType = Literal[
    "c13", "c19", "c39", "hdot-cx", "hardwired", "busbar",
    "nema-5-15r", "nema-5-20r", "nema-6-15r", "nema-6-20r", "nema-6-30r", "nema-l5-15r",
    "nema-l5-20r", "nema-l5-30r", "nema-l6-15r", "nema-l6-20r", "nema-l6-30r", "nema-l14-20r",
    "nema-l14-30r", "nema-l21-20r", "nema-l21-30r", "nema-l22-20r", "nema-l22-30r",
]
"""IEC 60320 outlets, combination outlets that take C14 and C20 plugs (Eaton C39, Server
Technology HDOT Cx), busbar, and NEMA WD 6 receptacles (`nema-l6-30r`: locking, 250 V, 30 A)."""
CordType = Literal[
    "c14", "c20", "hardwired", "busbar",
    "nema-5-15p", "nema-5-20p", "nema-6-15p", "nema-6-20p", "nema-6-30p", "nema-l5-15p",
    "nema-l5-20p", "nema-l5-30p", "nema-l6-15p", "nema-l6-20p", "nema-l6-30p", "nema-l14-20p",
    "nema-l14-30p", "nema-l21-20p", "nema-l21-30p", "nema-l22-20p", "nema-l22-30p",
]
FeedLeg = Literal["A", "B", "C"]
"""The phase (line) of a three-phase input an outlet is wired to (NetBox `feed_leg`)."""
OutletWiring = Literal["line-to-neutral", "line-to-line"]
"""A three-phase PDU's outlets between a line and neutral (wye: 415 V -> 240 V, 208 V -> 120 V)
or between two lines (North American 208 V PDUs wire C13/C19 outlets at 208 V)."""


class OutletBank(Strict):
    """A bank of identical outlets on a rack PDU, behind one branch breaker."""

    name: Name
    type: OutletType
    count: PosCount
    outlet_a: Pos
    """Rating of each outlet (IEC 60320: C13 10 A, C19 16 A)."""
    breaker_a: Pos | None = None
    """The bank's branch breaker; its continuous load is derated (policy `derating`)."""
    wiring: OutletWiring | None = None
    """How the bank's outlets sit on a three-phase feed; unset: the PDU type's `outlet_wiring`."""
    feed_leg: FeedLeg | None = None
    """The phase the bank's outlets are wired to on a three-phase PDU (L1/L2/L3 = A/B/C), so the
    load per phase can be summed; unset on single-phase PDUs."""


class Psus(Strict):
    """A device's power supplies as seen from the PDU: how many cords, of which plug."""

    count: PosCount
    cord: CordType
    redundancy: Redundancy = "N+N"
    """N+N: either half of the cords carries the device (two sides); N: every cord is needed."""
    input_min_v: Pos | None = None
    """Lowest input voltage the PSUs accept (200 for a 200-240 V high-line-only PSU)."""
    input_max_v: Pos | None = None
    """Highest input voltage the PSUs accept."""
    current_thd_pct: Annotated[float, Field(ge=0, le=300)] | None = None
    """Input current THD of the PSUs at full load (datasheet; IEC 61000-3-2/-12): the third
    harmonics their cords put on a wye feed's neutral (ELC027)."""


class PowerItem(Strict):
    """One line of a device's itemised maximum power (a GPU, a NIC, the fans)."""

    item: str
    count: PosCount = 1
    w: NonNeg
    """Maximum power of one."""
    source: str | None = None


class DeviceType(Part):
    role: Role = "other"
    height_u: Count = 1
    depth_mm: Pos | None = None
    """Chassis depth including handles and cable bend room the vendor requires."""
    width_mm: Pos | None = None
    """Chassis width, where it is not standard 19-inch rack equipment."""
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
    port_groups: list[PortGroup] = Field(default_factory=empty_list)
    power_output: PowerOutput | None = None
    outlets: list[OutletBank] = Field(default_factory=empty_list)
    """A rack PDU's outlets, bank by bank; devices' cords are assigned to them (OUT rules)."""
    outlet_wiring: OutletWiring = "line-to-neutral"
    """Default wiring of the outlet banks on a three-phase feed (a bank's `wiring` overrides)."""
    sccr_ka: Pos | None = None
    """Short-circuit current rating of a rack PDU, power shelf or busway tap box (UL 891 /
    IEC 61439 I_cc): checked against the fault current at its feed (ELC023)."""
    psus: Psus | None = None
    """The device's own PSUs and their cords (servers and switches on rack PDUs)."""
    airflow: Literal["front-to-rear", "rear-to-front", "passive", "liquid", "mixed"] | None = None
    accessories: list[Accessory] = Field(default_factory=empty_list)
    power_items: list[PowerItem] = Field(default_factory=empty_list)
    """`max_w` itemised (GPUs, CPUs, NICs, DPUs, fans, drives ...): when given, `max_w` must
    equal the sum of count x w (a schema error otherwise), so the itemisation cannot drift."""

    @model_validator(mode="after")
    def _power_items_sum(self) -> DeviceType:
        if self.power_items:
            total = sum(i.count * i.w for i in self.power_items)
            if not math.isclose(total, self.max_w):
                raise ValueError(f"max_w {self.max_w:g} W is not the sum of power_items "
                                 f"({total:g} W)")
        return self


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
    phy: Phy | None = None
    """PHY of each logical port: both ends of a link must run the same one (FIB001)."""
    lanes: PosCount | None = None
    """Optical lanes of the whole module."""
    fibres: PosCount | None = None
    """Fibres the whole module uses (8 for DR4 on an MPO-12, 2 for duplex LC FR4/LR8)."""
    wavelength_nm: Pos | None = None
    """Nominal wavelength (band centre for WDM PHYs): selects the cable's attenuation."""


class CableType(Part):
    medium: Medium
    max_length_m: Pos
    attenuation_db_per_km: NonNeg = 0
    attenuation_db_per_km_at_nm: dict[Wavelength, NonNeg] = Field(default_factory=dict)
    """Attenuation by wavelength (850, 1300, 1310, 1550 nm); the flat figure otherwise."""
    stocked_lengths_m: list[Pos] = Field(default_factory=empty_list)
    """Orderable lengths: a computed run is rounded up to the next one (empty: cut to order)."""
    length_mpns: dict[str, str] = Field(default_factory=dict)
    """Manufacturer part number per orderable length (`"3": MCP4Y10-N003`), where it differs."""
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
    approach_c: NonNeg | None = Field(default=None, le=50)
    """Facility water to technology-loop supply at full load; policy `cdu_approach_c` if unset."""
    pumps: PosCount | None = None
    """Pumps in the CDU; with `pump_flow_lpm`, the flow after one pump fails is checked."""
    pump_flow_lpm: Pos | None = None
    """Flow one pump delivers at the design head."""
    form: Literal["in-rack", "in-row", "facility", "liquid-to-air", "rear-door"] = "in-row"
    """`liquid-to-air`: rejects to room air (AALC sidecar); see Cdu.rejects_to_hall.
    `rear-door`: a rear-door heat exchanger (a cabinet's `rear_door`): its capacity bounds
    `rear_door_kw`, and its water comes from the cabinet's `cdu`."""
    height_u: Count = 0
    power_w: NonNeg = 0
    accessories: list[Accessory] = Field(default_factory=empty_list)


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
    cabinet_types: list[CabinetType] = Field(default_factory=empty_list)
    device_types: list[DeviceType] = Field(default_factory=empty_list)
    accelerator_types: list[AcceleratorType] = Field(default_factory=empty_list)
    transceiver_types: list[TransceiverType] = Field(default_factory=empty_list)
    cable_types: list[CableType] = Field(default_factory=empty_list)
    cdu_types: list[CduType] = Field(default_factory=empty_list)
    accessory_types: list[AccessoryType] = Field(default_factory=empty_list)
    fluids: list[Fluid] = Field(default_factory=empty_list)
    connector_losses: list[ConnectorLoss] = Field(default_factory=empty_list)


class Catalog(ManifestBase):
    kind: Literal["Catalog"]
    spec: CatalogSpec
