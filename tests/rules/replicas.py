"""The rules' replica tests: a rule fixture whose Cluster writes `replicas: 2, names:
"<prefix>[1-2]"`, loaded as a Cluster of N replicas, and what one rule reports of it."""

from __future__ import annotations

import re
from pathlib import Path

from superpod_iac.config import Config
from superpod_iac.model.inventory import Inventory
from superpod_iac.pipeline import load_project
from superpod_iac.rules.engine import run_rules
from tests.conftest import RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
TWO = re.compile(r'replicas: 2, names: "([a-z]+)\[1-2\]"')


def load_replicas(tmp_path: Path, fixture: Path | str, replicas: int,
                  name: str = "fixture.yaml") -> Inventory:
    """A fixture (a file, or its text) beside the rules' _base.yaml, its Cluster made
    `replicas` wide."""
    text = fixture.read_text(encoding="utf-8") if isinstance(fixture, Path) else fixture
    match = TWO.search(text)
    assert match is not None, "the fixture's Cluster must write replicas: 2"
    path = tmp_path / name
    path.write_text(text.replace(match.group(0), f'replicas: {replicas}, names: '
                                 f'"{match.group(1)}[1-{replicas}]"'), encoding="utf-8")
    return load_project([str(BASE), str(path)], Config(), check=False).inventory


def rule_findings(inv: Inventory, rule_id: str) -> list[str]:
    """The messages of rule_id's findings, after the engine folds replicas."""
    return [d.message for d in run_rules(inv, Config(select=[rule_id])) if d.rule == rule_id]


def assert_folded(found: list[str], replicas: int, first: str) -> None:
    """One finding for a template's mistake, naming the first replica (`first`), and saying
    how many other replicas have it too."""
    assert len(found) == 1, found
    assert first in found[0], found[0]
    if replicas > 1:
        assert f"(the same in {replicas - 1} other replica(s)" in found[0], found[0]
    else:
        assert "other replica" not in found[0], found[0]
