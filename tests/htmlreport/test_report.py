"""`superpod report`: one self-contained HTML page (content checks without a browser; the
browser checks are in test_report_browser.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, SPECS

MAX_BYTES = 10_000_000
_URL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _blocks(page: str) -> dict[str, dict]:
    out = {}
    for m in re.finditer(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page,
                         re.S):
        out[m.group(1)] = json.loads(m.group(2).replace("<\\/", "</"))
    return out


def test_report_is_self_contained_and_complete(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = cli("report", str(SPECS / "gb200-nvl72"), "--out", str(out))
    assert res.code == 0, res.err
    page = out.read_text(encoding="utf-8")
    assert not _URL.search(page), "the page must not load anything from the network"
    assert "<link " not in page and "@import" not in page
    for section in ("summary", "findings", "expectations", "diagrams", "bom", "cabling"):
        assert f'<section id="{section}">' in page, section
    assert page.count('<div class="diagram"') == 5  # cluster wiring has nothing to show
    assert "wiring-cluster: one superpod" in page
    data = _blocks(page)
    assert len(data["cut-data"]["rows"]) == 1296  # every link of the NVL72
    part = data["bom-data"]["columns"].index("part")
    assert {r[part] for r in data["bom-data"]["rows"]} >= {"gb200-compute-tray"}
    assert 'class="pass"' in page  # the spec's expectations hold


def test_findings_show_their_source_line(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    design = FIXTURES / "render" / "mini"
    res = cli("report", str(design), "--out", str(out))
    assert res.code == 0, res.err
    page = out.read_text(encoding="utf-8")
    hit = re.search(r'<span class="hit">\s*(\d+) \| ([^<]*)</span>', page)
    assert hit, "a finding with its source line"
    line_no, text = int(hit.group(1)), hit.group(2)
    src = (design / "design.yaml").read_text(encoding="utf-8").splitlines()
    import html as html_mod
    assert html_mod.unescape(text) == src[line_no - 1]
    assert "PWR" in page


def test_failed_expectation_is_marked(cli, tmp_path: Path) -> None:
    src = SPECS / "gb200-nvl72"
    design = tmp_path / "d"
    design.mkdir()
    for f in src.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if "kind: Superpod" in text:
            text = re.sub(r"accelerators: 72\b", "accelerators: 73", text)
        (design / f.name).write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    assert cli("report", str(design), "--out", str(out)).code == 0
    page = out.read_text(encoding="utf-8")
    assert re.search(r"<td>accelerators</td><td class=\"num\">73</td><td class=\"num\">72</td>"
                     r"<td class=\"fail\">fail</td>", page)
    assert "EXP001" in page


def test_cluster_report_stays_small(tmp_path: Path) -> None:
    """432 superpods, 2.16 M links: the cut sheet holds the drawn superpod's links only."""
    out = tmp_path / "cluster.html"
    subprocess.run([str(ROOT / ".venv" / "bin" / "superpod"), "report",
                    str(SPECS / "cluster-432xcm384"), "--out", str(out)], check=True,
                   cwd=ROOT, capture_output=True)
    size = out.stat().st_size
    assert size < MAX_BYTES, size
    page = out.read_text(encoding="utf-8")
    rows = _blocks(page)["cut-data"]["rows"]
    assert 0 < len(rows) <= 20_000
    assert "the replicas are wired alike" in page


def test_base_revision_diff(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = cli("report", "specs/gb200-nvl72", "--base", "HEAD", "--out", str(out))
    assert res.code == 0, res.err
    page = out.read_text(encoding="utf-8")
    assert '<section id="diff">' in page and "Diff against HEAD" in page
    res = cli("report", "specs/gb200-nvl72", "--base", "no-such-rev", "--out", str(out))
    assert res.code == 0
    assert "git cannot produce" in out.read_text(encoding="utf-8")


def test_output_is_deterministic(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert cli("report", str(SPECS / "nvl144"), "--out", str(a)).code == 0
    assert cli("report", str(SPECS / "nvl144"), "--out", str(b)).code == 0
    assert a.read_bytes() == b.read_bytes()


def test_unparseable_design_reports_findings_only(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "render" / "mini" / "design.yaml").read_text()
                   .replace("breaker_a: 60}", "breaker_a: x}", 1))
    out = tmp_path / "r.html"
    res = cli("report", str(bad), "--out", str(out))
    assert res.code == 1 and "findings only" in res.err
    page = out.read_text(encoding="utf-8")
    assert "SCH" in page and "no diagrams, BOM or cable schedule" in page
    assert 'class="diagram"' not in page


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "GIT_COMMITTER_DATE": "2026-03-04T05:06:07Z",
                        "GIT_AUTHOR_DATE": "2026-03-04T05:06:07Z", "HOME": str(cwd),
                        "PATH": "/usr/bin:/bin"})


def test_revision_is_read_once_from_git(tmp_path: Path, monkeypatch) -> None:
    """The title block's revision: HEAD's commit, dirty only when the design's files changed,
    the commit's date unless --date or SOURCE_DATE_EPOCH says otherwise; no git: it says so."""
    from superpod_iac.cli.common import UsageError
    from superpod_iac.cli.revision import read_revision

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = tmp_path / "repo"
    design = repo / "design"
    design.mkdir(parents=True)
    (design / "a.yaml").write_text("x: 1\n")
    (repo / "other.txt").write_text("o\n")
    plain = read_revision([str(design)])
    assert plain.commit is None and "no git" in plain.text() and plain.date is None
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    rev = read_revision([str(design)])
    assert rev.commit and len(rev.commit) == 40 and not rev.dirty
    assert rev.date == "2026-03-04" and rev.text() == rev.commit[:12]
    (repo / "other.txt").write_text("changed\n")
    assert not read_revision([str(design)]).dirty  # not the design's file
    (design / "a.yaml").write_text("x: 2\n")
    dirty = read_revision([str(design)])
    assert dirty.dirty and dirty.text().endswith("+ uncommitted changes")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert read_revision([str(design)]).date == "2023-11-14"
    assert read_revision([str(design)], "2027-01-02").date == "2027-01-02"
    with pytest.raises(UsageError):
        read_revision([str(design)], "tomorrow")


def test_title_block_and_banner(cli, tmp_path: Path, monkeypatch) -> None:
    """The page opens with PASS and the title block: design, revision, date, status."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "r.html"
    assert cli("report", str(SPECS / "gb200-nvl72"), "--out", str(out)).code == 0
    page = out.read_text(encoding="utf-8")
    assert re.search(r'<div class="banner pass" role="status"><b>PASS</b> validated clean', page)
    block = re.search(r'<div class="title-block pass" id="title-block">(.*?)</div></div>', page)
    assert block, "title block"
    text = re.sub("<[^>]+>", " ", block.group(1))
    for word in ("design", "gb200-nvl72", "revision", "date", "2023-11-14", "status",
                 "validated clean"):
        assert word in text, word
    assert "counter(pages)" in page
