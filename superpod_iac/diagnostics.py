"""The Diagnostic type every stage emits and every reporter consumes.

A rule knows *what* is wrong and *which object path* wrote it; the engine later fills in the
file, line and column from the source positions (the cfn-lint way), so rules stay pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
        return replace(self, file=origin.file, doc=origin.doc, path=(*origin.path, *sub))

    def with_position(self, line: int, column: int) -> Diagnostic:
        return replace(self, line=line, column=column)

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)

    def with_message(self, message: str) -> Diagnostic:
        return replace(self, message=message)
