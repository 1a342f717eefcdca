"""Plan and apply a design against a live NetBox through its REST API (pynetbox).

The live objects are read into the normalised form of `superpod_iac.netbox.desired` (keys are
names, references are the referenced object's key), compared field by field with the design,
and turned into a plan of creates, changes and deletes, like `terraform plan`. Ownership:
every object a push creates carries the `superpod-iac` tag and the design's scope tag; only
objects carrying both are changed or deleted. Anything else NetBox holds is left alone (a
difference on such an object is reported as a conflict, never overwritten).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from superpod_iac.netbox.desired import (
    GLOBAL_KINDS,
    KINDS,
    OWNER_TAG,
    DesiredState,
    cable_key,
)

APP = {"tags": "extras"}
NO_UPDATE = frozenset({"tags", "manufacturers", "device-roles"})
"""Reused when they exist (matched by name, case-insensitively for manufacturers); never
changed: other tools share them."""
PARENT = {"interface-templates": ("device_type", "device-types"),
          "rear-port-templates": ("device_type", "device-types"),
          "front-port-templates": ("device_type", "device-types"),
          "power-port-templates": ("device_type", "device-types"),
          "power-outlet-templates": ("device_type", "device-types"),
          "interfaces": ("device", "devices")}
"""Untagged component kinds: owned when their parent is."""
REFS: dict[str, dict[str, str]] = {
    "rack-types": {"manufacturer": "manufacturers"},
    "device-types": {"manufacturer": "manufacturers"},
    "module-types": {"manufacturer": "manufacturers"},
    "power-outlet-templates": {"device_type": "device-types"},
    "interface-templates": {"device_type": "device-types"},
    "rear-port-templates": {"device_type": "device-types"},
    "front-port-templates": {"device_type": "device-types"},
    "power-port-templates": {"device_type": "device-types"},
    "locations": {"site": "sites"},
    "racks": {"site": "sites", "location": "locations", "rack_type": "rack-types"},
    "devices": {"site": "sites", "location": "locations", "rack": "racks",
                "device_type": "device-types", "role": "device-roles"},
    "interfaces": {"device": "devices"},
    "power-panels": {"site": "sites"},
    "power-feeds": {"power_panel": "power-panels", "rack": "racks"},
}
TERMINATION_KINDS = {"dcim.interface": "interfaces", "dcim.frontport": "front-ports",
                     "dcim.rearport": "rear-ports", "dcim.powerport": "power-ports",
                     "dcim.poweroutlet": "power-outlets", "dcim.powerfeed": "power-feeds"}
COMPONENTS = ("interfaces", "front-ports", "rear-ports", "power-ports", "power-outlets")
"""Device components NetBox instantiates from the device type's templates."""
CHUNK = 200
CHUNKS = {"devices": 5, "cables": 50}
"""Objects per bulk request. NetBox saves a device with every component its type's templates
give it (a CloudMatrix node: 97 interfaces, each change-logged), a cable with its paths: small
requests for those keep the server workers busy to the end instead of one finishing a long
last request alone."""
PARALLEL = 3
RETRIES = 3
FIELDS = {
    "tags": "name,slug",
    "manufacturers": "name,slug",
    "device-roles": "name,slug,color",
    "rack-types": "slug,manufacturer,model,form_factor,width,u_height,outer_width,outer_depth,"
                  "outer_unit,weight,max_weight,weight_unit,tags",
    "device-types": "slug,manufacturer,model,u_height,is_full_depth,weight,weight_unit,airflow,"
                    "part_number,tags",
    "interface-templates": "name,device_type,type,mgmt_only",
    "rear-port-templates": "name,device_type,type,positions",
    "front-port-templates": "name,device_type,type,rear_ports",
    "module-types": "manufacturer,model,part_number,description,tags",
    "power-port-templates": "name,device_type,type,maximum_draw,allocated_draw",
    "power-outlet-templates": "name,device_type,type",
    "sites": "name,slug,status,tags",
    "locations": "name,slug,site,status,tags",
    "racks": "name,site,location,rack_type,status,u_height,width,facility_id,tags",
    "devices": "name,site,location,rack,device_type,role,position,face,status,tags",
    "interfaces": "name,device,type,mgmt_only",
    "front-ports": "name,device", "rear-ports": "name,device", "power-ports": "name,device",
    "power-outlets": "name,device",
    "power-panels": "name,site,tags",
    "power-feeds": "name,power_panel,rack,status,type,supply,phase,voltage,amperage,"
                   "max_utilization,tags",
    "cables": "type,status,length,length_unit,tags",
}
"""What is read of each kind (NetBox's `fields` parameter): the full serialisation of an
interface or a cable costs the server ten times more."""


class NetBoxError(Exception):
    """The NetBox API refused a request or cannot be reached (message says which)."""


@dataclass
class Change:
    action: str
    """`create`, `update`, `delete`, or `conflict` (differs but is not ours: left alone)."""
    kind: str
    key: Any
    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    diffs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """field -> (NetBox value, design value)."""
    id: int | None = None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    implied: int = 0
    """Components NetBox instantiates from device-type templates when devices are created."""

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def empty(self) -> bool:
        return not any(c.action in ("create", "update", "delete") for c in self.changes)


def _value(v: Any) -> Any:
    if isinstance(v, dict) and "value" in v and "label" in v:
        return v["value"]
    return v


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 0.005
    return bool(a == b)


class Live:
    """The objects of one NetBox relevant to a design, by kind: key -> API record (a dict)."""

    def __init__(self, api: Any, desired: DesiredState) -> None:
        self.api = api
        self.desired = desired
        self.records: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
        self.key_of_id: dict[str, dict[int, Any]] = defaultdict(dict)
        self.id_of_key: dict[str, dict[Any, int]] = defaultdict(dict)

    # -- reading ---------------------------------------------------------------------------
    def endpoint(self, kind: str) -> Any:
        app = getattr(self.api, APP.get(kind, "dcim"))
        return getattr(app, kind.replace("-", "_"))

    def _list(self, kind: str, **filters: Any) -> list[dict[str, Any]]:
        if kind in FIELDS:
            filters["fields"] = "id," + FIELDS[kind]
        try:
            return [dict(r) for r in self.endpoint(kind).filter(limit=1000, **filters)]
        except Exception as exc:
            raise NetBoxError(f"reading {kind}: {_message(exc)}") from exc

    def _cables(self, sites: list[int]) -> list[dict[str, Any]]:
        cables = {r["id"]: r for r in self._list("cables", site_id=sites)}
        for r in cables.values():
            r["a_terminations"], r["b_terminations"] = [], []
        ids = sorted(cables)
        for i in range(0, len(ids), 200):
            for t in self._list("cable-terminations", cable_id=ids[i:i + 200],
                                fields="id,cable,cable_end,termination_type,termination_id"):
                cable = cables.get(t["cable"] if isinstance(t["cable"], int) else t["cable"]["id"])
                if cable is not None:
                    cable["a_terminations" if t["cable_end"] == "A" else "b_terminations"].append(
                        {"object_type": t["termination_type"], "object_id": t["termination_id"]})
        return list(cables.values())

    def site_ids(self) -> list[int]:
        return [self.id_of_key["sites"][s] for s in self.desired.sites
                if s in self.id_of_key["sites"]]

    def _remember(self, kind: str, key: Any, rec: dict[str, Any]) -> None:
        self.records[kind][key] = rec
        self.key_of_id[kind][rec["id"]] = key
        self.id_of_key[kind][key] = rec["id"]

    def ref(self, kind: str, obj: Any) -> Any:
        if not obj:
            return None
        return self.key_of_id[kind].get(obj["id"], ("?", kind, obj["id"]))

    def load(self, kind: str) -> None:
        """(Re)read one kind from NetBox."""
        self.records[kind].clear()
        self.key_of_id[kind].clear()
        self.id_of_key[kind].clear()
        for key, rec in self._fetch(kind):
            self._remember(kind, key, rec)

    def _fetch(self, kind: str) -> Iterable[tuple[Any, dict[str, Any]]]:
        sites = self.site_ids()
        if kind == "tags":
            return ((r["slug"], r) for r in self._list(kind))
        if kind == "manufacturers":
            out: dict[str, dict[str, Any]] = {}
            for r in self._list(kind):
                out.setdefault(r["slug"], r)
                out.setdefault(r["name"].lower(), r)  # last: the key the design refers to
            return ((k, r) for k, r in out.items())
        if kind in ("device-roles", "rack-types", "device-types"):
            return ((r["slug"], r) for r in self._list(kind))
        if kind == "module-types":
            return ((r["model"], r) for r in self._list(kind))
        if kind.endswith("-templates"):
            ids = list(self.id_of_key["device-types"].values())
            if not ids:
                return []
            return (((self.ref("device-types", r["device_type"]), r["name"]), r)
                    for r in self._list(kind, device_type_id=ids))
        if kind == "sites":
            return ((r["slug"], r) for r in self._list(kind, slug=self.desired.sites))
        if not sites:
            return []
        recs = self._cables(sites) if kind == "cables" else self._list(kind, site_id=sites)
        if kind == "locations":
            return (((self.ref("sites", r["site"]), r["slug"]), r) for r in recs)
        if kind in ("racks", "devices", "power-panels"):
            return (((self.ref("sites", r["site"]), r["name"]), r) for r in recs)
        if kind in ("interfaces", "front-ports", "rear-ports", "power-ports", "power-outlets"):
            return (((self.ref("devices", r["device"]), r["name"]), r) for r in recs)
        if kind == "power-feeds":
            return (((self.ref("power-panels", r["power_panel"])[0], r["name"]), r)
                    for r in recs)
        if kind == "cables":
            return ((self.cable_key(r), r) for r in recs)
        raise ValueError(kind)

    def _end(self, term: dict[str, Any]) -> tuple[str, Any, str]:
        otype = term["object_type"]
        kind = TERMINATION_KINDS.get(otype)
        key = self.key_of_id[kind].get(term["object_id"]) if kind else None
        if key is None:
            return (otype, ("?", term["object_id"]), "")
        if otype == "dcim.powerfeed":
            return (otype, key, "")
        return (otype, key[0], key[1])

    def cable_key(self, rec: dict[str, Any]) -> tuple[Any, ...]:
        a = tuple(self._end(t) for t in rec.get("a_terminations") or [])
        b = tuple(self._end(t) for t in rec.get("b_terminations") or [])
        return cable_key(a, b)

    def normalise(self, kind: str, rec: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
        refs = REFS.get(kind, {})
        out: dict[str, Any] = {}
        for f in names:
            if f == "tags":
                out[f] = sorted(t["slug"] for t in rec.get("tags") or [])
            elif f in refs:
                out[f] = self.ref(refs[f], rec.get(f))
            elif f == "rear_port" and kind == "front-port-templates":
                maps = rec.get("rear_ports") or []
                out[f] = (self.key_of_id["rear-port-templates"].get(maps[0]["rear_port"],
                                                                   (None, None))[1]
                          if maps else None)
            else:
                out[f] = _value(rec.get(f))
        return out

    def owned(self, kind: str, rec: dict[str, Any]) -> bool:
        if kind in PARENT:
            fld, pkind = PARENT[kind]
            key = self.ref(pkind, rec.get(fld))
            parent = self.records[pkind].get(key)
            return parent is not None and self.owned(pkind, parent)
        tags = {t["slug"] for t in rec.get("tags") or []}
        if kind in GLOBAL_KINDS:
            return OWNER_TAG in tags
        return OWNER_TAG in tags and self.desired.scope_tag in tags

    # -- planning --------------------------------------------------------------------------
    def plan_kind(self, kind: str, *, drift: bool = False) -> list[Change]:
        wants = self.desired.objects[kind]
        have = self.records[kind]
        changes: list[Change] = []
        for key, want in wants.items():
            rec = have.get(key)
            if rec is None:
                if kind == "interfaces" and key[0] not in self.records["devices"] and not drift:
                    continue  # NetBox instantiates them from the device type's templates
                changes.append(Change("create", kind, key, want.label, want.fields))
                continue
            if kind in NO_UPDATE:
                continue
            actual = self.normalise(kind, rec, want.fields)
            diffs = {}
            for f, v in want.fields.items():
                if f == "tags":
                    if not set(v) <= set(actual[f]):
                        diffs[f] = (actual[f], sorted(set(v) | set(actual[f])))
                elif not _same(actual[f], v):
                    diffs[f] = (actual[f], v)
            if diffs:
                action = "update" if (drift or self.owned(kind, rec)) else "conflict"
                changes.append(Change(action, kind, key, want.label, want.fields, diffs,
                                      rec["id"]))
        if kind not in GLOBAL_KINDS or drift:
            for key, rec in have.items():
                if key in wants or kind in GLOBAL_KINDS:
                    continue
                if drift or (kind != "interfaces" and self.owned(kind, rec)):
                    changes.append(Change("delete", kind, key, _label(kind, key, rec), {},
                                          {}, rec["id"]))
        return sorted(changes, key=lambda c: (c.action, str(c.label)))

    # -- applying --------------------------------------------------------------------------
    def payload(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        refs = REFS.get(kind, {})
        out: dict[str, Any] = {}
        for f, v in fields.items():
            if f == "tags":
                out[f] = [{"slug": s} for s in v]
            elif f in refs:
                out[f] = None if v is None else self.id_of_key[refs[f]].get(v)
                if v is not None and out[f] is None:
                    raise NetBoxError(f"{kind}: {f} {v!r} does not exist in NetBox")
            elif f == "rear_port" and kind == "front-port-templates":
                dt = fields["device_type"]
                rid = self.id_of_key["rear-port-templates"].get((dt, v))
                out["rear_ports"] = [{"position": 1, "rear_port": rid,
                                      "rear_port_position": 1}] if rid else []
            else:
                out[f] = v
        if kind == "cables":
            return {**out, **self._terminations(fields["_key"])}
        return out

    def _terminations(self, key: tuple[Any, ...]) -> dict[str, Any]:
        sides = []
        for ends in key:
            terms = []
            for otype, obj, name in ends:
                kind = TERMINATION_KINDS[otype]
                k = obj if otype == "dcim.powerfeed" else (obj, name)
                oid = self.id_of_key[kind].get(k)
                if oid is None:
                    raise NetBoxError(f"cable end {obj} {name} does not exist in NetBox")
                terms.append({"object_type": otype, "object_id": oid})
            sides.append(terms)
        return {"a_terminations": sides[0], "b_terminations": sides[1]}

    def _create(self, kind: str, part: list[Change]) -> list[dict[str, Any]]:
        body = [self.payload(kind, {**c.fields, "_key": c.key} if kind == "cables"
                             else c.fields) for c in part]
        for b in body:
            b.pop("_key", None)
        for attempt in range(1, RETRIES + 1):
            try:
                made = self.endpoint(kind).create(body)
                break
            except Exception as exc:
                # a bulk request is one transaction: when PostgreSQL breaks a deadlock with
                # another writer it rolls the whole request back, and it can be sent again
                if attempt < RETRIES and "deadlock detected" in _message(exc):
                    continue
                raise NetBoxError(f"creating {kind} ({part[0].label}, ...): "
                                  f"{_message(exc)}") from exc
        return [dict(r) for r in (made if isinstance(made, list) else [made])]

    def execute(self, changes: list[Change], progress: Callable[[str], None]) -> None:
        by: dict[tuple[str, str], list[Change]] = defaultdict(list)
        for c in changes:
            if c.action in ("create", "update", "delete"):
                by[(c.kind, c.action)].append(c)
        for kind in KINDS:
            todo = by.get((kind, "create"), [])
            parts = _parts(kind, todo)
            with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
                # NetBox spends its time per object (cable paths, change log), about 40 % of
                # it waiting on its database: three requests in flight keep two cores busy
                made_parts = pool.map(lambda part, kind=kind: self._create(kind, part), parts)
                done = 0
                for part, made in zip(parts, made_parts, strict=True):
                    for c, rec in zip(part, made, strict=True):
                        self._remember(kind, c.key, rec)
                    done += len(part)
                    progress(f"created {done}/{len(todo)} {kind}")
            todo = by.get((kind, "update"), [])
            for i in range(0, len(todo), CHUNK):
                part = todo[i:i + CHUNK]
                body = []
                for c in part:
                    fields = {f: c.fields[f] for f in c.diffs}
                    if "tags" in fields:
                        fields["tags"] = c.diffs["tags"][1]
                    body.append({"id": c.id, **self.payload(kind, fields)})
                try:
                    self.endpoint(kind).update(body)
                except Exception as exc:
                    raise NetBoxError(f"changing {kind} ({part[0].label}, ...): "
                                      f"{_message(exc)}") from exc
                progress(f"changed {min(i + CHUNK, len(todo))}/{len(todo)} {kind}")
            if kind == "devices" and by.get((kind, "create")):
                for comp in COMPONENTS:
                    self.load(comp)  # instantiated from the device types' templates

    def delete(self, changes: list[Change], progress: Callable[[str], None]) -> None:
        for kind in reversed(KINDS):
            ids = [c.id for c in changes if c.kind == kind and c.action == "delete"]
            size = CHUNKS.get(kind, CHUNK)
            for i in range(0, len(ids), size):
                try:
                    self.endpoint(kind).delete(ids[i:i + size])
                except Exception as exc:
                    raise NetBoxError(f"deleting {kind}: {_message(exc)}") from exc
                progress(f"deleted {min(i + size, len(ids))}/{len(ids)} {kind}")


def _parts(kind: str, todo: list[Change]) -> list[list[Change]]:
    """Bulk requests for these creations. Devices go by device type, the types taken in turn:
    NetBox counts a type's devices in the type's row, so two requests adding devices of the
    same types in another order deadlock, and two of one type wait for each other."""
    size = CHUNKS.get(kind, CHUNK)
    if kind != "devices":
        return [todo[i:i + size] for i in range(0, len(todo), size)]
    by_type: dict[Any, list[Change]] = defaultdict(list)
    for c in todo:
        by_type[c.fields.get("device_type")].append(c)
    queues = [[v[i:i + size] for i in range(0, len(v), size)]
              for _, v in sorted(by_type.items(), key=lambda kv: str(kv[0]))]
    parts: list[list[Change]] = []
    while any(queues):
        for q in queues:
            if q:
                parts.append(q.pop(0))
    return parts


def _label(kind: str, key: Any, rec: dict[str, Any]) -> str:
    if kind == "cables":
        return " <> ".join(", ".join(f"{_short(o)}:{n}" if n else _short(o) for _, o, n in side)
                           for side in key)
    return str(rec.get("display") or rec.get("name") or key)


def _short(obj: Any) -> str:
    return obj[1] if isinstance(obj, tuple) and len(obj) == 2 else str(obj)


def _message(exc: Exception) -> str:
    req = getattr(exc, "req", None)
    if req is not None:
        try:
            body = req.json()
        except ValueError:
            body = req.text[:500]
        return f"HTTP {req.status_code}: {str(body)[:800]}"
    return f"{type(exc).__name__}: {exc}"


def connect(url: str, token: str) -> Any:
    try:
        import pynetbox
    except ImportError as exc:
        raise NetBoxError("the NetBox client is not installed: pip install "
                          "'superpod-iac[netbox]' (pynetbox)") from exc
    api = pynetbox.api(url, token=token)
    try:
        api.status()
    except Exception as exc:
        raise NetBoxError(f"cannot reach NetBox at {url}: {_message(exc)}") from exc
    return api


READ_ORDER = ("tags", "manufacturers", "device-roles", "rack-types", "device-types",
              "module-types", "interface-templates", "rear-port-templates",
              "front-port-templates", "power-port-templates", "power-outlet-templates", "sites",
              "locations", "racks", "devices", *COMPONENTS, "power-panels", "power-feeds",
              "cables")


def read(api: Any, desired: DesiredState) -> Live:
    live = Live(api, desired)
    for kind in READ_ORDER:
        live.load(kind)
    return live


def plan(live: Live, *, drift: bool = False) -> Plan:
    p = Plan()
    for kind in KINDS:
        p.changes += live.plan_kind(kind, drift=drift)
    new_devices = {c.key for c in p.changes if c.kind == "devices" and c.action == "create"}
    p.implied = sum(1 for k in live.desired.objects["interfaces"] if k[0] in new_devices)
    return p


def apply(live: Live, progress: Callable[[str], None]) -> Plan:
    """Push: deletes first (cables before the devices they end on), then creates and changes
    kind by kind, re-planning each kind against what NetBox holds by then."""
    first = plan(live)
    live.delete(first.changes, progress)
    done = Plan(changes=[c for c in first.changes if c.action == "delete"])
    for kind in KINDS:
        changes = live.plan_kind(kind)
        live.execute(changes, progress)
        done.changes += changes
    return done


def render(p: Plan, title: str) -> str:
    sign = {"create": "+", "update": "~", "delete": "-", "conflict": "!"}
    lines = [title, ""]
    for c in sorted(p.changes, key=lambda c: (KINDS.index(c.kind), c.action, str(c.label))):
        lines.append(f"  {sign[c.action]} {c.kind:<22} {c.label}")
        for f, (old, new) in sorted(c.diffs.items()):
            lines.append(f"      {f}: {old!r} -> {new!r}")
        if c.action == "conflict":
            lines.append("      (not managed by superpod-iac: left unchanged)")
    if p.implied:
        lines.append(f"  ({p.implied} interfaces come with the new devices from their device "
                     "types' templates)")
    lines += ["", f"Plan: {p.count('create')} to add, {p.count('update')} to change, "
                  f"{p.count('delete')} to destroy"
                  + (f", {p.count('conflict')} conflicts (left alone)"
                     if p.count("conflict") else "") + "."]
    return "\n".join(lines) + "\n"


