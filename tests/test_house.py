"""The house rules that hold the code together (issue 31): stages import only downward (the
import-linter contract in pyproject.toml), and one question has one answer in one place."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from superpod_iac.config import Config
from superpod_iac.model.utilization import cabinet_use
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT, RULE_FIXTURES


def test_stages_import_only_downward() -> None:
    """`lint-imports` (also a step of `make test`): 0 upward imports, so 0 cycles between
    stages. The contract lists the layers of docs/architecture.md."""
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "lint-imports"), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


@pytest.mark.parametrize("fixture", ["PWR001.yaml", "pass/PWR001.yaml", "PWR002.yaml"])
def test_overloaded_cabinet_is_one_answer(fixture: str) -> None:
    """PWR001 and the `overloaded` flag the diagrams, diff and report show agree cabinet by
    cabinet (they used different tolerances)."""
    project = load_project([str(RULE_FIXTURES / "_base.yaml"), str(RULE_FIXTURES / fixture)],
                           Config(select=["PWR001"]))
    flagged = {name for name, use in cabinet_use(project.inventory).items() if use.overloaded}
    found = {name for d in project.diagnostics if d.rule == "PWR001"
             for name in project.inventory.cabinets if f"cabinet {name} " in d.message}
    assert flagged == found
    assert bool(flagged) == (fixture == "PWR001.yaml")


def test_every_slow_test_named_exists() -> None:
    """tests/conftest.py SLOW names tests by file and function: a renamed test must not fall
    out of the list silently (it would slow `make test-fast` down)."""
    import ast

    from tests.conftest import SLOW

    for file, names in SLOW.items():
        tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not set(names or ()) - defined, (file, set(names or ()) - defined)


def test_the_complexity_allow_list_only_shrinks() -> None:
    """Every entry of [tool.ruff.lint.per-file-ignores] is still needed: ruff without the
    allow-list finds exactly those files over the budget with exactly those codes. A function
    split below the budget must take its file's entry out (the list only shrinks)."""
    import json
    import tomllib

    allowed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["ruff"]["lint"]["per-file-ignores"]
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ruff"), "check", ".", "--select", "C901,PLR0912,PLR0915",
         "--config", "lint.per-file-ignores = {}", "--output-format", "json", "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    found: dict[str, set[str]] = {}
    for item in json.loads(proc.stdout):
        path = str(Path(item["filename"]).relative_to(ROOT))
        found.setdefault(path, set()).add(item["code"])
    assert {f: set(c) for f, c in allowed.items()} == found
