"""A verification as text (for the installer's terminal), json, csv (a ticket system) and
markdown (a pull-request comment). Every line carries the cut sheet's cable identifier
(cabling.rows: the same TIA-606 label printed on the cable) and the cabinet and U of both ends.

Rows are streamed from the verdict column: only the links listed are looked up, so a cluster
with millions of unverified links lists a few in text and md and all of them in json and csv.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator
from typing import IO, Any

import numpy as np

from superpod_iac.cabling import COLUMNS, device_id, rows
from superpod_iac.choices import VERIFY_FORMATS, table
from superpod_iac.model.inventory import Inventory
from superpod_iac.report.escape import csv_row, terminal
from superpod_iac.verify.compare import OK, VERDICTS, Verification

FIELDS = ["verdict", "link_id", "fabric", "cable_id", "a_end", "a_cabinet", "a_u", "b_end",
          "b_cabinet", "b_u", "design_gbps", "observed_gbps", "observed", "fix", "source"]
LISTED = 50
"""Lines per verdict in text and markdown (json and csv list every line)."""
ORDER = ("miswired", "missing", "wrong-speed", "unverified", "ok")
"""Sections, worst first."""

_C = {name: COLUMNS.index(name) for name in (
    "cable_id", "link_id", "fabric", "a_cabinet", "a_u", "a_device", "a_port", "b_cabinet",
    "b_u", "b_device", "b_port")}


def _num(x: float) -> float | int | None:
    if math.isnan(x):
        return None
    return int(x) if float(x).is_integer() else round(float(x), 3)


def link_rows(inv: Inventory, v: Verification, indices: list[int]) -> Iterator[dict[str, Any]]:
    """One row (FIELDS) per design link at `indices`."""
    if not indices:
        return
    for i, r in zip(indices, rows(inv, indices), strict=True):
        seen, fix = v.detail.get(i, ("", ""))
        verdict = VERDICTS[int(v.verdict[i])]
        if not seen and verdict == "missing":
            seen, fix = "no neighbour at either end", "plug in the cable (check both ends " \
                "and the transceivers)"
        elif not seen and verdict == "unverified":  # else: sees a name the design lacks
            seen, fix = "neither end's device reported", "collect neighbours from one end"
        yield {
            "verdict": verdict, "link_id": r[_C["link_id"]], "fabric": r[_C["fabric"]],
            "cable_id": r[_C["cable_id"]],
            "a_end": f"{r[_C['a_cabinet']]}/{r[_C['a_device']]}:{r[_C['a_port']]}",
            "a_cabinet": r[_C["a_cabinet"]], "a_u": r[_C["a_u"]],
            "b_end": f"{r[_C['b_cabinet']]}/{r[_C['b_device']]}:{r[_C['b_port']]}",
            "b_cabinet": r[_C["b_cabinet"]], "b_u": r[_C["b_u"]],
            "design_gbps": _num(float(v.design_speed[i])),
            "observed_gbps": _num(float(v.observed_speed[i])),
            "observed": seen, "fix": fix, "source": v.where.get(i, "")}


def _end_info(inv: Inventory, key: int, stride_name: str) -> tuple[str, Any, str]:
    """(cabinet, U, TIA end label) of an unexpected pair's end, from its `cab/dev:port`."""
    addr, _, port = stride_name.partition(":")
    dev = inv.device_index.get(addr)
    if dev is None or key < 0:
        return "", None, ""
    d = inv.devices[dev]
    cab = inv.cabinets[d.cabinet]
    return d.cabinet, d.u, f"{device_id(cab, d)}:{port.replace('/', '.')}"


def unexpected_rows(inv: Inventory, v: Verification) -> Iterator[dict[str, Any]]:
    for u in v.unexpected:
        ca, ua, la = _end_info(inv, u.a_key, u.a)
        cb, ub, lb = _end_info(inv, u.b_key, u.b)
        yield {"verdict": "unexpected", "link_id": "", "fabric": "",
               "cable_id": f"{la}/{lb}" if la and lb else la or lb, "a_end": u.a,
               "a_cabinet": ca, "a_u": ua, "b_end": u.b, "b_cabinet": cb, "b_u": ub,
               "design_gbps": None, "observed_gbps": _num(u.speed_gbps),
               "observed": "a neighbour the design does not have",
               "fix": "unplug it, or add the link to the design", "source": u.source}


def problem_rows(v: Verification) -> Iterator[dict[str, Any]]:
    for p in v.problems:
        yield {**dict.fromkeys(FIELDS, ""), "verdict": "input", "a_u": None, "b_u": None,
               "design_gbps": None, "observed_gbps": None, "observed": p.message,
               "fix": p.hint, "source": f"{p.file}:{p.line}"}


def _indices(v: Verification, verdict: str, limit: int | None) -> list[int]:
    idx = np.flatnonzero(v.verdict == VERDICTS.index(verdict))
    chosen: list[int] = (idx if limit is None else idx[:limit]).tolist()
    return chosen


def all_rows(inv: Inventory, v: Verification, with_ok: bool) -> Iterator[dict[str, Any]]:
    """Every line: input problems, links not ok in link order (and ok ones with `with_ok`),
    then unexpected neighbours."""
    yield from problem_rows(v)
    listed = (v.verdict > OK) if not with_ok else (v.verdict >= OK)
    yield from link_rows(inv, v, np.flatnonzero(listed).tolist())
    yield from unexpected_rows(inv, v)


def _summary(v: Verification) -> str:
    c = v.counts()
    checked = sum(c[x] for x in VERDICTS)
    parts = [f"{c[x]:,} {x}" for x in (*VERDICTS, "unexpected") if c[x] or x == "ok"]
    src = "LLDP" if v.kind == "lldp" else "ibnetdiscover"
    files = f"{len(v.sources):,} {src} file{'s' if len(v.sources) != 1 else ''}"
    tail = f"; {c['input_problems']:,} input problem(s)" if c["input_problems"] else ""
    return f"{checked:,} design links against {files}: {', '.join(parts)}{tail}"


def _where(r: dict[str, Any]) -> str:
    def end(e: str, cab: Any, u: Any) -> str:
        return f"{e} ({cab} U{u})" if cab else e
    return f"{end(r['a_end'], r['a_cabinet'], r['a_u'])} <-> " \
        f"{end(r['b_end'], r['b_cabinet'], r['b_u'])}"


def _text_link(out: IO[str], r: dict[str, Any], verdict: str) -> None:
    """One listed link of a verdict's section: ids, ends (and speeds), what was seen, the fix
    and where it was reported."""
    speed = f" [{r['observed_gbps']} Gb/s, ports {r['design_gbps']} Gb/s]" \
        if verdict == "wrong-speed" else ""
    out.write(terminal(f"  {r['link_id']} {r['cable_id']}") + "\n")
    out.write(terminal(f"    {_where(r)}{speed}") + "\n")
    if r["observed"] and verdict not in ("ok",):
        out.write(terminal(f"    seen: {r['observed']}") + "\n")
    if r["fix"] and verdict not in ("ok", "unverified"):
        out.write(terminal(f"    fix: {r['fix']}") + "\n")
    if r["source"]:
        out.write(terminal(f"    reported at {r['source']}") + "\n")


def to_text(inv: Inventory, v: Verification, out: IO[str], with_ok: bool = False) -> None:
    out.write(terminal(_summary(v)) + "\n")
    for r in problem_rows(v):
        out.write(terminal(f"{r['source']}: {r['observed']}") + "\n")
        if r["fix"]:
            out.write(terminal(f"    hint: {r['fix']}") + "\n")
    for verdict in ORDER:
        if verdict == "ok" and not with_ok:
            continue
        total = v.count(verdict)
        if not total:
            continue
        out.write(f"\n{verdict.upper()} ({total:,})\n")
        for r in link_rows(inv, v, _indices(v, verdict, LISTED)):
            _text_link(out, r, verdict)
        if total > LISTED:
            out.write(f"  ... and {total - LISTED:,} more (--format csv lists every line)\n")
    if v.unexpected:
        out.write(f"\nUNEXPECTED ({len(v.unexpected):,})\n")
        for r in list(unexpected_rows(inv, v))[:LISTED]:
            out.write(terminal(f"  {_where(r)}  (seen at {r['source']})") + "\n")
        if len(v.unexpected) > LISTED:
            out.write(f"  ... and {len(v.unexpected) - LISTED:,} more\n")
    swaps = sorted({v.detail[i][1] for i in _indices(v, "miswired", None)
                    if v.detail.get(i, ("", ""))[1].startswith("swap")})
    if swaps:
        out.write(f"\nSWAPS THAT FIX THE MISWIRES ({len(swaps):,})\n")
        out.write("".join(terminal(f"  {s}") + "\n" for s in swaps[:LISTED]))


def to_json(inv: Inventory, v: Verification, out: IO[str], with_ok: bool = False) -> None:
    """One document, its `lines` array streamed (millions of lines never held at once)."""
    out.write('{\n  "summary": ' + json.dumps({**v.counts(), "sources": v.sources,
                                               "kind": v.kind}, sort_keys=True))
    out.write(',\n  "lines": [')
    first = True
    for r in all_rows(inv, v, with_ok):
        out.write(("\n    " if first else ",\n    ") + json.dumps(r, sort_keys=False))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")


def to_csv(inv: Inventory, v: Verification, out: IO[str], with_ok: bool = False) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(FIELDS)
    for r in all_rows(inv, v, with_ok):
        w.writerow(csv_row([r[f] for f in FIELDS]))


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#!~@"} |
                            {"\n": " ", "\r": " ", "<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md(text: object) -> str:
    """Text safe in a pull-request comment's table cell: no markup, mention, link or HTML."""
    return terminal(str(text if text is not None else "")).translate(_MD_SPECIAL)


def to_markdown(inv: Inventory, v: Verification, out: IO[str], with_ok: bool = False) -> None:
    c = v.counts()
    good = v.faults() == 0 and c["unverified"] == 0
    out.write(f"### superpod verify: {'as built = as designed' if good else 'cabling differs'}"
              f"\n\n{md(_summary(v))}\n\n")
    sections: list[tuple[str, int, list[dict[str, Any]]]] = [
        ("Input problems", len(v.problems), list(problem_rows(v))[:LISTED])]
    for verdict in ORDER:
        if verdict != "ok" or with_ok:
            sections.append((verdict, v.count(verdict),
                             list(link_rows(inv, v, _indices(v, verdict, LISTED)))))
    sections.append(("unexpected", len(v.unexpected), list(unexpected_rows(inv, v))[:LISTED]))
    head = ["cable", "A end (cabinet U)", "B end (cabinet U)", "seen", "fix"]
    for title, total, rs in sections:
        if not total:
            continue
        out.write(f"**{md(title)}** ({total:,})\n\n| " + " | ".join(head) + " |\n|" +
                  "---|" * len(head) + "\n")
        for r in rs:
            where = r["source"] if r["verdict"] in ("input", "unexpected") else r["cable_id"]
            out.write("| " + " | ".join(md(x) for x in (
                where, f"{r['a_end']} ({r['a_cabinet']} U{r['a_u']})" if r["a_end"] else "",
                f"{r['b_end']} ({r['b_cabinet']} U{r['b_u']})" if r["b_end"] else "",
                r["observed"], r["fix"])) + " |\n")
        if total > len(rs):
            out.write(f"\n... and {total - len(rs):,} more (`--format csv` lists every line)\n")
        out.write("\n")


Writer = Callable[[Inventory, Verification, IO[str], bool], None]
FORMATS: dict[str, Writer] = table(VERIFY_FORMATS, {
    "text": to_text, "json": to_json, "csv": to_csv, "md": to_markdown})
