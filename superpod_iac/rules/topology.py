"""TOP: fabric topology: reachability, oversubscription, rails, scale-up domains, symmetry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from superpod_iac.diagnostics import Origin, Severity
from superpod_iac.manifest.fabric import Clos
from superpod_iac.model.expand import ExpansionError, expand, fold
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import OPTICAL_THROUGH, FabricObj, GeneratedRun, Inventory
from superpod_iac.model.linkstats import columns, port_index
from superpod_iac.rules.registry import Finding, rule


def _fabric_planes(inv: Inventory) -> np.ndarray:
    """fabric index -> plane name (numpy object array)."""
    planes = np.empty(len(inv.fabrics), dtype=object)
    for f in inv.fabrics.values():
        planes[f.index] = f.plane
    return planes


@rule("TOP001", "accelerator not reachable on a plane it should be on",
      inputs=("DeviceType.accelerators?", "PortGroup.plane?"))
def unreachable(inv: Inventory) -> Iterator[Finding]:
    """A device with accelerators whose ports declare a plane (scale-up, scale-out) must have at
    least one link on a fabric of that plane whenever its superpod has such a fabric; otherwise
    those GPUs/NPUs sit outside the collective they were bought for.

    Fix:
        Widen the generator's selector or add the missing links.
    """
    if not len(inv.links):
        return
    col = columns(inv)
    planes = _fabric_planes(inv)
    on_plane: dict[str, np.ndarray] = {}  # plane -> devices with a link on it (boolean marks)
    fab = col["fabric"]
    for plane in sorted({p for p in planes if p}):
        ids = np.nonzero(planes == plane)[0]
        mask = np.isin(fab, ids)
        has = on_plane[plane] = np.zeros(len(inv.devices), dtype=bool)
        has[col["a_dev"][mask]] = True
        has[col["b_dev"][mask]] = True
    pod_planes: dict[str, set[str]] = {}
    for name, pod in inv.superpods.items():
        pod_planes[name] = {inv.fabrics[f].plane for f in pod.fabrics if f in inv.fabrics}
    missing: dict[tuple[str, str, Origin], list[str]] = {}
    for dev in inv.devices:
        if dev.type.accelerators is None:
            continue
        cab = inv.cabinets[dev.cabinet]
        have = pod_planes.get(cab.superpod or "", set())
        wanted = {g.plane for g in dev.type.port_groups if g.plane in have}
        for plane in sorted(p for p in wanted
                            if p not in on_plane or not on_plane[p][dev.index]):
            missing.setdefault((plane, dev.type_name, dev.origin), []).append(dev.address)
    for (plane, type_name, origin), devices in missing.items():
        yield Finding(f"{len(devices)} {type_name} device(s) have no link on the {plane} plane: "
                      f"{fold(devices)}", origin,
                      f"connect them to the superpod's {plane} fabric")


@dataclass(frozen=True, slots=True)
class _FabricEnds:
    """Both ends of every link of one fabric, grouped by the device at this end: `at(devs)`
    gives the positions of the link ends at those devices (and whose each is)."""

    dev: np.ndarray
    port: np.ndarray
    other: np.ndarray
    other_port: np.ndarray
    link: np.ndarray

    def at(self, devs: list[int]) -> tuple[np.ndarray, np.ndarray]:
        want = np.asarray(devs, dtype=np.int64)
        lo = np.searchsorted(self.dev, want, side="left")
        hi = np.searchsorted(self.dev, want, side="right")
        counts = hi - lo
        owner = np.repeat(np.arange(len(want)), counts)
        pos = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        return pos, owner


def _fabric_ends(inv: Inventory, fab: FabricObj) -> _FabricEnds:
    col = columns(inv)
    sel = np.nonzero(col["fabric"] == fab.index)[0]
    a, b = col["a_dev"][sel].astype(np.int64), col["b_dev"][sel].astype(np.int64)
    pa, pb = col["a_port"][sel].astype(np.int64), col["b_port"][sel].astype(np.int64)
    dev, other = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.argsort(dev, kind="stable")
    return _FabricEnds(dev[order], np.concatenate([pa, pb])[order], other[order],
                       np.concatenate([pb, pa])[order], np.concatenate([sel, sel])[order])


def _clos_runs(inv: Inventory, roles: tuple[str, ...], check: str, cores: bool = False
               ) -> Iterator[tuple[FabricObj, Clos, GeneratedRun] | Finding]:
    """Every copy of every Clos generator line (one per Cluster replica) with the devices it
    built, from the model's record of them (GeneratedRun), never from its selectors again: a
    selector names the template's devices (`rk/lf1`), a replica's are `r1.rk/lf1`. A line
    that made links but whose `roles` devices are not among the built ones is a Finding (the
    check cannot run), once per line naming the copies (with `cores`, a 3-tier line's cores
    are needed too); a line that made no links was reported where it failed (REF003)."""
    runs: dict[tuple[str, int], list[GeneratedRun]] = defaultdict(list)
    for run in inv.generated:
        runs[(run.fabric, run.generator)].append(run)
    for fab in sorted(inv.fabrics.values(), key=lambda f: f.index):
        if fab.spec is None:
            continue
        for i, gen in enumerate(fab.spec.generators):
            if not isinstance(gen, Clos):
                continue
            need = (*roles, "cores") if cores and gen.tiers == 3 else roles
            mine = runs.get((fab.name, i), [])
            lost = [r for r in mine if r.links and not all(r.roles.get(x) for x in need)]
            if not mine or lost:
                missing = sorted({x for r in lost for x in need if not r.roles.get(x)}) or \
                    list(need)
                where = f" of {fold([r.replica or fab.name for r in lost])}" if lost else ""
                yield Finding(
                    f"clos generator {i + 1} of fabric {fab.name}: its "
                    f"{' and '.join(missing)} are not among the built devices{where}: the "
                    f"{check} check did not run", Origin(fab.origin.file, fab.origin.doc,
                                                         ("spec", "generators", i)),
                    "this is a bug in superpod: please report it with the design")
            for run in mine:
                if run.links and run not in lost:
                    yield fab, gen, run


def _port_speeds(inv: Inventory) -> np.ndarray:
    """Global port id -> Gb/s (a breakout sub-port its share of the cage)."""
    idx = port_index(inv)
    speeds = np.zeros(len(idx.group_of_port), dtype=np.float64)
    for gid, (_t, group, sub) in enumerate(idx.groups):
        speeds[idx.group_of_port == gid] = group.speed_gbps / (group.breakout if sub else 1)
    return speeds


@rule("TOP002", "actual oversubscription above the declared one",
      inputs=("Clos.oversubscription?", "Fabric.max_oversubscription?", "PortGroup.speed_gbps"))
def oversubscription(inv: Inventory) -> Iterator[Finding]:
    """A leaf's oversubscription is its downlink bandwidth to endpoints over its uplink bandwidth
    to spines; in a 3-tier Clos a spine's is likewise its downlink bandwidth to the leaves over
    its uplink bandwidth to the cores. Neither may exceed what the Clos generator declares
    (`oversubscription`, 1.0 = non-blocking) nor the fabric's `max_oversubscription`: the
    schema declares one ratio per generator, not one per tier, so the rule holds every switch
    tier below the top to it. Every link of the fabric at the generator's leaves (spines)
    counts (links added by hand too), each at the slower of its two ports: those to its
    spines (cores) up, all others down. The leaves, spines and cores are those the generator built, in
    every replica of a superpod a Cluster replicates (the same mistake in every replica is one
    finding); a generator that made links but whose leaves, spines or (3 tiers) cores cannot
    be found among the built devices is a finding (the check cannot run), one that made no links is not (REF003
    reported why).

    Formula:
        ratio(leaf)  = sum(links to non-spines x speed) / sum(links to spines x speed)
        ratio(spine) = sum(links to non-cores x speed) / sum(links to cores x speed)  [3 tiers]
        ratio <= min(oversubscription, max_oversubscription)

    Fix:
        Add uplinks (or spines, or cores), or declare the oversubscription you mean.
    """
    if not len(inv.links):
        return
    speeds = _port_speeds(inv)
    ends: dict[int, _FabricEnds] = {}
    for item in _clos_runs(inv, ("leaves", "spines"), "oversubscription", cores=True):
        if isinstance(item, Finding):
            yield item
            continue
        fab, gen, run = item
        limit = gen.oversubscription
        cap = fab.spec.max_oversubscription if fab.spec is not None else None
        if cap is not None:
            limit = min(limit, cap)
        e = ends.get(fab.index)
        if e is None:
            e = ends[fab.index] = _fabric_ends(inv, fab)
        tiers = [("leaf", "spines", run.roles["leaves"], run.roles["spines"])]
        if gen.tiers == 3:
            tiers.append(("spine", "cores", run.roles["spines"], run.roles["cores"]))
        for tier, above, lower, upper in tiers:
            worst = _worst_ratio(inv, e, speeds, lower, upper, limit)
            if worst is None:
                continue
            n, dev, down, up, ratio = worst
            to = "" if tier == "leaf" else f" towards the {above}"
            yield Finding(f"{n} {tier} switch(es) oversubscribed{to}: "
                          f"{inv.devices[dev].address} has {down:,.0f}G down / "
                          f"{up:,.0f}G up = {ratio:.2f}:1 > declared {limit:g}:1",
                          run.origin, f"add uplinks or {above}, or declare the oversubscription")


def _worst_ratio(inv: Inventory, e: _FabricEnds, speeds: np.ndarray, lower: list[int],
                 upper: list[int], limit: float
                 ) -> tuple[int, int, float, float, float] | None:
    """Over the `lower` switches of one Clos tier: how many carry more down (links to anything
    but `upper`) than `limit` x up (links to `upper`), each link at its slower port, and the
    worst of them (count, device, down Gb/s, up Gb/s, ratio); None when none does."""
    idx = port_index(inv)
    pos, owner = e.at(lower)
    own = speeds[idx.type_offset[idx.type_ids[e.dev[pos]]] + e.port[pos]]
    far = speeds[idx.type_offset[idx.type_ids[e.other[pos]]] + e.other_port[pos]]
    spd = np.minimum(own, far)
    is_up = np.isin(e.other[pos], np.asarray(upper, dtype=np.int64))
    up = np.bincount(owner, weights=spd * is_up, minlength=len(lower))
    down = np.bincount(owner, weights=spd * ~is_up, minlength=len(lower))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(up > 0, down / np.where(up > 0, up, 1), np.inf)
    over = (down > 0) & (ratio > limit + 1e-9)
    if not over.any():
        return None
    worst = int(np.argmax(np.where(over, ratio, -1.0)))
    return (int(over.sum()), lower[worst], float(down[worst]), float(up[worst]),
            float(ratio[worst]))


@rule("TOP003", "rail misalignment: NIC k not on rail k's leaf",
      inputs=("Clos.rails?", "Clos.leaves?"))
def rail_alignment(inv: Inventory) -> Iterator[Finding]:
    """In a rail-optimized fabric, NIC k of every node lands on a leaf of rail k, so collective
    traffic between GPUs of the same rank stays one hop away. Every link of a Clos fabric from
    an endpoint port (by name, position k in `endpoint_ports`) to a leaf is checked against the
    rails the generator defines, so links added by hand are held to the same plan. The leaves
    are those the generator built, in every replica of a superpod a Cluster replicates (the
    same mistake in every replica is one finding); a generator that made links but whose
    leaves cannot be found among the built devices is a finding (the check cannot run), one
    that made no links is not (REF003 reported why).

    Fix:
        Move the link to a leaf of the NIC's rail.
    """
    if not len(inv.links):
        return
    idx = port_index(inv)
    ends: dict[int, _FabricEnds] = {}
    ranks: dict[str, np.ndarray] = {}
    for item in _clos_runs(inv, ("leaves",), "rail"):
        if isinstance(item, Finding):
            yield item
            continue
        fab, gen, run = item
        leaves = run.roles["leaves"]
        if len(leaves) % gen.rails:
            continue  # the generator refused it (REF003)
        e = ends.get(fab.index)
        if e is None:
            e = ends[fab.index] = _fabric_ends(inv, fab)
        rank = ranks.get(gen.endpoint_ports)
        if rank is None:
            rank = ranks[gen.endpoint_ports] = _endpoint_rank(inv, gen.endpoint_ports)
        pos, owner = e.at(leaves)
        rail = owner // (len(leaves) // gen.rails)
        nic = rank[idx.type_offset[idx.type_ids[e.other[pos]]] + e.other_port[pos]]
        bad = np.nonzero((nic >= 0) & (nic != rail) &
                         ~np.isin(e.other[pos], np.asarray(leaves, dtype=np.int64)))[0]
        if len(bad):
            j = int(bad[0])
            p = int(pos[j])
            text = (f"{inv.endpoint(int(e.other[p]), int(e.other_port[p]))} -> "
                    f"{inv.devices[int(e.dev[p])].address}")
            origin = inv.links.origins[inv.links.origin[int(e.link[p])]]
            yield Finding(f"{len(bad)} link(s) off their rail, e.g. {text} (NIC {nic[j] + 1} "
                          f"on a rail-{rail[j] + 1} leaf)", origin,
                          "cable NIC k to a leaf of rail k")


def _endpoint_rank(inv: Inventory, nodeset: str) -> np.ndarray:
    """Global port id -> the port's position k (0-based) among `nodeset`'s ports on its
    device type (the NIC's rail), -1 for a port not in it."""
    idx = port_index(inv)
    rank = np.full(len(idx.group_of_port), -1, dtype=np.int64)
    try:
        names = expand(nodeset)
    except ExpansionError:
        return rank  # REF003 at the generator
    for t, type_name in enumerate(idx.type_names):
        by_name = inv.catalog.ports(type_name)[1]
        present = [by_name[n].index for n in names if n in by_name]
        for k, p in enumerate(present):
            rank[int(idx.type_offset[t]) + p] = k
    return rank


@rule("TOP004", "scale-up domain incomplete: a scale-up fabric splits into islands",
      inputs=("Fabric.plane",))
def scale_up_islands(inv: Inventory) -> Iterator[Finding]:
    """Every scale-up fabric (an NVLink or UB domain) must join all the accelerators it reaches
    into one component through its switches; otherwise collectives cannot span the domain it
    claims to be. Scale-up fabrics that share devices (a rack's electrical mesh and the optical
    tier between racks) are tiers of one domain and are checked together. (A superpod may hold several scale-up domains, e.g. a DGX scalable unit of
    eight NVL72 racks, each rack its own NVLink fabric.) In a superpod a Cluster replicates,
    every replica is checked on its own links (the same islands in every replica are one
    finding).

    Fix:
        Connect every accelerator to the fabric's shared switches (or split the fabric).
    """
    if not len(inv.links):
        return
    col = columns(inv)
    up = sorted((f for f in inv.fabrics.values() if f.plane == "scale-up"), key=lambda f: f.index)
    devs_of: dict[int, np.ndarray] = {}  # fabric -> its devices, as boolean marks
    for f in up:
        on = col["fabric"] == f.index
        devs_of[f.index] = np.zeros(len(inv.devices), dtype=bool)
        devs_of[f.index][col["a_dev"][on]] = True
        devs_of[f.index][col["b_dev"][on]] = True
    pods: _Pods | None = None
    for fab in up:
        sel = np.nonzero(col["fabric"] == fab.index)[0]
        if not len(sel):
            continue
        # scale-up fabrics sharing devices with this one are tiers of the same domain (a
        # rack's electrical mesh and the optical tier joining the racks): join them
        partners = [g.index for g in up if g.index != fab.index and
                    (devs_of[g.index] & devs_of[fab.index]).any()]
        if partners:
            sel = np.nonzero(np.isin(col["fabric"], [fab.index, *partners]))[0]
        pods = pods or _pods(inv)
        for sizes, smallest in _replica_islands(inv, pods, col["a_dev"][sel].astype(np.int64),
                                                col["b_dev"][sel].astype(np.int64)):
            yield Finding(f"scale-up fabric {fab.name}: accelerator devices form {len(sizes)} "
                          f"islands of {', '.join(map(str, sizes))} devices (e.g. "
                          f"{fold(smallest)})", fab.origin,
                          "connect every accelerator to the fabric's shared switches")


@dataclass(frozen=True, slots=True)
class _Pods:
    """Device index -> the Cluster replica it belongs to (an id, -1 outside every replica) and
    its position among that replica's devices (cabinet order, then device order); each
    replica's devices in that order; which devices have accelerators."""

    pod_of: np.ndarray
    local: np.ndarray
    devices: list[np.ndarray]
    accel: np.ndarray


def _pods(inv: Inventory) -> _Pods:
    pod_of = np.full(len(inv.devices), -1, dtype=np.int64)
    local = np.full(len(inv.devices), -1, dtype=np.int64)
    devices: list[np.ndarray] = []
    for name in sorted(inv.superpods, key=natural_key):
        pod = inv.superpods[name]
        if pod.template is None:
            continue
        devs = np.array([d.index for c in pod.cabinets for d in inv.cabinets[c].devices],
                        dtype=np.int64)
        pod_of[devs] = len(devices)
        local[devs] = np.arange(len(devs))
        devices.append(devs)
    accel = np.array([d.type.accelerators is not None for d in inv.devices], dtype=bool)
    return _Pods(pod_of, local, devices, accel)


def _replica_islands(inv: Inventory, pods: _Pods, a: np.ndarray, b: np.ndarray
                     ) -> Iterator[tuple[list[int], list[str]]]:
    """(island sizes, largest first; the smallest island's devices) of every group of links
    with more than one island of accelerators: the links of each Cluster replica on their own,
    those outside every replica together; links joining a replica to another or to devices
    outside it make one domain of them all, checked as one. A replica whose links and their
    ends' accelerators are those of a replica analysed before (in the replica's own device
    positions: compared, not assumed) reuses its islands."""
    pa = pods.pod_of[a]
    if len(pa) > 1 and bool((pa[1:] < pa[:-1]).any()):  # replication appends replica by replica
        order = np.argsort(pa, kind="stable")
        a, b, pa = a[order], b[order], pa[order]
    if not bool((pods.pod_of[b] == pa).all()):  # a domain across replicas: one group
        sizes, smallest = _islands(pods.accel, a.tolist(), b.tolist())
        if len(sizes) > 1:
            yield sizes, [inv.devices[d].address for d in smallest]
        return
    la, lb = pods.local[a], pods.local[b]
    acc_a, acc_b = pods.accel[a], pods.accel[b]
    cuts = [0, *(np.flatnonzero(np.diff(pa)) + 1).tolist(), len(a)]
    done: dict[tuple[bytes, ...], tuple[int, list[int], list[int]]] = {}
    for lo, hi in pairwise(cuts):
        pid = int(pa[lo])
        key: tuple[bytes, ...] | None = None
        if pid >= 0:
            key = (la[lo:hi].tobytes(), lb[lo:hi].tobytes(), acc_a[lo:hi].tobytes(),
                   acc_b[lo:hi].tobytes())
        seen = done.get(key) if key is not None else None
        if seen is None:
            sizes, smallest = _islands(pods.accel, a[lo:hi].tolist(), b[lo:hi].tolist())
            if key is not None:
                done[key] = (pid, sizes, smallest)
        else:
            sizes, smallest = seen[1], pods.devices[pid][pods.local[seen[2]]].tolist()
        if len(sizes) > 1:
            yield sizes, [inv.devices[d].address for d in smallest]


def _islands(accel: np.ndarray, a: list[int], b: list[int]) -> tuple[list[int], list[int]]:
    """(sizes of the components of accelerator devices the links `a`-`b` join, largest first;
    the devices of the smallest, the first such in device order)."""
    parent: dict[int, int] = {}
    for x, y in zip(a, b, strict=True):
        rx, ry = _find(parent, x), _find(parent, y)
        if rx != ry:
            parent[rx] = ry
    groups: dict[int, list[int]] = defaultdict(list)
    for d in sorted({d for d in (*a, *b) if accel[d]}):
        groups[_find(parent, d)].append(d)
    sizes = sorted((len(v) for v in groups.values()), reverse=True)
    smallest = min(groups.values(), key=len) if groups else []
    return sizes, smallest


def _find(parent: dict[int, int], x: int) -> int:
    """Union-find root with path compression."""
    root = x
    while parent.get(root, root) != root:
        root = parent[root]
    while parent.get(x, x) != root:
        parent[x], x = root, parent[x]
    return root


@rule("TOP005", "replicas of one template are not symmetric",
      policy=("aisle_clearance_m",),
      inputs=("Cluster.superpod",))  # replicas compared by their totals, floor area included
def asymmetric_replicas(inv: Inventory) -> Iterator[Finding]:
    """Superpods that claim to be replicas of one template (made by a Cluster, or labelled
    `replica-of: NAME`) must be identical in structure: device types, link count per fabric
    plane, accelerators and power. A differing replica usually means a hand edit that the
    cluster's totals would otherwise hide.

    Fix:
        Make the replica match its siblings, or drop the label.
    """
    from superpod_iac.model.counts import superpod_counts

    counts = superpod_counts(inv)
    groups: dict[str, list[str]] = defaultdict(list)
    for name, pod in sorted(inv.superpods.items()):
        key = pod.template or pod.labels.get("replica-of")
        if key:
            groups[key].append(name)
    for key, pods in sorted(groups.items()):
        sigs: dict[tuple[object, ...], list[str]] = defaultdict(list)
        for p in pods:
            c = counts[p]
            types = tuple(sorted(d.type_name for cab in inv.superpods[p].cabinets
                                  for d in inv.cabinets[cab].devices))
            sigs[(c.cabinets, c.devices, c.accelerators, c.links, c.transceivers,
                  round(c.max_w), types)].append(p)
        if len(sigs) > 1:
            common = max(sigs.values(), key=len)
            for members in sorted(sigs.values(), key=lambda m: m[0]):
                if members is common:
                    continue
                ref = counts[common[0]]
                c = counts[members[0]]
                diffs = [f"{f} {getattr(c, f):,} vs {getattr(ref, f):,}"
                         for f in ("cabinets", "devices", "accelerators", "links", "transceivers")
                         if getattr(c, f) != getattr(ref, f)]
                if round(c.max_w) != round(ref.max_w):
                    diffs.append(f"power {c.max_w / 1000:,.1f} vs {ref.max_w / 1000:,.1f} kW")
                if not diffs:
                    diffs.append("device types differ")
                yield Finding(f"replica(s) {fold(members)} of {key} differ from {fold(common)}: "
                              f"{'; '.join(diffs)}",
                              inv.superpods[members[0]].origin,
                              "make the replicas identical or remove the replica-of label")


@rule("TOP020", "declared per-accelerator bandwidth not delivered by the modelled links",
      policy=("bandwidth_warning_pct", "bandwidth_error_pct"),
      inputs=("AcceleratorType.scale_up_gbytes_s?", "PortGroup.speed_gbps", "PortGroup.plane="))
def declared_bandwidth(inv: Inventory) -> Iterator[Finding]:
    """The scale-up bandwidth an accelerator type claims in the catalog (`scale_up_gbytes_s`,
    both directions) must be carried by the links the design models for it: summary totals
    built on a claim the links cannot deliver overstate the system. For every device type with
    accelerators and scale-up ports, in a superpod with a scale-up fabric, the best-connected
    device's links are summed (each link at the slower of its two ports; edge nodes of a mesh
    have fewer neighbours by design) and divided by its accelerators. A shortfall above
    `bandwidth_warning_pct` warns, above `bandwidth_error_pct` is an error. A device with no
    scale-up ports keeps its domain inside the chassis (an HGX baseboard's NVSwitches) and is
    not checked.

    Formula:
        modelled = 2 x sum(min(port_a, port_b) Gb/s over the device's scale-up links) / 8
                   / accelerators per device   [GB/s, both directions]
        shortfall % = (declared - modelled) / declared x 100

    Fix:
        Model the links that carry the published bandwidth (count and speed of the
        accelerator's scale-up ports), or correct the catalog claim.
    """
    from superpod_iac import physics
    from superpod_iac.model.bandwidth import accelerator_devices, plane_bandwidth

    bw = plane_bandwidth(inv)["scale-up"]
    acc = accelerator_devices(inv)
    with_plane = {name for name, pod in inv.superpods.items()
                  if any(inv.fabrics[f].plane == "scale-up" for f in pod.fabrics
                         if f in inv.fabrics)}
    best: dict[str, tuple[float, str, Origin]] = {}
    for dev in inv.devices:
        t = dev.type
        if t.accelerators is None or inv.cabinets[dev.cabinet].superpod not in with_plane:
            continue
        if not any(g.plane == "scale-up" for g in t.port_groups):
            continue
        v = bw.per_accelerator_gbytes_s(dev.index, int(acc[dev.index]))
        if dev.type_name not in best or v > best[dev.type_name][0]:
            best[dev.type_name] = (v, dev.address, dev.origin)
    warn, err = inv.policy.bandwidth_warning_pct, inv.policy.bandwidth_error_pct
    for type_name, (modelled, address, origin) in sorted(best.items()):
        acc_name = inv.catalog.device_types[type_name].accelerators.type  # type: ignore[union-attr]
        a = inv.catalog.accelerator_types.get(acc_name)
        if a is None or not a.scale_up_gbytes_s:
            continue
        short = physics.shortfall_pct(a.scale_up_gbytes_s, modelled)
        if short <= warn:
            continue
        yield Finding(
            f"{acc_name} declares {a.scale_up_gbytes_s:,.0f} GB/s of scale-up bandwidth; the "
            f"links of {type_name} (best: {address}) carry {modelled:,.0f} GB/s per accelerator, "
            f"{short:.1f} % short (warning above {warn:g} %, error above {err:g} %)",
            origin, "model the scale-up links that carry the published figure (port count x speed), "
            "or correct the catalog's scale_up_gbytes_s",
            severity=Severity.ERROR if short > err else Severity.WARNING)


@rule("TOP021", "optical links passing through devices exceed their ports",
      inputs=("Fabric.optical_through?",))
def optical_port_budget(inv: Inventory) -> Iterator[Finding]:
    """A fabric whose optical links pass through optical circuit switches (or patch panels)
    declares them with `optical_through`; every link end through them takes one of their ports,
    so the fabric's optical link ends can never exceed their ports. Google's TPU v4 pod joins 64
    cubes' 6,144 optical face-link ends through 48 OCS of 136 ports (6,528 >= 6,144); an
    Ironwood pod's 144 cubes x 96 face links need at least 13,824 OCS ports. The devices are
    those the model built for the selector; in a superpod a Cluster replicates, each replica's
    optical links are held to its own copies of them (the same shortfall in every replica is
    one finding), and devices outside the replicas carry every replica's links. A selector
    that finds no device with ports is a finding too: the check cannot run.

    Formula:
        2 x optical links of the fabric (in the replica) <= sum of the ports of the
        `optical_through` devices (the replica's)

    Fix:
        Add pass-through devices (OCS, panels) until their ports cover every link end, or
        give them the ports they have.
    """
    if not len(inv.links):
        return
    col = columns(inv)
    fibre = np.array([inv.catalog.cable_types[n].medium in ("smf", "mmf")
                      if n in inv.catalog.cable_types else False
                      for n in inv.links.cable_names] + [False], dtype=bool)[col["cable"]]
    records: dict[str, list[GeneratedRun]] = defaultdict(list)
    for run in inv.generated:
        if run.generator == OPTICAL_THROUGH:
            records[run.fabric].append(run)
    pods: tuple[dict[str, int], np.ndarray] | None = None
    for fab in sorted(inv.fabrics.values(), key=lambda f: f.index):
        through = fab.spec.optical_through if fab.spec is not None else None
        if not through:
            continue
        mine = fibre & (col["fabric"] == fab.index)
        runs = records.get(fab.name) or [GeneratedRun(fab.name, OPTICAL_THROUGH, fab.origin,
                                                      {"through": []}, 0)]
        links: dict[str | None, int] = {None: int(mine.sum())}  # replica (None: all) -> links
        if any(r.replica is not None for r in runs):
            pods = pods or _device_superpods(inv)
            per_pod = _links_per_superpod(pods[1], col["a_dev"][mine], col["b_dev"][mine],
                                          len(pods[0]))
            links.update({name: int(per_pod[i]) for name, i in pods[0].items()})
        for run in runs:
            yield from _through_shortfall(inv, fab, through, run, 2 * links.get(run.replica, 0))


def _through_shortfall(inv: Inventory, fab: FabricObj, through: str, run: GeneratedRun,
                       ends: int) -> Iterator[Finding]:
    devs = run.roles.get("through", [])
    ports = sum(sum(1 for p in inv.catalog.ports(inv.devices[d].type_name)[0] if p.cage < 0)
                for d in devs)
    if ports and ends <= ports:
        return
    named = f" ({fold([inv.devices[d].address for d in devs])})" if run.replica and devs else ""
    yield Finding(
        f"fabric {fab.name}: {ends // 2:,} optical links = {ends:,} link ends pass "
        f"through {len(devs)} device(s) '{through}'{named} with {ports:,} ports"
        + (f", {ends - ports:,} short" if ports else " (no ports to land on)"),
        fab.origin,
        "add pass-through devices (OCS, patch panels) until their ports cover every "
        "link end")


def _device_superpods(inv: Inventory) -> tuple[dict[str, int], np.ndarray]:
    """Superpod name -> id, and device index -> the id of its superpod (-1 outside one)."""
    ids = {name: i for i, name in enumerate(sorted(inv.superpods))}
    of = np.array([ids.get(inv.cabinets[d.cabinet].superpod or "", -1) for d in inv.devices],
                  dtype=np.int64)
    return ids, of


def _links_per_superpod(pod_of: np.ndarray, a: np.ndarray, b: np.ndarray, pods: int
                        ) -> np.ndarray:
    """Per superpod id, the links with an end on one of its devices (a link between two
    superpods counts in both)."""
    pa, pb = pod_of[a], pod_of[b]
    count = np.bincount(pa[pa >= 0], minlength=pods)
    other = (pb >= 0) & (pb != pa)
    return count + np.bincount(pb[other], minlength=pods)
