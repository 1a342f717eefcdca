"""Turn composed YAML nodes into plain Python data plus a position index.

Only plain YAML types are constructed (mapping, sequence, str, int, float, bool, null); any
other tag is reported, never instantiated. Aliases are followed with a budget on the number of
nodes produced, so a billion-laughs document costs a bounded amount of work and memory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from superpod_iac.diagnostics import Diagnostic, Path, Severity

TAG_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = {"str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary"}
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")


class LimitExceeded(Exception):
    """Raised to abort conversion when a document exceeds a configured limit."""

    def __init__(self, rule: str, message: str, node: Node) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.node = node


@dataclass
class Converter:
    file: str
    doc: int
    max_nodes: int
    max_depth: int
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    count: int = 0
    refused_tag: bool = False
    max_alias_nodes: int = 100_000
    alias_nodes: int = 0
    seen: set[int] = field(default_factory=set)

    def diag(self, rule: str, message: str, node: Node, path: Path, hint: str = "") -> None:
        mark = node.start_mark
        self.diagnostics.append(
            Diagnostic(rule, Severity.ERROR, message, self.file, mark.line + 1, mark.column + 1,
                       path, hint, self.doc)
        )

    def convert(self, node: Node, path: Path = (), depth: int = 0, aliased: bool = False) -> Any:
        self.count += 1
        key = id(node)
        if not aliased and key in self.seen:
            aliased = True  # a node reached a second time: an alias being expanded
        self.seen.add(key)
        if aliased:
            self.alias_nodes += 1
            if self.alias_nodes > self.max_alias_nodes:
                raise LimitExceeded(
                    "SCH007", f"aliases expand to more than {self.max_alias_nodes} nodes "
                    "(billion-laughs pattern)", node)
        if self.count > self.max_nodes:
            raise LimitExceeded(
                "SCH007",
                f"document expands to more than {self.max_nodes} nodes (alias expansion or size)",
                node,
            )
        if depth > self.max_depth:
            raise LimitExceeded("SCH007", f"nesting deeper than {self.max_depth} levels", node)
        tag = str(getattr(node.tag, "value", node.tag) or "")
        if isinstance(node, MappingNode):
            if tag != TAG_PREFIX + "map":
                self._bad_tag(tag, node, path)
            return self._mapping(node, path, depth, aliased)
        if isinstance(node, SequenceNode):
            if tag != TAG_PREFIX + "seq":
                self._bad_tag(tag, node, path)
            return [
                self._item(child, (*path, i), depth, aliased)
                for i, child in enumerate(node.value)
            ]
        return self._scalar(node, tag, path)

    def _item(self, child: Node, path: Path, depth: int, aliased: bool) -> Any:
        mark = child.start_mark
        self.positions[path] = (mark.line + 1, mark.column + 1)
        return self.convert(child, path, depth + 1, aliased)

    def _mapping(self, node: MappingNode, path: Path, depth: int, aliased: bool
                 ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.diag("SCH004", "mapping keys must be plain scalars", key_node, path,
                          "write the key as a plain string")
                continue
            key = self._scalar(key_node, str(getattr(key_node.tag, "value", key_node.tag)), path)
            if key == "<<":
                self.diag("SCH006", "YAML merge keys (<<) are not supported", key_node, path,
                          "write the fields out, or use nodeset replication")
                continue
            key = str(key)
            kpath = (*path, key)
            if key in out:
                first = self.positions.get(kpath, (0, 0))
                self.diag("SCH002", f"duplicate key '{key}' (first defined on line {first[0]})",
                          key_node, kpath, "remove one of the two keys; YAML keeps only the last")
                continue
            mark = key_node.start_mark
            self.positions[kpath] = (mark.line + 1, mark.column + 1)
            self.count += 1
            out[key] = self.convert(value_node, kpath, depth + 1, aliased)
        return out

    def _bad_tag(self, tag: str, node: Node, path: Path) -> None:
        self.refused_tag = True
        shown = "!!" + tag[len(TAG_PREFIX):] if tag.startswith(TAG_PREFIX) else tag
        self.diag("SCH006", f"tag '{shown}' is not allowed: only plain YAML types are read",
                  node, path, "remove the tag; manifests hold plain data only")

    def _scalar(self, node: Node, tag: str, path: Path) -> Any:
        value = node.value
        if not tag.startswith(TAG_PREFIX) or tag[len(TAG_PREFIX):] not in _PLAIN_TAGS:
            self._bad_tag(tag, node, path)
            return value
        kind = tag[len(TAG_PREFIX):]
        try:
            if kind == "int":
                return _to_int(value)
            if kind == "float":
                return _to_float(value)
        except ValueError:
            return value
        if kind == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        if kind == "null":
            return None
        if kind == "binary":
            self._bad_tag(tag, node, path)
        return value


def _to_int(text: str) -> int:
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
    return int(t)


def _to_float(text: str) -> float:
    low = text.lower().replace("_", "")
    if low in (".inf", "+.inf"):
        return math.inf
    if low == "-.inf":
        return -math.inf
    if low == ".nan":
        return math.nan
    return float(low)
