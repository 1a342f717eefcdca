"""The devicetype-library's own JSON Schemas (vendored under netbox/schema/, refreshed by
scripts/netbox-refresh-schema), with the relaxations the library accepts today applied on load
(RELAXATIONS), so nothing valid upstream is rejected. A schema problem is a warning ("imported
anyway") unless the file lacks what identifies a type (manufacturer, model): then an error."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource

KINDS = ("devicetype", "moduletype", "racktype")
IDENTITY = ("manufacturer", "model")
"""Without these a file names no type: an error, the file is not imported."""

RELAXATIONS = (
    "device types: `is_full_depth` may be absent (NetBox defaults it to true)",
    "module bays: `position` may be absent",
    "console and console-server ports: `type` may be absent",
    "module types: `airflow`, `profile`, `attribute_data`, `module_bay_types` are allowed",
    "interfaces: `rf_role` is any text (components.json refers to a choice list the vendored "
    "generated_schema.json lacks)",
)
"""What upstream accepts that the vendored schema files (older index copies) still reject."""


def _multiple_of(validator: Validator, m: float, instance: object,
                 schema: Mapping[str, object]) -> Iterator[ValidationError]:
    """`multipleOf` with a float tolerance (161.36 is a multiple of 0.01 in decimal, though not
    in binary floating point); NaN and infinities are never multiples."""
    if (isinstance(instance, bool) or not isinstance(instance, int | float)
            or not validator.is_type(instance, "number")):
        return
    if not math.isfinite(instance):
        yield ValidationError(f"{instance!r} is not a finite number")
        return
    q = instance / m
    if abs(q - round(q)) > 1e-9 * max(1.0, abs(q)):
        yield ValidationError(f"{instance!r} is not a multiple of {m}")


_Validator = validators.extend(Draft202012Validator, {"multipleOf": _multiple_of})


def _relax(docs: dict[str, Any]) -> None:
    dev = docs["devicetype"]
    dev["required"] = [r for r in dev["required"] if r != "is_full_depth"]
    comp = docs["components"]["definitions"]
    comp["module-bay"]["required"] = ["name"]
    for key in ("console-port", "console-server-port"):
        comp[key]["required"] = ["name"]
    iface = docs["generated_schema"]["definitions"]["interface"]["properties"]
    iface.setdefault("rf_role", {"type": "string"})  # components.json refers to it
    props = docs["moduletype"]["properties"]
    props.setdefault("airflow", {"$ref": "urn:devicetype-library:generated-schema#/definitions/"
                                         "airflow"})
    props.setdefault("profile", {"type": "string"})
    props.setdefault("attribute_data", {"type": "object"})
    props.setdefault("module_bay_types", {"type": "array", "items": {"type": "string"}})


@lru_cache(maxsize=1)
def schemas() -> tuple[Registry, dict[str, Any]]:
    folder = resources.files("superpod_iac") / "netbox" / "schema"
    docs: dict[str, Any] = {}
    for name in (*KINDS, "components", "reusable", "generated_schema"):
        docs[name] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    docs = copy.deepcopy(docs)
    _relax(docs)
    registry: Registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d)) for d in docs.values() if "$id" in d)
    return registry, docs


def _one_line(problem: ValidationError) -> str:
    if problem.validator == "enum":
        return f"{problem.instance!r} is not a value the NetBox schema knows"
    if problem.validator == "additionalProperties":
        return problem.message
    text = problem.message.splitlines()[0]
    return text if len(text) <= 160 else text[:157] + "..."


def check(src: str, kind: str, data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one document against its kind's schema."""
    registry, docs = schemas()
    errors = [f"{src}: no {key}: not a NetBox {kind} (the schema requires it)"
              for key in IDENTITY if not isinstance(data.get(key), str) or not data.get(key)]
    seen: dict[str, int] = {}
    validator = _Validator(docs[kind], registry=registry)
    try:
        problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    except Exception as exc:  # a schema that cannot be applied is a warning
        return errors, [f"{src}: the NetBox {kind} schema could not be applied "
                        f"({type(exc).__name__}): imported unchecked"]
    for problem in problems:
        if problem.validator == "required" and not problem.absolute_path and any(
                f"'{k}'" in problem.message for k in IDENTITY):
            continue
        where = "/".join("*" if isinstance(p, int) else str(p)
                         for p in problem.absolute_path) or "(document)"
        key = f"{where}: {_one_line(problem)}"
        seen[key] = seen.get(key, 0) + 1
    warnings = [f"{src}: {key} (NetBox {kind} schema{f', {n} times' if n > 1 else ''}); "
                "imported anyway" for key, n in seen.items()]
    return errors, warnings
