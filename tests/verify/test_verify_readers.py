"""The neighbour readers on real output (lldpd and ibnetdiscover, collected from the real
tools into tests/fixtures/verify/) and on broken input: every problem is a finding with its
file and line, never a traceback, and every limit holds before the work."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.pipeline import load_project
from superpod_iac.verify.readers import (
    ReadLimits,
    TooMuch,
    ib_rate_gbps,
    mau_speed_gbps,
    read_ibnetdiscover,
    read_lldp,
    read_mapping,
)
from tests.conftest import FIXTURES
from tests.lldpfmt import lldpctl_json

COLLECTED = FIXTURES / "verify" / "lldp-collected"
IB = FIXTURES / "verify" / "ib-collected.txt"
DESIGN = str(FIXTURES / "verify" / "lldp")


def test_real_lldpctl_output_reads_every_neighbour_with_its_line() -> None:
    s = read_lldp([str(COLLECTED)])
    assert not s.problems
    assert s.reported_hosts == {"host1", "host2", "host3", "leaf1", "leaf2"}
    seen = sorted(zip(s.local_host, s.local_port, s.remote_host, s.remote_port, strict=True))
    assert ("leaf1", "p1", "host2", "nic1") in seen and ("host3", "nic1", "leaf1", "p3") in seen
    assert len(seen) == 14  # 7 cables as built, each seen from both ends
    assert set(s.speed_gbps) == {10.0}  # veth: 10GbaseT
    text = (COLLECTED / "leaf1.json").read_text().splitlines()
    for host, port, line in zip(s.local_host, s.local_port, s.line, strict=True):
        if host == "leaf1":
            assert text[line - 1].strip() == f'"{port}": {{'


def test_one_interface_is_an_object_several_a_list(tmp_path: Path) -> None:
    (tmp_path / "leaf1.json").write_text(lldpctl_json([("p1", "host1", "nic1", "10GbaseT")]))
    assert json.loads((tmp_path / "leaf1.json").read_text())["lldp"]["interface"]["p1"]
    s = read_lldp([str(tmp_path / "leaf1.json")])
    assert list(zip(s.local_port, s.remote_host, s.remote_port, strict=True)) == \
        [("p1", "host1", "nic1")]


def test_truncated_json_is_a_finding_at_its_last_line(tmp_path: Path) -> None:
    text = (COLLECTED / "leaf1.json").read_text()
    cut = text[: len(text) // 2]
    (tmp_path / "leaf1.json").write_text(cut)
    s = read_lldp([str(tmp_path)])
    assert len(s) == 0 and len(s.problems) == 1
    p = s.problems[0]
    assert p.file.endswith("leaf1.json") and p.line == cut.count("\n") + 1
    assert p.message.startswith("truncated JSON") and "lldpctl -f json" in p.hint


def test_broken_input_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    cases = {
        "garbage.json": b"{\"lldp\": {\"interface\": [}\n",
        "latin1.json": b"{\"lldp\": {}}\n\xff\xfe",
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "keyvalue.json": b"lldp.p1.via=LLDP\n",
        "noname.json": json.dumps({"lldp": {"interface": {"p1": {"port": {}}}}}).encode(),
        "list.json": b"[1, 2, 3]",
    }
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
    s = read_lldp([str(tmp_path)])
    by_file = {Path(p.file).name: p.message for p in s.problems}
    assert set(by_file) == set(cases), s.problems
    assert by_file["garbage.json"].startswith("not valid JSON")
    assert by_file["latin1.json"] == "not UTF-8 text"
    assert by_file["deep.json"].startswith("JSON nested too deeply")
    assert by_file["list.json"].startswith("neither `lldpctl -f json` nor Arista EOS")
    assert "neighbour without a system name or port" in by_file["noname.json"]


def test_limits_hold_before_reading(tmp_path: Path) -> None:
    (tmp_path / "leaf1.json").write_text((COLLECTED / "leaf1.json").read_text())
    s = read_lldp([str(tmp_path)], ReadLimits(max_json_bytes=100))
    assert len(s) == 0 and "max_json_bytes" in s.problems[0].message
    s = read_ibnetdiscover(str(IB), ReadLimits(max_file_bytes=100))
    assert len(s) == 0 and "max_file_bytes" in s.problems[0].message
    for k in range(5):
        (tmp_path / f"h{k}.json").write_text("{}")
    try:
        read_lldp([str(tmp_path)], ReadLimits(max_files=3))
    except TooMuch as exc:
        assert "max_files" in str(exc)
    else:
        raise AssertionError("max_files did not hold")


def test_speeds_as_the_sources_name_them() -> None:
    assert mau_speed_gbps("10GbaseT - Four-pair Category 6A") == 10
    assert mau_speed_gbps("100GbaseCR4") == 100
    assert mau_speed_gbps("1000BaseTFD") == 1
    assert math.isnan(mau_speed_gbps("unknown"))
    assert ib_rate_gbps('# "x" lid 0 4xHDR') == 200
    assert ib_rate_gbps("lid 3 4xNDR") == 400
    assert ib_rate_gbps("lid 3 1xEDR") == 25
    assert math.isnan(ib_rate_gbps("lid 3"))


def test_real_ibnetdiscover_output() -> None:
    s = read_ibnetdiscover(str(IB))
    assert not s.problems
    assert s.descriptions["0x0000000000200000"] == "ibsw1"
    assert len(s.reported_hosts) == 6  # 2 switches, 4 HCAs
    i = s.remote_port.index("1")
    assert s.local_host[i].startswith("0x") and s.remote_host[i].startswith("0x")
    assert sorted({x for x in s.speed_gbps}) == [100.0, 200.0]


def test_ibnetdiscover_lines_it_does_not_write_are_findings(tmp_path: Path) -> None:
    text = IB.read_text().splitlines()
    at = next(k for k, x in enumerate(text) if x.startswith("[1]"))
    text[at] = "[1] garbage"
    text.insert(at + 1, '[99]\t"H-0000000000100004"[1](100005)\t\t# "x" lid 0 4xHDR')
    bad = tmp_path / "ib.txt"
    bad.write_text("\n".join(text) + "\n")
    s = read_ibnetdiscover(str(bad))
    assert [(p.line, p.message) for p in s.problems] == [
        (at + 1, "a port line ibnetdiscover does not write"),
        (at + 2, "port 99 on a node of 8 ports")]


def test_an_empty_ibnetdiscover_file_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "ib.txt").write_text("")
    s = read_ibnetdiscover(str(tmp_path / "ib.txt"))
    assert [p.message for p in s.problems] == ["no Switch or Ca records: not ibnetdiscover output"]


def test_mapping_rows_and_their_problems(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("kind,source,design\nhost,leaf-1.dc1,rk-1/leaf1\nguid,0x2c9,rk-1/leaf2\n"
                    "port,Ethernet0,p1\nport,leaf-1.dc1:Ethernet4,p2\nswitch,x,y\n"
                    "host,leaf-1.dc1,rk-1/leaf2\n")
    m, problems = read_mapping(str(path))
    assert m.hosts == {"leaf-1.dc1": "rk-1/leaf1", "0x00000000000002c9": "rk-1/leaf2"}
    assert m.ports == {"Ethernet0": "p1", "leaf-1.dc1:Ethernet4": "p2"}
    assert [(p.line, p.message.split(";")[0].split(" (")[0]) for p in problems] == [
        (6, "expected `kind,source,design` with kind one of host, guid, port"),
        (7, "leaf-1.dc1 is mapped twice")]


def test_cli_names_unknown_hosts_ports_and_duplicates_with_file_and_line(
        cli, tmp_path: Path) -> None:
    lldp = tmp_path / "lldp"
    lldp.mkdir()
    (lldp / "lef1.json").write_text(lldpctl_json([("p1", "host1", "nic1", "10GbaseT")]))
    (lldp / "leaf2.json").write_text(lldpctl_json([
        ("p1", "host1", "nic2", "10GbaseT"), ("p10", "host2", "nic2", "10GbaseT"),
        ("p2", "host2", "nic2", "10GbaseT"), ("p2", "host3", "nic2", "10GbaseT")]))
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    assert res.code == 1, res.err
    problems = [(x["source"].rsplit("/", 1)[1], x["observed"], x["fix"])
                for x in res.json()["lines"] if x["verdict"] == "input"]
    assert [p[0] for p in problems] == ["leaf2.json:110", "lef1.json:4", "leaf2.json:40"]
    assert problems[0][1].startswith("duplicated neighbour: leaf2:p2 is reported seeing "
                                     "host3:nic2 and also host2:nic2")
    assert problems[1][1] == "unknown host lef1: not a device of the design"
    assert problems[1][2].startswith("did you mean leaf1?")
    assert problems[2][1] == "leaf2: port p10 is not a port of rk-1/leaf2 (device type lab-leaf)"
    assert problems[2][2].startswith("did you mean p1?")


def test_cli_usage_errors_exit_2(cli, tmp_path: Path) -> None:
    res = cli("verify", DESIGN, "--lldp", str(COLLECTED) + "x")
    assert res.code == 2 and "did you mean" in res.err and "Traceback" not in res.err
    res = cli("verify", DESIGN, "--lldp", str(COLLECTED), "--fabric", "frontnd")
    assert res.code == 2 and "did you mean frontend?" in res.err
    res = cli("verify", DESIGN, "--ibnetdiscover", str(tmp_path / "none.txt"))
    assert res.code == 2 and "no such file" in res.err


def eos_json(neighbours: list[tuple[str, str, str]], v2: bool = True) -> str:
    """Arista EOS `show lldp neighbors detail | json` in the shape EOS writes it (the
    structure Arista's ANTA test data and NAPALM's EOS driver read): interfaceId quoted,
    interfaceId_v2 plain (EOS 4.26 and later)."""
    table: dict[str, dict[str, list[dict[str, object]]]] = {}
    for ifname, rhost, rport in neighbours:
        info: dict[str, object] = {"interfaceIdType": "interfaceName",
                                   "interfaceId": f'"{rport}"',
                                   "interfaceDescription": f"to {rhost}"}
        if v2:
            info["interfaceId_v2"] = rport
        table.setdefault(ifname, {"lldpNeighborInfo": []})["lldpNeighborInfo"].append({
            "chassisIdType": "macAddress", "chassisId": "001c.73a0.fc18",
            "systemName": rhost, "ttl": 120, "neighborInterfaceInfo": info})
    table["Management1"] = {"lldpNeighborInfo": []}
    return json.dumps({"lldpNeighbors": table}, indent=4) + "\n"


def test_arista_eos_lldp_json_is_read(cli, tmp_path: Path) -> None:
    """An EOS leaf (its own JSON schema) among lldpd hosts: the fabric verifies clean."""
    lldp = tmp_path / "lldp"
    lldp.mkdir()
    (lldp / "leaf1.json").write_text(eos_json([
        ("p1", "host1.dc1.example.com", "nic1"), ("p2", "host2", "nic1"),
        ("p3", "host3", "nic1"), ("p7", "leaf2", "p7")]))
    (lldp / "leaf2.json").write_text(eos_json([
        ("p1", "host1", "nic2"), ("p2", "host2", "nic2"), ("p3", "host3", "nic2"),
        ("p7", "leaf1", "p7")], v2=False))
    s = read_lldp([str(lldp)])
    assert not s.problems and len(s) == 8
    assert s.remote_port[s.local_port[:].index("p7")] == "p7"
    text = (lldp / "leaf1.json").read_text().splitlines()
    assert all(text[ln - 1].strip() == f'"{p}": {{' for p, ln in
               zip(s.local_port[:4], s.line[:4], strict=True))
    res = cli("verify", DESIGN, "--lldp", str(lldp), "--format", "json")
    assert res.json()["summary"]["ok"] == 7 and res.code == 0, res.out


@functools.cache
def design(path: str) -> Inventory:
    cfg = Config()
    cfg.select = ["SCH", "REF"]
    return load_project([path], cfg).inventory


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=8),
                     lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(st.sampled_from(["lldp", "interface", "chassis", "port",
                                                        "id", "descr", "p1", "leaf1", "name",
                                                        "lldpNeighbors", "lldpNeighborInfo",
                                                        "systemName", "neighborInterfaceInfo",
                                                        "interfaceId_v2", "value", "type"]),
                                       kids, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(doc=_JSON, cut=st.integers(0, 400))
def test_any_json_shape_or_cut_is_read_without_a_traceback(doc: object, cut: int) -> None:
    """Whatever the JSON (any shape under the keys the reader looks for, cut anywhere), the
    reader and the comparison end in neighbours and problems, never an exception."""
    from superpod_iac.verify.compare import compare
    from superpod_iac.verify.readers import Mapping, Sightings, _lldp_document

    text = json.dumps(doc)
    for raw in (text, text[:cut]):
        s = Sightings(kind="lldp")
        s.files.append("leaf1.json")
        _lldp_document(raw.encode(), Path("leaf1.json"), 0, s, ReadLimits())
        compare(design(DESIGN), s, Mapping())


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from([
    'Switch\t8 "S-0000000000200000"\t\t# "leaf1" base port 0 lid 0 lmc 0',
    'Ca\t2 "H-0000000000100000"\t\t# "host1 mlx5_0"',
    '[1]\t"H-0000000000100000"[1](100001) \t\t# "host1 mlx5_0" lid 0 4xHDR',
    '[1](100001) \t"S-0000000000200000"[1]\t\t# lid 0 lmc 0 "leaf1" lid 0 4xHDR',
    '[9]\t"S-x"[1]', "[", "vendid=0x0", "", "#", "garbage", '"', "Switch 0 \"\""]),
    max_size=12))
def test_any_ibnetdiscover_line_mix_is_read_without_a_traceback(lines: list[str]) -> None:
    import tempfile

    from superpod_iac.verify.compare import compare
    from superpod_iac.verify.readers import Mapping

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ib.txt"
        path.write_text("\n".join(lines) + "\n")
        compare(design(DESIGN), read_ibnetdiscover(str(path)), Mapping())
