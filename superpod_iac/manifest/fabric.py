"""`Fabric`: one network plane, as explicit links and/or topology generators, plus a media policy.

Endpoints are written `cabinet/device:port`. Names may hold nodeset ranges expanded in lockstep
between the two ends (`a: nvl72-01/tray[01-18]:osfp1`, `b: leaf[1-18]/sw:p1`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from superpod_iac.manifest.catalog import Plane
from superpod_iac.manifest.common import (
    ManifestBase,
    Name,
    NonNeg,
    Pos,
    PosCount,
    Ref,
    Strict,
    empty_list,
)


class Link(Strict):
    a: Ref
    b: Ref
    cable: Ref | None = None
    transceiver: Ref | None = None
    """Transceiver type at both ends; `transceiver_a` / `transceiver_b` override per end."""
    transceiver_a: Ref | None = None
    transceiver_b: Ref | None = None
    length_m: Pos | None = None
    """Measured or fixed length; when left out it is computed from the floor grid."""
    patch_panels: int | None = Field(default=None, ge=0, le=20)
    """Patch panels in the optical path (one mated pair each); overrides the site policy."""
    cassettes: int = Field(default=0, ge=0, le=20)
    """Breakout cassettes (MPO trunk at the rear, LC / MPO ports at the front) in the path:
    two mated pairs each."""
    splices: int = Field(default=0, ge=0, le=100)
    """Fusion splices in the optical path (policy `splice_loss_db` each)."""
    via: list[Ref] = Field(default_factory=empty_list, max_length=20)
    """Patch panels and cassettes (`cabinet/device`) the optical path runs through, in order:
    each adds one mated pair per connector its port groups name (a panel of one connector: one
    pair; an LC-front, MPO-rear cassette: an LC and an MPO pair). With `via`, the site policy's
    `patch_panels_per_link` is not assumed; `patch_panels` still adds unnamed panels."""
    trunk: Ref | None = None
    """The fabric's MPO trunk (`trunks:`) these links run through; its fibres are counted."""


class MediaRule(Strict):
    """Pick cable and transceiver by computed length: the first rule whose max fits wins."""

    max_length_m: Pos
    cable: Ref
    transceiver: Ref | None = None


class GeneratorMedia(Strict):
    """Cable / transceiver / length for generated links (else the fabric's defaults and media)."""

    cable: Ref | None = None
    transceiver: Ref | None = None
    length_m: Pos | None = None


class SwitchedPlanes(GeneratorMedia):
    """Every endpoint's port k goes to switch plane k (NVLink, Huawei UB).

    Endpoint port j (in `endpoint_ports` order) belongs to plane j mod `planes`. The switch
    ports (every selected switch's `switch_ports`, switch by switch) are cut into `planes` equal
    blocks; within a block, the k-th endpoint port goes to switch (k + k // S) mod S of the
    block's S switches (round-robin, rotated every S ports so all endpoints share switches).
    """

    type: Literal["switched-planes"]
    endpoints: Ref
    """Device selector (glob on `cabinet/device`), e.g. `nvl72-01/tray*`."""
    endpoint_ports: Ref
    """Port-name nodeset on each endpoint, e.g. `g[1-4]n[01-18]`."""
    switches: Ref
    """Switch selector (glob), e.g. `nvl72-01/nvsw*`."""
    switch_ports: Ref
    """Port-name nodeset on each switch, e.g. `c[1-2]p[01-72]`."""
    planes: PosCount
    plane_by: Literal["port", "cage"] = "port"
    """`cage`: the breakout sub-ports of one cage join one plane (the j-th cage of the
    endpoint's ports goes to plane j mod `planes`), as when one twin-link module of a switch
    chip carries two links of that chip's plane (CloudMatrix 384 L1 chips)."""


class Clos(GeneratorMedia):
    """Rail-optimized leaf/spine (2 tiers) or leaf/spine/core (3 tiers).

    Endpoint port k joins rail k; each rail has len(leaves) / rails leaves, filled endpoint by
    endpoint. Every leaf spreads its up ports round-robin over the spines (and every spine its
    up ports over the cores).
    """

    type: Literal["clos"]
    tiers: Literal[2, 3] = 2
    endpoints: Ref
    endpoint_ports: Ref
    leaves: Ref
    leaf_down_ports: Ref
    leaf_up_ports: Ref
    spines: Ref
    spine_down_ports: Ref
    spine_up_ports: Ref | None = None
    cores: Ref | None = None
    core_ports: Ref | None = None
    rails: PosCount = 1
    oversubscription: Pos = 1.0
    """Declared downlink:uplink bandwidth ratio per leaf (1.0 = non-blocking)."""
    endpoint_transceiver: Ref | None = None
    """Module at the endpoint end of endpoint-to-leaf links when it differs from the switch
    end (a single-port NIC module against a twin-port module at the leaf)."""


class Mesh(GeneratorMedia):
    """2D/3D mesh or torus over the selected devices, in order (first dimension fastest)."""

    type: Literal["mesh", "torus"]
    nodes: Ref
    dims: list[PosCount] = Field(min_length=1, max_length=3)
    ports: Ref
    """Port nodeset per node: 2 per dimension (minus, plus), in dimension order."""
    coords_from: str | None = None
    """Regular expression with one group per dimension, matched on each node's device name,
    giving its coordinates (e.g. `x(\\d+)y(\\d+)z(\\d+)`) when natural order cannot (a torus
    spread over many cabinets)."""


class FullMesh(GeneratorMedia):
    """nD full mesh (UB-Mesh style) over each consecutive group of prod(dims) selected devices
    (natural order, first dimension fastest): every node links to each node of its group that
    differs from it in one coordinate, `links_per_pair` times. Ports are used in dimension
    order, then by neighbour coordinate, then link: (d - 1) x links_per_pair per dimension."""

    type: Literal["full-mesh"]
    nodes: Ref
    dims: list[PosCount] = Field(min_length=1, max_length=4)
    ports: Ref
    links_per_pair: PosCount = 1


Generator = Annotated[SwitchedPlanes | Clos | Mesh | FullMesh, Field(discriminator="type")]


class Shape(Strict):
    """The topology a fabric claims, verified against the links that exist (TOP006, TOP007).

    Hops count links on a path: two nodes on one switch are 2 hops apart, torus neighbours 1.
    """

    type: Literal["full-mesh", "torus", "mesh", "all-to-all-one-hop", "clos"]
    nodes: Ref
    """Devices the shape joins (glob on `cabinet/device`); for torus, mesh and full-mesh their
    natural order gives the coordinates, first dimension fastest."""
    dims: list[PosCount] | None = Field(default=None, min_length=1, max_length=6)
    """torus / mesh / full-mesh: nodes per dimension. A full mesh of several dimensions links
    each node to every node that differs from it in one coordinate (UB-Mesh nD-FullMesh)."""
    switches: Ref | None = None
    """all-to-all-one-hop: the plane switches (glob), in natural order."""
    planes: PosCount = 1
    """all-to-all-one-hop: the switches cut into this many equal planes in natural order;
    every node pair must share a switch in every plane."""
    tiers: Literal[1, 2, 3] | None = None
    """clos: switch tiers above the nodes (2 = leaf/spine, 3 = leaf/spine/core)."""
    max_hops: PosCount | None = None
    """Declared bound on hops between any two nodes (default: what the shape implies)."""
    coords_from: str | None = None
    """torus / mesh / full-mesh: coordinates from the device names (as the mesh generator's)."""


class Trunk(Strict):
    """A multi-fibre trunk (MPO-24, 144-fibre) that carries several links between two
    breakout cassettes or patch panels."""

    name: Name
    cable: Ref
    """Cable type of the trunk; its `fibres` is the trunk's capacity."""
    count: PosCount = 1
    """Parallel trunks of this type under the one name."""


class FabricSpec(Strict):
    plane: Plane
    links: list[Link] = Field(default_factory=empty_list)
    generators: list[Generator] = Field(default_factory=empty_list)
    media: list[MediaRule] = Field(default_factory=empty_list)
    cable: Ref | None = None
    transceiver: Ref | None = None
    max_oversubscription: NonNeg | None = None
    rail_aligned: bool = False
    trunks: list[Trunk] = Field(default_factory=empty_list)
    shape: Shape | None = None
    """The topology this fabric claims (checked by TOP006/TOP007, bisection in `summary`)."""
    optical_through: Ref | None = None
    """Devices (`cabinet/device` selector) every optical link of this fabric passes through,
    one port per link end: optical circuit switches or patch panels that pass light and end no
    link (the link is drawn end to end). Their ports bound the fabric's optical link ends
    (TOP021)."""


class Fabric(ManifestBase):
    kind: Literal["Fabric"]
    spec: FabricSpec


__all__ = ["Fabric", "FabricSpec", "Generator", "Link", "MediaRule", "Name", "Shape"]
