"""Where a pre-commit `superpod validate` spends its CPU, and the floor under it.

    .venv/bin/python benchmarks/precommit_parts.py [DESIGN] [--repeat 5]

Two tables (docs/performance.md, target 1):

1. floors: the CPU (user + sys, wait4) of fresh processes, interleaved, medians: the bare
   interpreter, each dependency's import (numpy, pydantic with BaseModel, ruamel.yaml), the
   three together, the package's pipeline import, the CLI's `validate`, and the two processes
   the targets compare with (check-jsonschema, ruamel's C loader on the same files);
2. parts: one in-process `validate` (the CLI's `main`) with `time.process_time` around the
   class-building machinery and the pipeline's stages: dataclass creation, pydantic model
   classes and their deferred validator builds, the garbage collector's passes, parse, model
   build and rules.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # the same process measurement and check-jsonschema documents

PARTS = r'''
import collections, dataclasses, gc, sys, time
acc = collections.Counter(); n = collections.Counter()
def timed(key, fn):
    def run(*a, **k):
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            acc[key] += time.process_time() - t; n[key] += 1
    return run
dataclasses._process_class = timed("dataclass creation", dataclasses._process_class)
from pydantic._internal import _model_construction as mc
mc.ModelMetaclass.__new__ = timed("pydantic model classes", mc.ModelMetaclass.__new__)
mc.complete_model_class = timed("pydantic deferred validator builds", mc.complete_model_class)
start = {}
def collected(phase, info):
    if phase == "start":
        start["t"] = time.process_time()
    else:
        acc["garbage collector passes"] += time.process_time() - start["t"]
        n["garbage collector passes"] += 1
gc.callbacks.append(collected)
import superpod_iac.pipeline as pl
for name, key in (("parse_documents", "parse (pydantic validation)"),
                  ("build_inventory", "model build"), ("run_rules", "rules")):
    setattr(pl, name, timed(key, getattr(pl, name)))
from superpod_iac.cli import main
code = main(["validate", sys.argv[1]])
total = time.process_time()
for key, sec in acc.items():
    print(f"{key}\t{sec:.4f}\t{n[key]}")
print(f"process total (before exit)\t{total:.4f}\t1")
'''


def floors(design: Path, repeat: int) -> None:
    py, files = bench.PY, [str(p) for p in sorted(design.glob("*.yaml"))]
    with tempfile.TemporaryDirectory() as tmp:
        docs = bench.split_documents(design, Path(tmp))
        cmds = {
            "python -c pass": [py, "-c", "pass"],
            "import numpy": [py, "-c", "import numpy"],
            "import pydantic, BaseModel": [py, "-c", "from pydantic import BaseModel"],
            "import ruamel.yaml": [py, "-c", "from ruamel.yaml import YAML"],
            "numpy + pydantic + ruamel.yaml": [py, "-c", "import numpy\nfrom pydantic import "
                                               "BaseModel\nfrom ruamel.yaml import YAML"],
            "import superpod_iac.pipeline": [py, "-c", "import superpod_iac.pipeline"],
            f"superpod validate {design.name}": [bench.SUPERPOD, "validate", str(design)],
            "check-jsonschema (target 1)": [str(bench.BIN / "check-jsonschema"), "--schemafile",
                                            str(bench.ROOT / "schemas" / "superpod.schema.json"),
                                            *docs],
            "ruamel C load process (target 1)": [py, "-c", bench.YAML_ONLY, *files],
        }
        bench.cpu(cmds[f"superpod validate {design.name}"])  # the built-in catalog cache
        t = bench.paired(cmds, repeat)
    print(f"\n| process ({repeat} interleaved runs, CPU median) | s |\n|---|---:|")
    for name, sec in t.items():
        print(f"| {name} | {sec:.3f} |")


def parts(design: Path, repeat: int) -> None:
    runs: list[dict[str, tuple[float, int]]] = []
    for _ in range(repeat):
        out = subprocess.run([bench.PY, "-c", PARTS, str(design)], capture_output=True,
                             text=True, env=bench.ENV, check=False).stdout
        runs.append({k: (float(s), int(c)) for k, s, c in
                     (line.split("\t") for line in out.splitlines() if line.count("\t") == 2)})
    print(f"\n| part of one in-process validate ({repeat} runs, median) | ms | calls |\n"
          "|---|---:|---:|")
    for key in runs[0]:
        ms = statistics.median(r[key][0] for r in runs if key in r) * 1000
        print(f"| {key} | {ms:.1f} | {runs[0][key][1]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("design", nargs="?", default=str(bench.CM384))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.update(bench.ENV)
    floors(Path(args.design), args.repeat)
    parts(Path(args.design), args.repeat)


if __name__ == "__main__":
    main()
