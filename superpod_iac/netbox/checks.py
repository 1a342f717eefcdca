"""A design's NetBox objects checked against NetBox's own rules before anything is written:
name lengths, slugs, choice values (cable types, port types, statuses, ...).

The limits and choices are NetBox's (schema/choices.json, written from an installed NetBox's
models and dcim/choices.py by scripts/netbox-refresh-schema), so a value NetBox would refuse
with HTTP 400 half-way through a push is a plan error instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from superpod_iac.netbox.desired import DesiredState

SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
"""NetBox's slug field (Django's validate_slug: `\\Z`, so a trailing newline is refused too)."""


@dataclass(frozen=True)
class Problem:
    kind: str
    key: Any
    label: str
    message: str


@cache
def netbox_rules() -> dict[str, Any]:
    """choices.json: {"choices": kind -> field -> values, "max_length": kind -> field -> n}."""
    path = resources.files("superpod_iac") / "netbox" / "schema" / "choices.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_fields(kind: str, fields: dict[str, Any], rules: dict[str, Any]) -> list[str]:
    """What NetBox would refuse in one object's fields (empty: nothing)."""
    out: list[str] = []
    for f, n in sorted(rules["max_length"].get(kind, {}).items()):
        v = fields.get(f)
        if isinstance(v, str) and len(v) > n:
            out.append(f"{f} {v!r} is {len(v)} characters long; NetBox allows {n}")
    slug = fields.get("slug")
    if isinstance(slug, str) and not SLUG.match(slug):
        out.append(f"slug {slug!r} is not a NetBox slug (letters, digits, '-' and '_' only)")
    for f, allowed in sorted(rules["choices"].get(kind, {}).items()):
        v = fields.get(f)
        if v in (None, ""):
            continue
        if str(v) not in {str(a) for a in allowed}:
            out.append(f"{f} {v!r} is not one of NetBox's {kind} {f} choices")
    return out


def check(desired: DesiredState) -> list[Problem]:
    rules = netbox_rules()
    out: list[Problem] = []
    for kind, wants in desired.objects.items():
        for key, want in wants.items():
            for msg in check_fields(kind, want.fields, rules):
                out.append(Problem(kind, key, want.label,
                                   f"{msg} (NetBox {rules.get('netbox_version', '?')})"))
    return out
