"""Progress on a terminal for long commands, nothing on a pipe.

A tqdm bar on standard error that appears only when standard error is a terminal and only
after the work has run for `DELAY_S` seconds (so quick runs, pre-commit hooks and CI logs
stay clean). `SUPERPOD_PROGRESS_DELAY` overrides the delay (tests use 0).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from tqdm import tqdm

DELAY_S = 2.0
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Progress(Protocol[T_co]):
    """What callers use of a bar: a tqdm, or `_Off` when standard error is not a terminal."""

    def __iter__(self) -> Iterator[T_co]: ...

    def update(self, n: float | None = 1) -> bool | None: ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None: ...

    def close(self) -> None: ...


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("SUPERPOD_PROGRESS_DELAY", DELAY_S)))
    except ValueError:
        return DELAY_S


class _Off(Generic[T]):
    """What a disabled tqdm does, without importing tqdm (~10 ms on every pre-commit run)."""

    def __init__(self, iterable: Iterable[T] | None) -> None:
        self.iterable = iterable

    def __iter__(self) -> Iterator[T]:
        assert self.iterable is not None
        return iter(self.iterable)

    def update(self, n: float | None = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


@overload
def bar(iterable: Iterable[T], *, desc: str, total: int | None = None, unit: str = "it",
        scale: bool = False) -> Progress[T]: ...


@overload
def bar(iterable: None = None, *, desc: str, total: int | None = None, unit: str = "it",
        scale: bool = False) -> Progress[object]: ...


def bar(iterable: Iterable[T] | None = None, *, desc: str, total: int | None = None,
        unit: str = "it", scale: bool = False) -> Progress[T]:
    """A progress bar over `iterable` (or one to `update()` by hand); `scale` shows counts as
    4.22k, 2.16M. Off (and tqdm not imported) when standard error is not a terminal, which is
    what tqdm's `disable=None` decides too."""
    if hasattr(sys.stderr, "isatty") and not sys.stderr.isatty():
        return _Off(iterable)
    from tqdm import tqdm

    delay = _delay()
    # miniters=1: tqdm's dynamic miniters, learnt while the files are read (hundreds a
    # second), would otherwise hide the few slow steps after them (model, rules) until the end
    shown = tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, disable=None,
                 leave=False, delay=delay, dynamic_ncols=True, mininterval=0.2,
                 unit_scale=scale, miniters=1)
    if not shown.disable:
        _keep_alive(shown, delay)  # type: ignore[arg-type]
    return shown


def _keep_alive(shown: tqdm[object], delay: float, every_s: float = 0.5) -> None:
    """Draw the bar once `delay` has passed and then every `every_s` while it is open, so a
    long single step (building the model, running the rules) shows its name and the elapsed
    time instead of nothing: tqdm itself draws only on update(). A daemon thread; refresh()
    does nothing once the bar is closed."""
    import threading

    def tick() -> None:
        wait = delay
        while True:
            threading.Event().wait(wait)
            if shown.disable:  # closed
                return
            shown.refresh()
            wait = every_s

    threading.Thread(target=tick, name="superpod-progress", daemon=True).start()
