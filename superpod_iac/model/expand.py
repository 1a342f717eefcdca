"""Nodeset replication: `tray[01-18]` names and lockstep ranges / `{i}` substitutions.

Range syntax is Slurm/ClusterShell's, parsed by ClusterShell's NodeSet (a well-kept library),
not by a home-made parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from ClusterShell.NodeSet import (
    RESOLVER_NOGROUP,
    NodeSet,
    NodeSetParseError,
)
from ClusterShell.RangeSet import RangeSetParseError

_HAS_RANGE = re.compile(r"\[[0-9][0-9,\-/]*\]")
_SUBST = re.compile(r"\{(i|i0|name)\}")


_GROUP = re.compile(r"\[([^\]]*)\]")
_ELEMENT = re.compile(r"^\s*(\d+)(?:-(\d+)(?:/(\d+))?)?\s*$")
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
    try:
        return tuple(NodeSet(pattern, resolver=RESOLVER_NOGROUP))
    except (NodeSetParseError, RangeSetParseError, ValueError) as exc:
        raise ExpansionError(f"cannot expand '{pattern}': {exc}") from exc


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
