"""TOP006-TOP007: a fabric's declared shape (full mesh, torus, switched plane, Clos) against the
links that exist. The graph work lives in model/shape.py; these rules only report it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from superpod_iac.diagnostics import Origin
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.registry import Finding, rule

if TYPE_CHECKING:
    from superpod_iac.model.shape import ShapeReport


def analyse(inv: Inventory) -> list[ShapeReport]:
    """model.shape.analyse_replicas (every fabric with a shape, every Cluster replica of it),
    imported only when a fabric declares a shape (a design without one never loads it)."""
    if not any(f.spec is not None and f.spec.shape is not None for f in inv.fabrics.values()):
        return []
    from superpod_iac.model.shape import analyse_replicas

    return analyse_replicas(inv)


def _what(rep: ShapeReport) -> str:
    """The fabric and its shape; in a Cluster replica also the replica's first node, whose
    prefix (`x2.`) lets the engine fold the same finding in every replica into one."""
    where = f" from {rep.where}" if rep.replica and rep.where else ""
    return f"fabric {rep.fabric} ({rep.shape}, {rep.nodes:,} nodes{where})"


def _origin(inv: Inventory, fabric: str) -> Origin:
    fab = inv.fabrics[fabric]
    return Origin(fab.origin.file, fab.origin.doc, ("spec", "shape"))


@rule("TOP006", "fabric links do not form the shape the fabric declares",
      inputs=("Fabric.shape?",))
def shape_structure(inv: Inventory) -> Iterator[Finding]:
    """A fabric that declares `shape:` must be cabled as that shape: a torus or mesh has every
    neighbour link (wraparound included for a torus) and no other, a full mesh links every node
    to each node that differs from it in one coordinate, a switched all-to-all plane reaches
    every node, and a Clos has exactly its declared tiers with links only between adjacent
    tiers. A port the shape needs is a required port: leaving it uncabled is an error, since
    collectives and routing tables are built for the declared shape. In a superpod a Cluster
    replicates, every replica is checked on its own links, its nodes and switches those the
    model built for it (the same finding in every replica is one finding).

    Formula:
        torus d1 x d2 x d3: each node has 2 neighbours per dimension of size > 2 (1 if 2);
        links = N x sum(2 if d > 2 else 1 for d in dims if d > 1) / 2;
        nD full mesh: degree = sum(d - 1), links = N x sum(d - 1) / 2

    Fix:
        Cable the missing neighbour links (or correct the declared dims / tiers).
    """
    for rep in analyse(inv):
        for problem in rep.structure:
            yield Finding(f"{_what(rep)}: {problem}",
                          _origin(inv, rep.fabric),
                          "cable the links the shape needs, or declare the shape the links form")


@rule("TOP007", "node pairs farther apart than the fabric's shape allows",
      inputs=("Fabric.shape?",))
def shape_hops(inv: Inventory) -> Iterator[Finding]:
    """Every pair of nodes must be within the hop count the declared shape promises, in every
    plane: an all-to-all-one-hop scale-up fabric (NVLink, UB L2 planes) needs every node pair
    to share a switch of each plane, a Clos of t tiers needs every pair to meet at a top-tier
    switch (2t hops), and `max_hops` bounds the farthest pair of a torus or mesh. Every
    Cluster replica is checked (the same finding in every replica is one finding).

    Formula:
        switched plane p: pairs(i, j) with (B_p B_p^T)[i, j] = 0 must be empty,
        B_p = node x switch incidence of plane p;
        torus diameter = sum(floor(d / 2)), mesh = sum(d - 1), nD full mesh = number of dims

    Fix:
        Give each node a link to every switch of each plane (or declare the hops you mean).
    """
    for rep in analyse(inv):
        for problem in rep.hops:
            yield Finding(f"{_what(rep)}: {problem}",
                          _origin(inv, rep.fabric),
                          "link each node to every switch of each plane, or relax max_hops")
