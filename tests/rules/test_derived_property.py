"""Derived beats declared (issue #32), as a property over generated designs.

Every failing rule fixture (tests/fixtures/rules/ID.yaml with the shared base) is a physically
wrong design that exits 1. Hypothesis adds or changes declared figures on it, one to three at
a time, of the kinds tests/derived_mutations.py makes: ratings above the breaker, CDU figures
above the type's nameplate, rear doors without a rated type, lengths shorter than the run,
active types re-roled without power or flattened to 0U, typical draws above the maximum. None
may turn the exit into 0: a written figure is believed only as far as the design allows.

Role changes are drawn only for types that are active by content (accelerators or ports
faster than 1 Gb/s): a type with neither may really be a passive part.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.source.loader import Document, SourceFile, load_file
from tests import derived_mutations
from tests.conftest import RULE_FIXTURES, expectations, rule_fixtures
from tests.test_fuzz_mass import _check

BASE = RULE_FIXTURES / "_base.yaml"


def _is_error(rule_id: str) -> bool:
    from superpod_iac.rules.catalog import all_rules

    return all_rules()[rule_id].severity.value == "error"


@cache
def _failing() -> list[Path]:
    """Rule fixtures that fail (an error-level rule expected) and load as YAML (not the SCH
    fixtures of broken syntax, which no figure can repair anyway)."""
    out = []
    for p in rule_fixtures():
        if any(_is_error(r) for r, _ in expectations(p)) and not p.name.startswith("SCH"):
            out.append(p)
    return out


@cache
def _sources(path: Path) -> tuple[SourceFile, SourceFile]:
    return load_file(str(BASE)), load_file(str(path))


def _rebuilt(base: list[SourceFile], docs: list[list[object]]) -> list[SourceFile]:
    return [SourceFile(s.path, [Document(s.path, d.index, data, d.positions, d.start)
                                for d, data in zip(s.documents, docs[i], strict=True)],
                       [], s.ignores) for i, s in enumerate(base)]


def test_the_fixtures_fail_before_mutation() -> None:
    assert len(_failing()) > 60
    for path in _failing()[:5]:
        assert _check(list(_sources(path))) > 0, path.name


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_declared_figures_never_turn_a_failing_design_clean(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_failing()), label="fixture")
    base = list(_sources(path))
    docs = [[copy.deepcopy(d.data) for d in s.documents] for s in base]
    flat = [d for f in docs for d in f]
    kinds = data.draw(st.lists(st.sampled_from(derived_mutations.KINDS), min_size=1,
                               max_size=3), label="mutations")
    done = []
    for kind in kinds:
        got = derived_mutations.mutate(flat, kind, lambda xs: data.draw(st.sampled_from(xs)))
        if got is not None:
            done.append(got[0])
    if not done:
        return
    errors = _check(_rebuilt(base, docs))
    assert errors > 0, f"{path.name} passes after {done}"


@pytest.mark.parametrize("kind", derived_mutations.KINDS)
def test_each_mutation_applies_somewhere(kind: str) -> None:
    """Each mutation kind finds something to change in at least one failing fixture (so the
    property above really exercises it)."""
    for path in _failing():
        docs = [[copy.deepcopy(d.data) for d in s.documents] for s in _sources(path)]
        if derived_mutations.mutate([d for f in docs for d in f], kind, lambda xs: xs[0]):
            return
    raise AssertionError(f"{kind} applies to no failing fixture")
