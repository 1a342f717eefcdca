"""PRT: ports on devices and how links use them."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from superpod_iac.diagnostics import Origin
from superpod_iac.model.catalog import form_factor_fits
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import link_ends, link_groups, port_index, port_stride, used_mask
from superpod_iac.rules.linkfmt import example, group_origin, times
from superpod_iac.rules.registry import Finding, rule

MAX_REPORTED = 50
"""Findings listed one by one per rule before the rest are summarised in one line."""


@rule("PRT001", "port used by more than one link",
      inputs=("Link.a", "Link.b"))
def port_used_twice(inv: Inventory) -> Iterator[Finding]:
    """A physical port takes one cable. Two links on one port, or a cage used whole while one
    of its breakout sub-ports (`osfp1/1`) is also cabled, means one of them cannot be installed.

    Fix:
        Move one link to a free port.
    """
    links = inv.links
    if not len(links):
        return
    ends = link_ends(inv)  # the shared per-end port slots (A ends, then B ends)
    n = len(links)
    is_sub = ends.cage != ends.slot
    groups = _shared(ends.slot, n) + (_mixed(ends.cage, is_sub, n) if is_sub.any() else [])
    groups.sort(key=lambda kv: int(kv[1][0]))
    for k, (key, idxs) in enumerate(groups):
        if k == MAX_REPORTED:
            yield Finding(f"{len(groups) - MAX_REPORTED} more ports are used by several links",
                          links.origins[links.origin[int(idxs[0])]], "see the ports listed above")
            break
        dev, port = ends.dev_port(key)
        where = ", ".join(f"#{i + 1}" for i in idxs[:5].tolist()) + (" ..." if len(idxs) > 5 else "")
        yield Finding(f"port {inv.endpoint(dev, port)} is used by {len(idxs)} links ({where})",
                      links.origins[links.origin[int(idxs[1])]], "move one link to a free port")


def _runs(keys: np.ndarray, links: int, want: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(key, sorted link indices) for each key in `want`, in one sort (no per-key scans).
    `keys` holds one entry per link end, A ends then B ends: end e is on link e % links."""
    if not len(want):
        return []
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.searchsorted(sk, want, side="left")
    ends = np.searchsorted(sk, want, side="right")
    return [(int(k), np.sort(order[s:e] % links)) for k, s, e in
            zip(want.tolist(), starts.tolist(), ends.tolist(), strict=True)]


def _shared(exact: np.ndarray, links: int) -> list[tuple[int, np.ndarray]]:
    # boolean marks first: when every link end has a port of its own (the usual case) there is
    # nothing to count (an int64 bincount over every port slot costs 8x the memory and time)
    seen = np.zeros(int(exact.max()) + 1 if len(exact) else 0, dtype=bool)
    seen[exact] = True
    if int(np.count_nonzero(seen)) == len(exact):
        return []
    counts = np.bincount(exact)
    return _runs(exact, links, np.nonzero(counts > 1)[0])


def _mixed(cage: np.ndarray, is_sub: np.ndarray, links: int) -> list[tuple[int, np.ndarray]]:
    """Cages cabled whole while one of their breakout sub-ports is cabled too."""
    size = int(cage.max()) + 1 if len(cage) else 0
    whole = np.zeros(size, dtype=bool)
    whole[cage[~is_sub]] = True
    split = np.zeros(size, dtype=bool)
    split[cage[is_sub]] = True
    mixed = np.nonzero(whole & split)[0]  # boolean marks, not sorts: linear in the links
    return _runs(cage, links, mixed)


@rule("PRT002", "the two ends of a link run at different speeds",
      inputs=("PortGroup.speed_gbps", "PortGroup.breakout="))
def speed_mismatch(inv: Inventory) -> Iterator[Finding]:
    """Both ends of a link must run at the same line rate. A twin-port 800G OSFP cage is two
    400G ports: cable its breakout sub-ports (`osfp1/1`, `osfp1/2`) to 400G ends, not the
    cage itself.

    Formula:
        speed(A) = speed(B), where a breakout sub-port runs at cage speed / breakout

    Fix:
        Use the breakout sub-ports, or ports of the same speed.
    """
    for g in link_groups(inv):
        sa = g.a_group.speed_gbps / (g.a_group.breakout if g.a_sub else 1)
        sb = g.b_group.speed_gbps / (g.b_group.breakout if g.b_sub else 1)
        if abs(sa - sb) > 1e-9:
            hint = ("use its breakout sub-ports (e.g. osfp1/1, osfp1/2)"
                    if (g.a_group.breakout > 1 and not g.a_sub) or
                    (g.b_group.breakout > 1 and not g.b_sub) else "connect ports of the same speed")
            yield Finding(f"{example(inv, g)}: {g.a_type}:{g.a_group.name} at {sa:g}G to "
                          f"{g.b_type}:{g.b_group.name} at {sb:g}G{times(g)}",
                          group_origin(inv, g), hint)


@rule("PRT003", "cable plugs do not fit the ports",
      inputs=("CableType.form_factor?", "PortGroup.form_factor"))
def plug_mismatch(inv: Inventory) -> Iterator[Finding]:
    """Direct-attach copper, ACC and AEC cables have their plugs built in: an OSFP cable does not
    fit a QSFP112 cage. In-cabinet scale-up spines only connect backplane ports.

    Fix:
        Choose a cable with the ports' form factor, or transceivers and fibre.
    """
    for g in link_groups(inv):
        cable = inv.catalog.cable_types.get(g.cable or "")
        if cable is None:
            continue
        want = cable.form_factor
        if cable.medium == "backplane":
            want = "backplane"
        if want is None:
            continue
        for side, group in (("A", g.a_group), ("B", g.b_group)):
            if not form_factor_fits(want, group.form_factor):
                yield Finding(f"{example(inv, g)}: cable {g.cable} has {want} plugs but end "
                              f"{side} is a {group.form_factor} port ({group.name}){times(g)}",
                              group_origin(inv, g), "use a cable made for the ports' form factor")
                break


@rule("PRT004", "required port left unconnected", severity="warning",
      inputs=("PortGroup.required=",))
def required_unconnected(inv: Inventory) -> Iterator[Finding]:
    """Port groups marked `required` (e.g. every GPU's NVLink ports) must all be cabled: an
    unconnected one means a GPU outside its scale-up domain or a lost rail.

    Fix:
        Add the missing links (a generator usually does this), or mark the group not required.
    """
    idx = port_index(inv)
    if not idx.required.any():
        return
    used = used_mask(inv)
    stride = port_stride(inv)
    # one finding per device template line and set of missing ports, naming the devices
    missing_by: dict[tuple[Origin, str, tuple[int, ...]], list[str]] = {}
    cabled: np.ndarray | None = None
    for tid, type_name in enumerate(idx.type_names):
        start, end = int(idx.type_offset[tid]), int(idx.type_offset[tid + 1])
        req = np.nonzero(idx.required[start:end])[0]
        if not len(req):
            continue
        devs = np.nonzero(idx.type_ids == tid)[0]
        hit = used[devs[:, None] * stride + req[None, :]]
        local_cage = idx.cage_of_port[start:end] - start
        if (local_cage != np.arange(end - start)).any():
            # a breakout cage counts as cabled when it or any of its sub-ports is
            if cabled is None:
                cabled = _cabled_cages(inv)
            base = link_ends(inv).base
            hit = hit | cabled[base[devs][:, None] + local_cage[req][None, :]]
        for row in np.nonzero(~hit.all(axis=1))[0].tolist():
            dev = inv.devices[int(devs[row])]
            key = (dev.origin, type_name, tuple(req[~hit[row]].tolist()))
            missing_by.setdefault(key, []).append(dev.address)
    for (origin, type_name, missing), devices in missing_by.items():
        ports = inv.catalog.ports(type_name)[0]
        names = [ports[p].name for p in missing[:6]]
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        who = (f"device {devices[0]}" if len(devices) == 1 else
               f"each of {len(devices)} devices {fold(devices)}")
        yield Finding(f"{who} has {len(missing)} required port(s) unconnected: "
                      f"{', '.join(names)}{more}", origin,
                      "add the links, or set required: false on the port group")


def _cabled_cages(inv: Inventory) -> np.ndarray:
    """Boolean per port slot (`link_ends`): for a cage, is it or one of its breakout sub-ports
    used by a link or claimed by a link to an unbuilt end (the marks of `used_mask`, moved to
    the cage)."""
    ends = link_ends(inv)
    idx = port_index(inv)
    cabled = np.zeros(int(ends.base[-1]), dtype=bool)
    cabled[ends.cage] = True
    for dev, port in inv.claimed_ports:
        first = int(idx.type_offset[idx.type_ids[dev]])
        cabled[int(ends.base[dev]) + int(idx.cage_of_port[first + port]) - first] = True
    return cabled


@rule("PRT005", "port used on a fabric of another plane", severity="warning",
      inputs=("PortGroup.plane?", "Fabric.plane"))
def plane_mismatch(inv: Inventory) -> Iterator[Finding]:
    """Port groups declare the plane they serve (scale-up, scale-out, frontend, management,
    storage). A scale-out NIC cabled into the scale-up fabric is usually a wiring-plan error.

    Fix:
        Use ports of the fabric's plane, or correct the plane of the port group.
    """
    fabrics = {f.index: f for f in inv.fabrics.values()}
    for g in link_groups(inv):
        fab = fabrics.get(g.fabric)
        if fab is None:
            continue
        for group in (g.a_group, g.b_group):
            if group.plane is not None and group.plane != fab.plane:
                yield Finding(f"{example(inv, g)}: port group {group.name} serves the "
                              f"{group.plane} plane but fabric {fab.name} is {fab.plane}"
                              f"{times(g)}", group_origin(inv, g),
                              "use ports of the fabric's plane")
                break
