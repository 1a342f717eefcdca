"""Shared test helpers: run the CLI in-process and parse fixture expectations."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from superpod_iac.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
SPECS = ROOT / "specs"
EXPECT_RE = re.compile(r"^# expect: ([A-Z]{3}\d{3})(?: (\d+))?\s*$", re.M)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `superpod ARGS` in-process from the repository root; returns code, stdout, stderr."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def expectations(path: Path) -> list[tuple[str, int | None]]:
    """`# expect: RULE [LINE]` header lines of a fixture file."""
    text = path.read_text(encoding="utf-8")
    return [(m.group(1), int(m.group(2)) if m.group(2) else None) for m in EXPECT_RE.finditer(text)]


def rule_fixtures() -> list[Path]:
    return sorted(p for p in RULE_FIXTURES.glob("*.yaml") if expectations(p))


@dataclass
class NetBoxServer:
    url: str
    token: str
    user: str = "admin"
    password: str = ""


@pytest.fixture(scope="session")
def netbox() -> Iterator[NetBoxServer]:
    """A live NetBox for the whole test session, started (and stopped afterwards) by
    scripts/netbox-dev: installs on first use, fresh migrated database every session."""
    script = ROOT / "scripts" / "netbox-dev"
    proc = subprocess.run([str(script), "start"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"scripts/netbox-dev start failed ({proc.returncode}):\n{proc.stderr}")
    env = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    try:
        yield NetBoxServer(env["NETBOX_URL"], env["NETBOX_TOKEN"], env["NETBOX_USER"],
                           env["NETBOX_PASSWORD"])
    finally:
        subprocess.run([str(script), "stop"], capture_output=True, check=False)
