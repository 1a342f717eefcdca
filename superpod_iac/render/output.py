"""Write diagrams: one file per job into a directory (atomically), with a progress bar on a
terminal (tqdm, on stderr; silent when stderr is not a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from superpod_iac.fsio import atomic_write
from superpod_iac.render import Job
from superpod_iac.render.emit import render_bytes, to_dot


def diagram_bytes(job: Job, fmt: str) -> bytes:
    return render_bytes(to_dot(job.build()), fmt)


def write_all(jobs: list[Job], fmt: str, out_dir: Path, stream: TextIO | None = None
              ) -> list[Path]:
    """Render every job into `out_dir/<name>.<fmt>`; returns the paths written."""
    stream = stream or sys.stderr
    written: list[Path] = []
    bar = tqdm(jobs, desc="render", unit="diagram", file=stream, disable=None, leave=False,
               dynamic_ncols=True)
    for job in bar:
        bar.set_postfix_str(job.name, refresh=False)
        path = out_dir / f"{job.name}.{fmt}"
        atomic_write(path, diagram_bytes(job, fmt))
        written.append(path)
    bar.close()
    return written
