"""Cord-to-outlet assignment and currents (model.outlets), checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from superpod_iac import physics
from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"

DESIGN = """\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: servers}
spec:
  device_types:
    - {name: big, role: compute, height_u: 4, max_w: 3600, psus: {count: 2, cord: c20, redundancy: N+N}}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: rack-01}
spec:
  type: light-rack
  location: {hall: hall1, row: A, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: pdu-A, type: rack-pdu-415v-60a, u: 0, feeds: [feed-A1]}
    - {name: pdu-B, type: rack-pdu-415v-60a, u: 0, feeds: [feed-B1]}
"""


def _run(cli, tmp_path: Path, devices: str):
    path = tmp_path / "design.yaml"
    path.write_text(DESIGN + devices, encoding="utf-8")
    res = cli("validate", "--format", "json", str(BASE), str(path))
    return [(d["rule"], d["message"]) for d in res.json()["diagnostics"]]


def test_cord_current_hand_checked() -> None:
    # 3.6 kW on one cord at 415 V / sqrt 3 = 239.6 V, PF 0.95: 15.8 A; shared by two: 7.9 A
    v = physics.line_to_neutral_v(415)
    assert physics.single_phase_current_a(3600, v, 0.95) == pytest.approx(15.81, abs=0.01)
    assert physics.single_phase_current_a(1800, v, 0.95) == pytest.approx(7.91, abs=0.01)


def test_round_robin_alternates_sides_and_spreads_banks(cli, tmp_path: Path) -> None:
    # six 3.6 kW servers: one cord per side each, one server per C19 bank: nothing overloaded
    devs = "".join(f"    - {{name: s{i}, type: big, u: {1 + 4 * i}}}\n" for i in range(6))
    assert [r for r, _ in _run(cli, tmp_path, devs) if r.startswith("OUT")] == []


def test_two_big_servers_on_one_bank_overload_its_breaker(cli, tmp_path: Path) -> None:
    # c19-1 (outlets 1-2, 20 A breaker, 16 A continuous) gets both servers' side-A cords:
    # 2 x 15.8 A = 31.6 A after side B fails
    devs = ('    - {name: s1, type: big, u: 1, outlets: ["pdu-A:1", "pdu-B:1"]}\n'
            '    - {name: s2, type: big, u: 5, outlets: ["pdu-A:2", "pdu-B:3"]}\n')
    found = [m for r, m in _run(cli, tmp_path, devs) if r == "OUT002"]
    assert found == ["bank c19-1 of rack-01/pdu-A carries 31.6 A in the worst case > 16.0 A "
                     "(20 A breaker x 0.8)"]


def test_wrong_plug_and_double_booked_outlet(cli, tmp_path: Path) -> None:
    devs = ('    - {name: s1, type: big, u: 1, outlets: ["pdu-A:13", "pdu-B:1"]}\n'
            '    - {name: s2, type: big, u: 5, outlets: ["pdu-A:3", "pdu-B:1"]}\n')
    found = sorted(m for r, m in _run(cli, tmp_path, devs) if r == "OUT001")
    assert found == ["rack-01/s1 (big): cord 1: a C20 plug does not fit outlet pdu-A:13 (C13)",
                     "rack-01/s2 (big): cord 2: outlet pdu-B:1 is already in use"]


NA_208 = """\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: na-208}
spec:
  device_types:
    - {name: hl-server, role: compute, height_u: 2, weight_kg: 30, max_w: 3000, psus: {count: 2, cord: c20, redundancy: N+N, input_min_v: 200, input_max_v: 240}}
    - name: pdu-208-WIRING
      role: pdu
      height_u: 0
      weight_kg: 10
      outlet_wiring: WIRING
      outlets:
        - {name: c19-1, type: c19, count: 2, outlet_a: 16, breaker_a: 20}
---
apiVersion: superpod-iac/v1alpha1
kind: PowerSystem
metadata: {name: us-208}
spec:
  nodes:
    - {name: feed-A2, parent: utility, side: A, voltage_v: 208, breaker_a: 100}
    - {name: feed-B2, parent: utility, side: B, voltage_v: 208, breaker_a: 100}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: rack-01}
spec:
  type: light-rack
  location: {hall: hall1, row: A, slot: 1}
  feeds: [feed-A2, feed-B2]
  devices:
    - {name: s1, type: hl-server, u: 1, outlets: ["pdu-A:1", "pdu-B:1"]}
    - {name: s2, type: hl-server, u: 3, outlets: ["pdu-A:2", "pdu-B:2"]}
    - {name: pdu-A, type: pdu-208-WIRING, u: 0, feeds: [feed-A2]}
    - {name: pdu-B, type: pdu-208-WIRING, u: 0, feeds: [feed-B2]}
"""


@pytest.mark.parametrize("wiring", ["line-to-neutral", "line-to-line"])
def test_208v_outlets_follow_the_declared_wiring(cli, tmp_path: Path, wiring: str) -> None:
    # North American 208 V PDUs wire C19 outlets line-to-line: the PSUs see 208 V, and a
    # 3 kW server's cord after side B fails draws 3000 / (208 x 0.95) = 15.2 A; two on a
    # 20 A bank (16 A continuous) = 30.4 A. Line-to-neutral would give 120.1 V (ELC005:
    # below the PSUs' 200 V) and 26.3 A per cord.
    path = tmp_path / "design.yaml"
    path.write_text(NA_208.replace("WIRING", wiring), encoding="utf-8")
    found = [(d["rule"], d["message"]) for d in
             cli("validate", "--format", "json", str(BASE), str(path)).json()["diagnostics"]]
    elc = [m for r, m in found if r == "ELC005"]
    out = " ".join(m for r, m in found if r == "OUT002")
    if wiring == "line-to-line":
        assert elc == []
        assert physics.single_phase_current_a(3000, 208, 0.95) == pytest.approx(15.18, abs=0.01)
        assert "30.4 A" in out, out
    else:
        assert elc and "120.1 V" in elc[0]
        assert "52.6 A" in out, out
