"""Every rule: imports each rule family module so its rules register (one module per family),
and answers for the registry once they have (`all_rules`, `declared_severity`). The families
import only `registry`, never this module, so there is no import cycle among the rules."""

from __future__ import annotations

from superpod_iac.diagnostics import Severity
from superpod_iac.rules import (  # noqa: F401
    cooling,
    electrical,
    expect,
    fibre,
    geometry,
    optics,
    outlets,
    ports,
    power,
    redundancy,
    references,
    registry,
    schema,
    shape,
    space,
    temperature,
    topology,
)


def all_rules() -> dict[str, registry.Rule]:
    """Every registered rule, by ID."""
    return dict(sorted(registry.RULES.items()))


def declared_severity(rule_id: str) -> Severity:
    """The default severity of a declared rule (SCH, INT): the engine's `finish` sets it on
    the loader's and parser's findings."""
    return registry.RULES[rule_id].severity
