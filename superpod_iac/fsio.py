"""Output files are written atomically: a temporary file beside the target, then a rename.

Only a regular file (or nothing) is ever replaced: a folder, FIFO, socket or device node at the
target is refused (OutputError, exit 2), so `--out /dev/sda` or `--out some-folder` cannot
destroy anything. The temporary file is removed on every failure, SIGINT and SIGTERM included
(the CLI turns SIGTERM into an exception so the clean-up runs).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Literal, TextIO


class OutputError(OSError):
    """The output path cannot be written safely (exit code 2)."""


def check_target(target: Path) -> None:
    """Refuse to replace anything but a regular file; the parent must be (or become) a folder."""
    try:
        st = target.lstat()
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        try:
            st = target.stat()
        except OSError:
            st = None  # a dangling link: replaced by the new file
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = ("a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device node"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise OutputError(f"refusing to write {target}: it is {what}, not a regular file")
    for parent in (target.parent, *target.parent.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {target}: {parent} is not a folder")
            break


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never a torn one."""
    target = Path(path)
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


class atomic_text:
    """Context manager: a text file that appears at `path` only when the block succeeds.

    For streamed outputs (cut sheets with millions of rows) that should not be held in memory.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target = Path(path)
        self.tmp = ""
        self.fh: TextIO | None = None

    def __enter__(self) -> TextIO:
        check_target(self.target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp",
                                        dir=self.target.parent)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        assert self.fh is not None
        self.fh.close()
        if exc_type is None:
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.target)
        else:
            with _suppress():
                os.unlink(self.tmp)
        return False
