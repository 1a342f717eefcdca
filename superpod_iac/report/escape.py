"""Escaping of user-controlled text for the sinks that show it: terminal and CI logs,
GitHub-flavoured markdown (pull-request comments), HTML, SARIF message text, CSV cells. One
helper per sink kind; every writer of that kind goes through it (dot labels have theirs in
render/labels.py, a lower stage).

A name, a field or a file path comes from the manifests, which may be hostile: an ANSI escape
could recolour or erase lines of a log, a carriage return could overwrite a finding, and
bidirectional overrides could make text read differently from what it is (Trojan Source,
CVE-2021-42574). Each such character is shown as a visible escape instead.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable
from typing import IO, Any

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """`text` with control characters and bidi overrides made visible (one line, no escapes)."""
    return _UNSAFE.sub(_visible, text)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, tab or
    carriage return is prefixed with `'` (OWASP CSV injection); numbers pass unchanged."""
    if type(value) is str and value[:1] in _FORMULA:
        return "'" + value
    return value


def csv_row(row: list[object]) -> list[object]:
    return [csv_cell(v) for v in row]


_MD_SPECIAL = re.compile(
    r"[\\`*<|~&#$\[\]]"               # code, emphasis, HTML, tables, strikethrough, entities, math
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"  # `_` that could open or close emphasis
    r"|:(?=//)|(?<=mailto):|(?<=xmpp):"  # autolinks by scheme
    r"|(?<=www)\.",                       # autolinks by www.
    re.IGNORECASE)
_MD_NOTIFY = re.compile(r"[@#]")
ZWSP = "&#8203;"
"""A zero-width space, written as an entity so the markdown source shows no invisible
character: after `@` it stops a mention (and an email autolink), after `#` an issue link."""


def markdown(text: str) -> str:
    """Text for GitHub-flavoured markdown, shown as written and never acting: no HTML
    (`<img>`, `</details>`, `<!--`), no link or autolink (`[x](y)`, `https://`, `www.`,
    `a@b.c`), no emphasis, code, table cell break or math, no @mention or #issue reference;
    control characters and bidi overrides are shown as visible escapes, so the text stays on
    one line. For inline places: a table cell, a heading's or list item's text after its
    marker, prose after other text (never the first thing on a line, where `- ` or `1. `
    would still open a block)."""
    out = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), terminal(text))
    return _MD_NOTIFY.sub(lambda m: m.group(0) + ZWSP, out)


def markdown_code(text: str) -> str:
    """Text as one inline code span (nothing inside acts): fenced with more backticks than
    it holds in a row; controls and bidi overrides visible."""
    shown = terminal(text)
    fence = "`" * (max((len(r) for r in re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown[:1] in ("`", " ") or shown[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


_HTML_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")


def html_text(value: object) -> str:
    """Text for HTML (element content or a quoted attribute): entities for `&<>"'`, control
    characters and bidi overrides as visible escapes (line breaks and tabs kept, for <pre>)."""
    text = "" if value is None else str(value)
    return html.escape(_HTML_UNSAFE.sub(_visible, text))


_CSS_SAFE = re.compile(r"[A-Za-z0-9 _.,:;/+()%#@=-]")


def css_string(value: object) -> str:
    """A quoted CSS string (the print stylesheet's page footer) for any text: controls and
    bidi overrides visible first, then every character outside a plain set as a six-digit CSS
    escape, so no quote, backslash, `<` or line break of a name can end the string, the rule
    or the <style> element."""
    text = terminal("" if value is None else str(value))
    body = "".join(ch if _CSS_SAFE.fullmatch(ch) else f"\\{ord(ch):06x}" for ch in text)
    return f'"{body}"'


def sarif_text(text: str) -> str:
    """SARIF message text: controls visible, and `\\`, `[`, `]` escaped (SARIF 2.1.0
    3.11.6), so a name cannot forge an embedded link that a viewer would render."""
    return re.sub(r"[\\\[\]]", lambda m: "\\" + m.group(0), terminal(text))
def _quoted(cell: object) -> str:
    text = str(cell)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Rows:
    """Rows as `csv.writer(lineterminator="\\n")` writes them, except that a cell holding a
    carriage return is quoted too (Python 3.11's writer quotes only the characters of its line
    terminator, so `a\\rb` would come out bare and end the row early in a spreadsheet)."""

    def __init__(self) -> None:
        self.buf = io.StringIO()
        self.w = csv.writer(self.buf, lineterminator="\n")

    def __call__(self, cells: list[object]) -> str:
        if any(type(c) is str and "\r" in c for c in cells):
            return ",".join(_quoted(c) for c in cells) + "\n"
        self.buf.seek(0)
        self.buf.truncate()
        self.w.writerow(cells)
        return self.buf.getvalue()


class GuardedWriter:
    """The one CSV writer of the package (cut sheet, labels, NetBox export): every cell
    passes `csv_cell` (the formula guard), None is an empty cell, and a carriage return inside
    a cell is quoted."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.rows = _Rows()

    def writerow(self, row: Iterable[object]) -> None:
        self.out.write(self.rows(["" if v is None else csv_cell(v) for v in row]))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class CsvCells:
    """Cells encoded exactly as `GuardedWriter` writes them inside a row (same quoting, after
    `csv_cell`), so rows can be joined from pieces encoded once per device, port, cable."""

    def __init__(self) -> None:
        self.rows = _Rows()

    def __call__(self, *cells: Any) -> str:
        """One cell or more (a lone empty cell is written `""`, never so inside a row: a
        trailing empty cell is added and cut off)."""
        return self.rows(["" if v is None else csv_cell(v) for v in (*cells, "")])[:-2]

    def plain(self, text: str) -> bool:
        """`text` needs no quoting anywhere inside a cell (quoting is decided per character)."""
        return self(text) == text
