"""The design diff as text (a terminal plan), json, and markdown sized for a PR comment."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from superpod_iac.choices import DIFF_FORMATS, table
from superpod_iac.diagnostics import Diagnostic
from superpod_iac.diff import DesignDiff
from superpod_iac.diff.changes import Change, show
from superpod_iac.diff.consequences import Impact, Total
from superpod_iac.numbers import kw, qty
from superpod_iac.report.escape import markdown, markdown_code

MAX_LISTED = 50
"""Rows per section in text and markdown; json lists everything."""
TEXT_LINKS = 10
"""Example links in the text plan."""
FOLD_AT = 10
"""Markdown sections longer than this are folded into a <details> block."""

_CAPACITY = {"cabinet": "rating", "feed": "derated rating", "power node": "derated rating",
             "cooling unit": "capacity"}


def _change_line(c: Change) -> str:
    if c.op == "~":
        body = f"{show(c.old)} -> {show(c.new)}"
    elif c.op == "+":
        body = show(c.new)
    else:
        body = f"was {show(c.old)}"
    where = c.where + (f"; affects {c.affects}" if c.affects else "")
    return f"{c.op} {c.subject}: {body}  ({where})"


def _pair_kw(imp: Impact, attr: str) -> str:
    a, b = imp.pair(attr)
    if imp.old is None:
        return f"(new) {kw(b, unit=False)}"
    if imp.new is None:
        return f"{kw(a, unit=False)} (removed)"
    sa, sb = kw(a, unit=False), kw(b, unit=False)
    return sa if sa == sb else f"{sa} -> {sb}"


def _impact_line(imp: Impact) -> str:
    parts = [f"load {_pair_kw(imp, 'load_w')} kW"]
    if any(x is not None for x in imp.pair("capacity_w")):
        parts.append(f"{_CAPACITY[imp.kind]} {_pair_kw(imp, 'capacity_w')} kW")
        parts.append(f"headroom {_pair_kw(imp, 'headroom_w')} kW")
    if any(x is not None for x in imp.pair("margin_w")):
        scen = imp.pair("scenario")[1] or imp.pair("scenario")[0]
        parts.append(f"single-failure margin {_pair_kw(imp, 'margin_w')} kW"
                     + (f" ({scen})" if scen else ""))
    flag = "  (worse)" if imp.worse else ""
    return f"{imp.kind} {imp.name}: " + ", ".join(parts) + flag


def _total_line(t: Total) -> str:
    a, b = qty(t.old, t.unit), qty(t.new, t.unit)
    if a == b:
        return f"{t.name}: {a}"
    return f"{t.name}: {a} -> {b} ({qty(t.new - t.old, t.unit, signed=True)})"


def _diag_line(d: Diagnostic) -> str:
    return f"{d.file}:{d.line}:{d.column}: {d.rule} {d.severity}: {d.message}"


def _capped(lines: Sequence[str], indent: str = "  ") -> list[str]:
    out = [indent + x for x in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        out.append(f"{indent}... and {len(lines) - MAX_LISTED:,} more (--format json lists all)")
    return out


def _findings_summary(d: DesignDiff) -> str:
    f = d.findings
    errors = f" ({f.new_errors:,} error{'s' if f.new_errors != 1 else ''})" if f.new else ""
    return (f"{len(f.new):,} new{errors}, {len(f.fixed):,} fixed, "
            f"{len(f.unchanged):,} unchanged")


def to_text(d: DesignDiff) -> str:
    out = [f"superpod diff: {d.old_label} -> {d.new_label}", ""]
    if d.empty:
        out += ["No changes.", ""]
    if d.changes:
        out += [f"Manifest changes ({len(d.changes):,}):",
                *_capped([_change_line(c) for c in d.changes]), ""]
    o = d.objects
    if o.objects:
        out += [f"Design objects ({len(o.objects):,}):",
                *_capped([f"{x.op} {x.kind} {x.name}" + (f": {'; '.join(x.details)}"
                                                         if x.details else "")
                          for x in o.objects]), ""]
    if o.links_added or o.links_removed:
        shown = o.link_examples[:TEXT_LINKS]
        more = len(o.link_examples) - len(shown)
        out += [f"Links: +{o.links_added:,}, -{o.links_removed:,}", *_capped(shown),
                *([f"  ... (--format json lists {len(o.link_examples):,} examples)"]
                  if more > 0 else []), ""]
    if o.bom_changes:
        out += ["BOM:", *_capped([f"{c} {p}: {a:,} -> {b:,} ({b - a:+,}), cost {cost}"
                                  for (c, p, a, b), cost in zip(o.bom_changes, o.bom_costs,
                                                                strict=True)]), ""]
    if d.impacts:
        out += ["Consequences (kW; margin = capacity left in the worst single failure):",
                *_capped([_impact_line(i) for i in d.impacts]), ""]
    changed = [t for t in d.totals if qty(t.old, t.unit) != qty(t.new, t.unit)]
    same = [t for t in d.totals if t not in changed]
    out += ["Totals:", *_capped([_total_line(t) for t in changed])]
    if same:
        out.append("  unchanged: " + ", ".join(f"{t.name} {qty(t.new, t.unit)}" for t in same))
    out.append("")
    out += [f"Findings: {_findings_summary(d)}",
            *_capped([f"+ {_diag_line(x)}" for x in d.findings.new] +
                     [f"- {_diag_line(x)} (fixed)" for x in d.findings.fixed]), ""]
    return "\n".join(out)


def to_json(d: DesignDiff) -> str:
    o = d.objects
    doc: dict[str, Any] = {
        "old": d.old_label, "new": d.new_label,
        "changes": [c.as_dict() for c in d.changes],
        "objects": [{"op": x.op, "kind": x.kind, "name": x.name, "details": list(x.details)}
                    for x in o.objects],
        "links": {"added": o.links_added, "removed": o.links_removed,
                  "examples": o.link_examples},
        "bom": [{"category": c, "part": p, "old": a, "new": b, "cost": cost}
                for (c, p, a, b), cost in zip(o.bom_changes, o.bom_costs, strict=True)],
        "consequences": [i.as_dict() for i in d.impacts],
        "totals": [{"name": t.name, "unit": t.unit, "old": t.old, "new": t.new}
                   for t in d.totals],
        "findings": {**d.findings.counts(),
                     "new_findings": [_diag_dict(x) for x in d.findings.new],
                     "fixed_findings": [_diag_dict(x) for x in d.findings.fixed]},
    }
    return json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n"


def _diag_dict(x: Diagnostic) -> dict[str, Any]:
    return {"rule": x.rule, "severity": str(x.severity), "message": x.message, "file": x.file,
            "line": x.line, "column": x.column}


def _cell(text: str) -> str:
    return markdown(text)


def _code(text: str) -> str:
    return markdown_code(text)


def _section(title: str, head: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    table += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        table.append("")
        table.append(f"... and {len(rows) - MAX_LISTED:,} more (`--format json` lists all)")
    if len(rows) > FOLD_AT:
        return [f"<details><summary><b>{title}</b> ({len(rows):,})</summary>", "", *table, "",
                "</details>", ""]
    return [f"**{title}** ({len(rows):,})", "", *table, ""]


def to_markdown(d: DesignDiff) -> str:
    out = [f"### superpod plan: {_code(d.old_label)} -> {_code(d.new_label)}", ""]
    power = next((t for t in d.totals if t.name == "power"), None)
    head = [f"{len(d.changes):,} manifest change{'s' if len(d.changes) != 1 else ''}",
            f"findings: {_findings_summary(d)}"]
    if power is not None:
        head.append(f"power {_total_line(power).split(': ', 1)[1]}")
    out += [" · ".join(head), ""]
    if d.findings.new_errors:
        out += [f"> **This change introduces {d.findings.new_errors:,} error"
                f"{'s' if d.findings.new_errors != 1 else ''}.**", ""]
    if d.empty:
        out += ["No changes.", ""]
    out += _section("Manifest changes", ["", "object", "field", "old", "new", "where"], [
        [c.op, f"{c.kind}/{c.name}", c.path or "(whole manifest)",
         "" if c.op == "+" else show(c.old), "" if c.op == "-" else show(c.new),
         c.where + (f" (affects {c.affects})" if c.affects else "")] for c in d.changes])
    out += _section("Consequences (kW)",
                    ["object", "load", "capacity", "headroom", "single-failure margin"], [
        [f"{i.kind} {i.name}" + (" ⚠" if i.worse else ""), _pair_kw(i, "load_w"),
         _pair_kw(i, "capacity_w"), _pair_kw(i, "headroom_w"), _pair_kw(i, "margin_w")]
        for i in d.impacts])
    o = d.objects
    out += _section("Design objects", ["", "object", "change"], [
        [x.op, f"{x.kind} {x.name}", "; ".join(x.details)] for x in o.objects])
    if o.links_added or o.links_removed:
        out += _section(f"Links (+{o.links_added:,} / -{o.links_removed:,})", ["link"],
                        [[x] for x in o.link_examples])
    out += _section("BOM", ["category", "part", "old", "new", "delta", "cost"], [
        [c, p, f"{a:,}", f"{b:,}", f"{b - a:+,}", cost]
        for (c, p, a, b), cost in zip(o.bom_changes, o.bom_costs, strict=True)])
    out += _section("Totals", ["", "old", "new", "delta"], [
        [t.name, qty(t.old, t.unit), qty(t.new, t.unit),
         "" if t.old == t.new else qty(t.new - t.old, t.unit, signed=True)] for t in d.totals])
    out += _section("New findings", ["where", "rule", "message"], [
        [f"{x.file}:{x.line}", f"{x.rule} {x.severity}", x.message] for x in d.findings.new])
    out += _section("Fixed findings", ["where (old)", "rule", "message"], [
        [f"{x.file}:{x.line}", f"{x.rule} {x.severity}", x.message] for x in d.findings.fixed])
    return "\n".join(out).rstrip("\n") + "\n"


FORMATS: dict[str, Callable[[DesignDiff], str]] = table(DIFF_FORMATS, {
    "text": to_text, "json": to_json, "md": to_markdown})
