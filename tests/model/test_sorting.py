"""model/sorting.py: `distinct` is np.unique's sorted values, inverse and first index."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.model.sorting import distinct


@given(st.lists(st.integers(-50, 50), max_size=200))
def test_distinct_is_what_np_unique_gives(values: list[int]) -> None:
    arr = np.array(values, dtype=np.int64)
    got_values, got_inverse, got_first = distinct(arr)
    want_values, want_first, want_inverse = np.unique(arr, return_index=True,
                                                      return_inverse=True)
    assert got_values.tolist() == want_values.tolist()
    assert got_inverse.tolist() == want_inverse.ravel().tolist()
    assert got_first.tolist() == want_first.tolist()  # the first occurrence, in input order
    assert (got_values[got_inverse] == arr).all()
