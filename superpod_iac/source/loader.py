"""Find manifest files and load them into documents with positions.

Every problem becomes a Diagnostic (rule family SCH), never an exception: syntax errors,
duplicate keys, unsafe tags, alias bombs, oversized, binary or special files, wrong encodings,
symlink loops, trees too deep or too large. Every limit is checked before the work it bounds.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path as FsPath
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from superpod_iac.diagnostics import PENDING, Diagnostic, Path
from superpod_iac.source.tree import FILE_BREAK, LineMap, TreeBuilder

YAML_SUFFIXES = (".yaml", ".yml")
"""Matched without regard to case: `cabinet.YAML` is as much a manifest as `cabinet.yaml`."""
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", ".tox"}
# A real comment starts at the line start or after white space (YAML 1.2, 6.6).
_IGNORE_RE = re.compile(r"(?:^|(?<=\s))#\s*superpod:\s*ignore\[([^\]\n]*)\]")


COST_US = {"object": 12.6, "link": 0.85, "generated_link": 4.0, "byte": 1.1,
           "drawn_link_end": 5.0}
"""Measured CPU microseconds per unit of work (benchmarks/limits.py; docs/security.md).
`drawn_link_end`: a link end in a cabinet whose wiring diagram the report draws (grouping
identical cabinets, then bundling the cabinet's links), charged by `superpod report`."""


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on the work one run may do; raise them in `[tool.superpod.limits]`.

    Each is checked while reading or expanding, before the work it bounds (docs/security.md).
    """

    max_bytes: int = 4 * 1024 * 1024
    """One file, in bytes (checked before the file is read)."""
    max_total_bytes: int = 16 * 1024 * 1024
    """All files of one run together."""
    max_files: int = 5_000
    """YAML files found under the paths given."""
    max_dir_depth: int = 32
    """Folder levels below a path given on the command line."""
    max_nodes: int = 1_000_000
    """YAML nodes in one document (scalars, mappings, sequences, alias expansions)."""
    max_alias_nodes: int = 100_000
    """Nodes produced by expanding aliases (billion laughs stops here in milliseconds)."""
    max_depth: int = 64
    """Nesting levels of one document."""
    max_names: int = 100_000
    """Names one replication template or selector may expand to (`h[1-100000000]`)."""
    max_objects: int = 200_000
    """Cabinets, devices and other objects after replication, all templates together
    (~12.6 us of CPU each on a quiet machine, ~17 us on a busy one: 200,000 alone is
    ~2.5-3.4 s; docs/security.md)."""
    max_replicas: int = 20_000
    """Superpod replicas of one Cluster."""
    max_links: int = 3_000_000
    """Links after topology generators and replication (~270 bytes each: 3 M is ~0.8 GiB)."""
    max_cpu_ms: int = 3_800
    """The model's estimated CPU before it is built, from the measured costs per object, link
    and generated link (`work_ms`): the promise is 5 s of CPU with the process start (~0.5 s)
    and a margin for a busy machine; the 432-pod reference cluster estimates 3,573 ms."""
    max_findings_per_rule: int = 200
    """Findings of one rule in one file; the rest are counted in one summary finding."""

    def work_ms(self, objects: int, links: int, generated: int, read_bytes: int = 0) -> float:
        """Estimated CPU milliseconds to read, build and check a design of this size, from
        costs measured on the 2-core reference machine (docs/security.md, benchmarks/limits.py):
        12.6 us per cabinet or device, 0.85 us per link, 4 us more per link a generator makes
        (its Python pairs, then the same checks), and 1.1 us per byte of manifest read (the
        worst case measured: every line of a flat file a link to a cabinet that does not
        exist, so every line a finding)."""
        return (objects * COST_US["object"] + links * COST_US["link"]
                + generated * COST_US["generated_link"] + read_bytes * COST_US["byte"]) / 1000.0

    @classmethod
    def defaults(cls) -> dict[str, int]:
        """Every limit with its default (for docs and configuration checks)."""
        return asdict(cls())


@dataclass
class Document:
    """One YAML document: plain data plus the (line, column) of every path in it."""

    file: str
    index: int
    data: Any
    positions: dict[Path, tuple[int, int]]
    start: tuple[int, int] = (1, 1)
    trusted: bool = True
    """False when a tag was refused: the document is reported, not parsed further."""

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the deepest known prefix of `path` (cfn-lint style)."""
        for cut in range(len(path), 0, -1):
            pos = self.positions.get(path[:cut])
            if pos is not None:
                return pos
        return self.start


@dataclass
class SourceFile:
    path: str
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ignores: dict[int, frozenset[str]] = field(default_factory=dict)
    """Line -> rule IDs or prefixes named by a real `# superpod: ignore[...]` comment there."""
    size: int = 0
    text: str = ""
    """The decoded text as read, within the load limits (the HTML report quotes the lines of
    findings from it rather than reading the file again)."""


def _display(path: FsPath) -> str:
    """Relative to the working directory when inside it (`specs/x/power.yaml`), else absolute
    (`/tmp/cabinet.yaml`, never `../../../tmp/cabinet.yaml`)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # different drive (Windows)
        return str(path)
    return os.path.abspath(path) if rel == os.pardir or rel.startswith(os.pardir + os.sep) \
        else rel


def project_root(path: FsPath) -> FsPath:
    """The nearest ancestor holding `.git` or `pyproject.toml`; else the path itself."""
    start = path.resolve()
    base = start if start.is_dir() else start.parent
    for folder in (base, *base.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return folder
    return base


@dataclass
class Discovery:
    files: list[str]
    missing: list[str]
    escaped: list[str]
    """Symlinks not followed because they lead outside the project root."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Special files, symlink loops, unreadable folders, limits reached."""
    named: set[str] = field(default_factory=set)
    """Files named on the command line (not found by walking a folder)."""


def did_you_mean(raw: str) -> str | None:
    """The sibling a mistyped path most likely meant: `specs/vera-rubin-nvl144` ->
    `specs/nvl144` (close spelling, or one name containing the other)."""
    import difflib

    p = FsPath(raw)
    parent = p.parent
    if not p.name:
        return None
    if not parent.is_dir():  # the folder is mistyped too: fix it first
        fixed = did_you_mean(str(parent)) if str(parent) not in (".", "/", raw) else None
        if fixed is None or not FsPath(fixed).is_dir():
            return None
        parent = FsPath(fixed)
        if (parent / p.name).exists():
            return str(parent / p.name)
    try:
        names = sorted(x.name for x in parent.iterdir()
                       if not x.name.startswith(".") and x.name not in SKIP_DIRS)
    except OSError:
        return None
    close = difflib.get_close_matches(p.name, names, n=1, cutoff=0.6)
    if not close:
        key = p.name.lower()
        close = sorted((n for n in names if len(n) >= 3 and (n.lower() in key or key in n.lower())),
                       key=lambda n: (-len(n), n))[:1]
    if not close:
        return None
    return close[0] if str(parent) == "." and "/" not in raw else str(parent / close[0])


def missing_message(missing: Iterable[str]) -> str:
    parts = []
    for m in missing:
        hint = did_you_mean(m)
        parts.append(f"{m} (did you mean {hint}?)" if hint else m)
    return f"no such file or directory: {', '.join(parts)}"


def _problem(path: str, rule: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(rule, PENDING, message, path, 1, 1, (), hint)


def discover(paths: Iterable[str | os.PathLike[str]], limits: LoadLimits | None = None
             ) -> Discovery:
    """Expand directories into their YAML files, sorted; never hang, never read outside.

    Folders are walked iteratively (no recursion limit), at most `max_dir_depth` levels and
    `max_files` files. Symlinks are followed only when they resolve inside the project root
    (see `project_root`), each real folder is entered once (a symlink loop is reported), a file
    reached twice is read once. FIFOs, sockets and devices are reported, never opened.
    """
    limits = limits or LoadLimits()
    out = Discovery([], [], [])
    found: dict[str, str] = {}
    for raw in paths:
        p = FsPath(raw)
        try:
            st = p.stat()
        except FileNotFoundError:
            if p.is_symlink():
                out.problems.append(_problem(str(raw), "SCH009", f"{raw} is a dangling symlink",
                                             "fix or remove the link"))
            else:
                out.missing.append(str(raw))
            continue
        except OSError as exc:  # a symlink loop (ELOOP), permission denied, ...
            out.problems.append(_problem(str(raw), "SCH009", f"cannot read {raw}: "
                                         f"{exc.strerror}", "check the path"))
            continue
        if p.is_symlink() and not _inside(p.resolve(), project_root(p.absolute().parent)):
            out.escaped.append(str(raw))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(p, limits, out, found)
        elif stat.S_ISREG(st.st_mode):
            found.setdefault(str(p.resolve()), _display(p))
            out.named.add(_display(p))
        else:
            out.problems.append(_special(str(raw), st.st_mode))
    out.files = sorted(found.values())
    out.escaped.sort()
    return out


def _special(path: str, mode: int) -> Diagnostic:
    what = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return _problem(path, "SCH009", f"{path} is {what}; not read",
                    "manifests are regular files; remove it or name the files to check")


def _walk(top: FsPath, limits: LoadLimits, out: Discovery, found: dict[str, str]) -> None:
    root = project_root(top)
    seen_dirs: set[tuple[int, int]] = set()
    stack: list[tuple[FsPath, tuple[tuple[int, int], ...]]] = [(top, ())]
    while stack:
        folder, ancestors = stack.pop()
        depth = len(ancestors)
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                out.problems.append(_problem(
                    _display(folder), "SCH009", f"{_display(folder)} is a symlink loop (it "
                    "leads back to a folder that contains it); not followed", "remove the link"))
                continue
            if key in seen_dirs:
                continue  # a folder linked from two places is read once
            seen_dirs.add(key)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            out.problems.append(_problem(_display(folder), "SCH009",
                                         f"cannot read folder {_display(folder)}: {exc.strerror}",
                                         "check its permissions, or leave it out"))
            continue
        subdirs: list[FsPath] = []
        for entry in entries:
            full = FsPath(entry.path)
            is_link = entry.is_symlink()
            if is_link and _is_yaml(entry.name) and _leads_out(full, root):
                out.escaped.append(_display(full))  # dangling outside too: it leads out
                continue
            try:
                est = entry.stat(follow_symlinks=True)
            except OSError as exc:
                if _is_yaml(entry.name) or is_link:
                    out.problems.append(_problem(_display(full), "SCH009",
                                                 f"cannot read {_display(full)}: {exc.strerror}",
                                                 "fix or remove it"))
                continue
            if is_link and not _inside(full.resolve(), root):
                if stat.S_ISDIR(est.st_mode) or _is_yaml(entry.name):
                    out.escaped.append(_display(full))
                continue
            if stat.S_ISDIR(est.st_mode):
                if entry.name in SKIP_DIRS or entry.name.startswith("."):
                    continue
                subdirs.append(full)
            elif _is_yaml(entry.name):
                if not stat.S_ISREG(est.st_mode):
                    out.problems.append(_special(_display(full), est.st_mode))
                    continue
                if len(found) >= limits.max_files:
                    out.problems.append(_problem(
                        _display(top), "SCH012", f"more than {limits.max_files:,} YAML files "
                        f"under {_display(top)} (limit max_files); the rest are not read",
                        "name the design's folder, or raise [tool.superpod.limits] max_files"))
                    return
                found.setdefault(str(full.resolve()), _display(full))
        if subdirs and depth + 1 > limits.max_dir_depth:
            out.problems.append(_problem(
                _display(subdirs[0]), "SCH012", f"folders nest deeper than "
                f"{limits.max_dir_depth} levels below {_display(top)} (limit max_dir_depth); "
                "deeper folders are not read",
                "flatten the tree, or raise [tool.superpod.limits] max_dir_depth"))
            continue
        stack.extend((d, (*ancestors, key)) for d in reversed(subdirs))


def _is_yaml(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


def _leads_out(link: FsPath, root: FsPath) -> bool:
    try:
        return not _inside(link.resolve(), root)
    except (OSError, RuntimeError):  # a loop: reported as unreadable below
        return False


def _inside(path: FsPath, root: FsPath) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _error(file: str, rule: str, message: str, hint: str, line: int = 1, col: int = 1) -> Diagnostic:
    return Diagnostic(rule, PENDING, message, file, line, col, (), hint)


def _comment_candidates(text: str) -> list[tuple[int, int, str]]:
    """(line, column) 0-based and the ID list of each `# superpod: ignore[...]` in the text."""
    if "superpod:" not in text:
        return []
    out: list[tuple[int, int, str]] = []
    for number, line in enumerate(FILE_BREAK.split(text)):  # not splitlines(): see LineMap
        if "superpod:" in line:
            out.extend((number, m.start(), m.group(1)) for m in _IGNORE_RE.finditer(line))
    return out


STDIN = "-"
"""A manifest path of `-` reads standard input."""
STDIN_NAME = "<stdin>"


def _decode(path: str, raw: bytes, limits: LoadLimits, diags: list[Diagnostic]) -> str | None:
    if len(raw) > limits.max_bytes:  # grew while being read, or standard input
        diags.append(_error(path, "SCH008", f"input is more than {limits.max_bytes:,} bytes "
                            "(limit max_bytes)", "split the design into several files"))
        return None
    if b"\x00" in raw:
        diags.append(_error(path, "SCH009", "file holds NUL bytes: binary, not YAML",
                            "only UTF-8 YAML text files are manifests"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.append(_error(
            path, "SCH009", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start})", "save the file as UTF-8", line))
        return None


def read_text(path: str, limits: LoadLimits, diags: list[Diagnostic]) -> str | None:
    """The file's text, or None with a diagnostic (too large, special, binary, not UTF-8).

    Shared by every reader of YAML (manifests, NetBox device types), so each gets the limits.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        diags.append(_error(path, "SCH009", f"cannot read file: {exc.strerror}",
                            "check the path and its permissions"))
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            diags.append(_special(path, st.st_mode))
            return None
        if st.st_size > limits.max_bytes:
            diags.append(_error(
                path, "SCH008", f"file is {st.st_size:,} bytes > limit {limits.max_bytes:,} "
                "bytes (limit max_bytes)",
                "split the design into several files, or use replication and generators"))
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        diags.append(_error(path, "SCH009", f"cannot read file: {exc.strerror}",
                            "check the path and its permissions"))
        return None
    finally:
        os.close(fd)
    return _decode(path, raw, limits, diags)


@dataclass
class Overlay:
    """What an editor holds: the unsaved text of open buffers (by real path), read instead of
    the file on disk, and the files already loaded, by path and content hash, so a re-check
    after one edit re-reads only what changed. The buffers go through the same limits as files
    (`max_bytes` before parsing, every tree limit while parsing). Used by `superpod lsp`."""

    texts: dict[str, str] = field(default_factory=dict)
    """Real path (`os.path.realpath`) -> the buffer's text."""
    loaded: dict[tuple[str, str, LoadLimits], SourceFile] = field(default_factory=dict)
    """(path as given, sha-256 of its text, limits) -> the file loaded from that text."""
    max_cached: int = 256
    """Loaded files kept; the oldest go first (a long session edits many revisions)."""

    def text_of(self, path: str) -> str | None:
        return self.texts.get(os.path.realpath(path))

    def load(self, path: str, text: str, limits: LoadLimits) -> SourceFile:
        import hashlib

        key = (path, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), limits)
        src = self.loaded.get(key)
        if src is None:
            src = _load_text(SourceFile(path), text, limits)
            while len(self.loaded) >= self.max_cached:
                del self.loaded[next(iter(self.loaded))]
            self.loaded[key] = src
        return src


def _buffer_text(path: str, text: str, limits: LoadLimits, diags: list[Diagnostic]) -> str | None:
    """An editor buffer's text, held to the file limits (size, NUL bytes)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        diags.append(_error(path, "SCH008", f"buffer is {size:,} bytes > limit "
                            f"{limits.max_bytes:,} bytes (limit max_bytes)",
                            "split the design into several files, or use replication and "
                            "generators"))
        return None
    if "\x00" in text:
        diags.append(_error(path, "SCH009", "buffer holds NUL characters: binary, not YAML",
                            "only UTF-8 YAML text files are manifests"))
        return None
    return text


def load_file(path: str, limits: LoadLimits | None = None, overlay: Overlay | None = None
              ) -> SourceFile:
    """One file's documents. With an `overlay`, an open editor buffer replaces the file's text
    and files already loaded from the same text are reused."""
    limits = limits or LoadLimits()
    if path == STDIN:
        import sys

        return load_bytes(STDIN_NAME, sys.stdin.buffer.read(limits.max_bytes + 1), limits)
    src = SourceFile(path)
    buffer = overlay.text_of(path) if overlay is not None else None
    if buffer is not None:
        text = _buffer_text(path, buffer, limits, src.diagnostics)
    else:
        text = read_text(path, limits, src.diagnostics)
    if text is None:
        return src
    if overlay is not None:
        return overlay.load(path, text, limits)
    return _load_text(src, text, limits)


def load_bytes(path: str, raw: bytes, limits: LoadLimits | None = None) -> SourceFile:
    """Documents from content already read (standard input)."""
    limits = limits or LoadLimits()
    src = SourceFile(path)
    text = _decode(path, raw, limits, src.diagnostics)
    return src if text is None else _load_text(src, text, limits)


def _load_text(src: SourceFile, text: str, limits: LoadLimits) -> SourceFile:
    path = src.path
    src.size = len(text)
    src.text = text
    candidates = _comment_candidates(text)
    builder = TreeBuilder(path, limits.max_nodes, limits.max_depth, limits.max_alias_nodes,
                          src.diagnostics, sorted((ln, col) for ln, col, _ in candidates))
    try:
        for built in builder.documents(text):
            src.documents.append(Document(path, built.index, built.data, built.positions,
                                          built.start, not built.refused_tag))
    except MarkedYAMLError as exc:
        src.diagnostics.append(_syntax(path, text, exc))
    except YAMLError as exc:
        line, col = _character_at(text, getattr(exc, "character", None))
        src.diagnostics.append(_error(path, "SCH001", f"YAML error: {str(exc).splitlines()[0]}",
                                      "fix the YAML syntax", line, col))
    for line, col, ids in candidates:
        if (line, col) in builder.inside_scalars:
            continue  # text inside a quoted or block scalar, not a comment
        names = frozenset(x.strip().upper() for x in ids.split(","))
        src.ignores[line + 1] = src.ignores.get(line + 1, frozenset()) | names
    return src


def _character_at(text: str, character: object) -> tuple[int, int]:
    """(line, column), 1-based, of the first `character` (a code point) in the text: where
    the reader refused it (its own offset counts UTF-8 bytes); 1:1 when unknown."""
    at = text.find(chr(character)) if isinstance(character, int) and \
        0 <= character < 0x110000 else -1
    if at < 0:
        return 1, 1
    lines = FILE_BREAK.split(text[:at])
    return len(lines), len(lines[-1]) + 1


def _syntax(path: str, text: str, exc: MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    lines = LineMap.of(text)
    line, col = (1, 1) if mark is None else (mark.line + 1, mark.column + 1) if lines is None \
        else lines.at(mark.line, mark.column)
    parts = FILE_BREAK.split(text)
    last = len(parts) - (1 if parts[-1] == "" else 0)
    if line > max(last, 1):  # an error at end of input: point at the last line
        line, col = max(last, 1), 1
    problem = exc.problem or exc.context or "invalid YAML"
    ctx = exc.context_mark
    ctx_line = None if ctx is None else ctx.line + 1 if lines is None \
        else lines.at(ctx.line, ctx.column)[0]
    if exc.context and ctx_line is not None and ctx_line != line:
        problem = f"{problem} ({exc.context} at line {ctx_line})"
    rule = "SCH002" if "duplicate" in str(problem) else "SCH001"
    return _error(path, rule, f"YAML syntax error: {problem}",
                  "fix the YAML syntax at this position", line, col)


@dataclass(frozen=True)
class OverBudget:
    """Reading stopped at `path`: with it the files held `total` bytes, more than
    max_total_bytes (or, with `cpu_ms`, more than max_cpu_ms allows to read and check); it
    and the `left` files after it were not read."""

    path: str
    total: int
    left: int
    cpu_ms: float | None = None
    """The estimated CPU of reading and checking `total` bytes, when that was the limit."""


def _size_before_reading(path: str, overlay: Overlay | None) -> int:
    """The bytes `path` will hold, known before it is read (0 when it cannot be known:
    standard input, or a file that cannot be stat-ed, which the reader then reports)."""
    buffer = overlay.text_of(path) if overlay is not None else None
    if buffer is not None:
        return len(buffer.encode("utf-8", "surrogatepass"))
    if path == STDIN:
        return 0
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def read_within_budget(paths: Sequence[str], limits: LoadLimits, overlay: Overlay | None = None,
                       *, charge_cpu: bool = False) -> Iterator[SourceFile | OverBudget]:
    """Each file loaded in order, until their total size passes max_total_bytes: then one
    OverBudget and nothing more, decided from the file's size before it is read. With
    `charge_cpu` (manifests, which are checked after reading) the bytes are also charged at
    their measured worst-case cost per byte against max_cpu_ms (`LoadLimits.work_ms`). Every
    reader of several files (manifests, NetBox device types) goes through here."""
    total = 0
    for i, path in enumerate(paths):
        ahead = total + _size_before_reading(path, overlay)
        cpu = limits.work_ms(0, 0, 0, ahead)
        if ahead > limits.max_total_bytes or (charge_cpu and cpu > limits.max_cpu_ms):
            over_cpu = ahead <= limits.max_total_bytes
            yield OverBudget(path, ahead, len(paths) - i - 1, cpu if over_cpu else None)
            return
        src = load_file(path, limits, overlay)
        total += src.size
        if total > limits.max_total_bytes:  # standard input, or a file that grew meanwhile
            yield OverBudget(path, total, len(paths) - i - 1)
            return
        yield src


def load_paths(paths: Iterable[str], limits: LoadLimits | None = None) -> list[SourceFile]:
    return [load_file(f, limits) for f in discover(paths, limits).files]
