"""What the language server knows, without the protocol: open buffers, the design each file
belongs to, and the last check of each design with its findings per file.

The checks are the CLI's (`pipeline.load_project`) run over an `Overlay` that holds the
unsaved buffers and the files already loaded (by content hash), so a re-check after one edit
re-parses one file. The built-in catalog and everything imported stay warm in the process.
Nothing here computes physics: findings come from the rules, figures from `model.utilization`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from superpod_iac import API_VERSION
from superpod_iac.diagnostics import Diagnostic, Severity
from superpod_iac.lsp.lines import absolute, lines_of
from superpod_iac.pipeline import Project
from superpod_iac.source.loader import YAML_SUFFIXES, Overlay

API_GROUP = API_VERSION.split("/")[0] + "/"
"""`superpod-iac/`: a buffer naming it is a manifest (any version: a wrong one is a finding)."""
LARGE_LINKS = 200_000
"""Above this many links, a design's last model is released before it is re-checked."""
_TOKEN_END = re.compile(r"""[^\s,{}#]+""")


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnostic placed in one file: 0-based line and columns, as editors count them."""

    line: int
    start: int
    end: int
    rule: str
    severity: Severity
    message: str
    hint: str


@dataclass
class Checked:
    """One design's last check."""

    design: str
    project: Project | None
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    """Real path -> its findings (every file of the design, clean ones with an empty list)."""
    failure: str | None = None
    """Why the check itself failed (an internal error), if it did."""




def _closing(body: str, start: int) -> int:
    """Just past the bracket closing the flow collection opened at `start` (else the line's
    end)."""
    depth = 0
    for i in range(start, len(body)):
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(body[i], 0)
        if depth == 0:
            return i + 1
    return len(body)


class Workspace:
    """Open buffers and designs. `designs` are the configured design folders (the client's
    `initializationOptions.designs`, relative to the workspace root); a file outside them
    belongs to the design of its own folder."""

    def __init__(self, root: str | None = None, designs: Iterable[str] = ()) -> None:
        self.root = absolute(root) if root else None
        self.designs = [absolute(os.path.join(self.root or os.getcwd(), d)) for d in designs]
        self.overlay = Overlay()
        self.opened: set[str] = set()
        """Open buffers as the editor names them."""
        self.checked: dict[str, Checked] = {}
        self.published: dict[str, set[str]] = {}
        """Design -> files last given findings (so files that became clean are cleared)."""

    # -- buffers ---------------------------------------------------------------------------
    def open(self, path: str, text: str) -> None:
        self.overlay.texts[os.path.realpath(path)] = text
        self.opened.add(absolute(path))

    def close(self, path: str) -> None:
        self.overlay.texts.pop(os.path.realpath(path), None)
        self.opened.discard(absolute(path))

    def text(self, path: str) -> str | None:
        """The buffer's text, else the file's (None when unreadable)."""
        buffer = self.overlay.text_of(path)
        if buffer is not None:
            return buffer
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                return fh.read(8 * 1024 * 1024)
        except OSError:
            return None

    # -- designs ---------------------------------------------------------------------------
    @staticmethod
    def is_manifest(path: str) -> bool:
        return path.lower().endswith(YAML_SUFFIXES)

    def wants(self, path: str, text: str) -> bool:
        """Whether an open buffer starts a check: a YAML file that names our apiVersion, or
        one of a design already checked. Other YAML (CI workflows, `.pre-commit-config.yaml`)
        does not make its whole folder a design."""
        return self.is_manifest(path) and (
            API_GROUP in text or self.design_of(path) in self.checked)

    def design_of(self, path: str) -> str:
        """The configured design folder holding `path` (the innermost), else its folder."""
        p = absolute(path)
        inside = [d for d in self.designs if p == d or p.startswith(d.rstrip(os.sep) + os.sep)]
        return max(inside, key=len) if inside else os.path.dirname(p)

    def check(self, design: str) -> Checked:
        """Check a design with the open buffers; never raises. An internal error becomes one
        INT001 finding on the design's first open file; a configuration the CLI would refuse
        (exit 2) one finding coded `config`, a design folder it cannot read one coded `input`."""
        self._release(design)
        try:
            result = self._check(design)
            if result.project is not None:  # warm for the first request after the check
                from superpod_iac.lsp.figures import names

                names(result.project.inventory)
        except Exception as exc:  # the server must keep serving whatever the input
            if os.environ.get("SUPERPOD_DEBUG"):
                raise
            result = self._failed(design, f"{type(exc).__name__}: {exc}")
        self.checked[design] = result
        return result

    def _release(self, design: str) -> None:
        """Before re-checking a large design, let its last model go (requests answer nothing
        meanwhile), so the server holds one such model, not two: a 432-pod cluster is ~0.7 GiB."""
        last = self.checked.get(design)
        if last is not None and last.project is not None and \
                len(last.project.inventory.links) > LARGE_LINKS:
            from superpod_iac.lsp.figures import forget

            forget()
            self.checked[design] = Checked(design, None, last.findings, last.failure)

    def _check(self, design: str) -> Checked:
        from superpod_iac.config import ConfigError, load_config
        from superpod_iac.pipeline import InputError, load_project

        try:
            config = load_config(paths=[design])
        except ConfigError as exc:
            return self._failed(design, f"configuration: {exc}", "config")
        try:
            project = load_project([design], config, overlay=self.overlay)
        except InputError as exc:
            return self._failed(design, str(exc), "input")
        out = Checked(design, project)
        for src in project.sources:
            out.findings.setdefault(absolute(src.path), [])
        fallback = self._fallback_file(design, out.findings)
        lines: dict[str, list[str]] = {}
        for d in project.diagnostics:
            path = absolute(d.file) if d.file else fallback
            if path is None:
                continue
            if path not in lines:  # each file's text read once per check, not per finding
                lines[path] = lines_of(self.text(path) or "")
            out.findings.setdefault(path, []).append(_place(lines[path], d))
        return out

    def _fallback_file(self, design: str, files: Iterable[str]) -> str | None:
        """Where a finding without a file goes: an open buffer of the design, else its first
        file."""
        choices = sorted(p for p in self.opened if self.design_of(p) == design) or \
            sorted(files)
        return choices[0] if choices else None

    def _failed(self, design: str, why: str, rule: str = "INT001") -> Checked:
        out = Checked(design, None, failure=why)
        where = self._fallback_file(design, ())
        if where is not None:
            hint = ("this is a bug in superpod: please report it with the design (set "
                    "SUPERPOD_DEBUG=1 for the traceback); the server keeps serving"
                    if rule == "INT001" else "fix the configuration or the design's folder")
            msg = f"checking the design failed: {why}" if rule == "INT001" else why
            out.findings[where] = [Finding(0, 0, 1, rule, Severity.ERROR, msg, hint)]
        return out

    def files_to_publish(self, result: Checked) -> dict[str, list[Finding]]:
        """The findings per file, plus an empty list for each file that had findings last time
        and is no longer part of the result (cleared in the editor)."""
        out = dict(result.findings)
        for path in self.published.get(result.design, set()) - set(out):
            out[path] = []
        self.published[result.design] = set(result.findings)
        return out


def _place(lines: list[str], d: Diagnostic) -> Finding:
    """0-based range of the token the diagnostic points at (its scalar or key)."""
    line, col = max(d.line - 1, 0), max(d.column - 1, 0)
    if line >= len(lines):
        return Finding(line, col, col + 1, d.rule, d.severity, d.message, d.hint)
    body = lines[line]
    end = len(body)
    if col < len(body):
        if body[col] in "{[":
            end = _closing(body, col)
        elif body[col] in "\"'":
            close = body.find(body[col], col + 1)
            end = close + 1 if close > 0 else len(body)
        else:
            m = _TOKEN_END.match(body, col)
            end = m.end() if m else col + 1
            if body[col:end].endswith(":"):
                end -= 1
    return Finding(line, col, max(end, col + 1), d.rule, d.severity, d.message, d.hint)
