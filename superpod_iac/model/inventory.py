"""The Inventory: the single resolved picture every rule, renderer and report reads.

Cabinets, devices, power nodes and CDUs are small slotted objects. Links live in a columnar
`LinkTable` of integer arrays (no per-link Python object), so millions of links stay compact.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.catalog import (
    AcceleratorType,
    AccessoryType,
    CabinetType,
    CableType,
    CduType,
    DeviceType,
    Fluid,
    PortGroup,
    TransceiverType,
)
from superpod_iac.manifest.cooling import AirZone, Cdu, CduGroup, FacilityLoop
from superpod_iac.manifest.fabric import FabricSpec
from superpod_iac.manifest.policy import Policy
from superpod_iac.manifest.power import PowerNode
from superpod_iac.manifest.site import Hall, Row
from superpod_iac.manifest.superpod import Expect
from superpod_iac.model.expand import ExpansionError, expand
from superpod_iac.model.problems import Problems
from superpod_iac.source.loader import LoadLimits


@dataclass(slots=True)
class Port:
    name: str
    group: PortGroup
    index: int
    speed_gbps: float
    cage: int = -1
    """For a breakout sub-port (`osfp1/2`): the index of its cage port; -1 for a cage."""


@dataclass(slots=True)
class LinkPlant:
    """Per link template line: the passive plant of the optical path, where declared."""

    patch_panels: int | None = None
    cassettes: int = 0
    splices: int = 0
    trunk: str | None = None
    fabric: str = ""
    via: tuple[str, ...] = ()
    """Devices (`cabinet/device`: patch panels, cassettes) the path runs through, in order."""


@dataclass(slots=True)
class PartCatalog:
    cabinet_types: dict[str, CabinetType] = field(default_factory=dict)
    device_types: dict[str, DeviceType] = field(default_factory=dict)
    accelerator_types: dict[str, AcceleratorType] = field(default_factory=dict)
    transceiver_types: dict[str, TransceiverType] = field(default_factory=dict)
    cable_types: dict[str, CableType] = field(default_factory=dict)
    cdu_types: dict[str, CduType] = field(default_factory=dict)
    accessory_types: dict[str, AccessoryType] = field(default_factory=dict)
    fluids: dict[str, Fluid] = field(default_factory=dict)
    connector_loss_db: dict[str, float] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(section, part name) -> where the part was declared."""
    _ports: dict[str, tuple[list[Port], dict[str, Port]]] = field(default_factory=dict)

    def ports(self, device_type: str) -> tuple[list[Port], dict[str, Port]]:
        """Expanded ports of a device type and a by-name index: cages in declaration order,
        then breakout sub-ports (`osfp1/1`, `osfp1/2` for a breakout-2 cage)."""
        cached = self._ports.get(device_type)
        if cached is None:
            lst: list[Port] = []
            subs: list[Port] = []
            for group in self.device_types[device_type].port_groups:
                try:
                    names = expand(group.ports)
                except ExpansionError:
                    continue  # REF003 at the port group (model/build.py): it has no ports
                for name in names:
                    cage = Port(name, group, len(lst), group.speed_gbps)
                    lst.append(cage)
                    for k in range(1, group.breakout + 1 if group.breakout > 1 else 1):
                        subs.append(Port(f"{name}/{k}", group, -1,
                                         group.speed_gbps / group.breakout, cage.index))
            for sub in subs:  # sub-ports after all cages, so cage indices stay dense
                sub.index = len(lst)
                lst.append(sub)
            cached = (lst, {p.name: p for p in lst})
            self._ports[device_type] = cached
        return cached


@dataclass(slots=True)
class Device:
    name: str
    cabinet: str
    type_name: str
    type: DeviceType
    u: int
    origin: Origin
    feeds: list[str] = field(default_factory=list)
    index: int = -1
    """Position in Inventory.devices (link columns refer to it)."""
    outlets: list[str] = field(default_factory=list)
    """Explicit PSU cord assignment: `pdu-device:outlet` per cord (else round-robin)."""

    @property
    def address(self) -> str:
        return f"{self.cabinet}/{self.name}"

    @property
    def top_u(self) -> int:
        """Highest U occupied (inclusive)."""
        return self.u + max(self.type.height_u, 1) - 1


@dataclass(slots=True)
class Cabinet:
    name: str
    type_name: str
    type: CabinetType
    origin: Origin
    labels: dict[str, str]
    hall: str | None = None
    row: str | None = None
    slot: int | None = None
    x_m: float | None = None
    y_m: float | None = None
    feeds: list[str] = field(default_factory=list)
    cdu: str | None = None
    rear_door_kw: float = 0.0
    rear_door: str | None = None
    """The rear door's catalog CDU type (form `rear-door`), if declared."""
    extra_weight_kg: float = 0.0
    devices: list[Device] = field(default_factory=list)
    superpod: str | None = None


@dataclass(slots=True)
class PowerNodeObj:
    name: str
    spec: PowerNode
    origin: Origin
    children: list[str] = field(default_factory=list)
    redundancy: str = "2N"
    """Redundancy declared by the PowerSystem that holds the node."""


@dataclass(slots=True)
class CduObj:
    name: str
    spec: Cdu
    origin: Origin
    capacity_kw: float | None
    flow_lpm: float | None
    supply_c: float | None
    approach_c: float | None = None


@dataclass(slots=True)
class FabricObj:
    name: str
    plane: str
    origin: Origin
    spec: FabricSpec | None
    """The Fabric manifest's spec; None for a cluster's cascade fabric."""
    index: int = -1


@dataclass(slots=True)
class GeneratedRun:
    """What one topology generator line built, once per Cluster replica: the built devices it
    selected in each role (`endpoints`, `leaves`, `spines`, `cores` for a Clos), in the
    generator's order, as device indices, and how many links it made. Rules that check a
    generator's plan read these rather than resolving its selectors again: a selector is
    written before replication (`rk/lf1`) and names no built device of a replica
    (`r1.rk/lf1`). Replication clones the record per replica (model/replicate.py)."""

    fabric: str
    generator: int
    """Position of the generator line in the Fabric's `spec.generators`."""
    origin: Origin
    roles: dict[str, list[int]]
    links: int
    """Links the line made (0 when it could not run: REF003 or SCH012 reported that)."""
    replica: str | None = None
    """The Cluster replica this copy belongs to; None outside a Cluster."""


@dataclass(slots=True)
class SuperpodObj:
    name: str
    origin: Origin
    cabinets: list[str]
    fabrics: list[str]
    expect: Expect
    labels: dict[str, str] = field(default_factory=dict)
    template: str | None = None
    """For a replica made by a Cluster: the Superpod it was cloned from."""


@dataclass(slots=True)
class ClusterObj:
    name: str
    origin: Origin
    superpod: str
    replicas: list[str]
    expect: Expect
    extra_cabinets: list[str] = field(default_factory=list)
    """Cabinets of the cluster outside any replica (cluster-level spines, for instance)."""
    site: list[str] = field(default_factory=list)
    """Infrastructure the replicas share (the template's names: utility, transformers, halls,
    facility loops): it carries the sum of their loads."""
    per_replica: list[str] = field(default_factory=list)
    """Infrastructure each replica has its own copy of (the template's names)."""


class LinkTable:
    """Columnar links: each column an array, one entry per link.

    Ends are (device index, port index within the device type's expanded port list). Cable and
    transceiver columns index `names` lists (-1 = none). `origin` indexes `origins`, so the 10,000
    links generated by one template line share one Origin.
    """

    __slots__ = (
        "_cable_idx",
        "_origin_idx",
        "_xcvr_idx",
        "a_dev",
        "a_port",
        "b_dev",
        "b_port",
        "cable",
        "cable_names",
        "fabric",
        "length_m",
        "origin",
        "origins",
        "xcvr_a",
        "xcvr_b",
        "xcvr_names",
    )

    def __init__(self) -> None:
        self.a_dev = array("i")
        self.a_port = array("i")
        self.b_dev = array("i")
        self.b_port = array("i")
        self.cable = array("i")
        self.xcvr_a = array("i")
        self.xcvr_b = array("i")
        self.length_m = array("d")
        """Length in metres; NaN where not declared and not yet computed."""
        self.fabric = array("i")
        self.origin = array("i")
        self.origins: list[Origin] = []
        self.cable_names: list[str] = []
        self.xcvr_names: list[str] = []
        self._cable_idx: dict[str, int] = {}
        self._xcvr_idx: dict[str, int] = {}
        self._origin_idx: dict[Origin, int] = {}

    def __len__(self) -> int:
        return len(self.a_dev)

    def intern_origin(self, origin: Origin) -> int:
        idx = self._origin_idx.get(origin)
        if idx is None:
            idx = self._origin_idx[origin] = len(self.origins)
            self.origins.append(origin)
        return idx

    def _intern(self, name: str | None, index: dict[str, int], names: list[str]) -> int:
        if name is None:
            return -1
        idx = index.get(name)
        if idx is None:
            idx = index[name] = len(names)
            names.append(name)
        return idx

    def add(self, a: tuple[int, int], b: tuple[int, int], *, cable: str | None,
            xcvr_a: str | None, xcvr_b: str | None, length_m: float, fabric: int,
            origin: int) -> int:
        self.a_dev.append(a[0])
        self.a_port.append(a[1])
        self.b_dev.append(b[0])
        self.b_port.append(b[1])
        self.cable.append(self._intern(cable, self._cable_idx, self.cable_names))
        self.xcvr_a.append(self._intern(xcvr_a, self._xcvr_idx, self.xcvr_names))
        self.xcvr_b.append(self._intern(xcvr_b, self._xcvr_idx, self.xcvr_names))
        self.length_m.append(length_m)
        self.fabric.append(fabric)
        self.origin.append(origin)
        return len(self.a_dev) - 1

    def cable_of(self, i: int) -> str | None:
        c = self.cable[i]
        return self.cable_names[c] if c >= 0 else None

    def xcvrs_of(self, i: int) -> tuple[str | None, str | None]:
        a, b = self.xcvr_a[i], self.xcvr_b[i]
        return (self.xcvr_names[a] if a >= 0 else None, self.xcvr_names[b] if b >= 0 else None)


@dataclass
class Inventory:
    catalog: PartCatalog
    policy: Policy
    halls: dict[str, Hall] = field(default_factory=dict)
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    cabinets: dict[str, Cabinet] = field(default_factory=dict)
    devices: list[Device] = field(default_factory=list)
    device_index: dict[str, int] = field(default_factory=dict)
    """`cabinet/device` -> index in `devices`."""
    power_nodes: dict[str, PowerNodeObj] = field(default_factory=dict)
    cdus: dict[str, CduObj] = field(default_factory=dict)
    cdu_groups: dict[str, CduGroup] = field(default_factory=dict)
    loops: dict[str, FacilityLoop] = field(default_factory=dict)
    air_zones: dict[str, AirZone] = field(default_factory=dict)
    fabrics: dict[str, FabricObj] = field(default_factory=dict)
    links: LinkTable = field(default_factory=LinkTable)
    superpods: dict[str, SuperpodObj] = field(default_factory=dict)
    clusters: dict[str, ClusterObj] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(kind, name) -> where a named object was written (for REF diagnostics)."""
    unbuilt: set[str] = field(default_factory=set)
    """Names that are defined but could not be built because of a finding already reported
    (a manifest that failed its schema, a cabinet or device of an unknown type). References
    to them are not reported again: one mistake, one finding."""
    unplaced: set[str] = field(default_factory=set)
    """Cabinets whose hall or row is unknown (reported): their link lengths are unknown."""
    claimed_ports: list[tuple[int, int]] = field(default_factory=list)
    """(device, port) ends of links whose other end is unbuilt: counted as connected."""
    problems: Problems = field(init=False)
    """What the build could not do (unresolved references, duplicates, expansion problems,
    limits reached, power loops): read by the REF rules and SCH012."""
    limits: LoadLimits = field(default_factory=LoadLimits)
    hall_policies: dict[str, Policy] = field(default_factory=dict)
    """hall -> the policy of the Site declaring it (several Sites in one project)."""
    link_plant: dict[int, LinkPlant] = field(default_factory=dict)
    """link origin index -> patch panels / splices / trunk declared on that link line."""
    short_lengths: dict[int, tuple[float, float, int, int]] = field(default_factory=dict)
    """link origin index -> (declared length_m, the longest computed run it is shorter than,
    how many links of that line, the index of that longest link): declared lengths shorter
    than the run between their ends, which the links do not use (OPT011)."""
    generated: list[GeneratedRun] = field(default_factory=list)
    """One record per topology generator line (per Cluster replica) whose roles a rule checks:
    the devices it built in each role (see GeneratedRun)."""
    generator_link_ends: int = 0
    """Link ends the topology generators have selected so far (bounded by max_links)."""
    read_bytes: int = 0
    """The manifests' size in bytes, charged with the model's work against max_cpu_ms."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Values of derived quantities (model/derived.py: `@derived`), by registry key."""

    def __post_init__(self) -> None:
        self.problems = Problems(self.unbuilt)

    def invalidate(self) -> None:
        """Devices or links changed: derived quantities are computed again when next asked."""
        self.cache.clear()

    def work_ms(self, objects: int | None = None, links: int | None = None) -> float:
        """Estimated CPU milliseconds to read, build and check this design (LoadLimits.work_ms),
        or a design of `objects` cabinets and devices and `links` links with what the
        generators and the read have cost so far: the one estimate that bounds validation,
        expansion and a report's drawings."""
        if objects is None:
            objects = len(self.devices) + len(self.cabinets)
        return self.limits.work_ms(objects, len(self.links) if links is None else links,
                                   self.generator_link_ends // 2, self.read_bytes)

    def policy_for(self, cabinet: Cabinet) -> Policy:
        """The site policy that governs a cabinet: its hall's Site, else the project's."""
        return self.hall_policies.get(cabinet.hall or "", self.policy)

    def add_device(self, device: Device) -> None:
        device.index = len(self.devices)
        self.devices.append(device)
        self.device_index[device.address] = device.index

    def port_name(self, dev: int, port: int) -> str:
        d = self.devices[dev]
        return self.catalog.ports(d.type_name)[0][port].name

    def endpoint(self, dev: int, port: int) -> str:
        """Human address `cabinet/device:port`."""
        return f"{self.devices[dev].address}:{self.port_name(dev, port)}"

    def iter_cabinets(self) -> Iterator[Cabinet]:
        for name in sorted(self.cabinets):
            yield self.cabinets[name]
