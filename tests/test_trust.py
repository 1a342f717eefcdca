"""Trust properties (issue "Never a false pass"), each attacked rather than shown by one example.

1. Work is bounded before it is done: hostile inputs end with an SCH finding naming the limit,
   in bounded CPU and memory, in every command that reads manifests.
2. Suppression and selection never hide what the user did not name.
3. Output and process safety: regular files only, no option injection, escaping per sink.
(4., a self-contained suite, is enforced by tests/conftest.py: an audit hook refuses reads of
the shared design folder beside the repository and a skip without a ci_lacks marker fails the run.)

The CPU and memory bounds are the issue's (5 s, 1 GiB) with the process start included: they
are properties of the defence, not benchmarks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, RULE_FIXTURES

SUPERPOD = str(ROOT / ".venv" / "bin" / "superpod")
BASE = str(RULE_FIXTURES / "_base.yaml")
CLEAN_CABINET = (FIXTURES / "fuzz" / "cabinet.yaml").read_text(encoding="utf-8")
READERS = [["validate"], ["render", "--view", "power", "--format", "dot"], ["bom"], ["cabling"],
           ["summary"], ["report", "--out", "{tmp}/r.html"]]
"""Every command that reads manifests through the pipeline (diff and compare load the same
way; `import netbox` has its own test)."""


_MEASURE = """import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(f"\\nMEASURED {u.ru_utime + u.ru_stime} {u.ru_maxrss}\\n")
sys.exit(r.returncode)
"""


def _run(args: list[str], cwd: Path | None = None, timeout: float = 120,
         **env: str) -> tuple[int, str, float, int]:
    """(exit code, output, CPU seconds, peak RSS in KiB) of `superpod ARGS` as a process, measured
    by a fresh parent whose only child it is (RUSAGE_CHILDREN of pytest would mix in others)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, SUPERPOD, *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **env})
    err, _, tail = proc.stderr.rpartition("\nMEASURED ")
    cpu, rss = tail.split()
    return proc.returncode, proc.stdout + err, float(cpu), int(rss)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


HOSTILE = {
    # 60 KB of nested brackets: a segfault in the C composer before the loader counted depth
    "nested-brackets.yaml": ("[" * 30_000 + "]" * 30_000, "SCH007"),
    "nested-mappings.yaml": ("{a: " * 20_000 + "1" + "}" * 20_000, "SCH007"),
    # a 3.5 MB flat list: half a minute and 1.5 GiB of error objects before
    "flat-list.yaml": ("apiVersion: superpod-iac/v1alpha1\nkind: Catalog\nmetadata: {name: x}\n"
                       "spec:\n  device_types:\n" + "  - 1\n" * 800_000, "SCH"),
    "billion-laughs.yaml": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n"
        for p, c in zip("abcdefghij", "bcdefghijk", strict=True)), "SCH007"),
    # a range typo: ClusterShell would build 10^8 names before any check
    "huge-range.yaml": (CLEAN_CABINET.replace('"tray[01-10]"', '"tray[1-100000000]"'), "SCH012"),
    "glob-times-range.yaml": (CLEAN_CABINET.replace('name: nvl72-01', 'name: "c[1-99999]x[1-99999]"'),
                              "SCH012"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_bounded_in_every_reader(tmp_path: Path, name: str) -> None:
    text, rule = HOSTILE[name]
    f = _write(tmp_path / name, text)
    for args in READERS:
        args = [a.replace("{tmp}", str(tmp_path)) for a in args]
        code, out, cpu, rss = _run([*args, BASE, str(f)])
        if args[0] == "report":  # the findings are in the page
            out += (tmp_path / "r.html").read_text(encoding="utf-8")
        assert code in (1, 2), (args, out[-2000:])
        assert "Traceback" not in out and "internal error" not in out, (args, out[-2000:])
        assert rule in out, (args, out[-2000:])
        assert cpu < 5, (args, cpu)
        assert rss < 1024 * 1024, (args, rss)


def test_too_many_replicas_is_refused_before_replicating(tmp_path: Path) -> None:
    design = _write(tmp_path / "d" / "cabinet.yaml", CLEAN_CABINET)
    _write(design.parent / "cluster.yaml", """apiVersion: superpod-iac/v1alpha1
kind: Superpod
metadata: {name: pod}
spec: {cabinets: [nvl72-01]}
---
apiVersion: superpod-iac/v1alpha1
kind: Cluster
metadata: {name: big}
spec: {superpod: pod, replicas: 10000000}
""")
    code, out, cpu, _ = _run(["validate", BASE, str(design.parent)])
    assert code == 1 and "SCH012" in out and "10,000,000 replicas > limit" in out, out
    assert cpu < 5


def _base_copy(folder: Path) -> str:
    return str(_write(folder / "_base.yaml", (RULE_FIXTURES / "_base.yaml").read_text()))


def test_limits_are_raisable_in_configuration(tmp_path: Path) -> None:
    f = _write(tmp_path / "p" / "cab.yaml", CLEAN_CABINET)
    _write(tmp_path / "p" / "superpod.toml", "[limits]\nmax_names = 5\n")
    code, out, _, _ = _run(["validate", _base_copy(tmp_path / "p"), str(f)], cwd=tmp_path / "p")
    assert code == 1 and "'tray[01-10]' expands to 10 names > limit 5" in out, out
    _write(tmp_path / "p" / "superpod.toml", "[limits]\nmax_names = true\n")
    code, out, _, _ = _run(["validate", str(f)], cwd=tmp_path / "p")
    assert code == 2 and "max_names must be a positive whole number" in out, out


def test_total_bytes_stop_reading_in_every_reader(tmp_path: Path) -> None:
    """max_total_bytes bounds the manifests and the NetBox device types alike: the file that
    passes it and every file after it are not read, and that is a finding, never a pass."""
    big = "# padding\n" * 200   # 2,000 bytes per file
    for i in range(4):
        _write(tmp_path / "p" / f"c{i}.yaml", big + CLEAN_CABINET.replace("nvl72-01", f"nvl72-0{i}"))
    _write(tmp_path / "p" / "superpod.toml", "[limits]\nmax_total_bytes = 5000\n")
    code, out, _, _ = _run(["validate", "c0.yaml", "c1.yaml", "c2.yaml", "c3.yaml"],
                           cwd=tmp_path / "p")
    assert code == 1 and "SCH012" in out and "more than 5,000 bytes" in out, out
    assert "c2.yaml and the 1 file(s) after it are not read" in out, out

    from superpod_iac.netbox.importer import import_netbox
    from superpod_iac.source.loader import LoadLimits

    lib = FIXTURES / "netbox" / "devicetype-library" / "device-types"
    files = sorted(str(f) for f in lib.rglob("*.yaml"))[:3]
    sizes = [Path(f).stat().st_size for f in files]
    res = import_netbox(files, limits=LoadLimits(max_total_bytes=sizes[0] + sizes[1] - 1))
    assert [e for e in res.errors if "max_total_bytes" in e] == [
        f"{Path(files[1]).relative_to(ROOT)}: the files given hold more than {sizes[0] + sizes[1] - 1:,} "
        "bytes (limit max_total_bytes); it and the files after it are not read"], res.errors
    assert res.files == 2


def test_deep_folder_tree(tmp_path: Path) -> None:
    rel = "/".join(f"d{i % 10}" for i in range(1_100))  # a RecursionError in os.walk before
    subprocess.run(["mkdir", "-p", rel], cwd=tmp_path, check=True)
    try:
        subprocess.run(["sh", "-c", f"echo 'a: 1' > {rel}/x.yaml"], cwd=tmp_path, check=True)
        code, out, cpu, _ = _run(["validate", str(tmp_path / "d0")])
        assert code == 1 and "SCH012" in out and "max_dir_depth" in out, out
        assert cpu < 5
    finally:  # pytest's own clean-up of old temporary folders recurses and would fail on it
        subprocess.run(["rm", "-rf", "d0"], cwd=tmp_path, check=True)


def test_special_files_and_symlink_loops_are_findings(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    _write(proj / "cab.yaml", CLEAN_CABINET)
    (proj / ".git").mkdir()
    os.mkfifo(proj / "pipe.yaml")  # reading it would block forever
    (proj / "loop").symlink_to(proj)
    (proj / "dangling.yaml").symlink_to(proj / "nowhere.yaml")
    outside = tmp_path / "outside"
    _write(outside / "secret.yaml", "apiVersion: superpod-iac/v1alpha1\nkind: Catalog\n")
    (proj / "leak.yaml").symlink_to(outside / "secret.yaml")
    code, out, _, _ = _run(["validate", str(proj)], timeout=60)
    assert code == 1, out
    assert "pipe.yaml is a FIFO; not read" in out
    assert "symlink loop" in out
    assert "leak.yaml" in out and "SCH011" in out and "secret" not in out.split("leak")[0]
    # a symlink named on the command line that leads outside the project
    code, out, _, _ = _run(["validate", str(proj / "leak.yaml")], cwd=proj)
    assert code == 1 and "SCH011" in out, out
    code, out, _, _ = _run(["validate", "/dev/zero"], timeout=30)
    assert code == 1 and "SCH009" in out and "a device" in out, out


# -- 2. suppression and selection ---------------------------------------------------------------

BAD = (RULE_FIXTURES / "SPC002.yaml").read_text(encoding="utf-8")


def _codes(out: str) -> list[str]:
    return [d["rule"] for d in json.loads(out)["diagnostics"]]


def test_ignore_inside_a_scalar_is_not_a_comment(tmp_path: Path) -> None:
    quoted = BAD.replace("metadata: {name: nvl72-01}",
                         'metadata: {name: nvl72-01, labels: {note: "x # superpod: ignore[SPC]"}}')
    block = BAD.replace("metadata: {name: nvl72-01}", "metadata:\n  name: nvl72-01\n  description: |\n"
                        "    # superpod: ignore[SPC002]\n")
    for text in (quoted, block):
        f = _write(tmp_path / "c.yaml", text)
        code, out, _, _ = _run(["validate", "--format", "json", BASE, str(f)])
        assert code == 1 and "SPC002" in _codes(out), out


def test_ignore_applies_to_its_object_only(tmp_path: Path) -> None:
    # on the overlapping device's line: suppressed
    own = BAD.replace("u: 14}", "u: 14}  # superpod: ignore[SPC002]")
    code, out, _, _ = _run(["validate", BASE, str(_write(tmp_path / "a.yaml", own))])
    assert code == 0 and "SPC002" not in out, out
    # on an enclosing container (`spec:`, `devices:`): not suppressed
    for anchor in ("spec:", "  devices:"):
        text = BAD.replace(anchor + "\n", anchor + "  # superpod: ignore[SPC002]\n", 1)
        code, out, _, _ = _run(["validate", BASE, str(_write(tmp_path / "b.yaml", text))])
        assert code == 1 and "SPC002" in out, (anchor, out)


def test_loader_and_schema_findings_cannot_be_deselected(tmp_path: Path) -> None:
    f = _write(tmp_path / "c.yaml", BAD.replace("type: nvl72-rack", "type: nvl72-rack\n  typo: 1")
               + "  # superpod: ignore[SCH003, ALL]\n")
    for args in (["--ignore", "SCH"], ["--select", "PWR"], ["--ignore", "ALL"]):
        code, out, _, _ = _run(["validate", *args, BASE, str(f)])
        assert code == 1 and "SCH003" in out, (args, out)
    cfg = _write(tmp_path / "superpod.toml", '[severity]\nSCH003 = "info"\n')
    code, out, _, _ = _run(["validate", "--config", str(cfg), BASE, str(f)])
    assert code == 1 and "SCH003 error" in out, out


@pytest.mark.parametrize("args", [["--select", "PWR999"], ["--ignore", "XYZ"], ["--ignore", ""],
                                  ["--select", "PWR001,,SPC"]])
def test_unknown_or_empty_rule_ids_are_usage_errors(args: list[str]) -> None:
    code, out, _, _ = _run(["validate", *args, BASE])
    assert code == 2 and ("unknown rule ID" in out or "empty rule ID" in out), out


@pytest.mark.parametrize("selector", ["P", "pw", "S"])
def test_a_prefix_shorter_than_a_family_selects_nothing(tmp_path: Path, selector: str) -> None:
    """`P` would have hidden both PRT and PWR (and `S` every SPC finding through an inline
    ignore): more than the user named. On the command line and in the configuration it is a
    usage error naming the families it would reach; inline it is SCH013 and hides nothing."""
    code, out, _, _ = _run(["validate", "--ignore", selector, BASE])
    assert code == 2 and "shorter than a rule family" in out, out
    cfg = _write(tmp_path / "cfg" / "superpod.toml", f'ignore = ["{selector}"]\n')
    code, out, _, _ = _run(["validate", "--config", str(cfg), BASE])
    assert code == 2 and "shorter than a rule family" in out, out
    f = _write(tmp_path / "d" / "c.yaml",
               BAD.replace("u: 14}", f"u: 14}}  # superpod: ignore[{selector}]"))
    code, out, _, _ = _run(["validate", BASE, str(f)])
    assert code == 1 and "SCH013" in out and "SPC002" in out, out


def test_unknown_id_in_inline_ignore_is_said(tmp_path: Path) -> None:
    f = _write(tmp_path / "c.yaml", BAD.replace("u: 14}", "u: 14}  # superpod: ignore[SPC0002]"))
    code, out, _, _ = _run(["validate", BASE, str(f)])
    assert code == 1 and "SCH013" in out and "SPC002" in out, out


@pytest.mark.parametrize("header,hint", [
    ("apiVersion: superpod-iac/v1alpah1\nkind: Cabinet", "did you mean 'superpod-iac/v1alpha1'"),
    ("apiVersion: superpod-iac/v1alpha1\nkind: Cabnet", "did you mean 'Cabinet'"),
    ("kind: Cabinet", "add apiVersion"),
    ("apiVersion: superpod-iac/v1alpha1", "kinds:"),
    ("apiVersion: SuperPod-IaC/v1alpha1\nkind: Cabinet", "did you mean"),
])
def test_misspelt_or_missing_kind_is_never_skipped(tmp_path: Path, header: str, hint: str) -> None:
    body = BAD.split("kind: Cabinet\n", 1)[1]
    f = _write(tmp_path / "d" / "c.yaml", header + "\n" + body)
    for target in (str(f), str(f.parent)):  # named, and found by walking a folder
        code, out, _, _ = _run(["validate", BASE, target])
        assert code == 1 and "SCH005" in out and hint in out, (target, out)


@pytest.mark.parametrize("wrap,where", [
    (lambda doc: "\n".join("  " + line if i else "- " + line
                           for i, line in enumerate(doc.splitlines())), "nested at [0]"),
    (lambda doc: "kind: List\nitems:\n" + "\n".join(("  - " if i == 0 else "    ") + line
                                                     for i, line in enumerate(doc.splitlines())),
     "nested at items[0]"),
])
def test_a_manifest_nested_in_a_list_is_never_skipped(tmp_path: Path, wrap, where: str) -> None:
    """A top-level list of manifests, or a Kubernetes-style List, was read as a foreign file
    and the design validated clean with its cabinet unchecked."""
    f = _write(tmp_path / "d" / "c.yaml", wrap(BAD) + "\n")
    for target in (str(f), str(f.parent)):  # named, and found by walking a folder
        code, out, _, _ = _run(["validate", BASE, target])
        assert code == 1 and "SCH005" in out and where in out, (target, out)


def test_configuration_is_found_from_the_validated_path_up_to_the_repo_root(tmp_path: Path
                                                                         ) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    f = _write(repo / "designs" / "pod" / "c.yaml", BAD)
    _base_copy(f.parent)
    _write(repo / "designs" / "pyproject.toml", "[tool.superpod]\nignore = ['SPC002']\n")
    code, out, _, _ = _run(["validate", str(f.parent)], cwd=tmp_path)
    assert code == 0, out  # found from the path, not from the working directory
    # above the repository root nothing is read
    (repo / "designs" / "pyproject.toml").unlink()
    _write(tmp_path / "superpod.toml", "ignore = ['SPC002']\n")
    code, out, _, _ = _run(["validate", str(f.parent)], cwd=repo)
    assert code == 1 and "SPC002" in out, out
    code, out, _, _ = _run(["config", str(f.parent)], cwd=repo)
    assert code == 0 and "(none found" in out


@pytest.mark.parametrize("toml,needle", [
    ("[tool.superpod]\nignore = 'SPC002'\nselect = 3\n", "select must be a list"),
    ("[tool.superpod]\nignor = ['SPC002']\n", "did you mean 'ignore'"),
    ("[tool.superpod.policy]\ncabinet_kw_limt = 50\n", "did you mean 'cabinet_kw_limit'"),
    ("[tool.superpod.policy]\nderating = true\n", "derating"),
    ("[tool.superpod.policy]\ncabinet_kw_limit = '50'\n", "cabinet_kw_limit"),
    ("[tool.superpod.severity]\nPWR001 = 'fatal'\n", "error, warning or info"),
])
def test_wrong_configuration_is_exit_2_naming_the_key(tmp_path: Path, toml: str, needle: str
                                                       ) -> None:
    _write(tmp_path / "pyproject.toml", toml)
    f = _write(tmp_path / "c.yaml", CLEAN_CABINET)
    code, out, _, _ = _run(["validate", _base_copy(tmp_path), str(f)], cwd=tmp_path)
    assert code == 2 and needle in out and "Traceback" not in out, out


def test_booleans_and_numeric_strings_are_not_numbers(tmp_path: Path) -> None:
    for value in ("true", '"30"'):
        f = _write(tmp_path / "c.yaml", CLEAN_CABINET.replace("u: 30}", f"u: {value}}}"))
        code, out, _, _ = _run(["validate", BASE, str(f)])
        assert code == 1 and "SCH004" in out, (value, out)


# -- 3. output and process safety -------------------------------------------------------------

def test_out_replaces_only_regular_files(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (folder, fifo, Path("/dev/null")):
        code, out, _, _ = _run(["bom", BASE, "--out", str(target)], timeout=30)
        assert code == 2 and "not a regular file" in out, (target, out)
    assert folder.is_dir() and not any(folder.iterdir())
    under_file = tmp_path / "plain"
    under_file.write_text("x")
    code, out, _, _ = _run(["bom", BASE, "--out", str(under_file / "bom.csv")])
    assert code == 2 and under_file.read_text() == "x"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _writing_into(pid: int, folder: Path) -> bool:
    """Has process `pid` a file open in `folder` (a named temporary or an O_TMPFILE inode)?"""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(f"{folder}/"):
                return True
        except OSError:
            continue
    return False


def test_sigterm_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "cut.csv"
    proc = subprocess.Popen([SUPERPOD, "cabling", "specs/cluster-432xcm384", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _writing_into(proc.pid, tmp_path):
        time.sleep(0.05)
    assert _writing_into(proc.pid, tmp_path), "the writer never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not list(tmp_path.iterdir()), list(tmp_path.iterdir())


def test_a_revision_is_never_an_option(tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    code, out, _, _ = _run(["diff", "--", f"--output={planted}:specs/gb200-nvl72",
                            "specs/gb200-nvl72"])
    assert code == 2 and "cannot start with '-'" in out, out
    assert not planted.exists()


def test_terminal_and_ci_output_escape_control_characters(tmp_path: Path) -> None:
    f = _write(tmp_path / "c.yaml", CLEAN_CABINET.replace(
        "type: nvl72-rack", "type: nvl72-rack\n  \"x\\e[2J\\rboom\\u202e\": 1"))
    for fmt in ("text", "github"):
        code, out, _, _ = _run(["validate", "--format", fmt, BASE, str(f)])
        assert code == 1 and "SCH003" in out
        assert "\x1b" not in out and "\u202e" not in out and "\r" not in out, repr(out)
        assert "\\x1b[2J" in out and "\\u202e" in out


def test_output_survives_any_terminal_encoding(tmp_path: Path) -> None:
    f = _write(tmp_path / "c.yaml", CLEAN_CABINET.replace("nvl72-01}", "nvl72-01, description: "
                                                          "\"caf\u00e9 \u2192 \u6a5f\u67b6\"}"))
    for env in ({"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}):
        code, out, _, _ = _run(["summary", BASE, str(f)], **env)
        assert code == 0 and "Traceback" not in out, (env, out)
        code, out, _, _ = _run(["validate", BASE, str(f)], **env)
        assert code == 0, (env, out)


def test_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    from superpod_iac.report.escape import csv_cell

    assert [csv_cell(v) for v in ("=1+1", "+1", "-x", "@SUM(A1)", "\tx", "ok", -3, 2.5)] == \
        ["'=1+1", "'+1", "'-x", "'@SUM(A1)", "'\tx", "ok", -3, 2.5]
    catalog = """apiVersion: superpod-iac/v1alpha1
kind: Catalog
metadata: {name: evil}
spec:
  device_types:
    - name: evil-host
      role: compute
      height_u: 1
      weight_kg: 10
      max_w: 100
      port_groups:
        - {name: g, ports: "=HYPERLINK(x)", form_factor: osfp, speed_gbps: 400}
"""
    cab = CLEAN_CABINET.replace('{name: nvsw1, type: nvlink-switch-tray, u: 30}',
                                '{name: "h[1-2]", type: evil-host, u: "[30-31]"}')
    fab = """apiVersion: superpod-iac/v1alpha1
kind: Fabric
metadata: {name: f}
spec:
  plane: scale-out
  links:
    - {a: "nvl72-01/h1:=HYPERLINK(x)", b: "nvl72-01/h2:=HYPERLINK(x)", cable: dac-800g}
"""
    d = tmp_path / "d"
    for name, text in (("cat.yaml", catalog), ("cab.yaml", cab), ("fab.yaml", fab)):
        _write(d / name, text)
    code, out, _, _ = _run(["cabling", BASE, str(d)])
    assert code == 0, out
    for line in out.splitlines()[1:]:
        assert not any(cell.startswith(("=", "+", "@")) for cell in line.split(",")), line


def test_sanitised_names_never_collide() -> None:
    from superpod_iac.render.labels import file_part

    names = ["a/b", "a_b", "a:b", "a b", "a_b_", "../etc", "cm384-001.c03"]
    parts = [file_part(n) for n in names]
    assert len(set(parts)) == len(parts), parts
    assert file_part("cm384-001.c03") == "cm384-001.c03"
    assert all("/" not in p and not p.startswith(".") for p in parts)


def test_a_failing_dot_is_exit_2_with_its_message(tmp_path: Path) -> None:
    """A Graphviz that fails (here a `dot` on PATH that reports an error) is the machine's
    problem, exit 2 with dot's own message, never exit 3."""
    fake = _write(tmp_path / "bin" / "dot", "#!/bin/sh\necho 'Error: out of memory in dot' >&2\n"
                  "exit 1\n")
    fake.chmod(0o755)
    code, out, _, _ = _run(["render", "specs/gb200-nvl72", "--view", "power", "--format", "svg"],
                           PATH=f"{fake.parent}:{os.environ['PATH']}")
    assert code == 2 and "out of memory in dot" in out and "Traceback" not in out, out


@pytest.mark.parametrize("name", ["nested-brackets.yaml", "billion-laughs.yaml", "flat-list.yaml"])
def test_import_netbox_reads_with_the_same_limits(tmp_path: Path, name: str) -> None:
    f = _write(tmp_path / "lib" / name, HOSTILE[name][0])
    os.mkfifo(tmp_path / "lib" / "pipe.yaml")
    code, out, cpu, rss = _run(["import", "netbox", str(f.parent)], timeout=60)
    assert code == 1 and "not valid YAML" in out and "FIFO" in out, out
    assert "Traceback" not in out and cpu < 5 and rss < 1024 * 1024


_POISON = """import os, pickle, sys
class Boom:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
sys.stdout.buffer.write(pickle.dumps(Boom()))
"""


def _poisoned_pickle(marker: Path) -> bytes:
    """A pickle whose loading creates `marker` (built in a child: nothing runs here)."""
    return subprocess.run([sys.executable, "-c", _POISON, "-", str(marker)], check=True,
                          capture_output=True).stdout


def test_a_poisoned_catalog_cache_is_never_unpickled(tmp_path: Path) -> None:
    """The built-in catalog cache is a pickle: a file someone else wrote (a CI cache restored
    from an untrusted job, a shared directory) is rebuilt, never loaded; only a file carrying
    this user's HMAC, with its key outside the cache directory, is unpickled."""
    cache, state = tmp_path / "cache", tmp_path / "state"
    env = {"SUPERPOD_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(state)}
    code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
    assert code == 0, out
    (good,) = cache.glob("catalog-*.pickle")
    key = state / "superpod-iac" / "cache.key"
    assert key.stat().st_mode & 0o777 == 0o600 and not (cache / "cache.key").exists()
    marker = tmp_path / "pwned"
    evil = _poisoned_pickle(marker)
    # an untagged pickle (the old format), and one with a forged tag
    for blob in (evil, bytes(32) + evil):
        good.write_bytes(blob)
        code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
        assert code == 0 and "no findings" in out, out
        assert not marker.exists()
        assert good.read_bytes()[32:] != evil  # rebuilt and overwritten with a tagged file
    # a correctly tagged file in a directory others may write is not used either
    good.write_bytes(hmac.new(key.read_bytes(), evil, hashlib.sha256).digest() + evil)
    cache.chmod(0o777)
    code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
    assert code == 0 and not marker.exists(), out
    # the same file, private again: this is the user's own cache, and it is loaded (the test
    # can fail: the tag check is what stood between the file and pickle.loads)
    cache.chmod(0o700)
    _run(["validate", "specs/gb200-nvl72"], **env)
    assert marker.exists()
