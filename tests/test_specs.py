"""The reference designs in specs/ validate clean, through the real entry point too."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, SPECS


def test_specs_validate_clean(cli) -> None:
    res = cli("validate", "specs/")
    assert res.code == 0, res.out
    assert "ok:" in res.out


def test_each_spec_folder_is_self_contained(cli) -> None:
    for folder in sorted(p for p in SPECS.iterdir() if p.is_dir()):
        res = cli("validate", str(folder.relative_to(ROOT)))
        assert res.code == 0, f"{folder.name}: {res.out}"


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "validate", "specs/gb200-nvl72"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: ")
