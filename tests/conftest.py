"""Shared test helpers: run the CLI in-process and parse fixture expectations."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from superpod_iac.cli import main

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
SPECS = ROOT / "specs"
EXPECT_RE = re.compile(r"^# expect: ([A-Z]{3}\d{3})(?: (\d+))?\s*$", re.M)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `superpod ARGS` in-process from the repository root; returns code, stdout, stderr."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def expectations(path: Path) -> list[tuple[str, int | None]]:
    """`# expect: RULE [LINE]` header lines of a fixture file."""
    text = path.read_text(encoding="utf-8")
    return [(m.group(1), int(m.group(2)) if m.group(2) else None) for m in EXPECT_RE.finditer(text)]


def rule_fixtures() -> list[Path]:
    return sorted(p for p in RULE_FIXTURES.glob("*.yaml") if expectations(p))


CASE_RE = re.compile(r"^([A-Z]{3}\d{3})(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?\.yaml$")
"""A rule's case file: `ID.yaml` (its Example) or `ID-<case>.yaml` (an edge case), under
tests/fixtures/rules/ (failing) or tests/fixtures/rules/pass/ (passing)."""


def rule_cases(rule_id: str) -> tuple[list[Path], list[Path]]:
    """Every case of one rule, found by file name beside its fixture: the failing ones
    (`tests/fixtures/rules/ID.yaml`, `ID-<case>.yaml`) and the passing ones (the same names
    under `pass/`). tests/rules/test_rule_fixtures.py and test_rule_passing.py run them all."""
    def named(folder: Path) -> list[Path]:
        return sorted(p for p in folder.glob(f"{rule_id}*.yaml")
                      if (m := CASE_RE.match(p.name)) and m.group(1) == rule_id)
    return named(RULE_FIXTURES), named(RULE_FIXTURES / "pass")


# -- tests never read outside the repository ----------------------------------------------
_OUTSIDE = (str(ROOT.parent / "shared"),)
"""The team's shared folder sits beside the checkout on developer machines but not for a user
who clones the repository: a test that reads it would pass here and fail there."""


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and isinstance(args[0], str | bytes | Path):
        path = os.fsdecode(args[0]) if not isinstance(args[0], Path) else str(args[0])
        if os.path.abspath(path).startswith(_OUTSIDE):
            raise PermissionError(f"tests must not read outside the repository: {path} "
                                  "(vendor what the test needs under tests/)")


sys.addaudithook(_audit)


# -- a skipped test is a failure unless CI genuinely lacks what it needs ---------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ci_lacks(reason): the test needs something CI machines cannot have; only "
        "such a test may be skipped (every other skip fails the run)")
    config.addinivalue_line(
        "markers", "slow: takes more than ~10 s on a 2-core machine; `make test-fast` "
        "(-m 'not slow') leaves it out, `make test` runs it")


def module_key(path: Path) -> str:
    """A test module's path below tests/ (`netbox/test_netbox_live.py`): the key of SLOW and
    SERIAL_GROUPS."""
    return path.resolve().relative_to(TESTS).as_posix()


# -- parallel runs (pytest-xdist, `make test`: -n 2 --dist loadfile) -------------------------
SERIAL_GROUPS = {
    "netbox/test_netbox_live.py": "netbox",  # one NetBox per session (fixed ports): one worker
    "htmlreport/test_report_browser.py": "browser",  # one Chromium shared by the module's tests
}
"""Test files whose tests must run on one worker, in order. `make test` distributes whole files
(`--dist loadfile`), which keeps each on one worker: with pytest-xdist 3.8 and pytest 9.2,
`--dist loadgroup` did not group (seen: node ids without their `@group` suffix, a marked
file's tests on both workers, so the live NetBox file's two workers each started and stopped
the one NetBox). The xdist_group markers stay, for a loadgroup that groups again."""


FIRST = (
    "netbox/test_netbox_live.py",
    "test_fuzz_mass.py",
    "test_trust.py",
    "test_specs.py",
    "render/test_render_budget.py",
    "htmlreport/test_report_browser.py",
)
"""The files `make test` starts first, longest first: the live NetBox before anything else (its
server's saving of every device and cable, 7-14 minutes with CloudMatrix 384 in CI, is the
run's long pole, and its start overlaps the rest instead of waiting behind it), then the
longest of the others, so no long file is left for the end (longest-processing-time-first).
`pytest_collection_modifyitems` moves them to the front, and `make test` passes
`--no-loadscope-reorder`: xdist's default sorts files by their number of tests, which put
the live NetBox file 19th."""

SLOW = {
    # file -> tests (every parameter) measured above ~15 s on the 2-core machine under load
    # (`pytest -n 2 --durations=40`, 2026-12-07; the whole run 23 min at load average 8)
    "test_fuzz_mass.py": {"test_ten_thousand_mutations"},
    "test_readme.py": {"test_tour_prints_exactly_what_the_readme_shows"},
    "test_specs.py": {"test_each_spec_folder_is_self_contained",
                      "test_generated_docs_are_current", "test_readme_figure_tables_match_the_tool"},
    "htmlreport/test_report_browser.py": {"test_report_in_chromium"},
    "htmlreport/test_report.py": {"test_cluster_report_stays_small"},
    "test_precommit.py": {"test_pre_commit_try_repo_rejects_bad_manifest"},
    "render/test_render_budget.py": {"test_every_view_within_the_size_budget",
                                     "test_cluster_power_has_a_campus_level"},
    "render/test_render.py": {"test_every_spec_draws_all_four_views"},
    "test_trust.py": {"test_hostile_input_is_bounded_in_every_reader",
                      "test_out_replaces_only_regular_files",
                      "test_loader_and_schema_findings_cannot_be_deselected",
                      "test_sigterm_leaves_no_temporary_file",
                      "test_output_survives_any_terminal_encoding",
                      "test_a_prefix_shorter_than_a_family_selects_nothing",
                      "test_a_poisoned_catalog_cache_is_never_unpickled",
                      "test_configuration_is_found_from_the_validated_path_up_to_the_repo_root"},
    "test_fuzz.py": {"test_random_mutations_never_crash", "test_dangling_references_are_errors"},
    "bom/test_compare.py": {"test_compare_every_pair_of_specs"},
    "manifest/test_editor_schemas.py": {"test_check_jsonschema_agrees"},
    "cli/test_cli_conventions.py": {"test_out_dash_is_stdout_and_never_a_file"},
    "test_outputs.py": {"test_outputs_are_deterministic_across_hash_seeds"},
    "test_hardening.py": {"test_same_bytes_across_input_file_order"},
    "netbox/test_netbox_live.py": None,  # None: every test of the file (a live NetBox)
}
"""The slow tests: `make test-fast` (-m "not slow") leaves them out, `make test` runs them.
Kept here rather than as decorators in each file, so the list is one place to measure and
prune; a name that no longer exists fails `tests/test_house.py`."""


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {file: i for i, file in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(module_key(item.path), len(FIRST)))  # stable
    for item in items:
        file = module_key(item.path)
        group = SERIAL_GROUPS.get(file)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
        name = getattr(item, "originalname", item.name)
        if file in SLOW and (SLOW[file] is None or name in (SLOW[file] or ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") \
            and item.get_closest_marker("ci_lacks") is None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"skipped without a ci_lacks marker, which counts as a failure: "
                           f"{reason}")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    skipped = len(terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(f"skipped tests (allowed only with ci_lacks): {skipped}")
