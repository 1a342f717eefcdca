"""The design's revision for the title block of every rendered sheet: the git commit of the
design's files, whether they differ from it, and a date that is not the clock's (the
commit's, or SOURCE_DATE_EPOCH's when set), so the same design renders to the same bytes.
The renderers never run git: this module hands them a `render.Revision`."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from superpod_iac.render import Revision

GIT_TIMEOUT_S = 10


def _git(cwd: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                             timeout=GIT_TIMEOUT_S, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def _epoch_date() -> str | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return datetime.fromtimestamp(int(raw), tz=UTC).date().isoformat()


def design_revision(paths: list[str]) -> Revision:
    """Commit, dirty flag and date of the files at `paths` (standard input: not under git)."""
    files = [Path(p).resolve() for p in paths if p != "-"]
    if not files:
        return Revision(None, False, _epoch_date())
    first = files[0]
    cwd = first if first.is_dir() else first.parent
    commit = _git(cwd, "rev-parse", "--short=12", "HEAD")
    if commit is None:
        return Revision(None, False, _epoch_date())
    status = _git(cwd, "status", "--porcelain", "--", *map(str, files))
    date = _epoch_date() or _git(cwd, "log", "-1", "--format=%cs", "HEAD")
    return Revision(commit, bool(status), date)
