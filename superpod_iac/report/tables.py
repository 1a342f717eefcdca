"""Rows -> csv, json, markdown or an aligned text table (BOM, summary, compare, diff).

Formatting only: numbers arrive computed; this module rounds them for display. CSV and JSON
keep full precision for machines; markdown and terminal tables print numbers as engineers
write them (report.numbers: 559.6 kW, 49,152 GB).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from superpod_iac.report.numbers import num


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value)}"
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _shown(value: Any) -> str:
    """A cell for people (markdown, terminal tables): numbers as engineers write them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return num(value)
    return _cell(value)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]], **extra: Any) -> str:
    doc = {"rows": [dict(zip(columns, r, strict=True)) for r in rows], **extra}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_md(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> str:
    lines = [f"## {title}", ""] if title else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for r in rows:
        lines.append("| " + " | ".join(_shown(v).replace("|", "\\|") for v in r) + " |")
    return "\n".join(lines) + "\n"


def to_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(columns)] + [[_shown(v) for v in r] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]
    out = []
    for n, r in enumerate(cells):
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                             for i, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"
