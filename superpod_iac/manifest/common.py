"""Shared pieces of every manifest kind: strict base model, metadata, constrained numbers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from superpod_iac import API_VERSION


def empty_list() -> list[Any]:
    """`Field(default_factory=empty_list)` instead of `list`: pydantic asks each default factory
    for its signature when the class is built, and `inspect.signature(list)` parses the builtin's
    text signature with the tokenizer (compiling its regular expressions: ~5 ms of a
    pre-commit run for 35 fields); a Python function answers at once. Same default, same schema."""
    return []


# Bounds keep absurd magnitudes out of the physics (a 10^300 kW cabinet is a typo, not a design).
_BIG = 1e9


class Strict(BaseModel):
    """Base for every manifest object: unknown fields and NaN/inf are schema errors, and types
    are strict: `true` is not a number and `"12"` is not 12 (no silent coercion)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=False,
                              strict=True, defer_build=True)
    """defer_build: a model's validator is built on first use, so a run pays only for the kinds
    its files hold (the Catalog models alone cost ~40 ms to build)."""


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.{}\[\]\-,/:]+$"),
]
"""An object name; may hold a nodeset range (`tray[01-18]`) or `{i}` / `{name}` substitutions."""

Ref = Annotated[str, StringConstraints(min_length=1, max_length=400)]
"""A reference to another object by name (`cabinet/device:port` for ports)."""

Range = Annotated[str, StringConstraints(pattern=r"^[^\s]*(\[[0-9,\-/]+\]|\{[a-z_]+\})[^\s]*$")]
"""A template string expanded in lockstep with the object's name range (`[11-28]`, `{i}`)."""

NonNeg = Annotated[float, Field(ge=0, le=_BIG)]
Pos = Annotated[float, Field(gt=0, le=_BIG)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
PosCount = Annotated[int, Field(ge=1, le=10_000_000)]
Temperature = Annotated[float, Field(ge=-50, le=150)]
UPos = Annotated[int, Field(ge=0, le=200)]
Labels = dict[Annotated[str, StringConstraints(max_length=100)],
              Annotated[str, StringConstraints(max_length=200)]]


class Metadata(Strict):
    name: Name
    labels: Labels = Field(default_factory=dict)
    description: str | None = None


class ManifestBase(Strict):
    """Kubernetes-style envelope shared by every kind."""

    api_version: Literal["superpod-iac/v1alpha1"] = Field(alias="apiVersion")
    metadata: Metadata

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True,
                              strict=True, defer_build=True)


assert API_VERSION == "superpod-iac/v1alpha1"
