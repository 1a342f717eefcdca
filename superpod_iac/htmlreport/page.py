"""Collect the report's data from the pipeline, then write the page (see package docstring)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from superpod_iac import __version__
from superpod_iac.bom import COLUMNS as BOM_COLUMNS
from superpod_iac.cabling import COLUMNS as CUT_COLUMNS
from superpod_iac.config import Config
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.htmlreport.anchors import Anchors, NodeRef, annotate_svg, flag_nodes, subjects
from superpod_iac.model.inventory import Inventory
from superpod_iac.numbers import data as _num
from superpod_iac.numbers import num
from superpod_iac.render import Revision
from superpod_iac.report.escape import css_string, html_text

MAX_CUT_ROWS = 20_000
"""Cut-sheet rows embedded at most (the full schedule is `superpod cabling`)."""
MAX_FINDINGS = 2_000
"""Findings shown with their source lines at most (the rest are counted)."""
EXPECT_FIELDS = ("accelerators", "cabinets", "switches", "transceivers", "links")
_SVG_START = re.compile(r"<svg\b")
_SVG_ID = re.compile(r'\b(id|href)="(#?)([^"]+)"')
CUT_VIEW = ["cable_id", "a_cabinet", "a_u", "a_device", "a_port", "b_cabinet", "b_u", "b_device",
            "b_port", "cable", "length_m", "transceiver_a", "transceiver_b", "fabric", "link_id",
            "route", "run_m", "a_label", "b_label", "a_hall", "a_row", "a_position", "b_hall",
            "b_row", "b_position", "cable_mpn", "cable_sku", "label"]
"""The cut sheet's columns in the page: cable ID first (pinned), then the A end and the B end
side by side, then the cable; every column of `superpod cabling`, reordered."""
CUT_PRINTED = CUT_VIEW.index("link_id") + 1
"""Printed, the cut sheet keeps its first columns (what an installer cables from: both ends,
the cable, its length and optics) so a row stays one line on an A4 landscape sheet; the other
columns are on screen and in `superpod cabling`."""
_CUT_PERM = [CUT_COLUMNS.index(c) for c in CUT_VIEW]
CUT_KEYS = [["a_cabinet"], ["b_cabinet"], ["a_cabinet", "a_device"], ["b_cabinet", "b_device"]]
"""The design objects a cut-sheet row belongs to (joined with `/`): how findings find rows."""


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
    port_cols: list[str] = field(default_factory=list)
    port_rows: list[list[Any]] = field(default_factory=list)
    port_note: str = ""
    diff_md: str | None = None
    diff_error: str | None = None
    base: str | None = None
    blocked: bool = False
    verification: dict[str, Any] | None = None
    """`superpod verify --format json` output given with `superpod report --verification`."""
    verification_error: str | None = None
    """Schema or reference errors: the model is incomplete, only findings are reported."""
    revision: Revision | None = None
    """For the title block; None: not given (a library caller)."""
    finding_ids: list[str] = field(default_factory=list)
    """Page id of each shown finding (findings[:MAX_FINDINGS])."""
    finding_nodes: list[list[NodeRef]] = field(default_factory=list)
    """Diagram nodes each shown finding points at (one per diagram at most)."""
    finding_cut: list[str | None] = field(default_factory=list)
    """The subject to show in the cut sheet for each shown finding, when it has rows there."""
    cut_findings: dict[str, list[list[str]]] = field(default_factory=dict)
    """Cut-sheet subject -> [[finding id, rule]] (the cut sheet's links back)."""


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
    return inv.limits.max_cpu_ms - inv.work_ms()


def _known(inv: Inventory) -> Callable[[str], bool]:
    """Whether a name is a design object a diagram node can show."""
    tables: tuple[Any, ...] = (inv.cabinets, inv.power_nodes, inv.cdus, inv.device_index,
                               inv.cdu_groups, inv.loops, inv.air_zones)

    def known(name: str) -> bool:
        return any(name in t for t in tables)

    return known


def _draw(data: ReportData, inv: Inventory, anchors: Anchors,
          progress: Callable[[str], None] | None) -> dict[str, list[tuple[str, str]]]:
    """Every diagram of every view and level, as SVG with page ids on its nodes; returns
    which nodes show which design objects (name -> [(diagram, node id)])."""
    from superpod_iac.render import LEVELS, VIEWS, DotMissing, plan_within, render_bytes, to_dot

    index: dict[str, list[tuple[str, str]]] = {}
    known = _known(inv)
    jobs, left_out = plan_within(inv, VIEWS, LEVELS, data.title, _drawing_budget_ms(inv),
                                 findings=data.findings, revision=data.revision)
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
        body = annotate_svg(_svg_body(svg, f"d{k}_"), job.name, anchors, index, known)
        data.diagrams.append(Diagram(job.name, graph.title, body))
    return index


def _link_findings(data: ReportData, inv: Inventory, anchors: Anchors,
                   index: dict[str, list[tuple[str, str]]]) -> None:
    """Each shown finding's links to its diagram nodes and cut-sheet rows, and back."""
    known = _known(inv)
    titles = {d.name: d.title for d in data.diagrams}
    flagged: dict[str, list[str]] = {}
    cut_keys = _cut_keys(data)
    for fid, d in zip(data.finding_ids, data.findings, strict=False):
        subj = subjects(d.message, known)
        refs: list[NodeRef] = []
        for name in subj:
            for diagram, anchor in index.get(name, ()):
                if all(r.diagram != diagram for r in refs):
                    refs.append(NodeRef(diagram, titles.get(diagram, diagram), anchor))
                    flagged.setdefault(anchor, []).append(fid)
        order = {x.name: k for k, x in enumerate(data.diagrams)}
        data.finding_nodes.append(sorted(refs, key=lambda r: order.get(r.diagram, 0)))
        cut = next((name for name in subj if name in cut_keys), None)
        data.finding_cut.append(cut)
        if cut is not None:
            data.cut_findings.setdefault(cut, []).append([fid, d.rule])
    for dg in data.diagrams:
        dg.svg = flag_nodes(dg.svg, flagged)


def _cut_keys(data: ReportData) -> set[str]:
    cols = [[data.cut_cols.index(c) for c in key] for key in CUT_KEYS]
    return {"/".join(str(r[i]) for i in key) for r in data.cut_rows for key in cols}


def _finding_ids(findings: Sequence[Diagnostic], inv: Inventory, anchors: Anchors) -> list[str]:
    known = _known(inv)
    out = []
    for d in findings[:MAX_FINDINGS]:
        subj = subjects(d.message, known)
        where = subj[0] if subj else f"{Path(d.file).name}-{d.line}" if d.file else ""
        out.append(anchors.make("finding", d.rule, where))
    return out


def collect(paths: Sequence[str], config: Config, *, title: str, base: str | None = None,
            progress: Callable[[str], None] | None = None,
            verification: str | None = None, revision: Revision | None = None) -> ReportData:
    """`title`: the fallback when the design names no single cluster or superpod template;
    `verification`: a `superpod verify --format json` file to show; `revision`: for the
    title block (read by the caller: git and the date are not this stage's business)."""
    from superpod_iac import cabling
    from superpod_iac.bom import bom_lines, totals
    from superpod_iac.metrics import summary_rows
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import design_title

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
                      _kpis(inv, findings), findings, sources, _expectations(inv), base=base,
                      revision=revision)
    anchors = Anchors()
    data.finding_ids = _finding_ids(findings, inv, anchors)
    if verification is not None:
        data.verification, data.verification_error = load_verification(verification)
    blocking = any(d.severity == Severity.ERROR and d.rule[:3] in ("SCH", "REF")
                   for d in findings)
    if blocking:
        data.blocked = True
        data.diagram_error = ("The design has schema or reference errors (see Findings): no "
                              "diagrams, BOM or cable schedule until they are fixed.")
        data.finding_nodes = [[] for _ in data.finding_ids]
        data.finding_cut = [None for _ in data.finding_ids]
        return data
    index = _draw(data, inv, anchors, progress)
    lines = bom_lines(inv)
    data.bom_rows = [[_num(getattr(x, c)) for c in BOM_COLUMNS] for x in lines]
    tot = totals(inv, lines)
    prices = ", ".join(f"{v:,.0f} {cur}" for cur, v in tot["price"].items()) or "no prices"
    data.bom_note = (f"Totals: {tot['power_kw']:,.1f} kW (devices + optics at maximum), "
                     f"{tot['weight_kg']:,.0f} kg, {prices} ({tot['rows_unpriced']:,} row(s) "
                     "without a confirmed price).")
    idx, data.cut_note = _cut_indices(inv)
    data.cut_cols = list(CUT_VIEW)
    pick = itemgetter(*_CUT_PERM)
    data.cut_rows = [[v if type(v) is str else _num(v) for v in pick(r)]
                     for r in cabling.rows(inv, idx.tolist())]
    _port_map(data, inv)
    _link_findings(data, inv, anchors, index)
    if base is not None:
        _diff(data, paths, config, base)
    return data


def _port_map(data: ReportData, inv: Inventory) -> None:
    """The port map's rows (bom.portmap: one per link end, the cut sheet's cable IDs and the
    wiring diagrams' bundle numbers) of whole cabinets in natural order, up to its limit."""
    from superpod_iac.bom.portmap import REPORT_ROWS, report_section

    cols, rows, total = report_section(inv)
    if not total:
        return
    data.port_cols = cols
    data.port_rows = [[v if type(v) is str else _num(v) for v in r] for r in rows]
    cabinets = len({r[0] for r in rows})
    data.port_note = (f"{len(rows):,} of {total:,} port rows: {cabinets:,} whole cabinet(s) in "
                      f"natural order (at most {REPORT_ROWS:,} rows here). Every cabinet, one "
                      "printed sheet each: `superpod portmap --format html`.")


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
    return f'<script type="application/json" id="{block_id}">{_script_json(text)}</script>'


def _table_widget(block_id: str, label: str, extra: str = "") -> str:
    """A table filled by the page's script from the JSON block `block_id`: sort buttons in
    the header cells (keyboard: Tab, Enter or Space; aria-sort says the order), a filter, and
    pages of 100 rows on screen (every row when printed)."""
    return (f'<div class="table-widget" data-source="{block_id}" id="{block_id}-widget"{extra}>'
            f'<div class="tools"><input class="filter" type="search" placeholder="filter '
            f'{_e(label)} (words, any column)" aria-label="filter {_e(label)}">'
            '<button class="prev" type="button">‹ previous</button>'
            '<button class="next" type="button">next ›</button>'
            '<span class="info meta" aria-live="polite"></span></div>'
            f'<div class="scroll" tabindex="0" role="region" aria-label="{_e(label)}">'
            f'<table class="data"><caption class="sr">{_e(label)}</caption>'
            '<thead><tr></tr></thead><tbody></tbody></table></div></div>')


def _static_table(cols: list[str], rows: list[list[Any]], cls: str = "data") -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in cols)
    body = []
    for r in rows:
        cells = []
        for v in r:
            is_num = isinstance(v, int | float) and not isinstance(v, bool)
            text = num(v) if is_num else _e(v)
            klass = ' class="num"' if is_num else (
                f' class="{v}"' if v in ("pass", "fail") else "")
            cells.append(f"<td{klass}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            "</tbody></table>")


def _finding(d: Diagnostic, sources: dict[str, list[str]], fid: str, nodes: list[NodeRef],
             cut: str | None) -> str:
    where = f"{d.file}:{d.line}:{d.column}" if d.file else "(no file)"
    sev = d.severity.value
    out = [f'<div class="finding {sev}" id="{fid}" tabindex="-1"><span class="sev-{sev}">{sev}'
           f"</span> <code>{_e(d.rule)}</code> <code>{_e(where)}</code>"
           f"<div>{_e(d.message)}</div>"]
    if d.hint:
        out.append(f'<div class="meta">hint: {_e(d.hint)}</div>')
    links = [f'<a class="node-link" href="#{r.anchor}">{_e(r.diagram)}</a>' for r in nodes]
    if cut is not None:
        links.append(f'<a class="cut-link" href="#cabling" data-subject="{_e(cut)}">'
                     f"cut sheet: {_e(cut)}</a>")
    if links:
        out.append('<div class="links meta">show in: ' + " · ".join(links) + "</div>")
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


_SVG_OPEN = re.compile(r"<svg\b")


def _accessible_svg(svg: str, name: str) -> str:
    """The diagram's accessible name: role="img", aria-label and a <title> first inside."""
    label = _e(name)
    return _SVG_OPEN.sub(f'<svg role="img" aria-label="{label}"', svg, count=1).replace(
        ">", f"><title>{label}</title>", 1) if _SVG_OPEN.search(svg) else svg


def _diagrams_section(data: ReportData) -> str:
    """The Diagrams section: the drawing error if any, each diagram with its zoom buttons
    (one printed sheet each), then the views not drawn."""
    dg = ['<section id="diagrams"><h2>Diagrams</h2>']
    if data.diagram_error:
        dg.append(f'<p class="note">{_e(data.diagram_error)}</p>')
    dg.append('<p class="meta screen">Wheel or the buttons to zoom, drag to pan; flagged '
              "boxes (red outline) link to their findings.</p>")
    total = len(data.diagrams)
    for k, d in enumerate(data.diagrams, 1):
        dg.append(f'<div class="diagram" id="diagram-{_e(d.name)}"><header><b>{_e(d.title)}</b>'
                  '<span class="print meta">not to scale: fitted to the sheet</span>'
                  f'<span class="sheet meta">diagram {k} of {total}</span>'
                  '<span class="zoom meta"></span>'
                  '<button class="zout" type="button" title="zoom out" aria-label="zoom out">'
                  '−</button>'
                  '<button class="zin" type="button" title="zoom in" aria-label="zoom in">'
                  '+</button>'
                  '<button class="zfit" type="button">fit</button>'
                  '<button class="z100" type="button">100 %</button></header>'
                  '<div class="viewport"><div class="canvas">'
                  f"{_accessible_svg(d.svg, d.title)}</div></div></div>")
    if data.skipped:
        items = "".join(f"<li>{_e(s)}</li>" for s in data.skipped[:20])
        more_s = f"<li>… and {len(data.skipped) - 20} more</li>" if len(data.skipped) > 20 else ""
        dg.append(f"<h3>Not drawn: nothing to show</h3><ul class=meta>{items}{more_s}</ul>")
    dg.append("</section>")
    return "".join(dg)


def status(findings: Sequence[Diagnostic]) -> tuple[bool, str]:
    """(passes, `validated clean` | `N errors, W warnings`) for the banner and title block."""
    errors = sum(d.severity == Severity.ERROR for d in findings)
    warnings = sum(d.severity == Severity.WARNING for d in findings)
    if not errors and not warnings:
        return True, "validated clean"
    text = (f"{errors:,} error{'s' if errors != 1 else ''}, "
            f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    return errors == 0, text


def _title_block(data: ReportData) -> str:
    """Design, revision, date, status and the tool's version; printed on the first sheet (the
    sheets' footers repeat it with `sheet n of m`)."""
    ok, state = status(data.findings)
    rev = data.revision
    rows = [("design", data.title),
            ("revision", rev.text() if rev else "not given"),
            ("date", (rev.date if rev and rev.date else "not given")),
            ("status", state),
            ("drawn by", f"superpod {__version__}")]
    cells = "".join(f'<div><span class="meta">{_e(k)}</span><b>{_e(v)}</b></div>'
                    for k, v in rows)
    return (f'<div class="title-block {"pass" if ok else "fail"}" id="title-block">{cells}'
            "</div>")


def _banner(data: ReportData) -> str:
    ok, state = status(data.findings)
    word = "PASS" if ok else "FAIL"
    first = next((fid for fid, d in zip(data.finding_ids, data.findings, strict=False)
                  if d.severity == Severity.ERROR), None)
    link = f' <a href="#{first}">first error</a>' if first else ""
    return (f'<div class="banner {word.lower()}" role="status"><b>{word}</b> '
            f"{_e(state)}{link}</div>")


def _page_css(data: ReportData) -> str:
    """The print footer (design, revision, date, status; sheet n of m) as CSS margin boxes."""
    _, state = status(data.findings)
    rev = data.revision
    left = " · ".join([data.title, f"rev {rev.text()}" if rev else "revision not given",
                       (rev.date or "no date") if rev else "no date", state])
    font = "font:8pt system-ui, Helvetica, Arial, sans-serif; color:#3c4043;"
    return ("@media print { @page { @bottom-left { content: " + css_string(left) + "; " + font +
            ' } @bottom-right { content: "sheet " counter(page) " of " counter(pages); ' + font +
            " } } }")


def _findings_section(data: ReportData) -> str:
    fs = data.findings
    counts = {s: sum(d.severity == s for d in fs) for s in Severity}
    head = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
    shown = fs[:MAX_FINDINGS]
    nodes = data.finding_nodes or [[] for _ in shown]
    cuts = data.finding_cut or [None for _ in shown]
    ids = data.finding_ids or [f"finding-{k}" for k in range(len(shown))]
    body = "".join(_finding(d, data.sources, fid, n, c)
                   for d, fid, n, c in zip(shown, ids, nodes, cuts, strict=False))
    more = (f'<p class="note">{len(fs) - MAX_FINDINGS:,} further findings not shown: '
            "`superpod validate`.</p>") if len(fs) > MAX_FINDINGS else ""
    return (f'<section id="findings"><h2>Findings</h2><p class="meta">{head} in '
            f'{data.files} file(s).</p>{body or "<p class=pass>No findings.</p>"}{more}'
            "</section>")


def _tables(data: ReportData) -> list[str]:
    parts = []
    if data.bom_rows:
        parts.append(f'<section id="bom"><h2>Bill of materials</h2><p class="meta">'
                     f"{_e(data.bom_note)}</p>{_table_widget('bom-data', 'the BOM')}"
                     f"{_json_block('bom-data', BOM_COLUMNS, data.bom_rows)}</section>")
    else:
        parts.append('<section id="bom"><h2>Bill of materials</h2><p>Not available.</p>'
                     "</section>")
    if data.cut_cols:
        note = f'<p class="note">{_e(data.cut_note)}</p>' if data.cut_note else ""
        keys = json.dumps([[data.cut_cols.index(c) for c in key] for key in CUT_KEYS])
        links = json.dumps(data.cut_findings, ensure_ascii=False, sort_keys=True)
        widget = _table_widget("cut-data", "the cut sheet",
                               f' data-pin="1" data-print-cols="{CUT_PRINTED}"')
        printed = ('<p class="meta print">Printed: the first '
                   f'{CUT_PRINTED} columns ({", ".join(CUT_VIEW[:CUT_PRINTED])}); every column: '
                   "the report on screen or `superpod cabling`.</p>")
        parts.append(f'<section id="cabling"><h2>Cable schedule</h2>{note}{printed}{widget}'
                     f"{_json_block('cut-data', data.cut_cols, data.cut_rows)}"
                     f'<script type="application/json" id="cut-keys">'
                     f"{_script_json(keys)}</script>"
                     f'<script type="application/json" id="cut-findings">'
                     f"{_script_json(links)}</script></section>")
    else:
        parts.append('<section id="cabling"><h2>Cable schedule</h2><p>Not available.</p>'
                     "</section>")
    if data.port_cols:  # on screen; printed one sheet per cabinet by `superpod portmap`
        widget = _table_widget("port-data", "the port map", ' data-screen="1"')
        parts.append(f'<section id="portmap" class="screen"><h2>Port map</h2>'
                     f'<p class="note">{_e(data.port_note)}</p>{widget}'
                     f"{_json_block('port-data', data.port_cols, data.port_rows)}</section>")
    return parts


def _script_json(text: str) -> str:
    """JSON text made safe inside <script>: no `</` (would end the element) or `<!--`."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_page(data: ReportData) -> str:
    nav = [("summary", "Summary"), ("findings", "Findings"), ("expectations", "Expectations"),
           ("diagrams", "Diagrams"), ("bom", "Bill of materials"), ("cabling", "Cable schedule"),
           ("portmap", "Port map")]
    if data.base is not None:
        nav.append(("diff", "Diff"))
    if data.verification is not None or data.verification_error:
        nav.append(("verification", "As-built verification"))
    parts: list[str] = []
    kpis = "".join(f'<div class="kpi"><span class="meta">{_e(k)}</span><b>{_e(v)}</b></div>'
                   for k, v in data.kpis)
    parts.append(f'<section id="summary"><h2>Summary</h2><div class="kpis">{kpis}</div>'
                 f"{_static_table(data.summary_cols, data.summary_rows)}</section>")
    parts.append(_findings_section(data))
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
    parts.extend(_tables(data))
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
            f"<style>{_asset('report.css')}{_page_css(data)}</style></head><body>"
            f"<nav aria-label=\"sections\"><h1>{_e(data.title)}</h1>{links}<p class=\"meta\">"
            f"superpod {__version__}</p></nav><main>{_banner(data)}"
            f"<h1>{_e(data.title)} — design report</h1>{_title_block(data)}{''.join(parts)}"
            f"</main><script>{_asset('report.js')}</script></body></html>\n")


def build_report(paths: Sequence[str], config: Config, *, title: str, base: str | None = None,
                 progress: Callable[[str], None] | None = None,
                 verification: str | None = None, revision: Revision | None = None) -> str:
    return render_page(collect(paths, config, title=title, base=base, progress=progress,
                               verification=verification, revision=revision))
