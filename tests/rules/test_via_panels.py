"""Links routed `via` patch panels and cassettes count their mated pairs in the loss budget.

Real panels from the devicetype-library corpus (tests/data/devicetype-library, CC0-1.0):
Panduit FAP12WBUDLCZ (LC front and rear: one LC pair, 0.5 dB) and Panduit FC2XO-24-10U (an LC
front, MPO rear cassette: an LC pair and an MPO pair, 0.5 + 0.75 dB; catalog planning values).
A 400GBASE-SR8 link on MPO-16 OM4 between two cabinets: 2 end pairs x 0.75 dB + 0.02 dB of
fibre (6.5 m x 3.5 dB/km) = 1.52 dB, within the SR8's 1.9 dB; through the LC panel 2.02 dB
is over it (OPT003).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.model.linkstats import link_groups
from superpod_iac.netbox.importer import import_netbox
from superpod_iac.pipeline import load_project
from superpod_iac.rules.optics import _channel
from tests.conftest import ROOT, RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
LIB = ROOT / "tests/data/devicetype-library/device-types/Panduit"
PANELS = {"pp": ("FAP12WBUDLCZ.yaml", 0.5), "cas": ("FC2XO-24-10U.yaml", 1.25)}


def _design(link: str) -> str:
    res = import_netbox([str(LIB / f) for f, _ in PANELS.values()], rack_power_kw=None)
    assert not res.errors, res.errors
    return json.dumps(res.catalog) + """
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: "rk-[1-2]"}
spec:
  type: light-rack
  location: {hall: hall1, row: A, slot: "[1-2]"}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: host1, type: fx-host, u: 10}
    - {name: pp, type: fap12wbudlcz, u: 30}
    - {name: cas, type: fc2xo-24-10u, u: 0}
---
apiVersion: superpod-iac/v1alpha1
kind: Fabric
metadata: {name: fab}
spec:
  plane: scale-out
  links:
    - {a: "rk-1/host1:osfp1", b: "rk-2/host1:osfp1", cable: mmf-om4-mpo16, transceiver: 400g-sr8""" \
        + link + "}\n"


def _loss(tmp_path: Path, link: str) -> tuple[float, str]:
    path = tmp_path / "d.yaml"
    path.write_text(_design(link), encoding="utf-8")
    inv = load_project([str(BASE), str(path)], Config(), check=False).inventory
    assert inv is not None
    (g,) = link_groups(inv)
    cable = inv.catalog.cable_types["mmf-om4-mpo16"]
    return _channel(inv, g, cable, inv.catalog.transceiver_types["400g-sr8"])


def test_imported_panels_keep_their_connectors() -> None:
    res = import_netbox([str(LIB / PANELS["cas"][0])], rack_power_kw=None)
    groups = {g["name"]: g.get("connector") for g in res.catalog["spec"]["device_types"][0]
              ["port_groups"]}
    assert groups == {"front-lc": "lc", "rear-mpo": "mpo-12"}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(PANELS)), max_size=4))
def test_each_named_panel_adds_its_pairs(tmp_path: Path, via: list[str]) -> None:
    direct, _ = _loss(tmp_path, ", patch_panels: 0")
    routed, how = _loss(tmp_path, ", via: [" + ", ".join(f"rk-1/{v}" for v in via) + "]")
    assert routed - direct == pytest.approx(sum(PANELS[v][1] for v in via))
    assert all(f"rk-1/{v}" in how for v in via)


def test_via_replaces_the_policy_panels_and_patch_panels_adds_to_it(tmp_path: Path) -> None:
    direct, _ = _loss(tmp_path, ", patch_panels: 0")
    assert _loss(tmp_path, ", via: [rk-1/pp], patch_panels: 1")[0] - direct == \
        pytest.approx(0.5 + 0.75)  # the named LC pair + one unnamed panel at the cable's MPO


def test_validate_reports_the_panel_in_the_budget_and_unknown_panels(cli, tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(_design(", via: [rk-1/pp]"), encoding="utf-8")
    diags = cli("validate", "--format", "json", str(BASE), str(path)).json()["diagnostics"]
    msgs = [d["message"] for d in diags if d["rule"] == "OPT003"]
    assert len(msgs) == 1 and "channel loss 2.02 dB > 1.9 dB" in msgs[0], diags
    assert "via rk-1/pp lc 0.5 dB" in msgs[0]
    path.write_text(_design(", via: [rk-1/nope]"), encoding="utf-8")
    diags = cli("validate", "--format", "json", str(BASE), str(path)).json()["diagnostics"]
    assert any(d["rule"] == "REF001" and "rk-1/nope" in d["message"] for d in diags), diags
