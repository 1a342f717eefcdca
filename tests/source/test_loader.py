"""source/: positions, plain types only, and every broken file becomes a diagnostic."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from superpod_iac.source.loader import LoadLimits, load_file


def _write(tmp_path: Path, text: str | bytes, name: str = "m.yaml") -> str:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return str(p)


def test_positions_for_every_node(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: 1\nb:\n  - x\n  - {c: 2.5}\n---\nz: true\n"))
    assert not src.diagnostics
    d0, d1 = src.documents
    assert d0.data == {"a": 1, "b": ["x", {"c": 2.5}]}
    assert d0.positions[("a",)] == (1, 1)
    assert d0.positions[("b", 1)] == (4, 5)
    assert d0.positions[("b", 1, "c")] == (4, 6)
    assert d1.index == 1 and d1.data == {"z": True}
    assert d0.position(("b", 1, "missing", "deeper")) == (4, 5)


def test_duplicate_key_is_a_diagnostic(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: 1\nb: 2\na: 3\n"))
    [d] = src.diagnostics
    assert (d.rule, d.line, d.column) == ("SCH002", 3, 1)
    assert "first defined on line 1" in d.message


def test_syntax_error_keeps_earlier_documents(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: 1\n---\nb: [1, 2\n"))
    assert [d.data for d in src.documents] == [{"a": 1}]
    [d] = src.diagnostics
    assert d.rule == "SCH001" and d.line >= 3


def test_unsafe_tags_are_not_constructed(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: !!python/object/apply:os.system [echo hi]\n"
                                     "b: !custom 3\n"))
    rules = sorted((d.rule, d.line) for d in src.diagnostics)
    assert rules == [("SCH006", 1), ("SCH006", 2)]
    assert src.documents[0].data["b"] == "3"  # kept as a plain string, never instantiated


def test_billion_laughs_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    start = time.process_time()
    src = load_file(path, LoadLimits(max_nodes=100_000))
    assert time.process_time() - start < 5  # generous: the budget stops it in milliseconds
    assert [d.rule for d in src.diagnostics] == ["SCH007"]
    assert src.documents == []


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: " + "[" * 200 + "]" * 200 + "\n"))
    assert [d.rule for d in src.diagnostics] == ["SCH007"]


def test_binary_and_bad_encoding(tmp_path: Path) -> None:
    binary = load_file(_write(tmp_path, b"\x00\x01\x02junk", "bin.yaml"))
    assert [d.rule for d in binary.diagnostics] == ["SCH009"]
    latin1 = load_file(_write(tmp_path, "name: caf\xe9\nb: 1\n".encode("latin-1"), "l1.yaml"))
    [d] = latin1.diagnostics
    assert d.rule == "SCH009" and d.line == 1 and "UTF-8" in d.message


def test_file_too_large(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: 1\n" * 1000), LoadLimits(max_bytes=100))
    [d] = src.diagnostics
    assert d.rule == "SCH008" and "5,000 bytes > limit 100" in d.message


def test_inline_ignore_comments(tmp_path: Path) -> None:
    src = load_file(_write(tmp_path, "a: 1  # superpod: ignore[PWR001, spc]\nb: 2\n"))
    assert src.ignores == {1: frozenset({"PWR001", "SPC"})}


def test_symlinks_inside_followed_once_outside_refused(tmp_path: Path) -> None:
    from superpod_iac.source.loader import discover

    project = tmp_path / "proj"
    (project / "pod").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "pod" / "a.yaml").write_text("a: 1\n")
    (project / "cluster").mkdir()
    (project / "cluster" / "pod").symlink_to(project / "pod")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("s: 1\n")
    (project / "cluster" / "leak").symlink_to(outside)
    found = discover([project])
    assert [Path(f).name for f in found.files] == ["a.yaml"]  # read once, not twice
    assert [Path(e).name for e in found.escaped] == ["leak"]
    only_cluster = discover([project / "cluster"])
    assert [Path(f).name for f in only_cluster.files] == ["a.yaml"]


def test_yaml_suffix_in_any_case_is_found_and_skipped_folders_are_the_documented_ones(
        tmp_path: Path) -> None:
    """`cabinet.YAML` is a manifest too (a design saved on a case-insensitive file system
    validated clean before, its cabinets unread); the folders not searched are exactly the
    ones docs/manifests.md lists."""
    from superpod_iac.source.loader import SKIP_DIRS, discover

    for name in ("a.yaml", "b.YAML", "c.Yml", "d.yml.txt", "e.json"):
        (tmp_path / name).write_text("a: 1\n")
    for folder in (*SKIP_DIRS, ".old", "kept"):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / "x.yaml").write_text("a: 1\n")
    found = sorted(Path(f).relative_to(tmp_path).as_posix() for f in discover([tmp_path]).files)
    assert found == ["a.yaml", "b.YAML", "c.Yml", "kept/x.yaml"]
    hidden = discover([tmp_path / ".old"])   # a folder named on the command line is searched
    assert [Path(f).name for f in hidden.files] == ["x.yaml"]
    docs = (Path(__file__).parents[2] / "docs" / "manifests.md").read_text(encoding="utf-8")
    assert all(f"`{d}`" in docs for d in SKIP_DIRS), "docs/manifests.md must list SKIP_DIRS"


_WORDS = ["010", "0o10", "0x1F", "1_000", "1e3", "1.5", "-7", "+3", ".inf", "-.nan", "yes", "no",
          "on", "true", "False", "null", "~", "", "abc", "n[01-18]", "12:30"]


@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(["", "'", '"'])),
                min_size=1, max_size=30))
def test_scalars_read_as_yaml_1_2_reads_them_however_often_they_repeat(
        items: list[tuple[str, str]]) -> None:
    """The reader resolves each plain scalar's text once per document and takes quoted ones
    as strings: the values are YAML 1.2's (ruamel's own safe loader), repeated or not."""
    from ruamel.yaml import YAML

    from superpod_iac.source.loader import load_bytes

    lines = [f"k{i}: {q}{w}{q}" for i, (w, q) in enumerate(items)]
    lines += [f"- {q}{w}{q}" for w, q in items]
    text = "\n".join(lines[: len(items)]) + "\nlist:\n" + "\n".join(
        "  " + line for line in lines[len(items):]) + "\n"
    expected = YAML(typ="safe", pure=True).load(text)
    got = load_bytes("t.yaml", text.encode()).documents[0].data
    assert _same(got, expected), (got, expected)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and a != a:
        return b != b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
