"""report/: every format from the same findings; SARIF checked against the official schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.conftest import ROOT

SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"  # vendored
BAD = "tests/fixtures/rules/PWR001.yaml"
BASE = "tests/fixtures/rules/_base.yaml"


def test_text_format_is_file_line_col_rule(cli) -> None:
    res = cli("validate", BASE, BAD)
    assert res.code == 1
    first = res.out.splitlines()[0]
    assert first.startswith(f"{BAD}:5:")
    assert "PWR001 error: cabinet nvl72-03 draws 143.6 kW > rating 132.0 kW" in first
    assert "    hint: " in res.out
    assert "1 error(s)" in res.out


def test_json_format(cli) -> None:
    res = cli("validate", "--format", "json", BASE, BAD)
    doc = res.json()
    assert doc["counts"]["error"] == 1
    [d] = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert d["rule"] == "PWR001" and d["line"] == 5 and d["path"] == ["metadata", "name"]


def test_sarif_validates_against_official_schema(cli) -> None:
    res = cli("validate", "--format", "sarif", BASE, BAD, "tests/fixtures/rules/SCH003.yaml")
    log = json.loads(res.out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results if r["level"] == "error"} == {"PWR001", "SCH003"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1


def test_sarif_clean_run_validates(cli) -> None:
    res = cli("validate", "--format", "sarif", "specs/gb200-nvl72")
    assert res.code == 0
    log = json.loads(res.out)
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    assert log["runs"][0]["results"] == []


def test_github_workflow_commands(cli) -> None:
    res = cli("validate", "--format", "github", BASE, BAD)
    line = res.out.splitlines()[0]
    assert line.startswith(f"::error file={BAD},line=5,col=")
    assert ",title=PWR001::cabinet nvl72-03 draws 143.6 kW" in line


def test_out_file_written(cli, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    res = cli("validate", "--format", "json", "--out", str(out), BASE, BAD)
    assert res.code == 1 and res.out == ""
    assert json.loads(out.read_text())["counts"]["error"] == 1
