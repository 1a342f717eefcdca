"""Numbers as an engineer writes them: `559.6 kW`, `1,200 PFLOPS`, `0.25 kW`, `+3.2 kW`.

One place for user-facing number formatting, so no output prints `1200.024` or `60000.512`:
thousands separators, one decimal below 1,000, none from 1,000 up, two significant digits
below 1, and no trailing `.0`. A base-layer module (it imports nothing of the package), so
every stage formats through it: findings (`kw_1`), diagrams (`kw_scaled`, `kw_rating`), tables
and plans (`num`, `qty`, `kw`), the published-figure tables of the docs (`figure`), and the HTML
report (`num` for its static tables, `data` for the values its tables carry as JSON; the page's
script mirrors `num`, a browser test holds the two to the same strings).
"""

from __future__ import annotations

import math

_THOUSAND = 1000.0


def num(value: float | int | None, *, signed: bool = False, missing: str = "n/a") -> str:
    """`1200.024` -> `1,200`; `559.63` -> `559.6`; `45.0` -> `45`; `0.2549` -> `0.25`."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    sign = "+" if signed and value > 0 else ""
    if isinstance(value, int):
        return f"{sign}{value:,}"
    mag = abs(value)
    if mag >= _THOUSAND:
        text = f"{value:,.0f}"
    elif mag >= 1 or mag == 0:
        text = f"{value:,.1f}"
    else:
        digits = max(1, 1 - math.floor(math.log10(mag)))  # two significant digits
        text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0"):
        text = "0"
    return sign + text if not text.startswith("-") else text


def qty(value: float | int | None, unit: str, *, signed: bool = False) -> str:
    """A number with its unit: `qty(559.63, "kW")` -> `559.6 kW`."""
    if value is None:
        return "n/a"
    return f"{num(value, signed=signed)} {unit}".rstrip()


def kw(watts: float | None, *, signed: bool = False, unit: bool = True) -> str:
    """Watts shown in kW: `kw(42_200)` -> `42.2 kW`; `unit=False` leaves the unit to the
    caller (`kw(42_200, unit=False)` -> `42.2`, for `old -> new kW`)."""
    if watts is None:
        return "n/a"
    return qty(watts / 1000.0, "kW" if unit else "", signed=signed)


def figure(value: object) -> str:
    """A figure of a published-figures table (docs/systems.md, the specs' READMEs): integers
    and whole numbers with thousands separators, one decimal from 10 up, three significant
    digits below (`figure(1.4375)` -> `1.44`), `n/a` for a missing value or a flag."""
    if isinstance(value, bool) or value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == int(value) and abs(value) >= 1:
            return f"{int(value):,}"
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.3g}"
    return str(value)


def kw_1(watts: float) -> str:
    """Watts in kW with one decimal, as findings quote them: `65_500` -> `65.5 kW`,
    `130_000` -> `130.0 kW` (the rules' messages, fixed so findings compare across runs)."""
    return f"{watts / 1000:.1f} kW"


def kw_scaled(watts: float | None) -> str:
    """Watts for a diagram label: kW with a thousands separator and one decimal, MW from
    10,000 kW (`kw_scaled(132_000)` -> `132.0 kW`, `kw_scaled(25e9)` -> `25,000.0 MW`)."""
    if watts is None:
        return "n/a"
    kwv = watts / 1000.0
    if abs(kwv) >= 10_000:
        return f"{kwv / 1000:,.1f} MW"
    return f"{kwv:,.1f} kW"


def kw_rating(kw_value: float | None) -> str:
    """A rating already written in kW (catalog figures): `kw_rating(132)` -> `132 kW`."""
    return "n/a" if kw_value is None else f"{kw_value:,.0f} kW"


DATA_DECIMALS = 3


def data(value: object) -> object:
    """A value as a report table carries it (JSON, formatted by `num`'s rule in the page):
    floats rounded to 3 decimals, numpy scalars as plain Python numbers, the rest as is."""
    item = getattr(value, "item", None)
    if item is not None and hasattr(value, "dtype"):  # a numpy scalar, without importing numpy
        value = item()
    if isinstance(value, float):
        return round(value, DATA_DECIMALS)
    return value


def kw_headroom(watts: float | None) -> str:
    """Headroom in a diagram label: signed, so a shortfall reads as negative headroom
    (`kw_headroom(-30_700)` -> `-30.7 kW`, `kw_headroom(35_300)` -> `+35.3 kW`)."""
    if watts is None:
        return "n/a"
    text = kw_scaled(abs(watts))
    if round(abs(watts) / 1000.0, 1) == 0:
        return text
    return f"-{text}" if watts < 0 else f"+{text}"


def amps(a: float | None) -> str:
    """A current as a diagram prints it: `1,234 A`; empty when unknown."""
    return "" if a is None else f"{a:,.0f} A"
