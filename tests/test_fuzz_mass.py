"""Ten thousand mutated manifests per run: never a traceback, never an exit 0 on a known error.

A small clean design (tests/fixtures/rules/_base.yaml + tests/fixtures/fuzz/cabinet.yaml and
derived.yaml) is
mutated with a seeded generator (derandomized: the same 10,000 cases every run) and each case
goes through the whole pipeline in-process (parse, build, every rule, finish), on both cores.
Mutations of two sorts:

- known errors, which a correct validator must reject (exit 1): a boolean, NaN, infinity or a
  numeric string where a number belongs; a reference to an object that does not exist; an
  unknown field; a misspelt kind or apiVersion; a duplicated named object; an object named
  like one a Cluster replica copies (`r-1.feed-A1`, `r-2.cdu-1`, `r-1.hall1`: REF002); a
  declared figure the design contradicts (tests/derived_mutations.py: a rating above its
  breaker, a CDU above its type's nameplate, a rear door with no rated type, a length shorter than its run, an
  active type re-roled without power or flattened to 0U, typical above maximum);
- anything else (a deleted key, a value of a random type, a duplicated list item, a byte-level
  edit of the YAML text), which may be valid or not but must never raise.
"""

from __future__ import annotations

import copy
import math
import os
import random
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from superpod_iac.config import Config
from superpod_iac.diagnostics import Severity
from superpod_iac.manifest.builtin import builtin_catalogs
from superpod_iac.manifest.parse import parse_documents
from superpod_iac.model.build import build_inventory
from superpod_iac.rules.engine import finish, run_rules
from superpod_iac.source.loader import Document, SourceFile, load_file
from tests import datapaths, derived_mutations
from tests.conftest import FIXTURES, RULE_FIXTURES

SEED = 20261126
CASES = 10_000
FILES = [RULE_FIXTURES / "_base.yaml", FIXTURES / "fuzz" / "cabinet.yaml",
         FIXTURES / "fuzz" / "cluster.yaml",
         FIXTURES / "fuzz" / "derived.yaml"]
CLASHES = {"PowerSystem": ("nodes", ["r-1.feed-A1", "r-2.feed-B1", "r-2.feed-A1"]),
           "CoolingSystem": ("cdus", ["r-1.cdu-1", "r-2.cdu-1"]),
           "Site": ("halls", ["r-1.hall1", "r-2.hall1"])}
"""Lists holding infrastructure the Cluster of cluster.yaml copies, and the copies' names."""
REF_KEYS = {"type", "parent", "cdu", "feeds", "loop", "group", "fluid", "hall", "row"}
BAD_NUMBERS: list[Any] = [True, False, math.nan, math.inf, -math.inf, "12", "1e3"]
JUNK: list[Any] = [None, True, 0, -1, 10**15, 1.5, -2.5, "", "x", "tray[1-3]", [], {}, [1, "a"],
                   {"a": 1}, math.nan, "\x1b[31mred", "é"]


def _known_error(rng: random.Random, kind: str, doc: dict[str, Any],
                 paths: list[tuple[Any, ...]]) -> tuple[str, bool] | None:
    """A mutation of `kind` that a correct validator must reject, or None when the document
    has nothing it applies to (the caller then edits a random path instead)."""
    if kind == "bad_number":
        nums = [p for p in paths if type(datapaths.get(doc, p)) in (int, float)]
        if nums:
            p = rng.choice(nums)
            value = rng.choice(BAD_NUMBERS)
            datapaths.get(doc, p[:-1])[p[-1]] = value
            return f"{p} = {value!r}", True
    if kind == "dangling":
        refs = [p for p in paths if isinstance(datapaths.get(doc, p), str) and
                any(isinstance(x, str) and x in REF_KEYS for x in p[-2:]) and "labels" not in p]
        if refs:
            p = rng.choice(refs)
            datapaths.get(doc, p[:-1])[p[-1]] = "zz-missing-" + str(datapaths.get(doc, p))
            return f"{p} dangling", True
    if kind == "unknown_field":
        maps = [p for p in [(), *paths] if isinstance(datapaths.get(doc, p), dict) and "labels" not in p]
        p = rng.choice(maps)
        datapaths.get(doc, p)["zz_unknown_field"] = 1
        return f"{p} + unknown field", True
    if kind == "kind":
        key = rng.choice(["kind", "apiVersion"])
        doc[key] = str(doc.get(key)) + rng.choice(["x", "s", "1"])
        return f"{key} misspelt", True
    if kind == "duplicate_named":
        named = [p for p in paths if isinstance(p[-1], int) and isinstance(datapaths.get(doc, p), dict)
                 and "name" in datapaths.get(doc, p) and isinstance(datapaths.get(doc, p)["name"], str)]
        if named:
            p = rng.choice(named)
            parent = datapaths.get(doc, p[:-1])
            parent.append(copy.deepcopy(parent[p[-1]]))
            return f"{p} duplicated", True
    return None


def _mutate(rng: random.Random, docs: list[list[Any]]) -> tuple[str, bool]:
    """Mutate one document in place; returns (what was done, whether it is a known error)."""
    fi = rng.randrange(len(docs))
    di = rng.randrange(len(docs[fi]))
    doc = docs[fi][di]
    paths = datapaths.paths(doc)
    kind = rng.choice(["bad_number", "dangling", "unknown_field", "kind", "duplicate_named",
                       "delete", "replace", "duplicate_item", "replica_clash", "derived"])
    if kind == "replica_clash":
        return _replica_clash(rng, docs)
    if kind == "derived":
        done = derived_mutations.mutate([d for f in docs for d in f],
                                        rng.choice(derived_mutations.KINDS), rng.choice)
        if done is not None:
            return done
    known = _known_error(rng, kind, doc, paths)
    if known is not None:
        return known
    if not paths:
        return "nothing", False
    p = rng.choice(paths)
    parent = datapaths.get(doc, p[:-1])
    if kind == "delete" or kind in ("bad_number", "dangling", "duplicate_named"):
        del parent[p[-1]]
        return f"{p} deleted", False
    if kind == "duplicate_item" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[p[-1]]))
        return f"{p} item duplicated", False
    parent[p[-1]] = copy.deepcopy(rng.choice(JUNK))
    return f"{p} replaced", False


def _replica_clash(rng: random.Random, docs: list[list[Any]]) -> tuple[str, bool]:
    """Give an explicit object (a copy of a power node, CDU or hall) the name a Cluster replica
    gives its own copy: REF002, never a silent replacement of either."""
    targets = [d for f in docs for d in f if d.get("kind") in CLASHES]
    doc = rng.choice(targets)
    key, names = CLASHES[doc["kind"]]
    items = doc["spec"][key]
    clash = copy.deepcopy(rng.choice(items))
    clash["name"] = rng.choice(names)
    items.insert(rng.randrange(len(items) + 1), clash)
    return f"{doc['kind']} {key} + {clash['name']}", True


def _text_mutation(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    op = rng.randrange(5)
    i = rng.randrange(len(lines))
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        pos = rng.randrange(len(text))
        return text[:pos] + rng.choice("[]{}:,-#&*!|>'\"\t \n%@`?") + text[pos:]
    elif op == 3:
        return text[: rng.randrange(len(text))]
    else:
        lines[i] = " " * rng.randrange(1, 4) + lines[i]
    return "".join(lines)


def _check(sources: list[SourceFile]) -> int:
    cfg = Config()
    manifests, diags = parse_documents(sources, named={s.path for s in sources})
    inv = build_inventory(manifests, {}, cfg.limits, builtin=builtin_catalogs())
    diags = diags + [d for s in sources for d in s.diagnostics]
    diags.extend(run_rules(inv, cfg))
    if any(d.rule == "INT001" for d in diags):
        raise AssertionError(next(d.message for d in diags if d.rule == "INT001"))
    return sum(d.severity == Severity.ERROR for d in finish(diags, sources, cfg))


def _worker(start: int, stop: int) -> list[str]:
    base = [load_file(str(f)) for f in FILES]
    texts = [f.read_text(encoding="utf-8") for f in FILES]
    problems: list[str] = []
    tmp = tempfile.mkdtemp(prefix="superpod-fuzz-")
    for case in range(start, stop):
        rng = random.Random(SEED * 100_003 + case)
        try:
            if case % 5 == 4:  # every fifth case: a byte-level edit of the YAML text
                fi = rng.randrange(len(texts))
                path = Path(tmp) / FILES[fi].name
                path.write_text(_text_mutation(rng, texts[fi]), encoding="utf-8")
                sources = [load_file(str(path)) if i == fi else base[i]
                           for i in range(len(base))]
                what, known = "text edit", False
            else:
                docs = [[copy.deepcopy(d.data) for d in s.documents] for s in base]
                what, known = _mutate(rng, docs)
                sources = [SourceFile(s.path, [Document(s.path, d.index, data, d.positions,
                                                        d.start)
                                               for d, data in zip(s.documents, docs[i],
                                                                  strict=True)],
                                      [], s.ignores) for i, s in enumerate(base)]
            errors = _check(sources)
        except Exception as exc:
            problems.append(f"case {case} ({what if 'what' in dir() else '?'}): "
                            f"{type(exc).__name__}: {exc}")
            continue
        if known and errors == 0:
            problems.append(f"case {case}: known error passed: {what}")
    return problems


def test_ten_thousand_mutations() -> None:
    workers = max(1, min(2, os.cpu_count() or 1))
    step = CASES // workers
    bounds = [(i * step, CASES if i == workers - 1 else (i + 1) * step) for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_worker, *zip(*bounds, strict=True)))
    problems = [p for r in results for p in r]
    assert not problems, f"{len(problems)} of {CASES} cases failed:\n" + "\n".join(problems[:20])
