"""The house rules that hold the code together (issue 31): stages import only downward (the
import-linter contract in pyproject.toml), and one question has one answer in one place."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from superpod_iac.config import Config
from superpod_iac.model.utilization import cabinet_use
from superpod_iac.pipeline import load_project
from tests.conftest import ROOT, RULE_FIXTURES, TESTS


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
    """tests/conftest.py SLOW (and SERIAL_GROUPS) name tests by file and function: a renamed test must not fall
    out of the list silently (it would slow `make test-fast` down)."""
    import ast

    from tests.conftest import FIRST, SERIAL_GROUPS, SLOW

    assert all((TESTS / file).is_file() for file in (*SERIAL_GROUPS, *FIRST))
    for file, names in SLOW.items():
        tree = ast.parse((TESTS / file).read_text(encoding="utf-8"))
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


CROSS_CUTTING = {
    "test_architecture.py": "docs/architecture.md against the whole package",
    "test_house.py": "the house rules: the import contract, the complexity budget, this layout",
    "test_docs.py": "docs/manifests.md's examples, through the whole pipeline",
    "test_readme.py": "the README's set-up and tour, through the real entry point",
    "test_specs.py": "the reference designs in specs/ and the docs generated from them",
    "test_precommit.py": "the pre-commit hook this repository ships",
    "test_fuzz.py": "mutated reference designs through every stage (hypothesis)",
    "test_fuzz_mass.py": "ten thousand mutated manifests through every stage",
    "test_trust.py": "bounds and escaping of every reader and every sink",
    "test_trust_holes.py": "the second round of test_trust.py, across the same stages",
    "test_hardening.py": "atomic, byte-identical outputs of every command",
    "test_outputs.py": "bom, cabling, summary, compare and diff against independent counts",
    "test_writers_columnwise.py": "the cut sheet (cabling.py) and NetBox's cables.csv together",
}
"""Test modules that test no one stage, kept at the top of tests/ with the reason. The list
only shrinks: a module that tests one stage belongs in that stage's folder."""

HELPERS = {"conftest.py", "__init__.py", "datapaths.py", "derived_mutations.py", "lldpfmt.py",
           "heavy_specs.py"}
"""Modules at the top of tests/ that hold helpers, not tests (a helper one stage uses may also
sit in that stage's folder)."""


def test_tests_mirror_the_code() -> None:
    """A test module lives in the folder of the code it tests: tests/<stage>/test_*.py for the
    package superpod_iac/<stage>/ (tests/rules/, tests/model/, tests/render/, ...),
    tests/test_<module>*.py for the top-level module superpod_iac/<module>.py, or the top of
    tests/ with a reason in CROSS_CUTTING. Every test folder is a package (`tests.<stage>`), so
    two stages may hold modules of one name."""
    package = ROOT / "superpod_iac"
    modules = {p.stem for p in package.glob("*.py")}
    data = {TESTS / "fixtures", TESTS / "golden", TESTS / "data", TESTS / "corpus"}
    misplaced: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        if any(d in path.parents for d in data):
            assert not path.name.startswith("test_"), f"a test module among data: {path}"
            continue
        rel = path.relative_to(TESTS)
        if len(rel.parts) == 1:
            stem = path.stem.removeprefix("test_")
            if path.name in HELPERS or path.name in CROSS_CUTTING or any(
                    stem == m or stem.startswith(m + "_") for m in modules):
                continue
            misplaced.append(f"{rel}: no superpod_iac/{stem}.py and not in CROSS_CUTTING")
        elif not (package / rel.parent).is_dir():
            misplaced.append(f"{rel}: no superpod_iac/{rel.parent.as_posix()}/ to mirror")
        elif not (path.parent / "__init__.py").is_file():
            misplaced.append(f"{rel}: its folder has no __init__.py")
    assert not misplaced, "\n".join(misplaced)
    assert all((TESTS / name).is_file() for name in CROSS_CUTTING), "a stale CROSS_CUTTING entry"
