"""numbers.py, the one number format: as an engineer writes them (`559.6 kW`, `1,200`), the
unit left to the caller where a pair shares it (`diff`'s `old -> new kW`), and the published
figures of the docs' tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.numbers import figure, kw, num, qty


@pytest.mark.parametrize(("value", "text"), [
    (559.63, "559.6"), (1200.024, "1,200"), (60000.512, "60,001"), (45.0, "45"),
    (0.2549, "0.25"), (0.0, "0"), (-2.17, "-2.2"), (1296, "1,296"), (165888, "165,888"),
    (113.9, "113.9"), (0.004, "0.004"), (None, "n/a"),
])
def test_numbers_as_engineers_write_them(value: float | None, text: str) -> None:
    assert num(value) == text


def test_numbers_with_units_and_signs() -> None:
    assert qty(1200.024, "PFLOPS") == "1,200 PFLOPS"
    assert kw(559_630) == "559.6 kW"
    assert kw(3200, signed=True) == "+3.2 kW" and kw(-3200, signed=True) == "-3.2 kW"
    assert num(0.0, signed=True) == "0"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False) | st.none())
def test_kw_without_its_unit_is_kw_with_it_less_the_unit(watts: float | None) -> None:
    """`diff` prints `load 3.2 -> 4.1 kW`: the number is the one `kw` prints with its unit."""
    with_unit = kw(watts)
    assert kw(watts, unit=False) == (with_unit if watts is None else with_unit[:-3])
    assert with_unit == "n/a" or with_unit.endswith(" kW")


@pytest.mark.parametrize(("value", "text"), [
    (1296, "1,296"), (30976.0, "30,976"), (559.63, "559.6"), (1.4375, "1.44"),
    (0.25, "0.25"), (None, "n/a"), (True, "n/a"), ("72", "72"),
])
def test_published_figures(value: object, text: str) -> None:
    assert figure(value) == text


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_a_published_figure_reads_back_within_its_printed_precision(value: float) -> None:
    """What the tables print parses back to the value: exact for whole numbers, to 0.05
    from 10 up, to three significant digits below."""
    back = float(figure(value).replace(",", ""))
    if value == int(value) and abs(value) >= 1:
        assert back == value
    elif abs(value) >= 10:
        assert abs(back - value) <= 0.05 + 1e-9 * abs(value)
    else:
        assert math.isclose(back, value, rel_tol=5e-3, abs_tol=1e-300)
