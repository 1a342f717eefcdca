"""Diagram styles: Graphviz attributes by class, read from `render/styles.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

STYLES_FILE = "styles.yaml"


def _strings(d: dict[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (d or {}).items()}


@dataclass(frozen=True)
class Styles:
    data: dict[str, Any]

    @property
    def font(self) -> str:
        return str(self.data["font"])

    def graph(self, view: str) -> dict[str, str]:
        graphs = self.data["graphs"]
        return {**_strings(graphs["base"]), **_strings(graphs.get(view))}

    def _section(self, section: str, base: str, cls: str) -> dict[str, str]:
        classes = self.data[section]
        if cls not in classes:
            raise KeyError(f"style class {cls!r} is not in {STYLES_FILE} `{section}`")
        return {**_strings(self.data[base]), **_strings(classes[cls])}

    def node(self, cls: str) -> dict[str, str]:
        """Attributes of a node class; `role:<role>` is a device-role colour (roles:)."""
        if cls.startswith("role:"):
            role = self.role(cls[5:])
            return {**_strings(self.data["node_base"]), "style": "filled",
                    "fillcolor": role["fill"], "color": role["line"]}
        return self._section("nodes", "node_base", cls)

    def edge(self, cls: str) -> dict[str, str]:
        return self._section("edges", "edge_base", cls)

    def cluster(self, cls: str) -> dict[str, str]:
        return self._section("clusters", "cluster_base", cls)

    def role(self, role: str) -> dict[str, str]:
        roles = self.data["roles"]
        return _strings(roles.get(role, roles["other"]))

    @property
    def near_pct(self) -> float:
        return float(self.data["status"]["near_pct"])

    def layout(self, key: str) -> float:
        return float(self.data["layout"][key])


@lru_cache(maxsize=1)
def load_styles() -> Styles:
    text = (resources.files("superpod_iac") / "render" / STYLES_FILE).read_text(encoding="utf-8")
    return Styles(YAML(typ="safe").load(text))
