"""Project configuration: `[tool.superpod]` in pyproject.toml, or a `superpod.toml`.

Found from the paths being validated (as ruff and yamllint do): the nearest folder, walking up
from the first path, that holds a `superpod.toml` or a `pyproject.toml` with a `[tool.superpod]`
table; the walk stops at the repository root (the folder holding `.git`); outside a repository
it stops at the user's home folder or where the filesystem changes (a mount point), never
climbing to `/`. A file found on the way that is owned by another user (root excepted), is
writable by others, or sits in a folder others may write without the sticky bit, is ignored
with a warning on stderr: in a shared `/tmp` anyone could plant `ignore = ["ALL"]`. A nested
file that ignores rules or lowers severities the repository's own configuration keeps is
said once on stderr. `--config FILE` overrides the search. Every key and value is checked: an unknown key, rule ID, policy key or
limit, or a value of the wrong type, is a configuration error (exit 2) that names the key;
nothing is silently ignored.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from superpod_iac.diagnostics import Severity
from superpod_iac.source.loader import LoadLimits

KEYS = ("select", "ignore", "severity", "policy", "limits")
UNSUPPRESSIBLE = ("SCH", "INT")
"""Loader, schema and internal findings: no select, ignore, inline comment or severity override
hides them or makes them pass (a design that was not read was not checked)."""


def selects(selector: str, rule_id: str) -> bool:
    """Does a selector (`ALL`, a family `PWR`, a rule `PWR001`, or a longer prefix `PWR00`)
    name this rule? A prefix shorter than a family (`P`) would reach across families (PRT and
    PWR), so it names nothing: --select, --ignore, severity overrides and inline ignores all
    match through here."""
    return selector == "ALL" or (len(selector) >= 3 and rule_id.startswith(selector))


class ConfigError(Exception):
    """A configuration problem the user must fix (exit code 2)."""


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    limits: LoadLimits = field(default_factory=LoadLimits)
    source: str | None = None
    origins: dict[str, str] = field(default_factory=dict)
    """Configuration key (`select`, `policy.derating`, ...) -> where its value came from."""
    unchecked: list[tuple[list[str], str]] = field(default_factory=list)
    """Rule IDs or prefixes read (with where from) that `check_rule_ids` has not yet matched
    against the registered rules: the rules are a higher stage than this module, so the
    pipeline and the CLI check them (`check_rule_ids(cfg, known)`)."""
    relaxes: tuple[Path, Config] | None = None
    """A configuration below the repository root and the repository's own it is compared with
    (`say_relaxations`, called by the pipeline and the CLI, which know the rules)."""

    def enabled(self, rule_id: str) -> bool:
        if rule_id.startswith(UNSUPPRESSIBLE):
            return True

        def match(patterns: list[str]) -> bool:
            return any(selects(p, rule_id) for p in patterns)

        if self.select and not match(self.select):
            return False
        return not match(self.ignore)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        if rule_id.startswith(UNSUPPRESSIBLE):
            return default
        best = ""
        chosen = default
        for pattern, sev in self.severity.items():
            if selects(pattern, rule_id) and len(pattern) > len(best):
                best, chosen = pattern, sev
        return chosen


def repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_config(paths: Sequence[str | Path]) -> Path | None:
    """The configuration file that governs `paths`, or None. Paths governed by two different
    files are a usage error (which one applies would be a guess): pass --config."""
    found = {f for f in (_find_one(p) for p in (paths or ["."])) if f is not None}
    if len(found) > 1:
        raise ConfigError("the paths given are governed by different configuration files ("
                          + ", ".join(sorted(map(str, found))) + "); validate them separately "
                          "or pass --config")
    return found.pop() if found else None


_SAID: set[str] = set()


def say_once(message: str) -> None:
    """A configuration warning or note on stderr, once per process (diff loads twice)."""
    if message not in _SAID:
        _SAID.add(message)
        sys.stderr.write(f"superpod: {message}\n")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return None


def _search_path(start: Path) -> list[Path]:
    """The folders searched from `start`: up to the repository root; without one, up to the
    home folder or the last folder on `start`'s filesystem, whichever comes first."""
    stop = repo_root(start)
    if stop is not None:
        return [start, *[p for p in start.parents if p.is_relative_to(stop)]]
    home = _home()
    try:
        device = start.stat().st_dev
    except OSError:
        return [start]
    out: list[Path] = []
    for folder in (start, *start.parents):
        try:
            if folder.stat().st_dev != device:
                break  # a mount point: another filesystem, another owner's policy
        except OSError:
            break
        out.append(folder)
        if folder == home:
            break
    return out


def untrusted(path: Path) -> str | None:
    """Why a configuration file found by the search must not be applied, or None."""
    try:
        st = path.stat()
        parent = path.parent.stat()
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if st.st_uid not in (os.geteuid(), 0):
        return f"it is owned by another user (uid {st.st_uid})"
    if st.st_mode & stat.S_IWOTH:
        return "other users may write it"
    if parent.st_mode & stat.S_IWOTH and not parent.st_mode & stat.S_ISVTX:
        return "other users may replace it (its folder is world-writable)"
    return None


def _find_one(path: str | Path) -> Path | None:
    first = Path(path)
    if str(path) == "-":
        first = Path.cwd()
    start = first.resolve() if first.exists() else Path.cwd().resolve()
    if not start.is_dir():
        start = start.parent
    for folder in _search_path(start):
        for candidate in (folder / "superpod.toml", folder / "pyproject.toml"):
            if not candidate.is_file() or (candidate.name == "pyproject.toml"
                                           and not _has_section(candidate)):
                continue
            why = untrusted(candidate)
            if why is None:
                return candidate
            say_once(f"warning: ignoring configuration {candidate}: {why}")
    return None


def _has_section(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # report the broken file rather than skip it
    return isinstance(data.get("tool"), dict) and "superpod" in data["tool"]


def normal_ids(values: Iterable[str], where: str) -> list[str]:
    """Rule IDs or prefixes, upper-cased; not yet checked against the rules (`check_ids`)."""
    out: list[str] = []
    for raw in values:
        value = raw.strip().upper()
        if not value:
            raise ConfigError(f"{where}: empty rule ID (a stray comma?)")
        out.append(value)
    return out


def check_rule_ids(cfg: Config, known: Sequence[str]) -> None:
    """Every rule ID or prefix the configuration names must name at least one of `known`
    (the registered rules' IDs), else ConfigError saying where it was written."""
    for values, where in cfg.unchecked:
        check_ids(values, where, known)
    cfg.unchecked.clear()


def check_ids(values: Iterable[str], where: str, ids: Sequence[str]) -> list[str]:
    """Rule IDs or prefixes, upper-cased; each must name at least one rule of `ids` (or be
    ALL)."""
    ids = list(ids)
    out: list[str] = []
    for raw in values:
        value = raw.strip().upper()
        if not value:
            raise ConfigError(f"{where}: empty rule ID (a stray comma?)")
        if not any(selects(value, r) for r in ids):
            families = sorted({r[:3] for r in ids if r.startswith(value)})
            if families:
                raise ConfigError(f"{where}: '{raw.strip()}' is shorter than a rule family "
                                  f"({', '.join(families)}); name the families or rules meant")
            close = difflib.get_close_matches(value, ids + sorted({r[:3] for r in ids}), n=1)
            raise ConfigError(f"{where}: unknown rule ID or prefix '{raw.strip()}'"
                              + (f"; did you mean '{close[0]}'?" if close else
                                 " (run `superpod rules` for the list)"))
        out.append(value)
    return out


def _ids(value: Any, key: str, where: str, cfg: Config) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: [tool.superpod] {key} must be a list of rule IDs or "
                          f"prefixes (got {type(value).__name__})")
    if not value:
        return []
    cfg.unchecked.append((list(value), f"{where}: [tool.superpod] {key}"))
    return normal_ids(value, f"{where}: [tool.superpod] {key}")


def _policy(value: Any, where: str) -> dict[str, Any]:
    from pydantic import ValidationError

    from superpod_iac.manifest.site import Policy

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [tool.superpod.policy] must be a table")
    known = list(Policy.model_fields)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            raise ConfigError(f"{where}: unknown policy key '{key}' in [tool.superpod.policy]"
                              + (f"; did you mean '{close[0]}'?" if close else
                                 f" (known: {', '.join(known)})"))
    try:
        Policy.model_validate(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{where}: [tool.superpod.policy] {key}: {err['msg']} "
                          f"(got {err.get('input')!r})") from exc
    return dict(value)


def _limits(value: Any, where: str) -> LoadLimits:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [tool.superpod.limits] must be a table")
    known = LoadLimits.defaults()
    for key, v in value.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            raise ConfigError(f"{where}: unknown limit '{key}' in [tool.superpod.limits]"
                              + (f"; did you mean '{close[0]}'?" if close else
                                 f" (known: {', '.join(known)})"))
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"{where}: [tool.superpod.limits] {key} must be a positive whole "
                              f"number (got {v!r})")
    return replace(LoadLimits(), **value)


def load_config(start: Path | None = None, path: Path | None = None,
                paths: Sequence[str | Path] | None = None) -> Config:
    """The configuration for a run: `path` if given, else the one found from `paths`."""
    chosen = path or find_config(list(paths) if paths else [start or Path.cwd()])
    if chosen is None:
        return Config()
    cfg = read_config(chosen)
    if path is None:
        cfg.relaxes = _repository_config(chosen)
    return cfg


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def _repository_config(chosen: Path) -> tuple[Path, Config] | None:
    """For a configuration below the repository root: it and the repository's own (or the
    defaults, without one)."""
    root = repo_root(chosen.parent.resolve())
    if root is None or chosen.parent.resolve() == root:
        return None
    base = Config()
    for candidate in (root / "superpod.toml", root / "pyproject.toml"):
        if candidate.is_file() and (candidate.name == "superpod.toml" or
                                    _has_section(candidate)) and untrusted(candidate) is None:
            base = read_config(candidate)
            break
    return chosen, base


def say_relaxations(cfg: Config, declared: Mapping[str, Severity]) -> None:
    """A configuration below the repository root that ignores rules, or lowers severities,
    that the repository's own configuration (or the defaults, without one) keeps: said once
    on stderr, so a folder's file cannot quietly switch checks off for the files under it.
    `declared`: every rule's declared severity (the rules are a higher stage)."""
    if cfg.relaxes is None:
        return
    chosen, base = cfg.relaxes
    cfg.relaxes = None
    off = [r for r in declared if base.enabled(r) and not cfg.enabled(r)]
    lowered = [f"{r} to {cfg.severity_of(r, d)}" for r, d in declared.items()
               if base.enabled(r) and r not in off and _RANK[cfg.severity_of(r, d)] <
               _RANK[base.severity_of(r, d)]]
    if not off and not lowered:
        return
    parts = []
    if off:
        parts.append(f"ignores {len(off)} rule(s) ({_short(off)})")
    if lowered:
        parts.append(f"lowers {_short(lowered)}")
    say_once(f"note: {chosen} " + " and ".join(parts) + " that the repository's configuration ("
             + (base.source or "the defaults") + ") keeps")


def _short(items: list[str], n: int = 8) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def read_config(chosen: Path) -> Config:
    """One configuration file, every key checked (ConfigError names what is wrong)."""
    where = str(chosen)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {chosen}: {exc}") from exc
    if chosen.name == "pyproject.toml":
        section = data.get("tool", {}).get("superpod", {}) if isinstance(data.get("tool"),
                                                                          dict) else {}
    else:
        section = data
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: [tool.superpod] must be a table")
    unknown = set(section) - set(KEYS)
    if unknown:
        key = sorted(unknown)[0]
        close = difflib.get_close_matches(key, KEYS, n=1)
        raise ConfigError(f"{where}: unknown [tool.superpod] key '{key}'"
                          + (f"; did you mean '{close[0]}'?" if close else
                             f" (known: {', '.join(KEYS)})"))
    cfg = Config(source=where)
    cfg.select = _ids(section.get("select", []), "select", where, cfg)
    cfg.ignore = _ids(section.get("ignore", []), "ignore", where, cfg)
    sev = section.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{where}: [tool.superpod.severity] must be a table")
    for key, value in sev.items():
        [rid] = normal_ids([key], f"{where}: [tool.superpod.severity]")
        cfg.unchecked.append(([key], f"{where}: [tool.superpod.severity]"))
        try:
            cfg.severity[rid] = Severity(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: [tool.superpod.severity] {key} must be error, warning "
                              f"or info (got {value!r})") from exc
    cfg.policy = _policy(section.get("policy", {}), where)
    cfg.limits = _limits(section.get("limits", {}), where)
    for key in ("select", "ignore", "severity"):
        if key in section:
            cfg.origins[key] = where
    for sub in ("policy", "limits"):
        for key in section.get(sub, {}):
            cfg.origins[f"{sub}.{key}"] = where
    return cfg
