"""`Superpod` and `Cluster`: group cabinets and fabrics, replicate them, declare expectations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    Count,
    ManifestBase,
    Name,
    NonNeg,
    Pos,
    PosCount,
    Ref,
    Strict,
    empty_list,
)


class Expect(Strict):
    """Values the validator checks against what it computed (rule EXP001)."""

    accelerators: Count | None = None
    cabinets: Count | None = None
    switches: Count | None = None
    transceivers: Count | None = None
    links: Count | None = None
    power_kw: NonNeg | None = None
    scale_up_tbytes_s: NonNeg | None = None
    """Aggregate scale-up bandwidth (TB/s, both directions) that the modelled links carry:
    checked against the links (model/bandwidth.py), never the catalog's per-accelerator claim."""
    tolerance_pct: NonNeg = Field(default=0, le=100)
    """Allowed relative difference for power_kw and scale_up_tbytes_s (counts must match
    exactly)."""


class SuperpodSpec(Strict):
    cabinets: list[Ref] = Field(default_factory=empty_list)
    """Cabinet names or nodesets (`nvl72-[01-08]`); empty with `selector` selects by label."""
    selector: dict[str, str] = Field(default_factory=dict)
    fabrics: list[Ref] = Field(default_factory=empty_list)
    expect: Expect = Field(default_factory=Expect)


class Superpod(ManifestBase):
    kind: Literal["Superpod"]
    spec: SuperpodSpec


class Cascade(Strict):
    """Superpod-to-superpod links between replicas.

    `ring`: each replica's uplink ports (matched by `uplinks`, in order) are split in halves;
    the first half of replica i links to the second half of replica i+1 (the last to the first).

    `clos`: a core tier above the replicas' uplinks (the top tier of a folded Clos). With U
    uplinks per replica, R replicas and C core switches of P ports, uplink u of every replica
    goes to core u mod C, so every replica reaches every core; C must divide U and each core
    needs R x U / C ports: the generator reports the core count the design needs,
    ceil(R x U / P) rounded up to a divisor of U, when the selected cores do not fit.
    """

    type: Literal["ring", "clos"] = "ring"
    uplinks: Ref
    """Port selector inside one superpod: `cabinet-glob/device-glob:port-nodeset`."""
    cores: Ref | None = None
    """clos: the core switches (glob on `cabinet/device` of the cluster's own cabinets)."""
    core_ports: Ref | None = None
    """clos: port nodeset on each core switch, used in order."""
    cable: Ref | None = None
    transceiver: Ref | None = None
    length_m: Pos | None = None


class ClusterSpec(Strict):
    superpod: Ref
    replicas: PosCount
    names: Name | None = None
    """Nodeset of replica names, e.g. `cm384-[001-432]`; default `<superpod>-[1-N]`."""
    cascade: list[Cascade] = Field(default_factory=empty_list)
    per_replica: list[Ref] = Field(default_factory=empty_list)
    """Site infrastructure the superpod uses that each replica gets its own copy of: names or
    globs (`cm384-utility`, `cm384-*`) of power nodes, halls or facility loops. Without it
    that infrastructure is shared by every replica and carries the sum of their loads: power
    nodes of type utility, generator, transformer and switchboard (and any node above one),
    halls (with their rows, air zones and site policy) and facility loops. Everything below it
    (UPS, busways, RPPs, feeds, CDUs and their groups) is always the replica's own, and so is
    everything below a node cloned here."""
    expect: Expect = Field(default_factory=Expect)


class Cluster(ManifestBase):
    kind: Literal["Cluster"]
    spec: ClusterSpec


__all__ = ["Cluster", "Expect", "Name", "Superpod"]
