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
    rows: list[list[object]] = []
    for metric, unit in order:
        vs = [v.get(metric) for v in values]
        shown: list[object] = [NA if metric not in v else _round(v[metric]) for v in values]
        ratios: list[object] = []
        for vb in vs[1:]:
            va = vs[0]
            if isinstance(va, int | float) and isinstance(vb, int | float) and vb:
                ratios.append(f"{va / vb:.2f}x")
            else:
                ratios.append(None)
        rows.append([metric, unit, *shown, *ratios])
    return cols, rows


def _round(v: float | int | str | None) -> float | int | str | None:
    if isinstance(v, float):
        return round(v, 3)
    return v


COMPARISONS: list[tuple[str, str, str, list[tuple[str, float, str]]]] = [
    ("Huawei's claim: Atlas 950 vs Vera Rubin NVL144", "atlas-950", "nvl144", [
        ("accelerator dies", 56.8, ""),
        ("compute fp8 dense", 6.7, ""),
        ("fast memory (HBM + device memory)", 15.0, "1,152 TB / 75 TB = 15.4x; Huawei rounds "
                                                   "to 15x"),
        ("scale-up bandwidth aggregate", 62.0, ""),
    ]),
    ("SemiAnalysis: CloudMatrix 384 vs GB200 NVL72", "cloudmatrix-384", "gb200-nvl72", [
        ("compute bf16 dense", 1.7, "300 / 180 PF = 1.67x, rounded to 1.7x"),
        ("HBM", 3.6, ""),
        ("HBM bandwidth", 2.1, ""),
        ("power max", 3.9, "SemiAnalysis counts the NVL72 at ~145 kW with its share of the "
                          "scale-out network; the NVL72 spec is the rack alone (itemised trays, "
                          "131.4 kW): 559 / 145 = 3.86x"),
        ("power per dense PFLOPS (bf16)", 2.3, "follows from the power row"),
    ]),
    ("SemiAnalysis at one boundary: CloudMatrix 384 vs GB200 NVL72 racks with their share of "
     "the scale-out network (the DGX SuperPOD SU: 8 NVL72 + the InfiniBand fabric)",
     "cloudmatrix-384", "dgx-superpod-su", [
         ("power max per accelerator", round(3.9 * 72 / 384, 2),
          "SemiAnalysis' 559 / 145 kW = 3.86x for 384 vs 72 accelerators is 0.73x per "
          "accelerator; the SU counts 1,091.6 kW / 576 = 1.90 kW per GPU with its scale-out "
          "share (SemiAnalysis: 145 / 72 = 2.01 kW: a larger network share than the SU's "
          "compute fabric)"),
         ("scale-out bandwidth per accelerator (links)", 1.0,
          "400 Gb/s per NPU and per GPU: SemiAnalysis' 5.3x scale-out is per system "
          "(384 x 400G vs 72 x 400G = 5.33x)"),
     ]),
]
"""(title, spec A, spec B, [(metric, published multiple A/B, note)]): the article's
comparisons, recomputed from the specs in docs/systems.md."""


def _spec_system(folder: object) -> tuple[str, SystemCounts]:
    from pathlib import Path

    from superpod_iac.config import Config
    from superpod_iac.pipeline import load_project

    key = str(Path(str(folder)).resolve())
    if key not in _SYSTEMS:
        inv = load_project([str(folder)], Config(select=["SCH", "REF"])).inventory
        _SYSTEMS[key] = pick_system(inv, None)
    return _SYSTEMS[key]


_SYSTEMS: dict[str, tuple[str, SystemCounts]] = {}


def systems_markdown(spec_root: str = "specs") -> str:
    """docs/systems.md: every reference design's summary, its published-figures table (from
    its README) and the published comparisons between systems, recomputed."""
    from pathlib import Path

    from superpod_iac import figures
    from superpod_iac.report import tables

    cols = ["spec", "system", "accelerators", "cabinets", "FP8 PF", "BF16 PF", "HBM GB",
            "scale-up TB/s", "power kW", "kW / cabinet", "optics"]
    rows = []
    folders = sorted(p for p in Path(spec_root).iterdir() if p.is_dir())
    for folder in folders:
        label, c = _spec_system(folder)
        fp8 = c.compute_tflops.get("fp8")
        bf16 = c.compute_tflops.get("bf16")
        rows.append([f"[{folder.name}](../{spec_root}/{folder.name}/README.md)", label,
                     c.accelerators, c.cabinets,
                     None if fp8 is None else round(fp8 / 1000, 1),
                     None if bf16 is None else round(bf16 / 1000, 1),
                     round(c.hbm_gb), round(c.scale_up_gbytes_s / 1000, 1),
                     round(c.max_w / 1000, 1),
                     round(c.max_w / 1000 / c.cabinets, 1) if c.cabinets else None,
                     c.transceivers])
    head = ("# Reference systems\n\n<!-- Generated by `make docs` (superpod_iac.metrics) from "
            "specs/; a test fails when it is stale. -->\n\nComputed from the parts in each spec "
            "(`superpod summary specs/NAME`); see each spec's README for sources and for the "
            "figures that are unconfirmed or announced. Power is nameplate maximum IT load "
            "(devices + optics).\n\n")
    out = head + tables.to_md(cols, rows)
    out += ("\n## Published comparisons, recomputed\n\nRatios of the two specs' `summary` "
            "metrics (`superpod compare specs/A specs/B`) against the published multiples.\n")
    ccols = ["metric", "A", "B", "tool A/B", "published A/B", "difference", "note"]
    for title, a, b, items in COMPARISONS:
        if not (Path(spec_root) / a).is_dir() or not (Path(spec_root) / b).is_dir():
            continue
        ma = dict((m, v) for m, v, _u in metric_rows(_spec_system(Path(spec_root) / a)[1]))
        mb = dict((m, v) for m, v, _u in metric_rows(_spec_system(Path(spec_root) / b)[1]))
        crow = []
        for metric, published, note in items:
            va, vb = ma.get(metric), mb.get(metric)
            ratio = va / vb if isinstance(va, int | float) and isinstance(vb, int | float) \
                and vb else None
            crow.append([metric, figures.fmt(va), figures.fmt(vb),
                         "n/a" if ratio is None else f"{ratio:.2f}x", f"{published:g}x",
                         "" if ratio is None else f"{(ratio - published) / published * 100:+.1f} %",
                         note])
        out += f"\n### {title} ({a} / {b})\n\n" + tables.to_md(ccols, crow)
    out += "\n## Published figures per system\n\nFrom each spec README's figures table.\n"
    for folder in folders:
        if not (folder / "README.md").is_file():
            continue
        frows = figures.table_rows((folder / "README.md").read_text(encoding="utf-8"))
        if frows:
            out += (f"\n### [{folder.name}](../{spec_root}/{folder.name}/README.md)\n\n"
                    + figures.to_md(figures.render_rows(folder, frows)) + "\n")
    return out
