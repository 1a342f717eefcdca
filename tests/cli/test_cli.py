"""CLI contract: exit codes, select/ignore, config, inline suppression, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from superpod_iac.config import Config
from tests.conftest import ROOT

BASE = "tests/fixtures/rules/_base.yaml"
BAD = "tests/fixtures/rules/PWR001.yaml"


def test_missing_path_is_usage_error(cli) -> None:
    res = cli("validate", "no/such/dir")
    assert res.code == 2
    assert "no such file or directory" in res.err


def test_unknown_option_is_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "validate", "--bogus"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_ignore_and_select(cli) -> None:
    assert cli("validate", "--ignore", "PWR001", BASE, BAD).code == 0
    assert cli("validate", "--ignore", "PWR", BASE, BAD).code == 0
    assert cli("validate", "--select", "SPC", BASE, BAD).code == 0
    assert cli("validate", "--select", "PWR001", BASE, BAD).code == 1


def test_inline_suppression(cli, tmp_path: Path) -> None:
    text = (ROOT / BAD).read_text().replace(
        "metadata: {name: nvl72-03}", "metadata: {name: nvl72-03}  # superpod: ignore[PWR001]")
    (tmp_path / "bad.yaml").write_text(text)
    res = cli("validate", BASE, str(tmp_path / "bad.yaml"))
    assert res.code == 0, res.out


def test_pyproject_config(cli, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.superpod]\nignore = []\n[tool.superpod.severity]\nPWR001 = "warning"\n')
    (tmp_path / "base.yaml").write_text((ROOT / BASE).read_text())
    (tmp_path / "bad.yaml").write_text((ROOT / BAD).read_text())
    from superpod_iac.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 0
    assert main(["validate", "--strict", "."]) == 1
    (tmp_path / "pyproject.toml").write_text("[tool.superpod]\nbogus = 1\n")
    assert main(["validate", "."]) == 2


def test_crashing_rule_is_one_finding_and_others_still_run(monkeypatch, capsys) -> None:
    from superpod_iac import cli as cli_mod
    from superpod_iac.rules import registry

    def boom(_inv):
        raise ZeroDivisionError("synthetic")

    rules = dict(registry.RULES)
    rules["PWR001"] = registry.Rule("PWR001", "x", registry.Severity.ERROR, boom, "")
    monkeypatch.setattr(registry, "RULES", rules)
    monkeypatch.chdir(ROOT)
    code = cli_mod.main(["validate", BASE, "tests/fixtures/rules/SPC002.yaml"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.count("INT001") == 1 and "rule PWR001 (x) raised ZeroDivisionError: synthetic" in out
    assert "SPC002" in out  # the other rules still ran
    assert "Traceback" not in out + err
    # a crashing rule cannot be silenced
    code = cli_mod.main(["validate", BASE, "--ignore", "PWR001"])
    assert code == 0  # PWR001 ignored: it does not run, so it cannot crash
    code = cli_mod.main(["validate", BASE, "--ignore", "INT"])
    assert code == 1 and "INT001" in capsys.readouterr().out


def test_internal_error_outside_rules_exit_3_without_traceback(monkeypatch, capsys) -> None:
    from superpod_iac import cli as cli_mod
    from superpod_iac import pipeline

    def boom(*_args, **_kw):
        raise ZeroDivisionError("synthetic")

    monkeypatch.setattr(pipeline, "build_inventory", boom)
    monkeypatch.chdir(ROOT)
    code = cli_mod.main(["validate", BASE])
    err = capsys.readouterr().err
    assert code == 3
    assert "internal error: ZeroDivisionError: synthetic" in err and "report" in err
    assert "Traceback" not in err


def test_rules_command(cli) -> None:
    res = cli("rules")
    assert "PWR001" in res.out and "SCH001" in res.out
    one = cli("rules", "pwr001")
    assert one.code == 0 and "# PWR001" in one.out and "**Fix**" in one.out
    assert cli("rules", "XYZ999").code == 2


def test_schema_check_and_write(cli, tmp_path: Path) -> None:
    assert cli("schema", "--check").code == 0
    out = tmp_path / "schemas"
    assert cli("schema", "--out", str(out)).code == 0
    assert cli("schema", "--check", "--out", str(out)).code == 0
    (out / "cabinet.schema.json").write_text("{}")
    res = cli("schema", "--check", "--out", str(out))
    assert res.code == 1 and "cabinet.schema.json" in res.err


def test_help_text_names_every_exit_code(capsys) -> None:
    from superpod_iac.cli import build_parser

    text = build_parser().format_help()
    for code in ("0  clean", "1  findings", "2  usage", "3  internal"):
        assert code in text


def test_cli_choices_are_the_registries() -> None:
    """Every listed choice is a key of the table that implements it (the parser reads the names
    from superpod_iac.choices, which the tables are built from, so `superpod --help` need not
    import Graphviz, numpy or openpyxl)."""
    from superpod_iac.bom.lines import GROUPS
    from superpod_iac.bom.table import FORMATS as BOM_FORMATS
    from superpod_iac.bom.table import TABLE_FORMATS
    from superpod_iac.cabling import WRITERS
    from superpod_iac.cli import build_parser
    from superpod_iac.diff.render import FORMATS as DIFF_FORMATS
    from superpod_iac.netbox.importer import _REDUNDANCY_SHARE
    from superpod_iac.render import VIEW_JOBS
    from superpod_iac.render.emit import FORMATS as RENDER_FORMATS
    from superpod_iac.report import REPORTERS

    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command").choices

    def choices(command: str, option: str, parent: str = "") -> list[str]:
        sub = subs[parent] if parent else subs[command]
        if parent:
            sub = next(a for a in sub._actions if a.dest == "source").choices[command]
        action = next(a for a in sub._actions if option in a.option_strings)
        return list(action.choices)

    assert choices("validate", "--format") == list(REPORTERS)
    assert choices("render", "--view") == [*VIEW_JOBS, "all"]
    assert choices("render", "--format") == list(RENDER_FORMATS)
    assert choices("bom", "--format") == list(BOM_FORMATS)
    assert choices("bom", "--group-by") == list(GROUPS)
    assert choices("cabling", "--format") == list(WRITERS)
    assert choices("summary", "--format") == list(TABLE_FORMATS)
    assert choices("compare", "--format") == list(TABLE_FORMATS)
    assert choices("diff", "--format") == list(DIFF_FORMATS)
    assert choices("netbox", "--redundancy", parent="import") == list(_REDUNDANCY_SHARE)


def test_wiring_levels_are_the_levels_drawn(tmp_path: Path) -> None:
    """`--level` lists exactly the levels the wiring view draws: each level alone plans jobs
    named after it, and together they are the whole view."""
    from superpod_iac.choices import LEVELS
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import plan

    inv = load_project([str(ROOT / "specs" / "gb200-nvl72")], Config()).inventory
    names = {lv: [j.name for j in plan(inv, ["wiring"], [lv], "t")] for lv in LEVELS}
    assert all(names[lv] and all(n.startswith(f"wiring-{lv}") for n in names[lv])
               for lv in LEVELS), names
    every = [n for lv in LEVELS for n in names[lv]]
    assert sorted(every) == sorted(j.name for j in plan(inv, ["wiring"], LEVELS, "t"))


def test_a_table_that_differs_from_its_names_is_refused() -> None:
    from superpod_iac.choices import table

    assert list(table(("a", "b"), {"b": 2, "a": 1})) == ["a", "b"]
    with pytest.raises(ValueError, match="differ"):
        table(("a", "b"), {"a": 1})
    with pytest.raises(ValueError, match="differ"):
        table(("a",), {"a": 1, "c": 3})


def test_parsing_the_command_line_imports_no_heavy_module() -> None:
    """`superpod --help` and argument parsing read the choices from light modules: building the
    parser imports neither Graphviz, openpyxl, numpy nor the render, bom or diff stages."""
    code = ("import sys; from superpod_iac.cli import build_parser; build_parser(); "
            "print(' '.join(sorted(sys.modules)))")
    mods = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()
    heavy = [m for m in mods if m.split(".")[0] in ("graphviz", "openpyxl", "numpy")
             or m.startswith(("superpod_iac.render", "superpod_iac.bom", "superpod_iac.diff"))]
    assert heavy == []
