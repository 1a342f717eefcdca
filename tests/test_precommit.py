"""The real pre-commit runs our hook from this repository and rejects a bad manifest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None,
                    reason="pre-commit or git not installed")
def test_pre_commit_try_repo_rejects_bad_manifest(tmp_path: Path) -> None:
    repo = tmp_path / "design"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "test")
    shutil.copy(ROOT / "tests/fixtures/rules/_base.yaml", repo / "base.yaml")
    shutil.copy(ROOT / "tests/fixtures/rules/SPC002.yaml", repo / "cabinet.yaml")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "SKIP": ""}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "superpod-validate", "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "SPC002" in out and "cabinet.yaml:13:" in out, out

    # fixed manifest: the same hook passes
    text = (repo / "cabinet.yaml").read_text().replace("u: 14}", "u: 30}")
    (repo / "cabinet.yaml").write_text(text)
    _git(repo, "add", ".")
    proc = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "superpod-validate", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
