"""docs/editor.md's Neovim set-up, for real: headless Neovim's built-in LSP client (no plugin)
starts `superpod lsp`, opens power.yaml of a copy of the GB200 NVL72 design, and the script
tests/lsp/editors/nvim_lsp.lua types a feed's breaker down (300 A -> 100 A), waits for PWR003 on
that line, types it back, waits for it to clear, and hovers the feed. Works with Debian's
Neovim 0.7.2 (`make neovim` installs it) and later. Timing is not asserted (the script records
it; docs/editor.md quotes a run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "specs" / "gb200-nvl72"
SCRIPT = Path(__file__).resolve().parent / "editors" / "nvim_lsp.lua"


def test_neovim_shows_and_clears_a_finding_while_typing(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is missing: `make neovim` installs it (Debian's neovim package)"
    design = tmp_path / "design"
    shutil.copytree(SPEC, design)
    on_disk = (design / "power.yaml").read_bytes()
    out = tmp_path / "result.json"
    env = {**os.environ,
           # `--stdio`: as VS Code's client starts it
           "SUPERPOD_NVIM_CMD": json.dumps([sys.executable, "-m", "superpod_iac", "lsp",
                                            "--stdio"]),
           "SUPERPOD_NVIM_FILE": str(design / "power.yaml"),
           "SUPERPOD_NVIM_FIND": "nvl72-feed-A1",
           "SUPERPOD_NVIM_FROM": "breaker_a: 300", "SUPERPOD_NVIM_TO": "breaker_a: 100",
           "SUPERPOD_NVIM_CODE": "PWR003", "SUPERPOD_NVIM_OUT": str(out),
           "SUPERPOD_NVIM_WAIT_MS": "60000", "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = subprocess.run([nvim, "--headless", "--clean", "-u", "NONE", "-i", "NONE", "-n",
                           "-c", f"luafile {SCRIPT}"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=240, check=False)
    assert out.exists(), f"nvim wrote no result (exit {proc.returncode}): {proc.stderr[-2000:]}"
    result = json.loads(out.read_text())
    assert "error" not in result, result
    steps = {s["name"]: s for s in result["steps"]}
    assert [s["name"] for s in result["steps"]] == ["first check", "edit", "typed back"]
    assert all(s["ok"] for s in result["steps"])
    line = result["line"]
    hits = [d for d in steps["edit"]["found"] if d["code"] == "PWR003"]
    assert len(hits) == 1 and hits[0]["line"] == line and hits[0]["severity"] == 1  # Error
    assert "nvl72-feed-A1" in hits[0]["message"] and "100 A" in hits[0]["message"]
    assert "hint: " in hits[0]["message"]
    assert not any(d["code"] == "PWR003" for d in steps["first check"]["found"])
    assert not any(d["code"] == "PWR003" for d in steps["typed back"]["found"])
    assert "power node `nvl72-feed-A1`" in result["hover"] and "rating" in result["hover"]
    assert result["modified"] is True  # the edits stayed in the buffer:
    assert (design / "power.yaml").read_bytes() == on_disk  # the file was never written
