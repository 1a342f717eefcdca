"""The cost per object and per link behind the work limits (docs/security.md, issue #32).

    .venv/bin/python benchmarks/limits.py

Validates hostile designs of growing size (a full-mesh generator, a wall of cabinets) as
separate processes, fits CPU seconds (user + sys) and peak RSS against their size, and prints
the cost per unit that `superpod_iac.source.loader.COST_US` and the default limits are derived
from; then each kind of design at its limit, against the promise of 5 s and 1 GiB.
tests/test_trust_holes.py runs the at-the-limit cases; the designs are built here.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = str(Path(sys.executable).parent / "superpod")
BASE = str(ROOT / "tests" / "fixtures" / "rules" / "_base.yaml")
PER_CAB = 40


def _site(name: str, slots: int) -> str:
    return f"""---
apiVersion: superpod-iac/v1alpha1
kind: Site
metadata: {{name: {name}-site}}
spec:
  halls:
    - {{name: {name}, floor_load_kg_m2: 2500, air_capacity_kw: 100000, rows: [{{name: R, slots: {slots}}}]}}
"""


def _cabinets(name: str, cabs: int, dtype: str) -> str:
    return f"""---
apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {{name: "{name}[1-{cabs}]"}}
spec:
  type: nvl72-rack
  location: {{hall: {name}, row: R, slot: "[1-{cabs}]"}}
  feeds: [feed-A1, feed-B1]
  cdu: cdu-1
  devices:
    - {{name: "n[01-{PER_CAB}]", type: {dtype}, u: "[1-{PER_CAB}]"}}
"""


def mesh_design(nodes: int) -> str:
    """One full-mesh generator over `nodes` devices (40 per cabinet, every cabinet placed):
    nodes x (nodes - 1) / 2 generated links from about 1 KB of YAML."""
    cabs = nodes // PER_CAB
    assert cabs * PER_CAB == nodes
    return f"""apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {{name: mesh-parts}}
spec:
  device_types:
    - {{name: mx, role: compute, height_u: 1, weight_kg: 10, max_w: 100, port_groups: [{{name: p, ports: "p[1-{nodes - 1}]", form_factor: osfp, speed_gbps: 400, plane: scale-out}}]}}
{_site("mh", cabs)}{_cabinets("mh", cabs, "mx")}---
apiVersion: superpod-iac/v1alpha1
kind: Fabric
metadata: {{name: mesh}}
spec:
  plane: scale-out
  generators:
    - {{type: full-mesh, nodes: "mh[1-{cabs}]/n[01-{PER_CAB}]", dims: [{nodes}], ports: "p[1-{nodes - 1}]", cable: dac-800g}}
"""


def objects_design(cabinets: int) -> str:
    """`cabinets` placed cabinets of 40 devices each, no links: cabinets x 41 objects."""
    return f"""apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {{name: obj-parts}}
spec:
  device_types:
    - {{name: ox, role: compute, height_u: 1, weight_kg: 1, max_w: 10}}
{_site("oh", cabinets)}{_cabinets("oh", cabinets, "ox")}"""


def flat_design(size: int) -> str:
    """`size` bytes of one Fabric's explicit links between cabinets that do not exist: the
    worst case per byte measured (every line a finding: REF001 for both ends, each folded,
    positioned and capped), behind COST_US["byte"]."""
    head = ("apiVersion: superpod-iac/v1alpha1\nkind: Fabric\nmetadata: {name: flat}\n"
            "spec:\n  plane: frontend\n  links:\n")
    lines = [head]
    total, n = len(head), 0
    while True:
        line = f"    - {{a: 'nx{n:07d}/t:zz', b: 'ny{n:07d}/t:qq', cable: dac-400g}}\n"
        if total + len(line) > size:
            break
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines)


def measure(text: str) -> tuple[float, int, str]:
    """(CPU seconds, peak RSS KiB, output) of `superpod validate` on _base.yaml + `text`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "design.yaml"
        path.write_text(text, encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([SUPERPOD, "validate", BASE, str(path)], capture_output=True,
                              text=True, check=False, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, after.ru_maxrss, proc.stdout + proc.stderr


def _slope(points: list[tuple[int, float]]) -> float:
    (x0, y0), (x1, y1) = points[0], points[-1]
    return (y1 - y0) / (x1 - x0)


def main() -> None:
    from superpod_iac.source.loader import COST_US, LoadLimits

    mesh = [(n * (n - 1) // 2, measure(mesh_design(n))[0]) for n in (400, 800, 1200)]
    objs = [(c * (PER_CAB + 1), measure(objects_design(c))[0]) for c in (1000, 2500, 4000)]
    flat = [(b, measure(flat_design(b))[0]) for b in (1_000_000, 2_000_000, 3_000_000)]
    print(f"generated link (incl. its checks): {_slope(mesh) * 1e6:.2f} us "
          f"(model: {COST_US['link'] + COST_US['generated_link']:.2f})")
    print(f"cabinet or device:                 {_slope(objs) * 1e6:.2f} us "
          f"(model: {COST_US['object']:.2f})")
    print(f"byte of a flat file of bad links:  {_slope(flat) * 1e6:.2f} us "
          f"(model: {COST_US['byte']:.2f})")
    limits = LoadLimits()
    for label, text in (("full mesh, 1,240 nodes (768,180 links)", mesh_design(1240)),
                        ("4,800 cabinets (196,800 objects)", objects_design(4800)),
                        ("3.4 MB flat file of bad links", flat_design(3_400_000)),
                        ("432-pod cluster", "")):
        if not text:
            cpu, rss, _ = _validate_path(ROOT / "specs" / "cluster-432xcm384")
        else:
            cpu, rss, _ = measure(text)
        print(f"{label}: {cpu:.2f} s CPU, {rss / 1024:.0f} MiB (promise 5 s, 1,024 MiB; "
              f"max_cpu_ms {limits.max_cpu_ms:,})")


def _validate_path(path: Path) -> tuple[float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([SUPERPOD, "validate", str(path)], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, after.ru_maxrss, proc.stdout


if __name__ == "__main__":
    main()
