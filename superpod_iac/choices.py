"""The names each registry answers to, in a module that imports nothing, so that the command
line (`superpod --help`, argument parsing) lists them without importing Graphviz, numpy or
openpyxl. Each implementation builds its dispatch table with `table()` from these names, which
refuses a table whose keys differ: the list and the implementation cannot drift apart.

Reporters (`superpod validate --format`) are not here: `superpod_iac.report.REPORTERS` is light
and is the list itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

VIEWS = ("wiring", "power", "cooling", "elevation")
"""`superpod render --view`: render.VIEW_JOBS."""
LEVELS = ("cluster", "pod", "cabinet")
"""`superpod render --level` (wiring only): render.wiring_jobs."""
RENDER_FORMATS = ("svg", "png", "dot")
"""`superpod render --format`: render.emit.render_bytes (Graphviz output formats)."""
BOM_FORMATS = ("csv", "json", "md", "xlsx")
"""`superpod bom --format`: bom.table.FORMATS."""
BOM_GROUP_BY = ("hall", "row", "cabinet", "superpod")
"""`superpod bom --group-by`: bom.lines.GROUPS."""
TABLE_FORMATS = ("table", "json", "md")
"""`superpod summary|compare --format`: bom.table.TABLE_FORMATS."""
CABLING_FORMATS = ("csv", "json", "html")
"""`superpod cabling --format`: cabling.WRITERS (html is the label sheet)."""
PORTMAP_FORMATS = ("csv", "json", "xlsx", "html")
"""`superpod portmap --format`: bom.portmap.WRITERS (html is the print-ready sheet)."""
DIFF_FORMATS = ("text", "json", "md")
"""`superpod diff --format`: diff.render.FORMATS."""
VERIFY_FORMATS = ("text", "json", "csv", "md")
"""`superpod verify --format`: verify.output.FORMATS."""
VERIFY_FAIL_ON = ("any", "faults", "never")
"""`superpod verify --fail-on`: verify.commands.FAIL_ON."""
IMPORT_REDUNDANCY = ("N+N", "2N", "N+1", "N")
"""`superpod import netbox --redundancy`: netbox.importer._REDUNDANCY_SHARE (PSUs sharing the
load under each scheme)."""

V = TypeVar("V")


def table(names: tuple[str, ...], impl: Mapping[str, V]) -> dict[str, V]:
    """`impl` as a dict in the order of `names`; a name without an implementation, or an
    implementation without a name, is a programming error caught at import."""
    if set(impl) != set(names):
        raise ValueError(f"registry keys {sorted(impl)} differ from the declared names "
                         f"{list(names)} (superpod_iac/choices.py)")
    return {name: impl[name] for name in names}
