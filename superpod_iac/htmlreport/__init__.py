"""One self-contained HTML design report: summary, findings with their source lines, every
diagram (inline SVG with pan and zoom), the BOM and the cable schedule as sortable, filterable,
paginated tables, the expectations with pass/fail, and optionally the diff against a revision.

Everything is inline (CSS, JS, SVG, table data as JSON); the page loads nothing from the
network. Table rows are data, not DOM: the page renders 100 rows at a time, and at cluster
scale the cut sheet holds the links of the drawn (representative) superpod only, so the
report of a 2-million-link cluster stays a few megabytes. Numbers come from the model,
metrics, bom and cabling modules; this package only lays them out.
"""

from __future__ import annotations

from superpod_iac.htmlreport.page import (
    MAX_CUT_ROWS,
    ReportData,
    build_report,
    collect,
    render_page,
)

__all__ = ["MAX_CUT_ROWS", "ReportData", "build_report", "collect", "render_page"]
