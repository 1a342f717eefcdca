"""The reference designs added for issue 27 (AMD Helios, DGX B300 SU, Rubin Ultra NVL576,
Sugon scaleX640, Atlas 950 SuperCluster): what their READMEs' tables do not show."""

from __future__ import annotations

from ruamel.yaml import YAML

from superpod_iac.manifest.builtin import builtin_catalogs
from tests.conftest import SPECS
from tests.heavy_specs import heavy_specs, light_specs


def test_the_supercluster_node_is_the_builtin_node_plus_its_roce_ports() -> None:
    """The SuperCluster's catalog.yaml replaces the built-in `atlas950-node` whole (a project
    part overrides a built-in one) to add one 400G UBoE/RoCE port per NPU. Every other field
    must stay the built-in node's: when specs/atlas-950's node changes, resync the copy."""
    builtin = next(t for m in builtin_catalogs() for t in m.model.spec.device_types
                   if t.name == "atlas950-node")
    doc = YAML(typ="safe").load((SPECS / "atlas-950-supercluster" / "catalog.yaml").read_text())
    copy = next(t for t in doc["spec"]["device_types"] if t["name"] == "atlas950-node")
    groups = copy.pop("port_groups")
    want = builtin.model_dump(mode="json", exclude_unset=True)
    want_groups = want.pop("port_groups")
    assert copy == want
    assert [g for g in groups if g["name"] != "roce"] == want_groups
    roce = [g for g in groups if g["name"] == "roce"]
    assert len(roce) == 1 and roce[0]["plane"] == "scale-out"
    assert roce[0]["ports"] == "roce[1-8]"  # one per NPU: 8 NPUs per node
    assert builtin.accelerators is not None and builtin.accelerators.count == 8


def test_only_designs_that_raise_their_limits_leave_the_drawing_loops() -> None:
    assert heavy_specs() == ["atlas-950-supercluster"]
    assert {"amd-helios", "dgx-b300-superpod-su", "rubin-ultra-nvl576",
            "sugon-scalex640", "cluster-432xcm384"} <= set(light_specs())
