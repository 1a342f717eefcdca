"""Topology shapes: compare the links of a fabric with the shape it declares.

A fabric may declare `shape:` (full-mesh, torus, mesh, all-to-all-one-hop, clos). This module
builds the fabric's graph as arrays of link ends and measures it against the shape: missing and
extra links (degree, wraparound), pairs of nodes beyond the declared hop count in each plane,
and the bisection bandwidth. Rules TOP006/TOP007 report the problems; `summary` shows the
bisection bandwidth. Every computation is array-wise numpy (boolean incidence matrices, one
frontier-by-frontier breadth-first search over the link arrays, reach as (node, switch) pairs
joined tier by tier), so a fabric of tens of thousands of nodes costs milliseconds. numpy only,
no scipy: importing scipy.sparse.csgraph cost ~0.2 s of CPU, a third of a pre-commit run, for a
search that has at most tiers + 1 frontiers.

A fabric of a superpod that a Cluster replicates is checked in every replica, from the
devices the model built for the shape's selectors in that replica (GeneratedRun records,
cloned per replica) and the replica's own links. A replica whose selections and links are
those of a replica already analysed, device for device in the replica's own order (compared,
not assumed), reuses that report with the replica's names: 432 replicas of CloudMatrix-384
cost one analysis and 431 array comparisons. Reports name devices with their replica prefix
(`x2.r1/h1`), so the rules' findings fold across replicas.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from math import prod

import numpy as np

from superpod_iac.manifest.fabric import Shape
from superpod_iac.model.derived import derived
from superpod_iac.model.expand import ExpansionError, expand, fold
from superpod_iac.model.generators import GeneratorError, natural_key, order_by_coords
from superpod_iac.model.inventory import SHAPE_SELECTION, FabricObj, GeneratedRun, Inventory
from superpod_iac.model.linkstats import columns, port_index

MAX_EXAMPLES = 3
DENSE_PAIR_LIMIT = 6000
"""Above this many distinct reach patterns the Clos pair check would need a dense matrix of
more than 36 M entries; it then reports the check as not done instead of guessing."""


@dataclass
class ShapeReport:
    fabric: str
    shape: str
    nodes: int = 0
    structure: list[str] = field(default_factory=list)
    """TOP006 problems: node count, missing or extra links, wrong degree, tiers."""
    hops: list[str] = field(default_factory=list)
    """TOP007 problems: node pairs beyond the declared hop count."""
    max_hops: int | None = None
    """Hops between the farthest pair the shape allows (when the structure matches)."""
    bisection_gbps: float | None = None
    """Bandwidth across the cut that splits the nodes in two halves, one direction, Gb/s."""
    replica: str | None = None
    """The Cluster replica analysed; None outside a Cluster."""
    where: str = ""
    """Address of the replica's first node (names the replica in a finding); '' outside one."""


@derived
def link_speeds(inv: Inventory) -> np.ndarray:
    """Gb/s of every link: its A end's port speed (a breakout sub-port runs at cage / n)."""
    idx = port_index(inv)
    col = columns(inv)
    speed_of_group = np.array([g.speed_gbps / (g.breakout if sub else 1)
                               for _t, g, sub in idx.groups] or [0.0], dtype=np.float64)
    if len(col["a_dev"]):
        gp = idx.type_offset[idx.type_ids[col["a_dev"]]] + col["a_port"]
        out: np.ndarray = speed_of_group[idx.group_of_port[gp]]
    else:
        out = np.zeros(0)
    return out


def _select(inv: Inventory, pattern: str) -> list[int]:
    try:
        pats = expand(pattern)
    except ExpansionError:
        pats = (pattern,)
    hits = [d.index for d in inv.devices
            if any(fnmatch.fnmatchcase(d.address, p) for p in pats)]
    return sorted(hits, key=lambda i: natural_key(inv.devices[i].address))


@derived
def analyse(inv: Inventory) -> list[ShapeReport]:
    """One report per fabric that declares a shape, in fabric order, its first replica's for
    a replicated fabric (the summary's bisection and hops; cached)."""
    seen: set[str] = set()
    out: list[ShapeReport] = []
    for rep in analyse_replicas(inv):
        if rep.fabric not in seen:
            seen.add(rep.fabric)
            out.append(rep)
    return out


@dataclass(frozen=True, slots=True)
class _Replicas:
    """Device index -> its superpod's id (-1 outside one) and its position among that
    superpod's devices (cabinet order, then device order)."""

    ids: dict[str, int]
    pod_of: np.ndarray
    local: np.ndarray


def _replicas(inv: Inventory) -> _Replicas:
    ids = {name: i for i, name in enumerate(sorted(inv.superpods))}
    pod_of = np.full(len(inv.devices), -1, dtype=np.int64)
    local = np.full(len(inv.devices), -1, dtype=np.int64)
    for name, pod in inv.superpods.items():
        devs = [d.index for c in pod.cabinets for d in inv.cabinets[c].devices]
        pod_of[devs] = ids[name]
        local[devs] = np.arange(len(devs))
    return _Replicas(ids, pod_of, local)


@derived
def analyse_replicas(inv: Inventory) -> list[ShapeReport]:
    """One report per fabric that declares a shape and per Cluster replica of it (fabric
    order, then replica order; cached). A replica is analysed on the links with both ends
    among its devices, its nodes and switches those the model built for it."""
    records: dict[str, list[GeneratedRun]] = defaultdict(list)
    for run in inv.generated:
        if run.generator == SHAPE_SELECTION:
            records[run.fabric].append(run)
    reps: _Replicas | None = None
    out: list[ShapeReport] = []
    col = columns(inv)
    for fab in sorted(inv.fabrics.values(), key=lambda f: f.index):
        shape = fab.spec.shape if fab.spec is not None else None
        if shape is None:
            continue
        runs = records.get(fab.name) or [GeneratedRun(
            fab.name, SHAPE_SELECTION, fab.origin,
            {"nodes": _select(inv, shape.nodes),
             "switches": _select(inv, shape.switches) if shape.switches else []}, 0)]
        sel = np.nonzero(col["fabric"] == fab.index)[0]
        a, b = col["a_dev"][sel].astype(np.int64), col["b_dev"][sel].astype(np.int64)
        speed = link_speeds(inv)[sel] if len(sel) else np.zeros(0)
        if all(r.replica is None for r in runs):
            out.extend(analyse_fabric(inv, fab, shape, r.roles.get("nodes", []),
                                      r.roles.get("switches", []), a, b, speed) for r in runs)
            continue
        reps = reps or _replicas(inv)
        out.extend(_per_replica(inv, fab, shape, runs, reps, (a, b, speed)))
    return out


def _per_replica(inv: Inventory, fab: FabricObj, shape: Shape, runs: list[GeneratedRun],
                 reps: _Replicas, links: tuple[np.ndarray, np.ndarray, np.ndarray]
                 ) -> list[ShapeReport]:
    """The reports of one shaped fabric's replicas: each replica's links (both ends in it),
    grouped once by replica; a replica the same as one analysed reuses its report."""
    a, b, speed = links
    pa = reps.pod_of[a]
    inside = np.nonzero((pa >= 0) & (pa == reps.pod_of[b]))[0]
    inside = inside[np.argsort(pa[inside], kind="stable")]
    keys = pa[inside]
    done: dict[tuple[bytes, ...], ShapeReport] = {}
    out: list[ShapeReport] = []
    for run in runs:
        nodes, switches = run.roles.get("nodes", []), run.roles.get("switches", [])
        pid = reps.ids.get(run.replica or "", -2)
        lo, hi = np.searchsorted(keys, pid, "left"), np.searchsorted(keys, pid, "right")
        mine = inside[lo:hi]
        ra, rb, rs = (a[mine], b[mine], speed[mine]) if run.replica else (a, b, speed)
        key = _signature(reps.local, nodes, switches, ra, rb, rs)
        seen = done.get(key)
        if seen is None or seen.replica is None or run.replica is None:
            rep = done[key] = analyse_fabric(inv, fab, shape, nodes, switches, ra, rb, rs)
        else:
            rep = _renamed(seen, seen.replica, run.replica)
        rep.replica = run.replica
        rep.where = inv.devices[nodes[0]].address if nodes else ""
        out.append(rep)
    return out


def _signature(local: np.ndarray, nodes: list[int], switches: list[int], a: np.ndarray,
               b: np.ndarray, speed: np.ndarray) -> tuple[bytes, ...]:
    """What a replica's analysis depends on, in the replica's own device positions."""
    pos = [local[np.asarray(x, dtype=np.int64)] for x in (nodes, switches)]
    return (pos[0].tobytes(), pos[1].tobytes(), local[a].tobytes(), local[b].tobytes(),
            speed.tobytes())


def _renamed(rep: ShapeReport, old: str, new: str) -> ShapeReport:
    """`rep` of replica `old` as the report of `new`, whose analysis is the same: every
    `old.` prefix in its texts becomes `new.`."""
    pat = re.compile(r"(?<![\w.\-/])" + re.escape(old) + r"\.")
    return replace(rep, structure=[pat.sub(f"{new}.", s) for s in rep.structure],
                   hops=[pat.sub(f"{new}.", s) for s in rep.hops])


def analyse_fabric(inv: Inventory, fab: FabricObj, shape: Shape, nodes: list[int],
                   switches: list[int], a: np.ndarray, b: np.ndarray, speed: np.ndarray
                   ) -> ShapeReport:
    """The shape of one fabric (or one replica of it) on links `a`-`b` (Gb/s `speed`), its
    nodes and switches the built devices the shape's selectors found."""
    rep = ShapeReport(fab.name, shape.type)
    rep.nodes = len(nodes)
    if not nodes:
        rep.structure.append(f"selector '{shape.nodes}' matches no device")
        return rep
    names = [inv.devices[i].address for i in nodes]
    if shape.type in ("torus", "mesh", "full-mesh"):
        _direct(inv, rep, shape, np.array(nodes, dtype=np.int64), names, a, b, speed)
    elif shape.type == "all-to-all-one-hop":
        _switched(inv, rep, shape, nodes, names, a, b, speed, switches)
    else:
        _clos(inv, rep, shape, nodes, names, a, b, speed)
    if shape.max_hops is not None and rep.max_hops is not None and rep.max_hops > shape.max_hops:
        rep.hops.append(f"the {shape.type} as cabled puts nodes up to {rep.max_hops} hops apart, "
                        f"more than the declared max_hops {shape.max_hops}")
    return rep


def _local(n_dev: int, nodes: np.ndarray) -> np.ndarray:
    """device index -> position in `nodes`, -1 elsewhere."""
    pos = np.full(n_dev, -1, dtype=np.int64)
    pos[nodes] = np.arange(len(nodes))
    return pos


def _coords(n: int, dims: list[int]) -> np.ndarray:
    """Coordinates of node positions 0..n-1, first dimension fastest (n x len(dims))."""
    out = np.zeros((n, len(dims)), dtype=np.int64)
    rest = np.arange(n, dtype=np.int64)
    for k, d in enumerate(dims):
        out[:, k] = rest % d
        rest //= d
    return out


def expected_pairs(kind: str, dims: list[int]) -> np.ndarray:
    """Undirected neighbour pairs (i < j) of a torus, mesh or nD full mesh of `dims` nodes."""
    n = prod(dims)
    coord = _coords(n, dims)
    stride = np.cumprod([1, *dims[:-1]])
    ids = np.arange(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for k, d in enumerate(dims):
        if d == 1:
            continue
        c = coord[:, k]
        if kind == "full-mesh":
            for step in range(1, d):
                ok = c + step < d
                parts.append(np.stack([ids[ok], ids[ok] + step * stride[k]], axis=1))
            continue
        ok = c + 1 < d
        parts.append(np.stack([ids[ok], ids[ok] + stride[k]], axis=1))
        if kind == "torus" and d > 2:
            last = c == d - 1
            parts.append(np.stack([ids[last] - (d - 1) * stride[k], ids[last]], axis=1))
    if not parts:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(parts)
    return np.unique(np.sort(pairs, axis=1), axis=0)


def shape_diameter(kind: str, dims: list[int]) -> int:
    if kind == "torus":
        return sum(d // 2 for d in dims)
    if kind == "mesh":
        return sum(d - 1 for d in dims)
    return sum(1 for d in dims if d > 1)


def _direct(inv: Inventory, rep: ShapeReport, shape: Shape, nodes: np.ndarray, names: list[str],
            a: np.ndarray, b: np.ndarray, speed: np.ndarray) -> None:
    dims: list[int] = list(shape.dims or [len(nodes)])
    groups = 1
    size = prod(dims)
    if shape.type == "full-mesh" and size and len(nodes) % size == 0:
        groups = len(nodes) // size   # one mesh per consecutive group (per rack)
        dims = [*dims, groups] if groups > 1 else dims
    n = prod(dims)
    if n != len(nodes):
        rep.structure.append(f"dims {'x'.join(map(str, dims))} = {n:,} nodes but the selector "
                             f"'{shape.nodes}' matches {len(nodes):,}")
        return
    if shape.coords_from:
        try:
            ordered = order_by_coords(inv, nodes.tolist(), shape.coords_from, dims)
        except GeneratorError as exc:
            rep.structure.append(str(exc))
            return
        nodes = np.array(ordered, dtype=np.int64)
        names = [inv.devices[i].address for i in ordered]
    pos = _local(len(inv.devices), nodes)
    pa, pb = pos[a], pos[b]
    both = (pa >= 0) & (pb >= 0) & (pa != pb)
    lo, hi = np.minimum(pa[both], pb[both]), np.maximum(pa[both], pb[both])
    have = np.unique(lo * n + hi)
    exp = expected_pairs(shape.type, dims[:-1] if groups > 1 else dims)
    if groups > 1:
        size = n // groups
        exp = np.concatenate([exp + g * size for g in range(groups)])
    want = exp[:, 0] * n + exp[:, 1]
    missing = np.setdiff1d(want, have, assume_unique=True)
    extra = np.setdiff1d(have, want, assume_unique=True)
    label = f"{shape.type} {'x'.join(map(str, dims[:-1] if groups > 1 else dims))}" + (
        f" (x {groups} groups)" if groups > 1 else "")
    if len(missing):
        coord = _coords(n, dims)
        i, j = missing // n, missing % n
        wrap = np.abs(coord[i] - coord[j]).max(axis=1) > 1 if shape.type == "torus" else \
            np.zeros(len(i), dtype=bool)
        deg_exp = np.bincount(exp.ravel(), minlength=n)
        deg_have = np.bincount(np.concatenate([have // n, have % n]), minlength=n)
        short = np.nonzero(deg_have < deg_exp)[0]
        eg = ", ".join(f"{names[x]} - {names[y]}" for x, y in
                       zip(i[:MAX_EXAMPLES].tolist(), j[:MAX_EXAMPLES].tolist(), strict=True))
        rep.structure.append(
            f"{label}: {len(missing):,} of {len(want):,} neighbour links missing"
            f"{f' ({int(wrap.sum()):,} of them wraparound)' if wrap.any() else ''}, e.g. {eg}; "
            f"{len(short):,} node(s) below degree {int(deg_exp.max())} "
            f"({fold([names[k] for k in short[:50].tolist()])})")
    if len(extra):
        i, j = extra // n, extra % n
        eg = ", ".join(f"{names[x]} - {names[y]}" for x, y in
                       zip(i[:MAX_EXAMPLES].tolist(), j[:MAX_EXAMPLES].tolist(), strict=True))
        rep.structure.append(f"{label}: {len(extra):,} link(s) join nodes that are not "
                             f"neighbours in the shape, e.g. {eg}")
    if not len(missing) and not len(extra):
        rep.max_hops = shape_diameter(shape.type, dims[:-1] if groups > 1 else dims)
    # bisection: cut across the largest dimension, first half of its coordinates vs the rest
    # (several full-mesh groups: cut each group the same way and sum the groups)
    axis = int(np.argmax(dims[:-1] if groups > 1 else dims))
    side = _coords(n, dims)[:, axis] < dims[axis] // 2 if dims[axis] > 1 else \
        np.zeros(n, dtype=bool)
    cross = both.copy()
    cross[both] = side[pa[both]] != side[pb[both]]
    rep.bisection_gbps = float(speed[cross].sum())


def _switched(inv: Inventory, rep: ShapeReport, shape: Shape, nodes: list[int], names: list[str],
              a: np.ndarray, b: np.ndarray, speed: np.ndarray, switches: list[int]) -> None:
    if shape.switches is None:
        rep.structure.append("all-to-all-one-hop needs `switches` (the plane switches)")
        return
    if not switches or len(switches) % shape.planes:
        rep.structure.append(f"{len(switches)} switches matched by '{shape.switches}' do not "
                             f"split into {shape.planes} equal planes")
        return
    n_dev = len(inv.devices)
    npos = _local(n_dev, np.array(nodes, dtype=np.int64))
    spos = _local(n_dev, np.array(switches, dtype=np.int64))
    # node-switch links in either direction
    ends = [(npos[a], spos[b]), (npos[b], spos[a])]
    rows = np.concatenate([x[(x >= 0) & (y >= 0)] for x, y in ends])
    cols = np.concatenate([y[(x >= 0) & (y >= 0)] for x, y in ends])
    sp = np.concatenate([speed[(x >= 0) & (y >= 0)] for x, y in ends])
    n, s = len(nodes), len(switches)
    inc = np.zeros((n, s), dtype=bool)
    inc[rows, cols] = True
    per = s // shape.planes
    rep.bisection_gbps = float(sp.sum()) / 2
    iu = np.triu_indices(n, 1)
    for k in range(shape.planes):
        block = inc[:, k * per:(k + 1) * per]
        alone = np.nonzero(~block.any(axis=1))[0]
        bad = np.nonzero(~_meets(block)[iu])[0]
        if not len(alone) and not len(bad):
            continue
        members = [inv.devices[i].address for i in switches[k * per:(k + 1) * per]]
        plane = f"plane {k + 1} ({fold(members)})"   # folded only for a message
        if len(alone):
            rep.structure.append(f"{plane}: {len(alone)} node(s) have no link to any switch of "
                                 f"the plane: {fold([names[i] for i in alone[:50].tolist()])}")
        if len(bad):
            eg = ", ".join(f"{names[iu[0][x]]} - {names[iu[1][x]]}" for x in bad[:MAX_EXAMPLES])
            rep.hops.append(f"{plane}: {len(bad):,} of {len(iu[0]):,} node pairs share no "
                            f"switch, so they are more than one switch hop apart (e.g. {eg})")
    if not rep.hops and not rep.structure:
        rep.max_hops = 2


def _clos(inv: Inventory, rep: ShapeReport, shape: Shape, nodes: list[int], names: list[str],
          a: np.ndarray, b: np.ndarray, speed: np.ndarray) -> None:
    tiers = shape.tiers or 2
    devs, inv_map = np.unique(np.concatenate([np.array(nodes, dtype=np.int64), a, b]),
                              return_inverse=True)
    v = len(devs)
    node_ids = inv_map[:len(nodes)]
    la, lb = inv_map[len(nodes):len(nodes) + len(a)], inv_map[len(nodes) + len(a):]
    level = _levels(v, node_ids, la, lb)
    degree = np.bincount(np.concatenate([la, lb]), minlength=v)
    alone = [names[k] for k in np.nonzero(degree[node_ids] == 0)[0].tolist()]
    if alone:
        rep.structure.append(f"{len(alone)} node(s) have no link on the fabric: "
                             f"{fold(alone[:50])}")
    top = int(level.max()) if v else 0
    if top != tiers:
        rep.structure.append(f"declared {tiers} switch tier(s) but the links give {top}")
    lv_a, lv_b = level[la], level[lb]
    skew = np.abs(lv_a - lv_b) != 1
    if skew.any():
        i = int(np.nonzero(skew)[0][0])
        rep.structure.append(
            f"{int(skew.sum()):,} link(s) do not join adjacent tiers (e.g. "
            f"{inv.devices[int(devs[la[i]])].address} tier {lv_a[i]} - "
            f"{inv.devices[int(devs[lb[i]])].address} tier {lv_b[i]})")
    # bisection: half the capacity of the thinnest tier boundary
    lower = np.minimum(lv_a, lv_b)
    caps = [float(speed[(lower == t) & ~skew].sum()) for t in range(max(top, 1))]
    rep.bisection_gbps = min(caps) / 2 if caps else 0.0
    if rep.structure:
        return
    # reach of each node up to the top tier: (node, device) pairs joined with the up links of
    # each tier in turn (the product of the tiers' up incidence matrices)
    if top == 0:
        return
    row, dev = np.arange(len(nodes), dtype=np.int64), node_ids.astype(np.int64)
    for t in range(top):
        up = (lower == t) & ~skew
        low_end = np.where(lv_a[up] == t, la[up], lb[up])
        high_end = np.where(lv_a[up] == t, lb[up], la[up])
        row, dev = _climb(row, dev, low_end, high_end, v)
    cover = np.bincount(dev, minlength=v)
    if len(nodes) < 2 or cover.max() == len(nodes):
        rep.max_hops = 2 * top
        return
    # one column per top-tier device reached (columns no node reaches change neither the
    # distinct patterns nor their order)
    tops, col = np.unique(dev, return_inverse=True)
    dense = np.zeros((len(nodes), max(len(tops), 1)), dtype=bool)
    dense[row, col] = True
    patterns, which = np.unique(dense, axis=0, return_inverse=True)
    if len(patterns) > DENSE_PAIR_LIMIT:
        rep.hops.append(f"{len(patterns):,} distinct reach patterns: pair check not done")
        return
    bad = np.argwhere(~_meets(patterns))
    if len(bad):
        x, y = bad[0]
        i = int(np.nonzero(which.ravel() == x)[0][0])
        j = int(np.nonzero(which.ravel() == y)[0][0])
        rep.hops.append(f"node pairs reach no common top-tier switch, so they are more than "
                        f"{2 * top} hops apart (e.g. {names[i]} - {names[j]})")
    else:
        rep.max_hops = 2 * top


def _meets(rows: np.ndarray) -> np.ndarray:
    """rows x rows: True where two rows of a boolean matrix share a column (its Gram matrix,
    exact in float32 for up to 2**24 columns)."""
    f = rows.astype(np.float32)
    out: np.ndarray = (f @ f.T) > 0
    return out


def _levels(v: int, node_ids: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Hops of each of v devices from the nearest node (nodes 0, unreachable -1): a breadth-first
    search over the undirected links (la, lb), one frontier per step."""
    level = np.full(v, -1, dtype=np.int64)
    frontier = np.zeros(v, dtype=bool)
    frontier[node_ids] = True
    level[frontier] = 0
    step = 0
    while frontier.any():
        step += 1
        nxt = np.zeros(v, dtype=bool)
        nxt[lb[frontier[la]]] = True
        nxt[la[frontier[lb]]] = True
        nxt &= level < 0
        level[nxt] = step
        frontier = nxt
    return level


def _climb(row: np.ndarray, dev: np.ndarray, low: np.ndarray, high: np.ndarray,
           v: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (row, device) pairs one tier up: each pair (r, d) gives (r, h) for every up link
    d - h in (low, high)."""
    order = np.argsort(low, kind="stable")
    low_s, high_s = low[order], high[order]
    start = np.searchsorted(low_s, dev, side="left")
    count = np.searchsorted(low_s, dev, side="right") - start
    total = int(count.sum())
    first = np.repeat(start - (np.cumsum(count) - count), count)
    up = high_s[first + np.arange(total)]
    key = np.sort(np.repeat(row, count) * v + up)
    if len(key):
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return key // v, key % v
