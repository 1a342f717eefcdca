"""Collect the report's data from the pipeline, then write the page (see package docstring)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from superpod_iac import __version__
from superpod_iac.bom import COLUMNS as BOM_COLUMNS
from superpod_iac.config import Config
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.model.inventory import Inventory
from superpod_iac.report.escape import html_text

MAX_CUT_ROWS = 20_000
"""Cut-sheet rows embedded at most (the full schedule is `superpod cabling`)."""
MAX_FINDINGS = 2_000
"""Findings shown with their source lines at most (the rest are counted)."""
EXPECT_FIELDS = ("accelerators", "cabinets", "switches", "transceivers", "links")
_SVG_START = re.compile(r"<svg\b")
_SVG_ID = re.compile(r'\b(id|href)="(#?)([^"]+)"')


@dataclass
class Diagram:
    name: str
    title: str
    svg: str


@dataclass
class ReportData:
    title: str
    files: int
    summary_cols: list[str]
    summary_rows: list[list[Any]]
    kpis: list[tuple[str, str]]
    findings: list[Diagnostic]
    sources: dict[str, list[str]]
    expectations: list[list[Any]]
    diagrams: list[Diagram] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    diagram_error: str | None = None
    bom_rows: list[list[Any]] = field(default_factory=list)
    bom_note: str = ""
    cut_cols: list[str] = field(default_factory=list)
    cut_rows: list[list[Any]] = field(default_factory=list)
    cut_note: str = ""
    diff_md: str | None = None
    diff_error: str | None = None
    base: str | None = None
    blocked: bool = False
    verification: dict[str, Any] | None = None
    """`superpod verify --format json` output given with `superpod report --verification`."""
    verification_error: str | None = None
    """Schema or reference errors: the model is incomplete, only findings are reported."""


def _expectations(inv: Inventory) -> list[list[Any]]:
    """(system, quantity, expected, computed, pass/fail) for each declared `expect:` value."""
    from superpod_iac.model.counts import cluster_counts, superpod_counts

    rows: list[list[Any]] = []
    seen: set[str] = set()
    pods = superpod_counts(inv)
    targets: list[tuple[str, Any, Any]] = []
    for name, cl in sorted(inv.clusters.items()):
        targets.append((f"cluster {name}", cl.expect, cluster_counts(inv).get(name)))
    for name in sorted(inv.superpods):
        pod = inv.superpods[name]
        template = pod.template or name
        if template in seen:
            continue
        seen.add(template)
        label = f"superpod {template}" + (" (each replica)" if pod.template else "")
        targets.append((label, pod.expect, pods.get(name)))
    for label, expect, got in targets:
        if got is None:
            continue
        for q in EXPECT_FIELDS:
            want = getattr(expect, q)
            if want is not None:
                have = getattr(got, q)
                rows.append([label, q, want, have, "pass" if want == have else "fail"])
        if expect.power_kw is not None:
            have_kw = round(got.max_w / 1000, 1)
            ok = abs(got.max_w / 1000 - expect.power_kw) <= \
                expect.power_kw * expect.tolerance_pct / 100 + 1e-9
            rows.append([label, f"power_kw (± {expect.tolerance_pct:g} %)", expect.power_kw,
                         have_kw, "pass" if ok else "fail"])
    return rows


def _cut_indices(inv: Inventory) -> tuple[np.ndarray, str]:
    from superpod_iac.model.linkstats import columns, device_mask
    from superpod_iac.render.scope import build_scope

    n = len(inv.links)
    note = ""
    scope = build_scope(inv)
    if scope.folded and n:
        col = columns(inv)
        mask = device_mask(inv, scope.drawn_cabinets)
        # links of the drawn cabinets, less those to folded replicas (a core tier cabled to
        # every replica would otherwise fill the sheet with other pods' uplinks)
        rest = device_mask(inv, [c for f in scope.folded for c in f.cabinets])
        idx = np.nonzero((mask[col["a_dev"]] | mask[col["b_dev"]])
                         & ~(rest[col["a_dev"]] | rest[col["b_dev"]]))[0]
        reps = ", ".join(f.representative for f in scope.folded)
        note = (f"{n:,} links in the design; shown: the {len(idx):,} links of the drawn "
                f"superpod(s) ({reps}) and of cabinets outside superpods, less those to other "
                "replicas; the replicas are wired alike. The full schedule: `superpod cabling`.")
    else:
        idx = np.arange(n)
    if len(idx) > MAX_CUT_ROWS:
        note = (f"{note} " if note else "") + (
            f"First {MAX_CUT_ROWS:,} of {len(idx):,} links shown; the full schedule: "
            "`superpod cabling`.")
        idx = idx[:MAX_CUT_ROWS]
    return idx, note


def _num(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 3)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _svg_body(svg: bytes, prefix: str) -> str:
    """The <svg> element of a dot SVG (no XML prolog), its ids made unique in the page."""
    text = svg.decode("utf-8")
    m = _SVG_START.search(text)
    body = text[m.start():] if m else text

    def fix(mt: re.Match[str]) -> str:
        attr, hash_, value = mt.group(1), mt.group(2), mt.group(3)
        if attr == "href" and not hash_:
            return mt.group(0)
        return f'{attr}="{hash_}{prefix}{value}"'

    return _SVG_ID.sub(fix, body)


def _kpis(inv: Inventory, findings: Sequence[Diagnostic]) -> list[tuple[str, str]]:
    """The summary's key figures: the first system's sizes, then the findings' count."""
    from superpod_iac.metrics import systems

    kpis: list[tuple[str, str]] = []
    syst = systems(inv)
    if syst:
        label, c = syst[0]
        kpis = [("system", label), ("accelerators", f"{c.accelerators:,}"),
                ("cabinets", f"{c.cabinets:,}"), ("power max", f"{c.max_w / 1000:,.1f} kW"),
                ("links", f"{c.links:,}"), ("optical transceivers", f"{c.transceivers:,}")]
    errors = sum(d.severity == Severity.ERROR for d in findings)
    kpis.append(("findings", f"{errors} error(s), {len(findings) - errors} other"))
    return kpis


def _drawing_budget_ms(inv: Inventory) -> float:
    """What max_cpu_ms leaves for drawing once the design is read, built and checked (the
    same estimate the model's limits use): a report's work is bounded like validation's."""
    limits = inv.limits
    spent = limits.work_ms(len(inv.devices) + len(inv.cabinets), len(inv.links),
                           inv.generator_link_ends // 2, inv.read_bytes)
    return limits.max_cpu_ms - spent


def collect(paths: Sequence[str], config: Config, *, title: str, base: str | None = None,
            progress: Callable[[str], None] | None = None,
            verification: str | None = None) -> ReportData:
    """`title`: the fallback when the design names no single cluster or superpod template;
    `verification`: a `superpod verify --format json` file to show."""
    from superpod_iac import cabling
    from superpod_iac.bom import bom_lines, totals
    from superpod_iac.metrics import summary_rows
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import (
        LEVELS,
        VIEWS,
        DotMissing,
        design_title,
        plan_within,
        render_bytes,
        to_dot,
    )

    project = load_project(paths, config)
    inv = project.inventory
    title = design_title(inv, title)
    findings = sorted(project.diagnostics, key=lambda d: (d.severity.rank, d.sort_key()))
    # the lines the findings quote, from the text the loader read within its limits (never
    # the file again: it may have changed, or be larger than the limits allow)
    texts = {s.path: s.text for s in project.sources}
    sources: dict[str, list[str]] = {}
    for d in findings[:MAX_FINDINGS]:
        if d.file and d.file not in sources:
            sources[d.file] = texts.get(d.file, "").splitlines()
    cols, rows = summary_rows(inv)
    data = ReportData(title, len(project.sources), cols, [[_num(v) for v in r] for r in rows],
                      _kpis(inv, findings), findings, sources, _expectations(inv), base=base)
    if verification is not None:
        data.verification, data.verification_error = load_verification(verification)
    blocking = any(d.severity == Severity.ERROR and d.rule[:3] in ("SCH", "REF")
                   for d in findings)
    if blocking:
        data.blocked = True
        data.diagram_error = ("The design has schema or reference errors (see Findings): no "
                              "diagrams, BOM or cable schedule until they are fixed.")
        return data
    jobs, left_out = plan_within(inv, VIEWS, LEVELS, title, _drawing_budget_ms(inv))
    if left_out:
        data.skipped.append(left_out)
    for k, job in enumerate(jobs):
        if progress:
            progress(job.name)
        graph = job.build()
        if graph.empty is not None:
            data.skipped.append(f"{job.name}: {graph.empty}")
            continue
        try:
            svg = render_bytes(to_dot(graph), "svg")
        except DotMissing:
            data.diagram_error = ("Graphviz `dot` is not installed: diagrams are missing "
                                  "(`sudo apt-get install graphviz`).")
            break
        data.diagrams.append(Diagram(job.name, graph.title, _svg_body(svg, f"d{k}_")))
    lines = bom_lines(inv)
    data.bom_rows = [[_num(getattr(x, c)) for c in BOM_COLUMNS] for x in lines]
    tot = totals(inv, lines)
    prices = ", ".join(f"{v:,.0f} {cur}" for cur, v in tot["price"].items()) or "no prices"
    data.bom_note = (f"Totals: {tot['power_kw']:,.1f} kW (devices + optics at maximum), "
                     f"{tot['weight_kg']:,.0f} kg, {prices} ({tot['rows_unpriced']:,} row(s) "
                     "without a confirmed price).")
    idx, data.cut_note = _cut_indices(inv)
    data.cut_cols = list(cabling.COLUMNS)
    data.cut_rows = [[_num(v) for v in r] for r in cabling.rows(inv, idx.tolist())]
    if base is not None:
        _diff(data, paths, config, base)
    return data


def _diff(data: ReportData, paths: Sequence[str], config: Config, base: str) -> None:
    """The review plan against `base` (the same as `superpod diff BASE:PATH PATH --format md`):
    changes, consequences and the findings delta, every rule run on both sides."""
    from superpod_iac.diff import RevisionError, Side, design_diff, materialize
    from superpod_iac.diff.render import to_markdown
    from superpod_iac.pipeline import load_project

    if len(paths) != 1:
        data.diff_error = "--base compares one design path; several were given."
        return
    with tempfile.TemporaryDirectory(prefix="superpod-report-") as work:
        label = f"{base}:{paths[0]}"
        try:
            old_path = materialize(label, work)
        except RevisionError as exc:
            data.diff_error = str(exc)
            return
        old = Side(label, old_path, load_project([old_path], config))
        new = Side(paths[0], paths[0], load_project(list(paths), config))
        data.diff_md = to_markdown(design_diff(old, new))


# -- the page --------------------------------------------------------------------------------

MAX_VERIFICATION_BYTES = 256 * 1024 * 1024
VERIFY_ROWS = 20_000
"""Lines of a verification shown in the page (the json file keeps all)."""
VERIFY_COLUMNS = ["verdict", "link_id", "cable_id", "a_end", "a_cabinet", "a_u", "b_end",
                  "b_cabinet", "b_u", "design_gbps", "observed_gbps", "observed", "fix",
                  "source"]


def load_verification(path: str) -> tuple[dict[str, Any] | None, str | None]:
    """(document, None) or (None, why it cannot be shown): a report is written anyway."""
    try:
        p = Path(path)
        if p.stat().st_size > MAX_VERIFICATION_BYTES:
            return None, f"{path}: over {MAX_VERIFICATION_BYTES:,} bytes, not shown"
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
        return None, f"{path}: not shown ({type(exc).__name__}: {exc})"
    if not (isinstance(doc, dict) and isinstance(doc.get("summary"), dict)
            and isinstance(doc.get("lines"), list)):
        return None, f"{path}: not `superpod verify --format json` output"
    return doc, None


def _verification(data: ReportData) -> str:
    head = '<section id="verification"><h2>As-built verification</h2>'
    if data.verification is None:
        return f'{head}<p class="note">{_e(data.verification_error)}</p></section>'
    summary = data.verification["summary"]
    keys = ("ok", "missing", "miswired", "wrong-speed", "unverified", "unexpected",
            "input_problems")
    counts = ", ".join(f"{summary.get(k, 0):,} {k.replace('_', ' ')}" for k in keys
                       if isinstance(summary.get(k, 0), int))
    bad = any(summary.get(k) for k in keys[1:])
    lines = [x for x in data.verification["lines"] if isinstance(x, dict)]
    rows = [[_num(x.get(c)) if not isinstance(x.get(c), dict | list) else None
             for c in VERIFY_COLUMNS] for x in lines[:VERIFY_ROWS]]
    more = (f'<p class="note">{len(lines) - VERIFY_ROWS:,} further lines in the json file.</p>'
            if len(lines) > VERIFY_ROWS else "")
    return (f'{head}<p class="{"fail" if bad else "pass"}">{_e(counts)}</p>{more}'
            f"{_table_widget('verify-data', 'the verification')}"
            f"{_json_block('verify-data', VERIFY_COLUMNS, rows)}</section>")


def _e(value: Any) -> str:
    return html_text(value)


def _asset(name: str) -> str:
    return (resources.files("superpod_iac") / "htmlreport" / name).read_text(encoding="utf-8")


def _json_block(block_id: str, cols: list[str], rows: list[list[Any]]) -> str:
    text = json.dumps({"columns": cols, "rows": rows}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False, default=str)
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    return f'<script type="application/json" id="{block_id}">{text}</script>'


def _table_widget(block_id: str, label: str) -> str:
    return (f'<div class="table-widget" data-source="{block_id}" id="{block_id}-widget">'
            f'<div class="tools"><input class="filter" type="search" placeholder="filter '
            f'{_e(label)} (words, any column)" aria-label="filter {_e(label)}">'
            '<button class="prev" type="button">‹ previous</button>'
            '<button class="next" type="button">next ›</button><span class="info meta"></span>'
            '</div><div class="scroll"><table class="data"><thead><tr></tr></thead><tbody></tbody>'
            '</table></div></div>')


def _static_table(cols: list[str], rows: list[list[Any]], cls: str = "data") -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for v in r:
            num = isinstance(v, int | float) and not isinstance(v, bool)
            text = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else (
                f"{v:,.2f}" if isinstance(v, float) else _e(v))
            klass = ' class="num"' if num else (f' class="{v}"' if v in ("pass", "fail") else "")
            cells.append(f"<td{klass}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            "</tbody></table>")


def _finding(d: Diagnostic, sources: dict[str, list[str]]) -> str:
    where = f"{d.file}:{d.line}:{d.column}" if d.file else "(no file)"
    sev = d.severity.value
    out = [f'<div class="finding {sev}"><span class="sev-{sev}">{sev}</span> '
           f"<code>{_e(d.rule)}</code> <code>{_e(where)}</code><div>{_e(d.message)}</div>"]
    if d.hint:
        out.append(f'<div class="meta">hint: {_e(d.hint)}</div>')
    lines = sources.get(d.file, [])
    if d.line and lines:
        lo, hi = max(d.line - 2, 1), min(d.line + 1, len(lines))
        src = []
        for n in range(lo, hi + 1):
            text = f"{n:5d} | {lines[n - 1]}"
            src.append(f'<span class="hit">{_e(text)}</span>' if n == d.line else _e(text))
        out.append('<pre class="src">' + "\n".join(src) + "</pre>")
    out.append("</div>")
    return "".join(out)


def _diagrams_section(data: ReportData) -> str:
    """The Diagrams section: the drawing error if any, each diagram with its zoom buttons,
    then the views not drawn."""
    dg = ['<section id="diagrams"><h2>Diagrams</h2>']
    if data.diagram_error:
        dg.append(f'<p class="note">{_e(data.diagram_error)}</p>')
    dg.append('<p class="meta">Wheel or the buttons to zoom, drag to pan.</p>')
    for d in data.diagrams:
        dg.append(f'<div class="diagram" id="diagram-{_e(d.name)}"><header><b>{_e(d.title)}</b>'
                  '<span class="zoom meta"></span>'
                  '<button class="zout" type="button" title="zoom out">−</button>'
                  '<button class="zin" type="button" title="zoom in">+</button>'
                  '<button class="zfit" type="button">fit</button>'
                  '<button class="z100" type="button">100 %</button></header>'
                  f'<div class="viewport"><div class="canvas">{d.svg}</div></div></div>')
    if data.skipped:
        items = "".join(f"<li>{_e(s)}</li>" for s in data.skipped[:20])
        more_s = f"<li>… and {len(data.skipped) - 20} more</li>" if len(data.skipped) > 20 else ""
        dg.append(f"<h3>Not drawn: nothing to show</h3><ul class=meta>{items}{more_s}</ul>")
    dg.append("</section>")
    return "".join(dg)


def render_page(data: ReportData) -> str:
    nav = [("summary", "Summary"), ("findings", "Findings"), ("expectations", "Expectations"),
           ("diagrams", "Diagrams"), ("bom", "Bill of materials"), ("cabling", "Cable schedule")]
    if data.base is not None:
        nav.append(("diff", "Diff"))
    if data.verification is not None or data.verification_error:
        nav.append(("verification", "As-built verification"))
    parts: list[str] = []
    kpis = "".join(f'<div class="kpi"><span class="meta">{_e(k)}</span><b>{_e(v)}</b></div>'
                   for k, v in data.kpis)
    parts.append(f'<section id="summary"><h2>Summary</h2><div class="kpis">{kpis}</div>'
                 f"{_static_table(data.summary_cols, data.summary_rows)}</section>")
    fs = data.findings
    counts = {s: sum(d.severity == s for d in fs) for s in Severity}
    head = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
    body = "".join(_finding(d, data.sources) for d in fs[:MAX_FINDINGS])
    more = (f'<p class="note">{len(fs) - MAX_FINDINGS:,} further findings not shown: '
            "`superpod validate`.</p>") if len(fs) > MAX_FINDINGS else ""
    parts.append(f'<section id="findings"><h2>Findings</h2><p class="meta">{head} in '
                 f'{data.files} file(s).</p>{body or "<p class=pass>No findings.</p>"}{more}'
                 "</section>")
    if data.expectations:
        exp = _static_table(["system", "quantity", "expected", "computed", "result"],
                            data.expectations)
        fails = sum(r[4] == "fail" for r in data.expectations)
        exp = (f'<p class="{"fail" if fails else "pass"}">{len(data.expectations) - fails} pass, '
               f"{fails} fail</p>{exp}")
    else:
        exp = "<p>No `expect:` values are declared.</p>"
    parts.append(f'<section id="expectations"><h2>Expectations</h2>{exp}</section>')
    parts.append(_diagrams_section(data))
    if data.bom_rows:
        parts.append(f'<section id="bom"><h2>Bill of materials</h2><p class="meta">'
                     f"{_e(data.bom_note)}</p>{_table_widget('bom-data', 'the BOM')}"
                     f"{_json_block('bom-data', BOM_COLUMNS, data.bom_rows)}</section>")
    else:
        parts.append('<section id="bom"><h2>Bill of materials</h2><p>Not available.</p>'
                     "</section>")
    if data.cut_cols:
        note = f'<p class="note">{_e(data.cut_note)}</p>' if data.cut_note else ""
        parts.append(f'<section id="cabling"><h2>Cable schedule</h2>{note}'
                     f"{_table_widget('cut-data', 'the cut sheet')}"
                     f"{_json_block('cut-data', data.cut_cols, data.cut_rows)}</section>")
    else:
        parts.append('<section id="cabling"><h2>Cable schedule</h2><p>Not available.</p>'
                     "</section>")
    if data.base is not None:
        inner = (f'<p class="note">{_e(data.diff_error)}</p>' if data.diff_error else
                 f'<pre class="src">{_e(data.diff_md)}</pre>')
        parts.append(f'<section id="diff"><h2>Diff against {_e(data.base)}</h2>{inner}'
                     "</section>")
    if data.verification is not None or data.verification_error:
        parts.append(_verification(data))
    links = "".join(f'<a href="#{k}">{_e(v)}</a>' for k, v in nav)
    links += "".join(f'<a class="sub" href="#diagram-{_e(d.name)}">{_e(d.name)}</a>'
                     for d in data.diagrams)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{_e(data.title)} — superpod design report</title>"
            f"<style>{_asset('report.css')}</style></head><body>"
            f"<nav><h1>{_e(data.title)}</h1>{links}<p class=\"meta\">superpod {__version__}"
            f"</p></nav><main><h1>{_e(data.title)} — design report</h1>{''.join(parts)}</main>"
            f"<script>{_asset('report.js')}</script></body></html>\n")


def build_report(paths: Sequence[str], config: Config, *, title: str, base: str | None = None,
                 progress: Callable[[str], None] | None = None,
                 verification: str | None = None) -> str:
    return render_page(collect(paths, config, title=title, base=base, progress=progress,
                               verification=verification))
