"""Planning a push without a server: ownership, operator-owned fields, NetBox's own rules,
the saved plan and its staleness, the update body of a cable. `read.Live` is filled by hand
with records shaped like NetBox's API answers (the live suite checks the same against a real
NetBox: tests/netbox/test_netbox_live.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.netbox import checks
from superpod_iac.netbox.apply import _update_body
from superpod_iac.netbox.desired import (
    MEDIUM_FIELD,
    OWNED_FIELD_MARK,
    OWNER_TAG,
    DesiredState,
    _custom_fields,
    scope_tag_name,
    slugify,
)
from superpod_iac.netbox.planning import (
    OPERATOR_FIELDS,
    Change,
    Plan,
    foreign_change,
    plan_kind,
    scope_errors,
    split_operator,
)
from superpod_iac.netbox.read import Live
from superpod_iac.netbox.saved import change_id, load, stale, to_json

RULES = checks.netbox_rules()


@given(st.integers(min_value=1, max_value=120))
def test_device_names_over_netbox_s_limit_are_plan_errors(n: int) -> None:
    problems = checks.check_fields("devices", {"name": "x" * n}, RULES)
    assert bool(problems) == (n > 64)
    if problems:
        assert f"is {n} characters long; NetBox allows 64" in problems[0]


def test_cable_types_are_netbox_s_choices() -> None:
    assert checks.check_fields("cables", {"type": "aec"}, RULES)  # HTTP 400 in NetBox
    assert not checks.check_fields("cables", {"type": "dac-active", "status": "planned"}, RULES)
    assert not checks.check_fields("cables", {"type": ""}, RULES)  # no type: allowed
    assert checks.check_fields("interface-templates", {"type": "800gbase-x-osfp-bogus"}, RULES)


@given(st.text(min_size=1, max_size=30))
def test_slugs_are_checked_as_netbox_does(text: str) -> None:
    problems = checks.check_fields("sites", {"slug": text}, RULES)
    ok = all(c.isascii() and (c.isalnum() or c in "-_") for c in text)
    assert bool(problems) == (not ok)


@given(st.dictionaries(st.sampled_from(sorted(OPERATOR_FIELDS | {"length", "position",
                                                                  "type", "amperage"})),
                       st.tuples(st.integers(), st.integers()), max_size=6))
def test_operator_fields_are_never_applied(diffs: dict[str, tuple[int, int]]) -> None:
    ours, theirs = split_operator(dict(diffs))
    assert not set(ours) & OPERATOR_FIELDS
    assert set(theirs) <= OPERATOR_FIELDS
    assert {**ours, **theirs} == diffs


def test_foreign_type_differing_in_what_the_design_relies_on_is_an_error() -> None:
    c = foreign_change("power-port-templates", ("t", "psu1"), "t:psu1",
                       {"maximum_draw": (2400, 1200)}, 7)
    assert c is not None and c.action == "error" and "maximum_draw 2400" in c.message
    c = foreign_change("device-types", "t", "t", {"weight": (7.4, 10), "tags": ([], ["x"])}, 7)
    assert c is not None and c.action == "conflict" and "tags" not in c.diffs
    assert foreign_change("device-types", "t", "t", {"tags": ([], [OWNER_TAG])}, 7) is None


def _tag(slug: str, name: str | None = None) -> dict[str, Any]:
    return {"id": abs(hash(slug)) % 10000, "slug": slug, "name": name or slug}


def _live(scope: str) -> Live:
    d = DesiredState(scope)
    d.add("tags", d.scope_tag, {"name": scope_tag_name(scope), "slug": d.scope_tag},
          d.scope_tag)
    return Live(None, d)


def test_scopes_that_slugify_alike_are_refused() -> None:
    assert slugify("Pod.A") == slugify("pod-a")
    live = _live("pod-a")
    live.records["tags"][live.desired.scope_tag] = _tag(live.desired.scope_tag,
                                                        scope_tag_name("Pod.A"))
    errors = scope_errors(live)
    assert len(errors) == 1 and "collides" in errors[0].message
    # the same scope again is its own tag
    live.records["tags"][live.desired.scope_tag] = _tag(live.desired.scope_tag,
                                                        scope_tag_name("pod-a"))
    assert scope_errors(live) == []


def _foreign_type_live() -> Live:
    """A design wanting type `sw` with interface `eth1`; NetBox holds `sw` untagged (another
    tool's) with `swp1` only."""
    d = DesiredState("pod")
    d.add("device-types", "sw", {"slug": "sw", "model": "SW", "u_height": 1,
                                 "tags": [OWNER_TAG]}, "sw")
    d.add("interface-templates", ("sw", "eth1"),
          {"device_type": "sw", "name": "eth1", "type": "1000base-t"}, "sw:eth1")
    d.add("interface-templates", ("sw", "swp1"),
          {"device_type": "sw", "name": "swp1", "type": "1000base-t"}, "sw:swp1")
    live = Live(None, d)
    live._remember("device-types", "sw", {"id": 1, "slug": "sw", "model": "SW", "u_height": 1,
                                          "tags": [], "last_updated": "t0"})
    live._remember("interface-templates", ("sw", "swp1"),
                   {"id": 2, "name": "swp1", "device_type": {"id": 1},
                    "type": {"value": "1000base-t", "label": "1000BASE-T"}})
    return live


def test_templates_are_never_added_to_a_foreign_type() -> None:
    live = _foreign_type_live()
    assert plan_kind(live, "device-types") == []  # used as it is: only the tag differs
    changes = plan_kind(live, "interface-templates")
    assert [c.action for c in changes] == ["error"]
    assert changes[0].key == ("sw", "eth1") and "never adds templates" in changes[0].message
    # once the type is ours, the missing template is created
    live.records["device-types"]["sw"]["tags"] = [{"slug": OWNER_TAG}]
    assert [c.action for c in plan_kind(live, "interface-templates")] == ["create"]


def test_outlets_another_design_gave_a_shared_type_are_not_drift() -> None:
    """Two designs hang different numbers of trays on one power-shelf type: the first push gave
    the shared type out1..out8 (templates are never deleted), so the second design's shelves
    carry eight outlets where it uses two. Those six are the type's, not drift; an outlet
    no template explains (made by hand) still is."""
    d = DesiredState("pod")
    shelf = ("h", "hz-01-pwr1")
    for n in (1, 2):
        d.add("power-outlets", (shelf, f"out{n}"), {"device": shelf, "name": f"out{n}"},
              f"pwr1:out{n}")
    live = Live(None, d)
    live._remember("device-types", "shelf", {"id": 1, "slug": "shelf"})
    live._remember("devices", shelf, {"id": 2, "name": "hz-01-pwr1", "site": {"id": 9},
                                      "device_type": {"id": 1}})
    for n in range(1, 9):
        live._remember("power-outlet-templates", ("shelf", f"out{n}"),
                       {"id": 10 + n, "name": f"out{n}", "device_type": {"id": 1}})
    for n in (*range(1, 9), 99):
        live._remember("power-outlets", (shelf, f"out{n}"),
                       {"id": 20 + n, "name": f"out{n}", "device": {"id": 2}})
    extra = [c.key[1] for c in plan_kind(live, "power-outlets", drift=True)
             if c.action == "delete"]
    assert extra == ["out99"]


def test_operator_status_is_a_note_not_an_update() -> None:
    d = DesiredState("pod")
    tags = [OWNER_TAG, d.scope_tag]
    d.add("sites", "h", {"name": "h", "slug": "h", "status": "planned", "tags": tags}, "h")
    live = Live(None, d)
    live._remember("sites", "h", {"id": 3, "name": "h", "slug": "h", "last_updated": "t1",
                                  "status": {"value": "active", "label": "Active"},
                                  "tags": [{"slug": t} for t in tags]})
    changes = plan_kind(live, "sites")
    assert [c.action for c in changes] == ["note"]
    assert changes[0].notes == {"status": ("active", "planned")}
    assert Plan(changes=changes).empty


def test_a_cable_update_sends_only_its_changed_fields() -> None:
    """A changed length or status used to crash the push (KeyError '_key')."""
    live = Live(None, DesiredState("pod"))
    key = ((("dcim.interface", ("h", "a"), "p1"),), (("dcim.interface", ("h", "b"), "p1"),))
    c = Change("update", "cables", key, "a:p1 <> b:p1",
               {"type": "smf", "status": "planned", "length": 3.0, "length_unit": "m",
                "tags": [OWNER_TAG]}, {"length": (5.0, 3.0)}, 42, "t2")
    assert _update_body(live, "cables", c) == {"id": 42, "length": 3.0}


def _plan() -> tuple[DesiredState, Plan]:
    d = DesiredState("pod")
    key = ((("dcim.interface", ("h", "a"), "p1"),), (("dcim.interface", ("h", "b"), "p1"),))
    p = Plan(changes=[
        Change("create", "racks", ("h", "r1"), "r1", {"name": "r1", "site": "h"}),
        Change("update", "cables", key, "a:p1 <> b:p1", {"length": 3.0}, {"length": (5.0, 3.0)},
               42, "2026-12-07T19:00:00Z"),
        Change("delete", "devices", ("h", "old"), "old", id=9,
               last_updated="2026-12-07T18:00:00Z")])
    return d, p


def test_saved_plan_round_trips(tmp_path: Path) -> None:
    d, p = _plan()
    path = tmp_path / "plan.json"
    path.write_text(to_json(p, d, paths=["specs/x"], url="http://127.0.0.1:1", config=None))
    doc, back = load(path)
    assert doc["design"]["scope"] == "pod"
    assert [change_id(c) for c in back.changes] == [change_id(c) for c in p.changes]
    assert back.changes[1].key == p.changes[1].key  # tuples again, as the planner makes them


def test_a_stale_plan_is_refused() -> None:
    _, saved = _plan()
    assert stale(saved, saved, set()) == []
    _, now = _plan()
    now.changes[2].last_updated = "2026-12-07T19:30:00Z"  # someone edited the device since
    problems = stale(saved, now, set())
    assert any("not in the saved plan" in m for m in problems)
    # resumed after the rack was created (the journal has it): what is left is still planned
    _, rest = _plan()
    del rest.changes[0]
    assert stale(saved, rest, {("create", "racks", '["h", "r1"]')}) == []
    assert stale(saved, rest, set())  # without a journal the plan must be the same


def test_a_resumed_apply_re_reads_what_its_journal_says_was_applied(tmp_path: Path) -> None:
    """The journal is a claim, not the truth: a create whose object someone deleted since, or
    an object changed since, is planned again; a delete whose object is back is not done."""
    from superpod_iac.netbox.apply import Journal
    from superpod_iac.netbox.saved import journal_key, verify_journal

    d, saved = _plan()
    journal = Journal(tmp_path / "plan.journal")
    journal.record([saved.changes[0]], [11])  # the rack, created as id 11
    journal.record(saved.changes[1:])  # the cable update (id 42) and the device delete (id 9)
    done = journal.done()
    assert done[journal_key(saved.changes[0])] == 11
    live = Live(None, d)
    live._remember("racks", ("h", "r1"), {"id": 11, "name": "r1"})
    cable = saved.changes[1].key
    live._remember("cables", cable, {"id": 42})
    nothing_left = Plan()
    held, lost = verify_journal(done, nothing_left, live.records)
    assert held == set(done) and lost == []
    # someone deleted the rack since: the create is not trusted, the new plan re-creates it
    del live.records["racks"][("h", "r1")]
    again = Plan(changes=[saved.changes[0]])
    held, lost = verify_journal(done, again, live.records)
    assert journal_key(saved.changes[0]) not in held
    assert any("no longer has it" in m and "racks" in m for m in lost)
    assert stale(saved, again, held) == []  # the reviewed create, applied once more
    # someone changed the cable since: its update no longer holds, and the plan is stale
    changed = Plan(changes=[Change("update", "cables", cable, "a:p1 <> b:p1", {"length": 3.0},
                                   {"length": (7.0, 3.0)}, 42, "2026-12-07T20:00:00Z")])
    held, lost = verify_journal(done, changed, live.records)
    assert journal_key(saved.changes[1]) not in held
    assert any("changed it since" in m for m in lost)
    assert stale(saved, changed, held)
    # the deleted device is back under its old id: the delete is not done
    live._remember("devices", ("h", "old"), {"id": 9, "name": "old"})
    held, lost = verify_journal(done, nothing_left, live.records)
    assert journal_key(saved.changes[2]) not in held and any("has it again" in m for m in lost)


def test_bulk_creates_of_counted_types_never_mix_types_in_one_request() -> None:
    """NetBox keeps each device type's and module type's instance count in the type's row:
    two concurrent bulk requests adding instances of two types in opposite orders deadlock
    (seen on CloudMatrix 384's transceiver modules). Each request holds one type; every
    change is sent exactly once."""
    from superpod_iac.netbox.apply import _parts
    from superpod_iac.netbox.planning import Change

    for kind, field_name in (("modules", "module_type"), ("devices", "device_type")):
        todo = [Change("create", kind, (kind, f"x{i}"), f"x{i}",
                       {field_name: f"t{i % 3}", "name": f"x{i}"}) for i in range(700)]
        parts = _parts(kind, todo)
        assert all(len({c.fields[field_name] for c in p}) == 1 for p in parts), kind
        assert sorted(c.label for p in parts for c in p) == sorted(c.label for c in todo)


def _custom_field_live(description: str, ftype: str = "text",
                       object_types: tuple[str, ...] = ("dcim.cable",)) -> Live:
    """The design's own `superpod_medium` field, and NetBox holding a field of that name."""
    d = DesiredState("pod")
    _custom_fields(d)
    live = Live(None, d)
    live._remember("custom-fields", MEDIUM_FIELD, {
        "id": 5, "name": MEDIUM_FIELD, "label": "superpod-iac medium",
        "type": {"value": ftype, "label": ftype.upper()}, "object_types": list(object_types),
        "description": description, "last_updated": "t3"})
    return live


def _ours() -> str:
    d = DesiredState("pod")
    _custom_fields(d)
    return str(d.objects["custom-fields"][MEDIUM_FIELD].fields["description"])


@given(st.text(max_size=40).filter(lambda t: not t.startswith(OWNED_FIELD_MARK)),
       st.sampled_from(["text", "json", "select"]),
       st.lists(st.sampled_from(["dcim.cable", "dcim.device", "dcim.site"]), unique=True))
def test_an_operator_s_custom_field_with_the_tool_s_name_is_a_plan_error(
        description: str, ftype: str, object_types: list[str]) -> None:
    """Whatever its type and object types, a field without the mark is never reused (the push
    would write the design's values into it) nor modified: an error, so nothing is written."""
    live = _custom_field_live(description, ftype, tuple(object_types))
    changes = [c for c in plan_kind(live, "custom-fields") if c.key == MEDIUM_FIELD]
    assert [c.action for c in changes] == ["error"]
    assert "without superpod-iac's mark" in changes[0].message
    assert Plan(changes=changes).errors


def test_the_tool_s_own_custom_field_of_another_type_is_a_plan_error() -> None:
    live = _custom_field_live(_ours(), "json")
    changes = [c for c in plan_kind(live, "custom-fields") if c.key == MEDIUM_FIELD]
    assert [c.action for c in changes] == ["error"]
    assert "is of type 'json' in NetBox, 'text' in the design" in changes[0].message


def test_the_tool_s_own_custom_field_only_ever_gains_object_types() -> None:
    # as the design wants it: nothing to do
    live = _custom_field_live(_ours())
    assert [c for c in plan_kind(live, "custom-fields") if c.key == MEDIUM_FIELD] == []
    # an operator also put it on devices: kept (removing it would drop the devices' values)
    live = _custom_field_live(_ours(), object_types=("dcim.cable", "dcim.device"))
    assert [c for c in plan_kind(live, "custom-fields") if c.key == MEDIUM_FIELD] == []
    # an older push made it on another object type only: the cable is added, nothing removed
    live = _custom_field_live(_ours(), object_types=("dcim.device",))
    changes = [c for c in plan_kind(live, "custom-fields") if c.key == MEDIUM_FIELD]
    assert [c.action for c in changes] == ["update"]
    assert changes[0].fields["object_types"] == ["dcim.cable", "dcim.device"]
    # the operator's field never reaches apply: the plan has errors
    foreign = _custom_field_live("the ops team's cable medium")
    p = Plan(changes=plan_kind(foreign, "custom-fields"))
    assert p.errors and p.count("update") == 0
