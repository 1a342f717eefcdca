"""What the model build could not do, collected as typed problems for the REF and SCH rules.

Every build stage (the builder, explicit links, generators, replication) reports through one
`Problems` collector instead of appending tuples to the Inventory or reaching back into the
builder. Each problem kind is a small frozen dataclass naming the object it concerns, where it
was written and the text its finding shows; the rules (rules/references.py, the SCH012 step of
the pipeline) turn them into findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from superpod_iac.diagnostics import Origin


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A reference to a name nothing defines (REF001)."""

    what: str
    """The kind of object referred to: `feed`, `cabinet type`, `port`, ..."""
    name: str
    origin: Origin
    context: str
    """Who refers to it (`cabinet nvl72-01`), or for a port the reason it does not resolve."""


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A name defined twice after expansion (REF002)."""

    kind: str
    name: str
    first: Origin
    second: Origin
    via: str = ""
    """How the second one was made, when a replication made it (`replica sp-1's copy of cabinet
    c1`); `source` is where the object it copies was written."""
    source: Origin | None = None
    first_at: str = ""
    """`file:line:col` of `first` (and `source_at` of `source`), filled in by the builder,
    which has the documents: the finding names both places by line."""
    source_at: str = ""


@dataclass(frozen=True, slots=True)
class ExpansionProblem:
    """A template, link line, generator or cascade that cannot be expanded (REF003)."""

    message: str
    origin: Origin
    hint: str = ""
    """What to do instead, when the rule's own hint (lockstep ranges) does not fit."""


@dataclass(frozen=True, slots=True)
class LimitReached:
    """A work limit (LoadLimits) reached while expanding; the work was not done (SCH012)."""

    message: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class PowerLoop:
    """Power-node parents that come back to themselves (REF004)."""

    nodes: tuple[str, ...]
    """The loop in parent order, its first node repeated at the end (`a`, `b`, `a`)."""
    origin: Origin

    @property
    def text(self) -> str:
        return " -> ".join(self.nodes)


@dataclass(slots=True)
class Problems:
    """The problems one build found, by kind, in the order they were found."""

    unbuilt: set[str] = field(default_factory=set)
    """Names defined but not built because of a finding already reported (shared with
    `Inventory.unbuilt`): references to them are not reported again."""
    unresolved: list[Unresolved] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    expansion: list[ExpansionProblem] = field(default_factory=list)
    limits: list[LimitReached] = field(default_factory=list)
    loops: list[PowerLoop] = field(default_factory=list)
    _reported: set[ExpansionProblem] = field(default_factory=set)
    """Expansion problems reported with `once=True` (a template's, not each replica's)."""

    def missing(self, what: str, name: str, origin: Origin, context: str) -> None:
        """`name` (a `what`) is referred to at `origin` but not defined."""
        if name in self.unbuilt:
            return  # defined, but its definition already has a finding
        self.unresolved.append(Unresolved(what, name, origin, context))

    def duplicate(self, kind: str, name: str, first: Origin, second: Origin, via: str = "",
                  source: Origin | None = None) -> None:
        self.duplicates.append(Duplicate(kind, name, first, second, via, source))

    def cannot_expand(self, message: str, origin: Origin, *, once: bool = False,
                      hint: str = "") -> None:
        """A template cannot be expanded; `once`: one finding per template, not per replica."""
        problem = ExpansionProblem(message, origin, hint)
        if once:
            if problem in self._reported:
                return
            self._reported.add(problem)
        self.expansion.append(problem)

    def limit(self, message: str, origin: Origin) -> None:
        """A work limit was reached: reported once per place, the work not done."""
        problem = LimitReached(message, origin)
        if problem not in self.limits:
            self.limits.append(problem)

    def power_loop(self, nodes: tuple[str, ...], origin: Origin) -> None:
        self.loops.append(PowerLoop(nodes, origin))
