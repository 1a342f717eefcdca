"""One self-contained HTML design report: summary, findings with their source lines, every
diagram (inline SVG with pan and zoom), the BOM and the cable schedule as sortable, filterable,
paginated tables, the expectations with pass/fail, and optionally the diff against a revision.

Everything is inline (CSS, JS, SVG, table data as JSON); the page loads nothing from the
network. Table rows are data, not DOM: the page renders 100 rows at a time, and at cluster
scale the cut sheet holds the links of the drawn (representative) superpod only, so the
report of a 2-million-link cluster stays a few megabytes. Numbers come from the model,
metrics, bom and cabling modules; this package only lays them out.

The page opens with a PASS/FAIL banner and a title block (design, revision, date, status); the
revision and date are read by the cli stage and handed in (`Revision`), never here. Findings
link to the diagram nodes and cut-sheet rows of the objects they name, and those link back
(`anchors`: ids from the package's one slug function). Printed, each diagram fills a landscape
sheet, tables print every row, and each sheet's footer says `sheet n of m` (report.css).
"""

from __future__ import annotations

from superpod_iac.htmlreport.page import (
    MAX_CUT_ROWS,
    ReportData,
    build_report,
    collect,
    render_page,
)
from superpod_iac.render import Revision

__all__ = ["MAX_CUT_ROWS", "ReportData", "Revision", "build_report", "collect", "render_page"]
