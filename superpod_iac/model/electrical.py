"""Electrical studies of the power tree: voltage drop and prospective fault current per node.

Derived data only; the formulas are in physics.py (IEC 60364-5-52 Annex G for voltage drop,
IEC 60909-0 for fault currents) and the rules ELC008-ELC012 compare the figures with ratings
and policy.

- Current: the node's worst-case load (normal or after any single failure, whichever is larger,
  as the power tree computes it) at its voltage and power factor.
- Voltage drop: of the node's own `conductor` at that current; the total adds the drops of the
  conductors from the top of the node's voltage level (the nearest transformer, or the root)
  down to the node.
- Fault current: a bolted three-phase fault at the node's terminals. The impedance is the
  source's (a root's `fault_ka`, or a transformer's %Z with what the primary side offers; an
  unknown primary side is an infinite bus), referred to the node's voltage, plus the
  conductors between; source and transformer impedances are taken as reactive and conductors
  at 20 C, which errs towards the larger current. A UPS passes the fault level of the source
  above it: its static bypass closes on a fault (the inverter's own current limit is the
  smaller, non-conservative case).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from superpod_iac import physics
from superpod_iac.manifest.policy import Policy
from superpod_iac.manifest.power import Conductor, PowerNode
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.power import Supply, power_tree, supplies

RHO_20_FACTOR = 1.25
"""IEC 60364-5-52 Annex G: rho_1 (service temperature) = 1.25 x rho_20."""


@dataclass(slots=True)
class NodeStudy:
    current_a: float | None = None
    drop_pct: float | None = None
    """Drop across the node's own conductor at its worst-case current."""
    total_drop_pct: float | None = None
    """Sum of the drops from the top of the node's voltage level down to the node."""
    total_from: str | None = None
    fault_ka: float | None = None
    fault_missing: str = ""
    """Why the fault current is unknown: the first missing figure on the way up."""


@dataclass(slots=True)
class _Level:
    """The fault loop seen at a node: its voltage and the impedance back to the source."""

    voltage_v: float
    r_ohm: float
    x_ohm: float


def conductor_area_mm2(c: Conductor) -> float:
    return float(c.size_mm2) if c.size_mm2 is not None else physics.awg_area_mm2(str(c.awg))


def conductor_ohm(c: Conductor, policy: Policy, hot: bool) -> tuple[float, float]:
    """R and X of one phase conductor: at service temperature (drop) or at 20 C (fault)."""
    rho = {"copper": policy.copper_resistivity_ohm_mm2_m,
           "aluminium": policy.aluminium_resistivity_ohm_mm2_m}[c.material]
    if not hot:
        rho /= RHO_20_FACTOR
    return physics.conductor_impedance_ohm(c.length_m, conductor_area_mm2(c), rho,
                                           policy.conductor_reactance_mohm_m, c.parallel)


def _current_a(load_w: float, spec: PowerNode, voltage_v: float | None) -> float | None:
    if voltage_v is None:
        return None
    if spec.phases == 3:
        return physics.three_phase_current_a(load_w, voltage_v, spec.pf)
    return physics.single_phase_current_a(load_w, voltage_v, spec.pf)


@derived
def node_studies(inv: Inventory) -> dict[str, NodeStudy]:
    tree = power_tree(inv)
    sup = supplies(inv)
    out: dict[str, NodeStudy] = {}
    levels: dict[str, _Level | str] = {}
    for name in sorted(inv.power_nodes):
        spec = inv.power_nodes[name].spec
        study = out[name] = NodeStudy()
        load = max(tree.normal.loads_w.get(name, 0.0), tree.worst.get(name, (0.0, ""))[0])
        study.current_a = _current_a(load, spec, sup[name].voltage_v)
        if spec.conductor is not None and study.current_a is not None:
            r, x = conductor_ohm(spec.conductor, inv.policy, hot=True)
            study.drop_pct = physics.voltage_drop_pct(study.current_a, r, x, spec.pf,
                                                      sup[name].voltage_v or 0.0, spec.phases)
        level = _level(inv, name, levels, sup)
        if isinstance(level, _Level):
            study.fault_ka = physics.three_phase_fault_ka(level.voltage_v, level.r_ohm,
                                                          level.x_ohm)
        else:
            study.fault_missing = level
    for name in out:
        _total_drop(inv, name, out)
    return out


def _total_drop(inv: Inventory, name: str, out: dict[str, NodeStudy]) -> None:
    total, top, node = 0.0, name, name
    seen: set[str] = set()
    while node in inv.power_nodes and node not in seen:
        seen.add(node)
        spec = inv.power_nodes[node].spec
        if spec.type == "transformer":
            break
        total += out[node].drop_pct or 0.0
        top = node
        node = spec.parent or ""
    if total > 0:
        out[name].total_drop_pct = total
        out[name].total_from = top


def _level(inv: Inventory, name: str, memo: dict[str, _Level | str],
           sup: dict[str, Supply]) -> _Level | str:
    """The fault loop at a node, or why it cannot be known (iterative over the chain)."""
    chain: list[str] = []
    node: str | None = name
    while node is not None and node in inv.power_nodes and node not in memo and node not in chain:
        chain.append(node)
        node = inv.power_nodes[node].spec.parent
    above: _Level | str | None = memo.get(node) if node is not None else None
    for n in reversed(chain):
        above = memo[n] = _step(inv, n, above, sup)
    return memo[name]


def _step(inv: Inventory, name: str, above: _Level | str | None,
          sup: dict[str, Supply]) -> _Level | str:
    spec = inv.power_nodes[name].spec
    volts = spec.voltage_v if spec.voltage_v is not None else sup[name].voltage_v
    if spec.type == "transformer":
        return _transformer(name, spec, above, volts)
    if above is None:  # a root: its own fault level, or nothing to say
        if spec.fault_ka is None or volts is None:
            return f"source {name} declares no fault_ka" if volts else f"{name} has no voltage"
        return _Level(volts, 0.0, physics.source_reactance_ohm(volts, spec.fault_ka))
    if isinstance(above, str):
        return above
    loop = _Level(above.voltage_v, above.r_ohm, above.x_ohm)
    if spec.conductor is not None:
        r, x = conductor_ohm(spec.conductor, inv.policy, hot=False)
        loop.r_ohm += r
        loop.x_ohm += x
    return loop


def _transformer(name: str, spec: PowerNode, above: _Level | str | None,
                 volts: float | None) -> _Level | str:
    if spec.rating_kva is None or spec.impedance_pct is None or volts is None:
        missing = [f for f, v in (("rating_kva", spec.rating_kva),
                                  ("impedance_pct", spec.impedance_pct),
                                  ("voltage_v", volts)) if v is None]
        return f"transformer {name} declares no {' or '.join(missing)}"
    x = physics.transformer_impedance_ohm(volts, spec.rating_kva, spec.impedance_pct)
    if isinstance(above, _Level):  # the primary side's loop, referred to the secondary
        z = math.hypot(above.r_ohm, above.x_ohm)
        x += physics.referred_ohm(z, above.voltage_v, volts)
    return _Level(volts, 0.0, x)


APPARENT = ("utility", "generator", "transformer", "ups")
"""Node types whose nameplate is apparent power (kVA): sources, transformers and UPS."""


@dataclass(slots=True)
class Apparent:
    kva: float
    declared: bool
    """`rating_kva` written in the manifest; else derived as rating_kw / PF."""


@derived
def apparent_ratings(inv: Inventory) -> dict[str, Apparent]:
    """Sources, transformers and UPS -> their kVA rating: the declared `rating_kva`, else the
    kW rating at the node's power factor (S = P / PF)."""
    out: dict[str, Apparent] = {}
    for name, node in inv.power_nodes.items():
        spec = node.spec
        if spec.type not in APPARENT:
            continue
        if spec.rating_kva is not None:
            out[name] = Apparent(float(spec.rating_kva), True)
        elif spec.rating_kw is not None and spec.pf > 0:
            out[name] = Apparent(physics.apparent_kva(float(spec.rating_kw), spec.pf), False)
    return out
