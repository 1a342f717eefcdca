"""`superpod diff`: every kind of design change appears with its path, old -> new, source line
and physical consequence; the findings delta; formats; `--fail-on new`.

Each case copies tests/fixtures/diff/base (a clean design), applies one edit and diffs the
two with `--format json`, so assertions read structured values rather than layout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

BASE = FIXTURES / "diff" / "base"
NVL = "specs/gb200-nvl72"


def _edit(tmp_path: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    new = tmp_path / "new"
    shutil.copytree(BASE, new)
    for name, subs in edits.items():
        f = new / name
        text = f.read_text()
        for old, repl in subs:
            assert old in text, f"{old!r} not in {name}"
            text = text.replace(old, repl)
        f.write_text(text)
    return new


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def _diff(cli, new: Path, *extra: str) -> dict:
    res = cli("diff", str(BASE), str(new), "--format", "json", *extra)
    assert res.code in (0, 1), res.err
    return res.json()


def _change(doc: dict, kind: str, path: str) -> dict:
    found = [c for c in doc["changes"] if c["kind"] == kind and c["path"] == path]
    assert found, f"{kind} {path} not in {[(c['kind'], c['path']) for c in doc['changes']]}"
    return found[0]


def _impact(doc: dict, kind: str, name: str) -> dict:
    found = [i for i in doc["consequences"] if i["kind"] == kind and i["name"] == name]
    assert found, f"{kind} {name} not in consequences"
    return found[0]


def test_identical_designs_have_no_changes(cli) -> None:
    res = cli("diff", str(BASE), str(BASE))
    assert res.code == 0, res.err
    assert "No changes." in res.out
    assert "Findings: 0 new, 0 fixed, 0 unchanged" in res.out


def test_issue_example_feeds_cabinet_rating_and_policy(cli, tmp_path: Path) -> None:
    """The issue's case: every feed 125 A -> 63 A, the cabinet rating 45 -> 40 kW and the site
    policy 60 -> 40 kW printed 'No changes' although the new revision has errors."""
    new = _edit(tmp_path, {
        "power.yaml": [("breaker_a: 125", "breaker_a: 63")],
        "catalog.yaml": [("power_rating_kw: 45", "power_rating_kw: 40")],
        "site.yaml": [("cabinet_kw_limit: 60", "cabinet_kw_limit: 40")]})
    doc = _diff(cli, new)
    feeds = [c for c in doc["changes"] if c["path"].endswith(".breaker_a")]
    assert len(feeds) == 6 and all((c["old"], c["new"]) == (125, 63) for c in feeds)
    rk1a = _change(doc, "PowerSystem", "spec.nodes[rk1-A].breaker_a")
    assert rk1a["file"] == f"{new}/power.yaml"
    assert rk1a["line"] == _line_of(new / "power.yaml", "name: rk1-A")
    rating = _change(doc, "Catalog", "spec.cabinet_types[diff-rack].power_rating_kw")
    assert (rating["old"], rating["new"], rating["affects"]) == (45, 40, "3 cabinets")
    policy = _change(doc, "Site", "spec.policy.cabinet_kw_limit")
    assert (policy["old"], policy["new"]) == (60, 40)
    assert policy["line"] == _line_of(new / "site.yaml", "cabinet_kw_limit")
    # consequences: a 63 A / 415 V / PF 0.95 feed derated to 80 % carries 34.4 kW, not 68.3
    feed = _impact(doc, "feed", "rk1-A")
    assert feed["capacity_kw"] == pytest.approx([68.3, 34.4], abs=0.05)
    assert feed["margin_kw"][0] > 0 > feed["margin_kw"][1]
    cab = _impact(doc, "cabinet", "rk1")
    assert cab["capacity_kw"] == [45, 40] and cab["headroom_kw"] == pytest.approx([2.83, -2.17])
    f = doc["findings"]
    assert (f["new"], f["fixed"], f["unchanged"], f["new_errors"]) == (8, 0, 0, 8)
    assert {x["rule"] for x in f["new_findings"]} == {"PWR001", "PWR002", "PWR004"}
    text = cli("diff", str(BASE), str(new)).out
    assert "No changes" not in text
    assert "~ PowerSystem/diff-power spec.nodes[rk1-A].breaker_a: 125 -> 63" in text
    assert "feed rk1-A: load 21.1 kW, derated rating 68.3 -> 34.4 kW" in text
    assert "Findings: 8 new (8 errors), 0 fixed, 0 unchanged" in text


# One case per kind and field family: (edits, kind, change path, old, new, consequence),
# where the consequence is (impact kind, name, figure) that must change, or None when the
# change has no electrical or thermal consequence (then a total or object change is checked).
CASES = {
    "power node rating": (
        {"power.yaml": [("{name: ups-A, type: ups, parent: utility, side: A, rating_kw: 200}",
                         "{name: ups-A, type: ups, parent: utility, side: A, rating_kw: 50}")]},
        "PowerSystem", "spec.nodes[ups-A].rating_kw", 200, 50, ("power node", "ups-A", "capacity_kw")),
    "feed breaker": (
        {"power.yaml": [("{name: rk2-B, type: feed, parent: ups-B, side: B, voltage_v: 415, breaker_a: 125}",
                         "{name: rk2-B, type: feed, parent: ups-B, side: B, voltage_v: 415, breaker_a: 100}")]},
        "PowerSystem", "spec.nodes[rk2-B].breaker_a", 125, 100, ("feed", "rk2-B", "capacity_kw")),
    "feed voltage": (
        {"power.yaml": [("{name: rk1-B, type: feed, parent: ups-B, side: B, voltage_v: 415,",
                         "{name: rk1-B, type: feed, parent: ups-B, side: B, voltage_v: 400,")]},
        "PowerSystem", "spec.nodes[rk1-B].voltage_v", 415, 400, ("feed", "rk1-B", "capacity_kw")),
    "feed parent": (
        {"power.yaml": [("{name: net1-A, type: feed, parent: ups-A,",
                         "{name: net1-A, type: feed, parent: ups-B,")]},
        "PowerSystem", "spec.nodes[net1-A].parent", "ups-A", "ups-B", ("power node", "ups-B", "load_kw")),
    "power redundancy": (
        {"power.yaml": [("redundancy: 2N", "redundancy: N")]},
        "PowerSystem", "spec.redundancy", "2N", "N", ("feed", "rk1-A", "margin_kw")),
    "cabinet feeds": (
        {"cabinets.yaml": [("feeds: [rk2-A, rk2-B]", "feeds: [rk2-A, rk1-B]")]},
        "Cabinet", "spec.feeds", ["rk2-A", "rk2-B"], ["rk2-A", "rk1-B"], ("feed", "rk1-B", "load_kw")),
    "cdu type": (
        {"cooling.yaml": [("type: cdu-inrack-250", "type: cdu-inrack-80")]},
        "CoolingSystem", "spec.cdus[cdu-[1-2]].type", "cdu-inrack-250", "cdu-inrack-80",
        ("cooling unit", "cdus", "capacity_kw")),
    "cooling group redundancy": (
        {"cooling.yaml": [("redundancy: N+1", "redundancy: N")]},
        "CoolingSystem", "spec.groups[cdus].redundancy", "N+1", "N", ("cooling unit", "cdus", "margin_kw")),
    "loop supply temperature": (
        {"cooling.yaml": [("supply_c: 25", "supply_c: 30")]},
        "CoolingSystem", "spec.loops[tower-loop].supply_c", 25, 30, None),
    "cdu flow (delta T)": (
        {"cooling.yaml": [("fluid: pg25}", "fluid: pg25, delta_t_c: 8}")]},
        "CoolingSystem", "spec.cdus[cdu-[1-2]].delta_t_c", None, 8, None),
    "site hall": (
        {"site.yaml": [("air_capacity_kw: 60", "air_capacity_kw: 50")]},
        "Site", "spec.halls[hall1].air_capacity_kw", 60, 50, None),
    "site policy derating": (
        {"site.yaml": [("cabinet_kw_limit: 60", "cabinet_kw_limit: 60\n    derating: 0.7")]},
        "Site", "spec.policy.derating", None, 0.7, ("feed", "rk1-A", "capacity_kw")),
    "device type power": (
        {"catalog.yaml": [("max_w: 4200", "max_w: 4400")]},
        "Catalog", "spec.device_types[diff-host].max_w", 4200, 4400, ("cabinet", "rk1", "load_kw")),
    "cabinet type rating": (
        {"catalog.yaml": [("power_rating_kw: 45", "power_rating_kw: 50")]},
        "Catalog", "spec.cabinet_types[diff-rack].power_rating_kw", 45, 50, ("cabinet", "rk2", "capacity_kw")),
    "device moved": (
        {"cabinets.yaml": [('{name: "leaf[1-2]", type: diff-leaf, u: "[20-21]"}',
                            '{name: "leaf[1-2]", type: diff-leaf, u: "[22-23]"}')]},
        "Cabinet", "spec.devices[leaf[1-2]].u", "[20-21]", "[22-23]", None),
    "devices added": (
        {"cabinets.yaml": [('{name: "leaf[1-2]", type: diff-leaf, u: "[20-21]"}',
                            '{name: "leaf[1-3]", type: diff-leaf, u: "[20-22]"}')]},
        "Cabinet", "spec.devices[leaf[1-3]]", None, {"name": "leaf[1-3]", "type": "diff-leaf", "u": "[20-22]"},
        ("cabinet", "net1", "load_kw")),
    "fabric links": (
        {"fabric.yaml": [('    - {a: "rk2/host[01-10]:osfp2", b: "net1/leaf2:p[11-20]"}\n', "")]},
        "Fabric", "spec.links[{a: rk2/host[01-10]:osfp2, b: net1/leaf2:p[11-20]}]",
        {"a": "rk2/host[01-10]:osfp2", "b": "net1/leaf2:p[11-20]"}, None, ("cabinet", "rk2", "load_kw")),
    "fabric media": (
        {"fabric.yaml": [("transceiver: 400g-sr4.2}", "transceiver: 400g-sr4.2}\n    - {max_length_m: 500, cable: smf-os2-mpo12, transceiver: 400g-dr4}")]},
        "Fabric", "spec.media[{max_length_m: 500, cable: smf-os2-mpo12, transceiver: 400g-dr4}]",
        None, {"max_length_m": 500, "cable": "smf-os2-mpo12", "transceiver": "400g-dr4"}, None),
    "expectations": (
        {"fabric.yaml": [("accelerators: 80", "accelerators: 88")]},
        "Superpod", "spec.expect.accelerators", 80, 88, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_of_change_appears_with_its_consequence(cli, tmp_path: Path, case: str) -> None:
    edits, kind, path, old, new_value, consequence = CASES[case]
    new = _edit(tmp_path, edits)
    doc = _diff(cli, new)
    ch = _change(doc, kind, path)
    assert (ch["old"], ch["new"]) == (old, new_value)
    # the line that wrote it in the new revision; a removal points into the old one
    assert ch["line"] > 0 and ch["file"].startswith(str(BASE if ch["op"] == "-" else new))
    if consequence is not None:
        ikind, name, figure = consequence
        before, after = _impact(doc, ikind, name)[figure]
        assert before != after, (case, figure, before, after)
    if case == "device moved":
        moved = [o for o in doc["objects"] if o["name"] == "net1/leaf1"]
        assert moved and moved[0]["details"] == ["u: 20 -> 22"]
    if case == "device type power":
        assert ch["affects"] == "20 devices"
    if case == "expectations":
        assert [x["rule"] for x in doc["findings"]["new_findings"]] == ["EXP001"]
    if case == "fabric links":
        assert doc["links"]["removed"] == 10
        links = {t["name"]: (t["old"], t["new"]) for t in doc["totals"]}
        assert links["links"] == (40, 30) and links["optics"] == (80, 60)


def test_link_line_edited_in_place_is_a_field_change(cli, tmp_path: Path) -> None:
    new = _edit(tmp_path, {"fabric.yaml": [('b: "net1/leaf2:p[11-20]"', 'b: "net1/leaf2:p[21-30]"')]})
    doc = _diff(cli, new)
    ch = _change(doc, "Fabric", "spec.links[3].b")
    assert (ch["old"], ch["new"]) == ("net1/leaf2:p[11-20]", "net1/leaf2:p[21-30]")
    assert ch["line"] == _line_of(new / "fabric.yaml", "p[21-30]")
    assert (doc["links"]["added"], doc["links"]["removed"]) == (10, 10)


def test_generator_change_shows_the_field_and_the_links_it_drops(cli, tmp_path: Path) -> None:
    new = tmp_path / "nvl"
    shutil.copytree(ROOT / NVL, new)
    fab = new / "fabric-nvlink.yaml"
    fab.write_text(fab.read_text().replace('endpoints: "nvl72-01/tray*"',
                                           'endpoints: "nvl72-01/tray0*"'))
    res = cli("diff", NVL, str(new), "--format", "json")
    doc = res.json()
    ch = _change(doc, "Fabric", "spec.generators[0].endpoints")
    assert (ch["old"], ch["new"]) == ("nvl72-01/tray*", "nvl72-01/tray0*")
    assert (doc["links"]["added"], doc["links"]["removed"]) == (0, 648)  # 9 trays x 4 x 18
    totals = {t["name"]: (t["old"], t["new"]) for t in doc["totals"]}
    assert totals["links"] == (1296, 648)
    assert {"PRT004", "EXP001"} <= {x["rule"] for x in doc["findings"]["new_findings"]}
    assert res.code == 0  # --fail-on defaults to never


def test_findings_delta_new_fixed_unchanged_and_fail_on(cli, tmp_path: Path) -> None:
    broken = _edit(tmp_path / "a", {"catalog.yaml": [("power_rating_kw: 45", "power_rating_kw: 40")]})
    # from broken to a revision that fixes the rating but lowers the policy: 2 fixed (PWR001),
    # 2 new (PWR002); then a change that adds nothing new to a legacy design with errors
    worse = _edit(tmp_path / "b", {"site.yaml": [("cabinet_kw_limit: 60", "cabinet_kw_limit: 40")]})
    res = cli("diff", str(broken), str(worse), "--format", "json", "--fail-on", "new")
    f = res.json()["findings"]
    assert (f["new"], f["fixed"], f["unchanged"]) == (2, 2, 0)
    assert {x["rule"] for x in f["new_findings"]} == {"PWR002"}
    assert {x["rule"] for x in f["fixed_findings"]} == {"PWR001"}
    assert res.code == 1
    legacy = _edit(tmp_path / "c", {
        "catalog.yaml": [("power_rating_kw: 45", "power_rating_kw: 40")],
        "cabinets.yaml": [("slot: 3}", "slot: 4}")]})
    res = cli("diff", str(broken), str(legacy), "--format", "json", "--fail-on", "new")
    f = res.json()["findings"]
    assert (f["new"], f["fixed"], f["unchanged"]) == (0, 0, 2)
    assert res.code == 0, "no new errors: --fail-on new passes a legacy design"
    assert cli("diff", str(broken), str(legacy), "--fail-on", "any").code == 1
    assert cli("diff", str(broken), str(legacy)).code == 0


def test_markdown_for_a_pull_request_comment(cli, tmp_path: Path) -> None:
    new = _edit(tmp_path, {"power.yaml": [("breaker_a: 125", "breaker_a: 63")],
                           "catalog.yaml": [("max_w: 900", "max_w: 950"),
                                            ("max_w: 4200", "max_w: 4300")]})
    res = cli("diff", str(BASE), str(new), "--format", "md")
    assert res.code == 0
    md = res.out
    assert md.startswith("### superpod plan:")
    # names are escaped for GitHub markdown (report.escape.markdown); rendered, the row reads
    # `| ~ | PowerSystem/diff-power | spec.nodes[rk1-A].breaker_a | 125 | 63 |`
    assert "| \\~ | PowerSystem/diff-power | spec.nodes\\[rk1-A\\].breaker_a | 125 | 63 |" in md
    assert "> **This change introduces 4 errors.**" in md
    # long lists fold into collapsible sections; short ones stay open
    assert "<details><summary><b>Consequences (kW)</b> (13)</summary>" in md
    assert "| feed rk1-A ⚠ | 21.1 -> 21.6 | 68.3 -> 34.4 | 47.2 -> 12.8 | 26.1 -> -8.8 |" in md
    assert "**New findings** (4)" in md
    assert len(md) < 65536  # GitHub's comment size limit


def test_diff_against_a_git_revision(cli) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    res = cli("diff", f"HEAD:{NVL}", NVL, "--format", "json")
    assert res.code == 0, res.err
    assert res.json()["old"] == f"HEAD:{NVL}"
    assert cli("diff", "no-such-rev:specs/x", NVL).code == 2


def test_diff_output_is_deterministic(cli, tmp_path: Path) -> None:
    new = _edit(tmp_path, {"power.yaml": [("breaker_a: 125", "breaker_a: 63")]})
    outs = {cli("diff", str(BASE), str(new), "--format", f).out for f in ("md",) * 2}
    assert len(outs) == 1
    assert json.loads(cli("diff", str(BASE), str(new), "--format", "json").out)


def test_large_designs_compare_links_as_counts_per_fabric_and_media(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from superpod_iac.diff import objects

    monkeypatch.setattr(objects, "LINK_SET_LIMIT", 0)
    new = _edit(tmp_path, {"fabric.yaml": [
        ('    - {a: "rk2/host[01-10]:osfp2", b: "net1/leaf2:p[11-20]"}\n', "")]})
    doc = _diff(cli, new)
    assert (doc["links"]["added"], doc["links"]["removed"]) == (0, 10)
    assert doc["links"]["examples"] == [
        "- diff-scale-out: mmf-om4-mpo12 / ('400g-sr4.2', '400g-sr4.2')"]


def test_a_schema_error_in_the_new_revision_is_a_field_change_and_a_new_finding(
        cli, tmp_path: Path) -> None:
    new = _edit(tmp_path, {"power.yaml": [("side: A, voltage_v: 415, breaker_a: 125}\n    - {name: rk2-A",
                                           "side: A, voltage_v: 415, breakr_a: 125}\n    - {name: rk2-A")]})
    doc = _diff(cli, new, "--fail-on", "new")
    paths = {(c["op"], c["path"]) for c in doc["changes"]}
    assert ("+", "spec.nodes[rk1-A].breakr_a") in paths
    assert ("-", "spec.nodes[rk1-A].breaker_a") in paths
    assert not any(c["path"] == "" for c in doc["changes"]), "not a removed manifest"
    assert [x["rule"] for x in doc["findings"]["new_findings"]] == ["SCH003"]
    assert cli("diff", str(BASE), str(new), "--fail-on", "new").code == 1


def test_cabinet_added_lists_the_cabinet_not_each_device(cli, tmp_path: Path) -> None:
    rk3 = ('---\napiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk3}\n'
           'spec:\n  type: diff-rack\n  location: {hall: hall1, row: A, slot: 4}\n'
           '  feeds: [rk1-A, rk1-B]\n  cdu: cdus\n  devices:\n'
           '    - {name: "host[01-10]", type: diff-host, u: "[1-19/2]"}\n')
    new = _edit(tmp_path, {})
    (new / "cabinets.yaml").write_text((new / "cabinets.yaml").read_text() + rk3)
    doc = _diff(cli, new)
    assert [(o["op"], o["name"], o["details"]) for o in doc["objects"]] == [
        ("+", "rk3", ["diff-rack, 10 devices"])]
    ch = _change(doc, "Cabinet", "")
    assert ch["op"] == "+" and ch["name"] == "rk3"
    assert _impact(doc, "cabinet", "rk3")["load_kw"] == [None, 42.0]  # 10 x 4.2 kW
    before, after = _impact(doc, "feed", "rk1-A")["load_kw"]
    assert after == pytest.approx(2 * before, rel=0.01)  # rk3 shares rk1's feeds
    totals = {t["name"]: (t["old"], t["new"]) for t in doc["totals"]}
    assert totals["accelerators"] == (80, 120) and totals["cabinets"] == (3, 4)
