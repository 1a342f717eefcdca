"""Text for diagram labels: escaping, number formatting, folding names into nodesets.

Formatting only: every figure arrives computed (model/), these functions just print it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from superpod_iac.model.expand import fold as fold  # one fold: the messages' (re-exported)
from superpod_iac.numbers import kw_rating as kw_rating  # the render modules import these
from superpod_iac.numbers import kw_scaled, num

kw = kw_scaled

_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff]")
"""Characters a diagram must not carry raw: C0/C1 controls (XML, which HTML-like labels are
parsed as, forbids most of them), bidi overrides (Trojan Source), lone surrogates and the
non-characters U+FFFE/U+FFFF. Each is drawn as a visible escape (`\\x07`, `\\u202e`)."""


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def esc(text: str) -> str:
    """Escape text for a Graphviz HTML-like label (the dot sink's escaping for HTML labels)."""
    out = (_CONTROL.sub(_visible, text).replace("&", "&amp;").replace("<", "&lt;")
           .replace(">", "&gt;").replace('"', "&quot;"))
    if out and not out.strip("]"):  # dot 2.43 fails on a text of only `]` (`<b>]]</b>`)
        out = out.replace("]", "&#93;")
    return out


def dot_text(text: str) -> str:
    """Escape text for a plain (quoted) Graphviz label or tooltip, drawn exactly as written.

    Graphviz reads backslashes in a label as its own escapes (`\\n`, `\\l`, `\\N` is the
    node's name) and a label ending in one backslash swallows the closing quote, so every
    backslash is doubled; line breaks become dot's `\\n`; control characters are drawn as
    visible escapes. Quotes are left to the graphviz package, which escapes them."""
    return "\\n".join(_CONTROL.sub(_visible, line).replace("\\", "\\\\")
                       for line in text.split("\n"))


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} %"


def lpm(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} L/min"


def count(n: int) -> str:
    return num(n)


def n_of(n: int, word: str) -> str:
    """`1 cabinet`, `16 cabinets`, `1,296 links` (plural by appending s)."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def file_part(name: str) -> str:
    """A name made safe for a file name or a Graphviz id (`cm384-001.c03` stays). When
    sanitising changes the name, `~` and a hash of the original are appended (`a/b` ->
    `a_b~1f9a2c3d`): `~` never occurs in a name kept as it is, so two names never share a
    file or a node (`a_b` stays `a_b`, and no name can spell another's hashed form)."""
    safe = _SAFE_ID.sub("_", name).strip("_").lstrip(".") or "unnamed"
    if safe == name:
        return safe
    import hashlib

    return f"{safe}~{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def lines(*rows: str) -> str:
    """Plain multi-line label (Graphviz `\\n`, centred)."""
    return "\n".join(r for r in rows if r)


def html_rows(title: str, rows: Iterable[str], *, title_size: int = 10,
              color: str = "#202124") -> str:
    """An HTML label: a bold title line and plain detail lines (already escaped)."""
    body = "".join(f'<tr><td align="left">{r}</td></tr>' for r in rows if r)
    return (f'<table border="0" cellspacing="0" cellpadding="1">'
            f'<tr><td align="left"><font point-size="{title_size}" color="{color}">'
            f"<b>{title}</b></font></td></tr>{body}</table>")
