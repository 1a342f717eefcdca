"""`superpod report --verification FILE`: the as-built verification (`superpod verify --format
json`) as a section of the design report, escaped, and a broken file shown as a note."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import FIXTURES

DESIGN = str(FIXTURES / "verify" / "lldp")
COLLECTED = str(FIXTURES / "verify" / "lldp-collected")


def _block(page: str, block_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert m, block_id
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_report_shows_the_verification(cli, tmp_path: Path) -> None:
    result = tmp_path / "verify.json"
    assert cli("verify", DESIGN, "--lldp", COLLECTED, "--format", "json",
               "--out", str(result)).code == 1
    page_path = tmp_path / "report.html"
    cli("report", DESIGN, "--verification", str(result), "--out", str(page_path))
    page = page_path.read_text()
    assert '<a href="#verification">As-built verification</a>' in page
    assert ('<p class="fail">4 ok, 1 missing, 2 miswired, 0 wrong-speed, 0 unverified, '
            '1 unexpected, 0 input problems</p>') in page
    block = _block(page, "verify-data")
    rows = [dict(zip(block["columns"], r, strict=True)) for r in block["rows"]]
    assert [r["verdict"] for r in rows] == ["miswired", "miswired", "missing", "unexpected"]
    assert rows[2]["cable_id"] == "LAB.A02-U12:nic2/LAB.A01-U41:p3" and rows[2]["a_u"] == 12


def test_a_broken_or_hostile_verification_never_breaks_the_page(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"summary": {"ok": 1}, "lines": [')
    page_path = tmp_path / "report.html"
    cli("report", DESIGN, "--verification", str(bad), "--out", str(page_path))
    page = page_path.read_text()
    assert "not shown (JSONDecodeError" in page
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({"summary": {"ok": 0, "miswired": 1}, "lines": [
        {"verdict": "miswired", "observed": "</script><script>alert(1)</script>",
         "fix": "<img src=x onerror=alert(1)>"}]}))
    cli("report", DESIGN, "--verification", str(evil), "--out", str(page_path))
    page = page_path.read_text()
    # the hostile text is data inside the JSON block (which `</` cannot close), nowhere else
    outside = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)
    assert "alert(1)" not in outside and "</script><script>alert" not in page
    assert _block(page, "verify-data")["rows"][0][11] == "</script><script>alert(1)</script>"
