"""What a pre-commit `superpod validate` imports (issue #33, docs/performance.md target 1).

Behaviour, not timing: a fresh process validating a design loads only the stages `validate`
runs (source, manifest, model, rules, report) and none of the libraries it does not need, so
a change that imports the renderer, NetBox, the language server or ClusterShell on this path
fails here instead of slowing every commit by its import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import contextlib, io, json, sys
from superpod_iac.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["validate", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

NOT_ON_THE_PATH = (
    # other commands' stages
    "superpod_iac.render", "superpod_iac.bom", "superpod_iac.cabling", "superpod_iac.netbox",
    "superpod_iac.htmlreport", "superpod_iac.diff", "superpod_iac.metrics",
    "superpod_iac.docs_build", "superpod_iac.lsp.server", "superpod_iac.verify.readers",
    # libraries validate does not need: plain ranges are expanded without ClusterShell
    # (model/expand.py), the language server's and the renderer's libraries
    "ClusterShell", "pygls", "lsprotocol", "graphviz", "jsonschema", "scipy", "hypothesis",
)


@pytest.mark.parametrize("design", ["cloudmatrix-384", "gb200-nvl72", "muxi-3d-mesh"])
def test_validate_imports_only_what_it_runs(design: str, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "specs" / design)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
                          check=True)
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["code"] == 0
    loaded = [m for m in out["modules"]
              if any(m == name or m.startswith(name + ".") for name in NOT_ON_THE_PATH)]
    assert loaded == []




def test_each_group_declares_the_commands_it_registers() -> None:
    """build_parser(command) registers only the group whose COMMANDS name the command; a
    group's COMMANDS must be exactly what its register() adds, or a command would go missing,
    and the one-group parser reads a command line as the whole parser does."""
    import argparse

    from superpod_iac.cli import GROUPS, build_parser

    declared: list[str] = []
    for group in GROUPS:
        sub = argparse.ArgumentParser(prog="superpod").add_subparsers(dest="command")
        group.register(sub)
        if hasattr(group, "COMMANDS"):
            assert tuple(sub.choices) == group.COMMANDS
            declared.extend(group.COMMANDS)
    assert "validate" in declared
    full = build_parser()
    for line in (["validate", "specs/x", "--strict", "--format", "json"], ["rules", "PWR001"],
                 ["schema", "--check"], ["bom", "d", "--format", "csv"], ["validate"]):
        assert build_parser(line[0]).parse_args(line) == full.parse_args(line)
    assert build_parser("no-such-command").format_help() == full.format_help()
