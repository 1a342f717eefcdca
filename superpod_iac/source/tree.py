"""Build plain Python data plus a position index from YAML parser events, with bounded work.

The C-backed parser (ruamel.yaml.clib) emits a flat stream of events; this module builds the
document from them with an explicit stack instead of composing a node tree first. So nesting
depth, node count and alias expansion are counted *while reading*, before any work they would
bound: 30,000 nested brackets stop at the depth limit instead of overflowing the C stack, and a
billion-laughs chain is refused when the alias is met, from the anchored subtree's size, before
anything is copied.

Only plain YAML types are built (mapping, sequence, str, int, float, bool, null); any other tag
is reported, never instantiated. Inline `# superpod: ignore[...]` candidates found in the text
are kept only when the `#` lies outside every scalar (a real comment, not text inside a quoted or
block scalar).
"""

from __future__ import annotations

import bisect
import copy
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import ScalarNode

from superpod_iac.diagnostics import PENDING, Diagnostic, Path

TAG_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_SKIP = object()
"""Marks a value that is read (to keep the event stream in step) but not stored."""


class LimitExceeded(Exception):
    """Aborts the current document when a configured limit is reached."""

    def __init__(self, rule: str, message: str, line: int, col: int, hint: str) -> None:
        super().__init__(message)
        self.rule, self.message, self.line, self.col, self.hint = rule, message, line, col, hint


@dataclass
class Built:
    """One document: its data, the (line, column) of every path, and what went wrong."""

    index: int
    data: Any
    positions: dict[Path, tuple[int, int]]
    start: tuple[int, int]
    refused_tag: bool


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_EXTRA_BREAKS = ("\x85", "\u2028", "\u2029")
FILE_BREAK = re.compile("\r\n|[\r\n]")
"""Line breaks as editors count them (YAML 1.2, and every report's line numbers)."""


@dataclass(frozen=True)
class LineMap:
    """libyaml (YAML 1.1) also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR;
    editors and YAML 1.2 do not. Per libyaml line: the file's line and the column it starts
    at, so a U+2028 in a comment does not shift every later line's position."""

    line: list[int]
    offset: list[int]

    @staticmethod
    def of(text: str) -> LineMap | None:
        if not any(c in text for c in _EXTRA_BREAKS):
            return None
        line, offset = [0], [0]
        real, start = 0, 0
        for m in _YAML_BREAK.finditer(text):
            if m.group() in _EXTRA_BREAKS:
                line.append(real)
                offset.append(m.end() - start)
            else:
                real, start = real + 1, m.end()
                line.append(real)
                offset.append(0)
        return LineMap(line, offset)

    def at(self, line: int, column: int) -> tuple[int, int]:
        if line >= len(self.line):  # past the last break (end of input)
            return self.line[-1] + 1 + line - len(self.line) + 1, column + 1
        return self.line[line] + 1, self.offset[line] + column + 1


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any] | None
    """None when the whole subtree is being skipped (under a refused key)."""
    path: Path
    line: int
    col: int
    anchor: str | None
    count_at_start: int
    positions_at_start: int
    key: Any = None
    """Mapping frames: the pending key (None: the next value is a key; _SKIP: drop it)."""
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Mapping frames: keys read so far with their positions (duplicates are reported)."""


@dataclass
class _Anchor:
    value: Any
    size: int
    positions: list[tuple[Path, tuple[int, int]]]


@dataclass
class TreeBuilder:
    """Builds the documents of one file from parser events."""

    file: str
    max_nodes: int
    max_depth: int
    max_alias_nodes: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    comment_marks: list[tuple[int, int]] = field(default_factory=list)
    """(line, column), 0-based, of every `# superpod:` candidate; those inside scalars are
    removed while reading (see `inside_scalars`)."""
    inside_scalars: set[tuple[int, int]] = field(default_factory=set)
    lines: LineMap | None = None
    """Where libyaml's lines differ from the file's (it breaks lines at U+0085, U+2028 and
    U+2029 too); None when they do not."""

    def pos(self, mark: Any) -> tuple[int, int]:
        """A parser mark as the (line, column), 1-based, that an editor shows."""
        if self.lines is None:
            return mark.line + 1, mark.column + 1
        return self.lines.at(mark.line, mark.column)

    def documents(self, text: str) -> Iterator[Built]:
        """Yield each document; parser errors propagate (the loader reports them)."""
        self.lines = LineMap.of(text)
        yaml = YAML(typ="safe", pure=False)
        resolve = yaml.resolver.resolve
        events = iter(yaml.parse(io.StringIO(text)))
        index = 0
        for event in events:
            if not isinstance(event, DocumentStartEvent):
                continue
            self._check_version(event, index)
            state = _DocState(self, index, resolve)
            try:
                for ev in events:
                    if isinstance(ev, DocumentEndEvent):
                        break
                    state.feed(ev)
            except LimitExceeded as exc:
                # Stop reading the file: draining a pathological document can itself be slow
                # (libyaml's flow-key bookkeeping is quadratic in nesting depth).
                self.diagnostics.append(Diagnostic(
                    exc.rule, PENDING, f"{exc.message}; the rest of the file is not read",
                    self.file, exc.line, exc.col, (), exc.hint, index))
                return
            if state.root is not _SKIP:
                yield Built(index, state.root, dict(state.positions), state.root_pos,
                            state.refused_tag)
            index += 1

    def _check_version(self, event: DocumentStartEvent, index: int) -> None:
        """Documents are read as YAML 1.2. A `%YAML 1.1` directive says the author meant 1.1,
        where `010` is octal 8 and `yes` is true: reading it as 1.2 (10, the text "yes")
        would silently change the design, so any version but 1.2 is an error at its line."""
        version = getattr(event, "version", None)
        if version is None or tuple(version) == (1, 2):
            return
        shown = ".".join(str(v) for v in version)
        line, col = self.pos(event.start_mark)
        self.diagnostics.append(Diagnostic(
            "SCH001", PENDING,
            f"%YAML {shown} directive: manifests are read as YAML 1.2 only (under YAML 1.1 "
            "`010` is octal 8 and `yes` is true; under 1.2 they are 10 and the text 'yes')",
            self.file, line, col, (), "remove the directive and write values as YAML 1.2 "
            "reads them (`0o10` for octal, `true`/`false`)", index))

    def _note_scalar(self, ev: ScalarEvent) -> None:
        """Drop comment candidates that lie inside this scalar's text."""
        marks = self.comment_marks
        if not marks:
            return
        (sl, sc), (el, ec) = self.pos(ev.start_mark), self.pos(ev.end_mark)
        i = bisect.bisect_left(marks, (sl - 1, sc - 1))
        while i < len(marks) and marks[i] < (el - 1, ec - 1):
            self.inside_scalars.add(marks[i])
            i += 1


class _DocState:
    def __init__(self, builder: TreeBuilder, index: int, resolve: Any) -> None:
        self.b = builder
        self.index = index
        self.resolve = resolve
        self.stack: list[_Frame] = []
        self.positions: list[tuple[Path, tuple[int, int]]] = []
        self.anchors: dict[str, _Anchor] = {}
        self.count = 0
        self.alias_nodes = 0
        self.root: Any = None
        self.root_pos = (1, 1)
        self.refused_tag = False
        self.tags: dict[tuple[str, bool], str] = {}

    # -- limits ---------------------------------------------------------------------------
    def _count(self, ev: Any, n: int = 1) -> None:
        self.count += n
        if self.count > self.b.max_nodes:
            m = ev.start_mark
            raise LimitExceeded(
                "SCH007", f"document has more than {self.b.max_nodes:,} nodes (limit max_nodes)",
                *self.b.pos(m),
                "split the document, or use replication and generators instead of writing "
                "every object out; the limit can be raised in [tool.superpod.limits]")

    # -- events ---------------------------------------------------------------------------
    def feed(self, ev: Any) -> None:
        if isinstance(ev, ScalarEvent):
            self._count(ev)
            self.b._note_scalar(ev)
            value = self._scalar(ev)
            self._attach(value, ev, ev.anchor, 1, len(self.positions))
        elif isinstance(ev, MappingStartEvent | SequenceStartEvent):
            self._count(ev)
            self._start(ev)
        elif isinstance(ev, MappingEndEvent | SequenceEndEvent):
            frame = self.stack.pop()
            if isinstance(frame.container, dict) and frame.key is not None \
                    and frame.key is not _SKIP:
                frame.container[frame.key] = None  # cannot happen with a well-formed stream
            value = frame.container if frame.container is not None else _SKIP
            size = self.count - frame.count_at_start + 1
            self._attach(value, ev, frame.anchor, size, frame.positions_at_start,
                         (frame.line, frame.col))
        elif isinstance(ev, AliasEvent):
            self._alias(ev)

    def _child_path(self) -> Path | None:
        """Path of the value about to be attached, or None when it is a key or skipped."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.container is None:
            return None
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.key is None or top.key is _SKIP:
            return None
        return (*top.path, top.key)

    def _start(self, ev: Any) -> None:
        depth = len(self.stack) + 1
        m = ev.start_mark
        if depth > self.b.max_depth:
            raise LimitExceeded(
                "SCH007", f"nesting deeper than {self.b.max_depth} levels (limit max_depth)",
                *self.b.pos(m), "flatten the document; manifests need a few levels")
        is_map = isinstance(ev, MappingStartEvent)
        tag = ev.tag
        if tag is not None and tag != TAG_PREFIX + ("map" if is_map else "seq"):
            self._bad_tag(tag, ev)
        path = self._child_path()
        # a container that is a key, or lies under a skipped key, is read but not stored
        if path is None and self.stack and isinstance(self.stack[-1].container, dict) \
                and self.stack[-1].key is None:
            self._diag("SCH004", "mapping keys must be plain scalars", ev,
                       self.stack[-1].path, "write the key as a plain string")
        container: dict[str, Any] | list[Any] | None
        container = None if path is None else ({} if is_map else [])
        if path is not None and self.stack and isinstance(self.stack[-1].container, list):
            self.positions.append((path, self.b.pos(m)))
        self.stack.append(_Frame(container, path or (), *self.b.pos(m), ev.anchor,
                                 self.count, len(self.positions)))

    def _attach(self, value: Any, ev: Any, anchor: str | None, size: int, pos_start: int,
                start: tuple[int, int] | None = None) -> None:
        if anchor:
            base = self._child_path()
            rel = [] if base is None else [(p[len(base):], pos)
                                           for p, pos in self.positions[pos_start:]]
            self.anchors[anchor] = _Anchor(value, size, rel)
        if not self.stack:
            self.root = value
            m = ev.start_mark
            self.root_pos = start or self.b.pos(m)
            return
        top = self.stack[-1]
        if top.container is None:
            return
        if isinstance(top.container, list):
            if value is not _SKIP:
                if start is None:  # scalars record their own position here
                    m = ev.start_mark
                    self.positions.append(((*top.path, len(top.container)),
                                           self.b.pos(m)))
                top.container.append(value)
            return
        if top.key is None:  # this value is a key
            self._key(value, ev, top)
            return
        if top.key is not _SKIP and value is not _SKIP:
            top.container[top.key] = value
        top.key = None

    def _key(self, value: Any, ev: Any, top: _Frame) -> None:
        m = ev.start_mark
        if value is _SKIP or isinstance(value, dict | list):
            top.key = _SKIP  # already reported when the container key started
            return
        if value == "<<":
            self._diag("SCH006", "YAML merge keys (<<) are not supported", ev, top.path,
                       "write the fields out, or use nodeset replication")
            top.key = _SKIP
            return
        key = str(value)
        kpath = (*top.path, key)
        first = top.seen.get(key)
        if first is not None:
            self._diag("SCH002", f"duplicate key '{key}' (first defined on line {first[0]})",
                       ev, kpath, "remove one of the two keys; YAML keeps only the last")
            top.key = _SKIP
            return
        top.seen[key] = self.b.pos(m)
        self.positions.append((kpath, top.seen[key]))
        top.key = key

    def _alias(self, ev: AliasEvent) -> None:
        m = ev.start_mark
        anchor = self.anchors.get(ev.anchor)
        if anchor is None:
            raise LimitExceeded("SCH001", f"YAML syntax error: undefined alias '*{ev.anchor}'",
                                *self.b.pos(m), "define the anchor before using it")
        self.alias_nodes += anchor.size
        if self.alias_nodes > self.b.max_alias_nodes:
            raise LimitExceeded(
                "SCH007", f"aliases expand to more than {self.b.max_alias_nodes:,} nodes "
                "(billion-laughs pattern; limit max_alias_nodes)", *self.b.pos(m),
                "remove alias chains; use replication instead")
        self._count(ev, anchor.size)
        base = self._child_path()
        if base is not None:
            self.positions.extend(((*base, *rel), pos) for rel, pos in anchor.positions)
        value = anchor.value if not isinstance(anchor.value, dict | list) \
            else copy.deepcopy(anchor.value)
        self._attach(value, ev, None, anchor.size, len(self.positions), self.b.pos(m))
        if base is not None and self.stack and isinstance(self.stack[-1].container, list):
            # sequences record item positions at attach time only for scalars
            self.positions.append((base, self.b.pos(m)))

    def _diag(self, rule: str, message: str, ev: Any, path: Path, hint: str) -> None:
        m = ev.start_mark
        self.b.diagnostics.append(Diagnostic(rule, PENDING, message, self.b.file,
                                             *self.b.pos(m), path, hint, self.index))

    def _bad_tag(self, tag: str, ev: Any) -> None:
        self.refused_tag = True
        shown = "!!" + tag[len(TAG_PREFIX):] if tag.startswith(TAG_PREFIX) else tag
        self._diag("SCH006", f"tag '{shown}' is not allowed: only plain YAML types are read", ev,
                   self._child_path() or (), "remove the tag; manifests hold plain data only")

    def _scalar(self, ev: ScalarEvent) -> Any:
        value = ev.value
        tag = ev.tag
        if tag is None and not ev.implicit[0]:
            return value  # quoted and untagged: a string, whatever the resolver's version
        if tag is None or tag == "!":
            # plain scalars repeat (keys, units, names): resolve each text once per document
            key = (value, bool(ev.implicit[0]))
            tag = self.tags.get(key)
            if tag is None:
                tag = self.tags[key] = str(self.resolve(ScalarNode, value, ev.implicit))
        tag = str(tag)
        if not tag.startswith(TAG_PREFIX) or tag[len(TAG_PREFIX):] not in _PLAIN_TAGS:
            self._bad_tag(tag, ev)
            return value
        kind = tag[len(TAG_PREFIX):]
        try:
            if kind == "int":
                return to_int(value)
            if kind == "float":
                return to_float(value)
        except ValueError:
            return value
        if kind == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        if kind == "null":
            return None
        return value


def to_int(text: str) -> int:
    t = text.replace("_", "")
    low = t.lower().lstrip("+-")
    sign = -1 if t.startswith("-") else 1
    if low.startswith("0x"):
        return sign * int(low[2:], 16)
    if low.startswith("0o"):
        return sign * int(low[2:], 8)
    if low.startswith("0b"):
        return sign * int(low[2:], 2)
    if not _INT_RE.match(t) and not low.isdigit():
        raise ValueError(text)
    if len(low) > 40:  # beyond any engineering value; int() of huge digit strings is slow
        raise ValueError(text)
    return int(t)


def to_float(text: str) -> float:
    low = text.lower().replace("_", "")
    if low in (".inf", "+.inf"):
        return math.inf
    if low == "-.inf":
        return -math.inf
    if low == ".nan":
        return math.nan
    return float(low)
