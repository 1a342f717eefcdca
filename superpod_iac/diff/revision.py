"""`REV:PATH` -> a temporary checkout of PATH as of git revision REV (for pull requests)."""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile


class RevisionError(Exception):
    """A `REV:PATH` argument that git cannot produce."""


def _keep_links_for_the_loader(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, except that a symbolic link pointing out of the tree is kept
    as the link it is (never followed): the loader reports it as SCH011 at its path, as it
    does in a working tree, instead of the extraction failing (exit 3). A member that would
    be written through such a link (outside the tree) is not extracted; the link that leads
    there is the finding."""
    try:
        return tarfile.data_filter(member, dest)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError):
        if member.issym():
            return member.replace(deep=False)  # the link itself, as written (never followed)
        return None
    except tarfile.FilterError:
        return None


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
        tar.extractall(target, filter=_keep_links_for_the_loader)
    os.unlink(tar_path)
    return os.path.join(target, path) if path else target
