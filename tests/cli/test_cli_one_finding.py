"""One mistake, one finding: a single-character typo in each kind of reference (or in a field
name) yields at least one and at most two findings, not one per port, link or replica, and
never an "unknown feed" for a feed that is defined in a manifest with a schema error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES

BASE = FIXTURES / "diff" / "base"

# name: (file, text, text with one typo)
CASES = {
 "cabinet type": ("cabinets.yaml", "type: diff-rack\n  location: {hall: hall1, row: A, slot: 1}", "type: diff-rak\n  location: {hall: hall1, row: A, slot: 1}"),
 "device type": ("cabinets.yaml", 'type: diff-host, u: "[1-19/2]"}\n---', 'type: diff-hst, u: "[1-19/2]"}\n---'),
 "leaf device type": ("cabinets.yaml", "type: diff-leaf", "type: diff-lef"),
 "cabinet feed": ("cabinets.yaml", "feeds: [rk1-A, rk1-B]", "feeds: [rk1-A, rk1-C]"),
 "cabinet cdu": ("cabinets.yaml", "cdu: cdus\n  devices:\n    - {name: \"host[01-10]\", type: diff-host, u: \"[1-19/2]\"}\n---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk2}", "cdu: cdu\n  devices:\n    - {name: \"host[01-10]\", type: diff-host, u: \"[1-19/2]\"}\n---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk2}"),
 "hall": ("cabinets.yaml", "{hall: hall1, row: A, slot: 1}", "{hall: hal1, row: A, slot: 1}"),
 "row": ("cabinets.yaml", "{hall: hall1, row: A, slot: 1}", "{hall: hall1, row: B, slot: 1}"),
 "power parent": ("power.yaml", "{name: rk1-A, type: feed, parent: ups-A", "{name: rk1-A, type: feed, parent: ups-Z"),
 "ups parent": ("power.yaml", "{name: ups-A, type: ups, parent: utility", "{name: ups-A, type: ups, parent: utilty"),
 "cdu group": ("cooling.yaml", "group: cdus", "group: cdu"),
 "cdu loop": ("cooling.yaml", "loop: tower-loop", "loop: tower-lop"),
 "cdu fluid": ("cooling.yaml", "fluid: pg25", "fluid: pg52"),
 "cdu type": ("cooling.yaml", "type: cdu-inrack-250", "type: cdu-inrack-205"),
 "media cable": ("fabric.yaml", "cable: mmf-om4-mpo12", "cable: mmf-om4-mpo21"),
 "media transceiver": ("fabric.yaml", "transceiver: 400g-sr4.2", "transceiver: 400g-sr4.3"),
 "link cabinet": ("fabric.yaml", '{a: "rk1/host[01-10]:osfp1"', '{a: "rk7/host[01-10]:osfp1"'),
 "link device": ("fabric.yaml", '{a: "rk1/host[01-10]:osfp1"', '{a: "rk1/hots[01-10]:osfp1"'),
 "link port": ("fabric.yaml", '{a: "rk1/host[01-10]:osfp1"', '{a: "rk1/host[01-10]:ospf1"'),
 "superpod cabinet": ("fabric.yaml", 'cabinets: ["rk[1-2]", net1]', 'cabinets: ["rk[1-2]", net2]'),
 "superpod fabric": ("fabric.yaml", "fabrics: [diff-scale-out]", "fabrics: [diff-scale-ot]"),
 "accelerator type": ("catalog.yaml", "type: b200", "type: b20"),
 "field typo (feeds)": ("cabinets.yaml", "feeds: [rk1-A, rk1-B]", "feds: [rk1-A, rk1-B]"),
 "field typo (cdu)": ("cabinets.yaml", "cdu: cdus\n  devices:\n    - {name: \"host[01-10]\", type: diff-host, u: \"[1-19/2]\"}\n---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk2}", "cdus: cdus\n  devices:\n    - {name: \"host[01-10]\", type: diff-host, u: \"[1-19/2]\"}\n---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk2}"),
 "field typo (power node)": ("power.yaml", "{name: rk1-A, type: feed, parent: ups-A, side: A, voltage_v: 415, breaker_a: 125}", "{name: rk1-A, type: feed, parent: ups-A, side: A, voltage_v: 415, breakr_a: 125}"),
 "field typo (device)": ("cabinets.yaml", 'type: diff-leaf, u: "[20-21]"', 'type: diff-leaf, uu: "[20-21]"'),
 "power node name": ("power.yaml", "{name: rk1-A, type: feed", "{name: rk1-AA, type: feed"),
 "cdu name": ("cooling.yaml", 'name: "cdu-[1-2]"', 'name: "cdu-[1-2"'),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_typo_gives_at_most_two_findings(cli, tmp_path: Path, case: str) -> None:
    file, text, typo = CASES[case]
    design = tmp_path / "design"
    shutil.copytree(BASE, design)
    target = design / file
    original = target.read_text()
    assert text in original, case
    target.write_text(original.replace(text, typo, 1))
    res = cli("validate", str(design), "--format", "json")
    assert res.code == 1, res.out
    found = res.json()["diagnostics"]
    summary = [f"{d['rule']} {d['message']}" for d in found]
    assert 1 <= len(found) <= 2, summary
    assert found[0]["rule"] != "PRT004" or len(found) == 2


def test_misspelt_device_type_is_one_ref001_with_did_you_mean_and_a_count(cli, tmp_path) -> None:
    design = tmp_path / "design"
    shutil.copytree(BASE, design)
    cab = design / "cabinets.yaml"
    cab.write_text(cab.read_text().replace("type: diff-leaf", "type: diff-lef"))
    found = cli("validate", str(design), "--format", "json").json()["diagnostics"]
    assert len(found) == 1
    d = found[0]
    assert d["rule"] == "REF001" and "did you mean 'diff-leaf'?" in d["hint"]
    assert "unknown device type 'diff-lef' (device net1/leaf[1-2]: 2 devices)" in d["message"]


def test_replicated_reference_counts_the_objects_it_affects(cli, tmp_path) -> None:
    design = tmp_path / "design"
    shutil.copytree(BASE, design)
    cool = design / "cooling.yaml"
    cool.write_text(cool.read_text().replace("fluid: pg25", "fluid: pg52"))
    found = cli("validate", str(design), "--format", "json").json()["diagnostics"]
    assert [d["rule"] for d in found] == ["REF001"]
    assert "2 objects affected" in found[0]["message"]
    assert found[0]["hint"] == "did you mean 'pg25'?"


def test_misspelt_endpoint_suggests_the_endpoint(cli, tmp_path) -> None:
    design = tmp_path / "design"
    shutil.copytree(BASE, design)
    fab = design / "fabric.yaml"
    fab.write_text(fab.read_text().replace('{a: "rk1/host[01-10]:osfp1"',
                                           '{a: "rk1/hots[01-10]:osfp1"'))
    found = cli("validate", str(design), "--format", "json").json()["diagnostics"]
    ref = [d for d in found if d["rule"] == "REF001"]
    assert len(ref) == 1 and "9 more endpoint(s) of this line" in ref[0]["message"]
    assert ref[0]["hint"] == "did you mean 'rk1/host01:osfp1'?"


def test_misspelt_field_in_power_system_does_not_cascade(cli, tmp_path) -> None:
    """A typo in one power node's field fails the PowerSystem's schema; the feeds it defines
    are not then reported as unknown by every cabinet."""
    design = tmp_path / "design"
    shutil.copytree(BASE, design)
    power = design / "power.yaml"
    power.write_text(power.read_text().replace("voltage_v: 415, breaker_a: 125}",
                                               "voltage_v: 415, breakr_a: 125}", 1))
    found = cli("validate", str(design), "--format", "json").json()["diagnostics"]
    assert [(d["rule"], d["hint"]) for d in found] == [("SCH003", "did you mean 'breaker_a'?")]


def test_a_finding_in_every_replica_is_one_finding_and_differences_stay_apart() -> None:
    """The same finding in replicas m-1..m-3 (names differ by the replica prefix only) is one,
    naming the other replicas; a replica whose numbers differ keeps its own finding."""
    from types import SimpleNamespace

    from superpod_iac.diagnostics import Diagnostic, Severity
    from superpod_iac.rules.engine import _fold_replicas

    inv = SimpleNamespace(clusters={"c": SimpleNamespace(replicas=["m-1", "m-2", "m-3", "m-4"])})

    def d(replica: str, kw: str) -> Diagnostic:
        return Diagnostic("PWR003", Severity.ERROR, f"feed {replica}.rk-A carries {kw} kW > 10 kW",
                          "d.yaml", 0, 0, ("spec", "nodes", 3), f"resize {replica}.rk-A")

    out = _fold_replicas([d("m-1", "12"), d("m-2", "12"), d("m-3", "12"), d("m-4", "13")],
                         inv)  # type: ignore[arg-type]
    assert [x.message for x in out] == [
        "feed m-1.rk-A carries 12 kW > 10 kW (the same in 2 other replica(s): m-[2-3])",
        "feed m-4.rk-A carries 13 kW > 10 kW"]


def test_objects_of_one_template_line_found_wrong_alike_are_one_finding() -> None:
    """nvl72-[01-03] over their rating by the same numbers are one finding naming them folded;
    a fourth with other numbers, and a finding naming two objects, stay apart."""
    from superpod_iac.diagnostics import Diagnostic, Severity
    from superpod_iac.rules.engine import _fold_expansions

    cabinets = {f"nvl72-0{i}" for i in range(1, 5)}

    def d(message: str) -> Diagnostic:
        return Diagnostic("PWR001", Severity.ERROR, message, "c.yaml", 0, 0, ("metadata",),
                          "move a tray out of " + message.split()[1])

    out = _fold_expansions([d(f"cabinet nvl72-0{i} draws 138.2 kW > rating 132.0 kW")
                            for i in (1, 2, 3)] +
                           [d("cabinet nvl72-04 draws 140.0 kW > rating 132.0 kW"),
                            d("cabinet nvl72-01 and nvl72-02 share a slot"),
                            d("cabinet nvl72-03 and nvl72-04 share a slot")],
                           cabinets)
    assert [(x.message, x.hint) for x in out] == [
        ("cabinet nvl72-[01-03] draws 138.2 kW > rating 132.0 kW (each of 3)",
         "move a tray out of nvl72-[01-03]"),
        ("cabinet nvl72-04 draws 140.0 kW > rating 132.0 kW", "move a tray out of nvl72-04"),
        ("cabinet nvl72-01 and nvl72-02 share a slot", "move a tray out of nvl72-01"),
        ("cabinet nvl72-03 and nvl72-04 share a slot", "move a tray out of nvl72-03")]


@given(st.lists(st.sampled_from(["nvl72-01", "nvl72-01/tray1", "x.nvl72-01", "nvl72-012",
                                 " ", ": ", "(", ")", "kW", "-"]), max_size=12),
       st.sampled_from(["nvl72-01", "nvl72-01/tray1"]))
def test_a_folded_name_is_swapped_only_where_it_is_a_whole_token(parts: list[str],
                                                                  name: str) -> None:
    """The fold replaces a name where it stands as a whole token (the reference: split into
    maximal [\\w.-/] runs), never inside a longer name that merely contains it."""
    from superpod_iac.rules.engine import _TOKEN, _swap

    text = "".join(parts)
    expected = _TOKEN.sub(lambda m: "@" if m.group(0) == name else m.group(0), text)
    assert _swap(text, name, "@") == expected
