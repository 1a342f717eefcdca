"""The example GitHub workflow posts `superpod diff --format md` as a pull-request comment,
and the diff command it runs works as written (against this repository's HEAD)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "superpod.yml"


def _steps() -> list[dict]:
    doc = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    assert doc["permissions"]["pull-requests"] == "write"
    return doc["jobs"]["design"]["steps"]


def test_workflow_posts_the_markdown_plan_as_a_pr_comment() -> None:
    steps = _steps()
    plan = next(s for s in steps if "superpod diff" in s.get("run", ""))
    assert plan["if"].endswith("github.event_name == 'pull_request'")
    assert "--format md --out plan.md" in plan["run"] and "--fail-on new" in plan["run"]
    post = next(s for s in steps if "gh pr comment" in s.get("run", ""))
    assert "--body-file plan.md" in post["run"]
    assert "hashFiles('plan.md')" in post["if"]
    names = [s.get("name", "") for s in steps]
    assert names.index(plan["name"]) < names.index(post["name"])


def test_the_workflow_diff_command_runs(tmp_path: Path) -> None:
    """Run the plan step's command with HEAD standing in for origin/$GITHUB_BASE_REF."""
    run = next(s["run"] for s in _steps() if "superpod diff" in s.get("run", ""))
    command = re.search(r"(superpod diff .*?--fail-on new)", run.replace("\\\n", " "), re.S)
    assert command is not None
    design = "specs/gb200-nvl72"
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
           "DESIGN": design, "GITHUB_BASE_REF": "HEAD"}
    text = " ".join(command.group(1).split()).replace("origin/$GITHUB_BASE_REF", "HEAD")
    text = text.replace("--out plan.md", f"--out {tmp_path}/plan.md")
    proc = subprocess.run(["bash", "-c", text], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    plan = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert plan.startswith(f"### superpod plan: `HEAD:{design}` -> `{design}`")
