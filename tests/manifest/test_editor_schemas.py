"""Editors: every spec file points at our schema, and a third-party validator (check-jsonschema)
agrees the specs are valid and a known-bad file is not."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SPECS

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)
CHECK = Path(sys.executable).with_name("check-jsonschema")


def test_every_spec_file_has_a_modeline_to_an_existing_schema() -> None:
    files = sorted(SPECS.rglob("*.yaml"))
    assert files
    for f in files:
        m = MODELINE.search(f.read_text(encoding="utf-8"))
        assert m, f"{f}: no yaml-language-server modeline"
        assert (f.parent / m.group(1)).resolve().is_file(), f"{f}: {m.group(1)} does not exist"


def _split(tmp: Path, files: list[Path]) -> list[str]:
    """check-jsonschema reads one document per file: give it one file per document."""
    out = []
    for f in files:
        for k, part in enumerate(f.read_text(encoding="utf-8").split("\n---\n")):
            target = tmp / f"{f.parent.name}-{f.stem}-{k}.yaml"
            target.write_text(part, encoding="utf-8")
            out.append(str(target))
    return out


def test_check_jsonschema_agrees(tmp_path: Path) -> None:
    schema = str(ROOT / "schemas" / "superpod.schema.json")
    docs = _split(tmp_path, sorted(SPECS.rglob("*.yaml")))
    ok = subprocess.run([str(CHECK), "--schemafile", schema, *docs], capture_output=True,
                        text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "tests/fixtures/rules/SCH003.yaml").read_text())
    res = subprocess.run([str(CHECK), "--schemafile", schema, str(bad)], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 1, res.stdout
