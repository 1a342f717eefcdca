"""The comparison's properties: any permutation of cable ends yields exactly the miswires it
introduced (and nothing else), every swap it suggests fixes links when applied, and a design
cabled as designed verifies clean at the size of a real superpod."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.pipeline import load_project
from superpod_iac.verify.compare import VERDICTS, Verification, compare
from superpod_iac.verify.readers import Mapping, ReadLimits, Sightings, _lldp_document
from tests.conftest import FIXTURES, SPECS
from tests.lldpfmt import lldpctl_json

End = tuple[str, str]  # (cabinet/device, port)


@functools.cache
def design(path: str) -> Inventory:
    cfg = Config()
    cfg.select = ["SCH", "REF"]
    project = load_project([path], cfg)
    assert not project.errors
    return project.inventory


def ends(inv: Inventory) -> tuple[list[End], list[End]]:
    t = inv.links
    out: tuple[list[End], list[End]] = ([], [])
    for i in range(len(t)):
        for side, dev, port in ((0, t.a_dev[i], t.a_port[i]), (1, t.b_dev[i], t.b_port[i])):
            d = inv.devices[dev]
            out[side].append((d.address, inv.catalog.ports(d.type_name)[0][port].name))
    return out


def observe(cables: list[tuple[End, End]], speed: str = "10GbaseT") -> Sightings:
    """What lldpd on every device would report for these cables (both ends), read back
    through the lldpctl reader. Hosts are named by address (`rk-1/leaf1`)."""
    per_host: dict[str, list[tuple[str, str, str, str]]] = {}
    for (ha, pa), (hb, pb) in cables:
        per_host.setdefault(ha, []).append((pa, hb, pb, speed))
        per_host.setdefault(hb, []).append((pb, ha, pa, speed))
    s = Sightings(kind="lldp")
    limits = ReadLimits()
    for host in sorted(per_host):
        s.files.append(f"{host}.json")
        s.reported_hosts.add(host)
        _lldp_document(lldpctl_json(per_host[host]).encode(), Path("x.json"),
                       len(s.files) - 1, s, limits, host=host)
    return s


def verdicts(v: Verification) -> list[str]:
    return [VERDICTS[k] for k in v.verdict.tolist()]


SMALL = str(FIXTURES / "verify" / "lldp")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_permutation_of_cable_ends_yields_exactly_its_miswires(data: st.DataObject) -> None:
    inv = design(SMALL)
    a, b = ends(inv)
    perm = data.draw(st.permutations(range(len(b))))
    v = compare(inv, observe([(a[i], b[perm[i]]) for i in range(len(a))]), Mapping())
    moved = {i for i in range(len(a)) if perm[i] != i}
    assert {i for i, x in enumerate(verdicts(v)) if x == "miswired"} == moved
    assert all(x == "ok" for i, x in enumerate(verdicts(v)) if i not in moved)
    assert not v.unexpected and not v.problems
    # every suggested swap, applied to the cables as built, fixes at least two links
    for fix in {v.detail[i][1] for i in moved}:
        m = re.fullmatch(r"swap the cables at (\S+):(\S+) and (\S+):(\S+)", fix)
        if m is None:
            continue
        x, y = (m.group(1), m.group(2)), (m.group(3), m.group(4))
        built = [(a[i], b[perm[i]]) for i in range(len(a))]
        swapped = [tuple({x: y, y: x}.get(e, e) for e in cable) for cable in built]
        after = compare(inv, observe(swapped), Mapping())  # type: ignore[arg-type]
        assert after.count("miswired") <= len(moved) - 2, fix


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_one_swap_names_both_ends_on_one_device(data: st.DataObject) -> None:
    """Swapping the plugs of two cables at one switch is reported as that swap, on both links."""
    inv = design(SMALL)
    a, b = ends(inv)
    i, j = sorted(data.draw(st.lists(st.integers(0, len(a) - 1), min_size=2, max_size=2,
                                     unique=True)))
    perm = list(range(len(a)))
    perm[i], perm[j] = j, i
    v = compare(inv, observe([(a[k], b[perm[k]]) for k in range(len(a))]), Mapping())
    assert v.detail[i][1] == v.detail[j][1]
    fix = v.detail[i][1]
    assert fix.startswith("swap the cables at ")
    ends_named = set(re.findall(r"(\S+:\S+)", fix.removeprefix("swap the cables at ")))
    assert ends_named in ({f"{x[0]}:{x[1]}" for x in (b[i], b[j])},
                          {f"{x[0]}:{x[1]}" for x in (a[i], a[j])})


def test_a_superpod_cabled_as_designed_verifies_clean_and_a_swap_is_found() -> None:
    inv = design(str(SPECS / "cloudmatrix-384"))
    a, b = ends(inv)
    n = len(a)
    assert n > 6000
    cables = list(zip(a, b, strict=True))
    v = compare(inv, observe(cables, speed=""), Mapping())
    assert v.count("ok") == n and v.faults() == 0
    cables[10], cables[11] = (a[10], b[11]), (a[11], b[10])
    v = compare(inv, observe(cables, speed=""), Mapping())
    assert v.count("miswired") == 2 and v.count("ok") == n - 2
