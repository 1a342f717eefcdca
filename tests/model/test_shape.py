"""Topology shapes (TOP006/TOP007, model/shape.py): hand-checked graphs, passing and failing
designs, the CloudMatrix 384 UB fabric before and after issue 14."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.model.shape import _climb, _levels, analyse, expected_pairs, shape_diameter
from superpod_iac.pipeline import load_project
from tests.conftest import FIXTURES, RULE_FIXTURES, SPECS

BASE = RULE_FIXTURES / "_base.yaml"
SHAPES = FIXTURES / "shape"


def _reports(*paths: Path | str) -> dict:
    inv = load_project([str(p) for p in paths], Config()).inventory
    return {r.fabric: r for r in analyse(inv)}


@pytest.mark.parametrize(("kind", "dims", "links", "degree", "diameter"), [
    ("torus", [4, 4, 4], 192, 6, 6),     # 64 x 6 / 2
    ("torus", [2, 4], 12, 3, 3),         # a ring of two is one link
    ("mesh", [3, 3], 12, 4, 4),          # 2 x 3 x 2
    ("full-mesh", [8], 28, 7, 1),        # K8
    ("full-mesh", [8, 8], 448, 14, 2),   # UB-Mesh 2D: 64 x 14 / 2
])
def test_expected_pairs_by_hand(kind: str, dims: list[int], links: int, degree: int,
                                diameter: int) -> None:
    pairs = expected_pairs(kind, dims)
    assert len(pairs) == links
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert np.bincount(pairs.ravel()).max() == degree
    assert shape_diameter(kind, dims) == diameter


def test_passing_shapes_and_their_bisection() -> None:
    reps = _reports(BASE, SHAPES / "pass.yaml")
    assert all(not r.structure and not r.hops for r in reps.values())
    assert {n: r.max_hops for n, r in reps.items()} == {
        "sx-torus": 4, "sx-mesh": 1, "sx-planes": 2, "sx-clos": 4}
    assert {n: r.bisection_gbps for n, r in reps.items()} == {
        "sx-torus": 3200, "sx-mesh": 1600, "sx-planes": 1600, "sx-clos": 800}


def test_passing_shapes_validate_clean(cli) -> None:
    res = cli("validate", str(BASE.relative_to(BASE.parents[3])),
              str((SHAPES / "pass.yaml").relative_to(BASE.parents[3])))
    assert res.code == 0, res.out


def test_cloudmatrix_ub_is_one_l2_hop_in_every_sub_plane() -> None:
    reps = _reports(SPECS / "cloudmatrix-384")
    ub = reps["cm384-ub"]
    assert ub.nodes == 48 and not ub.structure and not ub.hops and ub.max_hops == 2
    assert ub.bisection_gbps == 48 * 112 * 224 / 2   # 5,376 UB links of 224G, half across
    rdma = reps["cm384-rdma"]
    assert not rdma.structure and not rdma.hops and rdma.max_hops == 4
    assert rdma.bisection_gbps == 384 * 400 / 2


def test_cloudmatrix_ub_before_issue_14_fails(cli, tmp_path: Path) -> None:
    for f in (SPECS / "cloudmatrix-384").glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    fabrics = (tmp_path / "fabrics.yaml").read_text()
    rest = fabrics[fabrics.index("---"):]
    (tmp_path / "fabrics.yaml").write_text(
        (SHAPES / "cm384-ub-before.yaml").read_text() + rest)
    res = cli("validate", "--format", "json", str(tmp_path))
    assert res.code == 1
    diags = res.json()["diagnostics"]
    top = [d for d in diags if d["rule"] == "TOP007"]
    assert len(top) == 7, diags
    assert all("72 of 1,128 node pairs share no switch" in d["message"] for d in top)


def test_missing_wraparound_is_an_error(cli, tmp_path: Path) -> None:
    """A torus whose generator forgot the wraparound links: TOP006 names them."""
    text = (SHAPES / "pass.yaml").read_text().replace(
        '{type: torus, nodes: "t1/n*", dims: [4, 4], ports: "m[1-4]"}',
        '{type: mesh, nodes: "t1/n*", dims: [4, 4], ports: "m[1-4]"}')
    (tmp_path / "shape.yaml").write_text(text)
    res = cli("validate", "--format", "json", str(BASE.relative_to(BASE.parents[3])),
              str(tmp_path / "shape.yaml"))
    top = [d for d in res.json()["diagnostics"] if d["rule"] == "TOP006"]
    assert res.code == 1 and len(top) == 1
    assert top[0]["severity"] == "error"
    assert "8 of 32 neighbour links missing (8 of them wraparound)" in top[0]["message"]
    assert "12 node(s) below degree 4" in top[0]["message"]


def test_torus_coordinates_from_names(cli, tmp_path: Path) -> None:
    """coords_from: nodes named by coordinates in any order form the declared torus; a
    duplicate coordinate is reported."""
    text = (SHAPES / "pass.yaml").read_text()
    # name the 16 torus nodes by coordinates, listed in reverse
    names = [f"x{i % 4}y{i // 4}" for i in range(16)][::-1]
    devices = "\n".join(f'    - {{name: {n}, type: sx-node, u: {k + 1}}}'
                        for k, n in enumerate(names))
    text = text.replace('    - {name: "n[01-16]", type: sx-node, u: "[1-16]"}', devices)
    text = text.replace('nodes: "t1/n*", dims: [4, 4], max_hops: 4}',
                        'nodes: "t1/x*", dims: [4, 4], max_hops: 4, coords_from: "x(\\\\d)y(\\\\d)"}')
    text = text.replace('{type: torus, nodes: "t1/n*", dims: [4, 4], ports: "m[1-4]"}',
                        '{type: torus, nodes: "t1/x*", dims: [4, 4], ports: "m[1-4]", '
                        'coords_from: "x(\\\\d)y(\\\\d)"}')
    (tmp_path / "shape.yaml").write_text(text)
    reps = _reports(BASE, tmp_path / "shape.yaml")
    assert not reps["sx-torus"].structure and reps["sx-torus"].max_hops == 4
    res = cli("validate", str(BASE.relative_to(BASE.parents[3])), str(tmp_path / "shape.yaml"))
    assert res.code == 0, res.out
    (tmp_path / "shape.yaml").write_text(text.replace("{name: x3y3,", "{name: x2y3b,"))
    res = cli("validate", str(BASE.relative_to(BASE.parents[3])), str(tmp_path / "shape.yaml"))
    assert res.code == 1 and "share coordinates [2, 3]" in res.out


def test_full_mesh_generator_per_group_and_its_shape(tmp_path: Path) -> None:
    """Two groups of a 2x2 full mesh with 2 links per pair: 2 groups x 4 pairs x 2 = 16 links;
    the shape holds."""
    text = (SHAPES / "pass.yaml").read_text().replace(
        '''  shape: {type: torus, nodes: "t1/n*", dims: [4, 4], max_hops: 4}
  generators:
    - {type: torus, nodes: "t1/n*", dims: [4, 4], ports: "m[1-4]"}''',
        '''  shape: {type: full-mesh, nodes: "t1/n0[1-8]", dims: [2, 2], max_hops: 2}
  generators:
    - {type: full-mesh, nodes: "t1/n0[1-8]", dims: [2, 2], ports: "m[1-4]", links_per_pair: 2}''')
    (tmp_path / "shape.yaml").write_text(text)
    inv = load_project([str(BASE), str(tmp_path / "shape.yaml")], Config()).inventory
    rep = {r.fabric: r for r in analyse(inv)}["sx-torus"]
    assert not rep.structure and rep.max_hops == 2
    assert sum(1 for f in inv.links.fabric if f == inv.fabrics["sx-torus"].index) == 16


# --- the array graph code against plain Python on random tiered graphs -----------------------

@st.composite
def _graphs(draw: st.DrawFn) -> tuple[int, list[int], list[tuple[int, int]]]:
    """Random devices in up to four tiers, links mostly between adjacent tiers plus a few
    arbitrary ones (skewed links, loops, isolated devices)."""
    sizes = [draw(st.integers(1, 8))] + [draw(st.integers(0, 5)) for _ in range(3)]
    v = sum(sizes) + draw(st.integers(0, 2))
    tiers, start = [], 0
    for size in sizes:
        tiers.append(list(range(start, start + size)))
        start += size
    p = draw(st.floats(0.1, 1.0))
    links = [(x, y) for lo, hi in itertools.pairwise(tiers) for x in lo for y in hi
             if draw(st.floats(0, 1)) < p]
    links += draw(st.lists(st.tuples(st.integers(0, v - 1), st.integers(0, v - 1)), max_size=3))
    return v, tiers[0], [(b, a) if draw(st.booleans()) else (a, b) for a, b in links]


def _bfs(v: int, nodes: list[int], links: list[tuple[int, int]]) -> list[int]:
    level = [-1] * v
    for n in nodes:
        level[n] = 0
    frontier = set(nodes)
    step = 0
    while frontier:
        step += 1
        nxt = {y for x, y in links if x in frontier and level[y] < 0} | \
              {x for x, y in links if y in frontier and level[x] < 0}
        for d in nxt:
            level[d] = step
        frontier = nxt
    return level


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_levels_are_a_breadth_first_search(g: tuple[int, list[int], list[tuple[int, int]]]) -> None:
    v, nodes, links = g
    a = np.array([x for x, _ in links], dtype=np.int64)
    b = np.array([y for _, y in links], dtype=np.int64)
    got = _levels(v, np.array(nodes, dtype=np.int64), a, b)
    assert got.tolist() == _bfs(v, nodes, links)


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_climb_joins_pairs_with_up_links(g: tuple[int, list[int], list[tuple[int, int]]]) -> None:
    v, nodes, links = g
    pairs = {(r, d) for r, d in enumerate(nodes)}
    row = np.arange(len(nodes), dtype=np.int64)
    dev = np.array(nodes, dtype=np.int64)
    up_links = [(x, y) for x, y in links if x < y]     # any orientation rule will do
    for _ in range(3):
        pairs = {(r, h) for r, d in pairs for lo, h in up_links if lo == d}
        row, dev = _climb(row, dev, np.array([x for x, _ in up_links], dtype=np.int64),
                          np.array([y for _, y in up_links], dtype=np.int64), v)
        assert sorted(zip(row.tolist(), dev.tolist(), strict=True)) == sorted(pairs)
