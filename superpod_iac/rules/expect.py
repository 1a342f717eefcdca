"""EXP: declared expectations hold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.superpod import Expect
from superpod_iac.model.counts import SystemCounts, cluster_counts, superpod_counts
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import Finding, rule

_FIELDS = ("accelerators", "cabinets", "switches", "transceivers", "links")


def _mismatches(expect: Expect, got: SystemCounts) -> list[str]:
    out = []
    for name in _FIELDS:
        want = getattr(expect, name)
        have = getattr(got, name)
        if want is not None and want != have:
            out.append(f"{name} {have:,} != expected {want:,}")
    if expect.power_kw is not None:
        have_kw = got.max_w / 1000
        tol = expect.power_kw * expect.tolerance_pct / 100
        if abs(have_kw - expect.power_kw) > tol + 1e-9:
            out.append(f"power {have_kw:,.1f} kW != expected {expect.power_kw:,.1f} kW "
                       f"(tolerance {expect.tolerance_pct:g} %)")
    if expect.scale_up_tbytes_s is not None:
        have = got.scale_up_links_gbytes_s / 1000  # the links, not the catalog's claim
        tol = expect.scale_up_tbytes_s * expect.tolerance_pct / 100
        if abs(have - expect.scale_up_tbytes_s) > tol + 1e-9:
            out.append(f"scale-up bandwidth {have:,.1f} TB/s from the links != expected "
                       f"{expect.scale_up_tbytes_s:,.1f} TB/s (tolerance "
                       f"{expect.tolerance_pct:g} %)")
    return out


@rule("EXP001", "computed totals differ from the declared expectations",
      policy=("aisle_clearance_m",),
      inputs=("Expect.accelerators?", "Expect.cabinets?", "Expect.power_kw?",
              "Expect.scale_up_tbytes_s?", "Expect.tolerance_pct="))  # floor area too
def expectations(inv: Inventory) -> Iterator[Finding]:
    """A Superpod or Cluster may declare what it should add up to (`expect:` accelerators,
    cabinets, switches, transceivers, links, power_kw, scale_up_tbytes_s). The validator counts
    them from the parts and links and reports every difference, so a changed template or a
    generator bug cannot silently change the system. Bandwidth is what the modelled scale-up
    links carry, never the catalog's per-accelerator claim times the count.

    Formula:
        counts must match exactly; |power - expected| <= expected x tolerance_pct / 100;
        |sum over scale-up links of rate x 2 / 8 - expected| <= expected x tolerance_pct / 100

    Fix:
        Correct the design, or update the expectation if the change is intended.
    """
    by_template: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    origins: dict[tuple[str, tuple[str, ...]], Origin] = {}
    for name, counts in superpod_counts(inv).items():
        pod = inv.superpods[name]
        problems = _mismatches(pod.expect, counts)
        if problems:
            key = (pod.template or name, tuple(problems))
            by_template.setdefault(key, []).append(name)
            origins[key] = pod.origin
    for (template, found), pods in sorted(by_template.items()):
        who = f"superpod {pods[0]}" if len(pods) == 1 and pods[0] == template else \
            f"{len(pods)} replica(s) of superpod {template} ({fold(pods)})"
        yield Finding(f"{who}: {'; '.join(found)}", _at_expect(origins[(template, found)]),
                      "fix the design or update `expect:`")
    for name, counts in cluster_counts(inv).items():
        cl = inv.clusters[name]
        problems = _mismatches(cl.expect, counts)
        if problems:
            yield Finding(f"cluster {name}: {'; '.join(problems)}", cl.origin,
                          "fix the design or update `expect:`", ("spec", "expect"))


def _at_expect(origin: Origin) -> Origin:
    """The `spec.expect` block of the object's document."""
    return replace(origin, path=("spec", "expect"))
