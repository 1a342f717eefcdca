"""`superpod portmap`: the port map agrees with the cut sheet row for row, numbers bundles the
way the cabinet wiring diagram does, and prints (a real Chromium prints the HTML sheet)."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac import cabling
from superpod_iac.bom import portmap
from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT

MINI = ROOT / "tests" / "fixtures" / "render" / "mini" / "design.yaml"
CM = str(ROOT / "specs" / "cloudmatrix-384")
CHROMIUM = os.environ.get("SUPERPOD_CHROMIUM", "/usr/bin/chromium")
_P = {c: i for i, c in enumerate(portmap.COLUMNS)}
_C = {c: i for i, c in enumerate(cabling.COLUMNS)}

# every data port of the mini design (its fabric document is replaced by the drawn links)
_PORTS = ([f"rk{r}/host{h}:osfp{p}" for r in (1, 2) for h in range(1, 5) for p in range(1, 5)]
          + [f"net1/leaf{s}:p{p:02d}" for s in (1, 2) for p in range(1, 33)])


def _mini_without_fabric() -> str:
    docs = MINI.read_text(encoding="utf-8").split("\n---\n")
    return "\n---\n".join(d for d in docs if "kind: Fabric" not in d)


def _load(text: str) -> Inventory:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "design.yaml"
        path.write_text(text, encoding="utf-8")
        project = load_project([str(path)], Config(select=["SCH", "REF"]))
    assert not project.errors, [d.message for d in project.diagnostics]
    return project.inventory


@st.composite
def _designs(draw: st.DrawFn) -> str:
    """The mini design with 1-30 links between distinct random ports (inside a cabinet, between
    cabinets, host to host, switch to switch), in a random order."""
    ports = draw(st.lists(st.sampled_from(_PORTS), min_size=2, max_size=60, unique=True))
    ports = ports[:len(ports) // 2 * 2]
    links = "".join(f'    - {{a: "{a}", b: "{b}"}}\n' for a, b in zip(ports[::2], ports[1::2],
                                                                           strict=True))
    return (_mini_without_fabric() + "\n---\napiVersion: superpod-iac/v1alpha1\nkind: Fabric\n"
            "metadata: {name: mini-scale-out}\nspec:\n  plane: scale-out\n  media:\n"
            "    - {max_length_m: 3, cable: dac-400g}\n"
            "    - {max_length_m: 100, cable: mmf-om4-mpo12, transceiver: 400g-sr4.2}\n"
            "  links:\n" + links)


def _check_against_cut_sheet(inv: Inventory) -> None:
    cut = {r[_C["link_id"]]: r for r in cabling.rows(inv)}
    rows = list(portmap.rows(inv))
    seen = Counter(r[_P["link_id"]] for r in rows)
    assert set(seen) == set(cut) and set(seen.values()) == {2}, "every link once per end"
    for r in rows:
        c = cut[r[_P["link_id"]]]
        end = r[_P["end"]].lower()
        assert r[_P["cable_id"]] == c[_C["cable_id"]]
        assert r[_P["length_m"]] == c[_C["length_m"]]
        assert (r[_P["cabinet"]], r[_P["device"]], r[_P["port"]]) == \
            (c[_C[f"{end}_cabinet"]], c[_C[f"{end}_device"]], c[_C[f"{end}_port"]])
        far = "b" if end == "a" else "a"
        assert (r[_P["peer_cabinet"]], r[_P["peer_device"]], r[_P["peer_port"]]) == \
            (c[_C[f"{far}_cabinet"]], c[_C[f"{far}_device"]], c[_C[f"{far}_port"]])
        assert r[_P["transceiver"]] == c[_C[f"transceiver_{end}"]]
        assert r[_P["route"]] == c[_C["route"]]
    _check_bundles(inv, rows)
    buf = io.StringIO()
    portmap.write_csv(inv, buf)
    assert buf.getvalue() == _row_by_row_csv(inv)


def _check_bundles(inv: Inventory, rows: list[list[Any]]) -> None:
    """Bundles are numbered W1..Wk per cabinet in order of first appearance, one bundle never
    mixes device types, fabrics or peer cabinets, and a link inside a cabinet has one bundle."""
    per_cab: dict[str, list[int]] = defaultdict(list)
    kind: dict[tuple[str, str], set[tuple[str, ...]]] = defaultdict(set)
    inside: dict[tuple[str, str], set[str]] = defaultdict(set)
    dtype = {(d.cabinet, d.name): d.type_name for d in inv.devices}
    for r in rows:
        cab, w = r[_P["cabinet"]], r[_P["bundle"]]
        n = int(w[1:])
        if n not in per_cab[cab]:
            per_cab[cab].append(n)
        types = tuple(sorted([dtype[(cab, r[_P["device"]])],
                              dtype[(r[_P["peer_cabinet"]], r[_P["peer_device"]])]]))
        here = r[_P["peer_cabinet"]] == cab
        kind[(cab, w)].add((r[_P["fabric"]], *types, "" if here else r[_P["peer_cabinet"]]))
        if here:
            inside[(cab, r[_P["link_id"]])].add(w)
    for numbers in per_cab.values():
        assert numbers == list(range(1, len(numbers) + 1))
    assert all(len(v) == 1 for v in kind.values())
    assert all(len(v) == 1 for v in inside.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_designs())
def test_every_link_appears_once_per_end_with_the_cut_sheets_cable_id(text: str) -> None:
    _check_against_cut_sheet(_load(text))


@pytest.mark.parametrize("spec", ["cloudmatrix-384", "gb200-nvl72", "dgx-superpod-su"])
def test_reference_specs_agree_with_the_cut_sheet(spec: str) -> None:
    inv = load_project([str(ROOT / "specs" / spec)], Config(select=["SCH", "REF"])).inventory
    _check_against_cut_sheet(inv)


def test_csv_is_formula_guarded_and_cabinets_filter(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "pm.csv"
    res = cli("portmap", CM, "--cabinet", "c0[1-2]", "--out", str(out))
    assert res.code == 0, res.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["cabinet"] for r in rows} == {"c01", "c02"}
    assert len(rows) == 2 * 4 * 121  # 4 nodes x (112 UB + 8 RDMA + 1 VPC) ports each
    assert cli("portmap", CM, "--cabinet", "nope*").code == 2


def test_csv_cells_never_become_formulas() -> None:
    inv = load_project([CM], Config(select=["SCH"])).inventory
    inv.cabinets["c01"].devices[0].name = "=HYPERLINK(1)"
    inv.cache.clear()
    buf = io.StringIO()
    portmap.write_csv(inv, buf, ["c01"])
    assert "'=HYPERLINK(1)" in buf.getvalue() and "\n=HYPER" not in buf.getvalue()


def test_xlsx_has_one_sheet_per_cabinet(cli: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "pm.xlsx"
    assert cli("portmap", CM, "--format", "xlsx", "--cabinet", "s1", "--cabinet", "c12",
               "--out", str(out)).code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["c12", "s1"]
    assert [c.value for c in wb["s1"][1]] == portmap.COLUMNS


def test_html_sheet_limit_is_a_usage_error(cli: Any) -> None:
    res = cli("portmap", str(ROOT / "specs" / "cluster-432xcm384"), "--format", "html")
    assert res.code == 2 and "--cabinet" in res.err


def test_printed_port_map_keeps_every_row(tmp_path: Path) -> None:
    """The CloudMatrix 384 compute cabinet printed to PDF by Chromium: every port row is on
    paper (no table cut off), each page A4 landscape, the header repeated."""
    from playwright.sync_api import sync_playwright

    inv = load_project([CM], Config(select=["SCH", "REF"])).inventory
    buf = io.StringIO()
    portmap.write_html(inv, buf, ["c01", "s1"], "cloudmatrix-384")
    page_html = tmp_path / "pm.html"
    page_html.write_text(buf.getvalue(), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(page_html.as_uri())
        shown = page.eval_on_selector_all("section.cabinet tbody tr", "rs => rs.length")
        titles = page.eval_on_selector_all(".title", "ts => ts.map(t => t.textContent)")
        pdf = page.pdf(prefer_css_page_size=True)
        browser.close()
    expected = len(portmap.section_rows(inv, "c01")) + len(portmap.section_rows(inv, "s1"))
    keys = sum(len(portmap.bundle_keys(portmap.section_rows(inv, c))) for c in ("c01", "s1"))
    assert shown == expected + keys
    assert "sheet1 of 2" in titles[0] and "sheet2 of 2" in titles[1]
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    # every row printed: at least one landscape A4 page per 45 rows, none per page more
    assert len(boxes) >= (expected + keys) // 45
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}


@pytest.mark.parametrize(("spec", "cabinet"), [("cloudmatrix-384", "c01"),
                                               ("cloudmatrix-384", "s1"),
                                               ("gb200-nvl72", "nvl72-01")])
def test_the_cabinet_wiring_names_exactly_the_port_maps_bundles(spec: str, cabinet: str) -> None:
    """Every bundle of the cabinet's port map is on its wiring diagram (an edge or a box), and
    the drawing names no bundle the table lacks; no label carries nodeset brackets."""
    from superpod_iac.model.portends import bundle_name
    from superpod_iac.render import plan

    inv = load_project([str(ROOT / "specs" / spec)], Config(select=["SCH", "REF"])).inventory
    job = next(j for j in plan(inv, ["wiring"], ["cabinet"], spec)
               if j.name == f"wiring-cabinet-{cabinet}")
    graph = job.build()
    text = " ".join([e.label for e in graph.edges] + [n.label for n in graph.nodes.values()])
    drawn: set[int] = set()
    for m in re.finditer(r"W(\d+)(?:–W(\d+))?", text):
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        drawn.update(range(lo, hi + 1))
    table = {int(r[_P["bundle"]][1:]) for r in portmap.section_rows(inv, cabinet)}
    assert drawn == table, (sorted(drawn), sorted(table))
    assert bundle_name(1) == "W1"
    labels = [e.label for e in graph.edges if e.label]
    assert labels and not any(re.search(r"\w\[[0-9]", lab) for lab in labels)


def test_report_section_hook_gives_whole_cabinets_within_the_limit() -> None:
    inv = load_project([CM], Config(select=["SCH", "REF"])).inventory
    cols, rows, total = portmap.report_section(inv, limit=1000)
    assert cols == portmap.COLUMNS and total == 2 * len(inv.links)
    assert [r[_P["cabinet"]] for r in rows] == ["c01"] * 484 + ["c02"] * 484
    assert rows == portmap.section_rows(inv, "c01") + portmap.section_rows(inv, "c02")
    _, one, _ = portmap.report_section(inv, limit=1)  # a cabinet is never cut
    assert len(one) == 484


def _row_by_row_csv(inv: Inventory, cabinets: list[str] | None = None) -> str:
    from superpod_iac.report.escape import GuardedWriter

    buf = io.StringIO()
    w = GuardedWriter(buf)
    w.writerow(portmap.COLUMNS)
    w.writerows(portmap.rows(inv, cabinets))
    return buf.getvalue()


@pytest.mark.parametrize("spec", ["cloudmatrix-384", "gb200-nvl72"])
def test_joined_csv_is_the_guarded_writers_bytes(spec: str) -> None:
    inv = load_project([str(ROOT / "specs" / spec)], Config(select=["SCH", "REF"])).inventory
    buf = io.StringIO()
    assert portmap.write_csv(inv, buf) == 2 * len(inv.links)
    assert buf.getvalue() == _row_by_row_csv(inv)


def test_names_needing_quotes_take_the_guarded_path() -> None:
    inv = load_project([CM], Config(select=["SCH"])).inventory
    cab = inv.cabinets["c01"]
    cab.hall = '=evil,"hall"'  # in the cable ID prefix: the joined path must step aside
    inv.devices[cab.devices[0].index].name = "+x"
    inv.cache.clear()
    buf = io.StringIO()
    portmap.write_csv(inv, buf, ["c01", "s1"])
    assert buf.getvalue() == _row_by_row_csv(inv, ["c01", "s1"])
    assert "'+x" in buf.getvalue() and "\"'=EVIL" in buf.getvalue()
