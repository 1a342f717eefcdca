"""The README opens with the two set-up commands and its tour works verbatim."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands == ["make demo", "make test"]
    assert README.index("make demo") < README.index("## ")


def test_tour_runs_verbatim() -> None:
    tour = README[README.index("## Five-minute tour"):README.index("## Use it in CI")]
    blocks = re.findall(r"```sh\n(.*?)```", tour, re.S)
    assert len(blocks) == 4
    env = {**os.environ, "PATH": f"{Path(ROOT / '.venv' / 'bin')}:{os.environ['PATH']}"}
    outputs = []
    for block in blocks:
        proc = subprocess.run(["bash", "-e", "-c", block], cwd=ROOT, capture_output=True,
                              text=True, env=env, timeout=600, check=False)
        assert proc.returncode == 0, block + proc.stdout + proc.stderr
        outputs.append(proc.stdout + proc.stderr)
    assert "ok:" in outputs[0]
    assert "SPC002 error: device nvl72-01/nvsw1 (U14-U14) overlaps tray05" in outputs[1]
    assert (ROOT / "build" / "tour" / "power.svg").read_text().lstrip().startswith("<?xml")
    assert "| optics | 400g-lpo | base | 6912 |" in outputs[3]
