"""Find manifest files and load them into documents with positions.

Every problem becomes a Diagnostic (rule family SCH), never an exception: syntax errors,
duplicate keys, unsafe tags, alias bombs, oversized or binary files, wrong encodings.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from superpod_iac.diagnostics import Diagnostic, Path, Severity
from superpod_iac.source.nodes import Converter, LimitExceeded

YAML_SUFFIXES = (".yaml", ".yml")
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", ".tox"}
_IGNORE_RE = re.compile(r"#\s*superpod:\s*ignore\[([A-Za-z0-9_, ]+)\]")


@dataclass(frozen=True)
class LoadLimits:
    max_bytes: int = 32 * 1024 * 1024
    max_nodes: int = 2_000_000
    max_alias_nodes: int = 100_000
    """Nodes produced by expanding aliases (billion laughs stops here in milliseconds)."""
    max_depth: int = 64


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


class Discovery(NamedTuple):
    files: list[str]
    missing: list[str]
    escaped: list[str]
    """Symlinks not followed because they lead outside the project root."""


def discover(paths: Iterable[str | os.PathLike[str]]) -> Discovery:
    """Expand directories into their YAML files, sorted.

    Directory symlinks are followed only when they resolve inside the project root (see
    `project_root`); a file reached twice (directly and through a link) is read once.
    Symlinks leading outside are skipped and listed in `escaped`.
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    escaped: list[str] = []
    for raw in paths:
        p = FsPath(raw)
        if p.is_dir():
            root = project_root(p)
            for folder, dirs, files in os.walk(p, followlinks=True):
                keep = []
                for d in sorted(dirs):
                    if d in SKIP_DIRS or d.startswith("."):
                        continue
                    full = FsPath(folder) / d
                    if full.is_symlink() and not _inside(full.resolve(), root):
                        escaped.append(_display(full))
                        continue
                    keep.append(d)
                dirs[:] = keep
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES):
                        full = FsPath(folder) / name
                        real = full.resolve()
                        if full.is_symlink() and not _inside(real, root):
                            escaped.append(_display(full))
                            continue
                        found.setdefault(str(real), _display(full))
        elif p.is_file():
            found.setdefault(str(p.resolve()), _display(p))
        else:
            missing.append(str(raw))
    return Discovery(sorted(found.values()), missing, sorted(escaped))


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


def _inside(path: FsPath, root: FsPath) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _error(file: str, rule: str, message: str, hint: str, line: int = 1, col: int = 1) -> Diagnostic:
    return Diagnostic(rule, Severity.ERROR, message, file, line, col, (), hint)


def _ignores(text: str) -> dict[int, frozenset[str]]:
    out: dict[int, frozenset[str]] = {}
    if "superpod:" not in text:
        return out
    for number, line in enumerate(text.splitlines(), start=1):
        m = _IGNORE_RE.search(line)
        if m:
            out[number] = frozenset(x.strip().upper() for x in m.group(1).split(",") if x.strip())
    return out


STDIN = "-"
"""A manifest path of `-` reads standard input."""
STDIN_NAME = "<stdin>"


def load_file(path: str, limits: LoadLimits | None = None) -> SourceFile:
    limits = limits or LoadLimits()
    if path == STDIN:
        import sys

        return load_bytes(STDIN_NAME, sys.stdin.buffer.read(limits.max_bytes + 1), limits)
    src = SourceFile(path)
    try:
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            src.diagnostics.append(_error(
                path, "SCH008", f"file is {size} bytes > limit {limits.max_bytes} bytes",
                "split the design into several files, or use replication and generators"))
            return src
        with open(path, "rb") as fh:
            raw = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        src.diagnostics.append(_error(path, "SCH009", f"cannot read file: {exc.strerror}",
                                      "check the path and its permissions"))
        return src
    return load_bytes(path, raw, limits)


def load_bytes(path: str, raw: bytes, limits: LoadLimits | None = None) -> SourceFile:
    """Documents from file content already read (a file, or standard input)."""
    limits = limits or LoadLimits()
    src = SourceFile(path)
    if len(raw) > limits.max_bytes:
        src.diagnostics.append(_error(
            path, "SCH008", f"input is more than {limits.max_bytes} bytes",
            "split the design into several files, or use replication and generators"))
        return src
    if b"\x00" in raw:
        src.diagnostics.append(_error(path, "SCH009", "file holds NUL bytes: binary, not YAML",
                                      "only UTF-8 YAML text files are manifests"))
        return src
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        src.diagnostics.append(_error(
            path, "SCH009", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start})", "save the file as UTF-8", line))
        return src
    src.ignores = _ignores(text)
    src.documents = list(_documents(path, text, limits, src.diagnostics))
    return src


def _documents(path: str, text: str, limits: LoadLimits, diags: list[Diagnostic]) -> Iterator[Document]:
    yaml = YAML(typ="safe", pure=False)
    index = 0
    try:
        for node in yaml.compose_all(io.StringIO(text)):
            if node is None:
                index += 1
                continue
            conv = Converter(path, index, limits.max_nodes, limits.max_depth,
                             max_alias_nodes=limits.max_alias_nodes)
            try:
                data = conv.convert(node)
            except LimitExceeded as exc:
                mark = exc.node.start_mark
                diags.append(Diagnostic(exc.rule, Severity.ERROR, exc.message, path,
                                        mark.line + 1, mark.column + 1, (),
                                        "remove alias chains and deep nesting; use replication",
                                        index))
                index += 1
                continue
            except RecursionError:
                diags.append(_error(path, "SCH007", "document nests too deeply to read",
                                    "flatten the document", node.start_mark.line + 1))
                index += 1
                continue
            diags.extend(conv.diagnostics)
            mark = node.start_mark
            yield Document(path, index, data, conv.positions, (mark.line + 1, mark.column + 1),
                           not conv.refused_tag)
            index += 1
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        if line > max(last, 1):  # an error at end of input: point at the last line
            line, col = max(last, 1), 1
        problem = exc.problem or exc.context or "invalid YAML"
        ctx = exc.context_mark
        if exc.context and ctx is not None and ctx.line + 1 != line:
            problem = f"{problem} ({exc.context} at line {ctx.line + 1})"
        rule = "SCH002" if "duplicate" in str(problem) else "SCH001"
        diags.append(_error(path, rule, f"YAML syntax error: {problem}",
                            "fix the YAML syntax at this position", line, col))
    except YAMLError as exc:
        diags.append(_error(path, "SCH001", f"YAML error: {str(exc).splitlines()[0]}",
                            "fix the YAML syntax"))
    except RecursionError:
        diags.append(_error(path, "SCH007", "document nests too deeply to read", "flatten it"))


def load_paths(paths: Iterable[str], limits: LoadLimits | None = None) -> list[SourceFile]:
    return [load_file(f, limits) for f in discover(paths).files]
