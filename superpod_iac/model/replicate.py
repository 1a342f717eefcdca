"""Cluster replication: clone a Superpod (its cabinets, devices, links and the pod-level
infrastructure its cabinets use) once per replica, then wire replicas together with cascade links.

Infrastructure above the superpod (site-level power nodes and all above them, halls, facility
loops) is shared by the replicas and carries their summed load, as the same cabinets written out
would; the Cluster's `per_replica` clones it instead. A replica never takes a name another
object has (REF002, and the Cluster is not expanded).

Replica objects are named `<replica>.<name>` (cabinet `cm384-017.c03`, feed `cm384-017.feed-A1`),
so `cm384-017.c03/node2:ub5` addresses a port. The template's own objects become the first
replica (renamed in place). Links are copied column-wise with numpy (device indices offset per
replica), so 432 replicas of a 4,000-link superpod cost array arithmetic, not Python loops.
"""

from __future__ import annotations

import fnmatch
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.superpod import Cascade, Cluster
from superpod_iac.model.expand import expand
from superpod_iac.model.generators import GeneratorError, natural_key, select_devices
from superpod_iac.model.inventory import (
    Cabinet,
    ClusterObj,
    Device,
    FabricObj,
    GeneratedRun,
    Inventory,
    SuperpodObj,
)
from superpod_iac.model.linkstats import columns, device_mask

if TYPE_CHECKING:
    from superpod_iac.manifest.parse import Manifest


SITE_POWER = frozenset({"utility", "generator", "transformer", "switchboard"})
"""Power-node types above the superpod: shared by the replicas unless `per_replica` names them."""


class Infra:
    """The infrastructure a superpod's cabinets use, split into what every replica gets its own
    copy of (`power`, `cdus`, `groups`, `loops`, `halls`, `zones`) and what the replicas share
    (`site`: site-level power nodes and everything above them, halls and facility loops, unless
    the Cluster's `per_replica` names them)."""

    def __init__(self, inv: Inventory, cabinets: list[str], per_replica: Sequence[str] = ()) -> None:
        self.cabinets = cabinets
        self.cdus: list[str] = []
        self.groups: list[str] = []
        halls: set[str] = set()
        power: set[str] = set()
        for name in cabinets:
            cab = inv.cabinets[name]
            for f in [*cab.feeds, *(f for d in cab.devices for f in d.feeds)]:
                while f in inv.power_nodes and f not in power:
                    power.add(f)
                    f = inv.power_nodes[f].spec.parent or ""
            if cab.cdu in inv.cdu_groups:
                self.groups.append(cab.cdu)
            elif cab.cdu in inv.cdus:
                self.cdus.append(cab.cdu)
                group = inv.cdus[cab.cdu].spec.group
                if group in inv.cdu_groups:
                    self.groups.append(group)
            if cab.hall in inv.halls:
                halls.add(cab.hall)
        self.groups = sorted(set(self.groups))
        self.cdus = sorted(set(self.cdus) | {c.name for c in inv.cdus.values()
                                              if c.spec.group in self.groups})
        loops = {loop for c in self.cdus
                 if (loop := inv.cdus[c].spec.loop) is not None and loop in inv.loops}
        halls |= {h for c in self.cdus if (h := inv.cdus[c].spec.rejects_to_hall) in inv.halls}
        self.patterns = list(per_replica)
        self.matched: set[str] = set()
        """The `per_replica` patterns that name something the superpod uses."""
        cloned = {n for n in power if self._cloned(inv, n, power)}
        self.power = sorted(cloned)
        self.halls = sorted(h for h in halls if self._named(h))
        self.loops = sorted(loop for loop in loops if self._named(loop))
        self.site = sorted(power - cloned) + sorted(halls - set(self.halls)) + \
            sorted(loops - set(self.loops))
        """Shared by every replica (kept under its own name, loads summed over replicas)."""
        self._named_all([*self.cdus, *self.groups])
        self.rows = {h: [(r, row) for (hh, r), row in inv.rows.items() if hh == h]
                     for h in self.halls}
        """Rows of each hall, found once (a scan per replica made replication quadratic)."""
        self.zones = sorted(z for z, zone in inv.air_zones.items() if zone.hall in self.halls)
        self.shared = self._used_outside(inv, set(cabinets), cloned)
        """Cloned infrastructure that objects outside the template use too (another cabinet in
        the same hall, a feed hung from the same UPS): each replica still gets its own copy, but
        the original stays for them instead of being retired with the template."""

    def _named(self, name: str) -> bool:
        hits = [p for p in self.patterns if fnmatch.fnmatchcase(name, p)]
        self.matched.update(hits)
        return bool(hits)

    def _named_all(self, names: list[str]) -> None:
        for name in names:
            self._named(name)

    def _cloned(self, inv: Inventory, name: str, power: set[str]) -> bool:
        """A node is the replica's own when it is below the site level or `per_replica` names
        it, and so is every node below one (a copy cannot hang from a shared child)."""
        node: str | None = name
        own, seen = False, set()
        while node in power and node not in seen:  # `seen`: parents may loop (REF004)
            seen.add(node)
            spec = inv.power_nodes[node].spec
            own = self._named(node) or spec.type not in SITE_POWER or own
            node = spec.parent
        return own

    def _used_outside(self, inv: Inventory, mine: set[str], power: set[str]) -> set[str]:
        shared: set[str] = set()

        def up(name: str | None) -> None:  # a node reached from outside, and all above it
            while name in power and name not in shared:
                shared.add(name)
                name = inv.power_nodes[name].spec.parent

        for name, node in inv.power_nodes.items():
            if name not in power:
                up(node.spec.parent)
        groups, cdus, halls = set(self.groups), set(self.cdus), set(self.halls)
        for name, cab in inv.cabinets.items():
            if name in mine:
                continue
            for f in [*cab.feeds, *(f for d in cab.devices for f in d.feeds)]:
                up(f)
            if cab.cdu in groups or cab.cdu in cdus:
                shared.add(cab.cdu)
            if cab.hall in halls:
                shared.add(cab.hall)
        for name, cdu in inv.cdus.items():
            if name not in cdus and cdu.spec.group in groups:
                shared.add(cdu.spec.group)
        shared |= {c for c in self.cdus if inv.cdus[c].spec.group in shared or c in shared}
        loops = set(self.loops)
        shared |= {loop for c, cdu in inv.cdus.items() if (c not in cdus or c in shared)
                   and (loop := cdu.spec.loop) in loops}
        shared |= {z for z in self.zones if inv.air_zones[z].hall in shared}
        return shared


def _rn(prefix: str, name: str | None, known: set[str]) -> str | None:
    return f"{prefix}{name}" if name is not None and name in known else name


def _clone_infra(inv: Inventory, infra: Infra, prefix: str) -> None:
    power, groups = set(infra.power), set(infra.groups)
    loops, halls = set(infra.loops), set(infra.halls)
    for name in infra.power:
        node = inv.power_nodes[name]
        spec = node.spec.model_copy(update={"name": prefix + name,
                                            "parent": _rn(prefix, node.spec.parent, power)})
        clone = replace(node, name=prefix + name, spec=spec,
                        children=[prefix + c for c in node.children if c in power])
        inv.power_nodes[prefix + name] = clone
        inv.origins[("power node", prefix + name)] = node.origin
    parents = {p for n in infra.power if (p := inv.power_nodes[n].spec.parent) is not None}
    for parent in sorted(parents - power):  # shared nodes above: each replica's copies hang here
        if parent not in inv.power_nodes:
            continue  # an unknown parent (REF001)
        inv.power_nodes[parent].children.extend(
            prefix + n for n in infra.power if inv.power_nodes[n].spec.parent == parent)
    for name in infra.groups:
        inv.cdu_groups[prefix + name] = inv.cdu_groups[name]
        inv.origins[("cdu group", prefix + name)] = inv.origins[("cdu group", name)]
    for name in infra.loops:
        inv.loops[prefix + name] = inv.loops[name]
        inv.origins[("loop", prefix + name)] = inv.origins[("loop", name)]
    for name in infra.cdus:
        c = inv.cdus[name]
        cdu = c.spec.model_copy(update={
            "name": prefix + name, "group": _rn(prefix, c.spec.group, groups),
            "loop": _rn(prefix, c.spec.loop, loops),
            "rejects_to_hall": _rn(prefix, c.spec.rejects_to_hall, halls)})
        # every resolved field carried over (capacity, flow, supply and approach from the CDU or
        # its type): a field left out would silently fall back to a policy default
        inv.cdus[prefix + name] = replace(c, name=prefix + name, spec=cdu)
        inv.origins[("cdu", prefix + name)] = c.origin
    for name in infra.halls:
        inv.halls[prefix + name] = inv.halls[name]
        inv.origins[("hall", prefix + name)] = inv.origins[("hall", name)]
        if name in inv.hall_policies:  # the copy follows its Site's policy, as the original
            inv.hall_policies[prefix + name] = inv.hall_policies[name]
        for r, row in infra.rows[name]:
            inv.rows[(prefix + name, r)] = row
            inv.origins[("row", f"{prefix}{name}/{r}")] = inv.origins[("row", f"{name}/{r}")]
    for name in infra.zones:
        zone = inv.air_zones[name]
        inv.air_zones[prefix + name] = zone.model_copy(
            update={"name": prefix + name, "hall": _rn(prefix, zone.hall, halls)})
        inv.origins[("air zone", prefix + name)] = inv.origins[("air zone", name)]


def _clone_cabinet(inv: Inventory, cab: Cabinet, prefix: str, infra_sets: dict[str, set[str]],
                   replica: str) -> Cabinet:
    power, cdu_names, halls = infra_sets["power"], infra_sets["cdu"], infra_sets["halls"]
    clone = replace(cab, name=prefix + cab.name, hall=_rn(prefix, cab.hall, halls),
                    feeds=[_rn(prefix, f, power) or f for f in cab.feeds],
                    cdu=_rn(prefix, cab.cdu, cdu_names), devices=[], superpod=replica,
                    labels=dict(cab.labels))
    for dev in cab.devices:
        # every field (the constructor is 3x cheaper than replace() on 76,032 devices; a test
        # compares each field of a replica's device with the template's)
        d = Device(dev.name, clone.name, dev.type_name, dev.type, dev.u, dev.origin,
                   [_rn(prefix, f, power) or f for f in dev.feeds], outlets=list(dev.outlets))
        clone.devices.append(d)
    return clone


def _taken(inv: Inventory, kind: str, name: str, table: Mapping[str, object]) -> Origin | None:
    """Where an object of `kind` named `name` is defined already (explicitly, by a template
    line's expansion, or by an earlier Cluster's replicas), or None."""
    origin = inv.origins.get((kind, name))
    if origin is None and name in table:
        obj = table[name]
        origin = getattr(obj, "origin", None) or Origin("")
    return origin


def _collisions(inv: Inventory, infra: Infra, template: SuperpodObj, cluster: ClusterObj,
                origin: Origin) -> bool:
    """Report (REF002) every name a replica would take that another object has: the replica
    would otherwise replace it silently. Returns whether any was found."""
    tables: list[tuple[str, list[str], Mapping[str, object]]] = [
        ("cabinet", template.cabinets, inv.cabinets),
        ("power node", infra.power, inv.power_nodes),
        ("cdu", infra.cdus, inv.cdus), ("cdu group", infra.groups, inv.cdu_groups),
        ("loop", infra.loops, inv.loops), ("hall", infra.halls, inv.halls),
        ("air zone", infra.zones, inv.air_zones),
    ]
    found = False
    # two replicas can make one name only when a replica name holds a dot (`a` + `b.c` and
    # `a.b` + `c`): only then is every name made remembered
    made: dict[tuple[str, str], str] | None = \
        {} if any("." in r for r in cluster.replicas) else None
    origins = inv.origins
    for replica in cluster.replicas:
        prefix = f"{replica}."
        if replica != template.name and \
                (first := _taken(inv, "superpod", replica, inv.superpods)) is not None:
            inv.problems.duplicate("superpod", replica, first, origin,
                                   f"replica {replica} of superpod {template.name} "
                                   f"(cluster {cluster.name})", template.origin)
            found = True
        for kind, names, table in tables:
            other = _OTHER.get(kind)
            for name in names:
                new = prefix + name
                hit = (kind, new) in origins or new in table or \
                    (other is not None and ((other[0], new) in origins or new in other[1](inv)))
                if made is not None:
                    hit = hit or (kind, new) in made
                    made.setdefault((kind, new), replica)
                if hit:
                    _report(inv, kind, new, name, replica, cluster, origin, made)
                    found = True
    return found


_OTHER: dict[str, tuple[str, Callable[[Inventory], Mapping[str, object]]]] = {
    "cdu": ("cdu group", lambda inv: inv.cdu_groups),
    "cdu group": ("cdu", lambda inv: inv.cdus),
}
"""Kinds sharing one reference namespace (a cabinet's `cdu:` names a CDU or a CDU group)."""


def _report(inv: Inventory, kind: str, new: str, name: str, replica: str, cluster: ClusterObj,
            origin: Origin, made: dict[tuple[str, str], str] | None) -> None:
    """REF002 for replica `replica`'s copy `new` of `name`, whose name is taken."""
    via = f"replica {replica}'s copy of {kind} {name} (cluster {cluster.name})"
    first = _taken(inv, kind, new, _TABLES[kind](inv))
    if first is None and kind in _OTHER:
        first = _taken(inv, _OTHER[kind][0], new, _OTHER[kind][1](inv))
    if first is None:  # another replica of this cluster makes it too
        first = origin
        if made is not None and made.get((kind, new), replica) != replica:
            via += f", and {made[(kind, new)]}'s"
    inv.problems.duplicate(kind, new, first, origin, via, inv.origins.get((kind, name)))


_TABLES: dict[str, Callable[[Inventory], Mapping[str, object]]] = {
    "cabinet": lambda inv: inv.cabinets, "power node": lambda inv: inv.power_nodes,
    "cdu": lambda inv: inv.cdus, "cdu group": lambda inv: inv.cdu_groups,
    "loop": lambda inv: inv.loops, "hall": lambda inv: inv.halls,
    "air zone": lambda inv: inv.air_zones,
}


def _unknown_per_replica(inv: Inventory, m: Manifest[Cluster], cluster: ClusterObj,
                        template: SuperpodObj, infra: Infra) -> list[str]:
    """The `per_replica` patterns that name nothing the template uses, each a finding."""
    spec = m.model.spec
    unknown = [p for p in spec.per_replica if p not in infra.matched]
    for i, pattern in enumerate(spec.per_replica):
        if pattern in unknown:
            inv.problems.missing("infrastructure", pattern,
                                 Origin(m.document.file, m.document.index,
                                        ("spec", "per_replica", i)),
                                 f"per_replica of cluster {cluster.name}: nothing superpod "
                                 f"{template.name} uses has that name")
    return unknown


def replicate(inv: Inventory, m: Manifest[Cluster], cluster: ClusterObj) -> bool:
    """Replace the template superpod by its replicas; False (and nothing changed) when a
    replica's name would take another object's (REF002) or `per_replica` names nothing."""
    template = inv.superpods[cluster.superpod]
    spec = m.model.spec
    infra = Infra(inv, template.cabinets, spec.per_replica)
    where = Origin(m.document.file, m.document.index,
                   ("spec", "names") if spec.names else ("spec", "superpod"))
    unknown = _unknown_per_replica(inv, m, cluster, template, infra)
    if _collisions(inv, infra, template, cluster, where) or unknown:
        inv.unbuilt.update(cluster.replicas)
        return False
    cluster.site = list(infra.site)
    cluster.per_replica = [*infra.power, *infra.halls, *infra.loops, *infra.groups, *infra.cdus]
    del inv.superpods[cluster.superpod]
    sets = {"power": set(infra.power), "halls": set(infra.halls),
            "cdu": set(infra.cdus) | set(infra.groups)}
    tdevs = [d.index for c in template.cabinets for d in inv.cabinets[c].devices]
    remap = np.full(len(inv.devices), -1, dtype=np.int64)
    remap[tdevs] = np.arange(len(tdevs))
    col = columns(inv)
    inside = (remap[col["a_dev"]] >= 0) & (remap[col["b_dev"]] >= 0) if len(inv.links) else \
        np.zeros(0, dtype=bool)
    sel = np.nonzero(inside)[0]
    touching = (remap[col["a_dev"]] >= 0) | (remap[col["b_dev"]] >= 0) if len(inv.links) else \
        np.zeros(0, dtype=bool)
    boundary = np.nonzero(touching & ~inside)[0]
    tmpl_cols = {k: v[sel].copy() for k, v in col.items()}
    local_a, local_b = remap[tmpl_cols["a_dev"]], remap[tmpl_cols["b_dev"]]
    del col, inside, touching  # release the views: the link arrays grow below
    bases: list[np.ndarray] = []
    ends_a: list[np.ndarray] = []
    ends_b: list[np.ndarray] = []
    for replica in cluster.replicas:
        prefix = f"{replica}."
        _clone_infra(inv, infra, prefix)
        cabinets = []
        new_index: list[int] = []
        for name in template.cabinets:
            clone = _clone_cabinet(inv, inv.cabinets[name], prefix, sets, replica)
            inv.cabinets[clone.name] = clone
            inv.origins[("cabinet", clone.name)] = clone.origin
            cabinets.append(clone.name)
            for d in clone.devices:
                inv.add_device(d)
                new_index.append(d.index)
        index = np.array(new_index, dtype=np.int64)
        bases.append(index)
        ends_a.append(index[local_a])
        ends_b.append(index[local_b])
        inv.superpods[replica] = SuperpodObj(replica, template.origin, cabinets,
                                             list(template.fabrics), template.expect,
                                             dict(template.labels), template=template.name)
    if bases:  # every replica's copy of the template links, appended in one go
        n = len(bases)
        _append_links(inv, {k: np.tile(v, n) for k, v in tmpl_cols.items()},
                      np.concatenate(ends_a), np.concatenate(ends_b))
    del ends_a, ends_b
    _rehome_boundary_links(inv, boundary, remap, bases[0] if bases else None)
    renumber = _retire_template(inv, infra, template, sel)
    bases = [renumber[b] for b in bases]
    _replicate_runs(inv, remap, renumber, bases, cluster.replicas)
    for j, cascade in enumerate(m.model.spec.cascade):
        _cascade(inv, m, cluster, j, cascade, bases)
    return True


def _replicate_runs(inv: Inventory, local: np.ndarray, remap: np.ndarray,
                    bases: list[np.ndarray], replicas: list[str]) -> None:
    """Each generator record (GeneratedRun) that selected template devices becomes one per
    replica, its devices those of the replica (a device outside the template stays itself);
    every other record follows the renumbering. `local`: old index -> position in the
    template (-1 outside it); `remap`: old index -> index after the template retired."""
    runs: list[GeneratedRun] = []
    for run in inv.generated:
        olds = {k: np.array(v, dtype=np.int64) for k, v in run.roles.items()}
        inside = any(bool((local[v] >= 0).any()) for v in olds.values() if len(v))
        if not inside or not bases:
            roles = {k: [int(x) for x in remap[v].tolist() if x >= 0] for k, v in olds.items()}
            runs.append(replace(run, roles=roles))
            continue
        for replica, base in zip(replicas, bases, strict=True):
            roles = {k: np.where(local[v] >= 0, base[np.maximum(local[v], 0)], remap[v]).tolist()
                     for k, v in olds.items()}
            runs.append(replace(run, roles={k: [x for x in v if x >= 0]
                                            for k, v in roles.items()}, replica=replica))
    inv.generated = runs


def template_links(inv: Inventory, pod: SuperpodObj) -> int:
    """Links with an end in the superpod template: what each replica copies."""
    mine = device_mask(inv, pod.cabinets)
    col = columns(inv)
    return int((mine[col["a_dev"]] | mine[col["b_dev"]]).sum())


def linked_outside(inv: Inventory, replicas: list[str]) -> list[str]:
    """Cabinets in no superpod that are cabled to the replicas (a cluster's core tier): several
    clusters in one project each count only their own."""
    mine = device_mask(inv, [c for r in replicas for c in inv.superpods[r].cabinets])
    col = columns(inv)
    a, b = col["a_dev"], col["b_dev"]
    others = np.unique(np.concatenate([b[mine[a] & ~mine[b]], a[mine[b] & ~mine[a]]]))
    cabs = {inv.devices[int(d)].cabinet for d in others.tolist()}
    return sorted(c for c in cabs if inv.cabinets[c].superpod is None)


def _rehome_boundary_links(inv: Inventory, boundary: np.ndarray, local: np.ndarray,
                           first: np.ndarray | None) -> None:
    """Links between the template and devices outside it now attach to the first replica."""
    if first is None:
        return
    t = inv.links
    for i in boundary.tolist():
        for col in (t.a_dev, t.b_dev):
            if local[col[i]] >= 0:
                col[i] = int(first[local[col[i]]])


def _append_links(inv: Inventory, cols: dict[str, np.ndarray], a_dev: np.ndarray,
                  b_dev: np.ndarray) -> None:
    t = inv.links
    data = {"a_dev": a_dev, "b_dev": b_dev}
    for key in ("a_port", "b_port", "cable", "xcvr_a", "xcvr_b", "fabric", "origin"):
        data[key] = cols[key]
    for key, values in data.items():
        getattr(t, key).frombytes(_raw(values, np.int32))
    t.length_m.frombytes(_raw(cols["length_m"], np.float64))


def _raw(values: np.ndarray, dtype: type[np.generic]) -> memoryview:
    """The bytes of `values` as `dtype`, for array.frombytes (no copy when already so)."""
    return np.ascontiguousarray(values, dtype=dtype).data.cast("B")


def _retire_template(inv: Inventory, infra: Infra, template: SuperpodObj, sel: np.ndarray
                     ) -> np.ndarray:
    """Remove the template's own cabinets, devices, links and infrastructure: only replicas stay.

    Returns the old -> new device index map."""
    dead = {d.index for c in template.cabinets for d in inv.cabinets[c].devices}
    for name in template.cabinets:
        del inv.cabinets[name]
    keep = np.ones(len(inv.links), dtype=bool)
    keep[sel] = False
    remap = _compact(inv, dead, keep)
    kept = infra.shared  # used by objects outside the template: they stay for them
    for name in infra.power:
        if name not in kept:
            del inv.power_nodes[name]
    for node in inv.power_nodes.values():
        node.children = [c for c in node.children if c in inv.power_nodes]
    for table, names in ((inv.cdus, infra.cdus), (inv.cdu_groups, infra.groups),
                         (inv.loops, infra.loops), (inv.halls, infra.halls),
                         (inv.air_zones, infra.zones)):
        for name in names:
            if name not in kept:
                table.pop(name, None)
    retired_halls = set(infra.halls) - kept
    for key in [k for k in inv.rows if k[0] in retired_halls]:
        del inv.rows[key]
    return remap


def _compact(inv: Inventory, dead: set[int], keep: np.ndarray) -> np.ndarray:
    """Drop dead devices and links; renumber device indices in the link columns."""
    old = inv.devices
    renumber = [-1] * len(old)
    devices: list[Device] = []
    index: dict[str, int] = {}
    for d in old:
        if d.index in dead:
            continue
        new = len(devices)
        renumber[d.index] = new
        d.index = new
        devices.append(d)
        index[d.address] = new
    inv.devices, inv.device_index = devices, index
    remap = np.array(renumber, dtype=np.int64)
    t = inv.links
    kept = {k: v[keep] for k, v in columns(inv).items()}  # boolean indexing copies
    kept["a_dev"] = remap[kept["a_dev"]]
    kept["b_dev"] = remap[kept["b_dev"]]
    for key in ("a_dev", "a_port", "b_dev", "b_port", "cable", "xcvr_a", "xcvr_b", "fabric",
                "origin"):
        column = array("i")
        column.frombytes(_raw(kept[key], np.int32))
        setattr(t, key, column)
    lengths = array("d")
    lengths.frombytes(_raw(kept["length_m"], np.float64))
    t.length_m = lengths
    inv.invalidate()
    return remap


def _cascade(inv: Inventory, m: Manifest[Cluster], cluster: ClusterObj, j: int, cascade: Cascade,
             bases: list[np.ndarray]) -> None:
    origin = Origin(m.document.file, m.document.index, ("spec", "cascade", j))
    dev_glob, _, port_set = cascade.uplinks.rpartition(":")
    first = bases[0] if bases else np.zeros(0, dtype=np.int64)
    ends: list[tuple[int, int]] = []  # (position within the replica, port)
    try:
        ports = expand(port_set)
        prefix = f"{cluster.replicas[0]}."
        for pos, dev_idx in enumerate(first.tolist()):
            dev = inv.devices[dev_idx]
            local = dev.address[len(prefix):]
            if not fnmatch.fnmatchcase(local, dev_glob):
                continue
            by_name = inv.catalog.ports(dev.type_name)[1]
            for p in ports:
                if p not in by_name:
                    raise GeneratorError(f"port '{p}' is not on {local} ({dev.type_name})")
                ends.append((pos, by_name[p].index))
        ends.sort(key=lambda e: (natural_key(inv.devices[int(first[e[0]])].address), e[1]))
    except (GeneratorError, ValueError) as exc:
        inv.problems.cannot_expand(f"cascade: {exc}", origin)
        return
    if not ends or (len(ends) % 2 and cascade.type == "ring"):
        inv.problems.cannot_expand(f"cascade: uplinks '{cascade.uplinks}' select {len(ends)} "
                                   "ports; a ring needs an even, non-zero number", origin)
        return
    n = len(cluster.replicas)
    if cascade.type == "clos":
        _cascade_clos(inv, cluster, j, cascade, ends, bases, origin)
        return
    if n < 2:
        return
    fab = _new_fabric(inv, f"{cluster.name}-cascade", origin)
    if fab is None:
        return
    half = len(ends) // 2
    east = np.array(ends[:half], dtype=np.int64)
    west = np.array(ends[half:], dtype=np.int64)
    base = np.stack(bases)  # replicas x devices-per-replica
    a_dev = base[:, east[:, 0]].reshape(-1)
    b_dev = base[np.roll(np.arange(n), -1)][:, west[:, 0]].reshape(-1)
    _add_cascade_links(inv, cluster, cascade, fab, origin, a_dev, b_dev,
                       np.tile(east[:, 1], n), np.tile(west[:, 1], n))


def _new_fabric(inv: Inventory, name: str, origin: Origin) -> FabricObj | None:
    """The fabric a cascade's links belong to; None (REF002) when a fabric has that name."""
    first = _taken(inv, "fabric", name, inv.fabrics)
    if first is not None:
        inv.problems.duplicate("fabric", name, first, origin, "the fabric of this cascade")
        return None
    fab = FabricObj(name, "scale-out", origin, None, len(inv.fabrics))
    inv.fabrics[name] = fab
    inv.origins[("fabric", name)] = origin
    return fab


def _add_cascade_links(inv: Inventory, cluster: ClusterObj, cascade: Cascade, fab: FabricObj,
                       origin: Origin, a_dev: np.ndarray, b_dev: np.ndarray,
                       a_port: np.ndarray, b_port: np.ndarray) -> None:
    """Append a cascade's links column-wise, all with the cascade's cable, transceivers and
    length (ring and Clos alike), and report a cable or transceiver type the catalog lacks."""
    count = len(a_dev)
    t = inv.links
    oid = t.intern_origin(origin)
    cable = t._intern(cascade.cable, t._cable_idx, t.cable_names)
    xcvr = t._intern(cascade.transceiver, t._xcvr_idx, t.xcvr_names)
    length = cascade.length_m if cascade.length_m is not None else float("nan")
    cols = {
        "a_port": a_port, "b_port": b_port,
        "cable": np.full(count, cable), "xcvr_a": np.full(count, xcvr),
        "xcvr_b": np.full(count, xcvr), "fabric": np.full(count, fab.index),
        "origin": np.full(count, oid), "length_m": np.full(count, length, dtype=np.float64),
    }
    _append_links(inv, cols, a_dev, b_dev)
    for what, name, section in (("cable type", cascade.cable, inv.catalog.cable_types),
                                ("transceiver type", cascade.transceiver,
                                 inv.catalog.transceiver_types)):
        if name is not None and name not in section:
            inv.problems.missing(what, name, origin, f"cascade of cluster {cluster.name}")
    inv.invalidate()


def clos_cores_needed(uplinks: int, replicas: int, ports: int) -> int:
    """Fewest core switches of `ports` ports that take `uplinks` per replica from every
    replica, one core per uplink residue: a divisor of `uplinks` with replicas x uplinks / C
    <= ports (0 when even one port per replica per core does not fit)."""
    for c in range(1, uplinks + 1):
        if uplinks % c == 0 and replicas * (uplinks // c) <= ports:
            return c
    return 0


def _cascade_clos(inv: Inventory, cluster: ClusterObj, j: int, cascade: Cascade,
                  ends: list[tuple[int, int]], bases: list[np.ndarray], origin: Origin) -> None:
    """Core tier of a folded Clos above the replicas' uplinks (see manifest `Cascade`)."""
    if not cascade.cores or not cascade.core_ports:
        inv.problems.cannot_expand("cascade clos: needs `cores` and `core_ports`", origin)
        return
    try:
        cores = select_devices(inv, cascade.cores)
        types = {inv.devices[c].type_name for c in cores}
        if len(types) != 1:
            raise GeneratorError(f"core switches are of {len(types)} types; use one")
        by_name = inv.catalog.ports(types.pop())[1]
        names = expand(cascade.core_ports)
        missing = [x for x in names if x not in by_name]
        if missing:
            raise GeneratorError(f"port '{missing[0]}' is not on the core switches")
        core_ports = np.array([by_name[x].index for x in names], dtype=np.int64)
    except (GeneratorError, ValueError) as exc:
        inv.problems.cannot_expand(f"cascade clos: {exc}", origin)
        return
    n, u, c, p = len(bases), len(ends), len(cores), len(core_ports)
    need = clos_cores_needed(u, n, p)
    if u % c or n * (u // c) > p:
        hint = (f"{need} core switches" if need else
                f"core switches with at least {n} ports (or another tier)")
        inv.problems.cannot_expand(
            f"cascade clos: {n} replicas x {u} uplinks over {c} core switches of {p} ports "
            f"does not fit (each core needs {n} x {u} / C ports and C must divide {u}); "
            f"this design needs {hint}", origin)
        return
    fab = _new_fabric(inv, f"{cluster.name}-cascade-{j + 1}", origin)
    if fab is None:
        return
    pos = np.array([e[0] for e in ends], dtype=np.int64)
    port = np.array([e[1] for e in ends], dtype=np.int64)
    base = np.stack(bases)
    a_dev = base[:, pos].reshape(-1)
    up = np.tile(np.arange(u), n)
    rep = np.repeat(np.arange(n), u)
    core_idx = np.array(cores, dtype=np.int64)
    b_dev = core_idx[up % c]
    b_port = core_ports[rep * (u // c) + up // c]
    _add_cascade_links(inv, cluster, cascade, fab, origin, a_dev, b_dev,
                       np.tile(port, n), b_port)
