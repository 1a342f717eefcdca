"""The diagram gallery of docs/diagrams.md: every view of a few reference designs as PNG.

`python -m superpod_iac.docs_build.gallery` (run by `make docs`) renders the PNGs into
docs/diagrams/<spec>/ and rewrites the gallery section of docs/diagrams.md between its markers;
`--check` only verifies that the section lists exactly the diagrams the designs have and that
every PNG it shows exists (PNG bytes depend on the installed fonts, so they are not compared).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from superpod_iac.config import Config
from superpod_iac.fsio import atomic_write

if TYPE_CHECKING:
    from superpod_iac.render import Job
    from superpod_iac.render.graph import Graph

SPECS = ("gb200-nvl72", "cloudmatrix-384")
DOC = Path("docs/diagrams.md")
IMAGES = Path("docs/diagrams")
START, END = "<!-- gallery:start (make docs) -->", "<!-- gallery:end -->"


def _jobs(spec: str) -> list[Job]:
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import LEVELS, VIEWS, design_title, plan

    project = load_project([f"specs/{spec}"], Config())  # the findings, for the title blocks
    inv = project.inventory
    return plan(inv, VIEWS, LEVELS, design_title(inv, spec), findings=project.diagnostics,
                a3_sheets=True)


def section() -> tuple[str, dict[Path, Graph]]:
    """The gallery markdown and the PNG path of every diagram shown (-> its job)."""
    from superpod_iac.render import number_sheets

    lines = [START]
    files: dict[Path, Graph] = {}
    for spec in SPECS:
        lines += ["", f"### {spec}", ""]
        jobs = _jobs(spec)
        graphs = [job.build() for job in jobs]
        number_sheets(graphs)
        for job, graph in zip(jobs, graphs, strict=True):
            if graph.empty is not None:
                lines += [f"- `{job.name}`: not drawn, nothing to show: {graph.empty}", ""]
                continue
            path = IMAGES / spec / f"{job.name}.png"
            files[path] = graph
            lines += [f"**{graph.title}**", "", f"![{job.name}](diagrams/{spec}/{job.name}.png)",
                      ""]
    lines.append(END)
    return "\n".join(lines), files


def _replace(doc: str, text: str) -> str:
    head, sep, rest = doc.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{DOC}: gallery markers {START!r} / {END!r} are missing")
    return head + text + tail


def main(argv: list[str] | None = None) -> int:
    from superpod_iac.render import render_bytes, to_dot

    argv = sys.argv[1:] if argv is None else argv
    text, files = section()
    doc = DOC.read_text(encoding="utf-8")
    wanted = _replace(doc, text)
    if "--check" in argv:
        missing = [str(p) for p in files if not p.is_file()]
        if wanted != doc or missing:
            print(f"stale diagram gallery in {DOC} ({', '.join(missing) or 'listing'})\n"
                  "    hint: run `make docs` and commit", file=sys.stderr)
            return 1
        return 0
    for spec in SPECS:
        for old in (IMAGES / spec).glob("*.png"):
            old.unlink()
    for path, graph in files.items():
        atomic_write(path, render_bytes(to_dot(graph), "png"))
    atomic_write(DOC, wanted)
    print(f"wrote {len(files)} PNGs under {IMAGES}/ and the gallery of {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
