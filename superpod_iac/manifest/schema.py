"""JSON Schemas generated from the manifest models: one per kind plus a bundle.

The files in `schemas/` are committed; `superpod schema --check` (and a test) fail when they are
stale. Editors pick them up through `# yaml-language-server: $schema=...` modelines.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic.json_schema import models_json_schema

from superpod_iac import API_VERSION
from superpod_iac.manifest import KINDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://superpod-iac.dev/schemas/"
BUNDLE = "superpod.schema.json"


def file_name(kind: str) -> str:
    return f"{kind.lower()}.schema.json"


def _dump(schema: dict[str, object]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name -> schema text, deterministic."""
    out: dict[str, str] = {}
    for kind in KINDS:
        out[file_name(kind)] = _dump(_kind_schema(kind))
    _, defs = models_json_schema([(m, "validation") for m in KINDS.values()], by_alias=True)
    bundle = {
        "$schema": DRAFT,
        "$id": BASE_ID + BUNDLE,
        "title": f"superpod-iac manifest, any kind ({API_VERSION})",
        "description": "One document of any superpod-iac kind; `kind` selects the schema, so "
                       "an error in a Cabinet is reported against the Cabinet schema.",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"apiVersion": {"const": API_VERSION}, "kind": {"enum": list(KINDS)}},
        # if/then on `kind` rather than oneOf: validators report the matching kind's errors
        # instead of "not valid under any of the given schemas" / "Catalog was expected"
        "allOf": [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                   "then": {"$ref": f"#/$defs/{kind}"}} for kind in KINDS],
        "$defs": defs["$defs"],
    }
    out[BUNDLE] = _dump(bundle)
    return dict(sorted(out.items()))


def _kind_schema(kind: str) -> dict[str, object]:
    schema = KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DRAFT, "$id": BASE_ID + file_name(kind),
            "title": f"superpod-iac {kind} ({API_VERSION})", **schema}


def kind_schema(kind: str) -> str | None:
    """The schema of one kind, case-insensitive (`cabinet`, `Cabinet`); `bundle` for the
    any-kind bundle; None when there is no such kind."""
    key = kind.strip().lower()
    if key in ("bundle", BUNDLE):
        return generate()[BUNDLE]
    for name in KINDS:
        if key in (name.lower(), file_name(name)):
            return _dump(_kind_schema(name))
    return None


def stale(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    problems = []
    for name, text in generate().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            problems.append(name)
    extra = {p.name for p in directory.glob("*.schema.json")} - set(generate())
    problems.extend(sorted(extra))
    return problems
