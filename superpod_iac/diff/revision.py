"""`REV:PATH` -> a temporary checkout of PATH as of git revision REV (for pull requests)."""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile


class RevisionError(Exception):
    """A `REV:PATH` argument that git cannot produce."""


def materialize(spec: str, workdir: str) -> str:
    """`REV:PATH` -> a temporary directory holding PATH as of git revision REV; else `spec`."""
    if spec == "-" or os.path.exists(spec) or ":" not in spec:
        return spec
    rev, path = spec.split(":", 1)
    if not rev or rev.startswith("-"):
        # a revision is never an option: `--output=...` would make git write a file
        raise RevisionError(f"{spec}: a revision cannot start with '-' or be empty")
    target = tempfile.mkdtemp(prefix="rev-", dir=workdir)
    tar_path = os.path.join(target, "tree.tar")
    with open(tar_path, "wb") as fh:
        # --end-of-options: nothing after it is read as an option (git archive takes no `--`)
        proc = subprocess.run(["git", "archive", "--format=tar", "--end-of-options", rev,
                               path or "."],
                              stdout=fh, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RevisionError(f"git cannot produce {spec}: "
                            f"{proc.stderr.decode(errors='replace').strip()}")
    with tarfile.open(tar_path) as tar:
        tar.extractall(target, filter="data")
    os.unlink(tar_path)
    return os.path.join(target, path) if path else target
