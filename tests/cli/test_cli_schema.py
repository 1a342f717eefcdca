"""`superpod schema --print KIND`, schemas shipped in the package, and the bundle schema's
kind discriminator (an error in a Cabinet is reported against the Cabinet schema)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema

from superpod_iac.manifest import KINDS
from superpod_iac.manifest.schema import BUNDLE, generate
from tests.conftest import ROOT

CHECK = Path(sys.executable).with_name("check-jsonschema")


def test_print_writes_one_kind_to_stdout(cli) -> None:
    res = cli("schema", "--print", "powersystem")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["title"] == "PowerSystem" and doc["$id"].endswith("powersystem.schema.json")
    assert doc["properties"]["kind"]["const"] == "PowerSystem"
    # the Superpod kind, not the any-kind bundle that shares its file name
    sp = json.loads(cli("schema", "--print", "Superpod").out)
    assert sp["properties"]["kind"]["const"] == "Superpod"
    assert json.loads(cli("schema", "--print", "bundle").out)["$id"].endswith(BUNDLE)


def test_print_unknown_kind_is_a_usage_error_with_did_you_mean(cli) -> None:
    res = cli("schema", "--print", "Cabnet")
    assert res.code == 2 and res.out == ""
    assert "did you mean 'Cabinet'?" in res.err


def test_schemas_ship_inside_the_package() -> None:
    shipped = resources.files("superpod_iac") / "schemas"
    names = sorted(p.name for p in shipped.iterdir() if p.name.endswith(".json"))
    assert names == sorted(generate())
    for name, text in generate().items():
        assert (shipped / name).read_text(encoding="utf-8") == text, name
    data = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"schemas/*.json"' in data, "package-data must include the schemas"


def _cabinet_with_typo() -> dict:
    return {"apiVersion": "superpod-iac/v1alpha1", "kind": "Cabinet",
            "metadata": {"name": "rk1"}, "spec": {"type": "rack", "feeeds": ["a"]}}


def test_bundle_reports_a_cabinet_error_against_the_cabinet_schema() -> None:
    bundle = json.loads(generate()[BUNDLE])
    errors = list(jsonschema.Draft202012Validator(bundle).iter_errors(_cabinet_with_typo()))
    assert errors
    best = jsonschema.exceptions.best_match(errors)
    assert list(best.absolute_path) == ["spec"] and "feeeds" in best.message
    messages = " ".join(e.message for e in errors)
    assert "was expected" not in messages and "any of the given schemas" not in messages
    unknown = {**_cabinet_with_typo(), "kind": "Cabinett"}
    errs = list(jsonschema.Draft202012Validator(bundle).iter_errors(unknown))
    assert any(list(e.absolute_path) == ["kind"] for e in errs)
    for kind in KINDS:  # each kind's branch points at that kind's definition
        assert {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{kind}"}} in bundle["allOf"]


def test_check_jsonschema_names_the_field_not_another_kind(tmp_path: Path) -> None:
    f = tmp_path / "cab.yaml"
    f.write_text("apiVersion: superpod-iac/v1alpha1\nkind: Cabinet\nmetadata: {name: rk1}\n"
                 "spec:\n  type: rack\n  feeeds: [a]\n", encoding="utf-8")
    res = subprocess.run([str(CHECK), "--schemafile", str(ROOT / "schemas" / BUNDLE), str(f)],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1
    assert "'feeeds' was unexpected" in res.stdout
    assert "Catalog" not in res.stdout and "any of the given schemas" not in res.stdout
