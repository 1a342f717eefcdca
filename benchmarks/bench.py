"""The performance targets of issue #17, measured as CPU ratios in one run (`make bench`).

    .venv/bin/python benchmarks/bench.py [--repeat 5] [--quick] [--full]

Every measurement is the CPU time (user + sys, from wait4) of a separate process, so a loaded
machine skews wall time but not the ratios much; paired commands run interleaved and the median
is kept. Prints one table: target, measured value, limit, met/missed; then the top imports of
`superpod validate` from `python -X importtime`.

--quick skips the 432-pod cluster; --full adds the other commands at cluster scale (cabling,
export netbox and render take minutes) and the 10,000-replica linearity run; --lsp runs only the
editor case (`superpod lsp` re-diagnosing CloudMatrix 384 after an edit, wall time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUPERPOD = str(BIN / "superpod")
PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Users have compiled bytecode: don't measure recompiling every module."""
ENV.setdefault("OPENBLAS_NUM_THREADS", "1")  # the same numpy start-up for every process
CM384 = ROOT / "specs" / "cloudmatrix-384"
SMALL_POD = ROOT / "specs" / "muxi-3d-mesh"
YAML_ONLY = ("import sys\nfrom ruamel.yaml import YAML\ny = YAML(typ='safe', pure=False)\n"
             "for f in sys.argv[1:]:\n    with open(f, encoding='utf-8') as fh:\n"
             "        list(y.load_all(fh))\n")
ROWS: list[tuple[str, str, str, bool]] = []
K = TypeVar("K", str, int)


def cpu(cmd: list[str]) -> tuple[float, int]:
    """CPU seconds (user + sys) and peak RSS (KiB) of one child process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: findings (still a full run)
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:].decode()}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def paired(cmds: dict[K, list[str]], repeat: int) -> dict[K, float]:
    """Median CPU seconds of each command, the commands run interleaved `repeat` times."""
    times: dict[K, list[float]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for key, cmd in cmds.items():
            times[key].append(cpu(cmd)[0])
    return {k: statistics.median(v) for k, v in times.items()}


def row(target: str, value: float, limit: float, unit: str = "x") -> None:
    ROWS.append((target, f"{value:.2f}{unit}", f"<= {limit:g}{unit}", value <= limit))


def split_documents(spec: Path, out: Path) -> list[str]:
    """check-jsonschema validates one document per file: the same documents, one per file."""
    docs = []
    for f in sorted(spec.glob("*.yaml")):
        for k, part in enumerate(f.read_text(encoding="utf-8").split("\n---\n")):
            target = out / f"{spec.name}-{f.stem}-{k}.yaml"
            target.write_text(part, encoding="utf-8")
            docs.append(str(target))
    return docs


def precommit(spec: Path, repeat: int, tmp: Path) -> None:
    files = [str(p) for p in sorted(spec.glob("*.yaml"))]
    docs = split_documents(spec, tmp)
    cpu([SUPERPOD, "validate", str(spec)])  # warm the built-in catalog cache
    t = paired({"validate": [SUPERPOD, "validate", str(spec)],
                "check-jsonschema": [str(BIN / "check-jsonschema"), "--schemafile",
                                     str(ROOT / "schemas" / "superpod.schema.json"), *docs],
                "yaml": [PY, "-c", YAML_ONLY, *files]}, repeat)
    print(f"{spec.name}: validate {t['validate']:.3f} s, check-jsonschema "
          f"{t['check-jsonschema']:.3f} s, ruamel C load {t['yaml']:.3f} s (CPU, median)")
    row(f"1. validate {spec.name} / check-jsonschema", t["validate"] / t["check-jsonschema"], 0.5)
    row(f"1. validate {spec.name} / ruamel C load process", t["validate"] / t["yaml"], 3)


def cluster_project(tmp: Path, pod: Path, replicas: int, cascade: bool) -> Path:
    target = tmp / f"{pod.name}-x{replicas}"
    if not target.exists():
        shutil.copytree(pod, target / "pod")
        ring = ('  cascade:\n    - {type: ring, uplinks: "s*/rspine*:p[33-64]", '
                "cable: smf-os2-mpo12, transceiver: 400g-dr4, length_m: 100}\n") \
            if cascade else ""
        (target / "cluster.yaml").write_text(
            f"apiVersion: superpod-iac/v1alpha1\nkind: Cluster\nmetadata: {{name: bench}}\n"
            f"spec:\n  superpod: {pod.name}\n  replicas: {replicas}\n{ring}", encoding="utf-8")
        # beyond the default work limits on purpose (docs/security.md): raised knowingly
        (target / "superpod.toml").write_text(
            "[limits]\nmax_objects = 50_000_000\nmax_links = 100_000_000\n"
            "max_cpu_ms = 10_000_000\n", encoding="utf-8")
    return target


def size_of(path: Path) -> tuple[int, int, int]:
    """(links, devices, cabinets) of a design."""
    code = ("import sys\nfrom superpod_iac.config import Config\n"
            "from superpod_iac.pipeline import load_project\n"
            "inv = load_project([sys.argv[1]], Config(select=['SCH'])).inventory\n"
            "print(len(inv.links), len(inv.devices), len(inv.cabinets))")
    out = subprocess.run([PY, "-c", code, str(path)], capture_output=True, text=True,
                         check=True, env=ENV).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def scale(repeat: int, tmp: Path, full: bool) -> None:
    sizes = {n: cluster_project(tmp, CM384, n, True) for n in (8, 54)}
    sizes[432] = ROOT / "specs" / "cluster-432xcm384"
    size = {n: size_of(p) for n, p in sizes.items()}
    links = {n: s[0] for n, s in size.items()}
    # the floor does the per-link work of the same design size: links, devices, cabinets, pods
    floor_cmd = [PY, str(ROOT / "benchmarks" / "numpy_floor.py"), *map(str, size[432]), "432"]
    # 8 and 54 pods interleaved, max(3, --repeat) runs each: the marginal cost per link is a
    # difference of two short runs, which one run of each made swing by 1.5x
    val = paired({n: [SUPERPOD, "validate", str(sizes[n])] for n in (8, 54)}, max(3, repeat))
    for n in (8, 54):
        print(f"{n} pods, {links[n]:,} links: validate {val[n]:.2f} s CPU", flush=True)
    # the 432-pod validate and the numpy floor interleaved, `repeat` pairs (at least 3): their
    # ratio is the target, and one run of each moved it by 1-2x on this shared machine
    pairs: dict[str, list[tuple[float, int]]] = {"validate": [], "floor": []}
    for _ in range(max(3, repeat)):
        pairs["validate"].append(cpu([SUPERPOD, "validate", str(sizes[432])]))
        pairs["floor"].append(cpu(floor_cmd))
    val[432] = statistics.median(r[0] for r in pairs["validate"])
    rss = max(r[1] for r in pairs["validate"])
    print(f"432 pods, {links[432]:,} links: validate {val[432]:.2f} s CPU (runs: "
          f"{', '.join(f'{r[0]:.2f}' for r in pairs['validate'])})", flush=True)
    floor = statistics.median(r[0] for r in pairs["floor"])
    print(f"numpy floor ({' '.join(floor_cmd[1:])}): {floor:.2f} s CPU")
    row("2. validate 432 pods / numpy floor", val[432] / floor, 7)
    early = (val[54] - val[8]) / (links[54] - links[8]) * 1e6
    late = (val[432] - val[54]) / (links[432] - links[54]) * 1e6
    print(f"marginal CPU per link: {early:.2f} us (8->54 pods), {late:.2f} us (54->432 pods)")
    row("2. marginal us/link 54->432 / 8->54", late / early, 1.2)
    row("2. peak RSS of validate, 432 pods", rss / 1024, 1024, " MiB")
    if not full:
        return
    path = str(sizes[432])
    out = tmp / "out"
    for name, cmd in (("bom", ["bom", path, "--out", str(out / "bom.csv")]),
                      ("summary", ["summary", path]),
                      ("cabling", ["cabling", path, "--out", str(out / "cabling.csv")]),
                      ("export netbox", ["export", "netbox", path, "--out", str(out / "nb")]),
                      ("render --view all", ["render", path, "--view", "all", "--out",
                                             str(out / "diagrams")]),
                      ("report", ["report", path, "--out", str(out / "report.html")])):
        out.mkdir(exist_ok=True)
        t = cpu([SUPERPOD, *cmd])[0]
        print(f"{name}, 432 pods: {t:.2f} s CPU", flush=True)
        row(f"3. {name} 432 pods / validate", t / val[432], 3)


def replicas(tmp: Path) -> None:
    t = {}
    for n in (1_000, 10_000):
        t[n] = cpu([SUPERPOD, "validate", str(cluster_project(tmp, SMALL_POD, n, False))])[0]
        print(f"{n:,} replicas of {SMALL_POD.name}: validate {t[n]:.2f} s CPU", flush=True)
    row(f"3. per-replica CPU, 10,000 / 1,000 replicas of {SMALL_POD.name}",
        (t[10_000] / 10_000) / (t[1_000] / 1_000), 1.3)


EDIT_FROM = 'name: "cm384-rpp-A[01-08]", type: rpp, parent: cm384-busway-A1, side: A, ' \
    'voltage_v: 400, breaker_a: 100}'
EDIT_TO = EDIT_FROM.replace("breaker_a: 100", "breaker_a: 40")


def editor(edits: int) -> None:
    """`superpod lsp` as an editor drives it (pygls's client over the server's stdio): open
    CloudMatrix 384's power.yaml, then change one power figure (eight RPPs' breaker 100 A ->
    40 A, and back) `edits` times; each time, the wall time from sending the change to the
    server publishing power.yaml's new findings (PWR004 appear / clear), 150 ms debounce
    included. The server is warm (catalog, imports, unchanged files) after its first check."""
    import asyncio

    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient
    from pygls.uris import from_fs_path

    path = CM384 / "power.yaml"
    uri = from_fs_path(str(path)) or ""
    text = path.read_text(encoding="utf-8")
    assert EDIT_FROM in text, "benchmark edit no longer matches specs/cloudmatrix-384/power.yaml"
    times: list[float] = []

    async def run() -> float:
        client = LanguageClient("bench", "1")
        seen: dict[str, list[lsp.Diagnostic]] = {}
        event = asyncio.Event()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            seen[params.uri] = list(params.diagnostics)
            event.set()

        async def until(ok: bool) -> None:
            while uri not in seen or bool(seen[uri]) != ok:
                event.clear()
                await asyncio.wait_for(event.wait(), 30)

        loop = asyncio.get_running_loop()
        start = loop.time()
        await client.start_io(SUPERPOD, "lsp")
        await client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(ROOT))))
        client.initialized(lsp.InitializedParams())
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1,
                                               text=text)))
        await until(False)
        first = loop.time() - start
        for i in range(edits):
            broken = i % 2 == 0
            t0 = loop.time()
            seen.pop(uri, None)
            client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(
                    text=text.replace(EDIT_FROM, EDIT_TO) if broken else text)]))
            await until(broken)
            times.append(loop.time() - t0)
            await asyncio.sleep(0.3)  # an operator types, pauses, reads
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return first

    first = asyncio.run(run())
    med = statistics.median(times)
    print(f"lsp: start + first check of {CM384.name} {first:.2f} s; after an edit: median "
          f"{med:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} edits "
          "(wall, 150 ms debounce included)")
    row(f"7. lsp re-diagnoses {CM384.name} after an edit (median wall s)", med, 0.5, " s")


def importtime() -> None:
    proc = subprocess.run([PY, "-X", "importtime", "-m", "superpod_iac", "validate", str(CM384)],
                          capture_output=True, text=True, env=ENV, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            rows.append((int(parts[1]), int(parts[0].split(":")[1]), depth, name.strip()))
    print("\n`python -X importtime` of `superpod validate specs/cloudmatrix-384`, "
          "top-level imports (cumulative us, self us):")
    for cum, own, depth, name in sorted(rows, reverse=True):
        if depth <= 1 and cum >= 5000:
            print(f"  {cum:>8,} {own:>8,}  {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="pre-commit targets only")
    ap.add_argument("--full", action="store_true", help="every command at cluster scale, and "
                    "the 10,000-replica run")
    ap.add_argument("--lsp", action="store_true", help="the editor case only")
    args = ap.parse_args()
    if args.lsp:
        editor(max(args.repeat * 4, 10))
        _table()
        return
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for spec in (CM384, ROOT / "specs" / "gb200-nvl72"):
            precommit(spec, args.repeat, tmp)
        if not args.quick:
            scale(args.repeat, tmp, args.full)
        if args.full:
            replicas(tmp)
    editor(max(args.repeat * 4, 10))
    importtime()
    _table()


def _table() -> None:
    print("\n| target | measured | limit | |\n|---|---:|---:|---|")
    for target, value, limit, met in ROWS:
        print(f"| {target} | {value} | {limit} | {'met' if met else 'missed'} |")


if __name__ == "__main__":
    main()
