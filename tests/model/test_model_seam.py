"""The model seam: the typed problem collector (model/problems.py) and the one declared
mechanism for derived quantities (model/derived.py)."""

from __future__ import annotations

import importlib
import re

import pytest

from superpod_iac.config import Config
from superpod_iac.diagnostics import Origin
from superpod_iac.model.derived import DERIVED, derived
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.loads import cabinet_loads
from superpod_iac.model.problems import (
    ExpansionProblem,
    LimitReached,
    PowerLoop,
    Problems,
    Unresolved,
)
from superpod_iac.pipeline import load_project
from tests.conftest import FIXTURES, ROOT

HERE = Origin("a.yaml", 0, ("spec",))


def test_problems_skip_references_to_unbuilt_names() -> None:
    problems = Problems({"rk9"})
    problems.missing("cabinet", "rk9", HERE, "superpod p")
    problems.missing("cabinet", "rk8", HERE, "superpod p")
    assert problems.unresolved == [Unresolved("cabinet", "rk8", HERE, "superpod p")]


def test_expansion_problems_once_per_template_only_when_asked() -> None:
    problems = Problems()
    for _ in range(3):
        problems.cannot_expand("bad range", HERE, once=True)
    problems.cannot_expand("bad range", HERE)
    problems.cannot_expand("bad range", HERE)
    assert problems.expansion == [ExpansionProblem("bad range", HERE)] * 3


def test_a_limit_is_reported_once_per_place() -> None:
    problems = Problems()
    elsewhere = Origin("b.yaml", 0, ())
    for origin in (HERE, HERE, elsewhere):
        problems.limit("too many", origin)
    assert problems.limits == [LimitReached("too many", HERE), LimitReached("too many", elsewhere)]


def test_a_power_loop_reads_as_its_chain() -> None:
    assert PowerLoop(("a", "b", "a"), HERE).text == "a -> b -> a"


def test_the_inventory_shares_its_unbuilt_names_with_its_problems() -> None:
    inv = load_project([str(FIXTURES / "render" / "mini")], Config(), check=False).inventory
    assert inv.problems.unbuilt is inv.unbuilt


def _mini() -> Inventory:
    return load_project([str(FIXTURES / "render" / "mini")], Config(), check=False).inventory


def test_a_derived_quantity_is_computed_once_until_the_inventory_changes() -> None:
    inv = _mini()
    first = cabinet_loads(inv)
    assert cabinet_loads(inv) is first
    assert (first["rk1"].max_w, first["rk1"].transceivers) == (4 * 4500.0 + 16 * 8.5, 16)
    inv.invalidate()
    again = cabinet_loads(inv)
    assert again is not first and again == first


def test_derived_quantities_are_declared_once_and_listed() -> None:
    """DERIVED lists every `@derived` function of the package, each under one key."""
    declared: set[str] = set()
    for path in sorted((ROOT / "superpod_iac").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names = re.findall(r"^@derived\ndef (\w+)\(inv: Inventory\)", text, re.M)
        assert len(names) == text.count("@derived\n"), f"{module}: @derived on a method?"
        if names:
            importlib.import_module(module)
        declared |= {f"{module}.{n}" for n in names}
    assert len(declared) == 31  # 25, model.electrical (2: node studies, apparent ratings),
    # model.bandwidth (2), model.utilization.shelf_headroom (1), model.shape.analyse_replicas (1)
    assert declared == set(DERIVED)
    for key in ("superpod_iac.model.loads.cabinet_loads", "superpod_iac.model.power.power_tree",
                "superpod_iac.bom.lines.cable_sizes", "superpod_iac.render.scope.build_scope"):
        assert key in DERIVED, key
    with pytest.raises(ValueError, match="declared twice"):
        derived(DERIVED["superpod_iac.model.loads.cabinet_loads"])


def test_no_module_keeps_its_own_memo_in_the_inventory_cache() -> None:
    """Every cached value goes through `@derived`: a hand-written `inv.cache[...]` memo is
    the drift this mechanism replaced."""
    memo = re.compile(r"\.cache\s*\[|\.cache\.(get|setdefault|pop|update)\(")
    found = [f"{p.relative_to(ROOT)}:{n}"
             for p in sorted((ROOT / "superpod_iac").rglob("*.py"))
             if p.name != "derived.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if memo.search(line)]
    assert found == []
