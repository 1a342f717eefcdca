"""TOP002 on a 3-tier Clos checks the spines towards the cores as well as the leaves towards
the spines, against the one ratio the generator declares (`oversubscription`, capped by the
fabric's `max_oversubscription`); in every replica of a replicated superpod."""

from __future__ import annotations

from pathlib import Path

import pytest

from superpod_iac.config import Config
from superpod_iac.pipeline import load_project
from superpod_iac.rules.engine import run_rules
from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
CORES = RULE_FIXTURES / "TOP002-cores.yaml"
CLUSTER = """---
apiVersion: superpod-iac/v1alpha1
kind: Superpod
metadata: {name: sp}
spec: {cabinets: [rk], fabrics: [clos]}
---
apiVersion: superpod-iac/v1alpha1
kind: Cluster
metadata: {name: cl}
spec: {superpod: sp, replicas: 3, names: "r[1-3]", per_replica: [hall1]}
"""


def _found(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "clos.yaml"
    path.write_text(text, encoding="utf-8")
    inv = load_project([str(BASE), str(path)], Config(), check=False).inventory
    return [d.message for d in run_rules(inv, Config(select=["TOP002"])) if d.rule == "TOP002"]


# spine up ports (800G each, the spine has 2 x 800G down), declared ratio, fabric cap
@pytest.mark.parametrize(("up", "declared", "cap", "ratio"), [
    ("p3", "1.0", None, 2.0),             # 1,600 / 800: over 1:1
    ("p3", "2.0", None, None),            # ... as declared
    ("p3", "2.0", "1.5", 2.0),            # ... but the fabric caps it at 1.5
    ('"p[3-4]"', "1.0", None, None),      # 1,600 / 1,600
    ('"p[3-4]"', "1.0", "0.5", 1.0),      # 1:1 above a 0.5 cap (leaves too: both tiers)
])
def test_spine_ratio_against_declared(tmp_path: Path, up: str, declared: str,
                                      cap: str | None, ratio: float | None) -> None:
    text = CORES.read_text(encoding="utf-8")
    text = text.replace("spine_up_ports: p3", f"spine_up_ports: {up}")
    text = text.replace('core_ports: "p[1-2]"', 'core_ports: "p[1-4]"')
    text = text.replace("oversubscription: 1.0", f"oversubscription: {declared}")
    if cap is not None:
        text = text.replace("  plane: scale-out\n", f"  plane: scale-out\n  max_oversubscription: {cap}\n")
    found = _found(tmp_path, text)
    spines = [m for m in found if "spine switch(es)" in m]
    if ratio is None:
        assert found == []
        return
    assert len(spines) == 1, found
    assert f"= {ratio:.2f}:1 > declared" in spines[0]
    assert "2 spine switch(es) oversubscribed towards the cores: rk/sp1" in spines[0]
    assert "1,600G down" in spines[0]


def test_every_replica_spine_tier_is_checked_and_folded(tmp_path: Path) -> None:
    found = _found(tmp_path, CORES.read_text(encoding="utf-8") + CLUSTER)
    assert len(found) == 1, found
    assert "r1.rk/sp1 has 1,600G down / 800G up = 2.00:1" in found[0]
    assert "(the same in 2 other replica(s)" in found[0]


def test_a_two_tier_spine_is_the_top_and_not_checked(tmp_path: Path) -> None:
    text = (RULE_FIXTURES / "pass" / "TOP002-replicas.yaml").read_text(encoding="utf-8")
    assert "tiers: 3" not in text
    assert _found(tmp_path, text) == []
