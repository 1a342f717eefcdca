"""Headroom colours of the power one-line, with their documented thresholds.

- red (`power-over`): over the derated rating in normal operation (PWR003);
- red, dashed (`power-over-failure`): within it normally, over it after the worst failure its
  redundancy must survive (PWR004): a shortfall, shown as negative headroom;
- amber (`power-near`): at or above `status.near_pct` (90 %) of the derated rating, normally
  or after a failure, and not over it (a cabinet at 99.5 % is amber);
- white (`power`): below 90 %.

The over/under decisions are the model's (`model.utilization`); this module only picks the
class. Cabinets use the same thresholds against the cabinet rating, and their power shelves'
output left after the worst shelf or side failure against the load.
"""

from __future__ import annotations

from superpod_iac.model.utilization import CabinetUse, PowerUse, ShelfHeadroom

NEAR_DEFAULT = 90.0
"""Amber from this share of the rating (styles.yaml `status.near_pct`)."""

STATUS_TEXT = {
    "power": "below 90 % of derated rating",
    "power-near": "amber: 90-100 %",
    "power-over-failure": "red dashed: over after a failure",
    "power-over": "red: over in normal operation",
}
CABINET_TEXT = {
    "power-cabinet": "cabinet below 90 % (IT load incl. optics)",
    "power-cabinet-near": "cabinet at 90-100 %",
    "power-cabinet-over-failure": "cabinet: shelves short after a failure",
    "power-cabinet-over": "cabinet over its rating",
}


def headroom_class(over: bool, over_after_failure: bool, pct: float | None,
                   worst_pct: float | None, near_pct: float = NEAR_DEFAULT) -> str:
    """The class of a figure set: red over, red-dashed over after a failure, amber near."""
    if over:
        return "power-over"
    if over_after_failure:
        return "power-over-failure"
    shares = [p for p in (pct, worst_pct) if p is not None]
    if shares and max(shares) >= near_pct:
        return "power-near"
    return "power"


def node_class(use: PowerUse, near_pct: float = NEAR_DEFAULT) -> str:
    return headroom_class(use.overloaded, use.overloaded_after_failure, use.pct, use.worst_pct,
                          near_pct)


def cabinet_class(use: CabinetUse, shelves: ShelfHeadroom | None,
                  near_pct: float = NEAR_DEFAULT) -> str:
    short = shelves is not None and shelves.headroom_w < 0 and not use.overloaded
    cls = headroom_class(use.overloaded, short, use.pct, None, near_pct)
    return cls.replace("power", "power-cabinet", 1)
