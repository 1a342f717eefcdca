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


def test_tour_prints_exactly_what_the_readme_shows() -> None:
    """Each ```sh block of the tour is followed by a ```text block with its exact output."""
    tour = README[README.index("## Five-minute tour"):README.index("## Use it in CI")]
    pairs = re.findall(r"```sh\n(.*?)```\n\n```text\n(.*?)```", tour, re.S)
    assert len(pairs) == 5 == tour.count("```sh")
    env = {**os.environ, "PATH": f"{Path(ROOT / '.venv' / 'bin')}:{os.environ['PATH']}"}
    for block, shown in pairs:
        proc = subprocess.run(["bash", "-e", "-c", block], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env, timeout=600,
                              check=False)
        assert proc.returncode == 0, block + proc.stdout
        assert proc.stdout == shown, f"README tour output differs for:\n{block}"
    assert (ROOT / "build" / "tour" / "power.svg").read_text().lstrip().startswith("<?xml")


def test_precommit_snippet_pins_the_release_tag() -> None:
    snippet = README[README.index("## Use it from pre-commit"):]
    rev = re.search(r"^\s+rev: (\S+)", snippet, re.M)
    assert rev is not None
    git = ["git", "-C", str(ROOT)]
    refs = subprocess.run([*git, "for-each-ref", "--format=%(refname)"], capture_output=True,
                          text=True, check=True).stdout.split()
    names = {r.split("/", 3)[-1] if r.startswith("refs/remotes/") else r.split("/", 2)[-1]
             for r in refs}
    # a release tag, never a branch (mutable; pre-commit warns): the tag of the version in
    # pyproject.toml, which the release creates; where the tag exists here, it must be a tag
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version is not None and rev.group(1) == f"v{version.group(1)}", rev.group(1)
    assert rev.group(1) not in {r.split("/", 2)[-1] for r in refs if r.startswith("refs/heads/")}
    if f"refs/tags/{rev.group(1)}" not in refs:
        assert rev.group(1) not in names
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for hook in re.findall(r"^\s+- id: (\S+)", snippet, re.M):
        assert f"- id: {hook}" in hooks


def test_install_examples_pin_the_release_tag() -> None:
    """Not on PyPI: CI installs from the repository at the tag the pre-commit example pins."""
    rev = re.search(r"^\s+rev: (\S+)", README[README.index("## Use it from pre-commit"):], re.M)
    assert rev is not None
    workflow = (ROOT / ".github" / "workflows" / "superpod.yml").read_text(encoding="utf-8")
    for text in (README[README.index("## Use it in CI"):], workflow):
        pins = re.findall(r"pip install \"superpod-iac @ git\+https://\S+@(\S+)\"", text)
        assert pins and set(pins) == {rev.group(1)}
        assert "pip install superpod-iac" not in text


def test_modeline_for_another_repository_resolves(tmp_path: Path) -> None:
    """The README's recipe: `superpod schema --out schemas` beside a designs/ folder, and a
    modeline `../schemas/superpod.schema.json` in designs/*.yaml."""
    modeline = re.search(r"^# yaml-language-server: \$schema=(\.\./schemas/\S+)$", README, re.M)
    assert modeline is not None
    env = {**os.environ, "PATH": f"{Path(ROOT / '.venv' / 'bin')}:{os.environ['PATH']}"}
    subprocess.run(["superpod", "schema", "--out", "schemas"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    (tmp_path / "designs").mkdir()
    assert (tmp_path / "designs" / modeline.group(1)).resolve().is_file()
