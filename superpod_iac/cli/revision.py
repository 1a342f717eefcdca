"""The revision the title blocks of a report and of every rendered sheet name, read once here (the cli stage) and handed down:
no renderer runs git or reads the clock.

- commit: `git rev-parse HEAD` in the folder of the first design path; absent git (not
  installed, or not a repository) the title block says so;
- dirty: `git status --porcelain` limited to the design paths (a change elsewhere in the
  repository does not make this design's drawings a different revision);
- date: `--date` when given, else `SOURCE_DATE_EPOCH` (reproducible builds), else the commit
  date of HEAD; never the wall clock, so the same tree gives the same bytes.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from superpod_iac.cli.common import UsageError
from superpod_iac.render import Revision

GIT_TIMEOUT_S = 10.0


def _git(cwd: Path, *args: str) -> str | None:
    """stdout of a git command in `cwd`, or None when git is missing or fails."""
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                              check=False, timeout=GIT_TIMEOUT_S,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _explicit_date(option: str | None) -> str | None:
    if option:
        try:
            return date.fromisoformat(option).isoformat()
        except ValueError as exc:
            raise UsageError(f"--date {option!r}: not a date (YYYY-MM-DD)") from exc
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
        except (ValueError, OverflowError, OSError) as exc:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: not a Unix time in seconds") \
                from exc
    return None


def read_revision(paths: list[str], date_option: str | None = None) -> Revision:
    """The design's revision for the report's title block (see the module docstring)."""
    when = _explicit_date(date_option)
    first = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
    folder = first if first.is_dir() else first.parent
    folder = folder.resolve() if folder.exists() else Path.cwd()
    commit = _git(folder, "rev-parse", "--verify", "--end-of-options", "HEAD")
    if not commit:
        return Revision(None, False, when, "no git revision (not a git checkout)")
    spec = [str(Path(p).resolve()) for p in paths if p != "-"] or [str(folder)]
    status = _git(folder, "status", "--porcelain", "--untracked-files=normal", "--", *spec)
    dirty = bool(status)
    if when is None:
        stamp = _git(folder, "log", "-1", "--format=%cs", "HEAD")
        when = stamp or None
    return Revision(commit, dirty, when, "")
