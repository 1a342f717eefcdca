"""The numpy floor: the essential per-link work of validating N links, and nothing else.

    python benchmarks/numpy_floor.py [LINKS] [DEVICES] [CABINETS] [PODS]

Defaults are the size of specs/cluster-432xcm384 (2,840,832 links, 82,464 devices, 7,296
cabinets, 432 pods); `benchmarks/bench.py` passes the sizes it finds in the design. Columns
like superpod's LinkTable (device and port index per end, cable type, length) hold one pod's
random wiring (fixed seed) tiled over the pods with device offsets. The work: port-use
uniqueness (one sort of packed end keys; not np.unique, whose numpy 2.x hash path is several
times slower here), length against the reach of each cable type, and per-cabinet sums of
optics and power. `benchmarks/bench.py` runs it as a process beside `superpod validate`.
"""

import sys

import numpy as np

links = int(sys.argv[1]) if len(sys.argv) > 1 else 2_840_832
devices = int(sys.argv[2]) if len(sys.argv) > 2 else 82_464
cabinets = int(sys.argv[3]) if len(sys.argv) > 3 else 7_296
pods = int(sys.argv[4]) if len(sys.argv) > 4 else 432
per_pod, dev_pod, ports = links // pods, devices // pods, 64
rng = np.random.default_rng(17)  # one pod's wiring, replicated with device offsets like a Cluster
offset = np.repeat(np.arange(pods, dtype=np.int32) * dev_pod, per_pod)
a_dev = np.tile(rng.integers(0, dev_pod, per_pod, dtype=np.int32), pods) + offset
b_dev = np.tile(rng.integers(0, dev_pod, per_pod, dtype=np.int32), pods) + offset
a_port = np.tile(rng.integers(0, ports, per_pod, dtype=np.int32), pods)
b_port = np.tile(rng.integers(0, ports, per_pod, dtype=np.int32), pods)
cable = np.tile(rng.integers(0, 8, per_pod, dtype=np.int32), pods)
length = np.tile(rng.uniform(0.5, 120.0, per_pod), pods)
reach = np.array([3.0, 5.0, 30.0, 100.0, 150.0, 500.0, 2000.0, 10000.0])
cabinet_of = np.repeat(np.arange(cabinets, dtype=np.int32), -(-devices // cabinets))[:devices]
watts_of = np.tile(rng.uniform(100.0, 3000.0, dev_pod), -(-devices // dev_pod))[:devices]

# 1. port-use uniqueness: every (device, port) end used at most once
ends = np.concatenate([a_dev.astype(np.int64) * ports + a_port, b_dev.astype(np.int64) * ports
                       + b_port])
ends.sort()
dup = ends[1:][ends[1:] == ends[:-1]]
# 2. length against the reach of the cable type
too_long = np.flatnonzero(length > reach[cable])
# 3. per-cabinet sums: optics at both ends, and device power
optics = np.bincount(cabinet_of[a_dev], minlength=cabinets) + np.bincount(
    cabinet_of[b_dev], minlength=cabinets)
power = np.bincount(cabinet_of, weights=watts_of, minlength=cabinets)
print(f"{links} links: {dup.size} reused ends, {too_long.size} too long, "
      f"max optics/cabinet {optics.max()}, max kW/cabinet {power.max() / 1000:.1f}")
