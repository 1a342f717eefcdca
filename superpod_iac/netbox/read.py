"""Read the objects of a live NetBox relevant to a design (pynetbox), into the normalised form
of `superpod_iac.netbox.desired`: keys are names, references are the referenced object's key.

Nothing here writes: `superpod_iac.netbox.planning` compares what is read with the design and
`superpod_iac.netbox.apply` executes a plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from superpod_iac.netbox.desired import (
    GLOBAL_KINDS,
    OWNED_FIELD_MARK,
    OWNER_TAG,
    DesiredState,
    cable_key,
)

APP = {"tags": "extras", "custom-fields": "extras"}
PARENT = {"interface-templates": ("device_type", "device-types"),
          "rear-port-templates": ("device_type", "device-types"),
          "front-port-templates": ("device_type", "device-types"),
          "power-port-templates": ("device_type", "device-types"),
          "power-outlet-templates": ("device_type", "device-types"),
          "interfaces": ("device", "devices"),
          "power-ports": ("device", "devices"),
          "power-outlets": ("device", "devices"),
          "module-bay-templates": ("device_type", "device-types"),
          "module-bays": ("device", "devices")}
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
    "power-ports": {"device": "devices"},
    "power-outlets": {"device": "devices", "power_port": "power-ports"},
    "module-bay-templates": {"device_type": "device-types"},
    "module-bays": {"device": "devices"},
    "modules": {"device": "devices", "module_bay": "module-bays",
                "module_type": "module-types"},
    "power-panels": {"site": "sites"},
    "power-feeds": {"power_panel": "power-panels", "rack": "racks"},
}
TERMINATION_KINDS = {"dcim.interface": "interfaces", "dcim.frontport": "front-ports",
                     "dcim.rearport": "rear-ports", "dcim.powerport": "power-ports",
                     "dcim.poweroutlet": "power-outlets", "dcim.powerfeed": "power-feeds"}
COMPONENTS = ("interfaces", "front-ports", "rear-ports", "power-ports", "power-outlets",
              "module-bays")
"""Device components NetBox instantiates from the device type's templates."""
FIELDS = {
    "tags": "name,slug",
    "custom-fields": "name,label,type,object_types,description",
    "manufacturers": "name,slug",
    "device-roles": "name,slug,color",
    "rack-types": "slug,manufacturer,model,form_factor,width,u_height,outer_width,outer_depth,"
                  "outer_unit,weight,max_weight,weight_unit,tags,custom_fields",
    "device-types": "slug,manufacturer,model,u_height,is_full_depth,weight,weight_unit,airflow,"
                    "part_number,tags,custom_fields",
    "interface-templates": "name,device_type,type,mgmt_only,description",
    "rear-port-templates": "name,device_type,type,positions",
    "front-port-templates": "name,device_type,type,rear_ports",
    "module-types": "manufacturer,model,part_number,description,tags",
    "power-port-templates": "name,device_type,type,maximum_draw,allocated_draw",
    "power-outlet-templates": "name,device_type,type,power_port,feed_leg",
    "sites": "name,slug,status,tags,custom_fields",
    "locations": "name,slug,site,status,tags",
    "racks": "name,site,location,rack_type,status,u_height,width,facility_id,tags,"
             "custom_fields",
    "devices": "name,site,location,rack,device_type,role,position,face,status,tags",
    "interfaces": "name,device,type,mgmt_only",
    "front-ports": "name,device", "rear-ports": "name,device",
    "power-ports": "name,device,type,maximum_draw,allocated_draw",
    "power-outlets": "name,device,type,power_port,feed_leg", "module-bays": "name,device",
    "module-bay-templates": "name,device_type",
    "modules": "device,module_bay,module_type,status,tags",
    "power-panels": "name,site,tags",
    "power-feeds": "name,power_panel,rack,status,type,supply,phase,voltage,amperage,"
                   "max_utilization,tags",
    "cables": "type,status,length,length_unit,tags,custom_fields",
}
for _k in list(FIELDS):
    FIELDS[_k] += ",last_updated"
"""What is read of each kind (NetBox's `fields` parameter): the full serialisation of an
interface or a cable costs the server ten times more."""




def _value(v: Any) -> Any:
    if isinstance(v, dict) and "value" in v and "label" in v:
        return v["value"]
    return v


class NetBoxError(Exception):
    """The NetBox API refused a request or cannot be reached (message says which)."""


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
        except NetBoxError:
            raise
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
        found = self._fetch_global(kind)
        return found if found is not None else self._fetch_in_sites(kind)

    def _fetch_global(self, kind: str) -> Iterable[tuple[Any, dict[str, Any]]] | None:
        """Kinds read whole (or by the design's sites' slugs); None for per-site kinds."""
        if kind == "manufacturers":
            out: dict[str, dict[str, Any]] = {}
            for r in self._list(kind):
                out.setdefault(r["slug"], r)
                out.setdefault(r["name"].lower(), r)  # last: the key the design refers to
            return ((k, r) for k, r in out.items())
        if kind in ("rack-types", "device-types"):
            return self._types(kind)
        if kind in ("tags", "device-roles"):
            return ((r["slug"], r) for r in self._list(kind))
        if kind == "custom-fields":
            return ((r["name"], r) for r in self._list(kind))
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
        return None

    def _fetch_in_sites(self, kind: str) -> Iterable[tuple[Any, dict[str, Any]]]:
        """Kinds read within the design's sites."""
        sites = self.site_ids()
        if not sites:
            return []
        recs = self._cables(sites) if kind == "cables" else self._list(kind, site_id=sites)
        if kind == "locations":
            return (((self.ref("sites", r["site"]), r["slug"]), r) for r in recs)
        if kind in ("racks", "devices", "power-panels"):
            return (((self.ref("sites", r["site"]), r["name"]), r) for r in recs)
        if kind in COMPONENTS:
            return (((self.ref("devices", r["device"]), r["name"]), r) for r in recs)
        if kind == "modules":
            return ((self.ref("module-bays", r["module_bay"]), r) for r in recs)
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
            elif f.startswith("cf:"):
                out[f] = (rec.get("custom_fields") or {}).get(f[3:])
            elif f in refs:
                out[f] = self.ref(refs[f], rec.get(f))
            elif f == "object_types":
                out[f] = sorted(rec.get(f) or [])
            elif f == "power_port" and kind == "power-outlet-templates":
                out[f] = (rec.get("power_port") or {}).get("name")
            elif f == "rear_port" and kind == "front-port-templates":
                maps = rec.get("rear_ports") or []
                out[f] = (self.key_of_id["rear-port-templates"].get(maps[0]["rear_port"],
                                                                   (None, None))[1]
                          if maps else None)
            else:
                out[f] = _value(rec.get(f))
        return out

    def owned(self, kind: str, rec: dict[str, Any]) -> bool:
        if kind == "custom-fields":  # no tags: the description says it
            return str(rec.get("description") or "").startswith(OWNED_FIELD_MARK)
        if kind in PARENT:
            fld, pkind = PARENT[kind]
            key = self.ref(pkind, rec.get(fld))
            parent = self.records[pkind].get(key)
            return parent is not None and self.owned(pkind, parent)
        tags = {t["slug"] for t in rec.get("tags") or []}
        if kind in GLOBAL_KINDS:
            return OWNER_TAG in tags
        return OWNER_TAG in tags and self.desired.scope_tag in tags

    def _types(self, kind: str) -> Iterable[tuple[Any, dict[str, Any]]]:
        """Device and rack types by slug; a type the design wants that NetBox holds under
        another slug with the same manufacturer and model (unique in NetBox: another tool's,
        or the devicetype-library's) is read as the design's, so it is compared, never made
        twice. It stays that tool's: see `owned`."""
        recs = self._list(kind)
        out = [(r["slug"], r) for r in recs]
        by_model = {(self.ref("manufacturers", r.get("manufacturer")),
                     str(r.get("model", "")).lower()): r for r in recs}
        slugs = {r["slug"] for r in recs}
        for key, want in self.desired.objects.get(kind, {}).items():
            if key in slugs:
                continue
            rec = by_model.get((want.fields.get("manufacturer"),
                                str(want.fields.get("model", "")).lower()))
            if rec is not None:
                out.append((key, rec))
        return out

def _message(exc: Exception) -> str:
    req = getattr(exc, "req", None)
    if req is not None:
        try:
            body = req.json()
        except ValueError:
            body = req.text[:500]
        return f"HTTP {req.status_code}: {str(body)[:800]}"
    return f"{type(exc).__name__}: {exc}"


MAX_REDIRECTS = 5
TIMEOUT_S = 600
"""One request (a bulk create of 50 cables takes NetBox tens of seconds on a loaded machine)."""


def bounded_session(url: str) -> Any:
    """A requests session that talks only to NetBox's own scheme, host and port (the token
    is never sent elsewhere: a `next` link or a bulk answer naming another host is refused;
    requests itself drops the token on a redirect to another host), follows at most
    MAX_REDIRECTS redirects, gives every request a timeout, and refuses a page it already
    fetched in the same listing (a server whose `next` links back would loop forever)."""
    from urllib.parse import urlsplit

    import requests

    base = urlsplit(url)
    origin = (base.scheme, base.netloc)

    class Bounded(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self.max_redirects = MAX_REDIRECTS
            self.pages: set[str] = set()

        def request(self, method: str | bytes, url: str | bytes,
                    *args: Any, **kwargs: Any) -> Any:
            target = url.decode() if isinstance(url, bytes) else url
            verb = method.decode() if isinstance(method, bytes) else method
            u = urlsplit(target)
            if (u.scheme, u.netloc) != origin:
                raise NetBoxError(f"NetBox pointed the client at {u.scheme}://{u.netloc}, not "
                                  f"{origin[0]}://{origin[1]}: refused (the token goes only to "
                                  "the NetBox named by --url)")
            if verb.upper() == "GET":
                if kwargs.get("params"):
                    self.pages = set()  # a new listing starts with its filters
                elif "offset=" in u.query:
                    if target in self.pages:
                        raise NetBoxError(f"NetBox's pagination loops ({target} again): "
                                          "stopped reading")
                    self.pages.add(target)
            kwargs.setdefault("timeout", TIMEOUT_S)
            return super().request(verb, target, *args, **kwargs)

    return Bounded()


def connect(url: str, token: str) -> Any:
    try:
        import pynetbox
    except ImportError as exc:
        raise NetBoxError("the NetBox client is not installed: pip install "
                          "'superpod-iac[netbox]' (pynetbox)") from exc
    api = pynetbox.api(url, token=token)
    api.http_session = bounded_session(url)
    try:
        api.status()
    except NetBoxError:
        raise
    except Exception as exc:
        raise NetBoxError(f"cannot reach NetBox at {url}: {_message(exc)}") from exc
    return api


READ_ORDER = ("tags", "custom-fields", "manufacturers", "device-roles", "rack-types",
              "device-types", "module-types", "interface-templates", "rear-port-templates",
              "front-port-templates", "power-port-templates", "power-outlet-templates",
              "module-bay-templates", "sites", "locations", "racks", "devices", *COMPONENTS, "modules", "power-panels",
              "power-feeds", "cables")


def read(api: Any, desired: DesiredState) -> Live:
    live = Live(api, desired)
    for kind in READ_ORDER:
        live.load(kind)
    return live


