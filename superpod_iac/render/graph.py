"""The one graph model every diagram is built in: nodes, edges, clusters, a title and a legend.

Views (wiring, power, cooling, elevation) fill a `Graph`; `render.emit` turns any Graph into
Graphviz dot. Elements carry a style class (a key of `render/styles.yaml`), not colours, so
the look of all diagrams is one data file. Insertion order is kept everywhere (no sets), so
the same inventory always yields the same dot text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(slots=True)
class Node:
    id: str
    label: str
    style: str
    """Class in styles.yaml `nodes`."""
    html: bool = False
    """`label` is a Graphviz HTML-like label (already escaped)."""
    tooltip: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    """Per-node overrides of the class attributes (rarely needed)."""
    members: tuple[str, ...] = ()
    """The objects (power nodes, cabinets, devices) the box stands for: findings naming one of
    them put their rule IDs on the box (render.flags)."""


@dataclass(slots=True)
class Edge:
    tail: str
    head: str
    style: str
    """Class in styles.yaml `edges`."""
    label: str = ""
    html: bool = False
    tooltip: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Cluster:
    id: str
    label: str
    style: str
    """Class in styles.yaml `clusters`."""
    nodes: list[str] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    html: bool = False


@dataclass(slots=True)
class LegendItem:
    kind: Literal["node", "edge", "cluster"]
    style: str
    text: str


@dataclass(slots=True, frozen=True)
class TitleBlock:
    """The drawing's title block: what a printed sheet must say about itself."""

    design: str
    revision: str
    """Commit of the design (`3f2a9c1`, `3f2a9c1 + uncommitted changes`, `not under git`)."""
    date: str
    """The commit's date or SOURCE_DATE_EPOCH's (never the clock: same input, same bytes)."""
    status: str
    """`validated clean`, `2 errors, 1 warning`, `not validated`."""
    sheet: int
    sheets: int
    scale: str


@dataclass
class Graph:
    name: str
    """File stem, e.g. `wiring-pod-cloudmatrix-384`."""
    view: str
    """Class in styles.yaml `graphs` (layout direction, spacing)."""
    title: str
    subtitle: list[str] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    ranks: list[list[str]] = field(default_factory=list)
    """Groups of node ids laid out on the same rank."""
    legend: list[LegendItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Footnotes printed under the legend (how to read the numbers, what was folded)."""
    empty: str | None = None
    """Why the diagram has nothing to show (no file is written for it); None when it has."""
    title_block: TitleBlock | None = None
    """Set by render.plan for every sheet of a request."""

    def add_node(self, node: Node, cluster: Cluster | None = None) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"duplicate node id {node.id!r} in graph {self.name}")
        self.nodes[node.id] = node
        if cluster is not None:
            cluster.nodes.append(node.id)
        return node

    def add_edge(self, edge: Edge) -> Edge:
        for end in (edge.tail, edge.head):
            if end not in self.nodes:
                raise ValueError(f"edge end {end!r} is not a node of graph {self.name}")
        self.edges.append(edge)
        return edge

    def add_legend(self, kind: Literal["node", "edge", "cluster"], style: str, text: str) -> None:
        item = LegendItem(kind, style, text)
        if item not in self.legend:
            self.legend.append(item)
