"""Nodeset expansion (model/expand.py): ranges, zero padding, several dimensions, lockstep
substitution, limits and the errors a bad template gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from superpod_iac.model.expand import (
    MAX_NAMES,
    ExpansionError,
    LimitError,
    count_names,
    expand,
    fold,
    substitute,
)


@pytest.mark.parametrize(("pattern", "names"), [
    ("plain", ("plain",)),
    ("tray[1-3]", ("tray1", "tray2", "tray3")),
    ("tray[08-11]", ("tray08", "tray09", "tray10", "tray11")),   # padding kept across 10
    ("n[1-5/2]", ("n1", "n3", "n5")),                            # a step
    ("h[1,3,5-6]", ("h1", "h3", "h5", "h6")),                    # a list of elements
    ("r[1-2]s[1-3]", ("r1s1", "r1s2", "r1s3", "r2s1", "r2s2", "r2s3")),  # last fastest
    ("nvl72-[01-02]/tray[1-2]", ("nvl72-01/tray1", "nvl72-01/tray2", "nvl72-02/tray1",
                                 "nvl72-02/tray2")),
])
def test_expand_gives_the_names_in_order(pattern: str, names: tuple[str, ...]) -> None:
    assert expand(pattern) == names


@pytest.mark.parametrize(("pattern", "message"), [
    ("bad[", "'bad[' holds '[' but no valid range like [01-18]"),
    ("x[a-b]", "'x[a-b]' holds '[' but no valid range like [01-18]"),
    ("x[]", "'x[]' holds '[' but no valid range like [01-18]"),
    ("x[3-1]", "cannot expand 'x[3-1]'"),
])
def test_a_bad_range_is_an_expansion_error(pattern: str, message: str) -> None:
    with pytest.raises(ExpansionError) as err:
        expand(pattern)
    assert str(err.value).startswith(message)
    assert not isinstance(err.value, LimitError)


@pytest.mark.parametrize(("pattern", "bound"), [
    ("x", 1), ("a[1-10]b[1-3]", 30), ("h[1-5/2,9]", 4), ("p[01-18]", 18), ("q[1-100000000]", 10**8),
])
def test_count_names_bounds_a_pattern_without_expanding_it(pattern: str, bound: int) -> None:
    assert count_names(pattern) == bound


def test_a_pattern_over_max_names_is_a_limit_error_not_a_slow_expansion() -> None:
    token = MAX_NAMES.set(5)
    try:
        with pytest.raises(LimitError, match=r"'y\[1-6\]' expands to 6 names > limit 5 "
                                             r"\(limit max_names\)"):
            expand("y[1-6]")
        assert expand("y[1-5]") == ("y1", "y2", "y3", "y4", "y5")
    finally:
        MAX_NAMES.reset(token)
    assert len(expand("y[1-6]")) == 6  # the limit was per run, not sticky


def test_substitute_takes_the_lockstep_element_of_each_range() -> None:
    assert substitute("[11-13]", 1, 3, "tray2") == "12"
    assert substitute({"u": "[11-13]", "feeds": ["pdu-[1-3]", "x"], "n": 4}, 2, 3, "t3") == \
        {"u": "13", "feeds": ["pdu-3", "x"], "n": 4}
    assert substitute("[7]", 2, 3, "x") == "7"  # one value serves every replica


def test_substitute_fills_index_and_name_tokens() -> None:
    assert substitute("{i}/{i0}/{name}", 1, 3, "tray2") == "2/1/tray2"
    assert substitute("feed-{i}[1-3]", 0, 3, "a") == "feed-11"  # tokens first, then the range


def test_substitute_rejects_a_range_of_another_length() -> None:
    with pytest.raises(ExpansionError, match=r"range '\[1-2\]' has 2 values but the name "
                                             r"expands to 3"):
        substitute("[1-2]", 0, 3, "x")


def test_fold_is_the_compact_form_and_caps_long_lists() -> None:
    assert fold(["a1", "a2", "a3", "b7"]) == "a[1-3],b7"
    long = [f"n{i}" for i in range(1, 1_006)]
    assert fold(long) == "n[1-1000] and 5 more"


@given(st.lists(st.from_regex(r"[a-z]{1,4}(-[0-9]{1,3})?(\[[0-9]\])?", fullmatch=True),
                max_size=1))
def test_one_name_folds_to_itself(names: list[str]) -> None:
    """fold (messages and diagram labels alike: render.labels re-exports it) shows a single
    name as it is, even one that reads as a nodeset (`rack[1]` stays `rack[1]`)."""
    assert fold(iter(names)) == (names[0] if names else "")


def test_names_fold_into_a_nodeset_that_expands_back() -> None:
    names = [f"nvl72-{i:02d}" for i in range(1, 9)] + ["mgmt-1"]
    folded = fold(names)
    assert folded == "mgmt-1,nvl72-[01-08]"
    assert sorted(expand(folded)) == sorted(names)


def _clustershell(pattern: str) -> tuple[str, ...] | str:
    from ClusterShell.NodeSet import RESOLVER_NOGROUP, NodeSet, NodeSetParseError
    from ClusterShell.RangeSet import RangeSetParseError

    try:
        return tuple(NodeSet(pattern, resolver=RESOLVER_NOGROUP))
    except (NodeSetParseError, RangeSetParseError, ValueError):
        return "error"


_NUMBER = st.integers(0, 120).flatmap(
    lambda n: st.sampled_from([str(n), str(n).zfill(2), str(n).zfill(3)]))
_ELEMENT = st.one_of(_NUMBER, st.tuples(_NUMBER, _NUMBER).map("-".join),
                     st.tuples(_NUMBER, _NUMBER, st.integers(1, 3)).map(
                         lambda t: f"{t[0]}-{t[1]}/{t[2]}"))
_BRACKET = st.lists(_ELEMENT, min_size=1, max_size=3).map(lambda e: "[" + ",".join(e) + "]")
_LITERAL = st.text("ab0-9_./:", max_size=3)


@given(st.lists(st.tuples(_LITERAL, _BRACKET), min_size=1, max_size=3), _LITERAL)
def test_the_plain_path_gives_clustershells_names_in_its_order(
        parts: list[tuple[str, str]], tail: str) -> None:
    """expand() answers plain patterns without ClusterShell (model/expand.py's docstring): on
    any pattern of literals and brackets of numbers, ranges, steps, lists and paddings, it gives
    NodeSet's names in NodeSet's order, or NodeSet's refusal as an ExpansionError."""
    from superpod_iac.model.expand import _plain_expand

    pattern = "".join(lit + br for lit, br in parts) + tail
    assume(count_names(pattern) <= 20_000)  # within max_names (that refusal is tested above)
    want = _clustershell(pattern)
    plain = _plain_expand(pattern)
    if plain is not None:
        assert plain == want
    try:
        assert expand(pattern) == want
    except ExpansionError:
        assert want == "error"


def test_the_plain_shapes_of_the_reference_designs_skip_clustershell() -> None:
    """The shapes the specs write are the plain ones (so `validate` need not import ClusterShell)."""
    from superpod_iac.model.expand import _plain_expand

    for pattern in ("tray[01-18]", "g[1-4]n[01-18]", "p[01-24]/[1-2]", "c[01-12]/node[1-4]:vpc1",
                    "ub[01-56]/[1-2]", "h[1,3,5-6]", "x[0-10]"):
        assert _plain_expand(pattern) == _clustershell(pattern)


def test_a_range_clustershell_alone_reads_still_expands() -> None:
    """The other side of the plain path: a mixed padding goes to ClusterShell, lazily."""
    probe = ("import sys\nfrom superpod_iac.model.expand import expand\n"
             "assert 'ClusterShell' not in sys.modules\n"
             "print(expand('n[1-2]'), 'ClusterShell' in sys.modules)\n"
             "print(expand('n[1,02]'), 'ClusterShell' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=60, check=True)
    assert proc.stdout.splitlines() == ["('n1', 'n2') False", "('n1', 'n02') True"]
