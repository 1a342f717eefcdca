"""Nodeset replication: `tray[01-18]` names and lockstep ranges / `{i}` substitutions.

Range syntax is Slurm/ClusterShell's, parsed by ClusterShell's NodeSet (a well-kept library).
The plain shapes nearly every design writes (`tray[01-18]`, `g[1-4]n[01-18]`: integer ranges,
steps and lists, one padding per bracket, names of letters, digits and `-_./:`) are expanded here
without it: importing ClusterShell (logging, subprocess, configparser for its group resolvers)
and parsing each pattern cost ~20 ms of a ~0.45 s pre-commit `validate`. Anything else (mixed
padding, reversed ranges, operators, groups) goes to NodeSet, and a property test holds
the two to the same names in the same order (tests/model/test_model_expand.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar
from functools import lru_cache
from itertools import product
from typing import Any

_HAS_RANGE = re.compile(r"\[[0-9][0-9,\-/]*\]")
_SUBST = re.compile(r"\{(i|i0|name)\}")


_GROUP = re.compile(r"\[([^\]]*)\]")
_ELEMENT = re.compile(r"^\s*(\d+)(?:-(\d+)(?:/(\d+))?)?\s*$")
_PLAIN = re.compile(r"(?:[A-Za-z0-9_./:-]*\[[0-9,/-]+\])+[A-Za-z0-9_./:-]*")
_PLAIN_ELEMENT = re.compile(r"(\d+)(?:-(\d+)(?:/([1-9]\d*))?)?")
MAX_NAMES: ContextVar[int] = ContextVar("MAX_NAMES", default=100_000)
"""Names one pattern may expand to (LoadLimits.max_names; set per run by the pipeline)."""


class ExpansionError(ValueError):
    """A template cannot be expanded (bad range, or lockstep lengths differ)."""


class LimitError(ExpansionError):
    """A template would expand to more names than LoadLimits.max_names allows."""


def count_names(pattern: str) -> int:
    """An upper bound on the names `pattern` expands to, computed from the bracket text alone.

    ClusterShell builds every element of a range in memory, so `h[1-100000000]` would take
    minutes and gigabytes before any check could run: the bound is taken first.
    """
    total = 1
    for group in _GROUP.findall(pattern):
        count = 0
        for element in group.split(","):
            m = _ELEMENT.match(element)
            if m is None:
                continue  # malformed: ClusterShell reports it
            lo, hi, step = int(m.group(1)), int(m.group(2) or m.group(1)), int(m.group(3) or 1)
            count += max(0, (hi - lo) // max(step, 1) + 1)
        total *= max(count, 1)
    return total


@lru_cache(maxsize=65536)
def _expand(pattern: str, limit: int) -> tuple[str, ...]:
    if "[" not in pattern:
        return (pattern,)
    if not _HAS_RANGE.search(pattern):
        raise ExpansionError(f"'{pattern}' holds '[' but no valid range like [01-18]")
    bound = count_names(pattern)
    if bound > limit:
        raise LimitError(f"'{pattern}' expands to {bound:,} names > limit {limit:,} "
                             "(limit max_names)")
    plain = _plain_expand(pattern)
    if plain is not None:
        return plain
    from ClusterShell.NodeSet import RESOLVER_NOGROUP, NodeSet, NodeSetParseError
    from ClusterShell.RangeSet import RangeSetParseError

    try:
        return tuple(NodeSet(pattern, resolver=RESOLVER_NOGROUP))
    except (NodeSetParseError, RangeSetParseError, ValueError) as exc:
        raise ExpansionError(f"cannot expand '{pattern}': {exc}") from exc


def _plain_axis(group: str) -> list[str] | None:
    """The values of one bracket of integers (`01-18`, `1,3-4`, `1-7/2`), sorted and without repeats as
    ClusterShell gives them, when every number in it has one width if any is zero-padded;
    None for anything else (NodeSet decides)."""
    values: set[int] = set()
    widths: set[int] = set()
    padded = False
    for element in group.split(","):
        m = _PLAIN_ELEMENT.fullmatch(element)
        if m is None:
            return None
        lo_text, hi_text = m.group(1), m.group(2) or m.group(1)
        lo, hi, step = int(lo_text), int(hi_text), int(m.group(3) or 1)
        if lo > hi:
            return None
        for text in (lo_text, hi_text):
            widths.add(len(text))
            padded = padded or (len(text) > 1 and text[0] == "0")
        values.update(range(lo, hi + 1, step))
    if padded and len(widths) != 1:
        return None
    width = widths.pop() if padded else 0
    return [str(v).zfill(width) for v in sorted(values)]


def _plain_expand(pattern: str) -> tuple[str, ...] | None:
    """`pattern`'s names in NodeSet's order (the first bracket varies slowest), or None when
    the pattern is not one of the plain shapes (see the module's docstring)."""
    if _PLAIN.fullmatch(pattern) is None:
        return None
    parts = _GROUP.split(pattern)
    axes = []
    for group in parts[1::2]:
        axis = _plain_axis(group)
        if axis is None:
            return None
        axes.append(axis)
    literals = parts[0::2]
    if any(not lit for lit in literals[1:-1]) or any(
            lit[-1:].isdigit() for lit in literals[:-1]) or any(
            lit[:1].isdigit() for lit in literals[1:]):
        return None  # a digit beside a bracket (`n0[0-10]`) or two brackets side by side:
        # ClusterShell reads them in its own way (it refuses `n0[0-10]`); NodeSet decides
    return tuple("".join(lit + value for lit, value in zip(literals, values, strict=False))
                 + literals[-1] for values in product(*axes))


def expand(pattern: str) -> tuple[str, ...]:
    """Expand a nodeset pattern into names, in order; a plain name expands to itself."""
    return _expand(pattern, MAX_NAMES.get())


FOLD_MAX = 1_000
"""Folding is superlinear in ClusterShell for multi-dimensional names (20,000 names took 18 s
in one message): longer lists are shown as the fold of their first names plus a count."""


def fold(names: Iterable[str]) -> str:
    """The compact nodeset form of names, for messages and diagram labels: `['nvl72-01',
    'nvl72-02']` -> `nvl72-[01-02]` (ClusterShell nodeset notation); one name is shown as
    it is (a name that reads as a nodeset, `rack[1]`, is not turned into `rack1`)."""
    names = list(names)
    if len(names) <= 1:
        return names[0] if names else ""
    if len(names) > FOLD_MAX:
        return f"{fold(names[:FOLD_MAX])} and {len(names) - FOLD_MAX:,} more"
    from ClusterShell.NodeSet import RESOLVER_NOGROUP, NodeSet, NodeSetParseError
    from ClusterShell.RangeSet import RangeSetParseError

    try:
        return str(NodeSet.fromlist(names, resolver=RESOLVER_NOGROUP))
    except (NodeSetParseError, RangeSetParseError, ValueError):
        return ",".join(names)


def substitute(value: Any, index: int, count: int, name: str) -> Any:
    """Value for replica `index` of `count`: lockstep range element, or `{i}`/`{name}` filled."""
    if isinstance(value, str):
        text = value
        if "{" in text:
            text = _SUBST.sub(
                lambda m: {"i": str(index + 1), "i0": str(index), "name": name}[m.group(1)], text)
        if "[" in text and _HAS_RANGE.search(text):
            values = expand(text)
            if len(values) == count:
                return values[index]
            if len(values) != 1:
                raise ExpansionError(
                    f"range '{value}' has {len(values)} values but the name expands to {count}")
            return values[0]
        return text
    if isinstance(value, list):
        return [substitute(v, index, count, name) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, index, count, name) for k, v in value.items()}
    return value
