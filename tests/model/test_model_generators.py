"""Topology generators (model/generators.py), each on a small inventory worked by hand:
which port links to which, in which order, and the errors a generator that does not fit gives."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager

import pytest

from superpod_iac.manifest.builtin import builtin_catalogs
from superpod_iac.manifest.catalog import DeviceType
from superpod_iac.manifest.fabric import Clos, FullMesh, Mesh, SwitchedPlanes
from superpod_iac.model.build import build_inventory
from superpod_iac.model.generators import (
    GENERATORS,
    GeneratorError,
    clos,
    full_mesh,
    mesh,
    natural_key,
    order_by_coords,
    select_devices,
    switched_planes,
)
from superpod_iac.model.inventory import Device, Inventory
from superpod_iac.source.loader import LoadLimits


def _fails(message: str) -> AbstractContextManager[pytest.ExceptionInfo[GeneratorError]]:
    """The generator raises exactly `message`."""
    return pytest.raises(GeneratorError, match=f"^{re.escape(message)}$")


def _fails_with(message: str) -> AbstractContextManager[pytest.ExceptionInfo[GeneratorError]]:
    return pytest.raises(GeneratorError, match=re.escape(message))


Pairs = list[tuple[tuple[int, int], tuple[int, int]]]


def _type(name: str, ports: str) -> DeviceType:
    return DeviceType.model_validate({
        "name": name, "role": "switch", "height_u": 1, "weight_kg": 1, "max_w": 100,
        "port_groups": [{"name": "p", "ports": ports, "form_factor": "osfp", "speed_gbps": 400,
                         "plane": "scale-out"}]})


def _inventory(devices: dict[str, str], types: dict[str, str]) -> Inventory:
    """An inventory of the built-in catalog plus `types` (name -> port nodeset) and one
    cabinet `c1` holding `devices` (name -> type), in the order given."""
    inv = build_inventory([], builtin=builtin_catalogs())
    for name, ports in types.items():
        inv.catalog.device_types[name] = _type(name, ports)
    origin = inv.catalog.origins[("device_types", next(iter(inv.catalog.device_types)))]
    for u, (name, type_name) in enumerate(devices.items(), start=1):
        inv.add_device(Device(name, "c1", type_name, inv.catalog.device_types[type_name], u,
                              origin))
    return inv


def _named(inv: Inventory, pairs: Pairs) -> list[tuple[str, str]]:
    return [(inv.endpoint(*a), inv.endpoint(*b)) for a, b in pairs]


def test_natural_key_orders_numbers_by_value() -> None:
    assert sorted(["tray10", "tray2", "tray1"], key=natural_key) == ["tray1", "tray2", "tray10"]


def test_select_devices_globs_in_natural_order_and_expands_nodesets() -> None:
    inv = _inventory({"n10": "h", "n2": "h", "n1": "h", "sw": "h"}, {"h": "e[1-2]"})
    assert [inv.devices[i].name for i in select_devices(inv, "c1/n*")] == ["n1", "n2", "n10"]
    assert [inv.devices[i].name for i in select_devices(inv, "c1/n[2,10]")] == ["n2", "n10"]
    with _fails("selector 'c1/x*' matches no device"):
        select_devices(inv, "c1/x*")
    with _fails_with("holds '[' but no valid range"):
        select_devices(inv, "c1/n[")


def _planes(**kw: object) -> SwitchedPlanes:
    return SwitchedPlanes.model_validate({"type": "switched-planes", "endpoints": "c1/gpu*",
                                          "endpoint_ports": "e[1-4]", "switches": "c1/sw*",
                                          "switch_ports": "s[1-2]", "planes": 2, **kw})


def test_switched_planes_alternate_ports_over_planes_and_rotate_over_switches() -> None:
    inv = _inventory({"gpu1": "g", "gpu2": "g", "sw1": "s", "sw2": "s", "sw3": "s", "sw4": "s"},
                     {"g": "e[1-4]", "s": "s[1-2]"})
    # port j goes to plane j mod 2; plane 1 is sw1-sw2, plane 2 sw3-sw4; the k-th endpoint
    # port of a plane takes switch (k + k // 2) mod 2: sw1, sw2, sw2, sw1
    assert _named(inv, switched_planes(inv, _planes())) == [
        ("c1/gpu1:e1", "c1/sw1:s1"), ("c1/gpu1:e3", "c1/sw2:s1"),
        ("c1/gpu2:e1", "c1/sw2:s2"), ("c1/gpu2:e3", "c1/sw1:s2"),
        ("c1/gpu1:e2", "c1/sw3:s1"), ("c1/gpu1:e4", "c1/sw4:s1"),
        ("c1/gpu2:e2", "c1/sw4:s2"), ("c1/gpu2:e4", "c1/sw3:s2"),
    ]


def test_switched_planes_errors() -> None:
    inv = _inventory({"gpu1": "g", "gpu2": "g", "sw1": "s", "sw2": "s", "sw3": "s"},
                     {"g": "e[1-4]", "s": "s[1-2]"})
    with _fails("6 switch ports do not split into 4 planes"):
        switched_planes(inv, _planes(planes=4))
    with _fails("plane 1 has 4 endpoint ports but only 2 switch ports"):
        switched_planes(inv, _planes(planes=3))
    with _fails("port 'e5' is not on c1/gpu1 (g)"):
        switched_planes(inv, _planes(endpoint_ports="e[4-5]"))


def _clos(**kw: object) -> Clos:
    return Clos.model_validate({"type": "clos", "endpoints": "c1/host*", "endpoint_ports": "p[1-2]",
                                "leaves": "c1/leaf*", "leaf_down_ports": "d[1-2]",
                                "leaf_up_ports": "u[1-2]", "spines": "c1/spine*",
                                "spine_down_ports": "d[1-2]", "rails": 2, **kw})


def test_clos_puts_each_rail_on_its_leaves_and_spreads_uplinks_round_robin() -> None:
    inv = _inventory({"host1": "h", "host2": "h", "leaf1": "l", "leaf2": "l", "spine1": "l",
                      "spine2": "l"}, {"h": "p[1-2]", "l": "d[1-2],u[1-2]"})
    assert _named(inv, clos(inv, _clos())) == [
        ("c1/host1:p1", "c1/leaf1:d1"), ("c1/host1:p2", "c1/leaf2:d1"),
        ("c1/host2:p1", "c1/leaf1:d2"), ("c1/host2:p2", "c1/leaf2:d2"),
        ("c1/leaf1:u1", "c1/spine1:d1"), ("c1/leaf1:u2", "c1/spine2:d1"),
        ("c1/leaf2:u1", "c1/spine1:d2"), ("c1/leaf2:u2", "c1/spine2:d2"),
    ]


def test_clos_errors() -> None:
    inv = _inventory({"host1": "h", "host2": "h", "host3": "h", "leaf1": "l", "leaf2": "l",
                      "leaf3": "l", "spine1": "l"}, {"h": "p[1-2]", "l": "d[1-2],u[1-2]"})
    with _fails("3 leaves do not split into 2 rails"):
        clos(inv, _clos())
    with _fails("c1/host1 has 2 endpoint ports for 1 rails"):
        clos(inv, _clos(leaves="c1/leaf1", rails=1))
    with _fails("rail 1 leaves have no free down ports left"):
        clos(inv, _clos(leaves="c1/leaf1", endpoint_ports="p1", rails=1))  # 3 hosts, 2 ports
    with _fails("c1/spine1 has no free down port left"):
        clos(inv, _clos(leaves="c1/leaf[1-2]", endpoints="c1/host1", endpoint_ports="p1",
                        rails=1))
    with _fails("3 tiers need cores, core_ports and spine_up_ports"):
        clos(inv, _clos(leaves="c1/leaf[1-2]", endpoints="c1/host1", leaf_up_ports="u1",
                        spines="c1/leaf3", tiers=3))


def _mesh(kind: str, dims: list[int], **kw: object) -> Mesh:
    return Mesh.model_validate({"type": kind, "nodes": "c1/n*", "dims": dims, "ports": "m[1-4]",
                                **kw})


def test_mesh_links_plus_to_minus_along_each_dimension_without_wrap() -> None:
    inv = _inventory({f"n{i}": "m" for i in range(1, 5)}, {"m": "m[1-4]"})
    # n1 (0,0), n2 (1,0), n3 (0,1), n4 (1,1); ports: m1 -x, m2 +x, m3 -y, m4 +y
    assert _named(inv, mesh(inv, _mesh("mesh", [2, 2]))) == [
        ("c1/n1:m2", "c1/n2:m1"), ("c1/n1:m4", "c1/n3:m3"),
        ("c1/n2:m4", "c1/n4:m3"), ("c1/n3:m2", "c1/n4:m1"),
    ]


def test_torus_wraps_and_a_ring_of_two_is_one_link() -> None:
    inv = _inventory({f"n{i}": "m" for i in range(1, 4)}, {"m": "m[1-2]"})
    assert _named(inv, mesh(inv, _mesh("torus", [3], ports="m[1-2]"))) == [
        ("c1/n1:m2", "c1/n2:m1"), ("c1/n2:m2", "c1/n3:m1"), ("c1/n3:m2", "c1/n1:m1")]
    two = _inventory({"n1": "m", "n2": "m"}, {"m": "m[1-2]"})
    assert _named(two, mesh(two, _mesh("torus", [2], ports="m[1-2]"))) == [
        ("c1/n1:m2", "c1/n2:m1")]


def test_mesh_orders_nodes_by_coordinates_from_their_names() -> None:
    inv = _inventory({"x1y0": "m", "x0y0": "m", "x1y1": "m", "x0y1": "m"}, {"m": "m[1-4]"})
    order = order_by_coords(inv, select_devices(inv, "c1/*"), r"x(\d)y(\d)", [2, 2])
    assert [inv.devices[i].name for i in order] == ["x0y0", "x1y0", "x0y1", "x1y1"]
    assert _named(inv, mesh(inv, _mesh("mesh", [2, 2], nodes="c1/*",
                                       coords_from=r"x(\d)y(\d)")))[0] == \
        ("c1/x0y0:m2", "c1/x1y0:m1")
    with _fails("c1/x0y1: coordinates [0, 1] outside dims [2, 1]"):
        order_by_coords(inv, select_devices(inv, "c1/*"), r"x(\d)y(\d)", [2, 1])
    with _fails_with("does not give 1 coordinates for c1/x0y0"):
        order_by_coords(inv, select_devices(inv, "c1/*"), r"x(\d)y(\d)", [4])


def test_mesh_errors() -> None:
    inv = _inventory({f"n{i}": "m" for i in range(1, 4)}, {"m": "m[1-4]"})
    with _fails("dims 2x2 = 4 but the selector matches 3 nodes"):
        mesh(inv, _mesh("mesh", [2, 2]))
    with _fails("c1/n1 needs 2 mesh ports (minus/plus per dimension), has 4"):
        mesh(inv, _mesh("mesh", [3]))


def test_full_mesh_links_every_pair_of_a_group_once() -> None:
    inv = _inventory({f"n{i}": "f" for i in range(1, 7)}, {"f": "f[1-2]"})
    gen = FullMesh.model_validate({"type": "full-mesh", "nodes": "c1/n*", "dims": [3],
                                   "ports": "f[1-2]"})
    # two groups of three (n1-n3, n4-n6); toward a higher neighbour the slot is its
    # coordinate - 1, toward a lower one the node's own coordinate
    assert _named(inv, full_mesh(inv, gen)) == [
        ("c1/n1:f1", "c1/n2:f1"), ("c1/n1:f2", "c1/n3:f1"), ("c1/n2:f2", "c1/n3:f2"),
        ("c1/n4:f1", "c1/n5:f1"), ("c1/n4:f2", "c1/n6:f1"), ("c1/n5:f2", "c1/n6:f2"),
    ]


def test_full_mesh_errors() -> None:
    inv = _inventory({f"n{i}": "f" for i in range(1, 5)}, {"f": "f[1-2]"})

    def gen(**kw: object) -> FullMesh:
        return FullMesh.model_validate({"type": "full-mesh", "nodes": "c1/n*", "dims": [3],
                                        "ports": "f[1-2]", **kw})

    with _fails("dims 3 = 3 nodes per group, but the selector matches 4 (not a multiple)"):
        full_mesh(inv, gen())
    with _fails("c1/n1 needs 6 full-mesh ports (sum of (d - 1) x 2), has 2"):
        full_mesh(inv, gen(dims=[4], links_per_pair=2))


def test_generators_stop_at_max_links_link_ends() -> None:
    inv = _inventory({f"n{i}": "m" for i in range(1, 4)}, {"m": "m[1-2]"})
    inv.limits = LoadLimits(max_links=5)
    with _fails("generators select more than 5 link ends (limit max_links)"):
        mesh(inv, _mesh("torus", [3], ports="m[1-2]"))  # 3 x 2 ends


def test_every_generator_type_is_registered() -> None:
    expected = {"switched-planes": switched_planes, "clos": clos, "mesh": mesh, "torus": mesh,
                "full-mesh": full_mesh}
    assert expected == GENERATORS
