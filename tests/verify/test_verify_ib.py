"""`superpod verify --ibnetdiscover` against the real InfiniBand tools: an ibsim topology is
written from tests/fixtures/verify/ib with injected faults (two cables swapped, one missing,
one extra, one link trained at EDR instead of HDR), Debian's ibsim simulates it and Debian's
infiniband-diags `ibnetdiscover` discovers it through the simulator's preload library
(`ibsim-run`); the verification must report exactly those faults.

One switch names itself like a vendor switch (`MF0;ibsw-b:MQM8700/U1`), so it is matched
through a GUID row of the mapping CSV, as an operator would. The simulator listens on a socket
name unique to the run (IBSIM_SOCKNAME) and is stopped on every exit path."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

DESIGN = str(FIXTURES / "verify" / "ib")
NAMES = {"ibsw1": "ibsw1", "ibsw2": "MF0;ibsw-b:MQM8700/U1", "host1": "host1 mlx5_0",
         "host2": "host2 mlx5_0", "host3": "host3 mlx5_0", "host4": "host4 mlx5_0"}
PORTS = {"ibsw1": 8, "ibsw2": 8, "host1": 1, "host2": 1, "host3": 1, "host4": 1}
AS_BUILT = [  # (node, port, node, port, rate)
    ("host1", 1, "ibsw1", 2, "4xHDR"),  # swapped with the next one: the design has port 1
    ("host2", 1, "ibsw1", 1, "4xHDR"),
    ("host3", 1, "ibsw2", 1, "4xEDR"),  # trained at EDR: 100 Gb/s on HDR ports
    ("host4", 1, "ibsw2", 2, "4xHDR"),
    ("ibsw1", 7, "ibsw2", 7, "4xHDR"),
    # ibsw1:8 - ibsw2:8 missing
    ("ibsw1", 5, "ibsw2", 5, "4xHDR"),  # extra: not in the design
]
WAIT_S = 30.0


def topology() -> str:
    """The as-built fabric in ibsim's topology format (ibnetdiscover's own format)."""
    ports: dict[str, list[str]] = {n: [] for n in NAMES}
    for a, pa, b, pb, rate in AS_BUILT:
        ports[a].append(f'[{pa}]\t"{NAMES[b]}"[{pb}]\t\t# lid 0 {rate}')
        ports[b].append(f'[{pb}]\t"{NAMES[a]}"[{pa}]\t\t# lid 0 {rate}')
    out = []
    for node in NAMES:
        kind = "Switch" if node.startswith("ibsw") else "Hca"
        out += [f'{kind}\t{PORTS[node]} "{NAMES[node]}"', *sorted(ports[node]), ""]
    return "\n".join(out)


class Simulator:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.env = {**os.environ, "IBSIM_SOCKNAME": f"spv{os.getpid()}"}
        self.proc: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)

    def start(self, topo: Path) -> None:
        log = (self.work / "ibsim.log").open("wb")
        self.proc = subprocess.Popen(["ibsim", "-s", "-n", str(topo)], cwd=self.work,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def discover(self) -> str:
        """ibnetdiscover through the simulator, retried until the simulator answers."""
        deadline = time.monotonic() + WAIT_S
        while True:
            assert self.proc is not None and self.proc.poll() is None, \
                (self.work / "ibsim.log").read_text(errors="replace")[-2000:]
            res = subprocess.run(["ibsim-run", "ibnetdiscover"], env=self.env, cwd=self.work,
                                 capture_output=True, text=True, timeout=30)
            if res.returncode == 0 and "Switch" in res.stdout:
                return res.stdout
            assert time.monotonic() < deadline, f"ibnetdiscover failed: {res.stderr[-2000:]}"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    missing = [t for t in ("ibsim", "ibsim-run", "ibnetdiscover") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: `make netlab` installs ibsim-utils and "
                    "infiniband-diags")
    s = Simulator(tmp_path)
    try:
        yield s
    finally:
        s.stop()
        atexit.unregister(s.stop)


def test_ibsim_fabric_reports_exactly_the_injected_faults(cli, sim: Simulator,
                                                          tmp_path: Path) -> None:
    topo = tmp_path / "net.topo"
    topo.write_text(topology())
    sim.start(topo)
    text = sim.discover()
    disc = tmp_path / "ibnetdiscover.txt"
    disc.write_text(text)
    guid = re.search(r'^Switch\s+\d+\s+"S-([0-9a-f]+)"\s+# "MF0;ibsw-b', text, re.M)
    assert guid, text
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"kind,source,design\nguid,0x{guid.group(1)},rk-1/ibsw2\n")
    res = cli("verify", DESIGN, "--ibnetdiscover", str(disc), "--map", str(mapping),
              "--format", "json")
    assert res.code == 1, res.err
    doc = res.json()
    lines = doc["lines"]
    by = {(x["verdict"], x["link_id"]): x for x in lines}
    assert sorted(by) == [("missing", "L000006"), ("miswired", "L000001"),
                          ("miswired", "L000002"), ("unexpected", ""),
                          ("wrong-speed", "L000003")], lines
    for lid in ("L000001", "L000002"):
        assert by["miswired", lid]["fix"] == "swap the cables at rk-1/ibsw1:p1 and rk-1/ibsw1:p2"
    slow = by["wrong-speed", "L000003"]
    assert (slow["observed_gbps"], slow["design_gbps"]) == (100, 200)
    assert by["missing", "L000006"]["cable_id"] == "LAB.A01-U40:p8/LAB.A01-U41:p8"
    extra = by["unexpected", ""]
    assert (extra["a_end"], extra["b_end"]) == ("rk-1/ibsw1:p5", "rk-1/ibsw2:p5")
    assert doc["summary"]["ok"] == 2 and doc["summary"]["input_problems"] == 0
    # without the mapping the vendor-named switch is an unknown host, named with its line
    res = cli("verify", DESIGN, "--ibnetdiscover", str(disc), "--format", "json")
    problems = [x for x in res.json()["lines"] if x["verdict"] == "input"]
    assert problems and "unknown host" in problems[0]["observed"], problems
    assert problems[0]["source"].startswith(f"{disc}:")
    assert "guid,GUID,cabinet/device" in problems[0]["fix"]


def test_several_hcas_of_one_host_need_their_guids_mapped(cli, tmp_path: Path) -> None:
    """Two single-port HCAs of host1 ('host1 mlx5_0', 'host1 mlx5_1') both resolve to host1
    port 1: reported as a duplicate with the hint to map each GUID to its port; with the two
    guid rows they are two ports."""
    text = (FIXTURES / "verify" / "ib-collected.txt").read_text()
    text = text.replace('"host2 mlx5_0"', '"host1 mlx5_1"')
    disc = tmp_path / "ib.txt"
    disc.write_text(text)
    mapping = tmp_path / "map.csv"
    mapping.write_text("guid,0x200001,rk-1/ibsw2\n")
    res = cli("verify", DESIGN, "--ibnetdiscover", str(disc), "--map", str(mapping),
              "--format", "json")
    dup = [x for x in res.json()["lines"] if x["verdict"] == "input"]
    assert len(dup) == 1 and dup[0]["observed"].startswith("duplicated neighbour")
    assert "guid,GUID,cabinet/device:port" in dup[0]["fix"]
    mapping.write_text("guid,0x200001,rk-1/ibsw2\nguid,0x100000,rk-2/host1:ib1\n"
                       "guid,0x100002,rk-2/host2:ib1\n")
    res = cli("verify", DESIGN, "--ibnetdiscover", str(disc), "--map", str(mapping),
              "--format", "json")
    summary = res.json()["summary"]
    assert (summary["input_problems"], summary["miswired"], summary["ok"]) == (0, 2, 2)
