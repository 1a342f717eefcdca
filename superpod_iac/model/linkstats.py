"""Link groups: links that share origin, cable, transceivers, port groups and length.

Checks that depend only on those fields (reach, loss budget, media, form factors, speeds) run
once per group instead of once per link, so millions of generated links cost a few numpy
passes. Derived data only; cached on the Inventory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superpod_iac.manifest.catalog import PortGroup
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory

LENGTH_QUANTUM_M = 0.01


@dataclass(slots=True)
class LinkGroup:
    origin: int
    cable: str | None
    xcvr_a: str | None
    xcvr_b: str | None
    a_type: str
    a_group: PortGroup
    a_sub: bool
    b_type: str
    b_group: PortGroup
    b_sub: bool
    fabric: int
    length_m: float
    count: int
    first: int
    """Index of the first link of the group (for naming an example endpoint)."""


@dataclass(slots=True)
class PortIndex:
    """Global port ids: type_offset[device type id] + port index -> port group id."""

    type_ids: np.ndarray
    """device index -> device type id."""
    type_names: list[str]
    type_offset: np.ndarray
    group_of_port: np.ndarray
    groups: list[tuple[str, PortGroup, bool]]
    """group id -> (device type, port group, is breakout sub-port)."""
    cage_of_port: np.ndarray
    """global port id -> global id of its cage (itself for a cage)."""
    required: np.ndarray
    """global port id -> 1 when the port's group is required."""


@derived
def port_index(inv: Inventory) -> PortIndex:
    type_names = sorted({d.type_name for d in inv.devices})
    tid = {n: i for i, n in enumerate(type_names)}
    type_ids = np.fromiter((tid[d.type_name] for d in inv.devices), dtype=np.int64,
                           count=len(inv.devices))
    offsets = np.zeros(len(type_names) + 1, dtype=np.int64)
    group_ids: list[int] = []
    cages: list[int] = []
    required: list[int] = []
    groups: list[tuple[str, PortGroup, bool]] = []
    gid: dict[tuple[str, str, bool], int] = {}
    for i, name in enumerate(type_names):
        ports = inv.catalog.ports(name)[0]
        offsets[i + 1] = offsets[i] + len(ports)
        for p in ports:
            key = (name, p.group.name, p.cage >= 0)
            if key not in gid:
                gid[key] = len(groups)
                groups.append((name, p.group, p.cage >= 0))
            group_ids.append(gid[key])
            cages.append(int(offsets[i]) + (p.cage if p.cage >= 0 else p.index))
            required.append(1 if p.group.required else 0)
    idx = PortIndex(type_ids, type_names, offsets, np.array(group_ids, dtype=np.int64),
                    groups, np.array(cages, dtype=np.int64), np.array(required, dtype=np.int8))
    return idx


def device_mask(inv: Inventory, cabinets: list[str]) -> np.ndarray:
    """Boolean per device: does it sit in one of these cabinets."""
    mask = np.zeros(len(inv.devices), dtype=bool)
    for name in cabinets:
        cab = inv.cabinets.get(name)
        if cab is not None:
            for d in cab.devices:
                mask[d.index] = True
    return mask


def columns(inv: Inventory) -> dict[str, np.ndarray]:
    """Zero-copy numpy views of the LinkTable columns."""
    t = inv.links
    return {
        "a_dev": np.frombuffer(t.a_dev, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "a_port": np.frombuffer(t.a_port, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "b_dev": np.frombuffer(t.b_dev, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "b_port": np.frombuffer(t.b_port, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "cable": np.frombuffer(t.cable, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "xcvr_a": np.frombuffer(t.xcvr_a, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "xcvr_b": np.frombuffer(t.xcvr_b, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "length_m": np.frombuffer(t.length_m, dtype=np.float64) if len(t) else np.zeros(0),
        "fabric": np.frombuffer(t.fabric, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
        "origin": np.frombuffer(t.origin, dtype=np.int32) if len(t) else np.zeros(0, np.int32),
    }


def global_ports(inv: Inventory) -> tuple[np.ndarray, np.ndarray]:
    """Global port ids of the A and B ends of every link."""
    idx = port_index(inv)
    c = columns(inv)
    a = idx.type_offset[idx.type_ids[c["a_dev"]]] + c["a_port"] if len(c["a_dev"]) else \
        np.zeros(0, np.int64)
    b = idx.type_offset[idx.type_ids[c["b_dev"]]] + c["b_port"] if len(c["b_dev"]) else \
        np.zeros(0, np.int64)
    return a, b


@derived
def link_groups(inv: Inventory) -> list[LinkGroup]:
    t = inv.links
    out: list[LinkGroup] = []
    if len(t):
        idx = port_index(inv)
        c = columns(inv)
        ga, gb = global_ports(inv)
        length = c["length_m"]
        qlen = np.where(np.isnan(length), -1, np.round(length / LENGTH_QUANTUM_M)).astype(np.int64)
        fields = [c["origin"].astype(np.int64), c["cable"].astype(np.int64) + 1,
                  c["xcvr_a"].astype(np.int64) + 1, c["xcvr_b"].astype(np.int64) + 1,
                  idx.group_of_port[ga], idx.group_of_port[gb], c["fabric"].astype(np.int64),
                  qlen + 1]
        dims = [int(f.max()) + 1 for f in fields]
        dense = _distinct(fields, dims)
        if dense is not None:  # no sort: a few bincounts over a small dense key space
            first, counts = dense
        elif _fits_int64(dims):  # one composite integer key: a 1-D unique is much faster
            key = np.ravel_multi_index(fields, dims)
            _u, first, counts = np.unique(key, return_index=True, return_counts=True)
        else:
            _rows, first, counts = np.unique(np.stack(fields, axis=1), axis=0,
                                             return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        for f, n in zip(first[order].tolist(), counts[order].tolist(), strict=True):
            origin, cable, xa, xb, g_a, g_b, fabric, ql = (int(x[f]) for x in fields)
            cable, xa, xb, ql = cable - 1, xa - 1, xb - 1, ql - 1
            ta, pa, sa = idx.groups[g_a]
            tb, pb, sb = idx.groups[g_b]
            out.append(LinkGroup(
                origin, t.cable_names[cable] if cable >= 0 else None,
                t.xcvr_names[xa] if xa >= 0 else None, t.xcvr_names[xb] if xb >= 0 else None,
                ta, pa, sa, tb, pb, sb, fabric,
                float("nan") if ql < 0 else ql * LENGTH_QUANTUM_M, n, f))
    return out


@derived
def used_mask(inv: Inventory) -> np.ndarray:
    """Boolean array over dev * port_stride + port: True where a link uses the port."""
    c = columns(inv)
    stride = port_stride(inv)
    mask = np.zeros(max(len(inv.devices), 1) * stride, dtype=bool)
    mask[c["a_dev"].astype(np.int64) * stride + c["a_port"]] = True
    mask[c["b_dev"].astype(np.int64) * stride + c["b_port"]] = True
    for dev, port in inv.claimed_ports:  # links to an unbuilt end: not "unconnected" as well
        mask[dev * stride + port] = True
    return mask


def port_stride(inv: Inventory) -> int:
    idx = port_index(inv)
    sizes = np.diff(idx.type_offset)
    return int(sizes.max()) + 1 if len(sizes) else 1


def _distinct(fields: list[np.ndarray], dims: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """Index of the first row and number of rows of every distinct row of `fields` (columns
    with values in [0, dims[i])), in lexicographic order of the rows: what
    `np.unique(key, return_index=True, return_counts=True)` gives, by dense counting instead of
    a sort. The fields are folded into one id left to right; whenever the id space would outgrow
    the rows, the ids present are renumbered 0..k-1 in order (which keeps the order). None when
    one field alone is too large for a dense space."""
    n = len(fields[0])
    limit = max(2 * n, 1 << 16)
    ids = np.zeros(n, dtype=np.int64)
    size = 1
    for f, d in zip(fields, dims, strict=True):
        if size * d > limit:
            present = np.bincount(ids, minlength=size) > 0
            renumber = np.cumsum(present) - 1
            ids, size = renumber[ids], int(renumber[-1]) + 1
            if size * d > limit:
                return None
        ids = ids * d + f
        size *= d
    counts = np.bincount(ids, minlength=size)
    first = np.full(size, n, dtype=np.int64)
    np.minimum.at(first, ids, np.arange(n, dtype=np.int64))
    found = np.flatnonzero(counts)
    return first[found], counts[found]


def _fits_int64(dims: list[int]) -> bool:
    total = 1
    for d in dims:
        total *= max(d, 1)
    return total < 2**62


@derived
def device_cabinet_ids(inv: Inventory) -> tuple[list[str], np.ndarray]:
    """Sorted cabinet names and, per device index, the index of its cabinet in that list."""
    names = sorted(inv.cabinets)
    ids = {n: i for i, n in enumerate(names)}
    arr = np.fromiter((ids[d.cabinet] for d in inv.devices), dtype=np.int64,
                      count=len(inv.devices))
    return names, arr


@dataclass(frozen=True, slots=True)
class LinkEnds:
    """Every link end once, the A ends of links 0..n-1 then their B ends (end e is on link
    e % n), as compact port slots: device d's ports are numbered from `base[d]` on, so slot
    `base[d] + port` names one port of the design (devices x their own port counts, not
    devices x the largest port count). Shared by the optical-module table and the port rules,
    which all need the same per-end arrays."""

    base: np.ndarray
    """device index -> its first slot (int64; one entry more than devices: the slot count)."""
    slot: np.ndarray
    """per end: base[device] + port (int32 while the slots fit, else int64)."""
    cage: np.ndarray
    """per end: base[device] + the port's cage (== slot unless a breakout sub-port)."""

    def dev_port(self, slot: int) -> tuple[int, int]:
        """(device index, port index) of a slot."""
        dev = int(np.searchsorted(self.base, slot, side="right")) - 1
        return dev, slot - int(self.base[dev])


@derived
def link_ends(inv: Inventory) -> LinkEnds:
    idx = port_index(inv)
    sizes = np.diff(idx.type_offset)[idx.type_ids] if len(inv.devices) else \
        np.zeros(0, np.int64)
    base = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=base[1:])
    c = columns(inv)
    total = max(int(base[-1]), int(idx.type_offset[-1]))
    dtype = np.int32 if total < 2**31 else np.int64
    first_port = idx.type_offset[idx.type_ids].astype(dtype)  # per device: its type's 1st id
    shift = (base[:-1] - first_port).astype(dtype)  # global port id -> slot, per device
    devs = np.concatenate([c["a_dev"], c["b_dev"]])
    gport = first_port[devs] + np.concatenate([c["a_port"], c["b_port"]]).astype(dtype)
    dev_shift = shift[devs]
    slot = gport + dev_shift
    cage = idx.cage_of_port.astype(dtype)[gport] + dev_shift
    return LinkEnds(base, slot, cage)


def transceiver_modules(inv: Inventory, only: np.ndarray | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(device index, transceiver-name index) of every physical optical module.

    A link end with a transceiver holds one module, except that the breakout sub-ports of one
    cage (`osfp1/1`, `osfp1/2`) share the cage's single twin-port module. Modules come in the
    order of their first link end. `only` (a boolean mask over links) restricts them to the
    modules on those links, by marks on the one cached table (no sort per call).
    """
    table = _module_table(inv)
    if only is None:
        return table.devs, table.xcvrs
    mark = np.zeros(len(table.devs) + 1, dtype=bool)  # slot -1: a link end without a module
    mark[table.module_a[only]] = True
    mark[table.module_b[only]] = True
    mark = mark[:-1]
    return table.devs[mark], table.xcvrs[mark]


@dataclass(frozen=True, slots=True)
class ModuleTable:
    """Every optical module once (`devs`, `xcvrs`: device and transceiver-name index, in the
    order of first link end), and per link the module at its A and B end (-1: none; int32)."""

    devs: np.ndarray
    xcvrs: np.ndarray
    module_a: np.ndarray
    module_b: np.ndarray


@derived
def _module_table(inv: Inventory) -> ModuleTable:
    """One module per (device, cage, transceiver type) among the link ends with a transceiver.

    No sort: the first end of each cage slot is found with `np.minimum.at` over the slots, and
    when every end of a cage names the same transceiver type (a cage holds one module) that first
    end is the module. A cage whose ends name different types falls back to a sort of the full
    (cage, type) keys (`_module_table_sorted`), which gives one module per type, as always."""
    t = inv.links
    if not len(t):
        empty = np.zeros(0, dtype=np.int64)
        none = np.zeros(0, dtype=np.int32)
        return ModuleTable(empty, empty, none, none)
    ends = link_ends(inv)
    c = columns(inv)
    xs_all = np.concatenate([c["xcvr_a"], c["xcvr_b"]])
    has = np.flatnonzero(xs_all >= 0)
    n = len(has)
    every = n == len(xs_all)  # every end has a module (no copies of the per-end arrays)
    xs = xs_all if every else xs_all[has]
    cage = ends.cage if every else ends.cage[has]
    step = np.int32 if n < 2**31 else np.int64
    count = np.arange(n, dtype=step)
    first = np.full(int(ends.base[-1]), n, dtype=step)
    np.minimum.at(first, cage, count)
    lead = first[cage]  # per end with a module: the first end (in `has`) on its cage
    del first
    if not np.array_equal(xs, xs[lead]):
        return _module_table_sorted(inv, has, cage, xs)
    heads = np.flatnonzero(lead == count)  # the first end of each module, in end order
    number = np.empty(n, dtype=np.int32)
    number[heads] = np.arange(len(heads), dtype=np.int32)
    if every:
        module = number[lead]
    else:
        module = np.full(2 * len(t), -1, dtype=np.int32)
        module[has] = number[lead]
    devs = np.concatenate([c["a_dev"], c["b_dev"]])[has[heads]].astype(np.int64)
    return ModuleTable(devs, xs[heads].astype(np.int64), module[:len(t)], module[len(t):])


def _module_table_sorted(inv: Inventory, has: np.ndarray, cage: np.ndarray, xs: np.ndarray
                         ) -> ModuleTable:
    """`_module_table` by one sort of the (cage slot, transceiver type) keys of the ends in
    `has` (the general case: a cage whose ends name different transceiver types)."""
    t = inv.links
    c = columns(inv)
    key = cage.astype(np.int64) * (len(t.xcvr_names) + 1) + xs
    _keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # unique keys in the order of their first end
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    first = first[order]
    module = np.full(2 * len(t), -1, dtype=np.int32)
    module[has] = position[inverse.reshape(-1)]
    devs = np.concatenate([c["a_dev"], c["b_dev"]])[has[first]].astype(np.int64)
    return ModuleTable(devs, xs[first].astype(np.int64), module[:len(t)], module[len(t):])
