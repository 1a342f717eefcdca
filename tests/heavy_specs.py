"""Which reference designs the per-spec drawing and report loops leave out.

A design folder with its own `superpod.toml` that raises `[limits]` (today the Atlas 950
SuperCluster: 5.5 M links, ~12 s of CPU and ~1.5 GB to validate) is validated, summarised,
compared and checked against its published figures like every other design (test_specs.py,
test_compare.py), but drawing every view of it and opening its HTML report in Chromium would
add minutes to `make test` for what the smaller designs already cover (the cluster-level
views fold replicas the same way at any count).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import SPECS


def raises_limits(folder: Path) -> bool:
    cfg = folder / "superpod.toml"
    if not cfg.is_file():
        return False
    return bool(tomllib.loads(cfg.read_text(encoding="utf-8")).get("limits"))


def light_specs() -> list[str]:
    """Spec folder names without raised load limits, sorted."""
    return sorted(p.name for p in SPECS.iterdir() if p.is_dir() and not raises_limits(p))


def heavy_specs() -> list[str]:
    return sorted(p.name for p in SPECS.iterdir() if p.is_dir() and raises_limits(p))
