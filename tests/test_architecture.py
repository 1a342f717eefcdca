"""docs/architecture.md stays true: the files its change list names exist, every registry entry
is offered by the CLI, and a rule added the way it says shows up everywhere rules are listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from superpod_iac.rules import registry
from superpod_iac.rules.catalog import all_rules
from superpod_iac.rules.registry import Finding, rule
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "architecture.md"


def _named_paths() -> list[str]:
    """Backquoted paths on the page (`superpod_iac/...`, `tests/...`, `docs/...`, `schemas/`);
    `<family>`-style placeholders stand for any file of that folder."""
    text = PAGE.read_text(encoding="utf-8")
    return sorted({m for m in re.findall(r"`([\w./<>-]+)`", text)
                   if m.startswith(("superpod_iac/", "tests/", "docs/", "schemas/"))})


def test_every_file_the_change_list_names_exists() -> None:
    paths = _named_paths()
    assert len(paths) > 20, paths
    for p in paths:
        if "<" in p:  # superpod_iac/rules/<family>.py, ID-<case>.yaml: such files exist
            pattern = re.sub(r"<[^>]+>", "*", p).replace("ID", "[A-Z]" * 3 + "[0-9]" * 3)
            assert any(ROOT.glob(pattern.rstrip("/"))), p
        elif p.endswith("ID.yaml"):  # a rule's fixtures: the folder they go in
            assert (ROOT / p).parent.is_dir(), p
        else:
            assert (ROOT / p).exists(), p


def _help(*command: str) -> str:
    from superpod_iac.cli import build_parser

    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command").choices
    sub = subs[command[0]]
    for name in command[1:]:
        sub = next(a for a in sub._actions if a.dest in ("source", "target")).choices[name]
    return sub.format_help()


def test_every_registry_entry_appears_in_the_cli_help() -> None:
    from superpod_iac.bom.lines import GROUPS
    from superpod_iac.bom.table import FORMATS as BOM_FORMATS
    from superpod_iac.bom.table import TABLE_FORMATS
    from superpod_iac.cabling import WRITERS
    from superpod_iac.choices import LEVELS
    from superpod_iac.diff.render import FORMATS as DIFF_FORMATS
    from superpod_iac.netbox.importer import _REDUNDANCY_SHARE
    from superpod_iac.render import VIEW_JOBS
    from superpod_iac.render.emit import FORMATS as RENDER_FORMATS
    from superpod_iac.report import REPORTERS
    from superpod_iac.verify.commands import FAIL_ON
    from superpod_iac.verify.output import FORMATS as VERIFY_FORMATS

    offered = {
        ("validate",): [REPORTERS],
        ("render",): [VIEW_JOBS, LEVELS, RENDER_FORMATS],
        ("bom",): [BOM_FORMATS, GROUPS],
        ("cabling",): [WRITERS],
        ("summary",): [TABLE_FORMATS],
        ("compare",): [TABLE_FORMATS],
        ("diff",): [DIFF_FORMATS],
        ("import", "netbox"): [_REDUNDANCY_SHARE],
        ("verify",): [VERIFY_FORMATS, FAIL_ON],
    }
    for command, tables in offered.items():
        text = re.sub(r"\s+", "", _help(*command))
        for table in tables:
            assert "{" + ",".join(table) in text, (command, list(table))


def test_a_rule_added_as_the_page_says_shows_up_everywhere(monkeypatch, tmp_path: Path,
                                                           cli) -> None:
    """One function with @rule (a temporary one here), its two fixtures, and the docs
    generation: `superpod rules`, `superpod rules ID`, docs/rules.md and validate all know it."""
    from superpod_iac.rules import docs
    from superpod_iac.rules.fixtures import collect

    all_rules()
    monkeypatch.setattr(registry, "RULES", dict(registry.RULES))

    @rule("PWR999", "cabinet named like a test", severity="warning", policy=("derating",))
    def _named_like_a_test(inv):  # type: ignore[no-untyped-def]
        """A cabinet whose name starts with `zz-` is a leftover of a test.

        Fix:
            Rename it.
        """
        for name, cab in inv.cabinets.items():
            if name.startswith("zz-") and inv.policy.derating:
                yield Finding(f"cabinet {name} is named like a test", cab.origin)

    bad = tmp_path / "PWR999.yaml"
    (tmp_path / "pass").mkdir()
    good = tmp_path / "pass" / "PWR999.yaml"
    base = (ROOT / "tests/fixtures/rules/PWR002.yaml").read_text(encoding="utf-8")
    cabinet = base[base.index("apiVersion: superpod-iac/v1alpha1\nkind: Cabinet"):]
    bad.write_text("# expect: PWR999\n" + cabinet.replace("nvl72-01", "zz-01"), encoding="utf-8")
    good.write_text("# passes: PWR999\n" + cabinet, encoding="utf-8")
    examples = collect(tmp_path)
    assert list(examples) == ["PWR999"]
    monkeypatch.setattr("superpod_iac.rules.examples.EXAMPLES", examples)

    listing = cli("rules")
    assert "PWR999  warning  cabinet named like a test" in listing.out
    one = cli("rules", "PWR999").out
    assert "zz-01" in one and "**Use instead**" in one and "`derating` (default `0.8`)" in one
    assert "### PWR999: cabinet named like a test" in docs.rules_markdown()

    def fired(fixture: Path) -> list[str]:
        res = cli("validate", "--format", "json", str(ROOT / "tests/fixtures/rules/_base.yaml"),
                  str(fixture))
        return [d["rule"] for d in res.json()["diagnostics"] if d["rule"].startswith("PWR")]

    assert fired(bad) == ["PWR999"]
    assert fired(good) == []


@pytest.mark.parametrize("name", ["new rule", "new policy key", "new field", "new view",
                                  "new output format", "new kind"])
def test_the_page_covers_each_kind_of_change(name: str) -> None:
    assert f"**A {name}.**" in PAGE.read_text(encoding="utf-8")


def test_a_view_added_as_the_page_says_renders(monkeypatch, tmp_path: Path, cli) -> None:
    """A name in choices.VIEWS and its jobs in VIEW_JOBS: `render --view` offers and draws it
    (with the real dot), and `--view all` includes it; no other file changes."""
    from superpod_iac import choices
    from superpod_iac.render import VIEW_JOBS, Job
    from superpod_iac.render.graph import Graph, Node

    def halls_jobs(inv, _scope, _levels, _styles, title):  # type: ignore[no-untyped-def]
        def build() -> Graph:
            g = Graph("halls", "cooling", f"{title}: halls")
            for hall in sorted({c.hall or "-" for c in inv.cabinets.values()}):
                g.add_node(Node(f"hall_{hall}", f"hall {hall}", "cabinet"))
            return g
        return [Job("halls", build)]

    monkeypatch.setattr(choices, "VIEWS", (*choices.VIEWS, "halls"))
    monkeypatch.setitem(VIEW_JOBS, "halls", halls_jobs)
    assert "halls" in re.sub(r"\s+", "", _help("render"))
    res = cli("render", "specs/gb200-nvl72", "--view", "halls", "--format", "dot",
              "--out", str(tmp_path))
    assert res.code == 0, res.out + res.err
    assert 'label="hall nvl72-hall"' in (tmp_path / "halls.dot").read_text(encoding="utf-8")
    res = cli("render", "specs/gb200-nvl72", "--view", "all", "--format", "svg",
              "--out", str(tmp_path / "all"))
    assert res.code == 0 and (tmp_path / "all" / "halls.svg").read_bytes().startswith(b"<?xml")


def test_an_output_format_added_as_the_page_says_is_offered(monkeypatch, cli) -> None:
    """A reporter in REPORTERS (validate) and a writer in choices + cabling.WRITERS: offered
    by `--format` and used, with no edit to the CLI (superpod_iac/cli/)."""
    from superpod_iac import choices
    from superpod_iac.cabling import WRITERS
    from superpod_iac.report import REPORTERS

    monkeypatch.setitem(REPORTERS, "count",
                        lambda diags, files: f"{' '.join(d.rule for d in diags)} in {files} file(s)\n")
    res = cli("validate", "--format", "count", "tests/fixtures/rules/_base.yaml",
              "tests/fixtures/rules/PWR002.yaml")
    assert res.out == "PWR002 PRT004 in 2 file(s)\n" and res.code == 1, res.out + res.err

    def tsv(inv, out):  # type: ignore[no-untyped-def]
        out.write(f"links\t{len(inv.links)}\n")
        return 1

    monkeypatch.setattr(choices, "CABLING_FORMATS", (*choices.CABLING_FORMATS, "tsv"))
    monkeypatch.setitem(WRITERS, "tsv", (tsv, None))  # (cut sheet, --labels) writers
    res = cli("cabling", "specs/gb200-nvl72", "--format", "tsv")
    assert res.code == 0 and res.out.startswith("links\t"), res.out + res.err


def test_a_field_added_as_the_page_says_is_held_to_it(monkeypatch, cli) -> None:
    """A field added to a kind's pydantic model is in its JSON Schema (so `schema --check`
    fails until schemas/ is regenerated) and, until something reads it, in the list that
    tests/manifest/test_fields_read.py refuses: the page's steps are the ones the suite enforces."""
    from pydantic import create_model

    from superpod_iac.manifest import KINDS
    from tests.manifest.test_fields_read import _code, _read, fields

    cabinet = KINDS["Cabinet"]
    spec_model = cabinet.model_fields["spec"].annotation
    assert isinstance(spec_model, type)
    spec = create_model("CabinetSpec", __base__=spec_model, rack_colour=(str | None, None))
    monkeypatch.setitem(KINDS, "Cabinet", create_model("Cabinet", __base__=cabinet, spec=(spec, ...)))
    assert ("CabinetSpec", "rack_colour") in fields() and not _read("rack_colour", _code())
    res = cli("schema", "--check")
    assert res.code != 0 and "cabinet" in (res.out + res.err).lower(), res.out + res.err
