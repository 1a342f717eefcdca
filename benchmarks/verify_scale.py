"""`superpod verify` at scale: the comparison and its text output for a design cabled as
designed except one swapped pair, against `superpod validate` of the same design.

    .venv/bin/python benchmarks/verify_scale.py [specs/cluster-432xcm384]

The sightings (both ends of every link) are built in memory as the readers would leave them,
so this measures the comparison, not parsing: reading costs ~3 us per ibnetdiscover port line
and ~20 us per lldpctl JSON neighbour (json.loads of ~1 KB) on the development machine.
Not part of `make test`.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import time
import tracemalloc
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from superpod_iac.config import Config  # noqa: E402
from superpod_iac.pipeline import load_project  # noqa: E402
from superpod_iac.verify.compare import compare  # noqa: E402
from superpod_iac.verify.output import FORMATS  # noqa: E402
from superpod_iac.verify.readers import Mapping, Sightings  # noqa: E402


def main() -> None:
    spec = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "specs" / "cluster-432xcm384")
    t0 = time.process_time()
    cfg = Config()
    cfg.select = ["SCH", "REF"]
    inv = load_project([spec], cfg).inventory
    t1 = time.process_time()
    t = inv.links
    s = Sightings(kind="lldp")
    s.files.append("memory")
    dev = [s.code(d.address) for d in inv.devices]
    ports: dict[str, list[int]] = {}
    for d in inv.devices:
        if d.type_name not in ports:
            ports[d.type_name] = [s.code(p.name) for p in inv.catalog.ports(d.type_name)[0]]
    by_dev = [ports[d.type_name] for d in inv.devices]
    bd, bp = array("i", t.b_dev), array("i", t.b_port)
    bd[10], bd[11], bp[10], bp[11] = bd[11], bd[10], bp[11], bp[10]  # one swapped pair
    for x, xp, y, yp in ((t.a_dev, t.a_port, bd, bp), (bd, bp, t.a_dev, t.a_port)):
        s.lh.extend(dev[i] for i in x)
        s.lp.extend(by_dev[i][p] for i, p in zip(x, xp, strict=True))
        s.rh.extend(dev[i] for i in y)
        s.rp.extend(by_dev[i][p] for i, p in zip(y, yp, strict=True))
    m = len(s.lh)
    s.speed_gbps.extend([float("nan")] * m)
    s.file.extend([0] * m)
    s.line.extend(range(1, m + 1))
    s.reported_hosts.update(d.address for d in inv.devices)
    tracemalloc.start()
    t2 = time.process_time()
    v = compare(inv, s, Mapping())
    t3 = time.process_time()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    FORMATS["text"](inv, v, io.StringIO(), False)
    t4 = time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(Path(sys.executable).parent / "superpod"), "validate", spec],
                   stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    validate = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    counts = {k: x for k, x in v.counts().items() if x}
    print(f"{len(t):,} links, {m:,} sightings: {counts}")
    print(f"design load (SCH+REF) {t1 - t0:.2f} s, compare {t3 - t2:.2f} s "
          f"(peak {peak:.0f} MiB traced), text output {t4 - t3:.2f} s CPU")
    print(f"validate {validate:.2f} s CPU: compare / validate = {(t3 - t2) / validate:.2f}x")


if __name__ == "__main__":
    main()
