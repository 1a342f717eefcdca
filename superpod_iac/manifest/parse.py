"""Parse loaded documents into typed manifests; pydantic errors become SCH diagnostics."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from superpod_iac import API_VERSION
from superpod_iac.diagnostics import Diagnostic, Origin, Path, Severity
from superpod_iac.manifest import KINDS
from superpod_iac.source.loader import Document, SourceFile

API_GROUP = API_VERSION.split("/")[0] + "/"


@dataclass
class Manifest:
    """A typed manifest plus the document it came from (for positions)."""

    kind: str
    name: str
    model: Any
    document: Document

    @property
    def origin(self) -> Origin:
        return Origin(self.document.file, self.document.index, ())


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path:
    """Map a pydantic error location onto the data path, skipping union/tag segments."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        if (isinstance(cur, dict) and isinstance(part, str) and part in cur) or (isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and out[-1:] != [part]:
            # a missing or extra key: keep it so the position falls back to its parent
            out.append(part)
            cur = None
    return tuple(out)


def _model_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names valid at the parent of `loc`, for did-you-mean hints."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            current = None
            continue
        current = _inner_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None) or {}
    return [f.alias or n for n, f in fields.items()]


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _literal_hint(err: Any, got: object) -> str:
    """`did you mean 'mpo-12'?` for a mistyped enumerated name (connector, PHY, medium)."""
    if err["type"] != "literal_error" or not isinstance(got, str):
        return ""
    options = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
    by_key = {o.lower(): o for o in options}
    close = difflib.get_close_matches(got.lower(), list(by_key), n=1, cutoff=0.5)
    return f"did you mean '{by_key[close[0]]}'?" if close else ""


def _diagnostics(exc: ValidationError, model: type[BaseModel], doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[Path, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(doc.data, loc)
        etype = err["type"]
        field = str(path[-1]) if path else "document"
        if etype == "extra_forbidden":
            rule = "SCH003"
            known = _model_fields(model, loc)
            close = difflib.get_close_matches(field, known, n=1)
            msg = f"unknown field '{field}'"
            hint = f"did you mean '{close[0]}'?" if close else (
                "allowed here: " + ", ".join(sorted(known)) if known else "remove the field")
        elif etype == "missing":
            rule = "SCH010"
            msg = f"required field '{field}' is missing"
            hint = "add the field (see docs/manifests.md)"
        else:
            rule = "SCH004"
            got = err.get("input")
            shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{'.'.join(str(p) for p in path) or 'document'}: {err['msg']} (got {shown})"
            hint = _literal_hint(err, got) or "fix the value's type or range (see the schema in schemas/)"
        key = (path, rule)
        if key in seen and rule == "SCH004":
            continue  # one message per field for union mismatches
        seen.add(key)
        line, col = doc.position(path)
        out.append(Diagnostic(rule, Severity.ERROR, msg, doc.file, line, col, path, hint,
                              doc.index))
    return out


def parse_documents(files: list[SourceFile]) -> tuple[list[Manifest], list[Diagnostic]]:
    """Typed manifests from every document that declares our apiVersion; others are ignored."""
    manifests: list[Manifest] = []
    diags: list[Diagnostic] = []
    for src in files:
        for doc in src.documents:
            data = doc.data
            if not isinstance(data, dict) or not doc.trusted:
                continue
            api = data.get("apiVersion")
            if not isinstance(api, str) or not api.startswith(API_GROUP):
                continue
            line, col = doc.position(("apiVersion",))
            if api != API_VERSION:
                diags.append(Diagnostic(
                    "SCH005", Severity.ERROR, f"unsupported apiVersion '{api}'", doc.file, line,
                    col, ("apiVersion",), f"use apiVersion: {API_VERSION}", doc.index))
                continue
            kind = data.get("kind")
            model = KINDS.get(kind) if isinstance(kind, str) else None
            if model is None:
                close = difflib.get_close_matches(str(kind), list(KINDS), n=1)
                line, col = doc.position(("kind",))
                diags.append(Diagnostic(
                    "SCH005", Severity.ERROR, f"unknown kind '{kind}'", doc.file, line, col,
                    ("kind",), f"did you mean '{close[0]}'?" if close else
                    "kinds: " + ", ".join(KINDS), doc.index))
                continue
            try:
                obj = model.model_validate(data)
            except ValidationError as exc:
                diags.extend(_diagnostics(exc, model, doc))
                continue
            manifests.append(Manifest(kind, obj.metadata.name, obj, doc))
    return manifests, diags
