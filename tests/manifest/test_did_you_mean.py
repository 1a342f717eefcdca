"""Unknown enumerated names (connector, PHY) get a did-you-mean hint."""

from __future__ import annotations

from pathlib import Path

CATALOG = """\
apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: typos}
spec:
  transceiver_types:
    - {name: t1, form_factor: osfp, speed_gbps: 400, medium: smf, reach_m: 500,
       connector: MPO12, phy: 400GBASE-DR}
"""


def test_connector_and_phy_typos_suggest_the_name(cli, tmp_path: Path) -> None:
    path = tmp_path / "typos.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    res = cli("validate", "--format", "json", str(path))
    hints = sorted(d["hint"] for d in res.json()["diagnostics"] if d["rule"] == "SCH004")
    assert res.code == 1, res.out
    assert hints == ["did you mean '400GBASE-DR4'?", "did you mean 'mpo-12'?"]
