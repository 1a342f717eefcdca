"""Execute a plan (`planning.Plan`) against a live NetBox: creates and updates kind by kind in
dependency order, deletes last in reverse order.

NetBox has no transaction across requests. What is guaranteed (docs/netbox.md, "What is and
is not atomic"): nothing is written when the plan has an error or is stale; each bulk request
is one transaction in NetBox (all of it or none of it); every request that succeeded is written
to the journal before the next is sent, so `superpod netbox apply PLAN` run again resumes
(it re-plans and goes on only when what is left is what the saved plan said); a delete NetBox
refuses (HTTP 409, a protected object) stops the deletes and is reported with the blocking
object, after every create and update went through.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superpod_iac.netbox.desired import KINDS
from superpod_iac.netbox.planning import Change, Plan
from superpod_iac.netbox.read import (
    COMPONENTS,
    REFS,
    TERMINATION_KINDS,
    Live,
    NetBoxError,
    _message,
)
from superpod_iac.netbox.saved import journal_key

CHUNK = 200
CHUNKS = {"devices": 5, "cables": 50}
"""Objects per bulk request. NetBox saves a device with every component its type's templates
give it (a CloudMatrix node: 97 interfaces, each change-logged), a cable with its paths: small
requests for those keep the server workers busy to the end instead of one finishing a long
last request alone."""
PARALLEL = 3
RETRIES = 3


@dataclass
class Outcome:
    done: list[Change] = field(default_factory=list)
    refused: str = ""
    """Why the deletes stopped (HTTP 409 and the blocking object), or empty."""
    skipped: list[Change] = field(default_factory=list)
    """Deletes not attempted after a refusal."""


class Journal:
    """One JSON line per change NetBox accepted (flushed before the next request)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def done(self) -> dict[tuple[str, str, str], int | None]:
        """What the journal says was applied: (action, kind, key) as `saved.journal_key` ->
        the NetBox id of the object (None in journals written before ids were kept). Only a
        claim: `saved.verify_journal` re-reads each against NetBox before it is trusted."""
        if self.path is None or not self.path.exists():
            return {}
        out: dict[tuple[str, str, str], int | None] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out[(d["action"], d["kind"], d["key"])] = d.get("id")
        return out

    def record(self, changes: list[Change], ids: list[int | None] | None = None) -> None:
        """These changes were accepted (`ids`: the objects' NetBox ids, for creates)."""
        if self.path is None or not changes:
            return
        with self.path.open("a", encoding="utf-8") as fh:
            for i, c in enumerate(changes):
                action, kind, key = journal_key(c)
                oid = ids[i] if ids else c.id
                fh.write(json.dumps({"action": action, "kind": kind, "key": key,
                                     "id": oid}) + "\n")
            fh.flush()


def payload(live: Live, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The API body for these (normalised) fields: references by key -> NetBox ids."""
    refs = REFS.get(kind, {})
    out: dict[str, Any] = {}
    for f, v in fields.items():
        if f == "tags":
            out[f] = [{"slug": s} for s in v]
        elif f.startswith("cf:"):
            out.setdefault("custom_fields", {})[f[3:]] = v
        elif f in refs:
            out[f] = None if v is None else live.id_of_key[refs[f]].get(_tuple(v))
            if v is not None and out[f] is None:
                raise NetBoxError(f"{kind}: {f} {v!r} does not exist in NetBox")
        elif f == "power_port" and kind == "power-outlet-templates":
            pid = live.id_of_key["power-port-templates"].get((fields["device_type"], v))
            out[f] = pid if v else None
        elif f == "rear_port" and kind == "front-port-templates":
            dt = fields["device_type"]
            rid = live.id_of_key["rear-port-templates"].get((dt, v))
            out["rear_ports"] = [{"position": 1, "rear_port": rid,
                                  "rear_port_position": 1}] if rid else []
        else:
            out[f] = v
    return out


def _tuple(v: Any) -> Any:
    return tuple(_tuple(x) for x in v) if isinstance(v, list | tuple) else v


def terminations(live: Live, key: tuple[Any, ...]) -> dict[str, Any]:
    """A cable's two ends (its key) -> NetBox's a_terminations/b_terminations."""
    sides = []
    for ends in key:
        terms = []
        for otype, obj, name in ends:
            kind = TERMINATION_KINDS[otype]
            k = _tuple(obj) if otype == "dcim.powerfeed" else (_tuple(obj), name)
            oid = live.id_of_key[kind].get(k)
            if oid is None:
                raise NetBoxError(f"cable end {obj} {name} does not exist in NetBox")
            terms.append({"object_type": otype, "object_id": oid})
        sides.append(terms)
    return {"a_terminations": sides[0], "b_terminations": sides[1]}


def _create(live: Live, kind: str, part: list[Change]) -> list[dict[str, Any]]:
    body = []
    for c in part:
        b = payload(live, kind, c.fields)
        if kind == "cables":
            b.update(terminations(live, c.key))
        body.append(b)
    for attempt in range(1, RETRIES + 1):
        try:
            made = live.endpoint(kind).create(body)
            break
        except Exception as exc:
            # a bulk request is one transaction: when PostgreSQL breaks a deadlock with
            # another writer it rolls the whole request back, and it can be sent again
            if attempt < RETRIES and "deadlock detected" in _message(exc):
                time.sleep(0.5 * attempt)  # not again at the same instant as the other writer
                continue
            raise NetBoxError(f"creating {kind} ({part[0].label}, ...): "
                              f"{_message(exc)}") from exc
    return [dict(r) for r in (made if isinstance(made, list) else [made])]


def _update_body(live: Live, kind: str, c: Change) -> dict[str, Any]:
    """Only the differing, design-owned fields (a cable's ends are never part of an update:
    a cable whose ends differ is another cable)."""
    fields = {f: c.fields[f] for f in c.diffs}
    if {"power_port", "rear_port"} & set(fields):  # named within its device type
        fields = {"device_type": c.fields["device_type"], **fields}
    if "tags" in fields:
        fields["tags"] = c.diffs["tags"][1]
    return {"id": c.id, **payload(live, kind, fields)}


def _creates(live: Live, kind: str, todo: list[Change], journal: Journal,
             progress: Callable[[str], None], out: Outcome) -> None:
    parts = _parts(kind, todo)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        # NetBox spends its time per object (cable paths, change log), about 40 % of it
        # waiting on its database: three requests in flight keep two cores busy
        made_parts = pool.map(lambda part: _create(live, kind, part), parts)
        n = 0
        for part, made in zip(parts, made_parts, strict=True):
            for c, rec in zip(part, made, strict=True):
                live._remember(kind, _tuple(c.key), rec)
            journal.record(part, [rec.get("id") for rec in made])
            out.done += part
            n += len(part)
            progress(f"created {n}/{len(todo)} {kind}")


def _updates(live: Live, kind: str, todo: list[Change], journal: Journal,
             progress: Callable[[str], None], out: Outcome) -> None:
    for i in range(0, len(todo), CHUNK):
        part = todo[i:i + CHUNK]
        try:
            live.endpoint(kind).update([_update_body(live, kind, c) for c in part])
        except Exception as exc:
            raise NetBoxError(f"changing {kind} ({part[0].label}, ...): "
                              f"{_message(exc)}") from exc
        journal.record(part)
        out.done += part
        progress(f"changed {min(i + CHUNK, len(todo))}/{len(todo)} {kind}")


def _deletes(live: Live, by: dict[tuple[str, str], list[Change]], journal: Journal,
             progress: Callable[[str], None], out: Outcome) -> None:
    """Reverse dependency order (cables before the devices they end on, devices before their
    racks). A refused delete stops the rest: what is left is reported, nothing is forced."""
    pending = [c for kind in reversed(KINDS) for c in by.get((kind, "delete"), [])]
    for kind in reversed(KINDS):
        todo = by.get((kind, "delete"), [])
        size = CHUNKS.get(kind, CHUNK)
        for i in range(0, len(todo), size):
            part = todo[i:i + size]
            try:
                live.endpoint(kind).delete([c.id for c in part])
            except Exception as exc:
                msg = _message(exc)
                if "HTTP 409" not in msg:
                    raise NetBoxError(f"deleting {kind}: {msg}") from exc
                out.refused = (f"NetBox refused to delete {kind} ({', '.join(c.label for c in part)}): "
                               f"{msg}")
                out.skipped = pending
                return
            journal.record(part)
            out.done += part
            pending = pending[len(part):]
            progress(f"deleted {min(i + size, len(todo))}/{len(todo)} {kind}")


def execute(live: Live, plan: Plan, progress: Callable[[str], None],
            journal: Journal | None = None) -> Outcome:
    """Apply exactly these changes. Refuses (before any write) a plan with errors."""
    if plan.errors:
        raise NetBoxError(f"the plan has {len(plan.errors)} error(s): nothing was written")
    journal = journal or Journal(None)
    by: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for c in plan.changes:
        if c.action in ("create", "update", "delete"):
            by[(c.kind, c.action)].append(c)
    out = Outcome()
    for kind in KINDS:
        _creates(live, kind, by.get((kind, "create"), []), journal, progress, out)
        _updates(live, kind, by.get((kind, "update"), []), journal, progress, out)
        if kind == "devices" and by.get((kind, "create")):
            for comp in COMPONENTS:
                live.load(comp)  # instantiated from the device types' templates
    _deletes(live, by, journal, progress, out)
    return out


TYPE_FIELD = {"devices": "device_type", "modules": "module_type"}
"""Kinds whose type's row NetBox updates with every instance (its instance count)."""


def _parts(kind: str, todo: list[Change]) -> list[list[Change]]:
    """Bulk requests for these creations. Devices (and modules) go by type, the types taken in
    turn: NetBox counts a type's devices (modules) in the type's row, so two requests adding
    them of the same types in another order deadlock (the clean-clone CI run saw it on
    CloudMatrix 384's transceiver modules), and two of one type wait for each other."""
    size = CHUNKS.get(kind, CHUNK)
    field_name = TYPE_FIELD.get(kind)
    if field_name is None:
        return [todo[i:i + size] for i in range(0, len(todo), size)]
    by_type: dict[Any, list[Change]] = defaultdict(list)
    for c in todo:
        by_type[c.fields.get(field_name)].append(c)
    queues = [[v[i:i + size] for i in range(0, len(v), size)]
              for _, v in sorted(by_type.items(), key=lambda kv: str(kv[0]))]
    parts: list[list[Change]] = []
    while any(queues):
        for q in queues:
            if q:
                parts.append(q.pop(0))
    return parts
