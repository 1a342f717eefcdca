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
