"""Explicit fabric links: expand endpoint ranges in lockstep, resolve ports, pick media."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.fabric import Fabric, FabricSpec, Link
from superpod_iac.model.expand import ExpansionError, expand
from superpod_iac.model.inventory import FabricObj, Inventory, LinkPlant
from superpod_iac.model.lengths import link_length_m

if TYPE_CHECKING:
    from superpod_iac.manifest.parse import Manifest


class LinkMedia(Protocol):
    """What a link line or a generator says about its cable, optics and length (an explicit
    `Link` may also name `transceiver_a` / `transceiver_b`)."""

    @property
    def cable(self) -> str | None: ...
    @property
    def transceiver(self) -> str | None: ...
    @property
    def length_m(self) -> float | None: ...


def split_endpoint(text: str) -> tuple[str, str] | None:
    """`cabinet/device:port` -> (`cabinet/device`, `port`)."""
    dev, sep, port = text.rpartition(":")
    if not sep or "/" not in dev or not port:
        return None
    return dev, port


def resolve_port(inv: Inventory, text: str) -> tuple[int, int] | str:
    """(device index, port index) for an endpoint, or a reason it does not resolve."""
    parts = split_endpoint(text)
    if parts is None:
        return f"endpoint '{text}' is not written cabinet/device:port"
    dev, port = parts
    idx = inv.device_index.get(dev)
    if idx is None:
        return f"device '{dev}' does not exist"
    device = inv.devices[idx]
    p = inv.catalog.ports(device.type_name)[1].get(port)
    if p is None:
        return f"port '{port}' is not on device type {device.type_name} ({dev})"
    return idx, p.index


def _unbuilt(inv: Inventory, text: str) -> bool:
    """The endpoint's device or cabinet is defined but was not built (reported already)."""
    dev = text.rpartition(":")[0]
    return dev in inv.unbuilt or dev.partition("/")[0] in inv.unbuilt


def media_rule(fabric: FabricSpec, length_m: float) -> int | None:
    """Index of the first media rule whose max length fits the computed length."""
    if math.isnan(length_m):
        return None
    for k, rule in enumerate(fabric.media):
        if length_m <= rule.max_length_m:
            return k
    return None


def _add_plant(inv: Inventory, spec: FabricSpec, link: Link, fab: FabricObj, oid: int,
               origin: Origin) -> None:
    """Record the passive plant an explicit link declares (patch panels, cassettes, splices,
    trunk, devices it runs via); a `via` device or trunk the design lacks is a finding."""
    inv.link_plant[oid] = LinkPlant(link.patch_panels, link.cassettes, link.splices,
                                    link.trunk, fab.name, tuple(link.via))
    for k, dev in enumerate(link.via):
        if dev not in inv.device_index:
            inv.problems.missing("device", dev, Origin(origin.file, origin.doc,
                                 (*origin.path, "via", k)), f"fabric {fab.name}")
    trunks = {t.name for t in spec.trunks}
    if link.trunk is not None and link.trunk not in trunks:
        inv.problems.missing("trunk", link.trunk, Origin(origin.file, origin.doc,
                             (*origin.path, "trunk")), f"fabric {fab.name}")


def add_explicit_links(inv: Inventory, m: Manifest[Fabric], fab: FabricObj) -> None:
    spec = m.model.spec
    for i, link in enumerate(spec.links):
        origin = Origin(m.document.file, m.document.index, ("spec", "links", i))
        try:
            a_list, b_list = expand(link.a), expand(link.b)
        except ExpansionError as exc:
            inv.problems.cannot_expand(str(exc), origin)
            continue
        if len(a_list) != len(b_list):
            inv.problems.cannot_expand(
                f"link ends expand to {len(a_list)} and {len(b_list)} endpoints: "
                "they must pair up one to one", origin)
            continue
        oid = inv.links.intern_origin(origin)
        if link.patch_panels is not None or link.splices or link.cassettes or \
                link.trunk is not None or link.via:
            _add_plant(inv, spec, link, fab, oid, origin)
        for a_text, b_text in zip(a_list, b_list, strict=True):
            ends: list[tuple[int, int]] = []
            unbuilt = False
            for side, text in (("a", a_text), ("b", b_text)):
                got = resolve_port(inv, text)
                if isinstance(got, str):
                    if _unbuilt(inv, text):
                        unbuilt = True  # its cabinet or device already has a finding
                        continue
                    inv.problems.missing("port", text, Origin(origin.file, origin.doc,
                                         (*origin.path, side)), got)
                else:
                    ends.append(got)
            if len(ends) != 2:
                if unbuilt:
                    inv.claimed_ports.extend(ends)
                continue
            add_link(inv, fab, link, ends[0], ends[1], oid, origin)


def _own(link: LinkMedia, name: str) -> str | None:
    """`link.name` when the link line or generator has that field, else None. A pydantic
    generator model has no transceiver_a/_b, and getattr would raise and catch an
    AttributeError inside its __getattr__ per link end (~10 % of building CloudMatrix 384), so
    an instance with a __dict__ is read through it; slotted media (_NicSide) through getattr."""
    fields = getattr(link, "__dict__", None)
    value = fields.get(name) if fields is not None else getattr(link, name, None)
    return value if isinstance(value, str) else None


def add_link(inv: Inventory, fab: FabricObj, link: LinkMedia | None, a: tuple[int, int],
             b: tuple[int, int], oid: int, origin: Origin) -> None:
    """Append one resolved link, computing its length and media where not declared.

    `link` is an explicit Link or a generator (both carry cable / transceiver / length_m)."""
    length = _length(inv, link, a, b, oid)
    cable, xa, xb = link_media(inv, fab, link, length, origin)
    inv.links.add(a, b, cable=cable, xcvr_a=xa, xcvr_b=xb, length_m=length, fabric=fab.index,
                  origin=oid)


def add_links(inv: Inventory, fab: FabricObj,
              pairs: Iterable[tuple[tuple[int, int], tuple[int, int]]],
              media_of: Callable[[tuple[int, int]], LinkMedia], oid: int,
              origin: Origin) -> None:
    """`add_link` for the links of one generator, in order; `media_of(a)` gives the generator
    (or its view from end `a`). Media depend only on that and the run length, so they are
    chosen (and their part names checked) once per distinct pair of both."""
    chosen: dict[tuple[int, float], tuple[str | None, str | None, str | None]] = {}
    add = inv.links.add
    for a, b in pairs:
        link = media_of(a)
        length = _length(inv, link, a, b, oid)
        key = (id(link), length)
        media = chosen.get(key)
        if media is None:   # a NaN length never matches: chosen again, the same way
            media = chosen[key] = link_media(inv, fab, link, length, origin)
        add(a, b, cable=media[0], xcvr_a=media[1], xcvr_b=media[2], length_m=length,
            fabric=fab.index, origin=oid)


def _length(inv: Inventory, link: LinkMedia | None, a: tuple[int, int],
            b: tuple[int, int], oid: int) -> float:
    """The link's length: the computed run between its ends, or its declared `length_m` where
    that is longer (slack, routing) or the run is unknown. Derived beats declared: a declared
    length shorter than the run is not believed (OPT011 reports it, from `short_lengths`)."""
    run = link_length_m(inv, inv.devices[a[0]], inv.devices[b[0]])
    if link is None or link.length_m is None:
        return run
    declared = float(link.length_m)
    if math.isnan(run) or declared >= run - 1e-9:
        return declared
    got = inv.short_lengths.get(oid)
    if got is None or run > got[1]:
        inv.short_lengths[oid] = (declared, run, (got[2] if got else 0) + 1, len(inv.links))
    else:
        inv.short_lengths[oid] = (got[0], got[1], got[2] + 1, got[3])
    return run


def link_media(inv: Inventory, fab: FabricObj, link: LinkMedia | None, length: float,
               origin: Origin) -> tuple[str | None, str | None, str | None]:
    """(cable, transceiver A, transceiver B) of a link of `length` m: its own line's, else the
    fabric's, else the first media rule that reaches; each name not in the catalog is reported
    at the line that wrote it."""
    spec = fab.spec
    assert spec is not None, "cascade fabrics add their links column-wise, not here"
    # where each part name was written (a path under `spec`; None: the link's own line), so
    # a wrong name is reported once, at its own line
    cable = link.cable if link is not None else None
    cable_at: tuple[Any, ...] | None = None
    if cable is None and spec.cable is not None:
        cable, cable_at = spec.cable, ("cable",)
    xa = (_own(link, "transceiver_a") or link.transceiver) if link is not None else None
    xb = (_own(link, "transceiver_b") or link.transceiver) if link is not None else None
    xa_at: tuple[Any, ...] | None = None
    xb_at: tuple[Any, ...] | None = None
    if xa is None and spec.transceiver is not None:
        xa, xa_at = spec.transceiver, ("transceiver",)
    if xb is None and spec.transceiver is not None:
        xb, xb_at = spec.transceiver, ("transceiver",)
    if cable is None and spec.media:
        k = media_rule(spec, length)
        if k is not None:
            rule = spec.media[k]
            cable, cable_at = rule.cable, ("media", k, "cable")
            if xa is None and rule.transceiver is not None:
                xa, xa_at = rule.transceiver, ("media", k, "transceiver")
            if xb is None and rule.transceiver is not None:
                xb, xb_at = rule.transceiver, ("media", k, "transceiver")
    cat = inv.catalog
    for what, name, section, at in (("cable type", cable, cat.cable_types, cable_at),
                                    ("transceiver type", xa, cat.transceiver_types, xa_at),
                                    ("transceiver type", xb, cat.transceiver_types, xb_at)):
        if name is not None and name not in section:
            where = origin if at is None else \
                Origin(fab.origin.file, fab.origin.doc, ("spec", *at))
            inv.problems.missing(what, name, where, f"link in fabric {fab.name}")
    return cable, xa, xb
