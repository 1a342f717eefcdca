"""Run the selected rules over an Inventory and finish their diagnostics.

Checking is separated from reporting (check-jsonschema style): the engine attaches rule ID and
severity, finds file:line:col from the finding's path (cfn-lint style), applies inline
`# superpod: ignore[ID]` comments and the project configuration, and sorts deterministically.
A rule that raises becomes one INT001 finding naming it (cfn-lint's E0002); the others still run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache, partial

from superpod_iac.config import UNSUPPRESSIBLE, Config, selects
from superpod_iac.diagnostics import Diagnostic, Path
from superpod_iac.model.expand import fold
from superpod_iac.model.inventory import Inventory
from superpod_iac.rules.catalog import all_rules, declared_severity
from superpod_iac.source.loader import Document, SourceFile


def run_rules(inv: Inventory, config: Config) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    names: set[str] | None = None  # every object a finding may name, made once when needed
    for rule in all_rules().values():
        if rule.check is None or not config.enabled(rule.id):
            continue
        found: list[Diagnostic] = []
        try:
            for f in rule.check(inv):
                d = Diagnostic(rule.id, f.severity or rule.severity, f.message, hint=f.hint)
                found.append(d.at(f.origin, *f.sub))
        except Exception as exc:
            out.append(Diagnostic(
                "INT001", declared_severity("INT001"), f"rule {rule.id} ({rule.summary}) raised "
                f"{type(exc).__name__}: {exc}; its checks did not run", "", 0, 0, (),
                "this is a bug in superpod: please report it with the design; the other "
                "rules ran (set SUPERPOD_DEBUG=1 for the traceback)"))
            import os

            if os.environ.get("SUPERPOD_DEBUG"):
                raise
            continue
        if len(found) > 1 and names is None:
            names = {*inv.power_nodes, *inv.cabinets, *inv.device_index, *inv.cdus}
        out.extend(_fold_expansions(_fold_replicas(found, inv), names or set()))
    return out


_TOKEN = re.compile(r"[\w.\-/]+")


def _same_but(d: Diagnostic, normalise: Callable[[str], str]) -> tuple[object, ...]:
    """What two findings share when they differ only in what `normalise` blanks out of their
    message and hint (a replica prefix, one object's name): the folds group by it."""
    return (d.file, d.doc, d.line, d.column, d.path, d.severity, normalise(d.message),
            normalise(d.hint))


def _fold_expansions(found: list[Diagnostic], names: set[str]) -> list[Diagnostic]:
    """One mistake, one finding: the objects one template line expands to (`cm384-rpp-A[01-08]`,
    `nvl72-[01-08]`) that a rule finds wrong alike (same line, same numbers, the message naming
    one object each) are one finding naming them folded (`cm384-rpp-A[01-08]`, each)."""
    if len(found) < 2:
        return found

    def named(message: str) -> str | None:
        known = names.intersection(_TOKEN.findall(message))
        return known.pop() if len(known) == 1 else None

    groups: dict[tuple[object, ...], list[tuple[Diagnostic, str | None]]] = {}
    for i, d in enumerate(found):
        name = named(d.message)
        key = _same_but(d, partial(_swap, name=name, by="\0")) if name else (i,)
        groups.setdefault(key, []).append((d, name))
    out: list[Diagnostic] = []
    for members in groups.values():
        first, name = members[0]
        if len(members) == 1 or name is None:
            out.extend(d for d, _ in members)
            continue
        folded = fold([n for _, n in members if n is not None])
        out.append(replace(first, message=f"{_swap(first.message, name, folded)} (each of "
                                          f"{len(members)})",
                           hint=_swap(first.hint, name, folded)))
    return out


@lru_cache(maxsize=4096)
def _whole_token(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.\-/])" + re.escape(name) + r"(?![\w.\-/])")


def _swap(text: str, name: str, by: str) -> str:
    """`text` with every whole token equal to `name` (not a longer token containing it)
    replaced by `by`; one compiled pattern per name (a per-token callback cost 20 us a
    finding, and a 3 MB file of bad links makes 70,000 of them: docs/security.md)."""
    if name not in text:
        return text
    return _whole_token(name).sub(lambda _m: by, text)


_PREFIXED = re.compile(r"(?<![\w.\-/])([\w\-]+)\.(?=[\w\-\[])")


def _fold_replicas(found: list[Diagnostic], inv: Inventory) -> list[Diagnostic]:
    """One mistake, one finding: a rule that finds the same thing in every replica of a
    Cluster (same line, same numbers, names differing only by the replica prefix: `m-1.ups-A`,
    `m-2.ups-A`) reports it once, for the first replica, saying in which other replicas it
    holds too. Findings that differ in anything else stay apart."""
    replicas = {r for c in inv.clusters.values() for r in c.replicas}
    if len(found) < 2 or not replicas:
        return found

    def unprefixed(text: str) -> str:
        return _PREFIXED.sub(lambda m: "*." if m.group(1) in replicas else m.group(0), text)

    groups: dict[tuple[object, ...], list[tuple[Diagnostic, list[str]]]] = {}
    for d in found:
        named = [m.group(1) for m in _PREFIXED.finditer(d.message) if m.group(1) in replicas]
        groups.setdefault(_same_but(d, unprefixed), []).append((d, named))
    out: list[Diagnostic] = []
    for members in groups.values():
        first, _ = members[0]
        others = sorted({n[0] for _, n in members[1:] if n} - {n for n in members[0][1]},
                        key=lambda r: (len(r), r))
        if len(members) == 1 or not others:
            out.extend(d for d, _ in members)
            continue
        out.append(first.with_message(f"{first.message} (the same in {len(others):,} other "
                                      f"replica(s): {fold(others)})"))
    return out


def finish(diagnostics: Iterable[Diagnostic], sources: list[SourceFile], config: Config
           ) -> list[Diagnostic]:
    """Resolve positions, drop suppressed and deselected ones, apply severities, sort, dedupe.

    Loader, schema and internal findings (SCH, INT) are never suppressed or downgraded.
    """
    docs: dict[tuple[str, int], Document] = {
        (d.file, d.index): d for s in sources for d in s.documents}
    ignores = {s.path: s.ignores for s in sources}
    enabled: dict[str, bool] = {}  # per rule, not per finding: a file can hold 70,000
    out: set[Diagnostic] = set(_bad_ignores(sources))
    for d in diagnostics:
        on = enabled.get(d.rule)
        if on is None:
            on = enabled[d.rule] = config.enabled(d.rule)
        if not on:
            continue
        doc = docs.get((d.file, d.doc))
        if doc is not None and d.line == 0:
            d = d.with_position(*doc.position(d.path))
        if d.rule.startswith(UNSUPPRESSIBLE):  # the loader and parser write PENDING
            d = _declared(d)
        elif ignores.get(d.file) and _suppressed(
                d.rule, _object_lines(doc, d.path, d.line) if doc else {d.line},
                ignores[d.file]):
            continue
        sev = config.severity_of(d.rule, d.severity)
        if sev != d.severity:
            d = d.with_severity(sev)
        out.add(d)
    return _cap(sorted(out, key=Diagnostic.sort_key), config.limits.max_findings_per_rule)


def _declared(d: Diagnostic) -> Diagnostic:
    """A loader, schema or internal finding with its rule's declared severity."""
    try:
        sev = declared_severity(d.rule)
    except KeyError:  # not declared: keep what the stage wrote
        return d
    return d if sev == d.severity else d.with_severity(sev)


def _object_lines(doc: Document, path: Path, line: int) -> set[int]:
    """The lines an inline ignore may sit on for a finding: its own line, and the first line
    of the object it is about (the innermost list item or the document's metadata), never an
    enclosing container's line (an ignore on `spec:` would hide every finding below it)."""
    lines = {line, doc.position(path)[0]}
    for cut in range(len(path), 0, -1):
        if isinstance(path[cut - 1], int):  # the innermost list item holding the finding
            lines.add(doc.position(path[:cut])[0])
            break
    else:  # a finding about the whole document's object (a cabinet, a superpod)
        lines.add(doc.position(("metadata",))[0])
        lines.add(doc.position(("metadata", "name"))[0])
    return lines


def _suppressed(rule_id: str, lines: set[int], ignores: dict[int, frozenset[str]]) -> bool:
    if not ignores:
        return False
    for line in lines:
        ids = ignores.get(line)
        if ids and any(selects(i, rule_id) for i in ids):
            return True
    return False


def _bad_ignores(sources: list[SourceFile]) -> Iterable[Diagnostic]:
    """SCH013 for an inline ignore naming no rule: the suppression it meant does not happen."""
    known: list[str] | None = None
    for src in sources:
        for line, ids in sorted(src.ignores.items()):
            known = known or list(all_rules())
            for i in sorted(ids):
                if any(selects(i, r) for r in known):
                    continue
                what = "an empty rule ID" if not i else f"unknown rule ID or prefix '{i}'"
                yield Diagnostic("SCH013", declared_severity("SCH013"),
                                 f"`# superpod: ignore[...]` names {what}: it suppresses nothing",
                                 src.path, line, 1, (),
                                 "name rule IDs (PWR001) or families (PWR); `superpod rules` "
                                 "lists them")


def _cap(diags: list[Diagnostic], limit: int) -> list[Diagnostic]:
    """At most `limit` findings of one rule per file; the rest are counted in one more."""
    counts: dict[tuple[str, str], int] = {}
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.file, d.rule)
        n = counts.get(key, 0) + 1
        counts[key] = n
        if n <= limit:
            out.append(d)
    for (file, rule), n in sorted(counts.items()):
        if n > limit:
            first = next(d for d in diags if d.file == file and d.rule == rule)
            out.append(Diagnostic(rule, first.severity, f"... and {n - limit:,} more {rule} "
                                  f"finding(s) in this file (limit max_findings_per_rule)",
                                  file, first.line, first.column, (),
                                  "fix the ones shown first; they often share one cause"))
    return sorted(out, key=Diagnostic.sort_key)
