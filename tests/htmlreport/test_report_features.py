"""The HTML report's features in a real headless Chromium (Debian's `chromium` through
Playwright, as tests/test_report_browser.py): sort headers operated by keyboard, a finding's
link to its diagram node and its cut-sheet rows and back, the page's number format against
numbers.num, and printing to PDF (one diagram per landscape sheet, scaled to fit, every table
row, no controls, the footer's sheet n of m).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.htmlreport import Revision, build_report
from superpod_iac.numbers import num
from tests.conftest import FIXTURES, SPECS
from tests.htmlreport.test_report_browser import ARGS, CHROMIUM

PAGE_W_MM, PAGE_H_MM = 297.0, 210.0
"""A4 landscape (report.css `@page`)."""
MARGIN_MM = (10.0, 10.0, 14.0, 10.0)
"""top, right, bottom, left (report.css `@page`)."""
PX_PER_MM = 96 / 25.4
CONTENT_W = (PAGE_W_MM - MARGIN_MM[1] - MARGIN_MM[3]) * PX_PER_MM
CONTENT_H = (PAGE_H_MM - MARGIN_MM[0] - MARGIN_MM[2]) * PX_PER_MM
REVISION = Revision("0123456789abcdef0123456789abcdef01234567", True, "2026-12-01")
PRINTED = ("gb200-nvl72", "cloudmatrix-384", "cluster-432xcm384")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, tmp_path: Path, design: Path, name: str, **viewport: int):  # type: ignore[no-untyped-def]
    html_file = tmp_path / f"{name}.html"
    html_file.write_text(build_report([str(design)], Config(), title=name, revision=REVISION),
                         encoding="utf-8")
    page = browser.new_page(viewport=viewport or {"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(html_file.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    return page, errors, html_file


def _numbers(text: str) -> float:
    return float(text.replace(",", "")) if text else float("inf")


def test_sort_headers_work_by_keyboard(browser, tmp_path: Path) -> None:
    """Tab reaches a header's sort button; Enter sorts ascending, Space descending, and the
    header's aria-sort says so."""
    page, errors, _ = _open(browser, tmp_path, SPECS / "gb200-nvl72", "nvl72")
    page.focus("#bom-data-widget input.filter")
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.closest('#bom-data-widget th')"
                             "?.dataset.name ?? null")
        if name == "quantity":
            break
    else:
        pytest.fail("Tab never reached the quantity header")
    th = "#bom-data-widget th[data-name='quantity']"
    col = int(page.get_attribute(th, "data-col") or -1)
    cells = f"rows => rows.map(r => r.children[{col}].textContent)"
    page.keyboard.press("Enter")
    assert page.get_attribute(th, "aria-sort") == "ascending"
    values = [_numbers(t) for t in page.eval_on_selector_all("#bom-data-widget tbody tr", cells)]
    assert values == sorted(values) and len(values) > 1
    page.keyboard.press("Space")
    assert page.get_attribute(th, "aria-sort") == "descending"
    values = [_numbers(t) for t in page.eval_on_selector_all("#bom-data-widget tbody tr", cells)]
    assert values == sorted(values, reverse=True)
    others = page.eval_on_selector_all("#bom-data-widget th:not([data-name='quantity'])",
                                       "ths => ths.map(t => t.getAttribute('aria-sort'))")
    assert set(others) == {"none"}
    # every diagram has an accessible name
    names = page.eval_on_selector_all(".diagram svg", "ss => ss.map(s => [s.getAttribute('role'),"
                                      " s.getAttribute('aria-label'), s.querySelector('title')"
                                      "?.textContent])")
    assert names and all(r == "img" and label and label == title for r, label, title in names)
    # the page is never wider than the window: the cut sheet scrolls in its box, cable ID pinned
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.eval_on_selector("#cut-data-widget th[data-name='cable_id']",
                                 "th => getComputedStyle(th).position") == "sticky"
    # diagrams open fitted to their width (at most 100 %), not shrunk into a fixed box
    for scale, want in page.eval_on_selector_all(".diagram", """ds => ds.map(d => [
            Number(d.dataset.scale), Math.min(1, d.querySelector('.viewport').clientWidth /
            d.querySelector('svg').width.baseVal.value)])"""):
        assert abs(scale - want) < 1e-3, (scale, want)
    assert errors == []
    page.close()


def _inside(inner: dict[str, float], outer: dict[str, float], slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def test_finding_links_to_its_node_and_rows_and_back(browser, tmp_path: Path) -> None:
    """A finding's diagram link centres and marks the node in its diagram's viewport; the node
    (Enter) leads back to the finding; the cut-sheet link shows that object's rows, whose
    pinned cable ID links back to the finding."""
    page, errors, _ = _open(browser, tmp_path, FIXTURES / "render" / "mini", "mini")
    banner = page.text_content(".banner") or ""
    assert banner.startswith("FAIL") and "error" in banner
    block = page.text_content("#title-block") or ""
    assert "0123456789ab + uncommitted changes" in block and "2026-12-01" in block
    link = page.locator(".finding a.node-link").first
    finding_id = link.evaluate("a => a.closest('.finding').id")
    node_id = (link.get_attribute("href") or "#")[1:]
    link.click()
    node = page.locator(f"[id='{node_id}']")
    assert "hit" in (node.get_attribute("class") or "")
    assert finding_id in (node.get_attribute("data-findings") or "").split()
    viewport = node.evaluate("n => { const r = n.closest('.diagram').querySelector('.viewport')"
                             ".getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width,"
                             " height: r.height}; }")
    assert _inside(node.bounding_box(), viewport), "the node is shown inside its viewport"
    node.focus()
    page.keyboard.press("Enter")
    first = (node.get_attribute("data-findings") or "").split()[0]
    assert page.evaluate("location.hash") == f"#{first}"
    box = page.locator(f"[id='{first}']").bounding_box()
    assert box and 0 <= box["y"] <= 900

    cut = page.locator(".finding a.cut-link").first
    subject = cut.get_attribute("data-subject") or ""
    finding_id = cut.evaluate("a => a.closest('.finding').id")
    cut.click()
    assert page.input_value("#cut-data-widget input.filter") == subject
    assert "filtered" in (page.text_content("#cut-data-widget .info") or "")
    back = page.locator(f"#cut-data-widget td.pin a[href='#{finding_id}']")
    assert back.count() >= 1
    back.first.click()
    assert page.evaluate("location.hash") == f"#{finding_id}"
    assert errors == []
    page.close()


@pytest.fixture(scope="module")
def fmt_page(browser, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    page, _, _ = _open(browser, tmp_path_factory.mktemp("fmt"), FIXTURES / "render" / "mini",
                       "fmt")
    yield page
    page.close()


_EDGES = [0.0, -0.0, 0.125, 2.25, 2.35, 999.95, 999.94, 1000.5, 1001.5, 0.0049999, 0.995,
          1e-5, -0.04, 1234.5, 12.05, 0.3, 45.0, 559.63, 1200.024, 60000.512, -3.25, 1, 0, -7,
          123456789, 0.25, 0.35, 0.045]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
                          st.integers(min_value=-10**12, max_value=10**12),
                          st.floats(min_value=-2, max_value=2).map(lambda x: round(x, 3))),
                max_size=200))
def test_page_formats_numbers_as_numbers_py(fmt_page, values: list[float]) -> None:
    """The page's script and numbers.num write every number alike (one number format)."""
    values = _EDGES + values
    shown = fmt_page.evaluate("vs => vs.map(v => window.superpodFormat(v))",
                              json.loads(json.dumps(values)))
    assert shown == [num(v) for v in values]


def _pdf_pages(pdf: bytes) -> int:
    """Page count from the page tree (Chromium's PDF writes one /Type /Pages root)."""
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    return max(counts) if counts else len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.mark.parametrize("spec", PRINTED)
def test_report_prints(spec: str, browser, tmp_path: Path) -> None:
    """Printed (print media, A4 landscape): no navigation or buttons; each diagram starts a
    sheet and lies within the printable area (nothing clipped); tables hold every row; the PDF
    has a sheet per diagram plus the tables' sheets."""
    page, errors, _ = _open(browser, tmp_path, SPECS / spec, spec,
                            width=int(CONTENT_W), height=int(CONTENT_H))
    page.emulate_media(media="print")
    assert page.eval_on_selector("nav", "n => getComputedStyle(n).display") == "none"
    assert page.eval_on_selector_all(
        "main button", "bs => bs.filter(b => b.offsetParent !== null).length") == 0
    area = {"x": 0.0, "width": CONTENT_W + 1}
    diagrams = page.eval_on_selector_all(".diagram", """ds => ds.map(d => {
        const s = d.querySelector('svg').getBoundingClientRect();
        const v = d.querySelector('.viewport');
        return {x: s.x, width: s.width, height: s.height, brk: getComputedStyle(d).breakBefore,
                clipped: v.scrollWidth > v.clientWidth + 1 || v.scrollHeight > v.clientHeight + 1};
    })""")
    assert diagrams, spec
    for d in diagrams:
        assert d["brk"] == "page"
        assert d["x"] >= area["x"] - 1 and d["x"] + d["width"] <= area["x"] + area["width"], d
        assert 0 < d["height"] <= CONTENT_H - 20, d  # under its one-line header
        assert not d["clipped"], d
    assert page.eval_on_selector("#portmap", "s => getComputedStyle(s).display") == "none"
    for widget in page.query_selector_all(".table-widget:not([data-screen])"):
        source = widget.get_attribute("data-source")
        rows = json.loads(page.text_content(f"script[id='{source}']") or "{}")["rows"]
        assert len(widget.query_selector_all("tbody tr")) == len(rows), source
    text = page.text_content("style") or ""
    assert "counter(pages)" in text
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    out = Path(os.environ.get("SUPERPOD_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{spec}.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    assert pages >= len(diagrams) + 2, pages
    rows = sum(len(json.loads(page.text_content(f"script[id='{w}']") or "{}")["rows"])
               for w in ("bom-data", "cut-data"))
    assert pages <= len(diagrams) + 10 + rows // 10, (pages, rows)  # >= 10 rows a sheet
    assert errors == []
    page.close()


def test_printed_rows_are_escaped_by_the_script(browser, tmp_path: Path) -> None:
    """Printed, the script writes the rows as HTML: any text in a cell (and a finding id in
    a back link) stays text."""
    from superpod_iac.htmlreport import ReportData, render_page
    from superpod_iac.htmlreport.page import CUT_VIEW

    hostile = '<img src=x onerror="window.pwned=1">&amp;"\'</td></tr><b>x'
    row: list[object] = [hostile] * len(CUT_VIEW)
    row[CUT_VIEW.index("length_m")] = 1.25
    data = ReportData("t", 1, [], [], [], [], {}, [], cut_cols=list(CUT_VIEW), cut_rows=[row],
                      cut_findings={hostile: [[hostile, hostile]]})
    html_file = tmp_path / "h.html"
    html_file.write_text(render_page(data), encoding="utf-8")
    page = browser.new_page()
    page.goto(html_file.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        assert page.evaluate("document.querySelectorAll('#cut-data-widget tbody img, "
                             "#cut-data-widget tbody b').length") == 0
        cells = page.eval_on_selector_all(  # the cell's own text, less its links
            "#cut-data-widget tbody td", "tds => tds.map(t => Array.from(t.childNodes)"
            ".filter(n => n.nodeName !== 'A').map(n => n.textContent).join(''))")
        assert cells[0] == hostile and cells[CUT_VIEW.index("length_m")] == "1.2", media
        back = page.eval_on_selector("#cut-data-widget td.pin a",
                                     "a => [a.getAttribute('href'), a.textContent]")
        assert back == ["#" + hostile, "\u2691 " + hostile], media
        assert page.evaluate("window.pwned === undefined")
    page.close()


def test_the_port_map_is_in_the_report_on_screen(browser, tmp_path: Path) -> None:
    """The report carries the port map (bom.portmap's rows: one per link end, the cut sheet's
    cable IDs, the diagrams' bundle numbers) for whole cabinets up to its row limit, as a
    sortable, filterable table; printed, the `superpod portmap` sheets stand for it."""
    from superpod_iac.bom.portmap import REPORT_ROWS, report_section
    from superpod_iac.pipeline import load_project

    page, errors, _ = _open(browser, tmp_path, SPECS / "cloudmatrix-384", "cm384")
    inv = load_project([str(SPECS / "cloudmatrix-384")], Config()).inventory
    cols, rows, total = report_section(inv)
    data = json.loads(page.text_content("script[id='port-data']") or "{}")
    assert data["columns"] == cols and len(data["rows"]) == len(rows) <= REPORT_ROWS < total
    assert [str(c) for c in data["rows"][0]] == [str(c) for c in rows[0]]
    shown = page.query_selector_all("#port-data-widget tbody tr")
    assert 0 < len(shown) <= 100  # pages of 100 rows on screen
    page.fill("#port-data-widget input.filter", str(rows[0][cols.index("cable_id")]))
    page.wait_for_timeout(200)
    assert 1 <= len(page.query_selector_all("#port-data-widget tbody tr")) <= 2  # both ends
    assert errors == []
    page.close()
