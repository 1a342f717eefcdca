"""Topology generators: switched scale-up planes, rail-optimized Clos, mesh and torus.

Generated links go through the same path as explicit ones (`links.add_links`: media policy,
length, reference checks) and carry the generator's line as their origin, so every rule,
BOM line and diagram treats them as ordinary links.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.fabric import Clos, Fabric, FullMesh, Mesh, SwitchedPlanes
from superpod_iac.model.expand import ExpansionError, expand
from superpod_iac.model.inventory import (
    OPTICAL_THROUGH,
    SHAPE_SELECTION,
    FabricObj,
    GeneratedRun,
    Inventory,
)
from superpod_iac.model.links import LinkMedia, add_links

if TYPE_CHECKING:
    from superpod_iac.manifest.parse import Manifest


class GeneratorError(ValueError):
    """The generator's selectors or port sets do not fit together (reported as REF003)."""


class GeneratorLimit(GeneratorError):
    """The generator would exceed a work limit (reported as SCH012, the links not made)."""


Pairs = list[tuple[tuple[int, int], tuple[int, int]]]
"""Generated links: ((device, port), (device, port)) index pairs."""


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders `tray2` before `tray10`."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def select_devices(inv: Inventory, pattern: str) -> list[int]:
    """Device indices whose `cabinet/device` address matches a glob (nodesets expand first),
    in natural name order."""
    try:
        patterns = expand(pattern)
    except ExpansionError as exc:
        raise GeneratorError(str(exc)) from exc
    out: list[int] = []
    seen: set[int] = set()
    for pat in patterns:
        if not any(ch in pat for ch in "*?["):
            idx = inv.device_index.get(pat)
            hits = [idx] if idx is not None else []
        else:
            hits = sorted((d.index for d in inv.devices if fnmatch.fnmatchcase(d.address, pat)),
                          key=lambda i: natural_key(inv.devices[i].address))
        for h in hits:
            if h not in seen:
                seen.add(h)
                out.append(h)
    if not out:
        raise GeneratorError(f"selector '{pattern}' matches no device")
    return out


def _ports(inv: Inventory, dev: int, nodeset: str) -> list[int]:
    device = inv.devices[dev]
    by_name = inv.catalog.ports(device.type_name)[1]
    try:
        names = expand(nodeset)
    except ExpansionError as exc:
        raise GeneratorError(str(exc)) from exc
    # Every generator picks its link ends here: counting them bounds the links a generator
    # can make (LoadLimits.max_links) before it makes them.
    inv.generator_link_ends += len(names)
    if inv.generator_link_ends > inv.limits.max_links:
        raise GeneratorLimit(f"generators select more than {inv.limits.max_links:,} link ends "
                             "(limit max_links)")
    generated = inv.generator_link_ends // 2
    objects = len(inv.devices) + len(inv.cabinets)
    if inv.limits.work_ms(objects, len(inv.links) + generated, generated,
                          inv.read_bytes) > inv.limits.max_cpu_ms:
        raise GeneratorLimit(f"generators select over {inv.generator_link_ends:,} link ends: "
                             f"with the design's {objects:,} cabinets and devices, more than "
                             f"the {inv.limits.max_cpu_ms:,} ms of CPU allowed (limit "
                             "max_cpu_ms, estimated from the costs in docs/security.md)")
    missing = [n for n in names if n not in by_name]
    if missing:
        raise GeneratorError(f"port '{missing[0]}' is not on {device.address} "
                             f"({device.type_name})")
    return [by_name[n].index for n in names]


def switched_planes(inv: Inventory, gen: SwitchedPlanes) -> Pairs:
    endpoints = select_devices(inv, gen.endpoints)
    switches = select_devices(inv, gen.switches)
    planes = gen.planes
    ep_ports = {e: _ports(inv, e, gen.endpoint_ports) for e in endpoints}
    per_plane: list[list[tuple[int, int]]] = [[] for _ in range(planes)]
    by_cage = gen.plane_by == "cage"
    for e in endpoints:
        cages: dict[int, int] = {}
        info = inv.catalog.ports(inv.devices[e].type_name)[0] if by_cage else []
        for j, p in enumerate(ep_ports[e]):
            if by_cage:
                cage = info[p].cage if info[p].cage >= 0 else p
                j = cages.setdefault(cage, len(cages))
            per_plane[j % planes].append((e, p))
    slots = [(s, p) for s in switches for p in _ports(inv, s, gen.switch_ports)]
    if len(slots) % planes:
        raise GeneratorError(f"{len(slots)} switch ports do not split into {planes} planes")
    size = len(slots) // planes
    out = []
    for k in range(planes):
        block = slots[k * size:(k + 1) * size]
        ends = per_plane[k]
        if len(ends) > len(block):
            raise GeneratorError(f"plane {k + 1} has {len(ends)} endpoint ports but only "
                                 f"{len(block)} switch ports")
        out += list(zip(ends, _spread(block, len(ends)), strict=True))
    return out


def _spread(block: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """Switch ports for `count` successive endpoint ports of one plane.

    The k-th endpoint port goes to switch (k + k // S) mod S of the plane's S switches, taking
    that switch's next free port: an endpoint's ports land on different switches, and the
    rotation every S ports links every endpoint to every other through shared switches.
    """
    by_switch: dict[int, list[int]] = {}
    for sw, p in block:
        by_switch.setdefault(sw, []).append(p)
    switches = list(by_switch)
    n = len(switches)
    taken = dict.fromkeys(switches, 0)
    out: list[tuple[int, int]] = []
    for k in range(count):
        start = (k + k // n) % n
        for step in range(n):  # skip switches already full (uneven port counts)
            sw = switches[(start + step) % n]
            if taken[sw] < len(by_switch[sw]):
                break
        out.append((sw, by_switch[sw][taken[sw]]))
        taken[sw] += 1
    return out


def clos_roles(inv: Inventory, gen: Clos) -> dict[str, list[int]]:
    """The built devices a Clos generator selects, by role, in its order."""
    roles = {"endpoints": select_devices(inv, gen.endpoints),
             "leaves": select_devices(inv, gen.leaves),
             "spines": select_devices(inv, gen.spines)}
    if gen.tiers == 3 and gen.cores:
        roles["cores"] = select_devices(inv, gen.cores)
    return roles


def clos(inv: Inventory, gen: Clos, roles: dict[str, list[int]] | None = None) -> Pairs:
    if roles is None:
        roles = clos_roles(inv, gen)
    endpoints, leaves, spines = roles["endpoints"], roles["leaves"], roles["spines"]
    rails = gen.rails
    if len(leaves) % rails:
        raise GeneratorError(f"{len(leaves)} leaves do not split into {rails} rails")
    per_rail = len(leaves) // rails
    out: list[tuple[tuple[int, int], tuple[int, int]]] = []
    leaf_down = {leaf: _ports(inv, leaf, gen.leaf_down_ports) for leaf in leaves}
    used = dict.fromkeys(leaves, 0)
    for e in endpoints:
        ports = _ports(inv, e, gen.endpoint_ports)
        if len(ports) != rails:
            raise GeneratorError(f"{inv.devices[e].address} has {len(ports)} endpoint ports for "
                                 f"{rails} rails")
        for k, p in enumerate(ports):
            rail_leaves = leaves[k * per_rail:(k + 1) * per_rail]
            leaf = next((lf for lf in rail_leaves if used[lf] < len(leaf_down[lf])), None)
            if leaf is None:
                raise GeneratorError(f"rail {k + 1} leaves have no free down ports left")
            out.append(((e, p), (leaf, leaf_down[leaf][used[leaf]])))
            used[leaf] += 1
    out += _uplinks(inv, leaves, gen.leaf_up_ports, spines, gen.spine_down_ports)
    if gen.tiers == 3:
        if not (gen.cores and gen.core_ports and gen.spine_up_ports):
            raise GeneratorError("3 tiers need cores, core_ports and spine_up_ports")
        out += _uplinks(inv, spines, gen.spine_up_ports, roles["cores"], gen.core_ports)
    return out


def _uplinks(inv: Inventory, lower: list[int], up_ports: str, upper: list[int],
             down_ports: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each lower switch spreads its up ports round-robin over the upper switches."""
    free = {u: _ports(inv, u, down_ports) for u in upper}
    taken = dict.fromkeys(upper, 0)
    out = []
    for low in lower:
        for i, p in enumerate(_ports(inv, low, up_ports)):
            u = upper[i % len(upper)]
            if taken[u] >= len(free[u]):
                raise GeneratorError(f"{inv.devices[u].address} has no free down port left")
            out.append(((low, p), (u, free[u][taken[u]])))
            taken[u] += 1
    return out


def order_by_coords(inv: Inventory, nodes: list[int], pattern: str | None,
                    dims: list[int]) -> list[int]:
    """Nodes in coordinate order (first dimension fastest) from `pattern`'s groups matched on
    each device name; unchanged without a pattern."""
    if not pattern:
        return nodes
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise GeneratorError(f"coords_from '{pattern}': {exc}") from exc
    keyed: dict[int, int] = {}
    for n in nodes:
        m = rx.search(inv.devices[n].name)
        if m is None or len(m.groups()) != len(dims):
            raise GeneratorError(f"coords_from '{pattern}' does not give {len(dims)} "
                                 f"coordinates for {inv.devices[n].address}")
        coord = [int(g) for g in m.groups()]
        if any(not 0 <= c < d for c, d in zip(coord, dims, strict=True)):
            raise GeneratorError(f"{inv.devices[n].address}: coordinates {coord} outside dims "
                                 f"{dims}")
        idx = _index(coord, dims)
        if idx in keyed:
            raise GeneratorError(f"{inv.devices[n].address} and "
                                 f"{inv.devices[keyed[idx]].address} share coordinates {coord}")
        keyed[idx] = n
    return [keyed[i] for i in sorted(keyed)]


def mesh(inv: Inventory, gen: Mesh) -> Pairs:
    nodes = select_devices(inv, gen.nodes)
    dims = list(gen.dims)
    nodes = order_by_coords(inv, nodes, gen.coords_from, dims)
    total = 1
    for d in dims:
        total *= d
    if total != len(nodes):
        raise GeneratorError(f"dims {'x'.join(map(str, dims))} = {total} but the selector "
                             f"matches {len(nodes)} nodes")
    wrap = gen.type == "torus"
    out = []
    ports = {n: _ports(inv, n, gen.ports) for n in nodes}
    for n, plist in ports.items():
        if len(plist) != 2 * len(dims):
            raise GeneratorError(f"{inv.devices[n].address} needs {2 * len(dims)} mesh ports "
                                 f"(minus/plus per dimension), has {len(plist)}")
    for i, n in enumerate(nodes):
        coord = _coord(i, dims)
        for axis, size in enumerate(dims):
            if size == 1 or (size == 2 and wrap and coord[axis] == 1):
                continue  # a ring of two is one link, not two
            nxt = list(coord)
            nxt[axis] += 1
            if nxt[axis] == size:
                if not wrap:
                    continue
                nxt[axis] = 0
            m = nodes[_index(nxt, dims)]
            out.append(((n, ports[n][2 * axis + 1]), (m, ports[m][2 * axis])))
    return out


def _coord(i: int, dims: list[int]) -> list[int]:
    out = []
    for size in dims:
        out.append(i % size)
        i //= size
    return out


def _index(coord: list[int], dims: list[int]) -> int:
    i, scale = 0, 1
    for c, size in zip(coord, dims, strict=True):
        i += c * scale
        scale *= size
    return i


def full_mesh(inv: Inventory, gen: FullMesh) -> Pairs:
    nodes = select_devices(inv, gen.nodes)
    dims = list(gen.dims)
    size = 1
    for d in dims:
        size *= d
    if len(nodes) % size:
        raise GeneratorError(f"dims {'x'.join(map(str, dims))} = {size} nodes per group, but "
                             f"the selector matches {len(nodes)} (not a multiple)")
    m = gen.links_per_pair
    need = sum(d - 1 for d in dims) * m
    ports = {n: _ports(inv, n, gen.ports) for n in nodes}
    for n, plist in ports.items():
        if len(plist) != need:
            raise GeneratorError(f"{inv.devices[n].address} needs {need} full-mesh ports "
                                 f"(sum of (d - 1) x {m}), has {len(plist)}")
    offsets = [0]
    for d in dims[:-1]:
        offsets.append(offsets[-1] + (d - 1) * m)
    out = []
    for g in range(0, len(nodes), size):
        group = nodes[g:g + size]
        for i, n in enumerate(group):
            ci = _coord(i, dims)
            for axis, d in enumerate(dims):
                for v in range(ci[axis] + 1, d):
                    cj = list(ci)
                    cj[axis] = v
                    j = group[_index(cj, dims)]
                    slot_i = offsets[axis] + (v - 1) * m        # toward v (> own coordinate)
                    slot_j = offsets[axis] + ci[axis] * m      # toward ci (< v)
                    for k in range(m):
                        out.append(((n, ports[n][slot_i + k]), (j, ports[j][slot_j + k])))
    return out


GENERATORS: dict[str, Callable[[Inventory, Any], Pairs]] = {
    "switched-planes": switched_planes, "clos": clos, "mesh": mesh, "torus": mesh,
    "full-mesh": full_mesh}
"""Generator `type` -> the function that makes its links (each takes its own model)."""


@dataclass(frozen=True, slots=True)
class _NicSide:
    """A Clos generator's media as seen from the endpoint (NIC) end of its links."""

    cable: str | None
    transceiver: str | None
    transceiver_a: str | None
    length_m: float | None


def _media_of(gen: LinkMedia, nic_side: _NicSide | None,
              ends: set[int]) -> Callable[[tuple[int, int]], LinkMedia]:
    """The media of a generated link by its A end: the NIC side's at an endpoint, else the
    generator's."""
    if nic_side is None:
        return lambda _a: gen
    return lambda a: nic_side if a[0] in ends else gen


def _selected(inv: Inventory, pattern: str) -> list[int]:
    """The built devices a selector recorded for a rule finds; none when it cannot select
    (the rule reports a selection that finds nothing)."""
    try:
        return select_devices(inv, pattern)
    except GeneratorError:
        return []


def record_optical_through(inv: Inventory, m: Manifest[Fabric], fab: FabricObj) -> None:
    """Record the built devices a fabric's `optical_through` selects (none when it selects
    nothing: TOP021 reports that), so that TOP021 reads them per Cluster replica rather than
    resolving the selector, written before replication, again."""
    through = m.model.spec.optical_through
    if not through:
        return
    devs = _selected(inv, through)
    inv.generated.append(GeneratedRun(
        fab.name, OPTICAL_THROUGH,
        Origin(m.document.file, m.document.index, ("spec", "optical_through")),
        {"through": devs}, 0))


def record_shape(inv: Inventory, m: Manifest[Fabric], fab: FabricObj) -> None:
    """Record the built devices a fabric's declared `shape` selects (`nodes`, `switches`), in
    natural order, so that TOP006/TOP007 check every Cluster replica from what the model built
    rather than resolving the selectors, written before replication, again."""
    shape = m.model.spec.shape
    if shape is None:
        return
    roles: dict[str, list[int]] = {}
    for role, pattern in (("nodes", shape.nodes), ("switches", shape.switches)):
        if pattern is None:
            continue
        devs = _selected(inv, pattern)
        roles[role] = sorted(devs, key=lambda i: natural_key(inv.devices[i].address))
    inv.generated.append(GeneratedRun(
        fab.name, SHAPE_SELECTION, Origin(m.document.file, m.document.index, ("spec", "shape")),
        roles, 0))


def add_generated_links(inv: Inventory, m: Manifest[Fabric], fab: FabricObj) -> None:
    for i, gen in enumerate(m.model.spec.generators):
        origin = Origin(m.document.file, m.document.index, ("spec", "generators", i))
        roles: dict[str, list[int]] = {}
        run = None
        if isinstance(gen, Clos):  # recorded even when it cannot run (then with no links)
            run = GeneratedRun(fab.name, i, origin, roles, 0)
            inv.generated.append(run)
        try:
            if isinstance(gen, Clos):
                roles.update(clos_roles(inv, gen))
                pairs = clos(inv, gen, roles)
            else:
                pairs = GENERATORS[gen.type](inv, gen)
        except GeneratorLimit as exc:
            inv.problems.limit(f"{gen.type} generator: {exc}", origin)
            continue
        except GeneratorError as exc:
            inv.problems.cannot_expand(f"{gen.type} generator: {exc}", origin)
            continue
        oid = inv.links.intern_origin(origin)
        ends: set[int] = set()
        nic_side = None
        if isinstance(gen, Clos) and gen.endpoint_transceiver:
            ends = set(roles["endpoints"])
            nic_side = _NicSide(gen.cable, gen.transceiver, gen.endpoint_transceiver,
                                gen.length_m)
        before = len(inv.links)
        add_links(inv, fab, pairs, _media_of(gen, nic_side, ends), oid, origin)
        if run is not None:
            run.links = len(inv.links) - before
