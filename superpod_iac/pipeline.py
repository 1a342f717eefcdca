"""The one-way pipeline every command shares: source -> manifest -> model -> rules."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field

from superpod_iac import API_VERSION
from superpod_iac.config import Config, check_rule_ids, say_relaxations
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.manifest.builtin import builtin_catalogs
from superpod_iac.manifest.common import ManifestBase
from superpod_iac.manifest.parse import Manifest, parse_documents
from superpod_iac.model.build import build_inventory, declared_names
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.catalog import all_rules, declared_severity
from superpod_iac.rules.engine import finish, run_rules
from superpod_iac.source.loader import (
    COST_US,
    STDIN,
    STDIN_NAME,
    Discovery,
    LoadLimits,
    OverBudget,
    Overlay,
    SourceFile,
    discover,
    missing_message,
    read_within_budget,
)


class InputError(Exception):
    """The paths given do not exist or hold no manifests (exit code 2)."""


@dataclass
class Project:
    sources: list[SourceFile]
    manifests: list[Manifest[ManifestBase]]
    inventory: Inventory
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(d.severity == Severity.ERROR for d in self.diagnostics)


def _budget_exceeded(over: OverBudget, limits: LoadLimits) -> Diagnostic:
    if over.cpu_ms is not None:
        return Diagnostic(
            "SCH012", declared_severity("SCH012"), f"reading and checking {over.total:,} bytes "
            f"of manifests is estimated at {over.cpu_ms:,.0f} ms of CPU > limit "
            f"{limits.max_cpu_ms:,} (limit max_cpu_ms; {COST_US['byte']} us a byte, the worst "
            f"case measured in docs/security.md); {over.path} and the {over.left} file(s) "
            "after it are not read", over.path, 1, 1, (),
            "validate one design at a time, use replication and generators instead of writing "
            "every object out, or raise [tool.superpod.limits] max_cpu_ms")
    return Diagnostic(
        "SCH012", declared_severity("SCH012"), f"the files given hold more than {limits.max_total_bytes:,} "
        f"bytes (limit max_total_bytes; {over.total:,} with this one); {over.path} and the "
        f"{over.left} file(s) after it are not read", over.path, 1, 1, (),
        "validate one design at a time, or raise [tool.superpod.limits] max_total_bytes")


def load_project(paths: Sequence[str], config: Config, *, check: bool = True,
                 limits: LoadLimits | None = None, overlay: Overlay | None = None) -> Project:
    """Load, build and check a design. Python's cyclic garbage collector is paused meanwhile:
    building a large design allocates millions of long-lived objects and no cyclic garbage, and
    each full collection re-walked all of them (~15 % of validating 432 pods; peak RSS unchanged).
    Reference counting still frees everything as before. An `overlay` (the language server's)
    supplies unsaved editor buffers and reuses files already loaded from the same text."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_project(paths, config, check=check, limits=limits, overlay=overlay)
    finally:
        if enabled:
            gc.enable()


def checked(project: Project, config: Config) -> list[Diagnostic]:
    """The findings of a project loaded with `check=False`, rules included: what `validate`
    would report (`render` loads once, stops on parse errors, then asks for these)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        rules = run_rules(project.inventory, config)
    finally:
        if enabled:
            gc.enable()
    return finish([*project.diagnostics, *rules], project.sources, config)


def _load_project(paths: Sequence[str], config: Config, *, check: bool,
                  limits: LoadLimits | None, overlay: Overlay | None) -> Project:
    if config.unchecked:  # rule IDs named in a configuration file: they must name rules
        check_rule_ids(config, list(all_rules()))
    if config.relaxes is not None:
        say_relaxations(config, {rid: r.severity for rid, r in all_rules().items()})
    limits = limits or config.limits
    paths = list(paths or ["."])
    stdin = paths.count(STDIN)
    if stdin > 1:
        raise InputError("standard input (-) can be given once")
    found = discover([p for p in paths if p != STDIN], limits) if len(paths) > stdin else \
        Discovery([], [], [])
    if found.missing:
        raise InputError(missing_message(found.missing))
    from superpod_iac.progress import bar

    files = [*found.files, *([STDIN] if stdin else [])]
    steps = bar(desc="superpod", total=len(files) + 2 + int(check), unit="step")
    sources: list[SourceFile] = []
    budget: list[Diagnostic] = []
    steps.set_postfix_str("read", refresh=False)
    for src in read_within_budget(files, limits, overlay, charge_cpu=True):
        if isinstance(src, OverBudget):
            budget.append(_budget_exceeded(src, limits))
            break
        sources.append(src)
        steps.update()
    steps.set_postfix_str("parse", refresh=False)
    named = found.named | ({STDIN_NAME} if stdin else set())
    manifests, parse_diags = parse_documents(sources, named=named)
    steps.update()
    parsed = {id(m.document) for m in manifests}
    unbuilt = {name for src in sources for doc in src.documents if id(doc) not in parsed
               and isinstance(doc.data, dict) and doc.data.get("apiVersion") == API_VERSION
               for name in declared_names(doc.data)}
    steps.set_postfix_str("model", refresh=False)
    inventory = build_inventory(manifests, config.policy, limits, unbuilt,
                                builtin=builtin_catalogs(),
                                read_bytes=sum(src.size for src in sources))
    steps.update()
    diags: list[Diagnostic] = [d for s in sources for d in s.diagnostics]
    diags.extend(found.problems)
    diags.extend(budget)
    diags.extend(Diagnostic("SCH011", declared_severity("SCH011"), "this symlink leads outside the project "
                            "root; not followed", link, 1, 1, (),
                            "keep linked designs inside the repository") for link in found.escaped)
    diags.extend(parse_diags)
    diags.extend(Diagnostic("SCH012", declared_severity("SCH012"), limit.message,
                            hint="use a smaller range or fewer replicas, or raise the limit in "
                            "[tool.superpod.limits] (docs/security.md)").at(limit.origin)
                 for limit in inventory.problems.limits)
    if check:
        steps.set_postfix_str("rules", refresh=False)
        diags.extend(run_rules(inventory, config))
        steps.update()
    steps.close()
    return Project(sources, manifests, inventory, finish(diags, sources, config))
