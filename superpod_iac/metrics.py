"""System metrics rows for `summary` and `compare`, from model/counts.py."""

from __future__ import annotations

from superpod_iac.model.counts import SystemCounts, cluster_counts, superpod_counts
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory

NA = "n/a"
"""Shown for a metric a compared system does not have."""

PRECISIONS = ("fp4", "fp8", "bf16", "fp16", "tf32", "fp32", "fp64", "int8", "fp6")


def systems(inv: Inventory) -> list[tuple[str, SystemCounts]]:
    """(label, counts) per cluster and per superpod; replicas of one template appear once."""
    out: list[tuple[str, SystemCounts]] = []
    for name, counts in cluster_counts(inv).items():
        out.append((f"cluster {name}", counts))
    seen: dict[str, list[str]] = {}
    for name, pod in sorted(inv.superpods.items()):
        seen.setdefault(pod.template or name, []).append(name)
    pods = superpod_counts(inv)
    for template, names in sorted(seen.items()):
        label = f"superpod {template}" if names == [template] else \
            f"superpod {template} (each of {len(names)}: {fold(names)})"
        out.append((label, pods[names[0]]))
    return out


def boundary(c: SystemCounts) -> str:
    """The system boundary the figures count, derived from what is modelled: the cabinets,
    and whether the accelerators' scale-up and scale-out links (so the network around them)
    are inside. Published comparisons differ by boundary: SemiAnalysis counts a GB200 NVL72 at
    ~145 kW with its share of the scale-out network, the rack alone is ~132 kW."""
    nets = []
    if c.scale_up_links_gbytes_s:
        nets.append("scale-up fabric")
    if c.scale_out_links_gbytes_s:
        nets.append("scale-out network")
    inside = " + ".join(nets) if nets else "no fabric"
    rack_only = "" if c.scale_out_links_gbytes_s else " (rack only, no scale-out)"
    return f"{c.cabinets} cab: {inside}{rack_only}"


BOUNDARY_METRICS = frozenset({
    "cabinets", "switches", "scale-out bandwidth per accelerator (links)",
    "scale-out bandwidth aggregate (links)", "power max", "power typical",
    "power max per accelerator", "power per cabinet", "power per dense PFLOPS (bf16)",
    "heat to liquid", "heat to air", "links", "optical links", "optical transceivers",
    "floor area"})
"""Metrics that change with the system boundary (whether the scale-out network is inside):
`compare` marks their ratios when the two systems' boundaries differ (issue 27: CloudMatrix 384,
scale-out inside, vs the GB200 NVL72 rack alone gives 4.25x power where SemiAnalysis, both
with their scale-out network, publishes ~3.9x)."""

MIXED = "mixed boundary"
"""Suffix of a ratio that compares two different system boundaries."""


def same_boundary(a: SystemCounts, b: SystemCounts) -> bool:
    """Whether two systems count the same network around their accelerators: both with their
    scale-out network, or both without (the rack, or racks, alone)."""
    return bool(a.scale_out_links_gbytes_s) == bool(b.scale_out_links_gbytes_s)


def boundary_note(a: SystemCounts, b: SystemCounts) -> str | None:
    """None at one boundary; else which system counts its scale-out network (the ratio cell of
    `compare`'s boundary check row)."""
    if same_boundary(a, b):
        return None
    inside = a if a.scale_out_links_gbytes_s else b
    return f"differs: only {inside.name} counts a scale-out network"


def boundary_hint(a: SystemCounts, b: SystemCounts) -> str | None:
    """What `compare` tells the operator when two boundaries differ: which ratios mix them and
    how to compare like for like."""
    if same_boundary(a, b):
        return None
    inside, outside = (a, b) if a.scale_out_links_gbytes_s else (b, a)
    return (f"{inside.name} counts its scale-out network, {outside.name} is the rack(s) alone: "
            f"the ratios marked '{MIXED}' (power, W per FLOP, switches, links, optics) compare "
            f"different scopes. Compare at one boundary with a design of {outside.name} that "
            "models its share of the scale-out network (for the GB200 NVL72: "
            "specs/gb200-nvl72-scale-out, which reproduces SemiAnalysis' ~3.9x power)")


def metric_rows(c: SystemCounts) -> list[tuple[str, float | int | str | None, str]]:
    """(metric, value, unit) in display units; the first row states the system boundary."""
    rows: list[tuple[str, float | int | str | None, str]] = [
        ("system boundary", boundary(c), ""),
        ("accelerators", c.accelerators, "packages"),
        ("accelerator dies", c.accelerator_dies, "dies"),
        ("cabinets", c.cabinets, ""),
        ("switches", c.switches, ""),
    ]
    for p in PRECISIONS:
        if p in c.compute_tflops:
            rows.append((f"compute {p} dense", c.compute_tflops[p] / 1000, "PFLOPS"))
    rows += [
        ("HBM", c.hbm_gb or None, "GB"),
        ("HBM bandwidth", c.hbm_tbytes_s or None, "TB/s"),
        ("fast memory (HBM + device memory)", (c.hbm_gb + c.memory_gb) or None, "GB"),
        ("scale-up bandwidth per accelerator",
         c.scale_up_gbytes_s / c.accelerators if c.accelerators and c.scale_up_gbytes_s
         else None, "GB/s"),
        ("scale-up bandwidth per accelerator (links)", _per(c.scale_up_links_gbytes_s, c),
         "GB/s"),
        ("scale-up bandwidth aggregate", c.scale_up_gbytes_s / 1000 or None, "TB/s"),
        ("scale-up bandwidth aggregate (links)", c.scale_up_links_gbytes_s / 1000 or None,
         "TB/s"),
        ("scale-out bandwidth per accelerator (links)", _per(c.scale_out_links_gbytes_s, c),
         "GB/s"),
        ("scale-out bandwidth aggregate (links)", c.scale_out_links_gbytes_s / 1000 or None,
         "TB/s"),
        ("power max", c.max_w / 1000, "kW"),
        ("power typical", c.typical_w / 1000, "kW"),
        ("power max per accelerator", c.max_w / 1000 / c.accelerators if c.accelerators
         else None, "kW/package"),
        ("power per cabinet", c.max_w / 1000 / c.cabinets if c.cabinets else None, "kW"),
        ("power per dense PFLOPS (bf16)", c.max_w / c.compute_tflops["bf16"]
         if c.compute_tflops.get("bf16") else None, "kW/PF"),
        ("heat to liquid", c.liquid_w / 1000, "kW"),
        ("heat to air", c.air_w / 1000, "kW"),
        ("links", c.links, ""),
        ("optical links", c.optical_links, ""),
        ("optical transceivers", c.transceivers, ""),
        ("floor area", c.floor_m2, "m2"),
    ]
    return rows


def _per(total: float, c: SystemCounts) -> float | None:
    """A total per accelerator package; None when there is none (shown `n/a`)."""
    return total / c.accelerators if c.accelerators and total else None


def summary_rows(inv: Inventory) -> tuple[list[str], list[list[object]]]:
    cols = ["system", "metric", "value", "unit"]
    rows: list[list[object]] = []
    from superpod_iac.model.shape import analyse

    shapes = analyse(inv)
    for label, c in systems(inv):
        for metric, value, unit in metric_rows(c):
            rows.append([label, metric, _round(value), unit])
        cluster = inv.clusters.get(c.name) if c.kind == "cluster" else None
        if cluster is not None:  # replication scope: what the replicas share, what each owns
            rows.append([label, "infrastructure shared by the replicas",
                         fold(cluster.site) if cluster.site else "none", ""])
            rows.append([label, "infrastructure copied per replica",
                         fold(cluster.per_replica) if cluster.per_replica else "none", ""])
        pod = inv.superpods.get(c.name)
        fabrics = set(pod.fabrics) if pod is not None else set(inv.fabrics)
        for rep in shapes:
            if rep.fabric not in fabrics:
                continue
            if rep.bisection_gbps is not None:
                rows.append([label, f"bisection bandwidth {rep.fabric} ({rep.shape})",
                             _round(rep.bisection_gbps / 1000), "Tb/s"])
            if rep.max_hops is not None:
                rows.append([label, f"max hops {rep.fabric}", rep.max_hops, "links"])
    return cols, rows


def pick_system(inv: Inventory, name: str | None) -> tuple[str, SystemCounts]:
    """The system a path stands for: a named one, its only cluster, or its largest superpod."""
    found = systems(inv)
    if name:
        for label, c in found:
            if c.name == name or label.split(" ")[1] == name:
                return label, c
        raise KeyError(f"no superpod or cluster named '{name}' (have: "
                       f"{', '.join(c.name for _, c in found)})")
    if not found:
        raise KeyError("no Superpod or Cluster manifest in the design")
    clusters = [s for s in found if s[1].kind == "cluster"]
    if clusters:
        return clusters[0]
    return max(found, key=lambda s: (s[1].accelerators, s[0]))


def compare_rows(*systems_: SystemCounts) -> tuple[list[str], list[list[object]]]:
    """Metrics of two or more systems side by side, in the first system's metric order, then
    any metric only a later one has; a metric a system lacks is `n/a`. Ratio columns compare
    the first system (A) with each other one (B, C, ...)."""
    if len(systems_) < 2:
        raise ValueError("compare needs at least two systems")
    letters = [chr(ord("A") + i) if i < 26 else f"S{i + 1}" for i in range(len(systems_))]
    names: list[str] = []
    for letter, c in zip(letters, systems_, strict=True):
        name = c.name if c.name not in names else f"{c.name} ({letter})"
        names.append(name)
    cols = ["metric", "unit", *names] + [f"ratio A/{x}" for x in letters[1:]]
    order: list[tuple[str, str]] = []
    seen: set[str] = set()
    values: list[dict[str, float | int | str | None]] = []
    for c in systems_:
        vals: dict[str, float | int | str | None] = {}
        for metric, value, unit in metric_rows(c):
            if metric not in seen:
                seen.add(metric)
                order.append((metric, unit))
            vals[metric] = value
        values.append(vals)
    mixed = [not same_boundary(systems_[0], c) for c in systems_[1:]]
    rows: list[list[object]] = []
    for metric, unit in order:
        vs = [v.get(metric) for v in values]
        shown: list[object] = [NA if metric not in v else _round(v[metric]) for v in values]
        ratios: list[object] = []
        for vb, mix in zip(vs[1:], mixed, strict=True):
            va = vs[0]
            if isinstance(va, int | float) and isinstance(vb, int | float) and vb:
                mark = f" ({MIXED})" if mix and metric in BOUNDARY_METRICS else ""
                ratios.append(f"{va / vb:.2f}x{mark}")
            else:
                ratios.append(None)
        rows.append([metric, unit, *shown, *ratios])
        if metric == "system boundary" and any(mixed):  # said where it matters only
            notes = [boundary_note(systems_[0], c) for c in systems_[1:]]
            rows.append(["boundary check", "", *([None] * len(systems_)), *notes])
    return cols, rows


def _round(v: float | int | str | None) -> float | int | str | None:
    if isinstance(v, float):
        return round(v, 3)
    return v
