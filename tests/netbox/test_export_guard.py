"""`export netbox` and the cut sheet share one CSV cell writer with the formula guard, and names
that NetBox would give one slug are an error, never one file replacing another (issue 32)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from superpod_iac.manifest.builtin import builtin_catalogs
from superpod_iac.netbox.slug import clashes, slugify
from superpod_iac.report.escape import CsvCells, GuardedWriter, csv_cell
from tests.conftest import SPECS

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)), min_size=1,
                max_size=5))
def test_no_cell_a_spreadsheet_would_run(cells: list[object]) -> None:
    """Whatever the text, every cell read back is the guarded value: no text cell starts with
    a formula character, and the pieces CsvCells encodes join into the row GuardedWriter
    writes."""
    buf = io.StringIO()
    GuardedWriter(buf).writerow(cells)
    row = next(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert row == [str(csv_cell(c)) for c in cells]
    assert not any(isinstance(c, str) and r.startswith(_FORMULA) for c, r in zip(cells, row,
                                                                                strict=True))
    if cells != [""]:  # a row of one empty cell is written `""` (csv's rule, not ours)
        assert CsvCells()(*cells) + "\n" == buf.getvalue()


@given(st.text(max_size=40))
def test_slugs_are_what_netbox_accepts(text: str) -> None:
    slug = slugify(text)
    assert slug == slugify(slug) and len(slug) <= 100
    assert all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in slug)
    assert slug == slug.lower()


def test_netbox_slug_rule_examples() -> None:
    assert slugify("Vera Rubin NVL144.v2") == "vera-rubin-nvl144-v2"
    assert slugify(" a.b ") == slugify("a-b") == slugify("A b") == "a-b"
    assert clashes(["a.b", "a-b", "c"]) == [("a-b", ["a-b", "a.b"])]


def _design(tmp_path: Path, base_type: str, new_type: str, manufacturer: str | None,
            swap: tuple[str, str] | None = None) -> Path:
    """The NVL72 with a project Catalog holding a copy of the built-in `base_type` named
    `new_type` (its manufacturer replaced when given); `swap` replaces a line of cabinet.yaml
    (to put a device on the new type)."""
    design = tmp_path / "design"
    shutil.copytree(SPECS / "gb200-nvl72", design)
    base = next(t for m in builtin_catalogs() for t in m.model.spec.device_types
                if t.name == base_type)
    doc = base.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    doc["name"] = new_type
    if manufacturer is not None:
        doc["manufacturer"] = manufacturer
    with (design / "parts.yaml").open("w") as fh:
        YAML().dump({"apiVersion": "superpod-iac/v1alpha1", "kind": "Catalog",
                     "metadata": {"name": "parts"}, "spec": {"device_types": [doc]}}, fh)
    if swap is not None:
        cab = design / "cabinet.yaml"
        assert swap[0] in cab.read_text()
        cab.write_text(cab.read_text().replace(*swap))
    return design


def test_export_netbox_cells_are_formula_guarded(cli, tmp_path: Path) -> None:
    design = _design(tmp_path, "nvlink-switch-tray", "nvlink-switch-tray",  # an override
                     "=HYPERLINK(\"http://x\")")
    res = cli("export", "netbox", str(design), "--out", str(tmp_path / "nb"))
    assert res.code == 0, res.out + res.err
    makers = [r["name"] for r in csv.DictReader((tmp_path / "nb" / "manufacturers.csv").open())]
    devices = [r["manufacturer"] for r in csv.DictReader((tmp_path / "nb" / "devices.csv").open())]
    assert "'=HYPERLINK(\"http://x\")" in makers and "'=HYPERLINK(\"http://x\")" in devices
    assert not any(v.startswith(_FORMULA) for v in makers + devices)


def test_types_with_one_slug_are_an_error_not_a_lost_file(cli, tmp_path: Path) -> None:
    design = _design(tmp_path, "gb200-compute-tray", "gb200.compute.tray", None, (
        '{name: "tray[01-10]", type: gb200-compute-tray, u: "[22-31]"}',
        '{name: "tray01", type: gb200.compute.tray, u: 22}\n'
        '    - {name: "tray[02-10]", type: gb200-compute-tray, u: "[23-31]"}'))
    res = cli("export", "netbox", str(design), "--out", str(tmp_path / "nb"))
    assert res.code == 2, res.out + res.err
    assert "'gb200-compute-tray' and 'gb200.compute.tray'" in res.err, res.err
    assert not (tmp_path / "nb").exists()  # nothing written
