"""The Diagnostic type every stage emits and every reporter consumes.

A rule knows *what* is wrong and *which object path* wrote it; the engine later fills in the
file, line and column from the source positions (the cfn-lint way), so rules stay pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Path = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


PENDING = Severity.ERROR
"""The severity the source and manifest stages write on their findings (SCH): the rule
declarations live in a higher stage (superpod_iac/rules/schema.py), so a lower stage does not
ask for them; `rules.engine.finish` replaces it with the declared severity."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an object was written: file, document index and the YAML path inside it."""

    file: str
    doc: int = 0
    path: Path = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    rule: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    path: Path = ()
    hint: str = ""
    doc: int = 0

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def at(self, origin: Origin | None, *sub: str | int) -> Diagnostic:
        """Attach an origin (plus a sub-path below it); positions are resolved later."""
        if origin is None:
            return self
        return Diagnostic(self.rule, self.severity, self.message, origin.file, self.line,
                          self.column, (*origin.path, *sub), self.hint, origin.doc)

    # The copies below are built directly: dataclasses.replace costs ~10 us each, and a
    # 3 MB file of bad links makes 70,000 findings before the per-file cap (docs/security.md).
    def with_position(self, line: int, column: int) -> Diagnostic:
        return Diagnostic(self.rule, self.severity, self.message, self.file, line, column,
                          self.path, self.hint, self.doc)

    def with_severity(self, severity: Severity) -> Diagnostic:
        return Diagnostic(self.rule, severity, self.message, self.file, self.line,
                          self.column, self.path, self.hint, self.doc)

    def with_message(self, message: str) -> Diagnostic:
        return Diagnostic(self.rule, self.severity, message, self.file, self.line,
                          self.column, self.path, self.hint, self.doc)
