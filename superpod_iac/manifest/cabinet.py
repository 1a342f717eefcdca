"""`Cabinet`: a cabinet type at a floor position with its devices, feeds and CDU.

`metadata.name` may be a nodeset range (`nvl72-[01-08]`); string fields below may then carry
a range of the same length (`slot: "[1-8]"`, `feeds: [busway-A[1-8]]`) or `{i}` / `{name}`
substitutions, expanded in lockstep by the model stage.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from superpod_iac.manifest.common import (
    ManifestBase,
    Name,
    NonNeg,
    PosCount,
    Range,
    Ref,
    Strict,
    UPos,
    empty_list,
)

SlotNumber = PosCount


class Location(Strict):
    hall: Ref
    row: Ref
    slot: SlotNumber | Range


class Device(Strict):
    name: Name
    type: Ref
    u: UPos | Range
    """Lowest rack unit the device occupies (1 = bottom); 0 for zero-U (side-mounted) parts."""
    feeds: list[Ref] = Field(default_factory=empty_list)
    """Power shelves / PDUs: which PowerSystem feeds they draw from. `{feed1}`, `{feed2}` name
    the cabinet's own feeds (handy in replicated cabinets), `{cabinet}` the cabinet's name."""
    serial: str | None = None
    outlets: list[Ref] = Field(default_factory=empty_list)
    """Explicit cord assignment, one `pdu-device:outlet-number` per PSU cord in order
    (outlets numbered from 1 across the PDU's banks); else cords go round-robin per side."""


class CabinetSpec(Strict):
    type: Ref
    location: Location | None = None
    feeds: list[Ref] = Field(default_factory=empty_list)
    cdu: Ref | None = None
    """The CDU, or the CDU redundancy group, that cools the cabinet's liquid loop."""
    rear_door_kw: NonNeg = 0
    """Heat the rear-door heat exchanger takes out of the cabinet's exhaust air; it needs a
    `rear_door` type whose capacity bounds it and a `cdu` for its water (CLG013)."""
    rear_door: Ref | None = None
    """The rear-door heat exchanger: a catalog CDU type of form `rear-door`."""
    extra_weight_kg: NonNeg = 0
    devices: list[Device] = Field(default_factory=empty_list)


class Cabinet(ManifestBase):
    kind: Literal["Cabinet"]
    spec: CabinetSpec
