"""The one Graphviz emitter: Graph -> dot text (graphviz package) -> svg / png via `dot`.

Every diagram gets the same header: a title, subtitle lines, the legend of the classes it
uses and its footnotes, as the graph's HTML label at the top.
"""

from __future__ import annotations

import re

import graphviz

from superpod_iac.choices import RENDER_FORMATS
from superpod_iac.render.graph import Cluster, Graph, LegendItem
from superpod_iac.render.labels import dot_text, esc
from superpod_iac.render.styles import Styles, load_styles

FORMATS = RENDER_FORMATS
"""What render_bytes writes: Graphviz output formats, and the dot text itself."""
INSTALL_HINT = ("install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
                "`sudo dnf install graphviz` (Fedora), `brew install graphviz` (macOS), or "
                "`make dot` in this repository; `--format dot` works without it")
LEGEND_PER_ROW = 4
NOTE_WIDTH = 140
TITLE_CHAR_PX = 10.5
"""Estimated widths for laying out the legend (17 pt bold title, 9-10 pt text)."""
TEXT_CHAR_PX = 5.6
TITLE_BESIDE_BLOCK = 36
"""Titles up to this many characters share a row with the title block (a sheet stays low);
longer ones go under it (a sheet stays narrow)."""
SWATCH_PX = 52


class DotMissing(Exception):
    """Graphviz `dot` is not installed (usage error, exit 2)."""


class DotFailed(Exception):
    """`dot` ran but failed on a diagram."""


def _label(text: str, html: bool) -> str:
    return f"<{text}>" if html else graphviz.nohtml(dot_text(text))


def _swatch(item: LegendItem, styles: Styles) -> str:
    """One legend entry as cells of a flat row: a fixed-size swatch (a box, or a line for
    edges) and its text. Flat cells, because Graphviz stretches nested tables to fill."""
    if item.kind == "edge":
        a = styles.edge(item.style)
        color = a.get("color", "#5f6368")
        dash = " (dashed)" if "dashed" in a.get("style", "") else ""
        swatch = (f'<td fixedsize="true" width="30" height="3" bgcolor="{color}" '
                  f'valign="middle"></td>')
        text = f"{esc(item.text)}{dash}"
    else:
        a = styles.node(item.style) if item.kind == "node" else styles.cluster(item.style)
        fill = a.get("fillcolor", a.get("bgcolor", "#ffffff"))
        if "filled" not in a.get("style", "filled") and item.kind == "node":
            fill = "#ffffff"
        line = a.get("color", "#5f6368")
        swatch = (f'<td fixedsize="true" width="30" height="14" border="1" color="{line}" '
                  f'bgcolor="{fill}"></td>')
        text = esc(item.text)
    return f'{swatch}<td align="left">{text}</td><td fixedsize="true" width="16" height="1"></td>'


def _wrap(text: str, width: int = NOTE_WIDTH) -> str:
    """Escape and wrap a long note into left-aligned lines."""
    words = text.split()
    lines: list[str] = []
    cur = ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return "".join(f'{esc(line)}<br align="left"/>' for line in lines)


def title_block(graph: Graph) -> str:
    """The title block as an HTML table (label over value, one column per field)."""
    tb = graph.title_block
    if tb is None:
        return ""
    fields = [("DESIGN", tb.design), ("REVISION", tb.revision), ("DATE", tb.date),
              ("STATUS", tb.status), ("SHEET", f"{tb.sheet} of {tb.sheets}"),
              ("SCALE", tb.scale)]
    bad = tb.status not in ("validated clean", "not validated")
    cells = "".join(
        f'<td align="left" valign="top" cellpadding="4"><font point-size="9" color="#5f6368">'
        f'{name}</font><br align="left"/><font point-size="11"'
        + (' color="#d93025"' if bad and name == "STATUS" else "")
        + f'><b>{esc(value) or "-"}</b></font><br align="left"/></td>'
        for name, value in fields)
    return (f'<table border="1" cellborder="1" cellspacing="0" color="#3c4043">'
            f"<tr>{cells}</tr></table>")


def header(graph: Graph, styles: Styles) -> str:
    """HTML label: the title block, then title, subtitle, legend, notes."""
    block = title_block(graph)
    title = f'<font point-size="17"><b>{esc(graph.title)}</b></font>' \
        if graph.title.strip() else ""  # dot refuses an empty <b></b>
    rows: list[str] = []
    if block and len(graph.title) > TITLE_BESIDE_BLOCK:  # the block above a long title
        rows.append(f'<tr><td align="left">{block}</td></tr><tr><td height="4"></td></tr>')
        block = ""
    if block:  # the title, and the title block beside it
        rows.append('<tr><td align="left"><table border="0" cellspacing="0" cellpadding="0">'
                    f'<tr><td align="left" valign="bottom">{title or " "}</td>'
                    f'<td width="24"></td><td align="left">{block}</td></tr></table></td></tr>')
    elif title:
        rows.append(f'<tr><td align="left">{title}</td></tr>')
    for line in (x for x in graph.subtitle if x.strip()):  # dot refuses an empty <font></font>
        rows.append(f'<tr><td align="left"><font point-size="10" color="#3c4043">'
                    f'{esc(line)}</font></td></tr>')
    if graph.legend:
        order = {"node": 0, "cluster": 1, "edge": 2}
        items = sorted(graph.legend, key=lambda i: order[i.kind])  # stable within a kind
        cells = [_swatch(i, styles) for i in items]
        # Graphviz stretches a nested table to its cell and centres fixed-size cells in the
        # stretched columns; a trailing spacer as wide as the header's text keeps the legend
        # packed to the left (estimated width; too wide only adds white space on the right).
        text_px = max([len(graph.title) * TITLE_CHAR_PX] +
                      [len(x) * TEXT_CHAR_PX for x in graph.subtitle] +
                      [min(len(x), NOTE_WIDTH) * TEXT_CHAR_PX for x in graph.notes])
        first = items[:LEGEND_PER_ROW]
        legend_px = sum(SWATCH_PX + len(i.text) * TEXT_CHAR_PX for i in first)
        spacer = max(int(text_px - legend_px), 0)
        trs = []
        for k in range(0, len(cells), LEGEND_PER_ROW):
            pad = f' width="{spacer}"' if k == 0 else ""
            trs.append("<tr>" + "".join(cells[k:k + LEGEND_PER_ROW]) + f"<td{pad}></td></tr>")
        legend = ('<table border="0" cellspacing="3" cellpadding="0">' + "".join(trs) +
                  "</table>")
        rows.append('<tr><td align="left"><font point-size="9" color="#5f6368"><b>LEGEND</b>'
                    '</font></td></tr>')
        rows.append(f'<tr><td align="left"><font point-size="9">{legend}</font></td></tr>')
    for note in (x for x in graph.notes if x.strip()):
        rows.append(f'<tr><td align="left" balign="left"><font point-size="9" color="#5f6368">'
                    f'{_wrap(note)}</font></td></tr>')
    return ('<table border="0" cellspacing="0" cellpadding="2">' + "".join(rows) +
            '<tr><td height="10"></td></tr></table>')


def _diff(attrs: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if base.get(k) != v}


def _cluster(parent: graphviz.Digraph, cl: Cluster, graph: Graph, styles: Styles) -> None:
    with parent.subgraph(name=f"cluster_{cl.id}") as sub:
        attrs = {**styles.cluster(cl.style), "fontname": styles.font}
        sub.attr(label=_label(cl.label, cl.html), **attrs)
        for child in cl.clusters:
            _cluster(sub, child, graph, styles)
        for nid in cl.nodes:
            _node(sub, graph, nid, styles)


def _node(dg: graphviz.Digraph, graph: Graph, nid: str, styles: Styles) -> None:
    n = graph.nodes[nid]
    attrs = _diff({**styles.node(n.style), **n.attrs}, styles.data["node_base"])
    if n.tooltip:
        attrs["tooltip"] = graphviz.nohtml(dot_text(n.tooltip))
    dg.node(n.id, label=_label(n.label, n.html), **attrs)


def to_dot(graph: Graph, styles: Styles | None = None) -> str:
    """Graphviz dot text of a diagram; byte-identical for the same Graph."""
    st = styles or load_styles()
    base = {k: str(v) for k, v in st.data["node_base"].items()}
    edge_base = {k: str(v) for k, v in st.data["edge_base"].items()}
    dg = graphviz.Digraph(
        name=graph.name.replace("-", "_"),
        graph_attr={**st.graph(graph.view), "fontname": st.font,
                    "label": f"<{header(graph, st)}>"},
        node_attr={**base, "fontname": st.font},
        edge_attr={**edge_base, "fontname": st.font},
    )
    in_cluster: set[str] = set()

    def collect(cl: Cluster) -> None:
        in_cluster.update(cl.nodes)
        for child in cl.clusters:
            collect(child)

    for cl in graph.clusters:
        collect(cl)
        _cluster(dg, cl, graph, st)
    for nid in graph.nodes:
        if nid not in in_cluster:
            _node(dg, graph, nid, st)
    for e in graph.edges:
        attrs = _diff({**st.edge(e.style), **e.attrs}, st.data["edge_base"])
        if e.label:
            attrs["label"] = _label(e.label, e.html)
        if e.tooltip:
            attrs["tooltip"] = graphviz.nohtml(dot_text(e.tooltip))
        dg.edge(e.tail, e.head, **attrs)
    for rank in graph.ranks:
        with dg.subgraph() as s:
            s.attr(rank="same")
            for nid in rank:
                s.node(nid)
    source: str = dg.source  # graphviz ships no type information
    return source


MAX_ASPECT = 3.0
"""Size budget: no diagram wider or taller than 3:1 (see docs/diagrams.md)."""
_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def _pipe(dot_text: str, fmt: str) -> bytes:
    try:
        # graphviz.pipe hands dot the whole text through communicate(), which keeps dot's stderr
        # when dot exits early (Source.pipe writes line by line and loses it to a broken pipe)
        out: bytes = graphviz.pipe("dot", fmt, dot_text.encode("utf-8"), quiet=True)
        return out
    except graphviz.ExecutableNotFound as exc:
        raise DotMissing(f"Graphviz `dot` was not found on PATH, needed for --format {fmt}") \
            from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise DotFailed(detail[-1] if detail else str(exc)) from exc
    except BrokenPipeError as exc:  # dot exited before reading its input
        raise DotFailed("dot exited before reading the diagram (broken pipe)") from exc


ORTHO = "splines=ortho"


def _pipe_routed(dot_text: str, fmt: str) -> bytes:
    """`_pipe`, and where dot's orthogonal edge router crashes on a layout (an assertion in
    ortho/maze.c: a known Graphviz bug for some large graphs), the same diagram once more with
    polyline edges instead of failing the whole render."""
    try:
        return _pipe(dot_text, fmt)
    except DotFailed:
        if ORTHO not in dot_text:
            raise
        return _pipe(dot_text.replace(ORTHO, "splines=polyline", 1), fmt)


def svg_size_pt(svg: bytes) -> tuple[float, float]:
    m = _SVG_SIZE.search(svg)
    if m is None:
        raise DotFailed("dot wrote an SVG without a size")
    return float(m[1]), float(m[2])


def _with_ratio(dot_text: str, ratio: float) -> str:
    """Ask dot to stretch the short side of a too-long drawing (`ratio` = height / width)."""
    head, brace, rest = dot_text.partition("{")
    return f"{head}{brace}\n\tratio={ratio:.4f}{rest}"


def render_bytes(dot_text: str, fmt: str) -> bytes:
    """Lay out and draw with the real `dot` binary.

    A layout longer than 3:1 is laid out again with the short side stretched to 3:1 (nodes
    spread apart, nothing scaled down), so every diagram stays within the aspect budget."""
    if fmt == "dot":
        return dot_text.encode("utf-8")
    svg = _pipe_routed(dot_text, "svg")
    w, h = svg_size_pt(svg)
    text = dot_text
    for margin in (0.98, 0.92, 0.8):  # the header and margins do not stretch: aim inside
        if not (w > 0 and h > 0 and max(w, h) / min(w, h) > MAX_ASPECT):
            break
        text = _with_ratio(dot_text, 1 / (MAX_ASPECT * margin) if w > h else MAX_ASPECT * margin)
        svg = _pipe_routed(text, "svg")
        w, h = svg_size_pt(svg)
    return svg if fmt == "svg" else _pipe_routed(text, fmt)
