"""Every generated fabric lands on real ports of real devices, within their port budget
(issue 27): in every reference design, each link end is a port its device's type declares, on a
device placed in a cabinet of the design; no device takes more link ends than its cages give
(cages x breakout); no port or cage is used twice (a cage and one of its own sub-ports count as
the same lanes); every generator that a fabric declares produced links; and a fabric whose
optical links pass through devices (`optical_through`: Ironwood's OCS) has those devices, with
a port for every link end. The rules enforce the same per design (PRT001, REF, TOP021); this
test checks the resolved inventories directly, with numpy, so a generator that invented an
endpoint or overfilled a switch would fail here even where no rule looked."""

from __future__ import annotations

import numpy as np
import pytest

from superpod_iac.config import Config
from superpod_iac.model.generators import GeneratorError, select_devices
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import columns, global_ports, port_index
from tests.conftest import SPECS

FOLDERS = sorted(p.name for p in SPECS.iterdir() if p.is_dir())


def _inventory(name: str) -> Inventory:
    from superpod_iac.pipeline import load_project

    return load_project([str(SPECS / name)], Config(select=["SCH", "REF"])).inventory


def _lanes(inv: Inventory) -> tuple[np.ndarray, np.ndarray]:
    """Per global port id: the global id of the physical cage it uses, and per device type
    its link capacity (cages x breakout)."""
    idx = port_index(inv)
    capacity = np.zeros(len(idx.type_names), dtype=np.int64)
    for t, name in enumerate(idx.type_names):
        capacity[t] = sum(max(p.group.breakout, 1) for p in inv.catalog.ports(name)[0]
                          if p.cage < 0)
    return idx.cage_of_port, capacity


def check_lands_on_real_ports(inv: Inventory) -> list[str]:
    """What is wrong with where the inventory's links land ([] when nothing)."""
    bad: list[str] = []
    if not len(inv.links):
        return bad
    col = columns(inv)
    n = len(inv.devices)
    for end in ("a", "b"):
        dev, port = col[f"{end}_dev"], col[f"{end}_port"]
        if (dev < 0).any() or (dev >= n).any():
            bad.append(f"{end} end on a device outside the inventory")
            return bad
        nports = np.array([len(inv.catalog.ports(d.type_name)[0]) for d in inv.devices])
        if (port < 0).any() or (port >= nports[dev]).any():
            bad.append(f"{end} end on a port its device type does not declare")
    unplaced = [d.address for d in inv.devices if d.cabinet not in inv.cabinets]
    if unplaced:
        bad.append(f"devices outside any cabinet: {unplaced[:3]}")
    ga, gb = global_ports(inv)
    typed = np.concatenate([ga, gb])  # per device type: type offset + port index
    devs = np.concatenate([col["a_dev"], col["b_dev"]]).astype(np.int64)
    cage_of, capacity = _lanes(inv)
    width = len(cage_of) + 1
    ends = devs * width + typed
    if len(np.unique(ends)) != len(ends):
        bad.append("a port used by two links")
    # a cage used whole and one of its sub-ports too: the same lanes twice
    is_cage = cage_of[typed] == typed
    whole = set((devs * width + typed)[is_cage].tolist())
    split = set((devs * width + cage_of[typed])[~is_cage].tolist())
    if whole & split:
        bad.append(f"{len(whole & split)} cage(s) used whole and split at once")
    idx = port_index(inv)
    per_dev = np.bincount(np.concatenate([col["a_dev"], col["b_dev"]]), minlength=n)
    over = np.nonzero(per_dev > capacity[idx.type_ids])[0]
    if len(over):
        d = inv.devices[int(over[0])]
        bad.append(f"{d.address}: {per_dev[over[0]]} link ends > "
                   f"{capacity[idx.type_ids[over[0]]]} lanes ({len(over)} device(s))")
    return bad


def check_generators_and_pass_through(inv: Inventory) -> list[str]:
    bad: list[str] = []
    col = columns(inv)
    made = np.bincount(col["fabric"], minlength=len(inv.fabrics)) if len(inv.links) else \
        np.zeros(len(inv.fabrics), dtype=np.int64)
    fibre = np.array([inv.catalog.cable_types[c].medium in ("smf", "mmf")
                      if c in inv.catalog.cable_types else False
                      for c in inv.links.cable_names] + [False], dtype=bool)[col["cable"]]
    for fab in inv.fabrics.values():
        spec = fab.spec
        if spec is None:
            continue
        if spec.generators and made[fab.index] == 0:
            bad.append(f"fabric {fab.name}: its generators made no link")
        if spec.optical_through:
            try:
                devs = select_devices(inv, spec.optical_through)
            except GeneratorError:
                devs = []
            ports = sum(sum(1 for p in inv.catalog.ports(inv.devices[d].type_name)[0]
                            if p.cage < 0) for d in devs)
            ends = 2 * int((fibre & (col["fabric"] == fab.index)).sum())
            if not devs or ends > ports:
                bad.append(f"fabric {fab.name}: {ends} optical link ends through {len(devs)} "
                           f"device(s) with {ports} ports")
    return bad


@pytest.mark.parametrize("spec", FOLDERS)
def test_every_generated_link_lands_on_real_ports(spec: str) -> None:
    inv = _inventory(spec)
    assert check_lands_on_real_ports(inv) == [], spec
    assert check_generators_and_pass_through(inv) == [], spec


def test_the_checks_see_the_old_errors(tmp_path) -> None:
    """The checks are not vacuous: Ironwood with its old 40 OCS (5 racks of 8: 5,760 ports for
    13,824 cube-face link ends) fails the pass-through budget."""
    src = SPECS / "ironwood-pod"
    for f in src.rglob("*.yaml"):
        text = f.read_text(encoding="utf-8").replace("iw-ocs[01-12]", "iw-ocs[01-05]").replace(
            "[145-156]", "[145-149]")
        (tmp_path / f.name).write_text(text.replace('slot: "[1-12]"', 'slot: "[1-5]"'),
                                       encoding="utf-8")
    from superpod_iac.pipeline import load_project

    inv = load_project([str(tmp_path)], Config(select=["SCH", "REF"])).inventory
    assert sum(1 for d in inv.devices if d.type_name == "ocs-palomar") == 40
    assert check_lands_on_real_ports(inv) == []
    bad = check_generators_and_pass_through(inv)
    assert len(bad) == 1 and "13824 optical link ends through 40 device(s) with 5760 ports" \
        in bad[0], bad


def test_a_port_used_twice_is_seen() -> None:
    """The PRT001 fixture (one NVLink port cabled to two switch ports) fails the landing
    check; its passing variant does not."""
    from superpod_iac.pipeline import load_project

    rules = SPECS.parent / "tests" / "fixtures" / "rules"
    base = str(rules / "_base.yaml")
    inv = load_project([base, str(rules / "PRT001.yaml")], Config(select=["SCH", "REF"])).inventory
    assert check_lands_on_real_ports(inv) == ["a port used by two links"]
    inv = load_project([base, str(rules / "pass" / "PRT001.yaml")],
                       Config(select=["SCH", "REF"])).inventory
    assert check_lands_on_real_ports(inv) == []
