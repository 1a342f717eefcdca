"""Cable types a push and the CSV export give NetBox, without a server: every medium the
catalog knows has one of NetBox's own cable type choices (an NVLink backplane is `dac-passive`,
the closest), the design's medium rides in the tool's `superpod_medium` custom field, and a pull
reads the media back (the live check: tests/netbox/test_netbox_live.py)."""

from __future__ import annotations

import typing
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.config import load_config
from superpod_iac.manifest.catalog import Medium
from superpod_iac.netbox import checks, exporter
from superpod_iac.netbox.desired import CABLE_TYPES, MEDIUM_FIELD, OWNED_FIELD_MARK, build
from superpod_iac.netbox.pull_design import Pulled, cable_media
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT

MEDIA = typing.get_args(Medium)


def test_every_medium_has_a_netbox_cable_type() -> None:
    """One table (the push's and the export's), each value one of NetBox's own choices."""
    assert exporter.CABLE_TYPES is CABLE_TYPES
    assert set(CABLE_TYPES) == set(MEDIA)
    rules = checks.netbox_rules()
    for medium, ctype in CABLE_TYPES.items():
        assert ctype, medium  # no cable goes untyped
        assert not checks.check_fields("cables", {"type": ctype}, rules), (medium, ctype)
    assert CABLE_TYPES["backplane"] == "dac-passive"  # NVLink copper: passive twinax


@pytest.mark.parametrize("design", ["specs/gb200-nvl72", "specs/cloudmatrix-384"])
def test_every_data_cable_is_typed_and_carries_its_design_medium(design: str) -> None:
    project = load_project([str(ROOT / design)], load_config(None))
    assert not project.errors
    inv = project.inventory
    desired = build(inv, "t")
    field = desired.objects["custom-fields"][MEDIUM_FIELD].fields
    assert field["object_types"] == ["dcim.cable"] and field["type"] == "text"
    assert field["description"].startswith(OWNED_FIELD_MARK)
    data = [w.fields for w in desired.objects["cables"].values() if w.fields["type"] != "power"]
    assert len(data) == len(inv.links)
    t = inv.links
    want = Counter(inv.catalog.cable_types[t.cable_of(i) or ""].medium for i in range(len(t)))
    assert Counter(f[f"cf:{MEDIUM_FIELD}"] for f in data) == want
    for f in data:
        assert f["type"] == CABLE_TYPES[f[f"cf:{MEDIUM_FIELD}"]]
    # nothing NetBox would refuse (the cable types are checked against NetBox's choices)
    assert not [p for p in checks.check(desired) if p.kind in ("cables", "custom-fields")]


def _cable(i: int, ctype: str, medium: str | None) -> dict[str, Any]:
    return {"id": i, "type": {"value": ctype, "label": ctype} if ctype else None,
            "custom_fields": {MEDIUM_FIELD: medium} if medium is not None else {}}


@given(st.lists(st.sampled_from(MEDIA), max_size=40))
def test_pull_counts_the_media_netbox_holds(media: list[str]) -> None:
    cables = [_cable(i, CABLE_TYPES[m], m) for i, m in enumerate(media)]
    cables.append(_cable(len(media), "power", None))  # power cords have no medium
    out = Pulled()
    assert cable_media(cables, out) == dict(sorted(Counter(media).items()))
    assert out.warnings == []


def test_pull_names_cables_re_typed_by_hand_or_without_a_medium() -> None:
    out = Pulled()
    got = cable_media([_cable(1, "aoc", "backplane"), _cable(2, "dac-passive", None),
                       _cable(3, "", "mmf")], out)
    assert got == {"backplane": 1, "mmf": 1}  # the design's medium is kept
    assert len(out.warnings) == 2
    assert "no superpod_medium" in out.warnings[0] and "#2" in out.warnings[0]
    assert "2 cables have a NetBox type other" in out.warnings[1]
    assert "#1 aoc (backplane)" in out.warnings[1]
