"""Grouping equal values in numpy arrays: the one sort-based `distinct` the link tables
(model/portends.py) and the cabling schedule (cabling.py) share."""

from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values, sorted; each value's index among them; and where each distinct
    value first occurs. np.unique's sort path (numpy 2's default for np.unique takes a slower
    hash path); the sort is stable, so "first" is the first in the input's order."""
    order = np.argsort(values, kind="stable")
    srt = values[order]
    head = np.ones(len(values), dtype=bool)
    head[1:] = srt[1:] != srt[:-1]
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(head) - 1
    return srt[head], inverse, order[head]
