"""The BOM document in each output format (csv, json, md, xlsx): rows + totals -> text or bytes;
and the summary and comparison tables (`superpod summary`, `superpod compare`).

Assembly only: rows and totals come computed from `bom.lines` and `bom.totals`; the formats
themselves live in `report.tables`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from superpod_iac import choices
from superpod_iac.bom.lines import COLUMNS, BomLine, bom_lines
from superpod_iac.bom.totals import totals
from superpod_iac.choices import BOM_FORMATS, table
from superpod_iac.model.inventory import Inventory
from superpod_iac.report import tables
from superpod_iac.report.escape import markdown

if TYPE_CHECKING:
    from superpod_iac.model.counts import SystemCounts

MAX_MD_SUPERPODS = 24
"""Superpod totals listed one by one in Markdown up to this many; beyond, identical pods fold."""


def _columns(group_by: str | None) -> list[str]:
    return COLUMNS if group_by else [c for c in COLUMNS if c != "group"]


def _row(x: BomLine, cols: list[str]) -> list[Any]:
    full = dict(zip(COLUMNS, x.row(), strict=True))
    return [full[c] for c in cols]


def _sum(lines: list[BomLine], attr: str) -> float:
    return round(sum(getattr(x, attr) or 0.0 for x in lines), 3)


def footer(lines: list[BomLine], cols: list[str], label: str = "total") -> list[Any]:
    """A totals row in the table's own columns: quantity, prices, power and weight summed."""
    sums = {"quantity": sum(x.quantity for x in lines),
            "total_price": round(sum(x.total_price or 0.0 for x in lines), 2),
            "total_power_w": _sum([x for x in lines if x.line == "base"], "total_power_w"),
            "total_weight_kg": _sum([x for x in lines if x.line == "base"], "total_weight_kg")}
    unpriced = sum(1 for x in lines if x.total_price is None)
    note = (f"{unpriced} of {len(lines)} rows unpriced (unconfirmed): price total is partial"
            if unpriced else "")
    first = cols[0]
    return [label if c == first else sums.get(c, note if c == "note" else None) for c in cols]


def render(inv: Inventory, fmt: str, group_by: str | None = None,
           spares: bool = True) -> str | bytes:
    """The BOM in format `fmt` (one of choices.BOM_FORMATS): text, or bytes for xlsx."""
    lines = bom_lines(inv, group_by, spares)
    return FORMATS[fmt](lines, totals(inv, lines, group_by), _columns(group_by), group_by)


def _json(lines: list[BomLine], tot: dict[str, Any], cols: list[str],
          group_by: str | None) -> str:
    return tables.to_json(cols, [_row(x, cols) for x in lines], group_by=group_by, totals=tot)


def _csv(lines: list[BomLine], _tot: dict[str, Any], cols: list[str],
         _group_by: str | None) -> str:
    return tables.to_csv(cols, [*(_row(x, cols) for x in lines), footer(lines, cols)])


def summary(inv: Inventory, fmt: str) -> str:
    """`superpod summary`: per superpod and cluster metrics as a table (choices.TABLE_FORMATS)."""
    from superpod_iac.metrics import summary_rows

    return TABLE_FORMATS[fmt](*summary_rows(inv))


def comparison(systems: Sequence[SystemCounts], fmt: str) -> str:
    """`superpod compare`: systems' metrics side by side with ratios to the first."""
    from superpod_iac.metrics import compare_rows

    return TABLE_FORMATS[fmt](*compare_rows(*systems))


def _by_group(lines: list[BomLine]) -> dict[str, list[BomLine]]:
    out: dict[str, list[BomLine]] = defaultdict(list)
    for x in lines:
        out[x.group].append(x)
    return dict(out)


def totals_text(tot: dict[str, Any]) -> str:
    """The totals as a markdown list (part, currency and fabric names escaped)."""
    price = ", ".join(f"{v:,.2f} {markdown(cur)}" for cur, v in tot["price"].items()) \
        or "none priced"
    optics = ", ".join(f"{n:,} x {markdown(name)}" for name, n in tot["optics"].items()) or "none"
    accel = ", ".join(f"{n:,} x {markdown(name)}"
                      for name, n in tot["accelerators_by_type"].items())
    out = [f"- power: {tot['power_kw']:,.1f} kW (devices + optics at maximum)",
           f"- weight: {tot['weight_kg']:,.0f} kg",
           f"- rack units: {tot['rack_units_used']:,} used of {tot['rack_units_total']:,} in "
           f"{tot['cabinets']:,} cabinets",
           f"- price: {price}" + (f" ({tot['rows_unpriced']} rows unpriced: unconfirmed)"
                                  if tot["rows_unpriced"] else ""),
           f"- optics: {optics}"]
    if accel:
        out.append(f"- accelerators (inside the devices): {accel}")
    for name, n in tot.get("integrated_links", {}).items():
        out.append(f"- {n:,} links on {markdown(name)} (in-cabinet harness, part of the "
                   "cabinet)")
    return "\n".join(out) + "\n"


def _markdown(lines: list[BomLine], tot: dict[str, Any], cols: list[str],
              group_by: str | None) -> str:
    md_cols = [c for c in cols if c not in ("group", "unit", "currency", "price_date")]
    parts = ["# Bill of materials", ""]
    for g, rows in _by_group(lines).items():
        title = f"{group_by} {g}" if group_by else ""
        parts.append(tables.to_md(md_cols, [_row(x, md_cols) for x in rows]
                                  + [footer(rows, md_cols)], title))
    parts += ["## Totals", "", totals_text(tot)]
    pods = tot.get("superpods", {})
    if len(pods) > 1:
        parts += ["## Per superpod", ""]
        pcols = ["superpod", "cabinets", "accelerators", "power_kw", "weight_kg",
                 "rack_units_used"]
        prow = [[name] + [t[c] for c in pcols[1:]] for name, t in pods.items()]
        if len(prow) > MAX_MD_SUPERPODS:
            folded: dict[tuple[Any, ...], list[str]] = defaultdict(list)
            for r in prow:
                folded[tuple(r[1:])].append(r[0])
            prow = [[f"{len(names)} superpods ({names[0]} ... {names[-1]})", *key]
                    for key, names in folded.items()]
        parts.append(tables.to_md(pcols, prow))
    for name, c in tot.get("clusters", {}).items():
        parts.append(f"Cluster {markdown(name)}: {c['superpods']:,} superpods, "
                     f"{c['accelerators']:,} accelerators, {c['power_kw']:,.1f} kW, "
                     f"{c['weight_kg']:,.0f} kg\n")
    return "\n".join(parts)


def _xlsx(lines: list[BomLine], tot: dict[str, Any], cols: list[str],
          group_by: str | None) -> bytes:
    sheets: list[tuple[str, list[str], list[list[Any]], list[list[Any]]]] = []
    for g, rows in _by_group(lines).items():
        sheets.append((g or "BOM", cols, [_row(x, cols) for x in rows], [footer(rows, cols)]))
    tcols = ["scope", "cabinets", "accelerators", "power_kw", "weight_kg", "rack_units_used",
             "rack_units_total", "price", "rows_unpriced", "optics"]

    def trow(scope: str, t: dict[str, Any]) -> list[Any]:
        price = "; ".join(f"{v:.2f} {cur}" for cur, v in t["price"].items())
        optics = "; ".join(f"{n} x {name}" for name, n in t["optics"].items())
        return [scope, t["cabinets"], t["accelerators"], t["power_kw"], t["weight_kg"],
                t["rack_units_used"], t["rack_units_total"], price, t["rows_unpriced"], optics]

    trows = [trow(f"{group_by} {g}", t) for g, t in tot.get("groups", {}).items()]
    if not group_by or group_by != "superpod":
        trows += [trow(f"superpod {g}", t) for g, t in tot.get("superpods", {}).items()]
    sheets.append(("Totals", tcols, trows, [trow("total", tot)]))
    return tables.to_xlsx(sheets)


Document = Callable[[list[BomLine], dict[str, Any], list[str], str | None], str | bytes]
FORMATS: dict[str, Document] = table(BOM_FORMATS, {
    "csv": _csv, "json": _json, "md": _markdown, "xlsx": _xlsx})
"""`superpod bom --format`: the BOM document in each format."""
TABLE_FORMATS: dict[str, Callable[[Sequence[str], Sequence[Sequence[Any]]], str]] = table(
    choices.TABLE_FORMATS, {"table": tables.to_table, "json": tables.to_json, "md": tables.to_md})
"""`superpod summary|compare --format`: a metrics table in each format."""
