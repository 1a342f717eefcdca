"""The one-way pipeline every command shares: source -> manifest -> model -> rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from superpod_iac.config import Config
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.manifest.parse import Manifest, parse_documents
from superpod_iac.model.build import build_inventory
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.engine import finish, run_rules
from superpod_iac.source.loader import LoadLimits, SourceFile, discover, load_file


class InputError(Exception):
    """The paths given do not exist or hold no manifests (exit code 2)."""


@dataclass
class Project:
    sources: list[SourceFile]
    manifests: list[Manifest]
    inventory: Inventory
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(d.severity == Severity.ERROR for d in self.diagnostics)


def _read(files: list[str], limits: LoadLimits) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Load each file, stopping (with SCH012) once the run's total byte budget is spent."""
    sources: list[SourceFile] = []
    total = 0
    for f in files:
        src = load_file(f, limits)
        total += src.size
        if total > limits.max_total_bytes:
            return sources, [Diagnostic(
                "SCH012", Severity.ERROR, f"the files given hold more than "
                f"{limits.max_total_bytes:,} bytes (limit max_total_bytes); {f} and the "
                f"{len(files) - len(sources) - 1} file(s) after it are not read", f, 1, 1, (),
                "validate one design at a time, or raise [tool.superpod.limits] "
                "max_total_bytes")]
        sources.append(src)
    return sources, []


def load_project(paths: Sequence[str], config: Config, *, check: bool = True,
                 limits: LoadLimits | None = None) -> Project:
    limits = limits or config.limits
    found = discover(paths or ["."], limits)
    if found.missing:
        raise InputError(f"no such file or directory: {', '.join(found.missing)}")
    sources, budget = _read(found.files, limits)
    manifests, parse_diags = parse_documents(sources, named=found.named)
    inventory = build_inventory(manifests, config.policy, limits)
    diags: list[Diagnostic] = [d for s in sources for d in s.diagnostics]
    diags.extend(found.problems)
    diags.extend(budget)
    diags.extend(Diagnostic("SCH011", Severity.ERROR, f"symlink {link} leads outside the project "
                            "root; not followed", link, 1, 1, (),
                            "keep linked designs inside the repository") for link in found.escaped)
    diags.extend(parse_diags)
    diags.extend(Diagnostic("SCH012", Severity.ERROR, message,
                            hint="use a smaller range or fewer replicas, or raise the limit in "
                            "[tool.superpod.limits] (docs/security.md)").at(origin)
                 for message, origin in inventory.limit_errors)
    if check:
        diags.extend(run_rules(inventory, config))
    return Project(sources, manifests, inventory, finish(diags, sources, config))
