"""Power roll-up: cabinet loads -> power shelves -> feeds -> the PowerSystem tree, in normal
operation and after each failure the declared redundancy must survive.

Derived data only (summation and sharing); formulas come from `superpod_iac.physics`. Computed
once per Inventory and cached, so rules, diagrams and reports read the same numbers.

Sharing model: a cabinet's IT load (devices + optics) is shared equally by its active power
shelves (devices with `power_output`); each shelf draws `share / efficiency` from its feeds,
split equally (an automatic-transfer PDU, `inlets: transfer`, from its first live feed alone). A cabinet without shelves shares its load equally over its own feeds. A failed
power node takes its whole subtree down; the survivors pick up the load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from superpod_iac import physics
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Cabinet, Device, Inventory, PowerNodeObj
from superpod_iac.model.loads import cabinet_loads

_REDUNDANT_PSUS = {"N": 0, "N+1": 1, "N+2": 2}


@dataclass(slots=True)
class NodeCapacity:
    rated_w: float | None
    derated_w: float | None
    basis: str
    """How the capacity was obtained, for messages: `415 V, 250 A, 3-phase, 80 %`."""


@dataclass(slots=True)
class Scenario:
    name: str
    """`normal`, `side A fails`, `busway-A1 fails`, `shelf nvl72-01/pwr3 fails`."""
    loads_w: dict[str, float]
    """Node loads; for failure scenarios only the nodes whose load changed (and survive)."""
    unsupplied: list[str] = field(default_factory=list)
    """Cabinets left with no supply in this scenario."""
    failed: frozenset[str] = frozenset()


@dataclass(slots=True)
class PowerTree:
    capacity: dict[str, NodeCapacity]
    normal: Scenario
    failures: list[Scenario]
    phase_loads_w: dict[str, dict[str, float]]
    """3-phase node -> {L1, L2, L3} load from single-phase children."""
    side_of: dict[str, str | None]
    worst: dict[str, tuple[float, str]]
    """node -> (largest load over the failure scenarios it survives, scenario name)."""


def shelves(devices: list[Device]) -> list[Device]:
    return [d for d in devices if d.type.power_output is not None]


def usable_output_w(dev: Device) -> float:
    """Output a power shelf guarantees with its PSU redundancy honoured."""
    out = dev.type.power_output
    assert out is not None
    if out.inlets == "transfer":  # one inlet feeds at a time
        return out.psu_w
    if out.redundancy in ("N+N", "2N"):
        usable = out.psu_count // 2
    else:
        usable = out.psu_count - _REDUNDANT_PSUS.get(out.redundancy, 0)
    return max(usable, 0) * out.psu_w


NAMEPLATE_TYPES = frozenset({"ups", "generator"})
"""Nodes whose kW rating is already a continuous output rating: a UPS's rated active power
(IEC 62040-3 5.3.2, rated output active power, continuous) and a generator's prime/continuous
rating (ISO 8528-1 13.3). The 80 % continuous-load rule (NEC 210.19(A)(1), 210.20(A), 215.2,
215.3) sizes conductors and overcurrent devices, not these machines."""


def breaker_capacity_w(node: PowerNodeObj) -> float | None:
    """What the node's breaker, voltage and phases allow (before derating), or None."""
    s = node.spec
    if s.voltage_v is None or s.breaker_a is None:
        return None
    return physics.circuit_capacity_w(s.voltage_v, s.breaker_a, s.phases, s.pf, 1.0)


def capacity(node: PowerNodeObj, derating: float) -> NodeCapacity:
    """The node's capacity. A declared `rating_kw` above what its breaker, voltage and phases
    allow is not believed (ELC007 reports it): the lower of the two is the capacity."""
    s = node.spec
    pct = "100 %-rated" if s.continuous_100pct else f"{derating * 100:.0f} %"
    circuit = breaker_capacity_w(node)
    if s.rating_kw is not None and circuit is not None and circuit < s.rating_kw * 1000.0:
        s = s.model_copy(update={"rating_kw": None})
    if s.rating_kw is not None and s.type in NAMEPLATE_TYPES:
        rated = s.rating_kw * 1000.0
        return NodeCapacity(rated, rated, f"{s.rating_kw:g} kW nameplate (continuous)")
    if s.rating_kw is not None:
        rated = s.rating_kw * 1000.0
        return NodeCapacity(rated, physics.derated_w(rated, derating, s.continuous_100pct),
                            f"{s.rating_kw:g} kW, {pct}")
    if s.voltage_v is not None and s.breaker_a is not None:
        rated = physics.circuit_capacity_w(s.voltage_v, s.breaker_a, s.phases, s.pf, 1.0)
        return NodeCapacity(rated, physics.derated_w(rated, derating, s.continuous_100pct),
                            f"{s.voltage_v:g} V, {s.breaker_a:g} A, {s.phases}-phase, PF {s.pf:g}, "
                            f"{pct}")
    return NodeCapacity(None, None, "no rating declared")


def _capacities(inv: Inventory) -> dict[str, NodeCapacity]:
    """capacity() of every node; nodes with the same rating inputs (every Cluster replica's copy
    of a node) share one computation, each gets its own NodeCapacity."""
    derating = inv.policy.derating
    seen: dict[tuple[object, ...], NodeCapacity] = {}
    out: dict[str, NodeCapacity] = {}
    for name, node in inv.power_nodes.items():
        s = node.spec
        key = (s.rating_kw, s.type, s.continuous_100pct, s.voltage_v, s.breaker_a, s.phases, s.pf)
        got = seen.get(key)
        if got is None:
            got = seen[key] = capacity(node, derating)
        out[name] = NodeCapacity(got.rated_w, got.derated_w, got.basis)
    return out


def _side_map(inv: Inventory) -> dict[str, str | None]:
    """Each node's side, inherited from the nearest ancestor that declares one."""
    out: dict[str, str | None] = {}

    def side(name: str, depth: int = 0) -> str | None:
        if name in out:
            return out[name]
        node = inv.power_nodes[name]
        value: str | None = node.spec.side
        parent = node.spec.parent
        if value is None and parent is not None and parent in inv.power_nodes and depth < 64:
            value = side(parent, depth + 1)
        out[name] = value
        return value

    for name in inv.power_nodes:
        side(name)
    return out


def _ancestors(inv: Inventory, name: str) -> list[str]:
    chain: list[str] = []
    seen = {name}
    cur = inv.power_nodes[name].spec.parent
    while cur in inv.power_nodes and cur not in seen:
        chain.append(cur)
        seen.add(cur)
        cur = inv.power_nodes[cur].spec.parent
    return chain


@derived
def _ancestor_map(inv: Inventory) -> dict[str, list[str]]:
    """node -> its ancestors (`_ancestors`), computed once per Inventory and shared by the power
    tree, the common-mode search and the supplies (read-only lists)."""
    return {name: _ancestors(inv, name) for name in inv.power_nodes}


def _down_set(inv: Inventory, failed: frozenset[str]) -> frozenset[str]:
    """The failed nodes and everything below them."""
    out = set(failed)
    stack = list(failed)
    while stack:
        for child in inv.power_nodes[stack.pop()].children:
            if child not in out:
                out.add(child)
                stack.append(child)
    return frozenset(out)


def _cabinet_draw(inv: Inventory, cab: Cabinet, load: float, down: frozenset[str],
                  sh: list[Device]) -> dict[str, float] | None:
    """Feed -> watts one cabinet draws while the nodes in `down` (failed nodes and everything
    below them) are out; None when the cabinet is left without supply. `sh`: the cabinet's
    power shelves (`shelves(cab.devices)`)."""
    draw: dict[str, float] = defaultdict(float)

    def live(f: str) -> bool:
        return f in inv.power_nodes and f not in down

    if sh:
        active = [d for d in sh if any(live(f) for f in d.feeds)]
        if not active:
            return None if load > 0 else draw
        share = load / len(active)
        for d in active:
            feeds = [f for f in d.feeds if live(f)]
            out = d.type.power_output
            if out is not None and out.inlets == "transfer":
                feeds = feeds[:1]  # the first live source carries it all; the other stands by
            w = physics.input_power_w(share, out.efficiency if out else None) / len(feeds)
            for f in feeds:
                draw[f] += w
        return draw
    feeds = [f for f in cab.feeds if live(f)]
    if not feeds:
        return None if load > 0 and cab.feeds else draw
    for f in feeds:
        draw[f] += load / len(feeds)
    return draw


def _roll_up(inv: Inventory, draw: dict[str, float], anc: dict[str, list[str]]) -> dict[str, float]:
    """Node loads: own draw plus children's, with node efficiency (UPS losses) applied upward.

    Linear in the draws, so it also rolls up load *changes* (failure deltas)."""
    total: dict[str, float] = defaultdict(float)
    for name, w in draw.items():
        if w == 0.0:
            continue
        total[name] += w
        carried = w
        child = name
        for parent in anc[name]:
            carried = physics.input_power_w(carried, inv.power_nodes[child].spec.efficiency)
            total[parent] += carried
            child = parent
    return dict(total)


def _phase_loads(inv: Inventory, loads: dict[str, float]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for node in inv.power_nodes.values():
        s = node.spec
        if s.phases == 1 and s.phase and s.parent in inv.power_nodes:
            per = out.setdefault(s.parent, {"L1": 0.0, "L2": 0.0, "L3": 0.0})
            per[s.phase] += loads.get(node.name, 0.0)
    return out


def _scenarios(inv: Inventory, sides: dict[str, str | None]) -> list[tuple[str, frozenset[str]]]:
    """Failures the declared redundancy must survive: each side (2N), each non-root node."""
    out: list[tuple[str, frozenset[str]]] = []
    nodes = inv.power_nodes
    two_n = {n for n, node in nodes.items() if node.redundancy == "2N"}
    for side in sorted({s for n in two_n if (s := sides[n])}):
        out.append((f"side {side} fails", frozenset(n for n in two_n if sides[n] == side)))
    for name in sorted(nodes):
        node = nodes[name]
        if node.redundancy != "N" and node.spec.parent is not None:  # root: the site outage
            out.append((f"{name} fails", frozenset({name})))
    return out


@derived
def power_tree(inv: Inventory) -> PowerTree:
    anc = _ancestor_map(inv)
    sides = _side_map(inv)
    caps = _capacities(inv)
    loads = cabinet_loads(inv)
    base: dict[str, dict[str, float]] = {}
    by_feed: dict[str, set[str]] = defaultdict(set)
    draw: dict[str, float] = defaultdict(float)
    unsupplied: list[str] = []
    shelves_of: dict[str, list[Device]] = {}  # each cabinet's shelves, found once
    for cab in inv.iter_cabinets():
        sh = shelves_of[cab.name] = shelves(cab.devices)
        got = _cabinet_draw(inv, cab, loads[cab.name].max_w, frozenset(), sh)
        if got is None:
            unsupplied.append(cab.name)
            got = {}
        base[cab.name] = got
        feeds = set(cab.feeds) | {f for d in sh for f in d.feeds}
        for f in feeds:
            if f in inv.power_nodes:
                for node in (f, *anc[f]):
                    by_feed[node].add(cab.name)
        for f, w in got.items():
            draw[f] += w
    normal_loads = {name: 0.0 for name in inv.power_nodes}
    normal_loads.update(_roll_up(inv, draw, anc))
    normal = Scenario("normal", normal_loads, unsupplied)
    failures: list[Scenario] = []
    worst: dict[str, tuple[float, str]] = {}
    replicas = _ReplicaMemo(inv, by_feed, loads, normal_loads, shelves_of)
    for label, failed in _scenarios(inv, sides):
        key = replicas.key(label, failed)
        reused = replicas.get(key)
        if reused is not None:
            failures.append(Scenario(label, reused[0], reused[1], failed))
            for n, w in reused[0].items():
                if w > worst.get(n, (-1.0, ""))[0]:
                    worst[n] = (w, label)
            continue
        down = _down_set(inv, failed)
        affected: set[str] = set()
        for node in failed:
            affected |= by_feed.get(node, set())
        delta: dict[str, float] = defaultdict(float)
        lost: list[str] = []
        for name in sorted(affected):
            cab = inv.cabinets[name]
            got = _cabinet_draw(inv, cab, loads[name].max_w, down, shelves_of[name])
            if got is None:
                lost.append(name)
                got = {}
            for f, w in got.items():
                delta[f] += w
            for f, w in base[name].items():
                delta[f] -= w
        changed = _roll_up(inv, delta, anc)
        sc_loads = {n: normal_loads[n] + dw for n, dw in changed.items() if n not in down}
        replicas.put(key, sc_loads, lost)
        failures.append(Scenario(label, sc_loads, lost, failed))
        for n, w in sc_loads.items():
            if w > worst.get(n, (-1.0, ""))[0]:
                worst[n] = (w, label)
    tree = PowerTree(caps, normal, failures, _phase_loads(inv, normal.loads_w), sides, worst)
    return tree


class _ReplicaMemo:
    """Failure scenarios computed once per distinct Cluster replica and reused for the others.

    A replica (`cm384-017.<name>` objects) whose power nodes and cabinets are closed (no feed,
    parent, child or supplied cabinet outside the replica) and whose fingerprint - every input of
    a single-node failure scenario, with the replica prefix stripped: node parents, children,
    efficiencies, redundancy and normal load; cabinet loads, feeds and power shelves - equals an
    earlier replica's, gets that replica's scenario results renamed. The fingerprint holds the
    exact float inputs, and the sums run in the same order for both (names sort the same within
    a replica), so the numbers are bit-identical to computing them again.
    """

    def __init__(self, inv: Inventory, by_feed: dict[str, set[str]], loads: dict[str, Any],
                 normal_loads: dict[str, float], shelves_of: dict[str, list[Device]]) -> None:
        self.of_node: dict[str, tuple[str, int]] = {}
        """node -> (replica prefix, fingerprint id) for nodes of closed replicas."""
        self.memo: dict[tuple[int, str], tuple[dict[str, float], list[str]]] = {}
        reps = {f"{sp.name}.": sp for sp in inv.superpods.values() if sp.template is not None}
        if len(reps) < 2:
            return
        nodes_of: dict[str, list[str]] = defaultdict(list)
        for name in inv.power_nodes:
            hits = []  # replica prefixes of the name: cut after each "."
            dot = name.find(".")
            while dot >= 0:
                if name[:dot + 1] in reps:
                    hits.append(name[:dot + 1])
                dot = name.find(".", dot + 1)
            if len(hits) == 1:
                nodes_of[hits[0]].append(name)
        ids: dict[tuple[Any, ...], int] = {}
        for prefix, nodes in nodes_of.items():
            fp = self._fingerprint(inv, prefix, set(nodes), reps[prefix].cabinets, by_feed, loads,
                                   normal_loads, shelves_of)
            if fp is None:
                continue
            fid = ids.setdefault(fp, len(ids))
            for name in nodes:
                self.of_node[name] = (prefix, fid)

    @staticmethod
    def _fingerprint(inv: Inventory, prefix: str, nodes: set[str], cabinets: list[str],
                     by_feed: dict[str, set[str]], loads: dict[str, Any],
                     normal_loads: dict[str, float], shelves_of: dict[str, list[Device]]
                     ) -> tuple[Any, ...] | None:
        cut = len(prefix)

        class Open(Exception):
            pass

        def loc(name: str | None) -> Any:
            if name is None:
                return None
            if name in nodes:
                return name[cut:]
            if name in inv.power_nodes:
                raise Open
            return ("not a node", name)

        cabs = set(cabinets)
        try:
            node_part = []
            for name in sorted(nodes):
                node = inv.power_nodes[name]
                if not by_feed.get(name, set()) <= cabs:
                    raise Open
                node_part.append((name[cut:], loc(node.spec.parent), node.spec.efficiency,
                                  node.redundancy, normal_loads[name],
                                  tuple(loc(c) for c in node.children)))
            cab_part = []
            for name in sorted(cabinets):
                if not name.startswith(prefix):
                    raise Open
                cab = inv.cabinets[name]
                cab_part.append((name[cut:], loads[name].max_w, tuple(loc(f) for f in cab.feeds),
                                 tuple((d.type_name, tuple(loc(f) for f in d.feeds))
                                       for d in shelves_of[name])))
        except Open:
            return None
        return (tuple(node_part), tuple(cab_part))

    def key(self, label: str, failed: frozenset[str]) -> tuple[str, int, str] | None:
        if len(failed) != 1:
            return None
        (name,) = failed
        hit = self.of_node.get(name)
        if hit is None or label != f"{name} fails":
            return None
        prefix, fid = hit
        return prefix, fid, name[len(prefix):]

    def get(self, key: tuple[str, int, str] | None) -> tuple[dict[str, float], list[str]] | None:
        if key is None:
            return None
        prefix, fid, local = key
        got = self.memo.get((fid, local))
        if got is None:
            return None
        return {prefix + n: w for n, w in got[0].items()}, [prefix + c for c in got[1]]

    def put(self, key: tuple[str, int, str] | None, sc_loads: dict[str, float],
            lost: list[str]) -> None:
        if key is None:
            return
        prefix, fid, local = key
        if all(n.startswith(prefix) for n in sc_loads) and all(c.startswith(prefix) for c in lost):
            cut = len(prefix)
            self.memo[(fid, local)] = ({n[cut:]: w for n, w in sc_loads.items()},
                                       [c[cut:] for c in lost])


def shelf_capacity(inv: Inventory) -> dict[str, tuple[float, float, str]]:
    """cabinet -> (usable output of all shelves, worst surviving output after one shelf or one
    side of shelves fails, what failed), for cabinets with power shelves."""
    sides = _side_map(inv)
    out: dict[str, tuple[float, float, str]] = {}
    for cab in inv.iter_cabinets():
        sh = shelves(cab.devices)
        if not sh:
            continue
        total = sum(usable_output_w(d) for d in sh)
        worst, what = total, "nothing"
        systems = {inv.power_nodes[f].redundancy for d in sh for f in d.feeds
                   if f in inv.power_nodes}
        redundancy = "2N" if "2N" in systems else ("N+1" if "N+1" in systems else "N")
        if redundancy != "N":
            for d in sh:
                left = total - usable_output_w(d)
                if left < worst:
                    worst, what = left, f"shelf {d.address} fails"
            if redundancy == "2N":
                by_side: dict[str, float] = defaultdict(float)
                for d in sh:
                    # a shelf fed from both sides (dual-input) survives the loss of either
                    fed = {s for f in d.feeds if (s := sides.get(f))}
                    if len(fed) == 1:
                        by_side[fed.pop()] += usable_output_w(d)
                for s, w in sorted(by_side.items()):
                    if total - w < worst:
                        worst, what = total - w, f"side {s} fails"
        out[cab.name] = (total, worst, what)
    return out


SOURCE_TYPES = frozenset({"utility", "generator"})
"""Power sources, not distribution: the common-mode search does not fail them (a grid outage is
covered by on-site generation and UPS ride-through, which a single-parent tree cannot draw as
parallel paths; Uptime Institute Tier Standard: Topology treats the utility as an economic
alternative, not as the dependable source)."""


def _live(inv: Inventory, feeds: list[str], down: frozenset[str]) -> bool:
    return any(f in inv.power_nodes and f not in down for f in feeds)


def dark_devices(inv: Inventory, cab: Cabinet, down: frozenset[str]) -> list[Device]:
    """Devices of `cab` left with no live supply while the nodes in `down` are out.

    A device with its own feeds (a power shelf, a PDU) is dark when all of them are down. The
    other devices draw from the cabinet's power shelves (busbar): dark when every shelf is dark;
    in a cabinet without shelves they draw from the cabinet's feeds."""
    sh = shelves(cab.devices)
    dark: list[Device] = []
    own_dark = {d.name for d in cab.devices if d.feeds and not _live(inv, d.feeds, down)}
    if sh:
        shared_dark = all(d.name in own_dark or (not d.feeds and not _live(inv, cab.feeds, down))
                          for d in sh)
    else:
        shared_dark = bool(cab.feeds) and not _live(inv, cab.feeds, down)
    for d in cab.devices:
        if d.name in own_dark or (not d.feeds and shared_dark):
            dark.append(d)
    return dark


@dataclass(slots=True)
class CommonMode:
    node: str
    sides: list[str]
    """Sides whose nodes sit under the failed node (both sides, or none declared)."""
    dark: list[Device]
    claimed: str


@derived
def common_mode_points(inv: Inventory) -> list[CommonMode]:
    """Every non-source node of a 2N PowerSystem whose single failure leaves devices dark and
    whose subtree spans both sides (or no side at all): the 2N claim is not true there."""
    sides = _side_map(inv)
    anc = _ancestor_map(inv)
    sides_below: dict[str, set[str]] = defaultdict(set)
    for name, side in sides.items():
        if side:
            for up in (name, *anc[name]):
                sides_below[up].add(side)
    candidates = {n for n, node in inv.power_nodes.items()
                  if node.redundancy == "2N" and node.spec.type not in SOURCE_TYPES
                  and len(sides_below.get(n, ())) != 1}  # one-sided: the other side covers it
    by_node: dict[str, set[str]] = defaultdict(set)
    if candidates:
        for cab in inv.iter_cabinets():
            for f in set(cab.feeds) | {f for d in cab.devices for f in d.feeds}:
                if f in inv.power_nodes:
                    for up in (f, *anc[f]):
                        if up in candidates:
                            by_node[up].add(cab.name)
    out: list[CommonMode] = []
    for name in sorted(candidates & set(by_node)):
        node = inv.power_nodes[name]
        down = _down_set(inv, frozenset({name}))
        below = sorted(sides_below.get(name, ()))
        dark = [d for c in sorted(by_node[name]) for d in dark_devices(inv, inv.cabinets[c], down)]
        if dark:
            out.append(CommonMode(name, below, dark, node.redundancy))
    return out


@dataclass(slots=True)
class Supply:
    """Electrical character of a power node, inherited down the tree where not declared."""

    voltage_v: float | None
    phases: int
    frequency_hz: int | None


@derived
def supplies(inv: Inventory) -> dict[str, Supply]:
    """node -> its voltage (own, else the nearest ancestor's), phases and frequency."""
    out: dict[str, Supply] = {}
    chains = _ancestor_map(inv)
    for name, node in inv.power_nodes.items():
        v, f = node.spec.voltage_v, node.spec.frequency_hz
        through_transformer = node.spec.type == "transformer"
        for anc in chains[name]:
            a = inv.power_nodes[anc].spec
            if v is None and not through_transformer:
                v = a.voltage_v  # a transformer's voltage_v is its secondary; above it, unknown
            through_transformer |= a.type == "transformer"
            f = f if f is not None else a.frequency_hz
        out[name] = Supply(v, node.spec.phases, f)
    return out


def ancestors(inv: Inventory, name: str) -> list[str]:
    """Parent, grandparent, ... of a power node (loops cut)."""
    return _ancestors(inv, name)
