"""Design diff for review: what a change edits, what it does to the resolved design, what it
costs physically and which findings it introduces or fixes (`superpod diff OLD NEW`).

- `changes`: field-level manifest changes (path, old -> new, file:line in the new revision);
- `objects`: cabinets, devices, links and BOM lines added, removed or changed;
- `consequences`: load, headroom and single-failure margin before -> after, and totals;
- `findings`: new / fixed / unchanged findings;
- `render`: text, json and markdown (for a pull-request comment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from superpod_iac import API_VERSION
from superpod_iac.diagnostics import Path
from superpod_iac.diff.changes import Change, manifest_changes, with_reach
from superpod_iac.diff.consequences import Impact, Total, design_totals, impacts
from superpod_iac.diff.findings import FindingsDelta, findings_delta
from superpod_iac.diff.objects import ObjectDiff, object_diff
from superpod_iac.diff.revision import RevisionError, materialize
from superpod_iac.manifest.parse import Manifest
from superpod_iac.pipeline import Project


@dataclass
class Side:
    """One revision: the label the user gave, the directory or file read, the loaded project."""

    label: str
    root: str
    project: Project

    def display(self, file: str) -> str:
        """A file of this revision as the user names it: `HEAD~1:specs/x/power.yaml`."""
        base = self.root if os.path.isdir(self.root) else os.path.dirname(self.root)
        if not self.root or self.root == "-":
            return file
        try:
            rel = os.path.relpath(os.path.abspath(file), os.path.abspath(base))
        except ValueError:
            return file
        if rel.startswith(".."):
            return file
        if not os.path.isdir(self.root):
            return self.label
        return f"{self.label.rstrip('/')}/{rel}" if self.label not in (".", "") else rel


@dataclass
class DesignDiff:
    old_label: str
    new_label: str
    changes: list[Change] = field(default_factory=list)
    objects: ObjectDiff = field(default_factory=ObjectDiff)
    impacts: list[Impact] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    findings: FindingsDelta = field(default_factory=FindingsDelta)

    @property
    def empty(self) -> bool:
        return not self.changes and self.objects.empty and not self.impacts


def design_diff(old: Side, new: Side) -> DesignDiff:
    def where_for(side: Side) -> dict[int, Side]:
        return {id(m): side for m in side.project.manifests}

    sides = {**where_for(old), **where_for(new)}

    def where(m: Manifest[None], path: Path) -> tuple[str, int]:
        line, _col = m.document.position(path)
        return sides[id(m)].display(m.document.file), line

    oi, ni = old.project.inventory, new.project.inventory
    od, nd = _documents(old), _documents(new)
    sides.update({id(m): old for m in od})
    sides.update({id(m): new for m in nd})
    changes = with_reach(manifest_changes(od, nd, where), oi, ni)
    delta = findings_delta(old.project.diagnostics, new.project.diagnostics,
                           _root_dir(old.root), _root_dir(new.root))
    delta.new = [replace(x, file=new.display(x.file)) for x in delta.new]
    delta.unchanged = [replace(x, file=new.display(x.file)) for x in delta.unchanged]
    delta.fixed = [replace(x, file=old.display(x.file)) for x in delta.fixed]
    return DesignDiff(old.label, new.label, changes, object_diff(oi, ni), impacts(oi, ni),
                      design_totals(oi, ni), delta)


def _documents(side: Side) -> list[Manifest[None]]:
    """Every document of our apiVersion, also those that failed their schema (a typo in the
    new revision is a changed field, not a removed manifest)."""
    out: list[Manifest[None]] = []
    for src in side.project.sources:
        for doc in src.documents:
            data = doc.data
            if not isinstance(data, dict) or data.get("apiVersion") != API_VERSION:
                continue
            meta = data.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) else None
            if isinstance(data.get("kind"), str) and isinstance(name, str):
                out.append(Manifest(data["kind"], name, None, doc))
    return out


def _root_dir(root: str) -> str:
    return root if os.path.isdir(root) else os.path.dirname(root)


__all__ = ["Change", "DesignDiff", "FindingsDelta", "Impact", "ObjectDiff", "RevisionError",
           "Side", "Total", "design_diff", "materialize"]
