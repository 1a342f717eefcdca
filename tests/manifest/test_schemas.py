"""Generated JSON Schemas: valid Draft 2020-12, in sync, and they accept the specs."""

from __future__ import annotations

import json

import jsonschema
import pytest

from superpod_iac.manifest.schema import generate
from superpod_iac.source.loader import load_paths
from tests.conftest import ROOT, SPECS


@pytest.mark.parametrize("name", sorted(generate()))
def test_schema_passes_metaschema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(generate()[name]))


def test_committed_schemas_match_models() -> None:
    for name, text in generate().items():
        assert (ROOT / "schemas" / name).read_text(encoding="utf-8") == text, name


def test_bundle_accepts_every_spec_document() -> None:
    bundle = json.loads(generate()["superpod.schema.json"])
    validator = jsonschema.Draft202012Validator(bundle)
    count = 0
    for src in load_paths([str(SPECS)]):
        for doc in src.documents:
            errors = list(validator.iter_errors(doc.data))
            assert not errors, f"{src.path}: {errors[0].message}"
            count += 1
    assert count >= 6


def test_bundle_rejects_unknown_field() -> None:
    bundle = json.loads(generate()["superpod.schema.json"])
    bad = {"apiVersion": "superpod-iac/v1alpha1", "kind": "Cabinet", "metadata": {"name": "x"},
           "spec": {"type": "nvl72-rack", "feed": []}}
    assert list(jsonschema.Draft202012Validator(bundle).iter_errors(bad))
