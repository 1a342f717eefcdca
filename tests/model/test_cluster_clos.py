"""The cluster-level Clos cascade: core count computed, links generated, totals by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from superpod_iac.model.replicate import clos_cores_needed
from tests.conftest import SPECS


@pytest.mark.parametrize(("uplinks", "replicas", "ports", "cores"), [
    (384, 432, 576, 384),   # 432 CM384 pods x 384 spine uplinks: one port per pod per core
    (384, 2, 576, 2),       # two pods: each core takes 192 uplinks from each (384 ports)
    (128, 432, 576, 128),
    (384, 600, 576, 0),     # more pods than core ports: needs another tier
])
def test_cores_needed_by_hand(uplinks: int, replicas: int, ports: int, cores: int) -> None:
    assert clos_cores_needed(uplinks, replicas, ports) == cores


def _cluster(tmp: Path, replicas: int, cores: int) -> Path:
    shutil.copytree(SPECS / "cloudmatrix-384", tmp / "pod")
    (tmp / "cluster.yaml").write_text(f"""apiVersion: superpod-iac/v1alpha1
kind: Cluster
metadata: {{name: mini}}
spec:
  superpod: cloudmatrix-384
  replicas: {replicas}
  names: "p[1-{replicas}]"
  cascade:
    - {{type: clos, uplinks: "s*/rspine*:p[33-64]", cores: "core[1-{cores}]/sw",
       core_ports: "p[001-576]", cable: smf-os2-mpo12, transceiver: 400g-dr4, length_m: 150}}
---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {{name: "core[1-{cores}]"}}
spec:
  type: generic-42u-rack
  location: {{hall: core-hall, row: R1, slot: "[1-{cores}]"}}
  feeds: [core-A, core-B]
  devices:
    - {{name: sw, type: cm384-core-chassis, u: 1}}
---
apiVersion: superpod-iac/v1alpha1
kind: Site
metadata: {{name: core-site}}
spec:
  halls:
    - name: core-hall
      air_capacity_kw: 2000
      rows: [{{name: R1, slots: {max(cores, 1)}}}]
---
apiVersion: superpod-iac/v1alpha1
kind: PowerSystem
metadata: {{name: core-power}}
spec:
  redundancy: 2N
  nodes:
    - {{name: core-utility, type: utility, rating_kw: 5000}}
    - {{name: core-A, parent: core-utility, side: A, voltage_v: 415, breaker_a: 2500}}
    - {{name: core-B, parent: core-utility, side: B, voltage_v: 415, breaker_a: 2500}}
""")
    return tmp


def test_two_pods_on_two_cores(cli, tmp_path: Path) -> None:
    res = cli("summary", "--format", "json", str(_cluster(tmp_path, 2, 2)))
    assert res.code == 0, res.out + res.err
    rows = {r["metric"]: r["value"] for r in res.json()["rows"] if r["system"].startswith("cluster")}
    # 2 pods x 384 uplinks = 768 core links with a DR4 at each end
    assert rows["links"] == 2 * 6192 + 768
    assert rows["optical transceivers"] == 2 * 7008 + 2 * 768
    assert rows["switches"] == 2 * 142 + 2


def test_wrong_core_count_names_the_count_needed(cli, tmp_path: Path) -> None:
    res = cli("validate", str(_cluster(tmp_path, 2, 5)))
    assert res.code == 1
    assert "2 replicas x 384 uplinks over 5 core switches of 576 ports does not fit" in res.out
    assert "this design needs 2 core switches" in res.out
