"""Write diagrams: one file per job into a directory (atomically), with a progress bar on a
terminal (tqdm, on stderr; silent when stderr is not a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from superpod_iac.fsio import atomic_write
from superpod_iac.render import Job, number_sheets
from superpod_iac.render.emit import render_bytes, to_dot


class NothingToShow(Exception):
    """The diagram asked for has nothing to draw (the message says why)."""


def diagram_bytes(job: Job, fmt: str) -> bytes:
    graph = job.build()
    if graph.empty is not None:
        raise NothingToShow(f"{job.name}: nothing to show: {graph.empty}")
    return render_bytes(to_dot(graph), fmt)


def unique_stem(stem: str, taken: set[str]) -> str:
    """`stem`, or `stem~2`, `stem~3`... when an earlier diagram of this run took it (compared
    case-folded, as a case-insensitive filesystem would): one diagram never overwrites
    another. Job names never contain `~` (labels.file_part), so a suffixed stem is new."""
    out, n = stem, 1
    while out.casefold() in taken:
        n += 1
        out = f"{stem}~{n}"
    taken.add(out.casefold())
    return out


def write_all(jobs: list[Job], fmt: str, out_dir: Path, stream: TextIO | None = None,
              skipped: list[str] | None = None, delay_s: float = 2.0) -> list[Path]:
    """Render every job into `out_dir/<name>.<fmt>`; returns the paths written. Diagrams with
    nothing to show are not written; `skipped` collects why. On a terminal a progress bar
    appears once rendering has taken `delay_s` seconds."""
    stream = stream or sys.stderr
    written: list[Path] = []
    graphs = [job.build() for job in jobs]  # first all, so the sheets drawn are numbered
    number_sheets(graphs)
    bar = tqdm(list(zip(jobs, graphs, strict=True)), desc="render", unit="diagram",
               file=stream, disable=None, leave=False,
               delay=delay_s,  # a progress bar for renders longer than 2 s
               dynamic_ncols=True)
    taken: set[str] = set()
    for job, graph in bar:
        bar.set_postfix_str(job.name, refresh=False)
        path = out_dir / f"{unique_stem(job.name, taken)}.{fmt}"
        if graph.empty is not None:
            if skipped is not None:
                skipped.append(f"{job.name}: nothing to show: {graph.empty}")
            continue
        atomic_write(path, render_bytes(to_dot(graph), fmt))
        written.append(path)
    bar.close()
    return written
