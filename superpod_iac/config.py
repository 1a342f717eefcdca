"""Project configuration: `[tool.superpod]` in pyproject.toml (select/ignore, severities, policy)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superpod_iac.diagnostics import Severity


class ConfigError(Exception):
    """A configuration problem the user must fix (exit code 2)."""


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    def enabled(self, rule_id: str) -> bool:
        def match(patterns: list[str]) -> bool:
            return any(p == "ALL" or rule_id.startswith(p) for p in patterns)

        if self.select and not match(self.select):
            return False
        return not match(self.ignore)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        best = ""
        chosen = default
        for pattern, sev in self.severity.items():
            if rule_id.startswith(pattern) and len(pattern) > len(best):
                best, chosen = pattern, sev
        return chosen


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _ids(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.superpod] {key} must be a list of rule IDs or prefixes")
    return [v.upper() for v in value]


def load_config(start: Path | None = None, path: Path | None = None) -> Config:
    pyproject = path or find_pyproject((start or Path.cwd()).resolve())
    if pyproject is None:
        return Config()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc}") from exc
    section = data.get("tool", {}).get("superpod", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{pyproject}: [tool.superpod] must be a table")
    unknown = set(section) - {"select", "ignore", "severity", "policy"}
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.superpod] keys: {', '.join(sorted(unknown))}")
    cfg = Config(source=str(pyproject))
    cfg.select = _ids(section.get("select", []), "select")
    cfg.ignore = _ids(section.get("ignore", []), "ignore")
    sev = section.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{pyproject}: [tool.superpod.severity] must be a table")
    for key, value in sev.items():
        try:
            cfg.severity[key.upper()] = Severity(value)
        except ValueError as exc:
            raise ConfigError(f"{pyproject}: severity of {key} must be error, warning or info"
                              ) from exc
    policy = section.get("policy", {})
    if not isinstance(policy, dict):
        raise ConfigError(f"{pyproject}: [tool.superpod.policy] must be a table")
    cfg.policy = dict(policy)
    return cfg
