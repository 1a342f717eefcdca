"""Derived quantities of an Inventory: computed on first use, then shared by every rule,
renderer and report that asks (loads, the power tree, port usage, link groups, ...).

A derived quantity is a function of the Inventory alone, declared with `@derived`; its value
is kept in `Inventory.cache` under the function's registry key until the Inventory changes
(`Inventory.invalidate()`, called when replication rewrites devices and links). `DERIVED`
lists every declared quantity: no module keeps its own memo in the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from superpod_iac.model.inventory import Inventory

T = TypeVar("T")

DERIVED: dict[str, Callable[[Inventory], object]] = {}
"""registry key (`module.function`) -> the function computing the quantity."""


def derived(fn: Callable[[Inventory], T]) -> Callable[[Inventory], T]:
    """Declare `fn(inv)` a derived quantity: computed once per Inventory, then cached."""
    key = f"{fn.__module__}.{fn.__qualname__}"
    if key in DERIVED:
        raise ValueError(f"derived quantity {key} is declared twice")
    DERIVED[key] = fn

    @functools.wraps(fn)
    def value(inv: Inventory) -> T:
        cache = inv.cache
        if key in cache:
            found: T = cache[key]
            return found
        result = cache[key] = fn(inv)
        return result

    return value
