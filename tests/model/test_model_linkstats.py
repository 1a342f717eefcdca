"""The shared per-end index of link ends (model/linkstats.link_ends) and what is derived from it:
the optical-module table and the cabled-cage marks of PRT004, each checked against a plain
Python reading of the same links (one dict entry per module, one loop per port)."""

from __future__ import annotations

import numpy as np
import pytest

from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import (
    _distinct,
    _module_table,
    columns,
    link_ends,
    port_index,
    port_stride,
    transceiver_modules,
    used_mask,
)
from superpod_iac.pipeline import load_project
from superpod_iac.rules.ports import _cabled_cages
from tests.conftest import FIXTURES, SPECS


def _load(path: str) -> Inventory:
    return load_project([path], Config(), check=False).inventory


def _cage(inv: Inventory, dev: int, port: int) -> int:
    idx = port_index(inv)
    first = int(idx.type_offset[idx.type_ids[dev]])
    return int(idx.cage_of_port[first + port]) - first


def _reference_modules(inv: Inventory) -> tuple[list[int], list[int], list[int]]:
    """(devices, transceiver types, module of every end: A ends then B ends, -1 none), one
    module per (device, cage, transceiver type) in the order of its first end."""
    c = columns(inv)
    ends = [(int(d), int(p), int(x)) for dc, pc, xc in (("a_dev", "a_port", "xcvr_a"),
                                                          ("b_dev", "b_port", "xcvr_b"))
            for d, p, x in zip(c[dc], c[pc], c[xc], strict=True)]
    number: dict[tuple[int, int, int], int] = {}
    devs: list[int] = []
    xcvrs: list[int] = []
    module: list[int] = []
    for dev, port, x in ends:
        if x < 0:
            module.append(-1)
            continue
        key = (dev, _cage(inv, dev, port), x)
        if key not in number:
            number[key] = len(devs)
            devs.append(dev)
            xcvrs.append(x)
        module.append(number[key])
    return devs, xcvrs, module


def _assert_matches_reference(inv: Inventory) -> None:
    devs, xcvrs, module = _reference_modules(inv)
    table = _module_table(inv)
    assert table.devs.tolist() == devs
    assert table.xcvrs.tolist() == xcvrs
    assert np.concatenate([table.module_a, table.module_b]).tolist() == module


@pytest.mark.parametrize("path", [str(SPECS / "cloudmatrix-384"), str(SPECS / "gb200-nvl72"),
                                  str(FIXTURES / "render" / "mini")])
def test_module_table_is_one_module_per_cage_and_type(path: str) -> None:
    inv = _load(path)
    _assert_matches_reference(inv)


def test_cloudmatrix_twin_port_cages_share_one_module() -> None:
    inv = _load(str(SPECS / "cloudmatrix-384"))
    devs, _xs = transceiver_modules(inv)
    c = columns(inv)
    ends = int((c["xcvr_a"] >= 0).sum() + (c["xcvr_b"] >= 0).sum())
    assert 0 < len(devs) < ends  # sub-ports of one twin-port cage hold one module


def test_a_cage_whose_ends_name_two_transceiver_types_holds_two_modules() -> None:
    """The sort-free path assumes one type per cage; a cage with two types takes the sorted
    path and still counts one module per type, as the plain reading does."""
    inv = _load(str(SPECS / "cloudmatrix-384"))
    t = inv.links
    ends = link_ends(inv)
    before = len(transceiver_modules(inv)[0])
    n = len(t)
    xs = np.concatenate([columns(inv)["xcvr_a"], columns(inv)["xcvr_b"]])
    shared = ends.cage[(xs >= 0) & (ends.cage != ends.slot)]
    values, counts = np.unique(shared, return_counts=True)
    cage = int(values[counts > 1][0])
    end = int(np.flatnonzero((ends.cage == cage) & (xs >= 0))[-1])  # not the cage's first end
    t.xcvr_names.append("another-module")
    column = t.xcvr_a if end < n else t.xcvr_b
    column[end % n] = len(t.xcvr_names) - 1
    inv.invalidate()
    _assert_matches_reference(inv)
    assert len(transceiver_modules(inv)[0]) == before + 1


@pytest.mark.parametrize("path", [str(SPECS / "cloudmatrix-384"), str(SPECS / "gb200-nvl72")])
def test_cabled_cages_are_the_used_ports_moved_to_their_cage(path: str) -> None:
    """PRT004's marks: a cage is cabled when it or any of its breakout sub-ports is used."""
    inv = _load(path)
    idx = port_index(inv)
    used = used_mask(inv)
    stride = port_stride(inv)
    base = link_ends(inv).base
    cabled = _cabled_cages(inv)
    want = np.zeros_like(cabled)
    for dev in range(len(inv.devices)):
        tid = int(idx.type_ids[dev])
        for port in range(int(idx.type_offset[tid + 1] - idx.type_offset[tid])):
            if used[dev * stride + port]:
                want[int(base[dev]) + _cage(inv, dev, port)] = True
    assert cabled.tolist() == want.tolist()
    assert cabled.any()


def test_distinct_rows_by_dense_counting_are_what_a_sort_gives() -> None:
    """link_groups' sort-free grouping: first row and count of every distinct row, in key
    order, equal np.unique's, including when the id space must be renumbered on the way
    (a wide last field, like the quantised length) and None when one field is too wide."""
    rng = np.random.default_rng(5)
    n = 5_000
    few = rng.integers(0, 4, n)  # four columns of the same values: 256 ids, 4 present
    for fields in ([rng.integers(0, w, n) for w in (3, 2, 4)],
                   [few, few, few, few, rng.integers(0, 1_000, n)],
                   [np.zeros(n, dtype=np.int64)]):
        dims = [int(f.max()) + 1 for f in fields]
        _keys, first, counts = np.unique(np.ravel_multi_index(fields, dims),
                                         return_index=True, return_counts=True)
        got = _distinct(fields, dims)
        assert got is not None
        assert got[0].tolist() == first.tolist() and got[1].tolist() == counts.tolist()
    assert _distinct([rng.integers(0, 10**6, n)], [10**6]) is None
