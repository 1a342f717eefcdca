"""Wiring diagrams at three levels, all with bundled links.

- cluster: one node per superpod (or per run of identical replicas when there are many),
  edges = links between them, bundled by fabric and media with counts;
- pod: per superpod, its cabinets as boxes holding one node per device type, edges bundled
  the same way; peers outside the superpod appear as dashed boxes;
- cabinet: per cabinet, each device with its port usage, edges per device pair and fabric
  naming the ports on both ends; peers outside the cabinet are grouped per cabinet.

Bundles are counted by `model.bundles` over the LinkTable columns: no per-link objects, so
a 2-million-link cluster draws a few dozen labelled edges.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from superpod_iac.model.bundles import Bundle, PortUsage, bundle_links, port_usage
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Device, Inventory
from superpod_iac.model.linkstats import columns, device_mask
from superpod_iac.model.portends import bundle_span, cabinet_ends
from superpod_iac.model.utilization import CabinetUse, cabinet_use, group_totals
from superpod_iac.numbers import num
from superpod_iac.render.graph import Cluster, Edge, Graph, Node
from superpod_iac.render.labels import count, esc, file_part, html_rows, kw, n_of, pct
from superpod_iac.render.scope import STANDALONE, Pod, Scope
from superpod_iac.render.styles import Styles

PLANES = ("scale-up", "scale-out", "frontend", "management", "storage")
_TIER = {"compute": 0, "storage": 0, "other": 0, "management": 1, "patch-panel": 2,
         "switch": 3, "external": 4}


@dataclass(slots=True)
class Group:
    id: str
    label: str
    style: str
    tier: int
    internal: int = 0
    """Links with both ends in the group (shown on the node, not as a loop)."""
    device_type: str = ""
    each: int = 1
    """Identical members the box stands for (superpod replicas): edges say `N per member`."""


def _plane_style(plane: str | None) -> str:
    return plane if plane in PLANES else "link"


def _media(b: Bundle) -> str:
    parts: list[str] = [b.cable] if b.cable else []
    for x in (b.xcvr_a, b.xcvr_b):
        if x and x not in parts:
            parts.append(x)
    return " + ".join(parts) if parts else "no cable declared"


def _fabric_names(inv: Inventory) -> dict[int, tuple[str, str | None]]:
    return {f.index: (f.name, f.plane) for f in inv.fabrics.values()}


def _width(n: int, biggest: int, styles: Styles) -> str:
    lo, hi = styles.layout("bundle_min_width"), styles.layout("bundle_max_width")
    if biggest <= 1:
        return f"{lo:.2f}"
    return f"{lo + (hi - lo) * math.log(max(n, 1)) / math.log(biggest):.2f}"


@dataclass(frozen=True, slots=True)
class EdgeEnds:
    """What a cabinet-level edge prints about its ends: the port map's bundle numbers and,
    per end, the devices and ports in readable form."""

    bundles: str
    a: str
    b: str


def _edge_label(lines: list[str]) -> str:
    """An edge label on a white ground: an edge that dot routes through it is hidden behind it
    instead of striking through the text."""
    return ('<table border="0" cellborder="0" cellspacing="0" cellpadding="0" bgcolor="white">'
            + "".join(f"<tr><td>{h}</td></tr>" for h in lines) + "</table>")


def _bundle_edges(graph: Graph, inv: Inventory, groups: list[Group], bundles: list[Bundle],
                  styles: Styles, ports: dict[tuple[int, int, int], EdgeEnds] | None = None,
                  fabric_names: dict[tuple[int, int, int], list[str]] | None = None) -> None:
    """One edge per (group pair, fabric): label = fabric, total, and count per media.

    Bundles inside one group are counted on the group's node instead (`count_internal`).
    Past `layout.max_edge_labels` edges the labels move to tooltips (SVG) and the nodes
    summarise their peers, so a full mesh stays a readable fan of lines."""
    fabrics = _fabric_names(inv)
    merged: dict[tuple[int, int, int], list[Bundle]] = defaultdict(list)
    for bundle in bundles:
        if bundle.a != bundle.b:
            merged[(bundle.a, bundle.b, bundle.fabric)].append(bundle)
    if not merged:
        return
    labelled = len(merged) <= int(styles.layout("max_edge_labels"))
    biggest = max(sum(x.count for x in bs) for bs in merged.values())
    for (a, b, f), bs in merged.items():
        name, plane = fabrics.get(f, ("unknown fabric", None))
        several = (fabric_names or {}).get((a, b, f), [])
        if len(several) > 1:
            name = span(several, noun="fabrics")
        total = sum(x.count for x in bs)
        tail, head = groups[a], groups[b]
        ends = ports.get((a, b, f)) if ports is not None else None
        key = f"<b>{esc(ends.bundles)}</b> · " if ends is not None else ""
        per = next((g.each for g in (tail, head) if g.each > 1 and total % g.each == 0), 1)
        each = f" ({count(total // per)} per superpod)" if per > 1 else ""
        lines = [(f"{key}<b>{esc(name)}</b> · {count(total)} link{'s' if total != 1 else ''}"
                  f"{each}",
                  f"{ends.bundles + ': ' if ends else ''}{tail.label} — {head.label}: {name}, "
                  f"{count(total)} links")]
        lines += [(f"{count(x.count)} × {esc(_media(x))}", f"{count(x.count)} × {_media(x)}")
                  for x in bs]
        if ends is not None:
            lines += [(f'<font color="#5f6368">{esc(e)}</font>', e) for e in (ends.a, ends.b)]
        if (tail.tier, tail.id) > (head.tier, head.id):
            tail, head = head, tail
        tooltip = "; ".join(t for _, t in lines)
        if labelled:
            graph.add_edge(Edge(tail.id, head.id, _plane_style(plane),
                                _edge_label([h for h, _ in lines]), html=True, tooltip=tooltip,
                                attrs={"penwidth": _width(total, biggest, styles)}))
        else:
            graph.add_edge(Edge(tail.id, head.id, _plane_style(plane), tooltip=tooltip))
        graph.add_legend("edge", _plane_style(plane),
                         f"{plane} links" if plane else "links (no plane)")
    if not labelled:
        graph.notes.append(f"{count(len(merged))} bundles are too many to label: each box lists "
                           "its peers, SVG tooltips give every bundle's count, media and ports, "
                           "and `superpod cabling` prints the cut sheet.")


def peer_rows(inv: Inventory, groups: list[Group], bundles: list[Bundle],
              fabric_names: dict[tuple[int, int, int], list[str]] | None = None
              ) -> dict[int, list[str]]:
    """Per group: `fabric: N links to peers (k each)` lines (HTML-escaped)."""
    fabrics = {k: v[0] for k, v in _fabric_names(inv).items()}
    for (_, _, f), names in (fabric_names or {}).items():
        if len(names) > 1:
            fabrics[f] = span(names, noun="fabrics")
    per: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for b in bundles:
        if b.a != b.b:
            per[(b.a, b.fabric)][b.b] += b.count
            per[(b.b, b.fabric)][b.a] += b.count
    out: dict[int, list[str]] = defaultdict(list)
    for (g, f), peers in sorted(per.items()):
        counts = sorted(set(peers.values()))
        each = f" ({count(counts[0])} each)" if len(peers) > 1 and len(counts) == 1 else ""
        name = fabrics.get(f, "unknown fabric")
        out[g].append(f"{esc(name)}: {count(sum(peers.values()))} → "
                      f"{esc(span([groups[p].label for p in sorted(peers)]))}{each}")
    return out


def count_internal(groups: list[Group], bundles: list[Bundle]) -> None:
    for b in bundles:
        if b.a == b.b:
            groups[b.a].internal += b.count


def _group_node(graph: Graph, g: Group, title: str, rows: Iterable[str],
                cluster: Cluster | None = None) -> None:
    body = [*rows]
    if g.internal:
        body.append(f"{count(g.internal)} link{'s' if g.internal != 1 else ''} inside")
    graph.add_node(Node(g.id, html_rows(title, body), g.style, html=True), cluster)


def _legend_note(graph: Graph) -> None:
    graph.notes.append("Edges are bundles: one per fabric between two boxes, labelled with the "
                       "link count and the cable + transceivers; pen width grows with the count.")


# -- cluster level -----------------------------------------------------------------------------

def _replicas_interlinked(inv: Inventory, members: list[str]) -> bool:
    """Does any link join two different superpods of `members` (a cascade ring)?"""
    col = columns(inv)
    if not len(col["a_dev"]):
        return False
    sp = np.full(len(inv.devices), -1, dtype=np.int64)
    for k, name in enumerate(members):
        for c in inv.superpods[name].cabinets:
            for d in inv.cabinets[c].devices:
                sp[d.index] = k
    a, b = sp[col["a_dev"]], sp[col["b_dev"]]
    return bool(((a >= 0) & (b >= 0) & (a != b)).any())


def _cluster_sets(inv: Inventory, limit: int) -> tuple[list[list[str]], int]:
    """The superpods drawn as one box each: all replicas of a template as one box when no link
    joins two of them (they fan into a shared core: one box and one bundle say it all), else
    runs of up to `chunk` consecutive replicas (a ring stays a ring). Returns (sets, chunk)."""
    names = sorted(inv.superpods, key=natural_key)
    chunk = max(math.ceil(len(names) / limit), 1)
    by_template: dict[str | None, list[str]] = defaultdict(list)
    for n in names:
        by_template[inv.superpods[n].template].append(n)
    sets: list[list[str]] = []
    for template, members in by_template.items():
        if template is None or len(members) == 1:
            sets.extend([m] for m in members)
        elif not _replicas_interlinked(inv, members):
            sets.append(members)
        elif chunk == 1:
            sets.extend([m] for m in members)
        else:
            sets.extend(members[k:k + chunk] for k in range(0, len(members), chunk))
    sets.sort(key=lambda s: natural_key(s[0]))
    return sets, chunk


def _loose_sets(inv: Inventory, drawn: int, limit: int) -> list[list[str]]:
    """Cabinets outside every superpod: one box each, or (past `limit` boxes, e.g. a core tier
    of hundreds of cabinets) one per set with the same type and contents."""
    in_pods = {c for sp in inv.superpods.values() for c in sp.cabinets}
    loose = sorted((c for c in inv.cabinets if c not in in_pods), key=natural_key)
    if drawn + len(loose) <= limit:
        return [[c] for c in loose]
    alike: dict[tuple[object, ...], list[str]] = {}
    for c in loose:
        cab = inv.cabinets[c]
        alike.setdefault((cab.type_name, tuple(sorted((d.type_name, d.u)
                                                      for d in cab.devices))), []).append(c)
    return sorted(alike.values(), key=lambda s: natural_key(s[0]))


_CLUSTER_LEGEND = {"superpod": "superpod", "superpod-set": "identical superpod replicas",
                   "cabinet": "cabinet outside superpods",
                   "cabinet-set": "cabinets outside superpods with the same contents"}


def _cluster_head(inv: Inventory, s: list[str], cabs: list[str]) -> str:
    if s:
        template = inv.superpods[s[0]].template or s[0]
        if len(s) > 1:
            return f"{num(len(s))} superpods × {template}"
        return f"superpod (replica of {template})" if template != s[0] else "superpod"
    if len(cabs) > 1:
        return f"{num(len(cabs))} cabinets × {inv.cabinets[cabs[0]].type_name}"
    return f"cabinet {inv.cabinets[cabs[0]].type_name}"


def cluster_graph(inv: Inventory, scope: Scope, styles: Styles, title: str) -> Graph:
    graph = Graph("wiring-cluster", "wiring-cluster", f"{title} — wiring, cluster level")
    limit = max(int(styles.layout("cluster_max_nodes")), 2)
    sets, chunk = _cluster_sets(inv, limit)
    loose_sets = _loose_sets(inv, len(sets), limit)
    groups: list[Group] = []
    dev_group = np.full(len(inv.devices), -1, dtype=np.int64)
    members_of: list[list[str]] = []
    for k, s in enumerate([*sets, *loose_sets]):
        pods = s if k < len(sets) else []
        cabs = [c for sp in pods for c in inv.superpods[sp].cabinets] if pods else s
        gid = len(groups)
        for c in cabs:
            for d in inv.cabinets[c].devices:
                dev_group[d.index] = gid
        kind = ("superpod" if pods else "cabinet") + ("-set" if len(s) > 1 else "")
        groups.append(Group(f"{'sp' if pods else 'cab'}{gid}", span(s), kind, 0 if pods else 1,
                            each=len(s) if pods else 1))
        members_of.append(cabs)
    bundles = bundle_links(inv, dev_group)
    count_internal(groups, bundles)
    if _is_ring(len(groups), bundles):
        graph.view = "wiring-cluster-ring"
    for gid, (g, cabs) in enumerate(zip(groups, members_of, strict=True)):
        tot = group_totals(inv, cabs)
        rows = [esc(_cluster_head(inv, sets[gid] if gid < len(sets) else [], cabs)),
                f"{n_of(tot.accelerators, 'accelerator')} · {n_of(tot.cabinets, 'cabinet')}",
                f"{kw(tot.load_w)} IT load"]
        _group_node(graph, g, esc(g.label), rows)
        graph.add_legend("node", g.style, _CLUSTER_LEGEND[g.style])
    _bundle_edges(graph, inv, groups, bundles, styles)
    tot = group_totals(inv, list(inv.cabinets))
    graph.subtitle.append(
        f"{n_of(len(inv.superpods), 'superpod')} · {n_of(tot.cabinets, 'cabinet')} · "
        f"{count(tot.accelerators)} accelerators · {count(len(inv.links))} links · "
        f"{kw(tot.load_w)} IT load")
    _cluster_notes(graph, inv, groups, sets, loose_sets, chunk)
    _legend_note(graph)
    return graph


def _cluster_notes(graph: Graph, inv: Inventory, groups: list[Group], sets: list[list[str]],
                   loose_sets: list[list[str]], chunk: int) -> None:
    if len(groups) <= 1:
        graph.empty = ("one superpod and nothing outside it: no links between superpods to draw "
                       "(see the pod-level wiring)")
    loose = sum(len(s) for s in loose_sets)
    if len(loose_sets) < loose:
        graph.notes.append(f"{count(loose)} cabinets outside superpods are drawn as "
                           f"{n_of(len(loose_sets), 'group')} of cabinets with the same contents "
                           "(double border); links inside a box are counted on it.")
    whole = [s for s in sets if len(s) > 1 and len(s) == sum(
        1 for n in inv.superpods if inv.superpods[n].template == inv.superpods[s[0]].template)]
    if whole:
        graph.notes.append("Identical superpod replicas that are not linked to one another are "
                           "drawn as one box (double border); each edge gives its link count in "
                           "total and per superpod.")
    if chunk > 1 and len(whole) < sum(1 for s in sets if len(s) > 1):
        graph.notes.append(f"Replicas linked to one another (a ring) are drawn as runs of up to "
                           f"{chunk} consecutive replicas (double border); links inside a run "
                           "are counted on its box.")


def _is_ring(n: int, bundles: list[Bundle]) -> bool:
    """Do the groups form one cycle (a superpod cascade ring)? Drawn as a circle then."""
    pairs = {(b.a, b.b) for b in bundles if b.a != b.b}
    if n < 3 or len(pairs) != n:
        return False
    nbrs: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        nbrs[a].add(b)
        nbrs[b].add(a)
    if len(nbrs) != n or any(len(v) != 2 for v in nbrs.values()):
        return False
    seen, todo = {0}, [0]
    while todo:
        for m in nbrs[todo.pop()]:
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return len(seen) == n


# -- pod level ---------------------------------------------------------------------------------

def _outside_key(inv: Inventory, dev: int) -> str:
    cab = inv.cabinets[inv.devices[dev].cabinet]
    return cab.superpod if cab.superpod is not None else cab.name


_MANY = "all "


def _many_key(inv: Inventory, key: str, n: int) -> str:
    """The folded name of an outside superpod or cabinet when there are too many to draw."""
    pod = inv.superpods.get(key)
    if pod is not None:
        return f"{_MANY}{num(n)} superpods and cabinets" if pod.template is None else \
            f"{_MANY}replicas of {pod.template}"
    return f"{_MANY}other cabinets"


LOOSE_GRAPH = "wiring-loose-cabinets"
"""The cabinets outside every superpod: a prefix of their own, so no superpod's name (a pod
named `standalone` included) can give the same file."""


def pod_graph_name(pod: Pod) -> str:
    return LOOSE_GRAPH if pod.standalone else f"wiring-pod-{file_part(pod.name)}"


def _pod_groups(inv: Inventory, sets: list[list[str]], uses: dict[str, CabinetUse]
                ) -> tuple[list[Group], np.ndarray, list[tuple[Cluster, list[int]]]]:
    """One box (cluster) per set of cabinets, one group per device type inside it."""
    groups: list[Group] = []
    dev_group = np.full(len(inv.devices), -1, dtype=np.int64)
    clusters: list[tuple[Cluster, list[int]]] = []
    for names in sets:
        cname = names[0]
        cab = inv.cabinets[cname]
        use = uses[cname]
        shown = span(names)
        head = f"{len(names)} × " if len(names) > 1 else ""
        each = ", each" if len(names) > 1 else ""
        cl = Cluster(f"c_{file_part(cname)}",
                     html_rows(f"{head}{esc(shown)}",
                               [f"{esc(cab.type_name)} · {kw(use.load_w)} "
                                f"({pct(use.pct)} of rating{each})"]),
                     "cabinet", html=True)
        by_type: dict[str, list[int]] = {}
        for member in names:
            mcab = inv.cabinets[member]
            wired = [d for d in mcab.devices if d.type.port_groups] or mcab.devices
            for d in wired:  # a cabinet without data ports still shows what it holds
                by_type.setdefault(d.type_name, []).append(d.index)
        gids: list[int] = []
        for tname in sorted(by_type, key=lambda t: (_TIER.get(inv.catalog.device_types[t].role,
                                                              0), t)):
            gid = len(groups)
            role = inv.catalog.device_types[tname].role
            groups.append(Group(f"g{gid}", f"{shown}/{tname}", _style(role), _TIER.get(role, 0),
                                device_type=tname))
            for i in by_type[tname]:
                dev_group[i] = gid
            gids.append(gid)
        clusters.append((cl, gids))
    return groups, dev_group, clusters


def _pod_sets(inv: Inventory, pod: Pod, uses: dict[str, CabinetUse]) -> list[list[str]]:
    """Cabinets with the same type, devices at the same U and the same load: one box each set
    (identical cabinets fold everywhere: the DGX SU's eight racks are one box)."""
    alike: dict[tuple[object, ...], list[str]] = {}
    for c in pod.cabinets:
        cab = inv.cabinets[c]
        key = (cab.type_name, round(uses[c].load_w, 1),
               tuple(sorted((d.type_name, d.u) for d in cab.devices)))
        alike.setdefault(key, []).append(c)
    return list(alike.values())


def _pod_outside(inv: Inventory, groups: list[Group], dev_group: np.ndarray,
                 in_pod: np.ndarray, touching: np.ndarray, styles: Styles) -> dict[str, int]:
    """One box per superpod or cabinet outside the pod that its links reach (one for all of
    them past `layout.max_outside_nodes`: a core tier cabled to hundreds of replicas)."""
    col = columns(inv)
    if not len(col["a_dev"]):
        return {}
    peers = np.unique(np.concatenate([col["b_dev"][touching & in_pod[col["a_dev"]]],
                                      col["a_dev"][touching & in_pod[col["b_dev"]]]]))
    found = {_outside_key(inv, dev) for dev in peers.tolist() if not in_pod[dev]}
    many = len(found) > int(styles.layout("max_outside_nodes"))
    keys = {k: (_many_key(inv, k, len(found)) if many else k) for k in found}
    outside: dict[str, int] = {}
    for key in sorted(set(keys.values()), key=natural_key):
        outside[key] = len(groups)
        groups.append(Group(f"x{len(groups)}", key, "external", _TIER["external"]))
    for dev in peers.tolist():
        if not in_pod[dev]:
            dev_group[dev] = outside[keys[_outside_key(inv, dev)]]
    return outside


def _merge_planes(inv: Inventory, bundles: list[Bundle]
                  ) -> tuple[list[Bundle], dict[tuple[int, int, int], list[str]]]:
    """Bundles between the same two boxes on fabrics of one plane as one (a folded set of
    racks has a scale-up fabric each: one edge, naming the fabrics, not eight)."""
    fabrics = _fabric_names(inv)
    merged: dict[tuple[object, ...], list[Bundle]] = defaultdict(list)
    for b in bundles:
        name, plane = fabrics.get(b.fabric, ("", None))
        merged[(b.a, b.b, plane or f"fabric:{name}", b.cable, b.xcvr_a, b.xcvr_b)].append(b)
    out: list[Bundle] = []
    names: dict[tuple[int, int, int], list[str]] = defaultdict(list)
    for bs in merged.values():
        rep = min(x.fabric for x in bs)
        out.append(Bundle(bs[0].a, bs[0].b, rep, bs[0].cable, bs[0].xcvr_a, bs[0].xcvr_b,
                          sum(x.count for x in bs)))
        key = (bs[0].a, bs[0].b, rep)
        for x in bs:
            name = fabrics.get(x.fabric, ("unknown fabric", None))[0]
            if name not in names[key]:
                names[key].append(name)
    return out, {k: sorted(v, key=natural_key) for k, v in names.items()}


def _pod_nodes(graph: Graph, inv: Inventory, groups: list[Group], dev_group: np.ndarray,
               clusters: list[tuple[Cluster, list[int]]], outside: dict[str, int],
               peer_lines: dict[int, list[str]]) -> None:
    for cl, gids in clusters:
        graph.clusters.append(cl)
        for gid in gids:
            g = groups[gid]
            members = np.nonzero(dev_group == gid)[0].tolist()
            dtype = inv.catalog.device_types[g.device_type]
            names = sorted({inv.devices[i].name for i in members}, key=natural_key)
            rows = [esc(span(names))]
            if dtype.accelerators is not None:
                rows.append(f"{count(len(members) * dtype.accelerators.count)} × "
                            f"{esc(dtype.accelerators.type)}")
            rows += peer_lines.get(gid, [])
            _group_node(graph, g, f"{len(members)} × {esc(g.device_type)}", rows, cl)
            graph.add_legend("node", g.style, g.style.replace("-", " "))
    for key, gid in outside.items():
        g = groups[gid]
        what = "superpod" if key in inv.superpods else "" if key.startswith(_MANY) else "cabinet"
        _group_node(graph, g, esc(key), [f"other {what}" if what else "outside this pod"])
        graph.add_legend("node", "external", "outside this diagram")


def pod_graph(inv: Inventory, scope: Scope, pod: Pod, styles: Styles, title: str) -> Graph:
    label = STANDALONE if pod.standalone else pod.name
    graph = Graph(pod_graph_name(pod), "wiring", f"{title} — wiring, pod level: {label}")
    uses = cabinet_use(inv)
    in_pod = device_mask(inv, pod.cabinets)
    col = columns(inv)
    sets = _pod_sets(inv, pod, uses)
    if len(sets) < len(pod.cabinets):
        graph.notes.append("Cabinets with the same contents and load are drawn as one box "
                           "(N × first … last); edges give their links in total, fabrics of one "
                           "plane (a rack's own scale-up fabric) merged; the cabinet-level views "
                           "and `superpod portmap` give each cabinet's ports.")
    groups, dev_group, clusters = _pod_groups(inv, sets, uses)
    touching = in_pod[col["a_dev"]] | in_pod[col["b_dev"]] if len(col["a_dev"]) else \
        np.zeros(0, dtype=bool)
    outside = _pod_outside(inv, groups, dev_group, in_pod, touching, styles)
    bundles = bundle_links(inv, dev_group, touching if len(col["a_dev"]) else None)
    count_internal(groups, bundles)
    bundles, fabric_names = _merge_planes(inv, bundles)
    _pod_nodes(graph, inv, groups, dev_group, clusters, outside,
               peer_rows(inv, groups, bundles, fabric_names))
    _bundle_edges(graph, inv, groups, bundles, styles, fabric_names=fabric_names)
    tot = group_totals(inv, pod.cabinets)
    graph.subtitle.append(f"{n_of(tot.cabinets, 'cabinet')} · {count(tot.accelerators)} "
                          f"accelerators · {count(int(touching.sum()))} links · "
                          f"{kw(tot.load_w)} IT load")
    if not touching.any():
        graph.empty = f"no links touch {label} (see the elevation for its devices)"
    if len(pod.replicas) > 1:
        graph.subtitle.append(f"stands for {len(pod.replicas)} identical replicas of "
                              f"{pod.template}: {span(pod.replicas)}")
    graph.add_legend("cluster", "cabinet", "cabinet")
    _legend_note(graph)
    return graph


# -- cabinet level -----------------------------------------------------------------------------

def cabinet_graph_name(cabinet: str) -> str:
    return f"wiring-cabinet-{file_part(cabinet)}"


def identical_cabinets(inv: Inventory, cabinets: list[str]) -> list[list[str]]:
    """Cabinets in groups wired alike: same type, same devices at the same U, and the same
    links port by port (fabric, local port, and the peer's device type, or the peer device
    when it is in the cabinet; fabrics compared by plane, as each cabinet may have a scale-up
    fabric of its own). Each group is drawn once; order follows `cabinets`."""
    col = columns(inv)
    plane = {f.index: f.plane or f.name for f in inv.fabrics.values()}
    # link ends grouped by cabinet in one sort (a mask over every link per cabinet made this
    # quadratic: 18 s for the 6,912 cabinets of the 432-pod cluster)
    names = list(dict.fromkeys(cabinets))
    dev_cab = np.full(len(inv.devices), -1, dtype=np.int64)
    for k, c in enumerate(names):
        for d in inv.cabinets[c].devices:
            dev_cab[d.index] = k
    ends_dev = np.concatenate([col["a_dev"], col["b_dev"]]).astype(np.int64)
    ends_port = np.concatenate([col["a_port"], col["b_port"]])
    ends_peer = np.concatenate([col["b_dev"], col["a_dev"]]).astype(np.int64)
    ends_fab = np.concatenate([col["fabric"], col["fabric"]])
    end_cab = dev_cab[ends_dev]
    order = np.argsort(end_cab, kind="stable")
    bounds = np.searchsorted(end_cab[order], np.arange(len(names) + 1), side="left")
    key_of: dict[str, tuple[object, ...]] = {}
    cab_of = dev_cab.tolist()
    for k, c in enumerate(names):
        cab = inv.cabinets[c]
        links: dict[tuple[str, str, str, str], int] = defaultdict(int)
        mine = order[bounds[k]:bounds[k + 1]]
        for dev, port, peer, fab in zip(ends_dev[mine].tolist(), ends_port[mine].tolist(),
                                        ends_peer[mine].tolist(), ends_fab[mine].tolist(),
                                        strict=True):
            other = inv.devices[peer].name if cab_of[peer] == k else \
                inv.devices[peer].type_name
            links[(inv.devices[dev].name, inv.port_name(dev, port), plane.get(fab, ""),
                   other)] += 1
        key_of[c] = (cab.type_name, tuple((d.name, d.type_name, d.u) for d in cab.devices),
                     tuple(sorted(links.items())))
    groups: dict[tuple[object, ...], list[str]] = {}
    for c in cabinets:
        groups.setdefault(key_of[c], []).append(c)
    return list(groups.values())


def _merged_pairs(bundles: list[Bundle]) -> int:
    return len({(b.a, b.b, b.fabric) for b in bundles if b.a != b.b})


def span(names: list[str], keep: int = 3, noun: str = "") -> str:
    """Names as an installer reads them, in the order given: `node1, node2`, or the first and
    last with the count, `l2sw01 … l2sw28 (28)`, `ub01/1 … ub56/2 (112 ports)` (never
    nodeset brackets)."""
    if len(names) <= keep:
        return ", ".join(names)
    return f"{names[0]} … {names[-1]} ({num(len(names))}{' ' + noun if noun else ''})"


@dataclass(slots=True)
class _Peers:
    """Where the cabinet's links go outside it: peer device -> outside key (its cabinet, or its
    superpod when that is another one, or a run of cabinets of one type when folded)."""

    key: dict[int, str]
    folded: dict[str, int] = field(default_factory=dict)
    """Folded key -> how many cabinets or superpods it stands for."""
    pod_sets: set[str] = field(default_factory=set)


def _peer_keys(inv: Inventory, cabinet: str, sel: np.ndarray, local: np.ndarray,
               by_kind: bool) -> _Peers:
    """Outside keys of the peers of links `sel`; with `by_kind`, one key per cabinet type (or
    superpod template) instead of one per cabinet."""
    col = columns(inv)
    cab = inv.cabinets[cabinet]
    pod_cabs = set(inv.superpods[cab.superpod].cabinets) if cab.superpod in inv.superpods \
        else set()
    key: dict[int, str] = {}
    ends = np.unique(np.concatenate([col["a_dev"][sel], col["b_dev"][sel]])).tolist() \
        if len(sel) else []
    for dev in ends:
        if not local[dev]:
            other = inv.devices[dev].cabinet
            other_pod = inv.cabinets[other].superpod
            key[dev] = other if other in pod_cabs or not other_pod else other_pod
    peers = _Peers(key)
    if not by_kind or len(set(key.values())) <= 1:
        return peers
    kind: dict[str, str] = {}
    for k in set(key.values()):
        pod = inv.superpods.get(k)
        kind[k] = f"pod:{pod.template or k}" if pod is not None else \
            f"cab:{inv.cabinets[k].type_name}"
    of_kind: dict[str, list[str]] = defaultdict(list)
    for k in sorted(kind, key=natural_key):
        of_kind[kind[k]].append(k)
    shown = {k: span(names) for k, names in of_kind.items()}
    for k, names in of_kind.items():
        peers.folded[shown[k]] = len(names)
        if k.startswith("pod:"):
            peers.pod_sets.add(shown[k])
    peers.key = {dev: shown[kind[k]] for dev, k in key.items()}
    return peers


@dataclass(slots=True)
class _Groups:
    groups: list[Group]
    dev_group: np.ndarray
    outside: dict[tuple[str, str], int]
    """(outside key, peer device type) -> group id: one box per kind of peer, so a box never
    holds two device types (or roles)."""
    devs_of: list[list[int]]
    """Group id -> the cabinet's own devices in it (empty for outside groups)."""


def _style(role: str) -> str:
    return role if role in ("compute", "switch", "patch-panel", "management", "storage") \
        else "other"


def _assign(inv: Inventory, devices: list[Device], peers: _Peers, folded: set[str],
            per_u: set[str]) -> _Groups:
    """Groups: a device each, one per device type in `folded`, one per type and U in `per_u`;
    then one per (outside key, peer device type)."""
    groups: list[Group] = []
    dev_group = np.full(len(inv.devices), -1, dtype=np.int64)
    devs_of: list[list[int]] = []
    seen_type: dict[tuple[str, int], int] = {}
    for d in devices:
        role = d.type.role
        if d.type_name in folded or d.type_name in per_u:
            slot = (d.type_name, -1 if d.type_name in folded else d.u)
            gid = seen_type.get(slot)
            if gid is None:
                gid = seen_type[slot] = len(groups)
                groups.append(Group(f"d{gid}", d.type_name, _style(role), _TIER.get(role, 0),
                                    device_type=d.type_name))
                devs_of.append([])
        else:
            gid = len(groups)
            groups.append(Group(f"d{gid}", d.name, _style(role), _TIER.get(role, 0)))
            devs_of.append([])
        dev_group[d.index] = gid
        devs_of[gid].append(d.index)
    outside: dict[tuple[str, str], int] = {}
    kinds = {(k, inv.devices[dev].type_name) for dev, k in peers.key.items()}
    for k, t in sorted(kinds, key=lambda kt: (natural_key(kt[0]), kt[1])):
        outside[(k, t)] = len(groups)
        groups.append(Group(f"x{len(groups)}", f"{k} · {t}", "external", _TIER["external"],
                            device_type=t))
        devs_of.append([])
    for dev, k in peers.key.items():
        dev_group[dev] = outside[(k, inv.devices[dev].type_name)]
    return _Groups(groups, dev_group, outside, devs_of)


@dataclass(slots=True)
class _Folding:
    grp: _Groups
    bundles: list[Bundle]
    peers: _Peers
    folded: set[str] = field(default_factory=set)
    """Device types drawn as one box."""
    per_u: set[str] = field(default_factory=set)
    """Device types drawn as one box per U position (e.g. the chips of each server tray)."""


def _fold_until_labelled(inv: Inventory, cabinet: str, devices: list[Device],
                         sel: np.ndarray, local: np.ndarray, touching: np.ndarray | None,
                         limit: int) -> _Folding:
    """Fold until at most `limit` edges remain: first one box per U position of a type with
    several devices per U, then one box per type (largest first), then the outside cabinets
    one box per cabinet type."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for d in devices:
        by_type[d.type_name].append(d.index)
    at_u = {t: len(idx) - len({inv.devices[i].u for i in idx}) for t, idx in by_type.items()}
    peers = _peer_keys(inv, cabinet, sel, local, by_kind=False)
    f = _Folding(_assign(inv, devices, peers, set(), set()), [], peers)
    f.bundles = bundle_links(inv, f.grp.dev_group, touching)
    while _merged_pairs(f.bundles) > limit:
        per_u = [t for t in by_type if t not in f.per_u | f.folded and at_u[t] > 0]
        whole = [t for t, idx in by_type.items() if t not in f.folded and len(idx) > 1]
        if per_u:
            f.per_u.add(max(per_u, key=lambda t: (at_u[t], t)))
        elif whole:
            f.folded.add(max(whole, key=lambda t: (len(by_type[t]), t)))
        elif not f.peers.folded and len(set(f.peers.key.values())) > 1:
            f.peers = _peer_keys(inv, cabinet, sel, local, by_kind=True)
        else:
            break
        f.grp = _assign(inv, devices, f.peers, f.folded, f.per_u)
        f.bundles = bundle_links(inv, f.grp.dev_group, touching)
    return f


def _side_text(inv: Inventory, devs: set[int], ports: set[tuple[int, int]], local: bool) -> str:
    """One end of an edge: `node1 … node4 (4): ub01/1 … ub56/2 (112)`; outside the cabinet
    with the peer cabinets first (`s1: l2sw01 … l2sw28 (28): p02/2`)."""
    names = sorted({inv.devices[d].name for d in devs}, key=natural_key)
    order = sorted(ports, key=lambda dp: dp[1])
    port_names = list(dict.fromkeys(inv.port_name(d, p) for d, p in order))
    text = f"{span(names)}: {span(port_names, noun='ports')}"
    if local:
        return text
    cabs = sorted({inv.devices[d].cabinet for d in devs}, key=natural_key)
    return f"{span(cabs)} · {text}"


def _edge_ends(inv: Inventory, sel: np.ndarray, dev_group: np.ndarray, local: np.ndarray,
               bundle_of: dict[int, int]) -> tuple[dict[tuple[int, int, int], EdgeEnds],
                                                   dict[int, list[int]]]:
    """Per edge (group pair, fabric): its bundle numbers and both ends in readable form; per
    group, the bundle numbers of links inside it. A Python pass over this cabinet's links."""
    t = inv.links
    devs: dict[tuple[int, int, int], tuple[set[int], set[int]]] = defaultdict(
        lambda: (set(), set()))
    ports: dict[tuple[int, int, int], tuple[set[tuple[int, int]], set[tuple[int, int]]]] = \
        defaultdict(lambda: (set(), set()))
    numbers: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    internal: dict[int, set[int]] = defaultdict(set)
    for i in sel.tolist():
        da, db, pa, pb = t.a_dev[i], t.b_dev[i], t.a_port[i], t.b_port[i]
        ga, gb = int(dev_group[da]), int(dev_group[db])
        if ga < 0 or gb < 0:
            continue
        if ga == gb:
            internal[ga].add(bundle_of[i])
            continue
        if ga > gb:
            ga, gb, da, db, pa, pb = gb, ga, db, da, pb, pa
        key = (ga, gb, t.fabric[i])
        devs[key][0].add(da)
        devs[key][1].add(db)
        ports[key][0].add((da, pa))
        ports[key][1].add((db, pb))
        numbers[key].add(bundle_of[i])
    out = {k: EdgeEnds(bundle_span(sorted(numbers[k])),
                       _side_text(inv, da_, ports[k][0], bool(local[next(iter(da_))])),
                       _side_text(inv, db_, ports[k][1], bool(local[next(iter(db_))])))
           for k, (da_, db_) in devs.items()}
    return out, {g: sorted(v) for g, v in internal.items()}


def _local_rows(inv: Inventory, g: Group, idx: list[int],
                usage: dict[int, list[PortUsage]]) -> tuple[str, list[str]]:
    """Title and rows of a box of the cabinet's own devices (one device, or a folded type)."""
    devs = [inv.devices[i] for i in idx]
    if g.device_type:
        us = sorted(d.u for d in devs)
        names = sorted((d.name for d in devs), key=natural_key)
        rows = [f"{esc(span(names))} · " + (f"U{us[0]}" if us[0] == us[-1] else
                                              f"U{us[0]}–U{us[-1]}")]
        totals: dict[str, list[int]] = {}
        for i in idx:
            for pu in usage[i]:
                tot = totals.setdefault(pu.group, [0, 0])
                tot[0] += pu.used
                tot[1] += pu.total
        rows += [f"{esc(name)}: {u}/{n} ports used" for name, (u, n) in totals.items()]
        return f"{len(devs)} × {esc(g.device_type)}", rows
    d = devs[0]
    rows = [f"{esc(d.type_name)} · U{d.u}"]
    for pu in usage[d.index]:
        text = f"{esc(pu.group)}: {pu.used}/{pu.total} ports used"
        if pu.used < pu.total and pu.required:
            text = f'<font color="#d93025">{text} (required)</font>'
        rows.append(text)
    return esc(d.name), rows


def _cabinet_nodes(graph: Graph, inv: Inventory, f: _Folding, devices: list[Device],
                   internal: dict[int, list[int]],
                   ends: dict[tuple[int, int, int], EdgeEnds]) -> dict[int, list[str]]:
    """The boxes: the cabinet's devices (top to bottom), then one per kind of outside peer.
    Returns the node ids per tier, for the U-order chains."""
    usage = port_usage(inv, [d.index for d in devices])
    by_tier: dict[int, list[str]] = defaultdict(list)
    for gid, idx in enumerate(f.grp.devs_of):
        if not idx:
            continue
        g = f.grp.groups[gid]
        title, rows = _local_rows(inv, g, idx, usage)
        if gid in internal:
            rows.append(f"{bundle_span(internal[gid])}: {count(g.internal)} link"
                        f"{'s' if g.internal != 1 else ''} inside")
            g.internal = 0  # said with its bundle numbers
        _group_node(graph, g, title, rows)
        by_tier[g.tier].append(g.id)
        graph.add_legend("node", g.style, g.style.replace("-", " "))
    members: dict[int, list[int]] = defaultdict(list)
    for dev in f.peers.key:
        members[int(f.grp.dev_group[dev])].append(dev)
    keyed: dict[int, list[str]] = defaultdict(list)
    for (ga, gb, _), e in ends.items():
        keyed[ga].append(e.bundles)
        keyed[gb].append(e.bundles)
    for (key, tname), gid in f.grp.outside.items():
        n = f.peers.folded.get(key, 1)
        what = "superpod" if key in inv.superpods or key in f.peers.pod_sets else "cabinet"
        names = sorted({inv.devices[d].name for d in members[gid]}, key=natural_key)
        rows = [f"{len(members[gid])} × {esc(tname)}", esc(span(names)),
                f"{n} other {what}s" if n > 1 else f"other {what}"]
        if keyed.get(gid):
            shown = sorted(keyed[gid], key=lambda b: int(b[1:].split("–")[0].split(",")[0]))
            rows.append(f"<b>bundle {esc(', '.join(shown))}</b>")
        _group_node(graph, f.grp.groups[gid], esc(key), rows)
        by_tier[f.grp.groups[gid].tier].append(f.grp.groups[gid].id)
        graph.add_legend("node", "external", "outside this diagram")
    return by_tier


def _cabinet_notes(graph: Graph, inv: Inventory, cabinet: str, f: _Folding,
                   devices: list[Device], links: int) -> None:
    cab = inv.cabinets[cabinet]
    use = cabinet_use(inv)[cabinet]
    graph.subtitle.append(f"{cab.type_name} · {n_of(len(cab.devices), 'device')} · "
                          f"{n_of(links, 'link')} · {kw(use.load_w)} ({pct(use.pct)} of "
                          f"{kw(use.rating_w)} rating)")
    if links == 0:
        graph.empty = f"no links touch cabinet {cabinet} (see the elevation for its devices)"
    if f.peers.folded:
        graph.notes.append("Peers in other cabinets of one cabinet type are drawn as one dashed "
                           "box per device type (first … last cabinet, count).")
    if f.folded:
        graph.notes.append(f"Drawn as one box each, to keep every bundle labelled: "
                           f"{', '.join(sorted(f.folded))} (names, U range and summed port use "
                           "in the box).")
    if f.per_u - f.folded:
        graph.notes.append(f"Drawn as one box per U position, to keep every bundle labelled: "
                           f"{', '.join(sorted(f.per_u - f.folded))} (names and summed port "
                           "use in the box).")
    drawn = {d.index for d in devices}
    unwired = [d.name for d in cab.devices if d.index not in drawn]
    if unwired:
        graph.notes.append(f"Not drawn (no data ports): "
                           f"{span(sorted(unwired, key=natural_key))}; see the elevation and "
                           "power diagrams.")
    graph.notes.append("Boxes top to bottom in U order (as the elevation); a box never holds two "
                       "device types. Edges: one per box pair and fabric, labelled with the "
                       "bundle numbers of the port map (`superpod portmap`, W1, W2, ... per "
                       "cabinet), the link count, the media, and both ends (devices: ports, "
                       "first … last with the count).")


def cabinet_graph(inv: Inventory, scope: Scope, cabinet: str, styles: Styles, title: str,
                  members: list[str] | None = None) -> Graph:
    """One cabinet: its devices top to bottom in U order (as the elevation), each with its port
    usage, and one box per kind of peer outside it; edges per box pair and fabric with the
    port map's bundle numbers, count, media and both ends as visible text. Past
    `layout.cabinet_max_bundles` edges, same-type devices and then same-type peer cabinets
    are drawn as one box, so every edge keeps its label."""
    cab = inv.cabinets[cabinet]
    members = members or [cabinet]
    shown = cabinet if len(members) == 1 else f"{span(members)} (drawn: {cabinet})"
    graph = Graph(cabinet_graph_name(cabinet), "wiring",
                  f"{title} — wiring, cabinet level: {shown}")
    if len(members) > 1:
        graph.subtitle.append(f"{len(members)} cabinets wired alike ({span(members)}): drawn "
                              f"once, with the peers and bundle numbers of {cabinet}")
    ordered = sorted(cab.devices, key=lambda d: (-d.u, natural_key(d.name)))
    devices = [d for d in ordered if d.type.port_groups] or ordered
    local = device_mask(inv, [cabinet])
    col = columns(inv)
    touching = (local[col["a_dev"]] | local[col["b_dev"]]) if len(col["a_dev"]) else None
    sel = np.nonzero(touching)[0] if touching is not None else np.zeros(0, dtype=np.int64)
    limit = min(int(styles.layout("max_edge_labels")), int(styles.layout("cabinet_max_bundles")))
    f = _fold_until_labelled(inv, cabinet, devices, sel, local, touching, limit)
    bundle_of = cabinet_ends(inv, [cabinet]).bundle_of_links(cabinet) if len(sel) else {}
    ends, internal = _edge_ends(inv, sel, f.grp.dev_group, local, bundle_of)
    count_internal(f.grp.groups, f.bundles)
    by_tier = _cabinet_nodes(graph, inv, f, devices, internal, ends)
    _bundle_edges(graph, inv, f.grp.groups, f.bundles, styles, ends)
    for ids in by_tier.values():  # top to bottom in U order: invisible flat edges
        if len(ids) > 1:
            graph.ranks.append(ids)
            for a, b in pairwise(ids):
                graph.add_edge(Edge(a, b, "invisible"))
    _cabinet_notes(graph, inv, cabinet, f, devices, len(sel))
    return graph
