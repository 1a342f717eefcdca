"""Phase balance of three-phase rack PDUs (OUT004, OUT005) on a real devicetype-library PDU.

The Raritan PX4-534AJ-E7 (tests/data/devicetype-library, CC0-1.0) wires outlets 1-12 to
feed leg A, 13-24 to B, 25-36 to C; `superpod import netbox` keeps them as banks with their
`feed_leg`. The library gives no inlet rating, so the design states one, as an operator
would: an L15-30P inlet at 208 V, 24 A continuous: sqrt 3 x 208 V x 24 A = 8,646 W.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac import physics
from superpod_iac.netbox.importer import import_netbox
from tests.conftest import ROOT, RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
PX4 = ROOT / "tests/data/devicetype-library/device-types/Raritan/PX4-534AJ-E7.yaml"
RATING_W = round(math.sqrt(3) * 208 * 24)
SERVER_W = 2000.0
HDOT = {"A": [4, 5, 6, 10, 11, 12], "B": [16, 17, 18, 22, 23, 24], "C": [28, 29, 30, 34, 35, 36]}
"""The PX4's HDOT Cx outlets (they take C20 plugs) on each feed leg, numbered as imported."""


def _catalog(rated: bool) -> str:
    res = import_netbox([str(PX4)], rack_power_kw=None)
    assert not res.errors, res.errors
    (pdu,) = res.catalog["spec"]["device_types"]
    legs = [b["feed_leg"] for b in pdu["outlets"] for _ in range(b["count"])]
    assert legs == ["A"] * 12 + ["B"] * 12 + ["C"] * 12  # the library file's legs, kept
    if rated:
        pdu["power_output"] = {"psu_count": 1, "psu_w": RATING_W, "redundancy": "N",
                               "input_phases": 3}
    pdu["name"] = "px4"
    pdu.pop("source", None)
    res.catalog["spec"]["device_types"].append(
        {"name": "srv", "role": "compute", "height_u": 1, "max_w": SERVER_W,
         "psus": {"count": 2, "cord": "c20", "redundancy": "N+N"}})
    return json.dumps(res.catalog)


def _design(per_leg: dict[str, int], rated: bool) -> str:
    devices = ["{name: pdu-A, type: px4, u: 0, feeds: [feed-A1]}",
               "{name: pdu-B, type: px4, u: 0, feeds: [feed-B1]}"]
    u = 1
    for leg, n in per_leg.items():
        for k in range(n):
            o = HDOT[leg][k]
            devices.append(f'{{name: s{u}, type: srv, u: {u}, outlets: ["pdu-A:{o}", "pdu-B:{o}"]}}')
            u += 1
    return (_catalog(rated) + "\n---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\n"
            "metadata: {name: rack-01}\nspec:\n  type: light-rack\n"
            "  location: {hall: hall1, row: A, slot: 1}\n  feeds: [feed-A1, feed-B1]\n"
            "  devices:\n" + "".join(f"    - {d}\n" for d in devices))


def _findings(cli, tmp_path: Path, per_leg: dict[str, int], rated: bool = True
              ) -> list[tuple[str, str]]:
    path = tmp_path / "design.yaml"
    path.write_text(_design(per_leg, rated), encoding="utf-8")
    res = cli("validate", "--format", "json", str(BASE), str(path))
    return [(d["rule"], d["message"]) for d in res.json()["diagnostics"]
            if d["rule"] in ("OUT004", "OUT005")]


def test_uneven_load_on_an_imported_three_phase_pdu(cli, tmp_path: Path) -> None:
    # two 2 kW servers on leg A, one on C: when side B is lost pdu-A's L1 carries 4 kW
    # > 8,646 W / 3 = 2,882 W; L1 4, L2 0, L3 2 kW: mean 2 kW, |4 - 2| / 2 = 100 % > 15 %
    found = _findings(cli, tmp_path, {"A": 2, "C": 1})
    over = [m for r, m in found if r == "OUT004"]
    assert len(over) == 2 and "phase L1 of PDU rack-01/pdu-A" in over[0], over
    assert "4.00 kW in the worst case > 2.88 kW" in over[0], over
    imbalance = [m for r, m in found if r == "OUT005"]
    assert len(imbalance) == 2 and "is 100 % > 15 % policy" in imbalance[0], imbalance


def test_balanced_load_is_clean_and_no_rating_is_a_finding(cli, tmp_path: Path) -> None:
    assert _findings(cli, tmp_path, {"A": 1, "B": 1, "C": 1}) == []
    # as imported (no inlet rating in the library): the imbalance is still seen, and the
    # phases that cannot be checked against a rating are a finding, not silence (issue #32)
    found = _findings(cli, tmp_path, {"A": 2, "C": 1}, rated=False)
    assert {r for r, _ in found} == {"OUT004", "OUT005"}
    unrated = [m for r, m in found if r == "OUT004"]
    assert unrated and all("declares no power_output" in m for m in unrated), unrated


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({leg: st.integers(0, 3) for leg in "ABC"}))
def test_findings_follow_the_hand_computed_legs(cli, tmp_path: Path, per_leg: dict[str, int]) -> None:
    watts = [n * SERVER_W for n in per_leg.values()]  # N+N: a cord carries it all after a side fails
    found = {r for r, _ in _findings(cli, tmp_path, per_leg)}
    assert ("OUT004" in found) == (max(watts) > RATING_W / 3)
    assert ("OUT005" in found) == (physics.phase_imbalance_pct(watts) > 15)
