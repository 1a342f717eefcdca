"""Every field of the manifest models is read by a rule, a computation or an output.

A field the user can write but nothing reads is a silent lie: the design says something the
validator ignores (issue #13: `max_inlet_c`, `airflow`, `input_voltage_v` were such fields).
"Read" means the field's name appears as an attribute access (`.name`) or a quoted key
(`"name"`) in the code that computes: physics, the model, the rules, BOM and metrics, renderers
and reporters (not the manifest models themselves, import lines, the CLI or the NetBox importer,
which only copy fields through).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from superpod_iac.manifest import KINDS

PACKAGE = Path(__file__).resolve().parents[2] / "superpod_iac"
# Envelope fields handled generically by the loader (every kind has them).
ENVELOPE = {"api_version", "kind", "metadata", "spec", "name", "labels", "description"}


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                _models(t, seen)
            stack.extend(typing.get_args(t))


def fields() -> list[tuple[str, str]]:
    seen: set[type[BaseModel]] = set()
    for model in KINDS.values():
        _models(model, seen)
    return sorted({(m.__name__, f) for m in seen for f in m.model_fields} - {
        (m.__name__, f) for m in seen for f in ENVELOPE})


SKIP = {"manifest", "importer.py", "cli", "source", "docsgen.py"}


def _code() -> str:
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if not SKIP & set(p.relative_to(PACKAGE).parts)]
    lines = (line for p in files for line in p.read_text(encoding="utf-8").splitlines()
             if not line.lstrip().startswith(("from ", "import ")))
    # a rule's `inputs=` declaration names fields ("Model.field"): naming is not reading
    return re.sub(r"inputs=\([^)]*\)", "", "\n".join(lines))


# Fields still unread whose reader belongs to work outside the physics rules (issue #13's other
# helpers and outputs). Each entry says who reads it; the test below fails once it is read, so
# the list only shrinks.
PENDING = {
    "rail_aligned": "topology shape checks (issue #13 item 7)",
    "cpus": "summary metrics (CPU count), model/counts.py",
}


def _read(name: str, code: str) -> bool:
    return re.search(rf"\.{name}\b|[\"']{name}[\"']", code) is not None


def test_every_manifest_field_is_read() -> None:
    code = _code()
    unread = [f"{model}.{name}" for model, name in fields()
              if name not in PENDING and not _read(name, code)]
    assert not unread, f"manifest fields nothing reads (read them in a rule or remove them): {unread}"


def test_pending_fields_are_still_unread() -> None:
    code = _code()
    names = {name for _model, name in fields()}
    stale = sorted(n for n in PENDING if n not in names or _read(n, code))
    assert not stale, f"remove from PENDING (now read or gone): {stale}"


def test_field_list_is_not_empty() -> None:
    assert ("DeviceType", "max_inlet_c") in fields()


def test_fields_named_in_issue_13_are_read_by_rules() -> None:
    rules = "\n".join(p.read_text(encoding="utf-8") for p in sorted((PACKAGE / "rules").glob("*.py")))
    for name in ("max_inlet_c", "airflow", "input_voltage_v", "input_phases", "cooling",
                 "patch_panels", "fibres"):
        assert re.search(rf"\.{name}\b", rules), name
