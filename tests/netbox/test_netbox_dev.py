"""scripts/netbox-dev's choice of Python and NetBox release (no server: `netbox-dev python`).

Each test runs the script with a PATH, HOME and pyenv root it made, so what the machine has
installed does not leak in: only the Pythons a test links into its folders are there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "netbox-dev"
TOOLS = ("bash", "ls", "sort", "grep", "cut", "head", "mkdir", "id", "basename", "dirname",
         "cat", "printf", "env", "sed", "tail")


def _bin(tmp: Path, pythons: dict[str, str]) -> Path:
    """A PATH folder with the shell tools the script needs and these Python names."""
    b = tmp / "bin"
    b.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (b / tool).symlink_to(found)
    for name, target in pythons.items():
        (b / name).symlink_to(target)
    return b


def _run(tmp: Path, path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": str(path), "HOME": str(tmp / "home"), "NETBOX_SYSTEM_PYTHONS": "",
            "SUPERPOD_NETBOX_CACHE": str(tmp / "cache")}
    return subprocess.run(["bash", str(SCRIPT), "python"], env={**base, **env},
                          capture_output=True, text=True, timeout=60, check=False)


def _fields(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _python(minor_at_least: int, below: int = 99) -> str | None:
    """A real Python 3.x on this machine with minor_at_least <= x < below, or None."""
    if minor_at_least <= sys.version_info[1] < below:
        return sys.executable
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in roots:
        for p in sorted(Path(root or "/nonexistent").glob("versions/3.*/bin/python3")):
            try:
                minor = int(p.parent.parent.name.split(".")[1])
            except (IndexError, ValueError):
                continue
            if minor_at_least <= minor < below:
                return str(p)
    for p in sorted(Path("/usr/bin").glob("python3.*")):
        try:
            minor = int(p.name.split(".")[1])
        except (IndexError, ValueError):
            continue
        if minor_at_least <= minor < below:
            return str(p)
    return None


def test_a_python_under_pyenv_root_is_found(tmp_path: Path) -> None:
    py = _python(12)
    if py is None:
        pytest.skip("no Python >= 3.12 on this machine")
    root = tmp_path / "somewhere-else"
    (root / "versions" / "3.12.99" / "bin").mkdir(parents=True)
    (root / "versions" / "3.12.99" / "bin" / "python3").symlink_to(py)
    res = _run(tmp_path, _bin(tmp_path, {}), PYENV_ROOT=str(root))
    assert res.returncode == 0, res.stderr
    got = _fields(res.stdout)
    assert got["python"] == str(root / "versions" / "3.12.99" / "bin" / "python3")
    assert got["netbox"].startswith("4.7") and got["from"] == "pypi"
    assert "falling back" not in res.stderr


def test_only_python_3_11_falls_back_to_netbox_4_4_and_says_so(tmp_path: Path) -> None:
    """Debian 12: only the system 3.11. NetBox 4.4 is the newest release documented for it
    (Python 3.10-3.12); 4.5 and later need 3.12."""
    py = _python(10, below=12)
    if py is None:
        pytest.skip("no Python 3.10 or 3.11 on this machine")
    res = _run(tmp_path, _bin(tmp_path, {"python3": py}))
    assert res.returncode == 0, res.stderr
    got = _fields(res.stdout)
    assert got == {"python": str(tmp_path / "bin" / "python3"), "netbox": "4.4.10",
                   "from": "archive"}
    assert "no Python >= 3.12 found" in res.stderr
    assert "falling back to NetBox 4.4.10" in res.stderr


def test_a_release_that_needs_3_12_is_refused_on_3_11(tmp_path: Path) -> None:
    py = _python(10, below=12)
    if py is None:
        pytest.skip("no Python 3.10 or 3.11 on this machine")
    res = _run(tmp_path, _bin(tmp_path, {"python3": py}), NETBOX_VERSION="4.7.3")
    assert res.returncode == 1
    assert "NetBox 4.7.3 needs Python >= 3.12" in res.stderr


def test_no_python_advice_names_only_debian_12_packages(tmp_path: Path) -> None:
    res = _run(tmp_path, _bin(tmp_path, {}))
    assert res.returncode == 1
    assert "apt-get install python3-venv" in res.stderr
    # Debian 12 has no python3.12 package: the advice must not send anyone looking for one
    assert "python3.12-venv" not in res.stderr and "install python3.12" not in res.stderr


FETCH = ROOT / "scripts" / "netbox-fetch-archive"
PYTHONS = sorted({sys.executable, *(p for p in ("/usr/bin/python3",) if Path(p).is_file())})
"""This interpreter and the system's (Debian 12: 3.11.2, without tarfile's `filter=`, the
Python the fallback finds there), so both of the helper's branches run where both exist."""


def _archive(path: Path, members: list[tuple[str, str, str]]) -> str:
    """A .tar.gz of (name, kind, content or link target) members; its file:// URL."""
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size, info.mode = len(data), 0o4777  # setuid, world-writable
                tar.addfile(info, io.BytesIO(data.encode()))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE, "dev": tarfile.CHRTYPE}[kind]
            info.linkname = data
            tar.addfile(info)
    return path.as_uri()


@pytest.mark.parametrize("python", PYTHONS)
def test_the_release_archive_unpacks_with_this_python(tmp_path: Path, python: str) -> None:
    """The Python 3.11 fallback unpacks NetBox's release archive with the Python it found:
    Debian 12's 3.11.2 has no tarfile `filter=` (PEP 706 came with 3.11.4), which the
    fallback used to need; the helper checks the members itself there. Run with this
    interpreter and the system's."""
    url = _archive(tmp_path / "ok.tar.gz", [
        ("netbox-4.4.10", "dir", ""), ("netbox-4.4.10/requirements.txt", "file", "Django\n"),
        ("netbox-4.4.10/netbox/manage.py", "file", "print()\n"),
        ("netbox-4.4.10/docs", "sym", "netbox")])
    dest = tmp_path / "src"
    dest.mkdir()
    proc = subprocess.run([python, str(FETCH), url, str(dest)], capture_output=True,
                          text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    req = dest / "netbox-4.4.10" / "requirements.txt"
    assert req.read_text() == "Django\n"
    assert req.stat().st_mode & 0o7022 == 0  # no setuid, no group/other write
    assert (dest / "netbox-4.4.10" / "docs").resolve() == (dest / "netbox-4.4.10" / "netbox")


@pytest.mark.parametrize("member", [
    ("../escaped", "file", "x"), ("/tmp/absolute-escape", "file", "x"),
    ("netbox/link", "sym", "/etc"), ("netbox/up", "sym", "../../escaped"),
    ("netbox/hard", "hard", "../escaped"), ("netbox/fifo", "fifo", ""),
    ("netbox/tty", "dev", ""),
], ids=["dotdot", "absolute", "symlink-abs", "symlink-up", "hardlink-up", "fifo", "device"])
@pytest.mark.parametrize("python", PYTHONS)
def test_a_hostile_archive_member_is_refused(tmp_path: Path, python: str,
                                             member: tuple[str, str, str]) -> None:
    """Nothing lands outside the folder and no link or special file is made; an absolute
    name is refused (checked by hand) or unpacked inside (the `data` filter strips the `/`)."""
    url = _archive(tmp_path / "bad.tar.gz", [("netbox", "dir", ""), member])
    dest = tmp_path / "a" / "src"
    dest.mkdir(parents=True)
    proc = subprocess.run([python, str(FETCH), url, str(dest)], capture_output=True,
                          text=True, check=False, timeout=60)
    inside = dest / "tmp" / "absolute-escape"
    assert proc.returncode != 0 or (member[0].startswith("/") and inside.is_file())
    assert not (tmp_path / "a" / "escaped").exists() and not (tmp_path / "escaped").exists()
    assert not Path("/tmp/absolute-escape").exists()
    assert not any(p.name in ("link", "up", "hard", "fifo", "tty") for p in dest.rglob("*"))
