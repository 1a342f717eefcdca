"""docs/manifests.md: its examples, together, are a project that validates clean."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT


def test_manifest_guide_examples_validate(cli, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "manifests.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    kinds = {m for b in blocks for m in re.findall(r"^kind: (\w+)$", b, re.M)}
    assert kinds == {"Catalog", "Site", "PowerSystem", "CoolingSystem", "Cabinet", "Fabric",
                     "Superpod", "Cluster"}
    (tmp_path / "guide.yaml").write_text("\n---\n".join(b for b in blocks if "kind:" in b))
    res = cli("validate", "--format", "json", str(tmp_path))
    assert res.code == 0, res.out
    errors = [d for d in res.json()["diagnostics"] if d["severity"] == "error"]
    assert errors == []


def test_cluster_keeps_links_from_the_template_to_outside_devices(cli, tmp_path: Path) -> None:
    """A link from a replicated superpod to a cabinet outside it stays, on the first replica."""
    text = (ROOT / "docs" / "manifests.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "kind:" in b]
    doc = "\n---\n".join(blocks).replace("superpod: ex-pod-2", "superpod: ex-pod")
    doc += """
---
apiVersion: superpod-iac/v1alpha1
kind: Fabric
metadata: {name: ex-uplink}
spec:
  plane: scale-out
  cable: dac-400g
  links:
    - {a: "ex-1/srv1:osfp1", b: "ex-2/srv1:osfp1"}
""".replace('b: "ex-1/srv[3-4]:osfp[1-2]"', 'b: "ex-1/srv[3-4]:osfp[1-2]"')
    doc = doc.replace('{a: "ex-1/srv[1-2]:osfp[1-2]", b: "ex-1/srv[3-4]:osfp[1-2]"}',
                      '{a: "ex-1/srv2:osfp[1-2]", b: "ex-1/srv[3-4]:osfp1"}')
    (tmp_path / "guide.yaml").write_text(doc)
    from superpod_iac.config import Config
    from superpod_iac.pipeline import load_project

    inv = load_project([str(tmp_path)], Config()).inventory
    t = inv.links
    ends = {(inv.endpoint(t.a_dev[i], t.a_port[i]), inv.endpoint(t.b_dev[i], t.b_port[i]))
            for i in range(len(t))}
    assert ("pod-1.ex-1/srv1:osfp1", "ex-2/srv1:osfp1") in ends
    assert min(min(t.a_dev), min(t.b_dev)) >= 0
