"""CLI conventions shared with ruff, yamllint, check-jsonschema: `-` is standard input for a
manifest path and standard output for --out; a missing path gets a did-you-mean (numbers as an engineer writes them:
tests/test_numbers.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NVL = ROOT / "specs" / "gb200-nvl72"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_dash_reads_a_manifest_from_stdin(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    others = [str(p) for p in sorted(NVL.glob("*.yaml")) if p.name != "cabinet.yaml"]
    _stdin(monkeypatch, (NVL / "cabinet.yaml").read_bytes())
    res = cli("validate", "-", *others)
    assert res.code == 0, res.out + res.err
    broken = (NVL / "cabinet.yaml").read_text().replace("type: nvl72-rack", "type: nvl72-rak")
    _stdin(monkeypatch, broken.encode())
    res = cli("validate", "-", *others)
    assert res.code == 1
    assert "<stdin>:10:3: REF001" in res.out  # positions point into standard input


def test_dash_alone_does_not_also_read_the_current_directory(cli, monkeypatch) -> None:
    _stdin(monkeypatch, b"apiVersion: superpod-iac/v1alpha1\nkind: Site\nmetadata: {name: s}\n"
                        b"spec: {}\n")
    res = cli("validate", "-")
    assert res.code == 0 and "1 file(s)" in res.out, res.out + res.err


def test_dash_twice_is_a_usage_error(cli) -> None:
    res = cli("validate", "-", "-")
    assert res.code == 2 and "standard input" in res.err


def test_out_dash_is_stdout_and_never_a_file(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    for args in (["bom", str(NVL)], ["validate", str(NVL)], ["summary", str(NVL)],
                 ["cabling", str(NVL)], ["diff", str(NVL), str(NVL)]):
        proc = subprocess.run([sys.executable, "-m", "superpod_iac", *args, "--out", "-"],
                              cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, [*args, proc.stderr]
        assert proc.stdout.strip(), args
        assert not (tmp_path / "-").exists(), args
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "export", "netbox", str(NVL),
                           "--out", "-"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2 and "needs a directory" in proc.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("given", "meant"), [
    ("specs/vera-rubin-nvl144", "specs/nvl144"),
    ("specs/gb200-nvl27", "specs/gb200-nvl72"),
    ("spec/nvl144", "specs/nvl144"),
])
def test_missing_path_suggests_a_sibling(cli, given: str, meant: str) -> None:
    res = cli("validate", given)
    assert res.code == 2
    assert f"no such file or directory: {given} (did you mean {meant}?)" in res.err


def test_missing_path_without_a_close_sibling_has_no_guess(cli) -> None:
    res = cli("validate", "specs/zzzzzzzz")
    assert res.code == 2 and "did you mean" not in res.err
