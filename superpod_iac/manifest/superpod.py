"""`Superpod` and `Cluster`: group cabinets and fabrics, replicate them, declare expectations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    Count,
    ManifestBase,
    Name,
    NonNeg,
    PosCount,
    Ref,
    Strict,
)


class Expect(Strict):
    """Values the validator checks against what it computed (rule EXP001)."""

    accelerators: Count | None = None
    cabinets: Count | None = None
    switches: Count | None = None
    transceivers: Count | None = None
    links: Count | None = None
    power_kw: NonNeg | None = None
    tolerance_pct: NonNeg = Field(default=0, le=100)
    """Allowed relative difference for power_kw (counts must match exactly)."""


class SuperpodSpec(Strict):
    cabinets: list[Ref] = Field(default_factory=list)
    """Cabinet names or nodesets (`nvl72-[01-08]`); empty with `selector` selects by label."""
    selector: dict[str, str] = Field(default_factory=dict)
    fabrics: list[Ref] = Field(default_factory=list)
    expect: Expect = Field(default_factory=Expect)


class Superpod(ManifestBase):
    kind: Literal["Superpod"]
    spec: SuperpodSpec


class Cascade(Strict):
    """Superpod-to-superpod links: port k of each pod's uplink set to pod-level spine k."""

    type: Literal["cascade"]
    uplinks: Ref
    """Uplink selector inside one superpod (`cabinet/device:port` glob)."""
    spines: PosCount = 1
    cable: Ref | None = None
    transceiver: Ref | None = None


class ClusterSpec(Strict):
    superpod: Ref
    replicas: PosCount
    names: Name | None = None
    """Nodeset of replica names, e.g. `cm384-[001-432]`; default `<superpod>-[1-N]`."""
    fabrics: list[Ref] = Field(default_factory=list)
    cascade: list[Cascade] = Field(default_factory=list)
    expect: Expect = Field(default_factory=Expect)


class Cluster(ManifestBase):
    kind: Literal["Cluster"]
    spec: ClusterSpec


__all__ = ["Cluster", "Expect", "Name", "Superpod"]
