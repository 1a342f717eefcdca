"""Fixtures of the NetBox tests: the live NetBox (one per session, scripts/netbox-dev)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import ROOT


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
