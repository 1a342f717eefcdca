"""Links between the report's findings, diagram nodes and cut-sheet rows, and back.

Every id in the page comes from one slug function (`netbox.slug.slugify`, the package's one
slug rule) through `Anchors.make`, which keeps ids unique within the page: the same design
gives the same ids run after run, so a link to `#finding-pwr004-rk2-a` stays valid.

A finding's subjects are the design objects its message names (`cabinet rk1`, `feed rk2-A`,
`shelf rk1/shelf-a` -> `rk1/shelf-a` and `rk1`), looked up among the inventory's names. A
diagram node names objects in its id (`p_rk2-A`), its text and its tooltip; a folded node's
nodeset (`nvl72-[01-08]`) names each member. Each finding links to the first node naming its
most specific subject in each diagram; each such node links back to its findings.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from superpod_iac.netbox.slug import slugify

_NODE = re.compile(r'<g id="([^"]+)" class="(node|cluster)">')
_TITLE = re.compile(r"<title>([^<]*)</title>")
_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")
_TIP = re.compile(r'xlink:title="([^"]*)"')
_PREFIX = re.compile(r"^(?:cluster_)?[a-z]{1,3}\d*_")
_TOKEN = re.compile(r"[^\s,;()'\"`]+")
_TRAIL = ".,:;!?"
MAX_NODESET = 4096
"""Members of one folded node's nodeset looked at, at most (labels are short; a bound)."""
MAX_TOKENS = 400
"""Tokens of one node read, at most (a node is a box, not a table)."""


@dataclass
class Anchors:
    """Unique ids for the page, all from one slug function."""

    used: set[str] = field(default_factory=set)

    def make(self, *parts: str) -> str:
        base = slugify("-".join(p for p in parts if p)) or "x"
        out, k = base, 2
        while out in self.used:
            out, k = f"{base}-{k}", k + 1
        self.used.add(out)
        return out


@dataclass
class NodeRef:
    diagram: str
    """The diagram's name (`power-pod`)."""
    title: str
    """The diagram's title, for the link text."""
    anchor: str
    """The node's id in the page."""


def subjects(message: str, known: Callable[[str], bool]) -> list[str]:
    """The object names a finding's message names, most specific first, each once:
    `shelf rk1/shelf-a fails` -> [`rk1/shelf-a`, `rk1`]; a port `rk1/host1:osfp1` gives its
    device and cabinet."""
    out: list[str] = []
    for raw in _TOKEN.findall(message):
        tok = raw.strip(_TRAIL)
        for cand in _narrower(tok):
            if cand not in out and known(cand):
                out.append(cand)
    out.sort(key=lambda s: (-s.count("/"), -s.count(":")))  # stable: message order within
    return out


def _narrower(tok: str) -> list[str]:
    """`c/d:p` -> [`c/d:p`, `c/d`, `c`]."""
    out = [tok]
    if ":" in tok:
        tok = tok.split(":", 1)[0]
        out.append(tok)
    while "/" in tok:
        tok = tok.rsplit("/", 1)[0]
        out.append(tok)
    return out


def _expand(token: str) -> Iterable[str]:
    if "[" not in token:
        return (token,)
    try:
        from ClusterShell.NodeSet import NodeSet, NodeSetParseError

        ns = NodeSet(token)
        if len(ns) > MAX_NODESET:
            return (token,)
        return list(ns)
    except (ImportError, NodeSetParseError, ValueError):
        return (token,)


def node_names(block: str, title: str) -> list[str]:
    """The names one SVG node group shows: its id (less the view's prefix), its text and its
    tooltip, folded nodesets expanded."""
    words = [_PREFIX.sub("", title)]
    for m in _TEXT.finditer(block):
        words.extend(_TOKEN.findall(html.unescape(m.group(1))))
    for m in _TIP.finditer(block):
        words.extend(_TOKEN.findall(html.unescape(m.group(1))))
    out: list[str] = []
    for w in words[:MAX_TOKENS]:
        w = w.strip(_TRAIL)
        if w:
            out.extend(_expand(w))
    return out


def annotate_svg(svg: str, diagram: str, anchors: Anchors,
                 index: dict[str, list[tuple[str, str]]],
                 known: Callable[[str], bool]) -> str:
    """Give each node and cluster group of a dot SVG a page id from the slug function, and
    record in `index` which design objects it shows: name -> [(diagram, id)]."""
    out: list[str] = []
    pos = 0
    matches = list(_NODE.finditer(svg))
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(svg)
        block = svg[m.end():end]
        t = _TITLE.search(block)
        title = html.unescape(t.group(1)) if t else m.group(1)
        anchor = anchors.make("n", diagram, _PREFIX.sub("", title))
        out.append(svg[pos:m.start()])
        out.append(f'<g id="{anchor}" class="{m.group(2)}">')
        pos = m.end()
        for name in dict.fromkeys(node_names(block, title)):
            if known(name):
                refs = index.setdefault(name, [])
                if not refs or refs[-1][0] != diagram:  # the first node per diagram
                    refs.append((diagram, anchor))
    out.append(svg[pos:])
    return "".join(out)


def flag_nodes(svg: str, flagged: dict[str, list[str]]) -> str:
    """Mark the nodes findings point at: class `flagged`, focusable, and the ids of their
    findings (the page's script follows them on click, Enter or Space)."""
    if not flagged:
        return svg

    def sub(m: re.Match[str]) -> str:
        ids = flagged.get(m.group(1))
        if not ids:
            return m.group(0)
        return (f'<g id="{m.group(1)}" class="{m.group(2)} flagged" tabindex="0" '
                f'role="link" data-findings="{" ".join(ids)}">')

    return _NODE.sub(sub, svg)
