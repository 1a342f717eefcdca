"""The HTML report in a real headless Chromium (Debian's `chromium`, driven by Playwright with
its executable path set to the system browser; `make test` apt-installs it when missing).

For the report of every reference design: it loads with no console errors and no network
request, the BOM and cut-sheet tables sort and filter, every diagram zooms (buttons and wheel),
and a screenshot of each section is saved as a test artifact (in $SUPERPOD_ARTIFACTS when set,
else in pytest's tmp dir; the path is printed).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from superpod_iac.bom import COLUMNS as BOM_COLUMNS
from superpod_iac.config import Config
from superpod_iac.htmlreport import build_report
from superpod_iac.htmlreport.page import CUT_VIEW as CUT_COLUMNS
from tests.conftest import SPECS
from tests.heavy_specs import light_specs

CHROMIUM = os.environ.get("SUPERPOD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SECTIONS = ("summary", "findings", "expectations", "diagrams", "bom", "cabling")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists() or shutil.which("chromium"), \
        "Chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("SUPERPOD_ARTIFACTS")
    folder = Path(env) if env else tmp_path_factory.mktemp("report-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"report screenshots in {folder}")
    return folder


def _column(page, widget: str, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        f"#{widget} tbody tr", f"rows => rows.map(r => r.children[{col}].textContent)")


def _number(text: str) -> float:
    return float(text.replace(",", "")) if text else float("inf")


@pytest.mark.parametrize("spec", light_specs())
def test_report_in_chromium(spec: str, browser, artifacts: Path, tmp_path: Path) -> None:
    html_file = tmp_path / f"{spec}.html"
    html_file.write_text(build_report([str(SPECS / spec)], Config(), title=spec),
                         encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html_file.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert problems == []
    assert requests == [html_file.as_uri()], "the report must load nothing else"

    # BOM: sort by quantity (ascending, then descending), filter by a part name
    qty = BOM_COLUMNS.index("quantity")
    page.click(f"#bom-data-widget th[data-col='{qty}']")
    values = [_number(t) for t in _column(page, "bom-data-widget", qty)]
    assert values == sorted(values) and len(values) > 1
    page.click(f"#bom-data-widget th[data-col='{qty}']")
    values = [_number(t) for t in _column(page, "bom-data-widget", qty)]
    assert values == sorted(values, reverse=True)
    part = _column(page, "bom-data-widget", BOM_COLUMNS.index("part"))[-1]
    page.fill("#bom-data-widget input.filter", part)
    expect(page.locator("#bom-data-widget .info")).to_contain_text("filtered")
    parts = _column(page, "bom-data-widget", BOM_COLUMNS.index("part"))
    assert part in parts
    rows = page.eval_on_selector_all("#bom-data-widget tbody tr",
                                     "rows => rows.map(r => r.textContent.toLowerCase())")
    assert all(w in row for row in rows for w in part.lower().split())

    # cut sheet: sort by cabinet, filter by a device, page forward when there is a next page
    total = page.text_content("#cut-data-widget .info") or ""
    if "of" in total:
        cab_col = CUT_COLUMNS.index("a_cabinet")
        page.click(f"#cut-data-widget th[data-col='{cab_col}']")
        cabs = _column(page, "cut-data-widget", cab_col)
        assert cabs == sorted(cabs, key=_natural)
        if not page.is_disabled("#cut-data-widget button.next"):
            page.click("#cut-data-widget button.next")
            assert (page.text_content("#cut-data-widget .info") or "").startswith("rows 101")
        dev = _column(page, "cut-data-widget", CUT_COLUMNS.index("a_device"))[0]
        page.fill("#cut-data-widget input.filter", dev)
        expect(page.locator("#cut-data-widget .info")).to_contain_text("filtered")
        assert all(dev in row for row in page.eval_on_selector_all(
            "#cut-data-widget tbody tr", "rows => rows.map(r => r.textContent)"))

    # diagrams: every one has an SVG; zoom in with the button and with the wheel
    diagrams = page.query_selector_all(".diagram")
    assert diagrams, "at least power, cooling and elevation"
    for d in diagrams:
        assert d.query_selector("svg") is not None
    first = diagrams[0]
    before = float(first.get_attribute("data-scale") or 0)
    first.query_selector("button.zin").click()
    after = float(first.get_attribute("data-scale") or 0)
    assert after > before > 0
    box = first.query_selector(".viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    for _ in range(50):  # wheel events are dispatched asynchronously
        if float(first.get_attribute("data-scale") or 0) > after:
            break
        page.wait_for_timeout(20)
    assert float(first.get_attribute("data-scale") or 0) > after
    first.query_selector("button.zfit").click()
    assert float(first.get_attribute("data-scale") or 0) <= after

    for section in SECTIONS:
        page.locator(f"#{section}").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"{spec}-{section}.png"))
    assert problems == []
    page.close()


def _natural(text: str) -> list[object]:
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]
