"""`superpod lsp`: the language server (pygls, JSON-RPC on stdio).

Diagnostics for every file of the design an open file belongs to, re-checked ~150 ms after the
last edit (debounced) on one worker thread, so requests (hover, definition) are answered while
a large design is being checked. Bad input gives SCH findings; a failure of the check itself one
INT001 finding; a failing request an empty answer and a log line. The server keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from superpod_iac import __version__
from superpod_iac.diagnostics import Severity
from superpod_iac.lsp import figures
from superpod_iac.lsp.lines import absolute
from superpod_iac.lsp.workspace import Checked, Finding, Workspace

DEBOUNCE_S = 0.15
"""Quiet time after an edit before the design is re-checked."""

log = logging.getLogger("superpod.lsp")
R = TypeVar("R")

_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.INFO: lsp.DiagnosticSeverity.Information}


class SuperpodServer(LanguageServer):
    def __init__(self, designs: list[str] | None = None) -> None:
        super().__init__("superpod", __version__,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.designs = list(designs or [])
        self.space = Workspace(None, self.designs)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="superpod-check")
        """One check at a time, in order; the event loop stays free for requests."""
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.running: set[str] = set()
        self.again: set[str] = set()
        """Designs edited while their check ran: checked once more after it, not once per
        edit (a 432-pod cluster takes seconds: edits must not queue a check each)."""
        self.tasks: set[asyncio.Future[None]] = set()

    def path_of(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        return absolute(path) if path else None

    def schedule(self, path: str, delay: float = DEBOUNCE_S) -> None:
        """Check `path`'s design after `delay` seconds without another edit to it."""
        design = self.space.design_of(path)
        old = self.pending.pop(design, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self.pending[design] = loop.call_later(delay, self.start_check, design)

    def start_check(self, design: str) -> None:
        task = asyncio.ensure_future(self.run_check(design))
        self.tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self.tasks.discard)

    async def run_check(self, design: str) -> None:
        """Check and publish; while a design's check runs, further requests for it coalesce
        into one more check with the buffers as they are then."""
        self.pending.pop(design, None)
        if design in self.running:
            self.again.add(design)
            return
        self.running.add(design)
        loop = asyncio.get_running_loop()
        try:
            while True:
                self.again.discard(design)
                result: Checked = await loop.run_in_executor(self.worker, self.space.check,
                                                             design)
                self.publish(result)
                if design not in self.again:
                    break
        finally:
            self.running.discard(design)

    def publish(self, result: Checked) -> None:
        for path, found in sorted(self.space.files_to_publish(result).items()):
            uri = from_fs_path(path)
            if uri is None:
                continue
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=[to_lsp(f) for f in found]))

    def project_for(self, path: str) -> Any:
        checked = self.space.checked.get(self.space.design_of(path))
        return checked.project if checked is not None else None

    def context(self, uri: str) -> Context | None:
        """What a request on `uri` works from: its path, its text (the buffer's, else the
        file's) and its design's last checked project (None before the first check). None
        when the URI is not a readable file."""
        path = self.path_of(uri)
        text = self.space.text(path) if path is not None else None
        if path is None or text is None:
            return None
        return Context(path, text, self.project_for(path))


@dataclass(frozen=True)
class Context:
    path: str
    text: str
    project: Any


def to_lsp(f: Finding) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=lsp.Range(lsp.Position(f.line, f.start), lsp.Position(f.line, f.end)),
        message=f"{f.message}\nhint: {f.hint}" if f.hint else f.message,
        severity=_SEVERITY[f.severity], code=f.rule, source="superpod",
        data={"hint": f.hint, "message": f.message})


def guarded(fn: Callable[..., R]) -> Callable[..., R | None]:
    """A request handler that fails answers null and logs: the server keeps serving."""
    def run(ls: SuperpodServer, params: Any) -> R | None:  # pygls passes `ls` by arity
        try:
            return fn(ls, params)
        except Exception:
            if os.environ.get("SUPERPOD_DEBUG"):
                raise
            log.exception("superpod lsp: %s failed", fn.__name__)
            return None
    run.__name__ = fn.__name__
    return run


def build(designs: list[str] | None = None) -> SuperpodServer:
    server = SuperpodServer(designs)
    _documents(server)
    _watched(server)
    _requests(server)
    return server


def _documents(server: SuperpodServer) -> None:
    """Initialization and the notifications that change what is checked."""

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: SuperpodServer, params: lsp.InitializeParams) -> None:
        """Designs: `--design` folders and `initializationOptions.designs`, relative to the
        workspace root."""
        options = params.initialization_options
        configured = list(ls.designs)
        if isinstance(options, dict) and isinstance(options.get("designs"), list):
            configured += [str(d) for d in options["designs"]]
        root = to_fs_path(params.root_uri) if params.root_uri else params.root_path
        ls.space = Workspace(root, configured)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SuperpodServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is not None and ls.space.wants(path, params.text_document.text):
            ls.space.open(path, params.text_document.text)
            ls.schedule(path, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SuperpodServer, params: lsp.DidChangeTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        doc = ls.workspace.get_text_document(params.text_document.uri)
        if path is not None and ls.space.wants(path, doc.source):
            ls.space.open(path, doc.source)
            ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SuperpodServer, params: lsp.DidSaveTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is not None and ls.space.design_of(path) in ls.space.checked:
            ls.schedule(path, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SuperpodServer, params: lsp.DidCloseTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return
        ls.space.close(path)  # the file on disk counts again
        if ls.space.design_of(path) in ls.space.checked:
            ls.schedule(path, 0.0)


def _watched(server: SuperpodServer) -> None:
    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: SuperpodServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        """A file changed outside the editor (`git pull`, a generator): re-check the designs
        already checked that hold it (a new or deleted file changes what its folder holds)."""
        for change in params.changes:
            path = ls.path_of(change.uri)
            if path is not None and Workspace.is_manifest(path) and \
                    ls.space.design_of(path) in ls.space.checked:
                ls.schedule(path)


def _requests(server: SuperpodServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @guarded
    def hover(ls: SuperpodServer, params: lsp.HoverParams) -> lsp.Hover | None:
        ctx = ls.context(params.text_document.uri)
        if ctx is None or ctx.project is None:
            return None
        pos = params.position
        md = figures.hover(ctx.project, ctx.path, ctx.text, pos.line, pos.character)
        if md is None:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, md))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @guarded
    def definition(ls: SuperpodServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        ctx = ls.context(params.text_document.uri)
        if ctx is None or ctx.project is None:
            return None
        place = figures.definition(ctx.project, ctx.text, params.position.line,
                                   params.position.character)
        uri = from_fs_path(place.path) if place is not None else None
        if place is None or uri is None:
            return None
        at = lsp.Position(place.line, place.character)
        return lsp.Location(uri, lsp.Range(at, at))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION)
    @guarded
    def completion(ls: SuperpodServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        ctx = ls.context(params.text_document.uri)
        if ctx is None or ctx.project is None:
            return None
        items = [lsp.CompletionItem(label=name, detail=kind, kind=lsp.CompletionItemKind.Reference)
                 for name, kind in figures.completions(ctx.project, ctx.text,
                                                       params.position.line)]
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    @guarded
    def code_action(ls: SuperpodServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        ctx = ls.context(params.text_document.uri)
        if ctx is None:
            return []
        return [a for d in params.context.diagnostics
                if (a := _fix(params.text_document.uri, ctx.text, d, ctx.project)) is not None]


def _fix(uri: str, text: str, d: lsp.Diagnostic, project: Any) -> lsp.CodeAction | None:
    """A did-you-mean for a misspelt name; for a U overlap, the move to the lowest free U."""
    data = d.data if isinstance(d.data, dict) else {}
    hint, message = str(data.get("hint", "")), str(data.get("message", d.message))
    line = d.range.start.line
    edit = figures.quick_fix(text, line, message, hint)
    title, preferred = (f"Change to '{edit[2]}'", True) if edit is not None else ("", False)
    if edit is None and project is not None and d.code == "SPC002":
        moved = figures.free_u(project, text, line, message)
        if moved is not None:
            edit, preferred = moved[:3], moved[3]
            title = f"Move to free U{edit[2]}"
    if edit is None:
        return None
    start, end, new = edit
    change = lsp.TextEdit(lsp.Range(lsp.Position(line, start), lsp.Position(line, end)), new)
    return lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[d],
                          is_preferred=preferred, edit=lsp.WorkspaceEdit(changes={uri: [change]}))


def serve(designs: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="superpod lsp: %(message)s")
    build(designs).start_io()
    return 0
