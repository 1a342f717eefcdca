"""Rule documentation that cannot drift: the Example and "Use instead" of a rule are the fixtures
that test it, upstream stages take their severities from the registry, and rules that exist
only to be documented are declared as data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from superpod_iac.config import Config
from superpod_iac.diagnostics import Severity
from superpod_iac.rules import registry
from superpod_iac.rules.catalog import all_rules
from superpod_iac.rules.docs import examples, explain
from superpod_iac.rules.examples import EXAMPLES
from superpod_iac.rules.fixtures import examples_module
from tests.conftest import ROOT
from tests.rules.test_rule_fixtures import GENERATED_INPUT


def test_the_examples_are_the_fixtures() -> None:
    """rules/examples.py is the fixtures' text (docsgen copies it; the package reads the copy,
    never tests/)."""
    import os

    here = Path.cwd()
    os.chdir(ROOT)
    try:
        text = examples_module()
    finally:
        os.chdir(here)
    assert (ROOT / "superpod_iac" / "rules" / "examples.py").read_text(encoding="utf-8") == text, \
        "rules/examples.py is stale: run `make docs`"


def test_every_rule_has_an_example_and_no_docstring_copy_of_it() -> None:
    """Rules whose trigger cannot be a text file (a file too large, a symlink, a crash) are
    the only ones whose Example, if any, is written in the docstring."""
    for r in all_rules().values():
        if r.id in GENERATED_INPUT:
            assert not EXAMPLES.get(r.id, ("", ""))[0], r.id
            continue
        assert examples(r)[0] and EXAMPLES[r.id][0], \
            f"{r.id} has no Example: add a fixture tests/fixtures/rules/{r.id}.yaml"
        assert not r.section("Example"), (
            f"{r.id}: its Example is its fixture; the docstring's `Example:` would drift")


def test_explain_shows_the_fixture_and_the_passing_variant() -> None:
    text = explain("ELC001") or ""
    bad, good = EXAMPLES["ELC001"]
    assert bad in text and good in text and "**Use instead**" in text


def test_upstream_stages_take_the_registered_severity(monkeypatch, tmp_path: Path) -> None:
    """The loader reports SCH001 at the severity the registry declares, not one of its own."""
    from superpod_iac.pipeline import load_project

    all_rules()
    declared = registry.RULES["SCH001"]
    monkeypatch.setitem(registry.RULES, "SCH001",
                        dataclasses.replace(declared, severity=Severity.WARNING))
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nspec: [a, b\n",
                   encoding="utf-8")
    diags = load_project([str(bad)], Config()).diagnostics
    assert [(d.rule, d.severity) for d in diags] == [("SCH001", Severity.WARNING)]


def test_documentation_only_rules_are_declared_not_empty_functions() -> None:
    """A rule registered with @rule has a check that runs; the ones found upstream are data."""
    for r in all_rules().values():
        assert (r.check is None) == (r.stage != "rules"), r.id


@pytest.mark.parametrize("rule_id", ["SCH001", "SCH013", "INT001"])
def test_declared_rules_are_documented(rule_id: str) -> None:
    r = all_rules()[rule_id]
    assert r.rationale and r.section("Fix") and explain(rule_id)
