"""As-built neighbours (readers.py) against the design's links (the Inventory's LinkTable).

Names are resolved once per distinct name (mapping CSV, then the design's addresses, then a
unique device name, then cabinet and device joined by `-`); everything per link is a numpy
column, so the 432-pod cluster's 2.84 M links are compared without a Python object per link.
Only links that are not ok get a detail string.

Verdicts (`VERDICTS`): `ok`; `missing` (a device at one end reported, nothing seen at either
end); `miswired` (an end sees someone else; the swap that fixes it where one does);
`wrong-speed` (connected as designed, at another speed than the ports'); `unverified` (no
source reported either end's device, or an end sees a name the design lacks). Neighbours on
ports the design leaves free are `unexpected` pairs.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from superpod_iac.model.inventory import Inventory
from superpod_iac.verify.readers import Mapping, Problem, Sightings

VERDICTS = ("ok", "missing", "miswired", "wrong-speed", "unverified")
OK, MISSING, MISWIRED, WRONG_SPEED, UNVERIFIED = range(5)
FAULTS = ("missing", "miswired", "wrong-speed", "unexpected")
MAX_NAME_PROBLEMS = 200
"""Unknown hosts and ports reported one by one; the rest are counted in one problem."""
_UNSEEN, _UNKNOWN, _IGNORED = -2, -1, -4
IGNORE = "-"
"""A mapping row's design name that says: not part of the design, leave it out silently
(`port,eth0,-` for a management port the design does not model)."""
_DUP_HINT = {
    "lldp": "one cable per port: a neighbour list with two entries means a hub or media "
            "converter between them, or the same host collected twice",
    "ib": "a host with several HCAs reports port 1 of each: map every HCA GUID to its design "
          "port with a row `guid,GUID,cabinet/device:port`",
}
SPEED_TOLERANCE = 0.01
"""Relative: 400 vs 400.0 is the same speed, 200 vs 400 is not."""


@dataclass
class Unexpected:
    """A neighbour pair the design does not have (both directions reported once)."""

    a: str
    b: str
    a_key: int
    b_key: int
    speed_gbps: float
    source: str


@dataclass
class Verification:
    verdict: np.ndarray
    """int8 per design link (VERDICTS index); links outside --fabric are left out (-1)."""
    detail: dict[int, tuple[str, str]]
    """link -> (what was seen, how to fix it) for miswired and wrong-speed links."""
    where: dict[int, str]
    """link -> `file:line` of what its ends report, for the links with a detail."""
    observed_speed: np.ndarray
    design_speed: np.ndarray
    unexpected: list[Unexpected]
    problems: list[Problem]
    sources: list[str]
    kind: str

    def count(self, verdict: str) -> int:
        if verdict == "unexpected":
            return len(self.unexpected)
        return int(np.count_nonzero(self.verdict == VERDICTS.index(verdict)))

    def counts(self) -> dict[str, int]:
        out = {v: self.count(v) for v in VERDICTS}
        out["unexpected"] = len(self.unexpected)
        out["input_problems"] = len(self.problems)
        return out

    def faults(self) -> int:
        return sum(self.count(v) for v in FAULTS) + len(self.problems)


class _Names:
    """Resolves the source's host and port names to design device and port indices, once per
    distinct name, with a did-you-mean for near misses."""

    def __init__(self, inv: Inventory, mapping: Mapping, s: Sightings) -> None:
        self.inv, self.mapping, self.s = inv, mapping, s
        short: dict[str, int] = {}
        for d in inv.devices:
            short[d.name] = -1 if d.name in short else d.index
            lower = d.name.lower()
            if lower != d.name:
                short[lower] = -1 if lower in short else d.index
        self.short = short
        self.hosts: dict[str, tuple[int, int]] = {}
        self.ports: dict[tuple[str, str], int] = {}
        self.problems: list[Problem] = []
        self.dropped = 0
        self._candidates: list[str] | None = None

    def _design_ref(self, ref: str) -> tuple[int, int]:
        """`cab/dev` or `cab/dev:port` from the mapping -> (device, port or -1)."""
        addr, _, port = ref.partition(":")
        dev = self.inv.device_index.get(addr, -1)
        if dev < 0:
            return -1, -1
        if not port:
            return dev, -1
        found = self.inv.catalog.ports(self.inv.devices[dev].type_name)[1].get(port)
        return dev, found.index if found is not None else -1

    def host(self, name: str, file: int, line: int) -> tuple[int, int]:
        got = self.hosts.get(name)
        if got is None:
            got = self.hosts[name] = self._host(name)
            if got[0] == -1:
                self._unknown_host(name, file, line)
        return got

    def _host(self, name: str) -> tuple[int, int]:
        ref = self.mapping.hosts.get(name)
        if ref == IGNORE:
            return _IGNORED, -1
        if ref is not None:
            return self._design_ref(ref)
        names = [name]
        desc = self.s.descriptions.get(name)
        if desc:
            names += [desc, desc.split()[0]]
        for n in names:
            ref = self.mapping.hosts.get(n)
            if ref is not None:
                return self._design_ref(ref)
            dev = self.inv.device_index.get(n)
            if dev is None:
                first = n.split(".")[0]  # leaf3.dc1.example.com -> leaf3
                dev = self.short.get(n, self.short.get(first, self.short.get(first.lower())))
            if dev is None or dev < 0:
                dev = self._joined(n.split(".")[0])
            if dev is not None and dev >= 0:
                return dev, -1
        return -1, -1

    def _joined(self, name: str) -> int | None:
        """A host named cabinet and device joined by `-` or `_` (`c01-node1` for c01/node1,
        `rk-2-host1` for rk-2/host1): the first split that names a design device."""
        for k, ch in enumerate(name):
            if ch in "-_":
                dev = self.inv.device_index.get(f"{name[:k]}/{name[k + 1:]}")
                if dev is not None:
                    return dev
        return None

    def _suggest(self, name: str) -> str:
        if self._candidates is None:
            cands = sorted({*(d.name for d in self.inv.devices), *self.inv.device_index})
            self._candidates = cands[:200_000]
        close = difflib.get_close_matches(name.split(".")[0], self._candidates, n=1, cutoff=0.6)
        return close[0] if close else ""

    def _problem(self, p: Problem) -> None:
        if len(self.problems) < MAX_NAME_PROBLEMS:
            self.problems.append(p)
        else:
            self.dropped += 1

    def _unknown_host(self, name: str, file: int, line: int) -> None:
        ref = self.mapping.hosts.get(name)
        if ref is not None:  # mapped, but to something the design does not have
            addr = ref.partition(":")[0]
            near = self._suggest(addr) if addr not in self.inv.device_index else ""
            what = addr if addr not in self.inv.device_index else ref
            self._problem(Problem(
                self.mapping.file, self.mapping.line.get("host" + name,
                                                         self.mapping.line.get("guid" + name, 1)),
                f"{name} is mapped to {ref}, but {what} is not in the design",
                (f"did you mean {near}? " if near else "") + "map it to `cabinet/device` "
                "(or `cabinet/device:port` for a single-port HCA)"))
            return
        shown = name
        desc = self.s.descriptions.get(name)
        if desc:
            shown = f"{name} ({desc!r})"
        near = self._suggest(desc.split()[0] if desc else name)
        ambiguous = self.short.get(name) == -1
        hint = (f"did you mean {near}? " if near else "") + (
            f"{name} names several devices: map it to one `cabinet/device`" if ambiguous else
            "map it with a row `host,NAME,cabinet/device` in --map")
        if self.s.kind == "ib":
            hint = hint.replace("host,NAME", "guid,GUID")
        self._problem(Problem(self.s.files[file] if self.s.files else "", line,
                              f"unknown host {shown}: not a device of the design", hint))

    def port(self, dev: int, host: str, port: str, file: int, line: int,
             scoped: bool = False) -> int:
        key = (host if scoped else self.inv.devices[dev].type_name, port)
        got = self.ports.get(key)
        if got is None:
            got = self.ports[key] = self._port(dev, host, port)
            if got == -1:
                self._unknown_port(dev, host, port, file, line)
        return got

    def _port(self, dev: int, host: str, port: str) -> int:
        tname = self.inv.devices[dev].type_name
        plist, by_name = self.inv.catalog.ports(tname)
        mapped = self.mapping.ports.get(f"{host}:{port}", self.mapping.ports.get(port))
        if mapped == IGNORE:
            return _IGNORED
        name = mapped if mapped is not None else port
        found = by_name.get(name)
        if found is None and mapped is None:
            low = {k.lower(): v for k, v in by_name.items()} if len(by_name) < 4096 else {}
            found = low.get(name.lower())
            if found is None and self.s.kind == "ib" and name.isdigit():
                cages = [p for p in plist if p.cage < 0]
                k = int(name)
                found = cages[k - 1] if 1 <= k <= len(cages) else None
        return found.index if found is not None else -1

    def _unknown_port(self, dev: int, host: str, port: str, file: int, line: int) -> None:
        d = self.inv.devices[dev]
        names = list(self.inv.catalog.ports(d.type_name)[1])
        close = difflib.get_close_matches(port, names, n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]}? " if close else "") + \
            "map it with a row `port,NAME,DESIGN_PORT` in --map (or `port,HOST:NAME,...`)"
        self._problem(Problem(self.s.files[file] if self.s.files else "", line,
                              f"{host}: port {port} is not a port of {d.address} (device type "
                              f"{d.type_name})", hint))

    def type_ids(self) -> np.ndarray:
        """Per device, a number for its type (ports resolve once per type and name)."""
        ids: dict[str, int] = {}
        return np.array([ids.setdefault(d.type_name, len(ids)) for d in self.inv.devices],
                        dtype=np.int64)

    def scoped_hosts(self) -> list[str]:
        """Hosts named by a `port,HOST:INTERFACE,...` mapping row."""
        return sorted({k.rsplit(":", 1)[0] for k in self.mapping.ports if ":" in k})


def _codes(a: Any) -> np.ndarray:
    """A code column as an int32 view (no copy)."""
    out: np.ndarray = np.frombuffer(a, dtype=np.int32) if len(a) else \
        np.zeros(0, dtype=np.int32)
    return out


def _first(codes: np.ndarray, size: int) -> np.ndarray:
    """Per code in [0, size), the index of its first occurrence in `codes` (-1: none), in
    O(n) without sorting."""
    n = len(codes)
    first = np.full(size, n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n, dtype=np.int64))
    first[first == n] = -1
    return first


def _resolve(names: _Names, s: Sightings, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Local and remote end keys (device * stride + port, or _UNKNOWN) of every sighting:
    each distinct host name resolved once (its first sighting gives the file and line of an
    unknown-host problem), each distinct (device type, port name) once."""
    lh, lp, rh, rp = (_codes(x) for x in (s.lh, s.lp, s.rh, s.rp))
    size = len(s.names)
    dev_of = np.full(size, -1, dtype=np.int64)
    mport_of = np.full(size, -1, dtype=np.int64)
    first_l, first_r = _first(lh, size), _first(rh, size)
    for c in np.flatnonzero((first_l >= 0) | (first_r >= 0)).tolist():
        k = int(first_l[c]) if first_l[c] >= 0 else int(first_r[c])
        dev_of[c], mport_of[c] = names.host(s.names[c], s.file[k], s.line[k])
    del first_l, first_r
    types = names.type_ids()
    ldev = dev_of[lh]
    lport = _ports(names, s, types, ldev, lh, lp, mport_of, ldev >= 0)
    sl = np.where((ldev >= 0) & (lport >= 0), ldev * stride + lport, _UNKNOWN)
    del ldev, lport, lh, lp
    rdev = dev_of[rh]
    rport = _ports(names, s, types, rdev, rh, rp, mport_of, (sl >= 0) & (rdev >= 0))
    sr = np.where((sl >= 0) & (rdev >= 0) & (rport >= 0), rdev * stride + rport, _UNKNOWN)
    return sl, sr


def _ports(names: _Names, s: Sightings, types: np.ndarray, dev: np.ndarray, host: np.ndarray,
           port: np.ndarray, mport_of: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """Port index per sighting (-1: unknown) where `sel`: once per (device type, name), then
    the sightings of hosts with their own port mapping rows one by one."""
    out = np.full(len(dev), -1, dtype=np.int64)
    where = np.flatnonzero(sel)
    if not len(where):
        return out
    key = types[dev[where]] * len(s.names) + port[where]
    size = (int(types.max()) + 1) * len(s.names)
    if size <= 64 * len(key) + 1_000_000:  # a dense table: no sort
        first = _first(key, size)
        distinct = np.flatnonzero(first >= 0)
        firsts = first[distinct]
    else:
        distinct, firsts = np.unique(key, return_index=True)
    table = np.full(len(distinct), -1, dtype=np.int64)
    for u, j in enumerate(firsts.tolist()):
        i = int(where[j])
        table[u] = names.port(int(dev[i]), s.names[host[i]], s.names[port[i]], s.file[i],
                              s.line[i])
    out[where] = table[np.searchsorted(distinct, key)]
    scoped = [s._codes[h] for h in names.scoped_hosts() if h in s._codes]
    for i in np.flatnonzero(sel & np.isin(host, scoped)).tolist():
        out[i] = names.port(int(dev[i]), s.names[host[i]], s.names[port[i]], s.file[i],
                            s.line[i], scoped=True)
    if s.kind == "ib":  # a GUID mapped to `cabinet/device:port` is that port, for its port 1
        one = s._codes.get("1", -2)
        mapped = mport_of[host]
        use = sel & (mapped >= 0) & (port == one)
        out[use] = mapped[use]
    return out


def _port_tables(inv: Inventory) -> tuple[np.ndarray, np.ndarray, int]:
    """Per device, the offset of its type's ports in one speed array; the stride of end keys
    (the most ports any device type has)."""
    base: dict[str, int] = {}
    speeds: list[float] = []
    stride = 1
    dev_base = np.empty(len(inv.devices), dtype=np.int64)
    for d in inv.devices:
        b = base.get(d.type_name)
        if b is None:
            plist = inv.catalog.ports(d.type_name)[0]
            b = base[d.type_name] = len(speeds)
            speeds.extend(p.speed_gbps for p in plist)
            stride = max(stride, len(plist))
        dev_base[d.index] = b
    return dev_base, np.array(speeds or [math.nan], dtype=np.float64), stride


def _col(a: Any) -> np.ndarray:
    out: np.ndarray = np.frombuffer(a, dtype=np.int32).astype(np.int64)
    return out


def compare(inv: Inventory, s: Sightings, mapping: Mapping,
            fabrics: list[str] | None = None) -> Verification:
    """Each step is a function of its own, so its temporaries (arrays the size of the
    sightings or the links) are freed when it returns: peak memory stays a few columns."""
    t = inv.links
    dev_base, speeds, stride = _port_tables(inv)
    names = _Names(inv, mapping, s)
    sl, sr = _resolve(names, s, stride)
    problems = list(s.problems)
    keep = _dedupe(sl, s, problems)
    k_local, k_remote = sl[keep], sr[keep]
    del sl, sr
    k_speed = np.frombuffer(s.speed_gbps, dtype=np.float64)[keep] if len(s) else \
        np.zeros(0)
    ka, kb = _ends(t.a_dev, t.a_port, stride), _ends(t.b_dev, t.b_port, stride)
    lookup = _Lookup(k_local, k_remote, *_design_ends(ka, kb))
    verdict, unknown, observed, design_speed = _verdicts(
        inv, names, s, lookup, k_speed, ka, kb, (dev_base, speeds))
    if fabrics is not None:
        index = {f.name: f.index for f in inv.fabrics.values()}
        wanted = np.array([index[f] for f in fabrics], dtype=np.int64)
        verdict[~np.isin(_col(t.fabric), wanted)] = -1
    names_of = _EndNames(inv, stride)
    detail: dict[int, tuple[str, str]] = {}
    mis_ends: set[int] = set()
    for i in np.flatnonzero(verdict == MISWIRED).tolist():
        a, b = int(ka[i]), int(kb[i])
        mis_ends.update((a, b))
        detail[i] = _miswire(a, b, lookup, names_of, s, keep)
    for i in np.flatnonzero((verdict == UNVERIFIED) & (unknown > 0)).tolist():
        end = int(ka[i]) if unknown[i] == 1 else int(kb[i])
        detail[i] = (f"{names_of(end)} sees {_raw_remote(lookup, end, s, keep)}",
                     "map the name (see the input problems), then verify again")
    for i in np.flatnonzero(verdict == WRONG_SPEED).tolist():
        detail[i] = (f"linked at {observed[i]:g} Gb/s", f"the ports are {design_speed[i]:g} "
                     "Gb/s: check the transceivers, the cable type and the port speed setting")
    where = {i: _sources(lookup, keep, s, (int(ka[i]), int(kb[i]))) for i in detail}
    unexpected = _unexpected(k_local, k_remote, k_speed, lookup.ends, mis_ends, keep, s,
                             names_of)
    problems += names.problems
    if names.dropped:
        problems.append(Problem(s.files[0] if s.files else "", 1, f"{names.dropped:,} more "
                                "unknown hosts or ports (not listed)", "fix the names above first"))
    return Verification(verdict, detail, where, observed, design_speed, unexpected, problems,
                        list(s.files), s.kind)


def _sources(lookup: _Lookup, keep: np.ndarray, s: Sightings, ends: tuple[int, int]) -> str:
    """Where the sightings at these ends were read (`leaf1.json:201; host2.json:40`)."""
    out = []
    for end in ends:
        pos = lookup.index(end)
        if pos >= 0:
            j = int(keep[pos])
            out.append(f"{s.files[s.file[j]]}:{s.line[j]}")
    return "; ".join(out)


def _ends(dev: Any, port: Any, stride: int) -> np.ndarray:
    out: np.ndarray = _col(dev) * stride + _col(port)
    return out


def _design_ends(ka: np.ndarray, kb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every design end, sorted, with its partner (the other end of its link)."""
    n = len(ka)
    ends = np.concatenate([ka, kb])
    order = np.argsort(ends * (2 * n) + np.arange(2 * n, dtype=np.int64))
    partner = np.concatenate([kb, ka])[order]
    return ends[order], partner


def _dedupe(sl: np.ndarray, s: Sightings, problems: list[Problem]) -> np.ndarray:
    """Indices of the sightings to use, sorted by local end: one per local end (the first
    read); a second one at the same end is a duplicated neighbour."""
    m = len(sl)
    order = np.argsort(sl * m + np.arange(m, dtype=np.int64))  # distinct keys: stable order
    sl_sorted = sl[order]
    valid = sl_sorted >= 0
    dup = np.zeros(m, dtype=bool)
    dup[1:] = (sl_sorted[1:] == sl_sorted[:-1]) & valid[1:]
    del sl_sorted
    for j in np.flatnonzero(dup)[:MAX_NAME_PROBLEMS].tolist():
        first, again = int(order[j - 1]), int(order[j])
        problems.append(Problem(
            s.files[s.file[again]], s.line[again],
            f"duplicated neighbour: {s.local_host[again]}:{s.local_port[again]} is reported "
            f"seeing {s.remote_host[again]}:{s.remote_port[again]} and also "
            f"{s.remote_host[first]}:{s.remote_port[first]} "
            f"({s.files[s.file[first]]}:{s.line[first]})",
            _DUP_HINT[s.kind]))
    keep: np.ndarray = order[valid & ~dup]
    return keep


def _verdicts(inv: Inventory, names: _Names, s: Sightings, lookup: _Lookup,
              k_speed: np.ndarray, ka: np.ndarray, kb: np.ndarray,
              port_speeds: tuple[np.ndarray, np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(verdict per link, which end sees a name the design lacks (1: A, 2: B, 0: neither),
    observed speed, design speed), from what each end sees."""
    t = inv.links
    n = len(t)
    obs_a, sp_a = lookup.seen_all(ka, k_speed)
    obs_b, sp_b = lookup.seen_all(kb, k_speed)
    seen_any = (obs_a != _UNSEEN) | (obs_b != _UNSEEN)
    mis = ((obs_a >= 0) & (obs_a != kb)) | ((obs_b >= 0) & (obs_b != ka))  # a wrong known port
    connected = ~mis & ((obs_a == kb) | (obs_b == ka))
    unknown = np.where(obs_a == _UNKNOWN, 1, np.where(obs_b == _UNKNOWN, 2, 0)).astype(np.int8)
    del obs_a, obs_b
    dev_base, speeds = port_speeds
    a_dev, b_dev = _col(t.a_dev), _col(t.b_dev)
    design_speed = np.minimum(speeds[dev_base[a_dev] + _col(t.a_port)],
                              speeds[dev_base[b_dev] + _col(t.b_port)]) if n else np.zeros(0)
    observed = np.where(np.isnan(sp_a), sp_b, sp_a)
    del sp_a, sp_b
    slow = connected & ~np.isnan(observed) & \
        (np.abs(observed - design_speed) > SPEED_TOLERANCE * design_speed)
    reported = np.zeros(len(inv.devices), dtype=bool)
    for h in s.reported_hosts:
        dev = names.hosts.get(h, names._host(h))[0]
        if dev >= 0:
            reported[dev] = True
    covered = reported[a_dev] | reported[b_dev] if n else np.zeros(0, dtype=bool)
    verdict = np.full(n, OK, dtype=np.int8)
    # an end sees a name the design does not know (an input problem says which): unverified
    verdict[~mis & ~connected] = UNVERIFIED
    verdict[~seen_any & covered] = MISSING
    verdict[mis] = MISWIRED
    verdict[slow] = WRONG_SPEED
    return verdict, unknown, observed, design_speed


class _Lookup:
    """What an end sees (sorted sighting keys) and its design partner (sorted design ends)."""

    def __init__(self, k_local: np.ndarray, k_remote: np.ndarray, ends: np.ndarray,
                 partner: np.ndarray) -> None:
        self.k_local, self.k_remote, self.ends, self.partner_of = k_local, k_remote, ends, partner

    def seen_all(self, keys: np.ndarray, speeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What each of `keys` sees (_UNSEEN: nothing) and at what speed (NaN)."""
        k = self.k_local
        if not len(k):
            return np.full(len(keys), _UNSEEN, dtype=np.int64), np.full(len(keys), np.nan)
        pos = np.minimum(np.searchsorted(k, keys), len(k) - 1)
        hit = k[pos] == keys
        return np.where(hit, self.k_remote[pos], _UNSEEN), np.where(hit, speeds[pos], np.nan)

    def seen(self, key: int) -> int:
        pos = int(np.searchsorted(self.k_local, key))
        if pos < len(self.k_local) and int(self.k_local[pos]) == key:
            return int(self.k_remote[pos])
        return _UNSEEN

    def index(self, key: int) -> int:
        pos = int(np.searchsorted(self.k_local, key))
        return pos if pos < len(self.k_local) and int(self.k_local[pos]) == key else -1

    def partner(self, key: int) -> int:
        pos = int(np.searchsorted(self.ends, key))
        if pos < len(self.ends) and int(self.ends[pos]) == key:
            return int(self.partner_of[pos])
        return -1


class _EndNames:
    def __init__(self, inv: Inventory, stride: int) -> None:
        self.inv, self.stride = inv, stride

    def __call__(self, key: int) -> str:
        dev, port = divmod(key, self.stride)
        d = self.inv.devices[dev]
        return f"{d.address}:{self.inv.catalog.ports(d.type_name)[0][port].name}"

    def device(self, key: int) -> int:
        return key // self.stride


def _raw_remote(lookup: _Lookup, key: int, s: Sightings, keep: np.ndarray) -> str:
    pos = lookup.index(key)
    return _raw(s, int(keep[pos]))


def _raw(s: Sightings, j: int) -> str:
    """A remote end the design does not know, as the source names it (with an InfiniBand
    node's description)."""
    host = s.remote_host[j]
    desc = s.descriptions.get(host)
    shown = f"{host} ({desc!r})" if desc else host
    return f"{shown} port {s.remote_port[j]} (unknown to the design)"


def _swap(x: int, y: int, lookup: _Lookup, want_x: int) -> bool:
    """Swapping the plugs at design ends x and y fixes both links: what y sees belongs at x
    (y's cable comes from x's partner) and x sees y's partner or nothing."""
    py = lookup.partner(y)
    return py >= 0 and lookup.seen(y) == want_x and lookup.seen(x) in (py, _UNSEEN)


def _miswire(a: int, b: int, lookup: _Lookup, name: _EndNames, s: Sightings,
             keep: np.ndarray) -> tuple[str, str]:
    seen_a, seen_b = lookup.seen(a), lookup.seen(b)
    what = []
    for end, got, want in ((a, seen_a, b), (b, seen_b, a)):
        if got in (_UNSEEN, want):
            continue
        shown = _raw_remote(lookup, end, s, keep) if got == _UNKNOWN else name(got)
        what.append(f"{name(end)} sees {shown}")
    options: list[tuple[int, int]] = []
    if seen_a >= 0 and seen_a != b and _swap(b, seen_a, lookup, a):
        options.append((b, seen_a))
    if seen_b >= 0 and seen_b != a and _swap(a, seen_b, lookup, b):
        options.append((a, seen_b))
    if options:
        x, y = min(options, key=lambda o: (name.device(o[0]) != name.device(o[1]),
                                           min(o), max(o)))
        x, y = min(x, y), max(x, y)
        fix = f"swap the cables at {name(x)} and {name(y)}"
    elif seen_a >= 0 and seen_a != b:
        fix = f"move the cable from {name(seen_a)} to {name(b)}"
    elif seen_b >= 0 and seen_b != a:
        fix = f"move the cable from {name(seen_b)} to {name(a)}"
    else:
        fix = f"trace the cable from {name(a)}: it should end at {name(b)}"
    return "; ".join(what), fix


def _unexpected(k_local: np.ndarray, k_remote: np.ndarray, k_speed: np.ndarray,
                ends: np.ndarray, mis_ends: set[int], keep: np.ndarray, s: Sightings,
                name: _EndNames) -> list[Unexpected]:
    """Sightings at ports no design link uses, not already explained by a miswired link;
    a pair reported from both ends is one entry."""
    pos = np.searchsorted(ends, k_local)
    pos_c = np.minimum(pos, max(len(ends) - 1, 0))
    is_end = (pos < len(ends)) & (ends[pos_c] == k_local) if len(ends) else \
        np.zeros(len(k_local), dtype=bool)
    out: dict[tuple[int, int | str], Unexpected] = {}
    for j in np.flatnonzero(~is_end).tolist():
        lk, rk = int(k_local[j]), int(k_remote[j])
        if rk in mis_ends:
            continue
        src = int(keep[j])
        where = f"{s.files[s.file[src]]}:{s.line[src]}"
        if rk >= 0:
            pair: tuple[int, int | str] = (min(lk, rk), max(lk, rk))
            a, b = name(pair[0]), name(int(pair[1]))
        else:
            pair = (lk, _raw(s, src))
            a, b = name(lk), str(pair[1])
        if pair not in out:
            b_key = pair[1] if isinstance(pair[1], int) else -1
            out[pair] = Unexpected(a, b, pair[0], b_key, float(k_speed[j]), where)
    return [out[k] for k in sorted(out, key=lambda p: (p[0], str(p[1])))]
