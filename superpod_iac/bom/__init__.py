"""Bill of materials: rows a buyer can order from (`lines`), their totals (`totals`), and the
table a command prints (`table`). One row per (group, part), aggregated with numpy: no per-link
objects, so a 432-superpod cluster bills in seconds."""

from superpod_iac.bom.lines import COLUMNS, GROUP_BY, BomLine, bom_lines
from superpod_iac.bom.totals import totals

__all__ = ["COLUMNS", "GROUP_BY", "BomLine", "bom_lines", "totals"]
