"""Rows -> csv, json, markdown or an aligned text table (BOM, summary, compare, diff).

Formatting only: numbers arrive computed; this module rounds them for display. CSV and JSON
keep full precision for machines; markdown and terminal tables print numbers as engineers
write them (superpod_iac.numbers: 559.6 kW, 49,152 GB).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import Any

from superpod_iac.numbers import num
from superpod_iac.report.escape import GuardedWriter, markdown


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
    w = GuardedWriter(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]], **extra: Any) -> str:
    doc = {"rows": [dict(zip(columns, r, strict=True)) for r in rows], **extra}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_md(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "",
          escape: bool = True) -> str:
    """A GitHub-flavoured markdown table. Every cell and the title go through
    `escape.markdown` (names come from the manifests: no link, HTML or @mention acts);
    `escape=False` only for tables the repository writes about its own specs (docs/)."""
    shown = markdown if escape else (lambda text: text.replace("|", "\\|"))
    lines = [f"## {shown(title)}", ""] if title else []
    lines.append("| " + " | ".join(shown(c) for c in columns) + " |")
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for r in rows:
        lines.append("| " + " | ".join(shown(_shown(v)) for v in r) + " |")
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


_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel-legal, unique sheet title (31 characters, none of []:*?/\\)."""
    base = (name or "BOM").translate(_SHEET_BAD)[:31] or "BOM"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f"~{n}"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]],
                                   Sequence[Sequence[Any]]]]) -> bytes:
    """Workbook bytes: one sheet per (title, columns, rows, footer rows); bold frozen header,
    footer rows in bold below the data. Byte-identical across runs (fixed timestamps)."""
    import datetime as dt
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    if wb.active is not None:  # the default empty sheet
        wb.remove(wb.active)
    bold = Font(bold=True)
    taken: set[str] = set()
    for title, columns, rows, footer in sheets:
        ws = wb.create_sheet(sheet_title(title, taken))
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = bold
        for r in rows:
            _append(ws, r)
        for r in footer:
            _append(ws, r)
            for cell in ws[ws.max_row]:
                cell.font = bold
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, start=1):
            width = max([len(str(col))] + [len(_cell(r[i - 1])) for r in rows[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()  # re-zip with fixed entry times, so the bytes are deterministic
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                              data)
            dst.writestr(entry, data)
    return out.getvalue()


def _append(ws: Any, row: Sequence[Any]) -> None:
    """Append a row; every string stays a string cell (a name starting with `=` never becomes
    a formula)."""
    ws.append([v if v is None or isinstance(v, int | float | str) else str(v) for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
