"""Readers for what the network reports about its own cabling: lldpd's `lldpctl -f json` and
InfiniBand's `ibnetdiscover` text, plus the mapping CSV for names that differ from the design.

Each reader turns a file into `Sighting`s (this port, on this host, sees that port on that
host), with the file and line where the neighbour was written, and `Problem`s for what it could
not read (truncated JSON, a line it does not understand, a file over the size limit). Names
stay as the source wrote them: the comparison (compare.py) resolves them against the design.
Readers never raise for bad input; every limit is checked before the work it bounds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on the neighbour data one run reads (docs/install-day.md)."""

    max_json_bytes: int = 64 * 1024 * 1024
    """One lldpctl JSON file (a switch's is ~1 KB per neighbour: 64 MiB is 60,000 ports)."""
    max_file_bytes: int = 2 * 1024 * 1024 * 1024
    """One ibnetdiscover file, read line by line (a 432-pod fabric's is ~600 MB)."""
    max_files: int = 200_000
    """Files under the folders given to --lldp (one per host)."""
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    """All neighbour files of one run together."""
    max_sightings: int = 20_000_000
    """Neighbours reported, all files together (the 432-pod cluster's 2.84 M links report 5.7 M)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Input that could not be used: where it is, what is wrong, what to do."""

    file: str
    line: int
    message: str
    hint: str = ""


class _Names(Sequence[str]):
    """One text column of Sightings as strings (codes into the shared name table)."""

    def __init__(self, codes: array[int], names: list[str]) -> None:
        self.codes, self.names = codes, names

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self.names[c] for c in self.codes[i]]
        return self.names[self.codes[i]]


@dataclass(slots=True)
class Sightings:
    """Columns, one entry per neighbour seen (no object per neighbour): the local host and
    port, the remote host and port as the source names them (codes into `names`, each
    distinct name stored once), the link speed where reported (NaN otherwise), the file
    (index into `files`) and line."""

    names: list[str] = field(default_factory=list)
    lh: array[int] = field(default_factory=lambda: array("i"))
    lp: array[int] = field(default_factory=lambda: array("i"))
    rh: array[int] = field(default_factory=lambda: array("i"))
    rp: array[int] = field(default_factory=lambda: array("i"))
    speed_gbps: array[float] = field(default_factory=lambda: array("d"))
    file: array[int] = field(default_factory=lambda: array("i"))
    line: array[int] = field(default_factory=lambda: array("i"))
    files: list[str] = field(default_factory=list)
    reported_hosts: set[str] = field(default_factory=set)
    """Hosts a source spoke for (an LLDP file's host, every node ibnetdiscover walked): a
    design link at such a host with nothing seen is missing, not merely unverified."""
    problems: list[Problem] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    """InfiniBand: node GUID -> node description (`leaf3 mlx5_0`, a switch's name)."""
    kind: str = "lldp"
    """`lldp` (names are hostnames and interface names) or `ib` (GUIDs / node descriptions and
    port numbers)."""
    _codes: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lh)

    def code(self, name: str) -> int:
        c = self._codes.get(name)
        if c is None:
            c = self._codes[name] = len(self.names)
            self.names.append(name)
        return c

    def add(self, lh: str, lp: str, rh: str, rp: str, speed: float, file: int,
            line: int) -> None:
        code = self.code
        self.lh.append(code(lh))
        self.lp.append(code(lp))
        self.rh.append(code(rh))
        self.rp.append(code(rp))
        self.speed_gbps.append(speed)
        self.file.append(file)
        self.line.append(line)

    @property
    def local_host(self) -> _Names:
        return _Names(self.lh, self.names)

    @property
    def local_port(self) -> _Names:
        return _Names(self.lp, self.names)

    @property
    def remote_host(self) -> _Names:
        return _Names(self.rh, self.names)

    @property
    def remote_port(self) -> _Names:
        return _Names(self.rp, self.names)


class TooMuch(Exception):
    """A limit was reached: the message says which and how to raise it."""


def _check_size(path: Path, limit: int, budget: list[int], name: str) -> None:
    size = path.stat().st_size
    if size > limit:
        raise TooMuch(f"{size:,} bytes, over the limit of {limit:,} ({name})")
    if size > budget[0]:
        raise TooMuch("the neighbour files together are over the limit max_total_bytes")


def _read_bounded(path: Path, limit: int, budget: list[int], name: str) -> bytes:
    """The bytes of `path`, refusing before reading a file over `limit` or over the budget
    left (`budget[0]`, shared by all files of a run)."""
    _check_size(path, limit, budget, name)
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:  # grew while read
        raise TooMuch(f"over the limit of {limit:,} bytes ({name})")
    budget[0] -= len(raw)
    return raw


# -- lldpd: lldpctl -f json ------------------------------------------------------------------

_MAU_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(G|M)?base", re.I)


def mau_speed_gbps(text: str) -> float:
    """The speed in a MAU type as lldpd names it (`10GbaseT`, `100GbaseCR4`, `1000BaseTFD`,
    `400GbaseDR4`): Gbit/s, NaN when it names none."""
    m = _MAU_SPEED.search(text)
    if not m:
        return float("nan")
    value = float(m.group(1))
    return value if (m.group(2) or "").upper() == "G" else value / 1000.0


def lldp_files(paths: list[str], limits: ReadLimits) -> tuple[list[Path], list[Problem]]:
    """Files named, and the `*.json` files of folders named (sorted, not recursive beyond
    one level of subfolders: one file per host)."""
    out: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []
            for x in p.rglob("*.json"):  # counted while walking: the limit holds first
                if x.is_file():
                    found.append(x)
                if len(out) + len(found) > limits.max_files:
                    raise TooMuch(f"more than {limits.max_files:,} LLDP files (max_files)")
            found.sort()
            if not found:
                problems.append(Problem(raw, 1, "no *.json files in this folder",
                                        "collect with `lldpctl -f json > HOST.json` on each host"))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            from superpod_iac.source.loader import did_you_mean

            hint = did_you_mean(raw)
            raise FileNotFoundError(f"--lldp {raw}: no such file or directory"
                                    + (f" (did you mean {hint}?)" if hint else ""))
        if len(out) > limits.max_files:
            raise TooMuch(f"more than {limits.max_files:,} LLDP files (max_files)")
    return out, problems


def read_lldp(paths: list[str], limits: ReadLimits | None = None) -> Sightings:
    """Every neighbour in the `lldpctl -f json` files at `paths` (files or folders)."""
    limits = limits or ReadLimits()
    s = Sightings(kind="lldp")
    files, s.problems = lldp_files(paths, limits)
    budget = [limits.max_total_bytes]
    from superpod_iac.progress import bar

    for path in bar(files, desc="lldp", unit="file", scale=True):
        name = str(path)
        try:
            raw = _read_bounded(path, limits.max_json_bytes, budget, "max_json_bytes")
        except TooMuch as exc:
            s.problems.append(Problem(name, 1, f"not read: {exc}", "an lldpctl file is a few "
                                      "KB per port: is this the right file?"))
            continue
        s.files.append(name)
        _lldp_document(raw, path, len(s.files) - 1, s, limits)
        if len(s) > limits.max_sightings:
            raise TooMuch(f"more than {limits.max_sightings:,} neighbours (max_sightings)")
    return s


def _lldp_document(raw: bytes, path: Path, fi: int, s: Sightings, limits: ReadLimits,
                   host: str | None = None) -> None:
    """The neighbours in one lldpctl JSON document; `host` names the local host (else the
    document or the file name does)."""
    name = str(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        s.problems.append(Problem(name, line, "not UTF-8 text", "collect with `lldpctl -f json`"))
        return
    try:
        doc = json.loads(text)
    except RecursionError:  # the C decoder stops at the interpreter's recursion limit
        s.problems.append(Problem(name, 1, "JSON nested too deeply (lldpctl writes 6 levels)",
                                  "collect with `lldpctl -f json`"))
        return
    except json.JSONDecodeError as exc:
        what = "truncated JSON" if exc.pos >= len(text.rstrip()) else "not valid JSON"
        s.problems.append(Problem(name, exc.lineno, f"{what}: {exc.msg} (column {exc.colno})",
                                  "collect it again with `lldpctl -f json > FILE`"))
        return
    host = host or _local_host(doc, path)
    if isinstance(doc, dict) and isinstance(doc.get("lldpNeighbors"), dict):
        entries = _eos_neighbours(doc["lldpNeighbors"])
    elif isinstance(doc, dict) and isinstance(doc.get("lldp"), dict):
        entries = ((ifname, n) for ifname, entry in _interfaces(doc["lldp"].get("interface"))
                   for n in _neighbours(entry))
    else:
        s.problems.append(Problem(name, 1, "neither `lldpctl -f json` nor Arista EOS `show lldp "
                                  "neighbors detail | json` output", "collect with `lldpctl "
                                  "-f json` (not -f json0 or keyvalue)"))
        return
    s.reported_hosts.add(host)
    lines = _LineFinder(text)
    for ifname, (rhost, rport, speed) in entries:
        line = lines.find(ifname)
        if rhost is None or rport is None:
            s.problems.append(Problem(name, line, f"{host}:{ifname}: neighbour without "
                                      "a system name or port", "enable the system name "
                                      "and port TLVs on the neighbour"))
            continue
        s.add(host, ifname, rhost, rport, speed, fi, line)


Neighbour = tuple[str | None, str | None, float]


def _eos_neighbours(table: dict[str, object]) -> Iterator[tuple[str, Neighbour]]:
    """Arista EOS `show lldp neighbors detail | json`: `lldpNeighbors` -> interface ->
    `lldpNeighborInfo` list, each with `systemName` and `neighborInterfaceInfo`
    (`interfaceId_v2`, or the quoted `interfaceId` of older releases). EOS reports no speed."""
    for ifname, entry in table.items():
        infos = entry.get("lldpNeighborInfo") if isinstance(entry, dict) else None
        for info in infos if isinstance(infos, list) else []:
            if not isinstance(info, dict):
                continue
            rhost = info.get("systemName")
            port = info.get("neighborInterfaceInfo")
            rport: str | None = None
            if isinstance(port, dict):
                if port.get("interfaceIdType", "interfaceName") in ("interfaceName", "local"):
                    raw = port.get("interfaceId_v2") or port.get("interfaceId")
                    rport = str(raw).strip('"') if isinstance(raw, str) else None
                if not rport and isinstance(port.get("interfaceDescription"), str):
                    rport = str(port["interfaceDescription"]) or None
            yield str(ifname), (str(rhost) if isinstance(rhost, str) and rhost else None,
                                rport, float("nan"))


def _local_host(doc: object, path: Path) -> str:
    """`lldpcli show chassis -f json` merged in (`local-chassis`) names the host; otherwise
    the file name does (`leaf3.json` -> `leaf3`)."""
    if isinstance(doc, dict):
        local = doc.get("local-chassis")
        if isinstance(local, dict) and isinstance(local.get("chassis"), dict):
            names = [k for k in local["chassis"] if isinstance(k, str)]
            if len(names) == 1:
                return names[0]
    stem = path.name
    for suffix in (".json", ".lldp"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem


def _interfaces(value: object) -> Iterator[tuple[str, dict[str, object]]]:
    """lldpctl writes one interface as an object `{name: {...}}` and several as a list of
    one-key objects `[{name: {...}}, ...]`; an interface seeing several neighbours is a list
    of such objects with the same name."""
    items: list[object] = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        for ifname, entry in item.items():
            if isinstance(entry, dict):
                yield str(ifname), entry
            elif isinstance(entry, list):
                for e in entry:
                    if isinstance(e, dict):
                        yield str(ifname), e


def _port_name(port: object) -> str | None:
    """The interface name of a neighbour's port: its ID when that is an interface name
    (`ifname`, `local`: SONiC, Cumulus, EOS and lldpd with `portidsubtype ifname`), else its
    description (lldpd's default MAC-address ID carries the name there)."""
    if not isinstance(port, dict):
        return None
    pid = port.get("id")
    if isinstance(pid, dict) and pid.get("type") in ("ifname", "local", "ifalias") \
            and isinstance(pid.get("value"), str):
        return str(pid["value"])
    descr = port.get("descr")
    if isinstance(descr, str) and descr:
        return descr
    if isinstance(pid, dict) and isinstance(pid.get("value"), str):
        return str(pid["value"])
    return None


def _neighbours(entry: dict[str, object]) -> Iterator[Neighbour]:
    chassis = entry.get("chassis")
    rhost: str | None = None
    if isinstance(chassis, dict):
        named = [k for k, v in chassis.items() if isinstance(v, dict) and k != "id"]
        rhost = named[0] if named else None
        if rhost is None and isinstance(chassis.get("name"), str):
            rhost = str(chassis["name"])
    port = entry.get("port")
    speed = float("nan")
    if isinstance(port, dict):
        auto = port.get("auto-negotiation")
        if isinstance(auto, dict) and isinstance(auto.get("current"), str):
            speed = mau_speed_gbps(str(auto["current"]))
    yield rhost, _port_name(port), speed


class _LineFinder:
    """Line numbers of interface keys, found in document order with one forward scan."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def find(self, key: str) -> int:
        needle = json.dumps(key) + ":"
        at = self.text.find(needle, self.pos)
        if at < 0:
            at = self.text.find(json.dumps(key))
            return self.text.count("\n", 0, at) + 1 if at >= 0 else 1
        self.line += self.text.count("\n", self.pos, at)
        self.pos = at + len(needle)  # the next interface of the same name is further on
        return self.line


# -- InfiniBand: ibnetdiscover ------------------------------------------------------------

_NODE = re.compile(r'^(Switch|Ca|Hca|Rt)\s+(\d+)\s+"([^"]+)"(?:\s*#\s*"((?:[^"\\]|\\.)*)")?')
_PORT = re.compile(r'^\[(\d+)\](?:\([0-9a-fA-F]+\))?\s+"([^"]+)"\[(\d+)\](?:\([0-9a-fA-F]+\))?'
                   r'(?:\s*#(.*))?$')
_GUID_ID = re.compile(r"^[SHR]-([0-9a-fA-F]{1,16})$")
_RATE = re.compile(r"\b(\d+)x(SDR|DDR|QDR|FDR10|FDR|EDR|HDR|NDR|XDR)\b")
_LANE_GBPS = {"SDR": 2.5, "DDR": 5.0, "QDR": 10.0, "FDR10": 10.0, "FDR": 14.0, "EDR": 25.0,
              "HDR": 50.0, "NDR": 100.0, "XDR": 200.0}
"""Signalling per lane as InfiniBand names it: a port's rate is lanes x this (4xNDR = 400)."""


def ib_rate_gbps(comment: str) -> float:
    """The link rate in an ibnetdiscover port comment (`... lid 3 4xNDR`), NaN when absent."""
    m = _RATE.search(comment)
    return float(m.group(1)) * _LANE_GBPS[m.group(2)] if m else float("nan")


def guid_of(node_id: str) -> str:
    """`S-0002c90300001234` -> `0x0002c90300001234` (ibnetdiscover's node IDs are the node
    GUID with a type prefix); other IDs unchanged."""
    m = _GUID_ID.match(node_id)
    return f"0x{int(m.group(1), 16):016x}" if m else node_id


def read_ibnetdiscover(path: str, limits: ReadLimits | None = None) -> Sightings:
    """Every connected port of every node in `ibnetdiscover` output. Hosts are node GUIDs
    (`0x...`); each node's description (the quoted name after `#`) is kept in `descriptions`:
    compare.py resolves a GUID through the mapping, then through its description."""
    limits = limits or ReadLimits()
    s = Sightings(kind="ib")
    p = Path(path)
    if not p.is_file():
        from superpod_iac.source.loader import did_you_mean

        hint = did_you_mean(path)
        raise FileNotFoundError(f"--ibnetdiscover {path}: no such file"
                                + (f" (did you mean {hint}?)" if hint else ""))
    try:
        _check_size(p, limits.max_file_bytes, [limits.max_total_bytes], "max_file_bytes")
    except TooMuch as exc:
        s.problems.append(Problem(path, 1, f"not read: {exc}", "verify one subnet at a time "
                                  "(the ibnetdiscover of one subnet manager)"))
        return s
    s.files.append(path)
    with p.open(encoding="utf-8", errors="replace") as fh:  # streamed: never the whole file
        _IbLines(path, s, limits).read(_bounded_lines(fh, limits.max_file_bytes))
    if not s.reported_hosts:
        s.problems.append(Problem(path, 1, "no Switch or Ca records: not ibnetdiscover output",
                                  "run `ibnetdiscover > FILE` on a host of the fabric"))
    return s


def _bounded_lines(fh: io.TextIOBase, limit: int) -> Iterator[str]:
    """The lines of `fh`, stopping with TooMuch past `limit` characters (a file that grows
    while read)."""
    read = 0
    for line in fh:
        read += len(line)
        if read > limit:
            raise TooMuch(f"over the limit of {limit:,} bytes (max_file_bytes)")
        yield line


class _IbLines:
    """ibnetdiscover's records, one line at a time; node IDs, port numbers and rates are
    decoded once per distinct text (a fabric's port lines repeat few of each)."""

    HINT = "pass the unedited `ibnetdiscover` output"

    def __init__(self, path: str, s: Sightings, limits: ReadLimits) -> None:
        self.path, self.s, self.limits = path, s, limits
        self.node = -1
        self.nports = 0
        self.ids: dict[str, int] = {}
        self.rates: dict[str, float] = {}

    def code(self, node_id: str) -> int:
        c = self.ids.get(node_id)
        if c is None:
            c = self.ids[node_id] = self.s.code(guid_of(node_id))
        return c

    def rate(self, comment: str) -> float:
        tail = comment.rsplit(None, 1)[-1] if comment.strip() else ""
        r = self.rates.get(tail)
        if r is None:
            r = self.rates[tail] = ib_rate_gbps(tail)
        return r if not math.isnan(r) else ib_rate_gbps(comment)

    def problem(self, n: int, message: str) -> None:
        self.s.problems.append(Problem(self.path, n, message, self.HINT))

    def read(self, text: Iterable[str]) -> None:
        from superpod_iac.progress import bar

        progress = bar(desc="ibnetdiscover", unit="line", scale=True)
        try:
            self._lines(text, progress.update)
        finally:
            progress.close()

    def _lines(self, text: Iterable[str], tick: Callable[[int], object]) -> None:
        s = self.s
        for n, raw in enumerate(text, 1):
            if not n & 0xFFFF:
                tick(0x10000)
            line = raw.strip()
            if line.startswith("["):
                self.port(n, line)
            elif not line or line.startswith("#"):
                continue
            elif m := _NODE.match(line):
                guid = guid_of(m.group(3))
                self.node, self.nports = self.code(m.group(3)), int(m.group(2))
                if m.group(4):
                    s.descriptions[guid] = m.group(4)
                s.reported_hosts.add(guid)
            elif "=" not in line:  # vendid=, devid=, sysimgguid=, switchguid=, caguid=
                self.problem(n, "a line ibnetdiscover does not write")

    def port(self, n: int, line: str) -> None:
        s = self.s
        pm = _PORT.match(line)
        if pm is None or self.node < 0:
            self.problem(n, "a port line ibnetdiscover does not write" if self.node >= 0
                         else "a port line before any node line")
            return
        port = int(pm.group(1))
        if port < 1 or port > self.nports:
            self.problem(n, f"port {port} on a node of {self.nports} ports")
            return
        s.lh.append(self.node)
        s.lp.append(s.code(str(port)))
        s.rh.append(self.code(pm.group(2)))
        s.rp.append(s.code(pm.group(3)))
        s.speed_gbps.append(self.rate(pm.group(4) or ""))
        s.file.append(0)
        s.line.append(n)
        if len(s) > self.limits.max_sightings:
            raise TooMuch(f"more than {self.limits.max_sightings:,} neighbours (max_sightings)")


# -- the mapping CSV -------------------------------------------------------------------------


@dataclass(slots=True)
class Mapping:
    """Names the network uses -> the design's: hosts (`leaf-03.dc1` -> `rk03/leaf3`), GUIDs
    (`0x0002c903...` -> `rk03/leaf3`), and interfaces (`Ethernet8` -> `p2`, for every host or
    `leaf-03.dc1:Ethernet8` for one)."""

    hosts: dict[str, str] = field(default_factory=dict)
    ports: dict[str, str] = field(default_factory=dict)
    line: dict[str, int] = field(default_factory=dict)
    file: str = ""


MAPPING_KINDS = ("host", "guid", "port")


def read_mapping(path: str | None, limits: ReadLimits | None = None
                 ) -> tuple[Mapping, list[Problem]]:
    """`kind,source,design` rows (a header line is optional): kind `host`, `guid` or `port`."""
    limits = limits or ReadLimits()
    m = Mapping()
    problems: list[Problem] = []
    if path is None:
        return m, problems
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"--map {path}: no such file")
    m.file = path
    raw = _read_bounded(p, limits.max_json_bytes, [limits.max_total_bytes], "max_json_bytes")
    text = raw.decode("utf-8-sig", errors="replace")
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if n == 1 and cells[0].lower() == "kind":
            continue
        if len(cells) != 3 or cells[0].lower() not in MAPPING_KINDS:
            problems.append(Problem(path, n, f"expected `kind,source,design` with kind one of "
                                    f"{', '.join(MAPPING_KINDS)}; got {','.join(cells)[:80]!r}",
                                    "e.g. `host,leaf-03.dc1,rk03/leaf3` or `port,Ethernet8,p2`"))
            continue
        kind, source, design = cells
        table = m.ports if kind.lower() == "port" else m.hosts
        key = guid_of(source) if kind.lower() == "guid" else source
        if kind.lower() == "guid" and key.lower().startswith("0x"):
            key = f"0x{int(key, 16):016x}" if _is_hex(key[2:]) else key
        if key in table and table[key] != design:
            problems.append(Problem(path, n, f"{source} is mapped twice ({table[key]} at line "
                                    f"{m.line[kind + key]}, {design} here)",
                                    "keep one row per source name"))
            continue
        table[key] = design
        m.line[kind + key] = n
    return m, problems


def _is_hex(text: str) -> bool:
    return bool(text) and len(text) <= 16 and all(c in "0123456789abcdefABCDEF" for c in text)
