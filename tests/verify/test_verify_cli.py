"""`superpod verify` end to end on lldpctl JSON: names that differ (mapping CSV), --fail-on,
--fabric, every format deterministic, and hostile names escaped for each sink."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from superpod_iac import choices
from tests.conftest import FIXTURES
from tests.lldpfmt import lldpctl_json

DESIGN = str(FIXTURES / "verify" / "lldp")
CABLES = [  # the design's links, as designed
    ("host1", "nic1", "leaf1", "p1"), ("host2", "nic1", "leaf1", "p2"),
    ("host3", "nic1", "leaf1", "p3"), ("host1", "nic2", "leaf2", "p1"),
    ("host2", "nic2", "leaf2", "p2"), ("host3", "nic2", "leaf2", "p3"),
    ("leaf1", "p7", "leaf2", "p7")]


def collect(folder: Path, cables: list[tuple[str, str, str, str]], hosts: set[str] | None = None,
            rename: dict[str, str] | None = None, ifname: dict[str, str] | None = None,
            mau: dict[str, str] | None = None) -> Path:
    """lldpctl JSON per host, as lldpd would report `cables`; `rename` and `ifname` give
    hosts and interfaces the names the network uses instead of the design's."""
    rename, ifname, mau = rename or {}, ifname or {}, mau or {}
    per: dict[str, list[tuple[str, str, str, str]]] = {}
    for ha, pa, hb, pb in cables:
        per.setdefault(ha, []).append((ifname.get(f"{ha}:{pa}", pa), rename.get(hb, hb),
                                       ifname.get(f"{hb}:{pb}", pb),
                                       mau.get(f"{ha}:{pa}", "10GbaseT")))
        per.setdefault(hb, []).append((ifname.get(f"{hb}:{pb}", pb), rename.get(ha, ha),
                                       ifname.get(f"{ha}:{pa}", pa),
                                       mau.get(f"{hb}:{pb}", "10GbaseT")))
    folder.mkdir(exist_ok=True)
    for host, rows in per.items():
        if hosts is None or host in hosts:
            (folder / f"{rename.get(host, host)}.json").write_text(lldpctl_json(rows))
    return folder


def test_as_designed_is_clean_in_every_format_and_deterministic(cli, tmp_path: Path) -> None:
    lldp = collect(tmp_path / "lldp", CABLES)
    for fmt in choices.VERIFY_FORMATS:
        first = cli("verify", DESIGN, "--lldp", str(lldp), "--format", fmt)
        assert first.code == 0, (fmt, first.out, first.err)
        assert cli("verify", DESIGN, "--lldp", str(lldp), "--format", fmt).out == first.out
    assert first.out.startswith("### superpod verify: as built = as designed")
    rows = list(csv.DictReader(io.StringIO(
        cli("verify", DESIGN, "--lldp", str(lldp), "--format", "csv", "--all").out)))
    assert [r["verdict"] for r in rows] == ["ok"] * 7
    assert rows[0]["cable_id"] == "LAB.A02-U10:nic1/LAB.A01-U40:p1" and rows[0]["a_u"] == "10"


def test_names_that_differ_are_mapped(cli, tmp_path: Path) -> None:
    lldp = collect(tmp_path / "lldp", CABLES, rename={"leaf1": "sw-leaf-01.dc1.example.com"},
                   ifname={"leaf1:p1": "Ethernet0", "leaf2:p1": "Ethernet0",
                           "leaf1:p7": "Ethernet24"})
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    assert res.code == 1
    unknown = [x["observed"] for x in res.json()["lines"] if x["verdict"] == "input"]
    assert unknown[0].startswith("unknown host sw-leaf-01.dc1.example.com")
    mapping = tmp_path / "map.csv"
    mapping.write_text("kind,source,design\nhost,sw-leaf-01.dc1.example.com,rk-1/leaf1\n"
                       "port,Ethernet0,p1\nport,sw-leaf-01.dc1.example.com:Ethernet24,p7\n")
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--map", str(mapping))
    assert res.code == 0, res.out
    # hostnames joining cabinet and device need no mapping: rk-1-leaf2 is rk-1/leaf2
    lldp = collect(tmp_path / "joined", CABLES, rename={"leaf2": "rk-1-leaf2.dc1",
                                                          "host3": "rk-2_host3"})
    assert cli("verify", DESIGN, "--lldp", str(lldp)).code == 0


def test_fail_on_and_fabric(cli, tmp_path: Path) -> None:
    """Only host1 collected: its links are judged, the others unverified."""
    lldp = collect(tmp_path / "lldp", CABLES, hosts={"host1"})
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    summary = res.json()["summary"]
    assert (summary["ok"], summary["unverified"]) == (2, 5)
    assert res.code == 1
    assert cli("verify", DESIGN, "--lldp", str(lldp), "--fail-on", "faults").code == 0
    broken = collect(tmp_path / "broken", CABLES[1:], hosts={"host1", "leaf1"})
    assert cli("verify", DESIGN, "--lldp", str(broken), "--fail-on", "faults").code == 1
    assert cli("verify", DESIGN, "--lldp", str(broken), "--fail-on", "never").code == 0
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--fabric", "frontend", "--format", "json")
    assert res.json()["summary"]["ok"] == 2


def test_hostile_names_are_escaped_for_each_sink(cli, tmp_path: Path) -> None:
    evil = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)> @team \x1b[31m"
    lldp = tmp_path / "lldp"
    lldp.mkdir()
    (lldp / "leaf1.json").write_text(lldpctl_json([("p1", evil, "eth0", "10GbaseT"),
                                                   ("p8", evil, "eth1", "10GbaseT")]))
    md = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "md").out
    assert "<img" not in md and "&lt;img" in md and "\\@team" in md and "\x1b" not in md
    text = cli("verify", DESIGN, "--lldp", str(lldp)).out
    assert "\x1b" not in text and "\\x1b[31m" in text
    rows = list(csv.reader(io.StringIO(cli("verify", DESIGN, "--lldp", str(lldp),
                                           "--format", "csv").out)))
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r)
    doc = json.loads(cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json").out)
    assert any(evil in x["observed"] for x in doc["lines"])  # json keeps the exact text


def test_ignored_ports_and_mapping_mistakes(cli, tmp_path: Path) -> None:
    """Management ports the design does not model are left out with `port,eth0,-`; a mapping
    row naming a device the design lacks is a finding at that row, with a did-you-mean."""
    lldp = collect(tmp_path / "lldp", [*CABLES, ("host1", "eth0", "mgmt-sw", "ge-0/0/1")])
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    assert res.code == 1
    observed = [x["observed"] for x in res.json()["lines"] if x["verdict"] == "input"]
    assert observed == ["unknown host mgmt-sw: not a device of the design",
                        "host1: port eth0 is not a port of rk-2/host1 (device type lab-host)"]
    mapping = tmp_path / "map.csv"
    mapping.write_text("kind,source,design\nport,eth0,-\nhost,mgmt-sw,-\n")
    assert cli("verify", DESIGN, "--lldp", str(lldp), "--map", str(mapping)).code == 0
    mapping.write_text("kind,source,design\nport,eth0,-\nhost,mgmt-sw,-\n"
                       "host,leaf1,rk-1/lef1\n")
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--map", str(mapping), "--format", "json")
    problems = [(x["source"], x["observed"], x["fix"]) for x in res.json()["lines"]
                if x["verdict"] == "input"]
    assert problems == [(f"{mapping}:4", "leaf1 is mapped to rk-1/lef1, but rk-1/lef1 is not "
                         "in the design", "did you mean rk-1/leaf1? map it to `cabinet/device` "
                         "(or `cabinet/device:port` for a single-port HCA)")]


def test_lldp_mau_type_gives_wrong_speed(cli, tmp_path: Path) -> None:
    """lldpd reports the negotiated MAU type: a 10G link that came up at 1G (both ends say
    1000BaseTFD) is wrong-speed with both figures; one end's report is enough."""
    lldp = collect(tmp_path / "lldp", CABLES, mau={"host2:nic2": "1000BaseTFD",
                                                    "leaf2:p2": "1000BaseTFD"})
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    slow = [x for x in res.json()["lines"] if x["verdict"] == "wrong-speed"]
    assert [(x["link_id"], x["observed_gbps"], x["design_gbps"]) for x in slow] == \
        [("L000005", 1, 10)]
    assert slow[0]["observed"] == "linked at 1 Gb/s" and res.code == 1
