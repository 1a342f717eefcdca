"""Outputs are atomic and byte-identical across runs, hash seeds and input file order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from superpod_iac.fsio import atomic_text, atomic_write
from tests.conftest import ROOT, SPECS


def test_atomic_write_replaces_whole_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "dir" / "out.txt"
    atomic_write(target, "one\n")
    atomic_write(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_stream_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "cut.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_text(target) as fh:
        fh.write("half a file")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cut.csv"]


def test_out_into_unwritable_place_is_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "bom", str(SPECS / "gb200-nvl72"),
                           "--out", str(blocker / "bom.csv")], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode in (2, 3) and "Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stderr


def _run(args: list[str], seed: str, cwd: Path = ROOT) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    return proc.stdout


@pytest.mark.parametrize("args", [
    ["validate", "--format", "sarif", "tests/fixtures/rules/_base.yaml",
     "tests/fixtures/rules/PWR004.yaml", "tests/fixtures/rules/OPT003.yaml"],
    ["validate", "--format", "json", "specs/cloudmatrix-384"],
    ["cabling", "--format", "json", "specs/cloudmatrix-384"],
])
def test_same_bytes_across_hash_seeds(args: list[str]) -> None:
    assert _run(args, "0") == _run(args, "4242") != ""


def test_same_bytes_across_input_file_order(tmp_path: Path) -> None:
    """Renaming the files reverses their sort order; the BOM and cut sheet do not change."""
    src = SPECS / "cloudmatrix-384"
    files = sorted(src.glob("*.yaml"))
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for i, f in enumerate(files):
        (renamed / f"{len(files) - i:02d}-{f.name}").write_text(f.read_text())
    for command in (["bom"], ["summary"], ["cabling"]):
        a = _run([*command, str(src)], "1")
        b = _run([*command, str(renamed)], "2")
        assert a == b and a


_KILLED_WRITER = """
import os, sys, time
from superpod_iac.fsio import atomic_text
if sys.argv[2] == "named":
    del os.O_TMPFILE  # a filesystem without O_TMPFILE: the temporary has a name
with atomic_text(sys.argv[1]) as fh:
    fh.write("x" * 20_000_000)
    fh.flush()
    print("ready", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("kind", ["unnamed", "named"])
def test_kill_9_mid_write_leaves_no_temporary_after_the_next_run(tmp_path: Path,
                                                                 kind: str) -> None:
    """`kill -9` runs no clean-up. With O_TMPFILE nothing named exists until the data is
    complete; without it, the next write to the same target removes the dead writer's
    temporary (a 20 MB one here), while a live writer's temporary is left alone."""
    target = tmp_path / "cut.csv"
    target.write_text("old\n")
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target), kind],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    proc.kill()
    proc.wait()
    assert target.read_text() == "old\n"
    left = sorted(p.name for p in tmp_path.iterdir())
    if kind == "unnamed":
        assert left == ["cut.csv"]
    else:
        assert len(left) == 2 and f"superpod-{proc.pid}-" in left[0]
    live = tmp_path / f".cut.csv.superpod-{os.getppid()}-00.tmp"  # a writer still running
    live.write_text("busy")
    atomic_write(target, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cut.csv", live.name])
    assert target.read_text() == "new\n"
