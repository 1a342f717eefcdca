"""A corpus of nasty files: each gets a clear diagnostic (or is harmlessly ignored), never a
traceback, a hang or exit code 3."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"

# file -> (exit code, rule IDs reported)
EXPECTED: dict[str, tuple[int, set[str]]] = {
    "absurd.yaml": (1, {"SCH004"}),            # 1e30 W: beyond the schema's magnitude bound
    "billion-laughs.yaml": (1, {"SCH007"}),    # alias expansion budget
    "binary-tag.yaml": (1, {"SCH006"}),
    "binary.yaml": (1, {"SCH009"}),
    "comment-only.yaml": (0, set()),           # no document: nothing to check
    "crlf.yaml": (0, set()),
    "custom-tag.yaml": (1, {"SCH006"}),
    "deep.yaml": (1, {"SCH007"}),              # nesting depth limit
    "empty.yaml": (0, set()),
    "future-version.yaml": (1, {"SCH005"}),
    "inf.yaml": (1, {"SCH004"}),               # 1e400 parses as inf: rejected
    "list-key.yaml": (1, {"SCH004", "SCH005"}),
    "long-line.yaml": (0, set()),              # a 200 kB line is fine
    "nan.yaml": (1, {"SCH004"}),
    "negative-slots.yaml": (1, {"SCH004"}),
    "power-cycle.yaml": (1, {"REF004"}),
    "separators-only.yaml": (0, set()),
    "tabs.yaml": (1, {"SCH001"}),
    "unicode-name.yaml": (1, {"SCH004"}),      # RTL override / zero-width space in a name
    "utf16.yaml": (1, {"SCH009"}),
    "utf8-bom.yaml": (0, set()),               # a UTF-8 byte-order mark is accepted
    "zero-rating.yaml": (1, {"SCH004"}),
}


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nasty_file(name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "validate", "--format", "json",
                           str(CORPUS / name)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    code, rules = EXPECTED[name]
    assert "Traceback" not in proc.stderr
    assert proc.returncode == code, proc.stdout + proc.stderr
    found = {d["rule"] for d in json.loads(proc.stdout)["diagnostics"]}
    assert found == rules
