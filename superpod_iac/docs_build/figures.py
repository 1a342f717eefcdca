"""Published-figure tables in the reference designs' READMEs.

Each spec README holds a table between `<!-- figures:begin -->` and `<!-- figures:end -->`:

    | figure | tool | published | source | difference | note |

`figure` is a metric of `superpod summary` for the spec's system (its cluster, else its largest
superpod); `published` starts with the published number in the metric's unit (anything after
it is kept as text); `source` and `note` are free text. `make docs` rewrites the `tool` and
`difference` columns from the tool's output, so the table cannot drift from what the tool
computes; a difference above 2 % must carry a note (explained, or `unconfirmed`). A row with
a published number names its source, and compares it with what the model derives (the links'
bandwidth, not the catalog's per-accelerator claim x the count: DECLARED); tests/test_specs.py
fails on a stale, unsourced or declared-only row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from superpod_iac.metrics import metric_rows, pick_system, summary_rows
from superpod_iac.model.counts import SystemCounts
from superpod_iac.numbers import figure as figure_text

if TYPE_CHECKING:
    from superpod_iac.config import Config

BEGIN = "<!-- figures:begin -->"
END = "<!-- figures:end -->"
HEADER = ["figure", "tool", "published", "source", "difference", "note"]
TOLERANCE_PCT = 2.0
"""Differences above this need a note (issue 14)."""

DECLARED = {
    "scale-up bandwidth per accelerator": "scale-up bandwidth per accelerator (links)",
    "scale-up bandwidth aggregate": "scale-up bandwidth aggregate (links)",
}
"""Summary metrics that restate a catalog claim (a vendor's per-accelerator figure x the
count) -> the metric the model derives from the links. A published figure is compared with the
derived one: against the claim it would match by construction (issue 27)."""

_NUMBER = re.compile(r"^\s*~?\s*([-+]?[\d,]*\.?\d+)")
_CACHE: dict[str, tuple[str, SystemCounts, dict[str, tuple[object, str]]]] = {}


def spec_config(folder: Path) -> Config:
    """Schema and reference checks only, under the load limits of the configuration that
    governs the folder: a design that raises them knowingly in its own `superpod.toml` (the
    Atlas 950 SuperCluster) is built, not refused by the defaults (SCH012)."""
    from superpod_iac.config import Config, load_config

    return Config(select=["SCH", "REF"], limits=load_config(paths=[folder]).limits)


def _loaded(folder: Path) -> tuple[str, SystemCounts, dict[str, tuple[object, str]]]:
    """The spec's system (label, counts) and its summary metrics, from one load per process:
    the README tables and docs/systems.md share it (the Atlas 950 SuperCluster costs ~6 s)."""
    key = str(folder.resolve())
    if key not in _CACHE:
        from superpod_iac.pipeline import load_project

        inv = load_project([str(folder)], spec_config(folder)).inventory
        label, counts = pick_system(inv, None)
        _cols, rows = summary_rows(inv)
        _CACHE[key] = (label, counts,
                       {str(r[1]): (r[2], str(r[3])) for r in rows if r[0] == label})
    return _CACHE[key]


def spec_metrics(folder: Path) -> dict[str, tuple[object, str]]:
    """metric -> (value, unit) of the spec's system, as `superpod summary` shows them."""
    return _loaded(folder)[2]


def parse_number(text: str) -> float | None:
    m = _NUMBER.match(text.replace("\u2009", ""))
    if not m or not any(ch.isdigit() for ch in m.group(1)):
        return None
    return float(m.group(1).replace(",", ""))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_rows(text: str) -> list[list[str]]:
    """The figure rows of a README (cells as written), [] without a figures table."""
    if BEGIN not in text:
        return []
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    lines = [ln for ln in body.strip().splitlines() if ln.strip().startswith("|")]
    rows = [_cells(ln) for ln in lines[2:]]
    return [r + [""] * (len(HEADER) - len(r)) for r in rows]


def render_rows(folder: Path, rows: list[list[str]]) -> list[list[str]]:
    metrics = spec_metrics(folder)
    out = []
    for r in rows:
        figure, _tool, published, source, _diff, note = r[:6]
        value, unit = metrics.get(figure, (None, ""))
        tool = "n/a" if value is None else f"{figure_text(value)} {unit}".strip()
        pub = parse_number(published)
        diff = ""
        if isinstance(value, int | float) and pub:
            diff = f"{(float(value) - pub) / pub * 100:+.1f} %"
        out.append([figure, tool, published, source, diff, note])
    return out


def unsourced(rows: list[list[str]]) -> list[str]:
    """Figures that give a published number without naming where it was published."""
    return [r[0] for r in rows if parse_number(r[2]) is not None and not r[3].strip()]


def declared_rows(rows: list[list[str]]) -> list[str]:
    """Figures compared with a catalog claim where the model derives the value (DECLARED)."""
    return [r[0] for r in rows if r[0] in DECLARED]


def differences_unexplained(rows: list[list[str]]) -> list[str]:
    """Figures whose difference is above the tolerance with no note."""
    bad = []
    for r in rows:
        d = parse_number(r[4].replace("+", "")) if r[4] else None
        if d is not None and abs(d) > TOLERANCE_PCT and not r[5]:
            bad.append(r[0])
    return bad


def to_md(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def readme_text(folder: Path) -> str:
    """The README with its figures table's tool and difference columns regenerated."""
    path = folder / "README.md"
    text = path.read_text(encoding="utf-8")
    rows = table_rows(text)
    if not rows:
        return text
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{to_md(render_rows(folder, rows))}\n{END}{tail}"


def spec_folders(root: str = "specs") -> list[Path]:
    base = Path(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "README.md").is_file())


# -- docs/systems.md: every reference design's summary and the published comparisons ---------
COMPARISONS: list[tuple[str, str, str, list[tuple[str, float, str]]]] = [
    ("Huawei's claim: Atlas 950 vs Vera Rubin NVL144", "atlas-950", "nvl144", [
        ("accelerator dies", 56.8, ""),
        ("compute fp8 dense", 6.7, ""),
        ("fast memory (HBM + device memory)", 15.0, "1,152 TB / 75 TB = 15.4x; Huawei rounds "
                                                   "to 15x"),
        ("scale-up bandwidth aggregate (links)", 62.0, "from the modelled UB links of both "
                                                        "systems, not the catalog claims"),
    ]),
    ("SemiAnalysis: CloudMatrix 384 vs GB200 NVL72, both with their scale-out network",
     "cloudmatrix-384", "gb200-nvl72-scale-out", [
        ("compute bf16 dense", 1.7, "300 / 180 PF = 1.67x, rounded to 1.7x"),
        ("HBM", 3.6, ""),
        ("HBM bandwidth", 2.1, ""),
        ("power max", 3.9, "both at rack(s) + scale-out: SemiAnalysis counts the NVL72 at "
                          "~145 kW with its share of the scale-out network (559 / 145 = "
                          "3.86x); the spec models the rack (131.4 kW) and its share of a "
                          "3-tier InfiniBand fabric (10.0 kW); the rack alone "
                          "(specs/gb200-nvl72) gives 4.25x"),
        ("power per dense PFLOPS (bf16)", 2.3, "follows from the power row: the modelled share "
                                               "is 3.6 kW under SemiAnalysis' ~13.6 kW"),
        ("scale-out bandwidth aggregate (links)", 5.3, "384 vs 72 x 400G, from the links"),
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
    ("NVIDIA GTC 2025: Rubin Ultra NVL576 vs GB300 NVL72", "rubin-ultra-nvl576", "gb300-nvl72", [
        ("compute fp4 dense", 14.0, "15 EF / 1.08 EF = 13.9x; NVIDIA rounds to 14x"),
        ("HBM bandwidth", 8.0, ""),
        ("scale-up bandwidth aggregate", 12.0, "1.5 PB/s / 130 TB/s = 11.5x; NVIDIA says 12x"),
    ]),
]
"""(title, spec A, spec B, [(metric, published multiple A/B, note)]): the article's
comparisons, recomputed from the specs in docs/systems.md."""


def _spec_system(folder: object) -> tuple[str, SystemCounts]:
    label, counts, _metrics = _loaded(Path(str(folder)))
    return label, counts


def _scale_up_tbytes_s(c: SystemCounts) -> float | str:
    """The scale-up aggregate the links carry; where no scale-up link is modelled (an 8-GPU
    server's NVLink inside the box) the catalog's claim, marked as such."""
    if c.scale_up_links_gbytes_s or not c.scale_up_gbytes_s:
        return round(c.scale_up_links_gbytes_s / 1000, 1)
    return f"{figure_text(round(c.scale_up_gbytes_s / 1000, 1))} (catalog, no links)"


def systems_markdown(spec_root: str = "specs") -> str:
    """docs/systems.md: every reference design's summary, its published-figures table (from
    its README) and the published comparisons between systems, recomputed."""
    from pathlib import Path

    from superpod_iac.report import tables

    cols = ["spec", "system", "accelerators", "cabinets", "FP8 PF", "BF16 PF", "HBM GB",
            "scale-up TB/s (links)", "power kW", "kW / cabinet", "optics"]
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
                     round(c.hbm_gb), _scale_up_tbytes_s(c),
                     round(c.max_w / 1000, 1),
                     round(c.max_w / 1000 / c.cabinets, 1) if c.cabinets else None,
                     c.transceivers])
    head = ("# Reference systems\n\n<!-- Generated by `make docs` (superpod_iac.docs_build.figures) from "
            "specs/; a test fails when it is stale. -->\n\nComputed from the parts in each spec "
            "(`superpod summary specs/NAME`); see each spec's README for sources and for the "
            "figures that are unconfirmed or announced. Power is nameplate maximum IT load "
            "(devices + optics).\n\n")
    out = head + tables.to_md(cols, rows, escape=False)
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
            crow.append([metric, figure_text(va), figure_text(vb),
                         "n/a" if ratio is None else f"{ratio:.2f}x", f"{published:g}x",
                         "" if ratio is None else f"{(ratio - published) / published * 100:+.1f} %",
                         note])
        out += f"\n### {title} ({a} / {b})\n\n" + tables.to_md(ccols, crow, escape=False)
    out += "\n## Published figures per system\n\nFrom each spec README's figures table.\n"
    for folder in folders:
        if not (folder / "README.md").is_file():
            continue
        frows = table_rows((folder / "README.md").read_text(encoding="utf-8"))
        if frows:
            out += (f"\n### [{folder.name}](../{spec_root}/{folder.name}/README.md)\n\n"
                    + to_md(render_rows(folder, frows)) + "\n")
    return out
