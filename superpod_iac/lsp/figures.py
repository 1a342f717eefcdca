"""Hover, go-to-definition, completion and quick fixes from a checked design.

Every figure shown is one the model already computes (`model.utilization`, the link groups
and the optics rule's channel loss); this module only finds the object under the cursor and
formats its numbers. Positions are 0-based (line, character), as editors count them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from superpod_iac.diagnostics import Origin
from superpod_iac.lsp.lines import absolute, lines_of
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import LinkGroup
from superpod_iac.pipeline import Project
from superpod_iac.source.loader import Document

_QUOTED = re.compile(r"""(["'])(.*?)\1""")
_BARE = re.compile(r"""[^\s,{}"'#]+""")
_KEY = re.compile(r"""^\s*(?:-\s+)?\{?\s*([A-Za-z_][\w]*)\s*:""")
_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")
_NAMED = re.compile(r"'([^']+)'")
_MAX_SHOWN = 6
"""Objects described in one hover (a template line can define hundreds)."""


@dataclass(frozen=True, slots=True)
class Place:
    """A position in a file: real path, 0-based line and character."""

    path: str
    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Named:
    kind: str
    name: str
    origin: Origin


def token_at(text: str, line: int, character: int) -> tuple[str, int, int] | None:
    """The scalar under the cursor (a quoted string's content, or a bare word) and its span."""
    lines = lines_of(text)
    if not 0 <= line < len(lines):
        return None
    body = lines[line]
    for m in _QUOTED.finditer(body):
        if m.start() <= character <= m.end():
            return m.group(2), m.start(2), m.end(2)
    for m in _BARE.finditer(body):
        if m.start() <= character <= m.end():
            word, start = m.group(0), m.start()
            while word.startswith("[") and word.count("[") > word.count("]"):
                word, start = word[1:], start + 1
            while word and (word[-1] in ":," or (word.endswith("]")
                                                  and word.count("]") > word.count("["))):
                word = word[:-1]
            return (word, start, start + len(word)) if word else None
    return None


def key_of_line(text: str, line: int) -> str | None:
    """The mapping key a line writes (`type` for `    type: nvl72-rack`)."""
    lines = lines_of(text)
    if not 0 <= line < len(lines):
        return None
    m = _KEY.match(lines[line])
    return m.group(1) if m else None


# -- the names of a design ---------------------------------------------------------------------
_CATALOG_KINDS = {"device_types": "device type", "cabinet_types": "cabinet type",
                  "transceiver_types": "transceiver type", "cable_types": "cable type",
                  "cdu_types": "CDU type", "accessory_types": "accessory type"}
_KIND_BY_KEY = {"type": ("device type", "cabinet type", "CDU type"),
                "feeds": ("power node",), "parent": ("power node",), "cdu": ("CDU", "cdu group"),
                "cable": ("cable type",), "transceiver": ("transceiver type",),
                "hall": ("hall",), "cabinets": ("cabinet",), "fabrics": ("fabric",),
                "superpod": ("superpod",)}


_NAMES: list[tuple[Inventory, dict[str, Named]]] = []
"""The last design's name table (a cluster has ~10^5 devices: built once per check, not per
request). Keyed by the Inventory's identity; a new check makes a new Inventory."""


def names(inv: Inventory) -> dict[str, Named]:
    """Every name the design defines (built-in parts included), with where it was written.
    Devices are named `cabinet/device`; a name defined twice keeps its first definition."""
    for known, table in _NAMES:
        if known is inv:
            return table
    table = _names(inv)
    _NAMES[:] = [(inv, table)]
    return table


def forget() -> None:
    """Drop the name table (before a large design is re-checked, so two do not stay alive)."""
    _NAMES.clear()


def _names(inv: Inventory) -> dict[str, Named]:
    out: dict[str, Named] = {}

    def add(kind: str, name: str, origin: Origin | None) -> None:
        if origin is not None and name not in out:
            out[name] = Named(kind, name, origin)

    for cab in inv.cabinets.values():
        add("cabinet", cab.name, cab.origin)
    for node in inv.power_nodes.values():
        add("power node", node.name, node.origin)
    for cdu in inv.cdus.values():
        add("CDU", cdu.name, cdu.origin)
    for (kind, name), origin in sorted(inv.origins.items()):
        add(kind, name, origin)
    for (section, name), origin in sorted(inv.catalog.origins.items()):
        add(_CATALOG_KINDS.get(section, section.rstrip("s").replace("_", " ")), name, origin)
    for dev in inv.devices:
        add("device", dev.address, dev.origin)
    return out


def _documents(project: Project) -> dict[tuple[str, int], Document]:
    return {(absolute(d.file), d.index): d for s in project.sources for d in s.documents}


def place_of(project: Project, origin: Origin) -> Place | None:
    """Where an origin was written (the built-in catalog's files included)."""
    path = absolute(origin.file)
    doc = _documents(project).get((path, origin.doc))
    if doc is None:
        doc = _builtin_document(origin)
        if doc is None:
            return Place(path, 0, 0)
    line, col = doc.position(origin.path)
    return Place(path, max(line - 1, 0), max(col - 1, 0))


def _builtin_document(origin: Origin) -> Document | None:
    """The built-in catalog's documents are not among the design's sources."""
    from superpod_iac.manifest.builtin import builtin_catalogs

    for m in builtin_catalogs():
        if m.document.file == origin.file and m.document.index == origin.doc:
            return m.document
    return None


def resolve(inv: Inventory, word: str) -> Named | None:
    """The object a reference names: the name itself, a `cabinet/device:port` endpoint's
    device or a template's first expanded name (`cm384-rpp-A[01-08]`)."""
    table = names(inv)
    device = word.split(":", 1)[0]
    # in a Cluster, a pod's objects are named per replica (`cm384-001.c01`): the first one
    prefixes = [*(f"{c.replicas[0]}." for c in inv.clusters.values() if c.replicas), ""]
    for prefix in prefixes:
        for name in (word, device):
            if prefix + name in table:
                return table[prefix + name]
    from superpod_iac.model.expand import expand

    try:
        expanded = expand(word) if "[" in word else ()
    except Exception:  # not a template: nothing to resolve
        return None
    return next((table[p + n] for n in expanded[:1] for p in prefixes if p + n in table), None)


def definition(project: Project, text: str, line: int, character: int) -> Place | None:
    token = token_at(text, line, character)
    if token is None:
        return None
    found = resolve(project.inventory, token[0])
    if found is None:
        found = _port_group(project.inventory, text, line, token[0])
    return place_of(project, found.origin) if found is not None else None


def _port_group(inv: Inventory, text: str, line: int, word: str) -> Named | None:
    """A port group named on a line (`endpoint_ports: ub[01-56]/[1-2]`, `group: nvl`): the
    first device type used in the design with a group of that name or port nodeset."""
    used = sorted({d.type_name for d in inv.devices})
    for tname in used:
        dtype = inv.catalog.device_types.get(tname)
        origin = inv.catalog.origins.get(("device_types", tname))
        if dtype is None or origin is None:
            continue
        for j, group in enumerate(dtype.port_groups):
            if word in (group.name, group.ports) or word.split("/")[0] == group.ports:
                return Named("port group", group.name,
                             Origin(origin.file, origin.doc, (*origin.path, "port_groups", j)))
    return None


def completions(project: Project, text: str, line: int) -> list[tuple[str, str]]:
    """(name, kind) the design defines, of the kinds the line's key refers to."""
    key = key_of_line(text, line)
    kinds = _KIND_BY_KEY.get(key or "")
    return sorted((n.name, n.kind) for n in names(project.inventory).values()
                  if (kinds is None and n.kind != "device") or (kinds and n.kind in kinds))


def quick_fix(text: str, line: int, message: str, hint: str) -> tuple[int, int, str] | None:
    """The edit a `did you mean 'X'?` hint makes when it is unambiguous: the misspelt name
    (the first quoted name of the message) written once on the finding's line."""
    meant = _DID_YOU_MEAN.search(hint)
    wrong = _NAMED.search(message)
    lines = lines_of(text)
    if meant is None or wrong is None or not 0 <= line < len(lines):
        return None
    old, new = wrong.group(1), meant.group(1)
    body = lines[line]
    hits = [m.start() for m in re.finditer(rf"(?<![\w.\-/]){re.escape(old)}(?![\w.\-/\[])",
                                           body)]
    if len(hits) != 1 or old == new:
        return None
    return hits[0], hits[0] + len(old), new


_OVERLAP = re.compile(r"^device (\S+) \(U\d+-U\d+\) overlaps")
_U_VALUE = re.compile(r"(?<![\w])u:\s*(\d+)(?![\w\-\[])")


def free_u(project: Project, text: str, line: int, message: str
           ) -> tuple[int, int, str, bool] | None:
    """For a U overlap (SPC002) on a device written with one plain `u: N`: the edit that moves
    it to the lowest rack unit where it fits free of the cabinet's other devices, and whether
    that is the only such place (then it is the preferred fix)."""
    m = _OVERLAP.match(message)
    lines = lines_of(text)
    if m is None or not 0 <= line < len(lines):
        return None
    inv = project.inventory
    i = inv.device_index.get(m.group(1))
    values = list(_U_VALUE.finditer(lines[line]))
    if i is None or len(values) != 1 or int(values[0].group(1)) != inv.devices[i].u:
        return None
    dev = inv.devices[i]
    cab, h = inv.cabinets[dev.cabinet], dev.type.height_u
    used = {u for d in inv.cabinets[dev.cabinet].devices if d is not dev
            for u in range(d.u, d.u + d.type.height_u)}
    starts = [u for u in range(1, cab.type.height_u - h + 2)
              if used.isdisjoint(range(u, u + h))]
    if not starts:
        return None
    return values[0].start(1), values[0].end(1), str(starts[0]), len(starts) == 1


# -- hover ---------------------------------------------------------------------------------------
def hover(project: Project, path: str, text: str, line: int, character: int) -> str | None:
    """Markdown for what is under the cursor: the object a name refers to, else the objects
    and links written on that line."""
    inv = project.inventory
    token = token_at(text, line, character)
    found = resolve(inv, token[0]) if token is not None else None
    parts = [describe(inv, found)] if found is not None else []
    if not parts:
        parts = [describe(inv, n) for n in _defined_on(project, path, line)][:_MAX_SHOWN]
        parts += list(_links_on(project, path, line))[:_MAX_SHOWN]
    parts = [p for p in parts if p]
    return "\n\n---\n\n".join(parts) if parts else None


def _defined_on(project: Project, path: str, line: int) -> list[Named]:
    docs = _documents(project)
    out = []
    for n in names(project.inventory).values():
        if absolute(n.origin.file) != path:
            continue
        doc = docs.get((path, n.origin.doc))
        if doc is not None and doc.position(n.origin.path)[0] - 1 == line:
            out.append(n)
    return sorted(out, key=lambda n: (n.kind, n.name))


def describe(inv: Inventory, n: Named) -> str:
    fn = _DESCRIBE.get(n.kind)
    body = fn(inv, n.name) if fn is not None else []
    return "\n".join([f"**{n.kind} `{n.name}`**", "", *(f"- {b}" for b in body)])


def _kw(w: float | None) -> str:
    return "?" if w is None else f"{w / 1000:,.1f} kW"


def _pct(p: float | None) -> str:
    return "" if p is None else f" ({p:.0f} %)"


def _cabinet(inv: Inventory, name: str) -> list[str]:
    from superpod_iac.model.utilization import cabinet_use

    u = cabinet_use(inv).get(name)
    if u is None:
        return []
    cab = inv.cabinets[name]
    out = [f"load {_kw(u.load_w)} of {_kw(u.rating_w)} rating{_pct(u.pct)}, headroom "
           f"{_kw(u.rating_w - u.load_w)}" + (" **over rating**" if u.overloaded else ""),
           f"liquid {_kw(u.liquid_w)}, air {_kw(u.air_w)}, residual air {_kw(u.residual_air_w)}",
           f"{u.used_u} of {u.height_u} U used, {u.weight_kg:,.0f} kg of "
           f"{cab.type.payload_kg + cab.type.empty_weight_kg:,.0f} kg",
           f"{u.accelerators} accelerators; type `{cab.type_name}`"]
    if cab.feeds:
        out.append("feeds " + ", ".join(f"`{f}`" for f in cab.feeds))
    if u.cooling_unit:
        flow = f", coolant {u.coolant_lpm:,.1f} L/min" if u.coolant_lpm is not None else ""
        out.append(f"cooled by `{u.cooling_unit}`{flow}")
    return out


def _power_node(inv: Inventory, name: str) -> list[str]:
    from superpod_iac.model.utilization import power_currents, power_use

    u = power_use(inv).get(name)
    if u is None:
        return []
    out = [f"load {_kw(u.load_w)} of {_kw(u.derated_w)} continuous{_pct(u.pct)}"
           + (f", headroom {_kw(u.derated_w - u.load_w)}" if u.derated_w is not None else "")
           + (" **over rating**" if u.overloaded else ""),
           f"rating {_kw(u.rated_w)} ({u.basis})"]
    if u.worst_w is not None:
        margin = f", margin {_kw(u.derated_w - u.worst_w)}" if u.derated_w is not None else ""
        out.append(f"worst single failure ({u.worst_scenario}): {_kw(u.worst_w)}"
                   f"{_pct(u.worst_pct)}{margin}"
                   + (" **overloaded after the failure**" if u.overloaded_after_failure else ""))
    else:
        out.append("no single failure raises its load")
    amps = power_currents(inv).get(name)
    if amps is not None:
        worst = f", {amps.worst_a:,.1f} A after the worst failure" if amps.worst_a else ""
        out.append(f"current {amps.load_a:,.1f} A{worst}")
    node = inv.power_nodes[name]
    out.append(f"side {node.spec.side or '-'}, parent `{node.spec.parent or '-'}`, "
               f"{len(node.children)} children")
    return out


def _cooling(inv: Inventory, name: str) -> list[str]:
    from superpod_iac.model.cooling import cooling_plan
    from superpod_iac.model.utilization import cooling_use

    uses = cooling_use(inv)
    unit = name if name in uses else next(
        (k for k, v in cooling_plan(inv).units.items() if any(m.name == name for m in v.members)),
        None)
    u = uses.get(unit or "")
    if u is None:
        return []
    out = [f"heat {_kw(u.heat_w)} of {_kw(u.capacity_w)} capacity{_pct(u.pct)}"
           + (f", headroom {_kw(u.capacity_w - u.heat_w)}" if u.capacity_w is not None else "")
           + (" **over capacity**" if u.overloaded else "")]
    if u.required_lpm is not None:
        out.append(f"flow needed {u.required_lpm:,.1f} L/min of {u.flow_lpm or 0:,.1f} L/min"
                   f"{_pct(u.flow_pct)}")
    if u.capacity_after_loss_w is not None:
        out.append(f"after losing one CDU: {_kw(u.capacity_after_loss_w)} left"
                   f"{_pct(u.after_loss_pct)}, margin {_kw(u.capacity_after_loss_w - u.heat_w)}"
                   + (" **overloaded after the failure**" if u.overloaded_after_failure else ""))
    if unit != name:
        out.append(f"part of `{unit}`")
    return out


def _device_type(inv: Inventory, name: str) -> list[str]:
    t = inv.catalog.device_types.get(name)
    if t is None:
        return []
    used = sum(1 for d in inv.devices if d.type_name == name)
    out = [f"max {t.max_w:,.0f} W" + (f", typical {t.typical_w:,.0f} W" if t.typical_w else "")
           + f", liquid {t.liquid_fraction:.0%}",
           f"{t.height_u} U, {t.weight_kg:g} kg; {used} in this design"]
    if t.accelerators:
        out.append(f"{t.accelerators.count} x `{t.accelerators.type}`")
    out.extend(f"ports `{g.name}`: `{g.ports}` {g.form_factor} {g.speed_gbps:g} Gb/s"
               for g in t.port_groups[:8])
    return out


def _device(inv: Inventory, name: str) -> list[str]:
    i = inv.device_index.get(name)
    if i is None:
        return []
    d = inv.devices[i]
    return [f"type `{d.type_name}`: max {d.type.max_w:,.0f} W, U{d.u}-{d.top_u}",
            f"in cabinet `{d.cabinet}`"]


def _cabinet_type(inv: Inventory, name: str) -> list[str]:
    t = inv.catalog.cabinet_types.get(name)
    if t is None:
        return []
    return [f"{t.height_u} U, rating {t.power_rating_kw:g} kW, payload {t.payload_kg:g} kg"]


def _medium(inv: Inventory, name: str) -> list[str]:
    cat = inv.catalog
    if name in cat.cable_types:
        c = cat.cable_types[name]
        return [f"{c.medium}, max {c.max_length_m:g} m, {c.attenuation_db_per_km:g} dB/km"]
    x = cat.transceiver_types.get(name)
    if x is None:
        return []
    loss = f", max channel loss {x.max_channel_loss_db:g} dB" if x.max_channel_loss_db else ""
    return [f"{x.form_factor}, {x.speed_gbps:g} Gb/s, reach {x.reach_m:g} m{loss}, "
            f"{x.power_w:g} W"]


_DESCRIBE = {"cabinet": _cabinet, "power node": _power_node, "CDU": _cooling,
             "cdu group": _cooling, "device type": _device_type, "device": _device,
             "cabinet type": _cabinet_type, "cable type": _medium, "transceiver type": _medium}


def _links_on(project: Project, path: str, line: int) -> Iterator[str]:
    """The links a line writes, summed over their groups: how many, the longest run against
    its reach, the smallest optical margin (the optics rules' own channel loss)."""
    from superpod_iac.model.linkstats import link_groups

    inv = project.inventory
    docs = _documents(project)
    groups = []
    for g in link_groups(inv):
        origin = inv.links.origins[g.origin]
        doc = docs.get((absolute(origin.file), origin.doc))
        if absolute(origin.file) == path and doc is not None and \
                doc.position(origin.path)[0] - 1 == line:
            groups.append(g)
    if groups:
        yield _link_summary(inv, groups)


def _link_summary(inv: Inventory, groups: list[LinkGroup]) -> str:
    from superpod_iac.rules.linkfmt import example
    from superpod_iac.rules.optics import _channel, _parts

    total = sum(g.count for g in groups)
    out = [f"**{total:,} link(s)** on this line, e.g. {example(inv, groups[0])}", ""]
    runs: list[tuple[float, float, str, LinkGroup]] = []
    losses: list[tuple[float, float, float, str, str]] = []
    for g in groups:
        if math.isnan(g.length_m):
            continue
        cable, xcvrs = _parts(inv, g)
        reach = [(cable.max_length_m, f"cable `{cable.name}`")] if cable is not None else []
        reach += [(x.reach_m, f"transceiver `{x.name}`") for x in xcvrs]
        if reach:
            r, what = min(reach)
            runs.append((r - g.length_m, g.length_m, f"{r:g} m of {what}", g))
        for x in xcvrs:
            if cable is not None and cable.medium in ("smf", "mmf") and \
                    x.max_channel_loss_db is not None:
                loss, how = _channel(inv, g, cable, x)
                losses.append((x.max_channel_loss_db - loss, loss, x.max_channel_loss_db,
                               x.name, how))
    if runs:
        left, length, against, g = min(runs, key=lambda r: (r[0], r[2]))
        out.append(f"- longest run for its reach: {length:.1f} m vs reach {against} "
                   f"(margin {left:.1f} m; {example(inv, g)})")
    else:
        out.append("- run length not known")
    if losses:
        left, loss, limit, name, how = min(losses)
        out.append(f"- worst channel loss {loss:.2f} dB of {limit:g} dB (`{name}`), margin "
                   f"{left:.2f} dB: {how}")
    return "\n".join(out)
