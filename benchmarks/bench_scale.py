"""Scale and pre-commit benchmarks (not run by `make test`).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1,8,54,432] [--repeat 3]

Scale: for N superpods of CloudMatrix 384 (a temporary project holding specs/cloudmatrix-384
and a Cluster of N replicas), run `superpod validate` and `superpod bom` as separate processes
pinned to one core (taskset), and record wall time and peak RSS (best of --repeat runs).

Pre-commit: on specs/cloudmatrix-384, compare in-process (a) a bare YAML load of the files with
ruamel.yaml's C loader, (b) superpod's validation (load, models, inventory, all rules), and
end-to-end (c) `superpod validate` against (d) check-jsonschema with our bundled schema
(schema-only) on the same files.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POD = ROOT / "specs" / "cloudmatrix-384"


def project(tmp: Path, replicas: int) -> Path:
    target = tmp / f"n{replicas}"
    shutil.copytree(POD, target / "pod")
    if replicas > 1:
        (target / "cluster.yaml").write_text(f"""apiVersion: superpod-iac/v1alpha1
kind: Cluster
metadata: {{name: bench-{replicas}}}
spec:
  superpod: cloudmatrix-384
  replicas: {replicas}
  names: "cm384-[001-{replicas:03d}]"
  cascade:
    - {{type: ring, uplinks: "s*/rspine*:p[33-64]", cable: smf-os2-mpo12, transceiver: 400g-dr4, length_m: 100}}
""")
    return target


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(pin + cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}"
                         f"{proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before)


def rss_of(cmd: list[str]) -> int:
    """Peak RSS (KiB) of one run, measured with /usr/bin/time when available."""
    timer = shutil.which("time") or "/usr/bin/time"
    if not os.path.exists(timer):
        return 0
    proc = subprocess.run([timer, "-f", "%M", *cmd], capture_output=True, text=True, check=False)
    try:
        return int(proc.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0


def links_of(path: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from superpod_iac.config import Config
    from superpod_iac.pipeline import load_project

    return len(load_project([str(path)], Config(select=["SCH"])).inventory.links)


def scale(sizes: list[int], repeat: int) -> None:
    print("| superpods | accelerators | links | validate s | bom s | validate+bom s | "
          "peak RSS MiB | us per link |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = project(Path(tmp), n)
            links = links_of(path)
            val = min(run([str(BIN / "superpod"), "validate", str(path)])[0] for _ in range(repeat))
            bom = min(run([str(BIN / "superpod"), "bom", str(path), "--out",
                           str(Path(tmp) / f"bom{n}.csv")])[0] for _ in range(repeat))
            peak = max(rss_of([str(BIN / "superpod"), "validate", str(path)]),
                       rss_of([str(BIN / "superpod"), "bom", str(path), "--out",
                               str(Path(tmp) / f"bom{n}.csv")]))
            print(f"| {n} | {384 * n:,} | {links:,} | {val:.2f} | {bom:.2f} | {val + bom:.2f} | "
                  f"{peak / 1024:.0f} | {(val + bom) / links * 1e6:.2f} |", flush=True)


def precommit(repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    import io

    from ruamel.yaml import YAML

    from superpod_iac.config import Config
    from superpod_iac.pipeline import load_project

    files = sorted(str(p) for p in POD.glob("*.yaml"))
    size = sum(os.path.getsize(f) for f in files)

    def bare() -> None:
        yaml = YAML(typ="safe", pure=False)
        for f in files:
            list(yaml.load_all(io.StringIO(Path(f).read_text(encoding="utf-8"))))

    def ours() -> None:
        load_project([str(POD)], Config())

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    ours()  # warm the built-in catalog cache, as a second hook invocation would not
    t_bare, t_ours = best(bare), best(ours)
    cli = min(run([str(BIN / "superpod"), "validate", str(POD)])[0] for _ in range(repeat))
    # check-jsonschema reads one document per file: give it the same documents, one per file
    with tempfile.TemporaryDirectory() as tmp:
        docs = []
        for f in files:
            for k, part in enumerate(Path(f).read_text(encoding="utf-8").split("\n---\n")):
                target = Path(tmp) / f"{Path(f).stem}-{k}.yaml"
                target.write_text(part, encoding="utf-8")
                docs.append(str(target))
        cj = [str(BIN / "check-jsonschema"), "--schemafile",
              str(ROOT / "schemas" / "superpod.schema.json"), *docs]
        cjs = min(run(cj)[0] for _ in range(repeat))
    print(f"\nspecs/cloudmatrix-384: {len(files)} files, {size:,} bytes, 4,224 links generated")
    print("| measurement | seconds |")
    print("|---|---:|")
    print(f"| bare YAML load (ruamel C loader, in-process) | {t_bare:.4f} |")
    print(f"| superpod validation (in-process: load, models, inventory, all rules) | {t_ours:.4f} |")
    print(f"| ratio validation / bare load | {t_ours / t_bare:.1f}x |")
    print(f"| `superpod validate` (process) | {cli:.3f} |")
    print(f"| `check-jsonschema` schema-only (process) | {cjs:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,8,54,432")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scale([int(x) for x in args.sizes.split(",")], args.repeat)
    precommit(args.repeat)


if __name__ == "__main__":
    main()
