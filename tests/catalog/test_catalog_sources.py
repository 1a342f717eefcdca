"""Every optic, cable and connector figure in the built-in catalog names where it comes from.

Issue #29: the catalog gave 400GBASE-SR4 a 50 m reach (that is 400GBASE-VR4's; IEEE 802.3db
gives SR4 100 m on OM4), cited to a project note rather than the standard. A figure's source
names a standard (IEEE, TIA, ISO/IEC), a vendor datasheet or part, or says `unconfirmed`; a
project document alone is not a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from ruamel.yaml import YAML

PRIMARY = re.compile(r"IEEE|TIA|ISO/IEC|IEC |datasheet|SemiAnalysis|unconfirmed|"
                     r"[A-Z]{3}\d[A-Z0-9]{2}\d{2}-[A-Z0-9]+")
"""A standard, a datasheet (or a vendor part number such as MMS4X00-NS400), a named
third-party source, or an explicit `unconfirmed`."""

KINDS = ("transceiver_types", "cable_types", "connector_losses")


def _entries() -> Iterator[tuple[str, str, dict[str, Any]]]:
    yaml = YAML(typ="safe")
    for res in sorted(files("superpod_iac.catalog").iterdir(), key=lambda r: r.name):
        if not res.name.endswith(".yaml") or res.name == "policy.yaml":
            continue
        for doc in yaml.load_all(res.read_text(encoding="utf-8")):
            spec = (doc or {}).get("spec") or {}
            for kind in KINDS:
                for entry in spec.get(kind) or []:
                    yield res.name, kind, entry


ENTRIES = list(_entries())


def test_the_catalog_has_optics_and_cables() -> None:
    kinds = {k for _, k, _ in ENTRIES}
    assert {"transceiver_types", "cable_types"} <= kinds
    assert len(ENTRIES) >= 25


@pytest.mark.parametrize("where,kind,entry", ENTRIES,
                         ids=[f"{w}:{e.get('name', e.get('connector'))}" for w, _, e in ENTRIES])
def test_every_figure_names_a_primary_source(where: str, kind: str, entry: dict[str, Any]) -> None:
    source = str(entry.get("source") or "")
    assert source, f"{where} {kind} {entry.get('name')}: no source"
    assert PRIMARY.search(source), (
        f"{where} {kind} {entry.get('name', entry.get('connector'))}: source {source!r} names no "
        "standard, datasheet or part, and does not say unconfirmed")


def test_400gbase_sr4_reaches_100_m_on_om4() -> None:
    sr4 = [e for _, k, e in ENTRIES if k == "transceiver_types" and e.get("phy") == "400GBASE-SR4"
           and e.get("manufacturer") is None and e.get("mpn") == "unconfirmed"]
    assert sr4 and all(e["reach_m"] == 100 for e in sr4), sr4
