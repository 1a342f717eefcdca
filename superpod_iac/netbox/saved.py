"""A saved plan (`superpod netbox plan DESIGN --out PLAN`) and the check that it still holds
(`superpod netbox apply PLAN`).

The file is JSON: the design (paths, scope, a digest of its desired state), the NetBox URL,
and every change with the NetBox object's id and the `last_updated` it was planned against.
`apply` rebuilds the design, re-reads NetBox and re-plans: it goes on only when the design's
digest is the same and the new plan is the saved one (first run) or what the saved plan has
left to do (a resumed run, after the journal's changes), so a stale plan is refused before
any write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from superpod_iac.netbox.desired import DesiredState
from superpod_iac.netbox.planning import ACTIONS, Change, Plan

FORMAT = 1


def _plain(v: Any) -> Any:
    """Tuples (keys, references) -> lists, for JSON."""
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _tupled(v: Any) -> Any:
    """The inverse of `_plain` for keys and references: every list a tuple."""
    if isinstance(v, list):
        return tuple(_tupled(x) for x in v)
    if isinstance(v, dict):
        return {k: _tupled(x) for k, x in v.items()}
    return v


def digest(desired: DesiredState) -> str:
    body = {kind: sorted((json.dumps(_plain(k), sort_keys=True),
                          json.dumps(_plain(w.fields), sort_keys=True))
                         for k, w in objs.items())
            for kind, objs in desired.objects.items()}
    text = json.dumps({"scope": desired.scope, "objects": body}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def change_id(c: Change) -> str:
    """What identifies a change to compare two plans: action, kind, key, id, the planned-against
    `last_updated` and the field values it writes."""
    return json.dumps(_plain([c.action, c.kind, c.key, c.id, c.last_updated,
                              {f: d[1] for f, d in sorted(c.diffs.items())}
                              if c.action == "update" else c.fields]), sort_keys=True)


def to_json(plan: Plan, desired: DesiredState, *, paths: list[str], url: str,
            config: str | None) -> str:
    doc = {"format": FORMAT, "tool": "superpod-iac", "url": url,
           "design": {"paths": [str(Path(p).resolve()) for p in paths], "scope": desired.scope,
                      "config": config, "digest": digest(desired)},
           "implied": plan.implied,
           "changes": [_plain(asdict(c)) for c in plan.changes if c.action in ACTIONS]}
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def load(path: Path) -> tuple[dict[str, Any], Plan]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT or doc.get("tool") != "superpod-iac":
        raise ValueError(f"{path} is not a superpod-iac NetBox plan (format {FORMAT})")
    changes = []
    for c in doc["changes"]:
        diffs = {f: tuple(_tupled(d)) for f, d in c["diffs"].items()}
        notes = {f: tuple(_tupled(d)) for f, d in c.get("notes", {}).items()}
        changes.append(Change(c["action"], c["kind"], _tupled(c["key"]), c["label"],
                              _tupled(c["fields"]), diffs, c["id"], c["last_updated"],
                              notes, c.get("message", "")))
    return doc, Plan(changes=changes, implied=int(doc.get("implied", 0)))


def stale(saved: Plan, now: Plan, done: set[tuple[str, str, str]]) -> list[str]:
    """Why the saved plan no longer holds (empty: it holds). `done`: the journal's changes
    (a resumed apply); without a journal the new plan must be the saved one exactly."""
    want = {change_id(c): c for c in saved.changes if c.action in ACTIONS}
    got = {change_id(c): c for c in now.changes if c.action in ACTIONS}
    out = [f"{c.action} {c.kind} {c.label}: {c.message}" for c in now.errors]
    for cid, c in got.items():
        if cid not in want:
            out.append(f"{c.action} {c.kind} {c.label} is not in the saved plan (NetBox or "
                       "the design changed since it was planned)")
    if not done:
        for cid, c in want.items():
            if cid not in got:
                out.append(f"{c.action} {c.kind} {c.label} is no longer needed or NetBox "
                           "changed it since it was planned")
    return sorted(out)


def verify_journal(done: Mapping[tuple[str, str, str], int | None], now: Plan,
                   records: Mapping[str, Mapping[Any, dict[str, Any]]]
                   ) -> tuple[set[tuple[str, str, str]], list[str]]:
    """Re-read what the journal says was applied, never assume it: a create or an update still
    holds when NetBox has the object (the id the journal wrote down) and the new plan has
    nothing to do on it; a delete when the object is gone. Returns (the journal entries that
    hold, one line per entry that does not: deleted or changed in NetBox since, so the new plan
    decides what it needs - a vanished create is made again, a changed object is stale)."""
    pending = {(c.kind, json.dumps(_plain(c.key), sort_keys=True))
               for c in now.changes if c.action in ACTIONS}
    held: set[tuple[str, str, str]] = set()
    lost: list[str] = []
    for entry, oid in sorted(done.items()):
        action, kind, key = entry
        rec = records.get(kind, {}).get(_tupled(json.loads(key)))
        there = rec is not None and (oid is None or rec.get("id") == oid)
        if action == "delete":
            why = "NetBox has it again" if there else ""
        elif not there:
            why = "NetBox no longer has it (deleted since)"
        else:
            why = "NetBox changed it since" if (kind, key) in pending else ""
        if why:
            lost.append(f"{action} {kind} {key} is in the journal, but {why}: planned again")
        else:
            held.add(entry)
    return held, lost


def journal_key(c: Change) -> tuple[str, str, str]:
    return (c.action, c.kind, json.dumps(_plain(c.key), sort_keys=True))
