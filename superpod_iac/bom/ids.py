"""Cable identity as the cut sheet writes it (ANSI/TIA-606): cabinet and device identifiers,
the route class of a run, and the orderable size of each cable. One reading for the cut sheet
(`superpod_iac.cabling`) and the port map (`superpod_iac.bom.portmap`), so both name every
cable the same way.

Identifiers follow the TIA-606 pattern for a cable: the identifiers of its two ends joined by
`/`, each end `SITE.RSS-UUU:PORT` (site = hall, R = row, SS = position in the row, UUU = the
device's lowest rack unit, then the port; a breakout sub-port `p1/2` is written `p1.2` so `/`
only ever separates the ends).
"""

from __future__ import annotations

from superpod_iac.model.inventory import Cabinet, Device, Inventory


def cabinet_id(cab: Cabinet) -> str:
    """TIA-606 cabinet identifier: `SITE.RSS` from hall, row and position (`CM384-HALL.A03`);
    the cabinet name when it has no floor position."""
    if cab.hall and cab.row and cab.slot is not None:
        return f"{cab.hall.upper()}.{cab.row.upper()}{cab.slot:02d}"
    return f"{(cab.hall or 'SITE').upper()}.{cab.name.upper()}"


def device_id(cab: Cabinet, dev: Device) -> str:
    """`SITE.RSS-UNN`: the device's lowest rack unit; a 0U device (side-mounted PDU) has no U
    of its own and is named instead."""
    if dev.type.height_u == 0:
        return f"{cabinet_id(cab)}-{dev.name.upper()}"
    return f"{cabinet_id(cab)}-U{dev.u:02d}"


def route(ca: Cabinet, cb: Cabinet) -> str:
    if ca is cb:
        return "same cabinet"
    if ca.hall != cb.hall:
        return "cross-hall"
    if ca.row is not None and ca.row == cb.row:
        return "same row"
    return "cross-row via tray"


SizeInfo = tuple[float | int | str | None, str, str, bool]
"""A cable size as the cut sheet prints it: (orderable length or size label, MPN, SKU, harness)."""


def size_info(inv: Inventory,
               sizes: list[tuple[str, float | None, str]]) -> list[SizeInfo]:
    """Per entry of `cable_sizes`, the cut sheet's length cell, MPN, SKU and whether it is an
    in-rack harness (one reading for the row-by-row and the column-wise writers)."""
    out: list[SizeInfo] = []
    for name, stock, size in sizes:
        ctype = inv.catalog.cable_types.get(name)
        mpn = sku = ""
        if ctype is not None:
            mpn = (ctype.length_mpns.get(f"{stock:g}") if stock is not None else None) \
                or ctype.mpn or ctype.part_number or "unconfirmed"
            sku = ctype.vendor_sku or ""
        harness = size == "in-rack harness"
        length: float | str | None = stock if stock is not None else (None if harness else size)
        if isinstance(length, float) and length.is_integer():
            length = int(length)
        out.append((length, mpn, sku, harness))
    return out

