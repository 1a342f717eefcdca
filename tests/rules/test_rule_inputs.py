"""A check that cannot run for a missing figure is a finding, never silence (issue #32, principle 3).

Every rule declares the figures it reads (`inputs=` on `@rule`, listed in docs/rules.md) and
what happens when one is left out: `!ID` names the rule that reports it missing, plain means
the schema requires it. For each such input, the rule's passing fixture (a design where the
rule applies and is satisfied) loses that field wherever it writes it, and so does the shared
base context in the power, cooling and site objects every fixture uses, and the design must then
exit non-zero with the named rule (or a schema error) among its findings. `?` (optional
cross-checks) and `=` (documented defaults) are, by declaration, not missing figures.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from superpod_iac.config import Config
from superpod_iac.diagnostics import Severity
from superpod_iac.manifest.builtin import builtin_catalogs
from superpod_iac.manifest.parse import parse_documents
from superpod_iac.model.build import build_inventory
from superpod_iac.rules.catalog import all_rules
from superpod_iac.rules.engine import finish, run_rules
from superpod_iac.source.loader import Document, SourceFile, load_file
from tests.conftest import ROOT, RULE_FIXTURES

BASE = RULE_FIXTURES / "_base.yaml"
PASS = RULE_FIXTURES / "pass"

KIND_OF = {
    **dict.fromkeys(("DeviceType", "CabinetType", "CduType", "AcceleratorType",
                     "TransceiverType", "CableType", "PortGroup", "PowerOutput", "Psus",
                     "OutletBank"), "Catalog"),
    **dict.fromkeys(("PowerNode", "PowerSystem", "Conductor"), "PowerSystem"),
    **dict.fromkeys(("Cdu", "CduGroup", "FacilityLoop", "AirZone"), "CoolingSystem"),
    **dict.fromkeys(("Hall", "Row"), "Site"),
    **dict.fromkeys(("Cabinet", "Device"), "Cabinet"),
    **dict.fromkeys(("Link", "Fabric", "Clos"), "Fabric"),
    "Expect": "Superpod",
    "Cluster": "Cluster",
}

_SHARED = {"PowerSystem", "CoolingSystem", "Site"}
"""Kinds whose objects in the base context every fixture uses (its feeds, CDU, hall); the
base's catalog parts are used by some fixtures only, so only a fixture's own are removed."""


def _cases() -> list[tuple[str, str, str]]:
    """(rule, Model.field, reporter or '' for schema-required) for every input that must not be
    silently missing, on rules with a passing fixture."""
    out = []
    for rid, r in all_rules().items():
        path = PASS / f"{rid}.yaml"
        if not path.exists():
            continue
        own = [copy.deepcopy(d.data) for d in load_file(str(path)).documents]
        shared = [copy.deepcopy(d.data) for d in load_file(str(BASE)).documents]
        for text in r.inputs:
            name, _, reporter = text.partition("!")
            if name.endswith(("?", "=")) or "." not in name:
                continue
            model, field = name.split(".", 1)
            kind = KIND_OF[model]
            if _strip_docs(own + (shared if kind in _SHARED else []), kind, field):
                out.append((rid, name, reporter))
    return out


def _strip_docs(docs: list[Any], kind: str, field: str) -> int:
    return sum(_strip(d.get("spec"), field) for d in copy.deepcopy(docs)
               if isinstance(d, dict) and d.get("kind") == kind)


def _strip(node: Any, field: str) -> int:
    """Remove `field` from every mapping under `node`; how many were removed."""
    n = 0
    if isinstance(node, dict):
        if field in node:
            del node[field]
            n += 1
        for v in node.values():
            n += _strip(v, field)
    elif isinstance(node, list):
        for v in node:
            n += _strip(v, field)
    return n


def _without(source: SourceFile, kind: str, field: str) -> SourceFile:
    """`source` with `field` removed from every mapping of its `kind` documents."""
    docs = [copy.deepcopy(d.data) for d in source.documents]
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == kind:
            _strip(d.get("spec"), field)
    return SourceFile(source.path, [Document(source.path, d.index, data, d.positions, d.start)
                                    for d, data in zip(source.documents, docs, strict=True)],
                      [], source.ignores)


def _findings(sources: list[SourceFile]) -> set[str]:
    cfg = Config()
    manifests, diags = parse_documents(sources, named={s.path for s in sources})
    inv = build_inventory(manifests, {}, cfg.limits, builtin=builtin_catalogs())
    diags = diags + [d for s in sources for d in s.diagnostics]
    diags.extend(run_rules(inv, cfg))
    return {d.rule for d in finish(diags, sources, cfg) if d.severity == Severity.ERROR}


def test_inputs_are_declared_on_every_inventory_rule() -> None:
    missing = sorted(rid for rid, r in all_rules().items() if r.check is not None and not r.inputs)
    assert not missing, f"rules without inputs=: {missing}"


def test_reporters_exist() -> None:
    rules = all_rules()
    bad = [(rid, t) for rid, r in rules.items() for t in r.inputs
           if "!" in t and t.split("!", 1)[1] not in rules]
    assert not bad, bad


@pytest.mark.parametrize(("rule_id", "name", "reporter"), _cases(),
                         ids=lambda v: str(v) or "schema")
def test_removing_an_input_is_a_finding(rule_id: str, name: str, reporter: str) -> None:
    model, field = name.split(".", 1)
    path: Path = PASS / f"{rule_id}.yaml"
    base, fixture = load_file(str(BASE)), load_file(str(path))
    kind = KIND_OF[model]
    errors = _findings([_without(base, kind, field) if kind in _SHARED else base,
                        _without(fixture, kind, field)])
    assert errors, f"{rule_id}: removing {name} from {path.name} is silent"
    if reporter:
        assert reporter in errors or any(e.startswith("SCH") for e in errors), \
            f"{rule_id}: removing {name} from {path.name} gives {sorted(errors)}, not {reporter}"


SPECS = ("gb200-nvl72", "cloudmatrix-384", "trn2-ultraserver", "tianchi-256")


def _reported_inputs() -> list[tuple[str, str]]:
    """(Model.field, reporter) of every input some rule says is reported when missing."""
    return sorted({(t.split("!", 1)[0], t.split("!", 1)[1]) for r in all_rules().values()
                   for t in r.inputs if "!" in t})


def _spec_cases() -> list[tuple[str, str, str]]:
    """(spec, Model.field, reporter) for each such input a reference design writes itself."""
    out = []
    for spec in SPECS:
        sources = [load_file(str(f)) for f in sorted((ROOT / "specs" / spec).glob("*.yaml"))]
        for name, reporter in _reported_inputs():
            model, field = name.split(".", 1)
            if sum(_strip_docs([d.data for d in s.documents], KIND_OF[model], field)
                   for s in sources):
                out.append((spec, name, reporter))
    return out


@pytest.mark.parametrize(("spec", "name", "reporter"), _spec_cases())
def test_removing_a_figure_from_a_reference_design_is_never_silent(
        spec: str, name: str, reporter: str) -> None:
    """The same on the reference designs: a clean spec that loses a figure some check needs
    (from every object of its kind the spec writes) fails, with the rule that reports it
    missing (or a schema error)."""
    model, field = name.split(".", 1)
    kind = KIND_OF[model]
    sources = [load_file(str(f)) for f in sorted((ROOT / "specs" / spec).glob("*.yaml"))]
    errors = _findings([_without(s, kind, field) for s in sources])
    assert reporter in errors or any(e.startswith("SCH") for e in errors), \
        f"specs/{spec} without {name}: {sorted(errors)}, not {reporter}"
