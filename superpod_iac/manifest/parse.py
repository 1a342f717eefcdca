"""Parse loaded documents into typed manifests; pydantic errors become SCH diagnostics."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ValidationError

from superpod_iac import API_VERSION
from superpod_iac.diagnostics import PENDING, Diagnostic, Origin, Path
from superpod_iac.manifest import KINDS
from superpod_iac.manifest.common import ManifestBase
from superpod_iac.source.loader import Document, SourceFile

API_GROUP = API_VERSION.split("/")[0] + "/"


K = TypeVar("K", covariant=True)
"""The kind's pydantic model (`Cabinet`, `Fabric`, ...): `Manifest[Fabric]` is a
`Manifest[ManifestBase]`."""
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Manifest(Generic[K]):
    """A typed manifest plus the document it came from (for positions)."""

    kind: str
    name: str
    model: K
    document: Document

    @property
    def origin(self) -> Origin:
        return Origin(self.document.file, self.document.index, ())


def of_kind(manifests: Iterable[Manifest[Any]], model: type[M]) -> list[Manifest[M]]:
    """The manifests of one kind, in order, typed by the kind's model (`of_kind(ms, Fabric)`)."""
    return [cast("Manifest[M]", m) for m in manifests if isinstance(m.model, model)]


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path:
    """Map a pydantic error location onto the data path, skipping union/tag segments."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        match cur, part:
            case dict(), str() if part in cur:
                out.append(part)
                cur = cur[part]
            case list(), int() if 0 <= part < len(cur):
                out.append(part)
                cur = cur[part]
            case dict(), str() if out[-1:] != [part]:
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
        out.append(Diagnostic(rule, PENDING, msg, doc.file, line, col, path, hint,
                              doc.index))
    return _one_per_typo(out)


def _one_per_typo(diags: list[Diagnostic]) -> list[Diagnostic]:
    """A misspelt required field is one mistake: keep `unknown field 'uu'` (did you mean 'u'?)
    and drop `required field 'u' is missing` at the same place."""
    meant = {(d.path[:-1], d.hint[len("did you mean '"):-2]) for d in diags
             if d.rule == "SCH003" and d.hint.startswith("did you mean '")}
    return [d for d in diags if not (d.rule == "SCH010" and (d.path[:-1], str(d.path[-1]) if
                                                              d.path else "") in meant)]


def _nested_manifest(data: Any, depth: int = 2) -> tuple[str | int, ...] | None:
    """Where a manifest of ours sits inside a document that is not one itself (a top-level
    list of manifests, a Kubernetes-style `items:` list), searched `depth` levels down."""
    if depth == 0:
        return None
    children: list[tuple[str | int, Any]] = list(enumerate(data)) if isinstance(data, list) \
        else [(k, v) for k, v in data.items() if isinstance(k, str)] if isinstance(data, dict) \
        else []
    for key, child in children:
        if isinstance(child, dict) and _claims(child):
            return (key,)
        below = _nested_manifest(child, depth - 1)
        if below is not None:
            return (key, *below)
    return None


def _looks_ours(data: Any) -> bool:
    """A mapping that claims (or nearly claims) our apiVersion, or names one of our kinds, or a
    document that holds one nested (which is then reported, never skipped)."""
    return (isinstance(data, dict) and _claims(data)) or _nested_manifest(data) is not None


def _claims(data: dict[Any, Any]) -> bool:
    api, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api, str) and (api.lower().startswith(API_GROUP.split("-")[0]) or
                                 difflib.SequenceMatcher(None, api, API_VERSION).ratio() >= 0.75):
        return True
    return isinstance(kind, str) and bool(difflib.get_close_matches(kind, list(KINDS), n=1,
                                                                      cutoff=0.75))


def _kind_problem(data: Any, doc: Document, named: bool) -> Diagnostic | None:
    """SCH005 for a document of ours whose apiVersion or kind is missing, misspelt or unknown."""
    def diag(path: tuple[str | int, ...], msg: str, hint: str) -> Diagnostic:
        line, col = doc.position(path)
        return Diagnostic("SCH005", PENDING, msg, doc.file, line, col, path, hint,
                          doc.index)

    nested = None if isinstance(data, dict) and _claims(data) else _nested_manifest(data)
    if nested is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in nested).lstrip(".")
        return diag(nested[:1], f"document {doc.index + 1} holds a manifest nested at {where}: "
                    "manifests are top-level documents, so it would not be read",
                    "write each manifest as its own document, separated by ---")
    if not isinstance(data, dict):
        shown = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
        return diag((), f"document {doc.index + 1} is {shown}, not a manifest",
                    "a manifest is a mapping with apiVersion, kind, metadata and spec")
    api, kind = data.get("apiVersion"), data.get("kind")
    if api is None:
        return diag((), "apiVersion is missing", f"add apiVersion: {API_VERSION}")
    if api != API_VERSION:
        close = difflib.get_close_matches(str(api), [API_VERSION], n=1, cutoff=0.5)
        return diag(("apiVersion",), f"unknown apiVersion '{api}'" if not str(api).startswith(
            API_GROUP) else f"unsupported apiVersion '{api}'",
            f"did you mean '{close[0]}'?" if close else f"use apiVersion: {API_VERSION}")
    if not isinstance(kind, str) or kind not in KINDS:
        close = difflib.get_close_matches(str(kind), list(KINDS), n=1)
        if kind is None:
            return diag((), "kind is missing", "kinds: " + ", ".join(KINDS))
        return diag(("kind",), f"unknown kind '{kind}'", f"did you mean '{close[0]}'?" if close
                    else "kinds: " + ", ".join(KINDS))
    return None


def parse_documents(files: list[SourceFile], named: set[str] | frozenset[str] = frozenset()
                    ) -> tuple[list[Manifest[ManifestBase]], list[Diagnostic]]:
    """Typed manifests from every document of ours; a document is never skipped silently.

    A file is ours when it was named on the command line or any of its documents claims our
    apiVersion (or nearly does, or names one of our kinds). In a file of ours every document
    must be a valid manifest: a misspelt, unknown or missing apiVersion or kind is SCH005 with
    a did-you-mean. Files found by walking a folder that hold no document of ours (CI configs,
    other tools' YAML) are not part of the design.
    """
    manifests: list[Manifest[ManifestBase]] = []
    diags: list[Diagnostic] = []
    for src in files:
        docs = [d for d in src.documents if d.data is not None and d.trusted]
        ours = src.path in named or any(_looks_ours(d.data) for d in docs)
        if not ours:
            continue
        for doc in docs:
            data = doc.data
            problem = _kind_problem(data, doc, src.path in named)
            if problem is not None:
                diags.append(problem)
                continue
            model = KINDS[data["kind"]]
            try:
                obj = model.model_validate(data)
            except ValidationError as exc:
                diags.extend(_diagnostics(exc, model, doc))
                continue
            manifests.append(Manifest(data["kind"], obj.metadata.name, obj, doc))
    return manifests, diags
