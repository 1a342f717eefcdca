"""Part data for BOM rows: manufacturer, MPN, SKU, price, lead time, category of a catalog part.

Unknown values come out as the explicit string `unconfirmed`, never as a guess: a buyer sees at
a glance which lines still need a quote.
"""

from __future__ import annotations

from dataclasses import dataclass

from superpod_iac.manifest.catalog import Part

UNCONFIRMED = "unconfirmed"

CATEGORIES = ("compute", "network", "optics", "cables", "power", "cooling", "racks",
              "accessories")
"""BOM categories in the order a buyer's sheet lists them."""

ROLE_CATEGORY = {
    "compute": "compute", "storage": "compute", "switch": "network", "management": "network",
    "patch-panel": "network", "power-shelf": "power", "pdu": "power", "cdu": "cooling",
    "other": "accessories",
}
"""Device role -> BOM category."""


@dataclass(slots=True, frozen=True)
class PartData:
    manufacturer: str
    mpn: str
    vendor_sku: str
    unit_price: float | None
    """None when the price is unconfirmed (shown as `unconfirmed`)."""
    currency: str
    price_date: str
    lead_time_weeks: float | str


NO_PART = PartData(UNCONFIRMED, UNCONFIRMED, "", None, "USD", "", UNCONFIRMED)


def part_data(part: Part | None, mpn: str | None = None) -> PartData:
    """The orderable data of a catalog part; `mpn` overrides (a cable's per-length MPN)."""
    if part is None:
        return NO_PART
    price: float | None
    if isinstance(part.unit_price, int | float):
        price = float(part.unit_price)
    elif part.unit_price is None and part.unit_price_usd is not None:
        price = float(part.unit_price_usd)
    else:
        price = None
    currency = part.currency if part.unit_price is not None or part.unit_price_usd is None \
        else "USD"
    lead = part.lead_time_weeks if part.lead_time_weeks is not None else UNCONFIRMED
    return PartData(
        manufacturer=part.manufacturer or UNCONFIRMED,
        mpn=mpn or part.mpn or part.part_number or UNCONFIRMED,
        vendor_sku=part.vendor_sku or "",
        unit_price=price,
        currency=currency,
        price_date=part.price_date or "",
        lead_time_weeks=lead,
    )
