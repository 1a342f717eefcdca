"""Published-figure tables in the reference designs' READMEs.

Each spec README holds a table between `<!-- figures:begin -->` and `<!-- figures:end -->`:

    | figure | tool | published | source | difference | note |

`figure` is a metric of `superpod summary` for the spec's system (its cluster, else its largest
superpod); `published` starts with the published number in the metric's unit (anything after
it is kept as text); `source` and `note` are free text. `make docs` rewrites the `tool` and
`difference` columns from the tool's output, so the table cannot drift from what the tool
computes; a difference above 2 % must carry a note (explained, or `unconfirmed`).
"""

from __future__ import annotations

import re
from pathlib import Path

BEGIN = "<!-- figures:begin -->"
END = "<!-- figures:end -->"
HEADER = ["figure", "tool", "published", "source", "difference", "note"]
TOLERANCE_PCT = 2.0
"""Differences above this need a note (issue 14)."""

_NUMBER = re.compile(r"^\s*~?\s*([-+]?[\d,]*\.?\d+)")
_CACHE: dict[str, dict[str, tuple[object, str]]] = {}


def spec_metrics(folder: Path) -> dict[str, tuple[object, str]]:
    """metric -> (value, unit) of the spec's system, as `superpod summary` shows them."""
    key = str(folder.resolve())
    if key not in _CACHE:
        from superpod_iac.config import Config
        from superpod_iac.metrics import pick_system, summary_rows
        from superpod_iac.pipeline import load_project

        inv = load_project([str(folder)], Config(select=["SCH", "REF"])).inventory
        label, _c = pick_system(inv, None)
        _cols, rows = summary_rows(inv)
        _CACHE[key] = {str(r[1]): (r[2], str(r[3])) for r in rows if r[0] == label}
    return _CACHE[key]


def parse_number(text: str) -> float | None:
    m = _NUMBER.match(text.replace("\u2009", ""))
    if not m or not any(ch.isdigit() for ch in m.group(1)):
        return None
    return float(m.group(1).replace(",", ""))


def fmt(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == int(value) and abs(value) >= 1:
            return f"{int(value):,}"
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.3g}"
    return str(value)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_rows(text: str) -> list[list[str]]:
    """The figure rows of a README (cells as written), [] without a figures table."""
    if BEGIN not in text:
        return []
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    lines = [ln for ln in body.strip().splitlines() if ln.strip().startswith("|")]
    rows = [_cells(ln) for ln in lines[2:]]
    return [r + [""] * (len(HEADER) - len(r)) for r in rows]


def render_rows(folder: Path, rows: list[list[str]]) -> list[list[str]]:
    metrics = spec_metrics(folder)
    out = []
    for r in rows:
        figure, _tool, published, source, _diff, note = r[:6]
        value, unit = metrics.get(figure, (None, ""))
        tool = "n/a" if value is None else f"{fmt(value)} {unit}".strip()
        pub = parse_number(published)
        diff = ""
        if isinstance(value, int | float) and pub:
            diff = f"{(float(value) - pub) / pub * 100:+.1f} %"
        out.append([figure, tool, published, source, diff, note])
    return out


def differences_unexplained(rows: list[list[str]]) -> list[str]:
    """Figures whose difference is above the tolerance with no note."""
    bad = []
    for r in rows:
        d = parse_number(r[4].replace("+", "")) if r[4] else None
        if d is not None and abs(d) > TOLERANCE_PCT and not r[5]:
            bad.append(r[0])
    return bad


def to_md(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def readme_text(folder: Path) -> str:
    """The README with its figures table's tool and difference columns regenerated."""
    path = folder / "README.md"
    text = path.read_text(encoding="utf-8")
    rows = table_rows(text)
    if not rows:
        return text
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{to_md(render_rows(folder, rows))}\n{END}{tail}"


def spec_folders(root: str = "specs") -> list[Path]:
    base = Path(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "README.md").is_file())
