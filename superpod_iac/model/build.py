"""Build the Inventory from typed manifests: catalog merge, replication, reference resolution."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from superpod_iac import manifest as kinds
from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.builtin import PACKAGE_DATA
from superpod_iac.manifest.cabinet import Device as DeviceSpec
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.manifest.common import ManifestBase
from superpod_iac.manifest.parse import Manifest, of_kind
from superpod_iac.manifest.policy import Policy
from superpod_iac.model.catalog import policy_defaults
from superpod_iac.model.expand import (
    MAX_NAMES,
    ExpansionError,
    LimitError,
    count_names,
    expand,
    substitute,
)
from superpod_iac.model.generators import (
    add_generated_links,
    record_optical_through,
    record_shape,
)
from superpod_iac.model.inventory import (
    Cabinet,
    CduObj,
    ClusterObj,
    Device,
    FabricObj,
    Inventory,
    PartCatalog,
    PowerNodeObj,
    SuperpodObj,
)
from superpod_iac.model.links import add_explicit_links
from superpod_iac.model.problems import Duplicate
from superpod_iac.source.loader import LoadLimits

ONE_NAMESPACE = {"cdu": ("cdu group",), "cdu group": ("cdu",)}
"""Kinds whose names one reference resolves among (a cabinet's `cdu:` is a CDU or a group)."""

_SECTIONS = ("cabinet_types", "device_types", "accelerator_types", "transceiver_types",
             "cable_types", "cdu_types", "fluids", "accessory_types")


def _origin(m: Manifest[ManifestBase], *path: str | int) -> Origin:
    return Origin(m.document.file, m.document.index, tuple(path))


def _sub(origin: Origin, *path: str | int) -> Origin:
    """The origin of a field below an object's origin."""
    return Origin(origin.file, origin.doc, (*origin.path, *path))


def _cabinet_tokens(value: Any, cab: Cabinet) -> Any:
    """Fill `{cabinet}` and `{feedN}` (the cabinet's N-th feed, from 1) in device fields, so a
    replicated cabinet's power shelves can name their own cabinet's feeds."""
    if isinstance(value, str):
        value = value.replace("{cabinet}", cab.name)
        for n, feed in enumerate(cab.feeds, start=1):
            value = value.replace(f"{{feed{n}}}", feed)
        return value
    if isinstance(value, list):
        return [_cabinet_tokens(v, cab) for v in value]
    if isinstance(value, dict):
        return {k: _cabinet_tokens(v, cab) for k, v in value.items()}
    return value


def _merge_catalog(manifests: Iterable[Manifest[kinds.Catalog]], dups: list[Duplicate],
                   builtin: Sequence[Manifest[kinds.Catalog]] = ()) -> PartCatalog:
    """The built-in catalog (read by the manifest stage, `manifest.builtin`), then the
    project's parts over it."""
    cat = PartCatalog()
    for m in (*builtin, *manifests):
        is_builtin = m in builtin
        for section in _SECTIONS:
            target: dict[str, Any] = getattr(cat, section)
            for i, part in enumerate(getattr(m.model.spec, section)):
                origin = _origin(m, "spec", section, i)
                key = (section, part.name)
                if part.name in target and not is_builtin:
                    prev = cat.origins[key]
                    if not prev.file.startswith(str(_builtin_dir())):
                        dups.append(Duplicate(section[:-1].replace("_", " "), part.name, prev,
                                              origin))
                        continue
                target[part.name] = part
                cat.origins[key] = origin
                if section == "device_types" and not is_builtin:
                    _port_duplicates(part, origin, dups)
        for loss in m.model.spec.connector_losses:
            cat.connector_loss_db[loss.connector] = loss.loss_db
    return cat


def _port_duplicates(dtype: DeviceType, origin: Origin, dups: list[Duplicate]) -> None:
    """Two port groups, or two ports, of one device type with the same name would collapse
    into one port silently (the second group's ports unreachable): REF002."""
    groups: dict[str, Origin] = {}
    ports: dict[str, Origin] = {}
    for j, group in enumerate(dtype.port_groups):
        gorigin = _sub(origin, "port_groups", j)
        if group.name in groups:
            dups.append(Duplicate("port group", f"{dtype.name}/{group.name}", groups[group.name],
                                  gorigin))
        groups.setdefault(group.name, gorigin)
        try:
            names = expand(group.ports)
        except ExpansionError:  # REF003 (Builder._port_patterns); the group has no ports
            continue
        for name in names:
            if name in ports:
                dups.append(Duplicate("port", f"{dtype.name}:{name}", ports[name],
                                      _sub(gorigin, "ports")))
                break
            ports[name] = gorigin


def _builtin_dir() -> str:
    return str(PACKAGE_DATA)


def _policy(sites: list[Manifest[kinds.Site]], overrides: dict[str, Any]) -> Policy:
    """The project-wide policy: built-in defaults, pyproject overrides, then the policy of the
    only Site, or of Sites that declare no halls (with several Sites, each hall follows its own
    Site: see `_site_policies`)."""
    values: dict[str, Any] = dict(policy_defaults())
    values.update({k: v for k, v in overrides.items() if k in Policy.__slots__})
    origin = None
    for site in sites:
        if len(sites) == 1 or not site.model.spec.halls:  # a hall-less Site: project policy
            values.update(site.model.spec.policy.model_dump(exclude_none=True))
            origin = _origin(site, "spec", "policy")
    known = {k: values[k] for k in Policy.__slots__ if k in values}
    return Policy(**known, origin=origin)


def _site_policies(sites: list[Manifest[kinds.Site]], base: Policy) -> dict[str, Policy]:
    """hall -> the policy of the Site that declares the hall (base policy + its overrides)."""
    out: dict[str, Policy] = {}
    for site in sites:
        changes = site.model.spec.policy.model_dump(exclude_none=True)
        pol = replace(base, **changes, origin=_origin(site, "spec", "policy")) if changes else base
        for hall in site.model.spec.halls:
            out[hall.name] = pol
    return out


def declared_names(data: Any) -> set[str]:
    """Every name a raw document declares (`metadata.name` and the `name` of each nested
    object, ranges expanded): what a manifest that failed its schema would have defined."""
    out: set[str] = set()
    stack = [data]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            name = cur.get("name")
            if isinstance(name, str):
                try:
                    out.update(expand(name))
                except ExpansionError:
                    out.add(name)
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)
    return out


class Builder:
    def __init__(self, manifests: list[Manifest[Any]],
                 policy_overrides: dict[str, Any] | None = None,
                 limits: LoadLimits | None = None, unbuilt: set[str] | None = None,
                 builtin: Sequence[Manifest[kinds.Catalog]] = ()):
        self.manifests = manifests
        self._docs = {(m.document.file, m.document.index): m.document for m in manifests}
        dups: list[Duplicate] = []
        catalog = _merge_catalog(of_kind(manifests, kinds.Catalog), dups, builtin)
        sites = of_kind(manifests, kinds.Site)
        self.inv = Inventory(catalog, _policy(sites, policy_overrides or {}))
        self.inv.hall_policies = _site_policies(sites, self.inv.policy)
        self.problems = self.inv.problems
        self.problems.duplicates.extend(dups)
        self._port_patterns()
        self.inv.limits = limits or LoadLimits()
        self.inv.unbuilt.update(unbuilt or ())

    def _port_patterns(self) -> None:
        """A port group whose `ports` cannot be expanded is REF003 at the group; the type then
        has none of its ports (PartCatalog.ports), so links to them are unknown ports."""
        cat = self.inv.catalog
        for name, dtype in cat.device_types.items():
            origin = cat.origins.get(("device_types", name))
            for j, group in enumerate(dtype.port_groups):
                try:
                    expand(group.ports)
                except ExpansionError as exc:
                    if origin is not None:
                        self.problems.cannot_expand(str(exc), _sub(origin, "port_groups", j,
                                                                   "ports"), once=True)

    # -- helpers ---------------------------------------------------------------------------
    def _define(self, kind: str, name: str, origin: Origin) -> bool:
        key = (kind, name)
        first = self.inv.origins.get(key)
        if first is not None:
            self.problems.duplicate(kind, name, first, origin)
            return False
        for other in ONE_NAMESPACE.get(kind, ()):
            first = self.inv.origins.get((other, name))
            if first is not None:
                self.problems.duplicate(kind, name, first, origin,
                                        f"a {kind}, the name of a {other} (a cabinet's `cdu:` "
                                        "names either: one would hide the other)")
                return False
        self.inv.origins[key] = origin
        return True

    def _missing(self, what: str, name: str, origin: Origin, context: str) -> None:
        self.problems.missing(what, name, origin, context)

    def _names(self, template: str, origin: Origin) -> tuple[str, ...]:
        try:
            return expand(template)
        except LimitError as exc:
            self.problems.limit(str(exc), origin)
            return ()
        except ExpansionError as exc:
            self.problems.cannot_expand(str(exc), origin)
            return ()

    def budget(self, adding: int, origin: Origin, what: str = "objects",
                links: int | None = None) -> bool:
        """Whether `adding` more cabinets/devices fit in LoadLimits.max_objects, and the
        design (with `links` links, default: those made so far) in max_cpu_ms."""
        total = len(self.inv.devices) + len(self.inv.cabinets) + adding
        limit = self.inv.limits.max_objects
        if total > limit:
            self.problems.limit(f"expanding this template would make {total:,} {what} > limit "
                                f"{limit:,} (limit max_objects)", origin)
            return False
        return self.within_cpu(total, len(self.inv.links) if links is None else links, origin)

    def within_cpu(self, objects: int, links: int, origin: Origin) -> bool:
        """Whether a design of this size stays within max_cpu_ms (LoadLimits.work_ms)."""
        limits = self.inv.limits
        generated = self.inv.generator_link_ends // 2
        ms = self.inv.work_ms(objects, links)
        if ms > limits.max_cpu_ms:
            self.problems.limit(
                f"this would make {objects:,} cabinets and devices and {links:,} links "
                f"({generated:,} from generators) from {self.inv.read_bytes:,} bytes of "
                f"manifests: an estimated {ms:,.0f} ms of CPU > limit "
                f"{limits.max_cpu_ms:,} (limit max_cpu_ms; costs per object and link in "
                "docs/security.md)", origin)
            return False
        return True

    def _subst(self, value: Any, i: int, n: int, name: str, origin: Origin) -> Any:
        try:
            return substitute(value, i, n, name)
        except ExpansionError as exc:  # one finding per template, not per replica
            self.problems.cannot_expand(str(exc), origin, once=True)
            return None

    def _replicas(self, kind: str, names: tuple[str, ...], fields: dict[str, Any], origin: Origin,
                  *, named: bool = False, scope: str = "",
                  prepare: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
                  ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each object a template written at `origin` expands to: its name and its `fields`
        with lockstep ranges and `{i}`/`{name}` filled in (with its own `name` when `named`),
        defined as a `kind` named `scope + name`. A replica whose fields do not substitute
        (reported once per template), that `prepare` rejects (it reports why) or whose name
        is taken (REF002) is skipped. `prepare` may also rewrite the fields."""
        for k, name in enumerate(names):
            values = {**fields, "name": name} if named else fields
            sub = self._subst(values, k, len(names), name, origin)
            if sub is not None and prepare is not None:
                sub = prepare(sub)
            if sub is None or not self._define(kind, scope + name, origin):
                continue
            yield name, sub

    def _int(self, value: Any, origin: Origin, what: str) -> int | None:
        try:
            return int(value)
        except (TypeError, ValueError):
            self.problems.cannot_expand(f"{what} '{value}' is not a whole number", origin)
            return None

    # -- stages ----------------------------------------------------------------------------
    def build(self) -> Inventory:
        self._accelerator_refs()
        self.site()
        self.power()
        self._power_cycles()
        self.cooling()
        self.cabinets()
        self.fabrics()
        self.superpods()
        self.clusters()
        self._place_duplicates()
        return self.inv

    def _accelerator_refs(self) -> None:
        cat = self.inv.catalog
        for name, dtype in cat.device_types.items():
            acc = dtype.accelerators
            if acc is not None and acc.type not in cat.accelerator_types:
                origin = cat.origins[("device_types", name)]
                self._missing("accelerator type", acc.type,
                              _sub(origin, "accelerators", "type"), f"device type {name}")

    def site(self) -> None:
        for m in of_kind(self.manifests, kinds.Site):
            for h, hall in enumerate(m.model.spec.halls):
                if self._define("hall", hall.name, _origin(m, "spec", "halls", h)):
                    self.inv.halls[hall.name] = hall
                for r, row in enumerate(hall.rows):
                    if self._define("row", f"{hall.name}/{row.name}",
                                    _origin(m, "spec", "halls", h, "rows", r)):
                        self.inv.rows[(hall.name, row.name)] = row

    def power(self) -> None:
        for m in of_kind(self.manifests, kinds.PowerSystem):
            for i, node in enumerate(m.model.spec.nodes):
                origin = _origin(m, "spec", "nodes", i)
                names = self._names(node.name, origin)
                for name, sub in self._replicas("power node", names, node.model_dump(), origin,
                                                named=True):
                    spec = node.model_validate(sub)
                    self.inv.power_nodes[name] = PowerNodeObj(name, spec, origin,
                                                              redundancy=m.model.spec.redundancy)
        for obj in self.inv.power_nodes.values():
            parent = obj.spec.parent
            if parent is None:
                continue
            if parent in self.inv.power_nodes:
                self.inv.power_nodes[parent].children.append(obj.name)
            else:
                self._missing("power node", parent, _sub(obj.origin, "parent"),
                              f"parent of power node {obj.name}")

    def _power_cycles(self) -> None:
        """Parents that loop back (a -> b -> a) make the tree meaningless: report each loop once."""
        nodes = self.inv.power_nodes
        reported: set[frozenset[str]] = set()
        for start in sorted(nodes):
            path: list[str] = []
            cur: str | None = start
            while cur in nodes and cur not in path:
                path.append(cur)
                cur = nodes[cur].spec.parent
            if cur in path:
                loop = path[path.index(cur):]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    self.problems.power_loop((*loop, cur), nodes[loop[0]].origin)

    def cooling(self) -> None:
        cat = self.inv.catalog
        for m in of_kind(self.manifests, kinds.CoolingSystem):
            spec = m.model.spec
            for i, grp in enumerate(spec.groups):
                if self._define("cdu group", grp.name, _origin(m, "spec", "groups", i)):
                    self.inv.cdu_groups[grp.name] = grp
            for i, loop in enumerate(spec.loops):
                if self._define("loop", loop.name, _origin(m, "spec", "loops", i)):
                    self.inv.loops[loop.name] = loop
            for i, zone in enumerate(spec.air_zones):
                if self._define("air zone", zone.name, _origin(m, "spec", "air_zones", i)):
                    self.inv.air_zones[zone.name] = zone
                    if zone.hall not in self.inv.halls:
                        self._missing("hall", zone.hall, _origin(m, "spec", "air_zones", i,
                                                                 "hall"), f"air zone {zone.name}")
            for i, cdu in enumerate(spec.cdus):
                origin = _origin(m, "spec", "cdus", i)
                names = self._names(cdu.name, origin)
                for name, sub in self._replicas("cdu", names, cdu.model_dump(), origin,
                                                named=True):
                    c = cdu.model_validate(sub)
                    ctype = cat.cdu_types.get(c.type) if c.type else None
                    if c.type and ctype is None:
                        self._missing("CDU type", c.type, _sub(origin, "type"), f"CDU {name}")
                    if c.fluid not in cat.fluids:
                        self._missing("fluid", c.fluid, _sub(origin, "fluid"), f"CDU {name}")
                    if c.group and c.group not in self.inv.cdu_groups:
                        self._missing("CDU group", c.group, _sub(origin, "group"), f"CDU {name}")
                    if c.loop and c.loop not in self.inv.loops:
                        self._missing("loop", c.loop, _sub(origin, "loop"), f"CDU {name}")
                    if c.rejects_to_hall and c.rejects_to_hall not in self.inv.halls:
                        self._missing("hall", c.rejects_to_hall, _sub(origin, "rejects_to_hall"),
                                      f"CDU {name}")
                    self.inv.cdus[name] = CduObj(
                        name, c, origin,
                        _at_most(c.capacity_kw, ctype.capacity_kw if ctype else None),
                        _at_most(c.flow_lpm, ctype.flow_lpm if ctype else None),
                        c.supply_c if c.supply_c is not None else (ctype.supply_c if ctype else None),
                        _at_least(c.approach_c, ctype.approach_c if ctype else None),
                    )

    def cabinets(self) -> None:
        for m in of_kind(self.manifests, kinds.Cabinet):
            origin = _origin(m, "metadata", "name")
            names = self._names(m.model.metadata.name, origin)
            spec = m.model.spec
            data = spec.model_dump(exclude={"devices"})
            # a device range over max_names is reported at its own line by _names
            cap = self.inv.limits.max_names
            per_cabinet = 1 + sum(min(count_names(d.name), cap) for d in spec.devices)
            if not self.budget(len(names) * per_cabinet, origin, "cabinets and devices"):
                continue
            for name, sub in self._replicas("cabinet", names, data, origin):
                self._cabinet(m, name, sub, dict(m.model.metadata.labels))

    def _cabinet(self, m: Manifest[kinds.Cabinet], name: str, sub: dict[str, Any],
                 labels: dict[str, str]) -> None:
        cat = self.inv.catalog
        ctype = cat.cabinet_types.get(sub["type"])
        if ctype is None:
            self._missing("cabinet type", sub["type"], _origin(m, "spec", "type"), f"cabinet {name}")
            self.inv.unbuilt.add(name)
            return
        cab = Cabinet(name, sub["type"], ctype, _origin(m, "metadata", "name"), labels,
                      feeds=list(sub["feeds"]), cdu=sub["cdu"], rear_door_kw=sub["rear_door_kw"],
                      rear_door=sub["rear_door"], extra_weight_kg=sub["extra_weight_kg"])
        if cab.rear_door is not None and cab.rear_door not in cat.cdu_types:
            self._missing("CDU type", cab.rear_door, _origin(m, "spec", "rear_door"),
                          f"cabinet {name}")
        loc = sub.get("location")
        if loc:
            lorigin = _origin(m, "spec", "location")
            slot = self._int(loc["slot"], lorigin, "slot")
            row = self.inv.rows.get((loc["hall"], loc["row"]))
            if loc["hall"] not in self.inv.halls:
                self._missing("hall", loc["hall"], lorigin, f"cabinet {name}")
                self.inv.unplaced.add(name)
            elif row is None:
                self._missing("row", f"{loc['hall']}/{loc['row']}", lorigin, f"cabinet {name}")
                self.inv.unplaced.add(name)
            if slot is not None:
                cab.hall, cab.row, cab.slot = loc["hall"], loc["row"], slot
                if row is not None:
                    cab.x_m = row.x_m + (slot - 1) * row.pitch_m
                    cab.y_m = row.y_m
        for i, feed in enumerate(cab.feeds):
            if feed not in self.inv.power_nodes:
                self._missing("feed", feed, _origin(m, "spec", "feeds", i), f"cabinet {name}")
        if cab.cdu is not None and cab.cdu not in self.inv.cdus and \
                cab.cdu not in self.inv.cdu_groups:
            self._missing("CDU", cab.cdu, _origin(m, "spec", "cdu"), f"cabinet {name}")
        self.inv.cabinets[name] = cab
        for i, dev in enumerate(m.model.spec.devices):
            self._devices(cab, dev, _origin(m, "spec", "devices", i))

    def _devices(self, cab: Cabinet, dev: DeviceSpec, origin: Origin) -> None:
        cat = self.inv.catalog
        names = self._names(dev.name, origin)
        dtype = cat.device_types.get(dev.type)
        if dtype is None:
            count = f": {len(names)} devices" if len(names) > 1 else ""
            self._missing("device type", dev.type,
                          _sub(origin, "type"),
                          f"device {cab.name}/{dev.name}{count}")
            self.inv.unbuilt.update(f"{cab.name}/{n}" for n in names)
            return
        data = dev.model_dump()
        if not self.budget(len(names), origin, "cabinets and devices"):
            return

        def prepare(sub: dict[str, Any]) -> dict[str, Any] | None:
            if "{" in repr(sub):
                sub = _cabinet_tokens(sub, cab)
            u = self._int(sub["u"], origin, "u")
            return None if u is None else {**sub, "u": u}

        fields = {"u": data["u"], "feeds": data["feeds"], "outlets": data["outlets"]}
        for name, sub in self._replicas("device", names, fields, origin, scope=f"{cab.name}/",
                                        prepare=prepare):
            device = Device(name, cab.name, dev.type, dtype, sub["u"], origin, list(sub["feeds"]),
                            outlets=list(sub["outlets"]))
            for j, feed in enumerate(device.feeds):
                if feed not in self.inv.power_nodes:
                    self._missing("feed", feed,
                                  _sub(origin, "feeds", j),
                                  f"device {device.address}")
            cab.devices.append(device)
            self.inv.add_device(device)

    def fabrics(self) -> None:
        for m in of_kind(self.manifests, kinds.Fabric):
            origin = _origin(m, "metadata", "name")
            if not self._define("fabric", m.name, origin):
                continue
            fab = FabricObj(m.name, m.model.spec.plane, origin, m.model.spec, len(self.inv.fabrics))
            self.inv.fabrics[m.name] = fab
            add_explicit_links(self.inv, m, fab)
            add_generated_links(self.inv, m, fab)
            record_optical_through(self.inv, m, fab)
            record_shape(self.inv, m, fab)

    def superpods(self) -> None:
        for m in of_kind(self.manifests, kinds.Superpod):
            origin = _origin(m, "metadata", "name")
            if not self._define("superpod", m.name, origin):
                continue
            spec = m.model.spec
            cabinets: list[str] = []
            for i, pattern in enumerate(spec.cabinets):
                for name in self._names(pattern, origin):
                    if name in self.inv.cabinets:
                        cabinets.append(name)
                    else:
                        self._missing("cabinet", name, _origin(m, "spec", "cabinets", i),
                                      f"superpod {m.name}")
            if spec.selector:
                for cab in self.inv.iter_cabinets():
                    if all(cab.labels.get(k) == v for k, v in spec.selector.items()):
                        cabinets.append(cab.name)
            cabinets = sorted(set(cabinets))
            for name in cabinets:
                self.inv.cabinets[name].superpod = m.name
            for i, fabric in enumerate(spec.fabrics):
                if fabric not in {f.name for f in self.inv.fabrics.values()}:
                    self._missing("fabric", fabric, _origin(m, "spec", "fabrics", i),
                                  f"superpod {m.name}")
            self.inv.superpods[m.name] = SuperpodObj(m.name, origin, cabinets, list(spec.fabrics),
                                                     spec.expect, dict(m.model.metadata.labels))

    def clusters(self) -> None:
        # replicate.py works on numpy arrays; importing numpy costs ~130 ms (python -X
        # importtime), which `superpod config` and a project without Clusters never pay
        from superpod_iac.model.replicate import linked_outside, replicate, template_links

        replicated: dict[str, Manifest[Any]] = {}  # template -> the Cluster replicating it
        for m in of_kind(self.manifests, kinds.Cluster):
            origin = _origin(m, "metadata", "name")
            if not self._define("cluster", m.name, origin):
                continue
            spec = m.model.spec
            limits = self.inv.limits
            if spec.replicas > limits.max_replicas:
                self.problems.limit(f"cluster {m.name} asks for {spec.replicas:,} replicas > "
                                    f"limit {limits.max_replicas:,} (limit max_replicas)",
                                    _origin(m, "spec", "replicas"))
                continue
            pattern = spec.names or f"{spec.superpod}-[1-{spec.replicas}]"
            replicas = list(self._names(pattern, _origin(m, "spec", "names")))
            if replicas and len(replicas) != spec.replicas:
                self.problems.cannot_expand(
                    f"names '{pattern}' expand to {len(replicas)} replicas, not {spec.replicas}",
                    _origin(m, "spec", "names"))
                continue
            cluster = ClusterObj(m.name, origin, spec.superpod, replicas, spec.expect)
            self.inv.clusters[m.name] = cluster
            if not self._replicable(m, replicated):
                del self.inv.clusters[m.name]
                self.inv.unbuilt.update(replicas)
                continue
            pod = self.inv.superpods[spec.superpod]
            pod_objects = sum(1 + len(self.inv.cabinets[c].devices) for c in pod.cabinets)
            if not self.budget(pod_objects * (len(replicas) - 1), origin, "cabinets and devices"):
                continue
            pod_links = len(self.inv.links) + template_links(self.inv, pod) * len(replicas)
            if pod_links > limits.max_links:
                self.problems.limit(f"replicating {spec.superpod} {len(replicas):,} times would "
                                    f"make up to {pod_links:,} links > limit "
                                    f"{limits.max_links:,} (limit max_links)", origin)
                continue
            objects = len(self.inv.devices) + len(self.inv.cabinets) + \
                pod_objects * (len(replicas) - 1)
            if not self.within_cpu(objects, pod_links, origin):
                continue
            if not replicate(self.inv, m, cluster):
                del self.inv.clusters[m.name]
                continue
            replicated[spec.superpod] = m
            cluster.extra_cabinets = linked_outside(self.inv, replicas)

    def _replicable(self, m: Manifest[kinds.Cluster], replicated: dict[str, Manifest[Any]]
                    ) -> bool:
        """Whether the Cluster's `superpod` is a Superpod as written, not yet replicated: a
        replica (or a template another Cluster replicated) is an error, never 0 cabinets."""
        name = m.model.spec.superpod
        where = _origin(m, "spec", "superpod")
        pod = self.inv.superpods.get(name)
        if name in replicated:
            other = replicated[name]
            self.problems.cannot_expand(
                f"superpod {name} is replicated already by cluster {other.name} "
                f"({self._where(_origin(other, 'spec', 'superpod'))})", where,
                hint="one Cluster per Superpod: give this cluster its own Superpod, or add "
                     "replicas to the other")
            return False
        if pod is not None and pod.template is not None:
            self.problems.cannot_expand(
                f"superpod {name} is a replica of {pod.template} made by a Cluster; a Cluster "
                "replicates a Superpod as written", where,
                hint=f"name '{pod.template}' (with more replicas), or write the pod as its own "
                     "Superpod")
            return False
        if pod is None:
            self._missing("superpod", name, where, f"cluster {m.name}")
            return False
        return True

    def _where(self, origin: Origin) -> str:
        """`file:line:col` of an origin (its file and path when its document is unknown)."""
        doc = self._docs.get((origin.file, origin.doc))
        if doc is None:
            return f"{origin.file}, {'/'.join(str(p) for p in origin.path)}"
        line, col = doc.position(origin.path)
        return f"{origin.file}:{line}:{col}"

    def _place_duplicates(self) -> None:
        """Name both places of every REF002 by line (the rules see no documents)."""
        self.problems.duplicates[:] = [
            replace(d, first_at=self._where(d.first),
                    source_at=self._where(d.source) if d.source is not None else "")
            for d in self.problems.duplicates]


def build_inventory(manifests: list[Manifest[Any]], policy_overrides: dict[str, Any] | None = None,
                    limits: LoadLimits | None = None, unbuilt: set[str] | None = None, *,
                    builtin: Sequence[Manifest[kinds.Catalog]] = (), read_bytes: int = 0
                    ) -> Inventory:
    """`unbuilt`: names declared by documents that failed their schema (`declared_names`);
    `builtin`: the built-in catalog's manifests (`manifest.builtin.builtin_catalogs()`, which
    the pipeline loads with the user's files), under the project's parts; `read_bytes`: the
    manifests' size, charged with the model's work against max_cpu_ms (`LoadLimits.work_ms`)."""
    token = MAX_NAMES.set((limits or LoadLimits()).max_names)
    try:
        builder = Builder(manifests, policy_overrides, limits, unbuilt, builtin)
        builder.inv.read_bytes = read_bytes
        return builder.build()
    finally:
        MAX_NAMES.reset(token)


__all__ = ["build_inventory"]


def _at_most(instance: float | None, nameplate: float | None) -> float | None:
    """An instance figure overriding its type's: the type's nameplate bounds it (derived beats
    declared; CLG012 reports an override above the nameplate)."""
    if instance is None:
        return nameplate
    return instance if nameplate is None else min(instance, nameplate)


def _at_least(instance: float | None, nameplate: float | None) -> float | None:
    """An instance's approach overriding its type's: no closer than the type achieves (CLG012)."""
    if instance is None:
        return nameplate
    return instance if nameplate is None else max(instance, nameplate)
