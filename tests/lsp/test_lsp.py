"""`superpod lsp` driven by a real client (pygls's) over the server process's stdin/stdout.

Each test starts the server as `python -m superpod_iac lsp`, opens a file of a copy of the
GB200 NVL72 design, edits the buffer (never the file) and reads what the server publishes.
Timing is measured in benchmarks/bench.py (`--lsp`), not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

SPEC = Path(__file__).resolve().parents[2] / "specs" / "gb200-nvl72"
WAIT_S = 8.0
FEED_A = "side: A, voltage_v: 415, phases: 3, breaker_a: 300"


class Session:
    """A client, the diagnostics it was sent per file, and helpers to edit a buffer."""

    def __init__(self, client: LanguageClient, design: Path) -> None:
        self.client = client
        self.design = design
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        uri = from_fs_path(str(self.design / name))
        assert uri is not None
        return uri

    def of(self, name: str) -> list[lsp.Diagnostic]:
        return self.diagnostics.get(self.uri(name), [])

    def open(self, name: str) -> str:
        text = (self.design / name).read_text()
        self.versions[name] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=self.uri(name), language_id="yaml",
                                               version=1, text=text)))
        return text

    def replace(self, name: str, text: str) -> None:
        """The whole buffer replaced (a full-text change, as some clients send)."""
        self.versions[name] += 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri(name),
                                                              version=self.versions[name]),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    async def until(self, ok: Callable[[], bool], what: str) -> None:
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while not ok():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; got {self.diagnostics}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)


def run(tmp_path: Path, scenario: Callable[[Session], Awaitable[None]]) -> None:
    design = tmp_path / "gb200-nvl72"
    shutil.copytree(SPEC, design)

    async def main() -> None:
        client = LanguageClient("superpod-test", "1")
        session = Session(client, design)

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            session.diagnostics[params.uri] = list(params.diagnostics)
            session.changed.set()

        await client.start_io(sys.executable, "-m", "superpod_iac", "lsp")
        done = False
        try:
            await client.initialize_async(lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(tmp_path))))
            client.initialized(lsp.InitializedParams())
            await scenario(session)
            await client.shutdown_async(None)
            client.exit(None)
            done = True
        finally:
            server = client._server  # a failed scenario leaves the server running: end it
            if not done and server is not None and server.returncode is None:
                server.kill()
            await client.stop()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_findings_appear_clear_and_a_broken_buffer_does_not_stop_the_server(
        tmp_path: Path) -> None:
    """One server (each start costs ~2 s of imports): an edit brings its finding, undoing it
    clears it; a binary then a broken buffer give SCH findings and requests still answer."""
    async def scenario(s: Session) -> None:
        await _edit_and_undo(s)
        await _broken_buffer(s)
        await _changed_on_disk(s)

    run(tmp_path, scenario)


async def _edit_and_undo(s: Session) -> None:
    text = s.open("power.yaml")
    await s.until(lambda: s.uri("cabinet.yaml") in s.diagnostics, "the first check")
    assert s.of("power.yaml") == [] and s.of("cabinet.yaml") == []  # every file published
    line = next(i for i, t in enumerate(text.splitlines()) if FEED_A in t)
    s.replace("power.yaml", text.replace(FEED_A, FEED_A.replace("300", "100")))
    await s.until(lambda: bool(s.of("power.yaml")), "the finding")
    [d] = s.of("power.yaml")
    assert d.code == "PWR003" and d.severity == lsp.DiagnosticSeverity.Error
    assert d.range.start.line == line and d.range.end.line == line
    assert d.range.start.character == text.splitlines()[line].index("{")
    assert "nvl72-feed-A1" in d.message and "54.6 kW" in d.message and "hint:" in d.message
    s.replace("power.yaml", text)
    await s.until(lambda: not s.of("power.yaml"), "the finding to clear")


async def _broken_buffer(s: Session) -> None:
    text = s.open("cabinet.yaml")
    s.replace("cabinet.yaml", text.replace("spec:", "spec: [", 1) + "\0\x01: {{{\n")
    await s.until(lambda: any(d.code == "SCH009" for d in s.of("cabinet.yaml")),
                  "the binary-buffer finding")
    s.replace("cabinet.yaml", text.replace("spec:", "spec: [", 1))
    await s.until(lambda: any(d.code == "SCH001" for d in s.of("cabinet.yaml")),
                  "the syntax finding")
    [d] = [d for d in s.of("cabinet.yaml") if d.code == "SCH001"]
    assert d.severity == lsp.DiagnosticSeverity.Error
    hover = await s.client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(s.uri("power.yaml")), lsp.Position(0, 0)))
    assert hover is None or isinstance(hover, lsp.Hover)  # answered, not crashed
    s.replace("cabinet.yaml", text)
    await s.until(lambda: not s.of("cabinet.yaml") and not s.of("superpod.yaml"),
                  "the design to be clean again")


async def _changed_on_disk(s: Session) -> None:
    """A file not open in the editor changes on disk (git pull): the client says so and the
    design is re-checked."""
    cooling = s.design / "cooling.yaml"
    text = cooling.read_text()
    cooling.write_text(text.replace("capacity_kw: 60}", "capacity_kw: 6}"))
    s.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        [lsp.FileEvent(s.uri("cooling.yaml"), lsp.FileChangeType.Changed)]))
    await s.until(lambda: any(d.code == "CLG007" for d in s.of("cooling.yaml")),
                  "the finding of the file changed on disk")


def _line_of(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


async def _ask(s: Session, method: str, name: str, pos: tuple[int, int]) -> Any:
    doc, at = lsp.TextDocumentIdentifier(s.uri(name)), lsp.Position(*pos)
    if method == "hover":
        return await s.client.text_document_hover_async(lsp.HoverParams(doc, at))
    if method == "definition":
        return await s.client.text_document_definition_async(lsp.DefinitionParams(doc, at))
    return await s.client.text_document_completion_async(lsp.CompletionParams(doc, at))


def test_hover_definition_completion_and_quick_fix(tmp_path: Path) -> None:
    """One server for the requests (each server start costs ~2 s of imports)."""
    async def scenario(s: Session) -> None:
        await _hover(s)
        await _definition_and_completion(s)
        await _quick_fix(s)

    run(tmp_path, scenario)


async def _hover(s: Session) -> None:
    text = s.open("cabinet.yaml")
    await s.until(lambda: s.uri("cabinet.yaml") in s.diagnostics, "the first check")
    feed = await _ask(s, "hover", "cabinet.yaml", _line_of(text, "nvl72-feed-A1"))
    value = feed.contents.value
    assert "power node `nvl72-feed-A1`" in value
    assert "163.9 kW continuous" in value  # 415 V x 300 A x sqrt 3 x 0.95 x 80 %
    assert "worst single failure" in value and "margin" in value
    cab = await _ask(s, "hover", "cabinet.yaml", _line_of(text, "name: nvl72-01"))
    assert "cabinet `nvl72-01`" in cab.contents.value and "rating" in cab.contents.value
    cdu = await _ask(s, "hover", "cabinet.yaml", _line_of(text, "nvl72-cdu-1"))
    assert "capacity" in cdu.contents.value
    fabric = (s.design / "fabric-nvlink.yaml").read_text()
    s.open("fabric-nvlink.yaml")
    line = next(i for i, t in enumerate(fabric.splitlines()) if "type: switched-planes" in t)
    links = await _ask(s, "hover", "fabric-nvlink.yaml", (line, 8))
    assert "link(s)" in links.contents.value and "reach" in links.contents.value


async def _definition_and_completion(s: Session) -> None:
    text = (s.design / "cabinet.yaml").read_text()
    power = (s.design / "power.yaml").read_text()
    found = await _ask(s, "definition", "cabinet.yaml", _line_of(text, "nvl72-feed-B1"))
    assert found.uri == s.uri("power.yaml")
    assert found.range.start.line == _line_of(power, "name: nvl72-feed-B1")[0]
    dtype = await _ask(s, "definition", "cabinet.yaml", _line_of(text, "gb200-compute-tray"))
    assert dtype.uri.endswith(".yaml") and dtype.range.start.line > 0
    line, _ = _line_of(text, "cdu: nvl72-cdu-1")
    items = await _ask(s, "completion", "cabinet.yaml", (line, 10))
    labels = {i.label for i in items.items}
    assert "nvl72-cdu-1" in labels and "nvl72-feed-A1" not in labels


async def _quick_fix(s: Session) -> None:
    text = (s.design / "cabinet.yaml").read_text()
    s.replace("cabinet.yaml", text.replace("cdu: nvl72-cdu-1", "cdu: nvl72-cdu1"))
    await s.until(lambda: any(d.code == "REF001" for d in s.of("cabinet.yaml")),
                  "the reference finding")
    [d] = [d for d in s.of("cabinet.yaml") if d.code == "REF001"]
    actions = await s.client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(s.uri("cabinet.yaml")), d.range,
        lsp.CodeActionContext([d])))
    [action] = actions
    assert action.edit is not None and action.edit.changes is not None
    [edit] = action.edit.changes[s.uri("cabinet.yaml")]
    assert edit.new_text == "nvl72-cdu-1" and edit.range.start.line == d.range.start.line
    # a device put on a used U: the move to the lowest free U (not preferred: several fit)
    mgmt = 'u: "[36-37]"}\n'
    s.replace("cabinet.yaml", text.replace(
        mgmt, mgmt + "    - {name: extra, type: nvl72-mgmt-switch, u: 36}\n"))
    await s.until(lambda: any(d.code == "SPC002" for d in s.of("cabinet.yaml")),
                  "the overlap finding")
    [d] = [d for d in s.of("cabinet.yaml") if d.code == "SPC002"]
    [move] = await s.client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(s.uri("cabinet.yaml")), d.range, lsp.CodeActionContext([d])))
    assert move.title == "Move to free U38" and not move.is_preferred  # mgmt2 is at U37
    assert move.edit is not None and move.edit.changes is not None
    [edit] = move.edit.changes[s.uri("cabinet.yaml")]
    assert edit.new_text == "38" and edit.range.start.line == d.range.start.line == len(
        text.splitlines())


def test_a_buffer_is_held_to_the_file_limits_and_loaded_once_per_content(tmp_path: Path) -> None:
    """The overlay the server reads buffers through: max_bytes before parsing (SCH008), the
    tree limits while parsing, and a file loaded once per (path, content)."""
    from superpod_iac.source.loader import LoadLimits, Overlay, load_file

    f = tmp_path / "a.yaml"
    f.write_text("a: 1\n")
    overlay = Overlay()
    limits = LoadLimits(max_bytes=64, max_nodes=20)
    first = load_file(str(f), limits, overlay)
    assert first.documents[0].data == {"a": 1}
    assert load_file(str(f), limits, overlay) is first  # unchanged: not parsed again
    overlay.texts[str(f.resolve())] = "a: 2\n"
    assert load_file(str(f), limits, overlay).documents[0].data == {"a": 2}  # the buffer wins
    overlay.texts[str(f.resolve())] = "a: " + "x" * 100
    [big] = load_file(str(f), limits, overlay).diagnostics
    assert big.rule == "SCH008" and "limit max_bytes" in big.message
    overlay.texts[str(f.resolve())] = "[" + ",".join("1" * 30) + "]"
    assert {d.rule for d in load_file(str(f), limits, overlay).diagnostics} == {"SCH007"}  # max_nodes
    overlay.max_cached = 2
    for i in range(5):
        overlay.texts[str(f.resolve())] = f"a: {i}\n"
        load_file(str(f), limits, overlay)
    assert len(overlay.loaded) == 2


def test_a_check_that_raises_is_one_int_finding_and_the_next_check_recovers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error (here: the model stage made to raise, as test_cli makes a rule crash)
    is one INT001 finding on the open buffer; the workspace keeps working after it."""
    from superpod_iac import pipeline
    from superpod_iac.lsp.workspace import Workspace

    design = tmp_path / "gb200-nvl72"
    shutil.copytree(SPEC, design)
    ws = Workspace(str(tmp_path))
    opened = str(design / "power.yaml")
    ws.open(opened, (design / "power.yaml").read_text())
    real_build = pipeline.build_inventory

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected")

    monkeypatch.setattr(pipeline, "build_inventory", crash)
    failed = ws.check(ws.design_of(opened))
    [(path, [finding])] = failed.findings.items()
    assert path == str((design / "power.yaml").resolve()) and finding.rule == "INT001"
    assert "RuntimeError: injected" in finding.message and failed.project is None
    monkeypatch.setattr(pipeline, "build_inventory", real_build)
    ok = ws.check(ws.design_of(opened))
    assert ok.project is not None and not any(ok.findings.values())
    cleared = ws.files_to_publish(ok)
    assert cleared[path] == []


def test_a_file_belongs_to_the_configured_design_else_to_its_folder(tmp_path: Path) -> None:
    from superpod_iac.lsp.workspace import Workspace

    (tmp_path / "pods" / "a" / "sub").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    ws = Workspace(str(tmp_path), ["pods"])
    assert ws.design_of(str(tmp_path / "pods" / "a" / "sub" / "x.yaml")) == \
        str((tmp_path / "pods").resolve())
    assert ws.design_of(str(tmp_path / "other" / "y.yaml")) == str((tmp_path / "other").resolve())
    # only manifests start a check: a CI workflow does not make its folder a design
    assert not ws.wants(str(tmp_path / "other" / "ci.yml"), "on: push\njobs: {}\n")
    assert ws.wants(str(tmp_path / "other" / "c.yaml"), "apiVersion: superpod-iac/v1alpha1\n")
    assert not ws.wants(str(tmp_path / "other" / "notes.md"), "apiVersion: superpod-iac/v1\n")


_DESIGN_TEXT = {p.name: p.read_text() for p in sorted(SPEC.glob("*.yaml"))}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(_DESIGN_TEXT)), at=st.floats(0, 1),
       cut=st.integers(0, 40),
       insert=st.text(alphabet=st.sampled_from(list("ab1 :-[]{}\"'#&*!|>\n\t,.%@`\\0\x00é\u2028\x0c\r")),
                      max_size=12))
def test_any_edit_gives_findings_inside_the_buffer_never_an_exception(
        tmp_path_factory: pytest.TempPathFactory, name: str, at: float, cut: int,
        insert: str) -> None:
    """Whatever is typed (half a line deleted, stray brackets, NUL, tabs, anchors), a check
    returns: every finding names a rule and lies on a line of its file, and no check fails."""
    from superpod_iac.lsp.workspace import Workspace

    design = tmp_path_factory.getbasetemp() / "fuzz-design"
    if not design.exists():
        shutil.copytree(SPEC, design)
    text = _DESIGN_TEXT[name]
    i = int(at * len(text))
    edited = text[:i] + insert + text[i + cut:]
    ws = Workspace(str(design.parent))
    path = str(design / name)
    ws.open(path, edited)
    result = ws.check(ws.design_of(path))
    assert result.failure is None and result.project is not None, result.failure
    for file, found in result.findings.items():
        body = ws.text(file) or ""
        lines = max(len(body.splitlines()), 1)
        for f in found:
            assert f.rule and f.message
            assert 0 <= f.line < lines and 0 <= f.start < f.end, (file, f)


def test_edits_during_a_long_check_coalesce_into_one_more_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that takes long (a 432-pod cluster: seconds) while edits keep coming: the
    edits made meanwhile give one more check, not one each (here the check is made slow)."""
    import time

    from superpod_iac.lsp.server import SuperpodServer
    from superpod_iac.lsp.workspace import Checked

    server = SuperpodServer()
    calls: list[str] = []

    def slow_check(design: str) -> Checked:
        calls.append(design)
        time.sleep(0.3)
        return Checked(design, None)

    monkeypatch.setattr(server.space, "check", slow_check)
    monkeypatch.setattr(server, "publish", lambda result: None)

    async def edits() -> None:
        first = asyncio.ensure_future(server.run_check("/d"))
        await asyncio.sleep(0.05)
        await asyncio.gather(*(server.run_check("/d") for _ in range(5)))
        await first

    asyncio.run(edits())
    assert calls == ["/d", "/d"] and not server.running and not server.again
