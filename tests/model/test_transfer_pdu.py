"""Automatic-transfer PDUs (`inlets: transfer`): one inlet feeds at a time.

Hand-checked: a cabinet drawing 0.6 kW from one ATS PDU fed [feed-A1, feed-B1] puts all of it
on feed-A1 normally (a shared two-inlet PDU would put 0.3 kW on each) and all of it on feed-B1
when side A fails; capacity is one inlet. The importer maps a real library ATS to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from superpod_iac.config import Config
from superpod_iac.manifest.catalog import PowerOutput
from superpod_iac.model.power import power_tree, usable_output_w
from superpod_iac.netbox.importer import import_netbox
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT, RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
ATS_FILE = ROOT / "tests/data/devicetype-library/device-types/Eaton/Tripp-Lite-PDUMH15ATS.yaml"

DESIGN = """\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {{name: ats}}
spec:
  device_types:
    - {{name: sw, role: switch, height_u: 1, max_w: 600, psus: {{count: 1, cord: c14, redundancy: N}}}}
    - {{name: pdu, role: pdu, height_u: 1, power_output: {{psu_count: 2, psu_w: 3700, redundancy: N+N, input_phases: 1, inlets: {inlets}}}, outlets: [{{name: c13, type: c13, count: 8, outlet_a: 10}}]}}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {{name: rack-01}}
spec:
  type: light-rack
  location: {{hall: hall1, row: A, slot: 1}}
  feeds: [feed-A1, feed-B1]
  devices:
    - {{name: sw1, type: sw, u: 1}}
    - {{name: p, type: pdu, u: 2, feeds: [feed-A1, feed-B1]}}
"""


def _tree(tmp_path: Path, inlets: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "d.yaml"
    path.write_text(DESIGN.format(inlets=inlets), encoding="utf-8")
    inv = load_project([str(BASE), str(path)], Config(), check=False).inventory
    assert inv is not None
    return inv, power_tree(inv)


def test_transfer_puts_the_whole_draw_on_the_live_source(tmp_path: Path) -> None:
    inv, tree = _tree(tmp_path, "transfer")
    assert tree.normal.loads_w["feed-A1"] == pytest.approx(600)
    assert tree.normal.loads_w["feed-B1"] == pytest.approx(0)
    side_a = next(s for s in tree.failures if s.name == "side A fails")
    assert side_a.loads_w["feed-B1"] == pytest.approx(600) and not side_a.unsupplied
    assert usable_output_w(inv.devices[inv.device_index["rack-01/p"]]) == 3700
    _inv, shared = _tree(tmp_path, "shared")
    assert shared.normal.loads_w["feed-A1"] == pytest.approx(300)
    assert shared.normal.loads_w["feed-B1"] == pytest.approx(300)


def test_transfer_needs_two_inlets() -> None:
    with pytest.raises(ValidationError, match="psu_count must be 2"):
        PowerOutput(psu_count=3, psu_w=1000, inlets="transfer")


def test_importer_maps_a_library_ats_to_transfer_inlets() -> None:
    res = import_netbox([str(ATS_FILE)], rack_power_kw=None)
    assert not res.errors, res.errors
    (entry,) = res.catalog["spec"]["device_types"]
    out = entry["power_output"]
    assert out["inlets"] == "transfer" and out["psu_count"] == 2 and out["psu_w"] == 1400
    assert PowerOutput(**out).inlets == "transfer"
