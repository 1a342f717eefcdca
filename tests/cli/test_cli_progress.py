"""Long commands show progress on a terminal (stderr is a tty) and nothing on a pipe.

The bar normally appears only after 2 s of work; SUPERPOD_PROGRESS_DELAY=0 shows it at once
so the test does not depend on timing. The terminal is a real pseudo-terminal (pty)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from tests.conftest import ROOT

SUPERPOD = str(ROOT / ".venv" / "bin" / "superpod")
CM = "specs/cloudmatrix-384"


def _on_terminal(args: list[str], env: dict[str, str], command: str = SUPERPOD
                 ) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([command, *args], cwd=ROOT, stderr=slave,
                            stdout=subprocess.DEVNULL, env=env)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return proc.wait(), data


@pytest.mark.parametrize(("args", "label"), [
    (["validate", CM], b"superpod:"),
    (["cabling", CM, "--out", "{tmp}/cut.csv"], b"cabling:"),
    (["export", "netbox", CM, "--out", "{tmp}/nb"], b"export cables:"),
    (["diff", CM, CM], b"superpod:"),
])
def test_progress_on_a_terminal_nothing_on_a_pipe(tmp_path: Path, args: list[str],
                                                  label: bytes) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    env = {**os.environ, "SUPERPOD_PROGRESS_DELAY": "0"}
    code, shown = _on_terminal(args, env)
    assert code == 0, shown
    assert label in shown and b"\r" in shown
    piped = subprocess.run([SUPERPOD, *args], cwd=ROOT, capture_output=True, env=env,
                           check=False)
    assert piped.returncode == 0
    assert label not in piped.stderr and b"\r" not in piped.stderr


def test_a_long_single_step_shows_once_the_delay_has_passed() -> None:
    """`validate specs/` reads 72 files in a blink and then spends its time in two steps
    (model, rules): the bar appears after the delay although nothing updates it meanwhile."""
    env = {**os.environ, "SUPERPOD_PROGRESS_DELAY": "0.3"}
    script = ("import time\nfrom superpod_iac.progress import bar\n"
              "b = bar(desc='slowstep', total=80)\n"
              "for _ in range(78): b.update()\n"
              "b.set_postfix_str('rules', refresh=False)\ntime.sleep(1.5)\nb.close()\n")
    code, shown = _on_terminal(["-c", script], env, str(ROOT / ".venv" / "bin" / "python"))
    assert code == 0, shown
    assert b"slowstep" in shown and b"rules" in shown
