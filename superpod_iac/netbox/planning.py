"""Compare a design with what a live NetBox holds (`read.Live`) and plan the changes, like
`terraform plan`. Nothing here talks to NetBox.

Ownership (docs/netbox.md, "Who owns what"): a push creates, changes and deletes only objects
carrying the `superpod-iac` tag and the design's scope tag (components: when their device or
device type does). Anything else is read, compared and reported: a difference on an object the
tool does not own is a `conflict` (left alone), or an `error` when the design cannot be built
on it (a foreign device type without the ports or power the design needs). Operator-owned
fields (`OPERATOR_FIELDS`) are set when an object is created and never changed afterwards:
a difference in them is a `note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from superpod_iac.netbox import checks
from superpod_iac.netbox.desired import (
    DEVICE_COMPONENTS,
    GLOBAL_KINDS,
    KINDS,
    OWNED_FIELD_MARK,
    OWNER_TAG,
    TEMPLATE_OF,
)
from superpod_iac.netbox.read import PARENT, Live
from superpod_iac.netbox.slug import slugify

NO_UPDATE = frozenset({"tags", "manufacturers", "device-roles"})
"""Reused when they exist (matched by name, case-insensitively for manufacturers); never
changed: other tools share them."""
OPERATOR_FIELDS = frozenset({"status", "serial", "asset_tag", "comments", "tenant",
                             "custom_fields"})
"""Fields people own once an object exists: lifecycle status, serial, asset tag, comments,
tenant, custom fields. A push sets `status` (planned) when it creates an object, never after."""
FOREIGN_MUST_MATCH = {
    "device-types": ("u_height",),
    "interface-templates": ("type",),
    "rear-port-templates": ("type", "positions"),
    "front-port-templates": ("type",),
    "power-port-templates": ("type", "maximum_draw", "allocated_draw"),
    "power-outlet-templates": ("type",),
    "rack-types": ("u_height", "width"),
}
"""Fields of a type the tool does not own that the design relies on: a difference in them is
an error (the design's devices would not fit, cable or draw as designed), any other difference
a conflict reported and left alone."""
ACTIONS = ("create", "update", "delete")


@dataclass
class Change:
    action: str
    """`create`, `update`, `delete` (applied); `conflict` (differs but is not ours: left
    alone), `note` (only operator-owned fields differ: left alone), `error` (the plan cannot
    be applied: nothing is written)."""
    kind: str
    key: Any
    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    diffs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """field -> (NetBox value, design value)."""
    id: int | None = None
    last_updated: str | None = None
    """NetBox's `last_updated` of the object when it was planned (stale-plan check)."""
    notes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """Operator-owned fields that differ: field -> (NetBox value, design value), never applied."""
    message: str = ""
    """Why, for an error."""


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    implied: int = 0
    """Components NetBox instantiates from device-type templates when devices are created."""

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def empty(self) -> bool:
        return not any(c.action in ACTIONS for c in self.changes)

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.action == "error"]


def _canon(v: Any) -> Any:
    """JSON values as NetBox gives them back (PostgreSQL's jsonb): numbers as floats."""
    if isinstance(v, dict):
        return {str(k): _canon(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_canon(x) for x in v]
    if isinstance(v, int | float) and not isinstance(v, bool):
        return round(float(v), 6)
    return v


def same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, dict) or isinstance(b, dict):
        return bool(_canon(a) == _canon(b))
    if isinstance(a, int | float) and isinstance(b, int | float) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 0.005
    return bool(a == b)


def field_diffs(want: dict[str, Any], actual: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    diffs: dict[str, tuple[Any, Any]] = {}
    for f, v in want.items():
        if f == "tags":
            if not set(v) <= set(actual[f]):
                diffs[f] = (actual[f], sorted(set(v) | set(actual[f])))
        elif not same(actual[f], v):
            diffs[f] = (actual[f], v)
    return diffs


def split_operator(diffs: dict[str, tuple[Any, Any]]
                   ) -> tuple[dict[str, tuple[Any, Any]], dict[str, tuple[Any, Any]]]:
    """(design-owned differences, operator-owned differences)."""
    ours = {f: d for f, d in diffs.items() if f not in OPERATOR_FIELDS}
    theirs = {f: d for f, d in diffs.items() if f in OPERATOR_FIELDS}
    return ours, theirs


def foreign_change(kind: str, key: Any, label: str, diffs: dict[str, tuple[Any, Any]],
                   rec_id: int | None) -> Change | None:
    """What a difference on an object the tool does not own means: an error when the design
    relies on the differing field, else a conflict; None when only the tool's tags differ."""
    diffs = {f: d for f, d in diffs.items() if f != "tags"}
    if not diffs:
        return None
    bad = sorted(f for f in diffs if f in FOREIGN_MUST_MATCH.get(kind, ()))
    if bad:
        what = ", ".join(f"{f} {diffs[f][0]!r} in NetBox, {diffs[f][1]!r} in the design"
                         for f in bad)
        return Change("error", kind, key, label, {}, diffs, rec_id,
                      message=f"not managed by superpod-iac and differs where the design "
                              f"relies on it ({what}): make it match, or remove it")
    return Change("conflict", kind, key, label, {}, diffs, rec_id)


def _missing_on_foreign(live: Live, kind: str, key: Any, label: str) -> Change | None:
    """A component template the design wants on a device type the tool does not own: never
    added to that type; the design cannot use the type as it is (an error)."""
    _fld, pkind = PARENT[kind]
    parent = live.records[pkind].get(key[0])
    if parent is None or live.owned(pkind, parent):
        return None
    model = parent.get("model") or parent.get("slug")
    return Change("error", kind, key, label, message=(
        f"device type {model!r} exists in NetBox without the superpod-iac tag (another "
        f"tool's or the devicetype-library's) and has no {key[1]!r}: superpod-iac never adds "
        "templates to a type it does not own; give the design the type's names, or remove "
        "the type from NetBox"))


def _custom_field(live: Live, key: Any, want: Any, rec: dict[str, Any]) -> Change | None:
    """One of the tool's own custom fields, found in NetBox. Made by someone else (its
    description lacks OWNED_FIELD_MARK: custom fields carry no tags), or ours but of another
    data type, it is an error before any write: a push would otherwise write the design's
    values into an operator's field (or NetBox would keep values of the old type). Object types
    are only ever added (removing one makes NetBox drop that kind's values)."""
    have = sorted(rec.get("object_types") or [])
    fields = {**want.fields, "object_types": sorted(set(have) | set(want.fields["object_types"]))}
    actual = live.normalise("custom-fields", rec, fields)
    if not live.owned("custom-fields", rec):
        return Change("error", "custom-fields", key, want.label, {}, {}, rec["id"], message=(
            f"custom field {key!r} exists in NetBox without superpod-iac's mark (its "
            f"description does not start with {OWNED_FIELD_MARK!r}; type {actual['type']!r} "
            f"on {', '.join(have) or 'no object types'}): an operator's or another tool's. "
            "superpod-iac never reuses or changes a custom field it did not create: rename or "
            "delete it in NetBox (its values go with it), then push again"))
    if not same(actual["type"], fields["type"]):
        return Change("error", "custom-fields", key, want.label, {}, {}, rec["id"], message=(
            f"custom field {key!r} is of type {actual['type']!r} in NetBox, {fields['type']!r} "
            "in the design: a push never changes a custom field's type (NetBox would keep the "
            "values of the old one); delete it in NetBox, then push again"))
    diffs = field_diffs(fields, actual)
    if not diffs:
        return None
    return Change("update", "custom-fields", key, want.label, fields, diffs, rec["id"],
                  rec.get("last_updated"))


def _plan_one(live: Live, kind: str, key: Any, want: Any, drift: bool) -> Change | None:
    """The change one wanted object needs (None: none)."""
    rec = live.records[kind].get(key)
    if rec is not None and kind == "custom-fields" and not drift:
        return _custom_field(live, key, want, rec)
    if rec is None:
        if kind in DEVICE_COMPONENTS and key[0] not in live.records["devices"] and not drift:
            return None  # NetBox instantiates them from the device type's templates
        err = None if drift or kind not in PARENT or kind in DEVICE_COMPONENTS else \
            _missing_on_foreign(live, kind, key, want.label)
        return err or Change("create", kind, key, want.label, want.fields)
    if kind in NO_UPDATE:
        return None
    diffs = field_diffs(want.fields, live.normalise(kind, rec, want.fields))
    if not diffs:
        return None
    stamp = rec.get("last_updated")
    if drift:
        return Change("update", kind, key, want.label, want.fields, diffs, rec["id"], stamp)
    ours, theirs = split_operator(diffs)
    if not live.owned(kind, rec):
        return foreign_change(kind, key, want.label, ours, rec["id"])
    if ours:
        return Change("update", kind, key, want.label, want.fields, ours, rec["id"], stamp,
                      theirs)
    return Change("note", kind, key, want.label, {}, {}, rec["id"], stamp, theirs)


def from_template(live: Live, kind: str, key: Any) -> bool:
    """Whether a device component NetBox holds is an instance of a template its device type
    has in NetBox. Templates are shared by every design using the type and never deleted by a
    push (GLOBAL_KINDS), so a type can carry more than this design needs (a power shelf's
    busbar outlets: another design hangs more trays on it): such a component is the type's,
    not drift, like the template itself."""
    template = TEMPLATE_OF.get(kind)
    device = live.records["devices"].get(key[0]) if template else None
    if template is None or device is None:
        return False
    return (live.ref("device-types", device.get("device_type")), key[1]) in live.records[template]


def plan_kind(live: Live, kind: str, *, drift: bool = False) -> list[Change]:
    wants = live.desired.objects[kind]
    changes = [c for key, want in wants.items()
               if (c := _plan_one(live, kind, key, want, drift)) is not None]
    if kind not in GLOBAL_KINDS or drift:
        for key, rec in live.records[kind].items():
            if key in wants or kind in GLOBAL_KINDS or (drift and from_template(live, kind, key)):
                continue
            if drift or (kind not in DEVICE_COMPONENTS and live.owned(kind, rec)):
                changes.append(Change("delete", kind, key, label_of(kind, key, rec), {},
                                      {}, rec["id"], rec.get("last_updated")))
    return sorted(changes, key=lambda c: (c.action, str(c.label)))


def scope_errors(live: Live) -> list[Change]:
    """The design's scope tag must be this scope's: `Pod.A` and `pod-a` slugify alike, and
    sharing a tag would let one design's push delete the other's objects."""
    d = live.desired
    rec = live.records["tags"].get(d.scope_tag)
    want = d.objects["tags"][d.scope_tag].fields["name"]
    if rec is None or rec.get("name") == want:
        return []
    legacy = rec.get("name") == d.scope_tag and slugify(d.scope) == d.scope
    if legacy:  # made by an earlier superpod-iac, for a scope that is its own slug
        return []
    return [Change("error", "tags", d.scope_tag, d.scope_tag, message=(
        f"scope {d.scope!r} collides with the scope tag {rec.get('name')!r} already in "
        f"NetBox: both make the tag slug {d.scope_tag!r}, and one design's push would delete "
        "the other's objects; choose another --scope"))]


def plan(live: Live, *, drift: bool = False) -> Plan:
    p = Plan()
    if not drift:
        p.changes += scope_errors(live)
        p.changes += [Change("error", c.kind, c.key, c.label, message=c.message)
                      for c in checks.check(live.desired)]
    for kind in KINDS:
        p.changes += plan_kind(live, kind, drift=drift)
    new_devices = {c.key for c in p.changes if c.kind == "devices" and c.action == "create"}
    p.implied = sum(1 for kind in DEVICE_COMPONENTS for k in live.desired.objects[kind]
                    if k[0] in new_devices)
    return p


def label_of(kind: str, key: Any, rec: dict[str, Any]) -> str:
    if kind == "cables":
        return " <> ".join(", ".join(f"{_short(o)}:{n}" if n else _short(o) for _, o, n in side)
                           for side in key)
    return str(rec.get("display") or rec.get("name") or key)


def _short(obj: Any) -> str:
    return obj[1] if isinstance(obj, tuple | list) and len(obj) == 2 else str(obj)


SIGN = {"create": "+", "update": "~", "delete": "-", "conflict": "!", "note": "i",
        "error": "x"}


def render(p: Plan, title: str) -> str:
    lines = [title, ""]
    for c in sorted(p.changes, key=lambda c: (KINDS.index(c.kind), c.action, str(c.label))):
        lines.append(f"  {SIGN[c.action]} {c.kind:<22} {c.label}")
        for f, (old, new) in sorted(c.diffs.items()):
            lines.append(f"      {f}: {old!r} -> {new!r}")
        for f, (old, new) in sorted(c.notes.items()):
            lines.append(f"      {f}: {old!r} in NetBox ({new!r} in the design; "
                         "operator-owned: left as it is)")
        if c.action == "conflict":
            lines.append("      (not managed by superpod-iac: left unchanged)")
        if c.action == "error":
            lines.append(f"      error: {c.message}")
    if p.implied:
        lines.append(f"  ({p.implied} interfaces and power ports come with the new devices "
                     "from their device types' templates)")
    extra = [f"{p.count('conflict')} conflicts (left alone)" if p.count("conflict") else "",
             f"{kept} operator edits kept" if (kept := sum(1 for c in p.changes if c.notes))
             else "",
             f"{p.count('error')} errors" if p.count("error") else ""]
    lines += ["", f"Plan: {p.count('create')} to add, {p.count('update')} to change, "
                  f"{p.count('delete')} to destroy"
                  + "".join(f", {e}" for e in extra if e) + "."]
    if p.errors:
        lines.append("The plan has errors: nothing can be applied until they are resolved.")
    return "\n".join(lines) + "\n"


__all__ = ["OWNER_TAG", "Change", "Plan", "plan", "plan_kind", "render"]
