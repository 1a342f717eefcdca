"""`superpod verify --lldp` against the real lldpd: a small fabric of network namespaces (one
per design device) joined by veth pairs named after the design's ports, wired from
tests/fixtures/verify/lldp with injected faults (two cables swapped, one missing, one extra),
lldpd running in each namespace with its own control socket, `lldpctl -f json` collected from
each; the verification must report exactly the injected faults.

Needs root (network namespaces) and lldpd (`make netlab` installs it). Namespace names carry
the pid; everything is removed on every exit path (finally, and atexit for a killed run)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

DESIGN = str(FIXTURES / "verify" / "lldp")
DEVICES = {"leaf1": "rk-1/leaf1", "leaf2": "rk-1/leaf2", "host1": "rk-2/host1",
           "host2": "rk-2/host2", "host3": "rk-2/host3"}
AS_BUILT = [
    ("host1", "nic1", "leaf1", "p2"),  # swapped with the next one: the design has p1 here
    ("host2", "nic1", "leaf1", "p1"),
    ("host3", "nic1", "leaf1", "p3"),
    ("host1", "nic2", "leaf2", "p1"),
    ("host2", "nic2", "leaf2", "p2"),
    # host3:nic2 - leaf2:p3 missing
    ("leaf1", "p7", "leaf2", "p7"),
    ("leaf1", "p8", "leaf2", "p8"),  # extra: not in the design
]
WAIT_S = 40.0


def _run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, check=check)


class Lab:
    """Namespaces, veth pairs and lldpd daemons; `close()` undoes all of it (idempotent)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.tag = f"spv{os.getpid()}"
        self.namespaces: list[str] = []
        self.daemons: list[subprocess.Popen[bytes]] = []
        atexit.register(self.close)

    def ns(self, host: str) -> str:
        return f"{self.tag}-{host}"

    def sock(self, host: str) -> str:
        return str(self.work / f"{host}.sock")

    def build(self) -> None:
        for host in DEVICES:
            _run("ip", "netns", "add", self.ns(host))
            self.namespaces.append(self.ns(host))
            _run("ip", "-n", self.ns(host), "link", "set", "lo", "up")
        for k, (ha, pa, hb, pb) in enumerate(AS_BUILT):
            ta, tb = f"{self.tag}a{k}", f"{self.tag}b{k}"
            _run("ip", "link", "add", ta, "type", "veth", "peer", "name", tb)
            for tmp, host, port in ((ta, ha, pa), (tb, hb, pb)):
                _run("ip", "link", "set", tmp, "netns", self.ns(host))
                _run("ip", "-n", self.ns(host), "link", "set", tmp, "name", port)
                _run("ip", "-n", self.ns(host), "link", "set", port, "up")

    def start(self) -> None:
        for host in DEVICES:
            log = (self.work / f"{host}.log").open("wb")
            self.daemons.append(subprocess.Popen(
                ["ip", "netns", "exec", self.ns(host), "lldpd", "-d", "-u", self.sock(host),
                 "-p", str(self.work / f"{host}.pid"), "-L", ""],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + WAIT_S
        for host in DEVICES:
            while not Path(self.sock(host)).exists():
                assert time.monotonic() < deadline, f"lldpd for {host} did not start: " + \
                    (self.work / f"{host}.log").read_text(errors="replace")[-2000:]
                time.sleep(0.1)
            for conf in (["system", "hostname", host], ["lldp", "tx-interval", "1"],
                         ["lldp", "portidsubtype", "ifname"]):
                while (res := _run("lldpcli", "-u", self.sock(host), "configure", *conf,
                                   check=False)).returncode:
                    assert time.monotonic() < deadline, f"lldpcli {conf}: {res.stderr}"
                    time.sleep(0.2)

    def collect(self, out: Path) -> None:
        """`lldpctl -f json` per namespace once every port sees a lab neighbour."""
        ports = {h: sum((ha == h) + (hb == h) for ha, _, hb, _ in AS_BUILT) for h in DEVICES}
        deadline = time.monotonic() + WAIT_S
        pending = set(DEVICES)
        while pending:
            for host in sorted(pending):
                text = _run("lldpctl", "-u", self.sock(host), "-f", "json").stdout
                if _neighbour_names(text) == ports[host]:
                    (out / f"{host}.json").write_text(text)
                    pending.discard(host)
            if pending:
                assert time.monotonic() < deadline, f"no LLDP neighbours in time: {pending}"
                time.sleep(0.5)

    def close(self) -> None:
        for proc in self.daemons:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
        self.daemons.clear()
        for ns in self.namespaces:
            _run("ip", "netns", "del", ns, check=False)
        self.namespaces.clear()


def _neighbour_names(text: str) -> int:
    """Interfaces whose neighbour already announces a lab hostname."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return -1
    found = doc.get("lldp", {}).get("interface", [])
    items = found if isinstance(found, list) else [found]
    n = 0
    for item in items:
        for entry in item.values():
            if set(entry.get("chassis", {})) & set(DEVICES):
                n += 1
    return n


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    if os.geteuid() != 0:
        pytest.fail("tests/verify/test_verify_lldp.py builds network namespaces: run it as root "
                    "(CI runs as root; a skip would hide it)")
    missing = [t for t in ("lldpd", "lldpcli", "lldpctl", "ip") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: `make netlab` installs lldpd")
    # lldpcli drops root for the _lldpd user: the sockets live in a folder it can traverse
    # (pytest's tmp_path is under a 0700 folder)
    work = Path(tempfile.mkdtemp(prefix=f"spv{os.getpid()}-"))
    work.chmod(0o755)
    lab = Lab(work)
    try:
        lab.build()
        lab.start()
        yield lab
    finally:
        lab.close()
        atexit.unregister(lab.close)
        shutil.rmtree(work, ignore_errors=True)


def test_real_lldpd_fabric_reports_exactly_the_injected_faults(cli, lab: Lab,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "lldp"
    out.mkdir()
    lab.collect(out)
    res = cli("verify", DESIGN, "--lldp", str(out), "--format", "json")
    assert res.code == 1, res.err
    doc = res.json()
    lines = doc["lines"]
    by = {(x["verdict"], x["link_id"]): x for x in lines}
    assert sorted(by) == [("missing", "L000006"), ("miswired", "L000001"),
                          ("miswired", "L000002"), ("unexpected", "")], lines
    for lid in ("L000001", "L000002"):
        assert by["miswired", lid]["fix"] == "swap the cables at rk-1/leaf1:p1 and rk-1/leaf1:p2"
    assert "rk-2/host1:nic1 sees rk-1/leaf1:p2" in by["miswired", "L000001"]["observed"]
    assert [Path(x.split(":")[0]).name for x in
            by["miswired", "L000001"]["source"].split("; ")] == ["host1.json", "leaf1.json"]
    assert by["missing", "L000006"]["cable_id"] == "LAB.A02-U12:nic2/LAB.A01-U41:p3"
    assert (by["missing", "L000006"]["a_cabinet"], by["missing", "L000006"]["a_u"]) == \
        ("rk-2", 12)
    extra = by["unexpected", ""]
    assert (extra["a_end"], extra["b_end"]) == ("rk-1/leaf1:p8", "rk-1/leaf2:p8")
    assert doc["summary"]["ok"] == 4 and doc["summary"]["input_problems"] == 0
    # the same data as text names the swap once; csv and md carry the cable labels
    text = cli("verify", DESIGN, "--lldp", str(out)).out
    assert text.count("swap the cables at rk-1/leaf1:p1 and rk-1/leaf1:p2") == 3  # 2 links + list
    assert "LAB.A02-U12:nic2/LAB.A01-U41:p3" in cli("verify", DESIGN, "--lldp", str(out),
                                                    "--format", "csv").out
    md = cli("verify", DESIGN, "--lldp", str(out), "--format", "md").out
    assert md.startswith("### superpod verify: cabling differs")
    # a collection is kept for the reader tests' reference (real lldpd output, not made up)
    keep = os.environ.get("SUPERPOD_KEEP_LLDP")
    if keep:
        shutil.copytree(out, keep, dirs_exist_ok=True)
