"""Output files are written atomically: a temporary file beside the target, then a rename.

Only a regular file (or nothing) is ever replaced: a folder, FIFO, socket or device node at the
target is refused (OutputError, exit 2), so `--out /dev/sda` or `--out some-folder` cannot
destroy anything. The temporary file is removed on every failure, SIGINT and SIGTERM included
(the CLI turns SIGTERM into an exception so the clean-up runs).

A `kill -9` runs no clean-up, so the temporary must not be able to outlive its writer: where
the filesystem has `O_TMPFILE` (Linux: ext4, xfs, btrfs, tmpfs) the data goes to an unnamed
inode in the target's folder, given a name only once it is complete, just before the rename;
elsewhere the temporary is named `.NAME.superpod-PID-RANDOM.tmp`, and the next write to the
same target removes the temporaries of writers that no longer run (a PID that is not alive).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
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


_TMP = re.compile(r"\.(?P<name>.+)\.superpod-(?P<pid>[0-9]+)-[0-9a-f]+\.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def clean_stale(target: Path) -> None:
    """Remove the temporaries that writers of `target` killed before their clean-up left."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        m = _TMP.fullmatch(name)
        if m and m["name"] == target.name and int(m["pid"]) != os.getpid() \
                and not _alive(int(m["pid"])):
            with _suppress():
                os.unlink(target.parent / name)


def _temp_name(target: Path) -> Path:
    return target.parent / f".{target.name}.superpod-{os.getpid()}-{secrets.token_hex(4)}.tmp"


class _Temp:
    """A temporary beside `target`: unnamed (O_TMPFILE) where possible, else named."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.name: Path | None = None
        clean_stale(target)
        flags = getattr(os, "O_TMPFILE", 0)
        fd = -1
        if flags:
            try:
                fd = os.open(target.parent, flags | os.O_WRONLY | os.O_CLOEXEC, 0o644)
            except OSError:  # the filesystem has no O_TMPFILE
                fd = -1
        if fd < 0:
            self.name = _temp_name(target)
            fd = os.open(self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        self.fd = fd

    def commit(self) -> None:
        """Make the data durable and put it at the target (the fd stays open; close it)."""
        os.fsync(self.fd)
        os.fchmod(self.fd, 0o644)
        if self.name is None:  # give the unnamed inode a name, then rename it over the target
            self.name = _temp_name(self.target)
            folder = os.open(self.target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:  # a dir fd makes Python call linkat with AT_SYMLINK_FOLLOW (link() would not)
                os.link(f"/proc/self/fd/{self.fd}", self.name.name, dst_dir_fd=folder,
                        follow_symlinks=True)
            finally:
                os.close(folder)
        os.replace(self.name, self.target)
        self.name = None

    def discard(self) -> None:
        if self.name is not None:
            with _suppress():
                os.unlink(self.name)
            self.name = None


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never a torn one."""
    target = Path(path)
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _Temp(target)
    try:
        with os.fdopen(tmp.fd, "wb", closefd=False) as fh:
            fh.write(payload)
        tmp.commit()
    except BaseException:
        tmp.discard()
        raise
    finally:
        os.close(tmp.fd)


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
        self.tmp: _Temp | None = None
        self.fh: TextIO | None = None

    def __enter__(self) -> TextIO:
        check_target(self.target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = _Temp(self.target)
        self.fh = os.fdopen(self.tmp.fd, "w", encoding="utf-8", newline="", closefd=False)
        return self.fh

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        assert self.fh is not None and self.tmp is not None
        try:
            self.fh.close()
            if exc_type is None:
                self.tmp.commit()
        except BaseException:
            self.tmp.discard()
            raise
        finally:
            if exc_type is not None:
                self.tmp.discard()
            os.close(self.tmp.fd)
        return False
