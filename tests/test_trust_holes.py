"""Trust holes of issue #32's second round, each attacked as a property rather than one example:
sink escaping (markdown, HTML, SARIF, dot), configuration provenance, limits vs the CPU promise,
the cache key's mode, YAML directives, diff revisions, diagram file names, killed writers and
source positions."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.render.labels import _CONTROL
from tests.test_trust import BASE, _poisoned_pickle, _run, _write


def test_a_cache_key_others_can_read_is_replaced_and_its_forgeries_rebuilt(tmp_path: Path
                                                                          ) -> None:
    """A key with mode 0644 may have been copied: like ssh, only 0600 is accepted. The key is
    replaced by a new one, so a cache entry forged with the old (readable) key is rebuilt, never
    unpickled."""
    cache, state = tmp_path / "cache", tmp_path / "state"
    env = {"SUPERPOD_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(state)}
    code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
    assert code == 0, out
    (entry,) = cache.glob("catalog-*.pickle")
    key = state / "superpod-iac" / "cache.key"
    for mode in (0o644, 0o640, 0o604):
        key.chmod(mode)
        leaked = key.read_bytes()
        marker = tmp_path / f"pwned-{mode:o}"
        evil = _poisoned_pickle(marker)
        entry.write_bytes(hmac.new(leaked, evil, hashlib.sha256).digest() + evil)
        code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
        assert code == 0 and "no findings" in out, out
        assert not marker.exists(), oct(mode)
        assert key.stat().st_mode & 0o777 == 0o600 and key.read_bytes() != leaked
        assert entry.read_bytes()[32:] != evil  # rebuilt under the new key


def _dot_graph(s: str) -> str:
    from superpod_iac.render.emit import to_dot
    from superpod_iac.render.graph import Cluster, Edge, Graph, Node
    from superpod_iac.render.labels import esc

    g = Graph(name="g", view="wiring", title=s, subtitle=[s], notes=[s])
    cl = Cluster(id="c", label=s, style="superpod")
    g.clusters.append(cl)
    g.add_node(Node("n1", s, "switch", tooltip=s), cl)
    g.add_node(Node("n2", esc(s), "switch", html=True, tooltip=s))
    g.add_edge(Edge("n1", "n2", "scale-up", label=s, tooltip=s))
    return to_dot(g)


def _undot(raw: str) -> str:
    """A quoted dot string's value as Graphviz draws it (`\\\\` -> `\\`, `\\n` -> line break)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], raw)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=30) | st.from_regex(r"[a-z\\\"\n]{0,6}\\", fullmatch=True))
def test_any_label_round_trips_through_dot(s: str) -> None:
    """Any string as a plain label, tooltip, cluster title or HTML label gives dot text that
    the real `dot` parses, and every plain label reads back exactly as written (a label
    ending in a backslash swallowed its closing quote: unparsable dot, exit 0)."""
    proc = subprocess.run(["dot", "-Tjson"], input=_dot_graph(s).encode(),
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    doc = json.loads(proc.stdout)
    labels = [o["label"] for o in doc["objects"] if o["name"] in ("cluster_c", "n1")]
    labels += [doc["edges"][0].get("label", ""), doc["edges"][0].get("tooltip", "")]
    expected = s if not _CONTROL.search(s.replace("\n", "")) else None
    for raw in labels:
        if expected is not None:
            assert _undot(raw) == expected, (raw, s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12) | st.sampled_from(
    ["standalone", "a/b", "a_b", "A_b", "a_b~1", "cabinets outside superpods", ".x", "_x"]),
    unique=True, max_size=8), st.booleans())
def test_distinct_diagram_groups_get_distinct_files(names: list[str], loose: bool) -> None:
    """Every pod, the loose-cabinet group and every cabinet get their own file name (the
    superpod `standalone` and the loose cabinets shared one), and a run writes each diagram
    to its own file even where names differ only in case."""
    from superpod_iac.render.output import unique_stem
    from superpod_iac.render.scope import STANDALONE, Pod
    from superpod_iac.render.wiring import cabinet_graph_name, pod_graph_name

    pods = [Pod(n, []) for n in names] + ([Pod(STANDALONE, [], standalone=True)] if loose else [])
    stems = ["wiring-cluster", "power", "cooling", "elevation"]
    stems += [pod_graph_name(p) for p in pods] + [cabinet_graph_name(n) for n in names]
    assert len(set(stems)) == len(stems), stems
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.~-]*", s) for s in stems), stems
    taken: set[str] = set()
    files = [unique_stem(s, taken) for s in stems + [s.upper() for s in stems]]
    assert len({f.casefold() for f in files}) == len(files)


@pytest.mark.parametrize("target", ["{outside}", "{outside}.missing", "../../../../../etc/passwd",
                                    "../elsewhere/x.yaml", "base.yaml"])
def test_a_revision_whose_manifest_links_out_of_the_tree_is_a_finding(tmp_path: Path,
                                                                       target: str) -> None:
    """`diff REV:PATH` extracts the revision with git archive; a manifest that is a symlink out
    of the tree (absolute, relative, dangling) made the extraction fail with exit 3. It is
    SCH011 at the link, on either side, as in a working tree; a link inside the tree is read."""
    outside = _write(tmp_path / "outside.yaml", "secret: 1\n")
    repo = tmp_path / "repo"
    d = repo / "d"
    _write(d / "base.yaml", Path(BASE).read_text(encoding="utf-8"))
    (d / "link.yaml").symlink_to(target.format(outside=outside))
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    (d / "link.yaml").unlink()
    for args in (["diff", "HEAD:d", "d"], ["diff", "d", "HEAD:d"]):
        code, out, _, _ = _run(args, cwd=repo)
        assert code in (0, 1) and "Traceback" not in out and "internal error" not in out, out
        inside = target == "base.yaml"
        assert ("SCH011" in out) != inside, out
        if not inside:
            assert "link.yaml:1:1: SCH011" in out and "superpod-diff-" not in out, out
    assert outside.read_text() == "secret: 1\n"


_LINES = ["apiVersion: superpod-iac/v1alpha1", "kind: Cabinet", "metadata:", "  name: x",
          "spec:", "  type: t  # superpod: ignore[SPC002]", "  devices:",
          "    - {name: d, type: 't', u: 1}", "  feeds: [a, b]"]
_ODD = st.sampled_from(["\u2028", "\u2029", "\x85", "\t", "é", "機", "x", " ", "\\", "'"])


def _where(text: str, at: int) -> tuple[int, int]:
    before = re.split("\r\n|[\r\n]", text[:at])
    return len(before), len(before[-1]) + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_LINES)), st.text(_ODD, max_size=6),
                          st.booleans()), max_size=4))
def test_positions_are_the_editors_whatever_the_comments_and_scalars_hold(
        edits: list[tuple[int, str, bool]]) -> None:
    """libyaml also breaks lines at NEL, U+2028 and U+2029, so one in a comment or a quoted
    scalar shifted every later position by a line. Any such characters in comment lines or
    in quoted values leave every node where an editor shows it, and the inline ignore on
    its own line."""
    from superpod_iac.source.loader import load_bytes

    lines = list(_LINES)
    for at, odd, as_comment in sorted(edits, reverse=True):
        indent = "  " if at > 4 else ""
        lines.insert(at, f"{indent}# c{odd}" if as_comment or not indent
                     else f'{indent}l{at}: "{odd}"')
    text = "\n".join(lines) + "\n"
    src = load_bytes("m.yaml", text.encode())
    if src.diagnostics:  # a break character that ends a comment early: said where it is
        d = src.diagnostics[0]
        assert d.rule in ("SCH001", "SCH002") and (d.line, d.column) <= _where(text, len(text))
        return
    (doc,) = src.documents
    for path, needle in ((("spec", "type"), "type: t"), (("spec", "feeds"), "feeds:"),
                         (("spec", "devices", 0), "{name")):
        assert doc.positions[path] == _where(text, text.index(needle)), (path, text)
    assert src.ignores == {_where(text, text.index("  type: t"))[0]: frozenset({"SPC002"})}


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len("\n".join(_LINES))), st.sampled_from(
    [chr(c) for c in [*range(1, 9), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0xfffe]]))
def test_a_refused_character_is_reported_where_it_is(at: int, bad: str) -> None:
    """A control character (BEL) was reported at 1:1 wherever it stood."""
    from superpod_iac.source.loader import load_bytes

    good = "\n".join(_LINES) + "\n"
    text = good[:at] + bad + good[at:]
    src = load_bytes("m.yaml", text.encode())
    (d,) = src.diagnostics
    assert d.rule == "SCH001" and (d.line, d.column) == _where(text, at), (d, repr(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from([None, 0, 1, 2, 3, 9])),
                min_size=1, max_size=3))
def test_a_yaml_version_other_than_1_2_is_an_error_at_its_directive(
        docs: list[tuple[int, int | None]]) -> None:
    """Under `%YAML 1.1` the author's `010` is octal 8 and `yes` is true; read as 1.2 they are
    10 and a string. Any document announcing a version other than 1.2 is SCH001 at the
    directive's line, whatever else the file holds; 1.2 (or no directive) is read as it is."""
    from superpod_iac.source.loader import load_bytes

    parts: list[str] = []
    expected: list[int] = []
    read = 0
    for comments, minor in docs:
        if parts:
            parts.append("...")
        parts += ["# note"] * comments
        if minor is not None:
            parts.append(f"%YAML 1.{minor}")
            if minor != 2:
                expected.append(len(parts))
            if minor not in (1, 2):  # libyaml refuses the version: the file stops here
                break
        parts += ["---", "a: 010", "b: yes"]
        read += 1
    src = load_bytes("m.yaml", ("\n".join(parts) + "\n").encode())
    found = [(d.rule, d.line, d.column) for d in src.diagnostics]
    assert found == [("SCH001", line, 1) for line in expected], ("\n".join(parts), found)
    assert [d.data for d in src.documents] == [{"a": 10, "b": "yes"}] * read


_HOSTILE_MD = ["@bob", "@org/team", "<img src=x onerror=alert(1)>", "[x](https://e.vil)",
               "![i](x)", "</details>", "<!--", "-->", "\u202e", "\u2066", "\x1b[2J", "\n",
               "https://e.vil", "www.e.vil", "a@b.co", "mailto:a@b.co", "#12", "GH-1", "|",
               "`", "``", "*", "**", "_", "~~", "$x$", "&amp;", "&#64;", "\\", "1.", "- ",
               "> ", "# ", "===", "<https://x.y>", "[^1]", ":"]
_MD_TEXT = st.lists(st.sampled_from(_HOSTILE_MD) | st.text(max_size=4), max_size=8).map("".join)


def _gfm(text: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


@settings(max_examples=400, deadline=None)
@given(_MD_TEXT)
def test_any_name_in_a_pull_request_comment_shows_as_written_and_does_nothing(s: str) -> None:
    """GitHub's own markdown (cmark-gfm, with autolinks, tables, strikethrough and raw HTML
    allowed as in a comment) renders `escape.markdown(s)` in prose and in a table cell as
    plain text equal to `s` (controls and bidi shown as escapes): no element at all (link,
    image, HTML, code, emphasis), no @mention or #reference for GitHub to resolve."""
    from superpod_iac.report.escape import markdown, terminal

    m = markdown(s)
    assert "\n" not in m and "\r" not in m
    expected = " ".join(f"A {terminal(s)} B".replace("\u200b", "").split())
    for doc, tag in ((f"A {m} B", "p"), (f"| h |\n|---|\n| A {m} B |", "td")):
        out = _gfm(doc)
        inner = re.search(f"<{tag}>(.*)</{tag}>", out, re.S)
        assert inner is not None, (doc, out)
        assert "<" not in inner[1], (s, m, out)
        text = html.unescape(inner[1])
        assert " ".join(text.replace("\u200b", "").split()) == expected, (s, m, out)
        assert not re.search(r"@[A-Za-z0-9]|#[0-9]", text), (s, text)


@settings(max_examples=300, deadline=None)
@given(_MD_TEXT)
def test_html_and_sarif_text_escape_any_string(s: str) -> None:
    """HTML: no markup survives and the text reads back with controls and bidi overrides
    visible. SARIF: `[`, `]` and `\\` are escaped (SARIF 2.1.0 3.11.6), so no embedded link
    can be forged, and the text reads back as written."""
    from superpod_iac.report.escape import html_text, sarif_text, terminal

    h = html_text(s)
    assert not re.search(r"[<>\"'\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", h)
    assert html.unescape(h) == re.sub("[^\n\t]+", lambda m: terminal(m[0]), s)
    t = sarif_text(s)
    assert not re.search(r"(?<!\\)(?:\\\\)*[\[\]]", t), t
    assert re.sub(r"\\(.)", r"\1", t) == terminal(s)


@settings(max_examples=300, deadline=None)
@given(_MD_TEXT)
def test_css_string_escapes_any_string(s: str) -> None:
    """CSS (the printed report's footer): one quoted string that no quote, backslash, line
    break or `<` of the text can end, reading back as the text with controls visible."""
    from superpod_iac.report.escape import css_string, terminal

    c = css_string(s)
    assert c[0] == c[-1] == '"' and not re.search(r"[\"'<>\n\r\x00-\x1f\x7f-\x9f]", c[1:-1])
    assert re.fullmatch(r'"(?:[^\\]|\\[0-9a-f]{6})*"', c), c
    assert re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m[1], 16)), c[1:-1]) == terminal(s)


def test_hostile_design_name_is_inert_in_the_report_footer() -> None:
    """The design's name is in the print footer (CSS) and the title block (HTML)."""
    from superpod_iac.htmlreport import ReportData, Revision, render_page

    name = '"; } </style><script>alert(1)</script> \\"\n@page { x'
    page = render_page(ReportData(name, 1, [], [], [], [], {}, [],
                                  revision=Revision(None, False, None, name)))
    assert page.count("</style>") == 1 and "<script>alert" not in page
    style = page[page.index("<style>"):page.index("</style>")]
    assert name not in style and "@bottom-left" in style


_HOSTILE_KEY = '"[x](https://e.vil) @bob <img src=x> </details> <!-- \\u202e #1"'


def test_hostile_names_are_inert_in_sarif_html_and_markdown(tmp_path: Path) -> None:
    """End to end: an unknown field named like an attack, through validate's SARIF, the
    HTML report and the diff's markdown comment."""
    from tests.test_trust import CLEAN_CABINET

    f = _write(tmp_path / "c.yaml", CLEAN_CABINET.replace(
        "type: nvl72-rack", f"type: nvl72-rack\n  {_HOSTILE_KEY}: 1"))
    code, out, _, _ = _run(["validate", "--format", "sarif", BASE, str(f)])
    assert code == 1
    (msg,) = [r["message"]["text"] for r in json.loads(out)["runs"][0]["results"]]
    assert "\\[x\\](https://e.vil)" in msg and "\u202e" not in msg and "\\u202e" in msg
    code, out, _, _ = _run(["report", BASE, str(f), "--out", str(tmp_path / "r.html")])
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<img src=x>" not in page and "\u202e" not in page and "&lt;img src=x&gt;" in page
    clean = _write(tmp_path / "old" / "c.yaml", CLEAN_CABINET)
    code, out, _, _ = _run(["diff", "--format", "md", str(clean.parent), str(f)])
    assert "SCH003" in out and "\u202e" not in out, out
    shown = _gfm(out)  # as GitHub renders the comment
    assert "e.vil" in shown and "<img" not in shown and "<!--" not in shown
    assert "<a " not in shown and shown.count("<details>") == shown.count("</details>")
    assert not re.search(r"@[A-Za-z0-9]|#[0-9]", html.unescape(re.sub("<[^>]*>", "", shown)))


def _design(folder: Path) -> Path:
    from tests.test_trust import BAD, _base_copy

    _write(folder / "c.yaml", BAD)
    _base_copy(folder)
    return folder


@pytest.mark.parametrize("name", ["superpod.toml", "pyproject.toml"])
@pytest.mark.parametrize("how", ["other-owner", "world-writable", "open-folder",
                                 "sticky-folder-other-owner"])
def test_a_configuration_others_control_is_ignored_with_a_warning(tmp_path: Path, name: str,
                                                                 how: str) -> None:
    """Outside a repository the search climbed to / and applied a superpod.toml planted in a
    shared folder (`ignore = ["ALL"]` hid every error). A file owned by another user, writable
    by others, or in a folder others may write (without the sticky bit) is not applied."""
    shared = tmp_path / "shared"
    design = _design(shared / "me" / "pod")
    text = "ignore = ['ALL']\n" if name == "superpod.toml" else "[tool.superpod]\nignore = ['ALL']\n"
    planted = _write(shared / name, text)
    shared.chmod(0o1777 if how == "sticky-folder-other-owner" else
                 0o777 if how == "open-folder" else 0o755)
    if how in ("other-owner", "sticky-folder-other-owner"):
        os.chown(planted, 12345, 12345)
    if how == "world-writable":
        planted.chmod(0o666)
    code, out, _, _ = _run(["validate", str(design)], cwd=design)
    assert code == 1 and "SPC002" in out, out
    assert f"warning: ignoring configuration {planted}" in out, out
    # the same file, the user's own and safe, is applied (the test can fail)
    os.chown(planted, os.geteuid(), os.getegid())
    planted.chmod(0o644)
    shared.chmod(0o755)
    code, out, _, _ = _run(["validate", str(design)], cwd=design)
    assert code == 0 and "ignoring configuration" not in out, out


def test_the_search_outside_a_repository_stops_at_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    design = _design(home / "pod")
    _write(tmp_path / "superpod.toml", "ignore = ['ALL']\n")  # above home: never read
    code, out, _, _ = _run(["validate", str(design)], cwd=design, HOME=str(home))
    assert code == 1 and "SPC002" in out, out
    _write(home / "superpod.toml", "ignore = ['SPC002']\n")  # home itself is searched
    code, out, _, _ = _run(["validate", str(design)], cwd=design, HOME=str(home))
    assert code == 0, out


@pytest.mark.parametrize("root,nested,said", [
    ("", "ignore = ['SPC002']\n", "ignores 1 rule(s) (SPC002)"),
    ("[tool.superpod]\nignore = ['SPC']\n", "ignore = ['SPC']\n", None),
    ("", "[severity]\nSPC002 = 'warning'\n", "lowers SPC002 to warning"),
    ("[tool.superpod.severity]\nSPC = 'warning'\n", "[severity]\nSPC002 = 'info'\n",
     "lowers SPC002 to info"),
    ("[tool.superpod]\nignore = ['SPC002']\n", "select = ['SPC002']\n", "rule(s) (CLG001"),
    ("[tool.superpod]\nignore = ['SPC002']\n", "[severity]\nSPC002 = 'info'\n", None),
])
def test_a_nested_configuration_that_relaxes_the_repository_is_said_once(
        tmp_path: Path, root: str, nested: str, said: str | None) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / "pyproject.toml", root or "[project]\nname = 'x'\n")
    design = _design(repo / "designs" / "pod")
    _write(repo / "designs" / "superpod.toml", nested)
    _, out, _, _ = _run(["diff", str(design), str(design)], cwd=design)  # loads it twice
    notes = [line for line in out.splitlines() if line.startswith("superpod: note:")]
    if said is None:
        assert notes == [], out
    else:
        assert len(notes) == 1 and said in notes[0] and "designs/superpod.toml" in notes[0], out


def _limit_case(name: str) -> str:
    from benchmarks.limits import flat_design, mesh_design, objects_design

    return {"mesh-at-limit": lambda: mesh_design(1240),
            "flat-at-limit": lambda: flat_design(3_400_000),
            "flat-over": lambda: flat_design(3_500_000),
            "mesh-over": lambda: mesh_design(1280),
            "objects-at-limit": lambda: objects_design(4800),
            "objects-over": lambda: objects_design(4900),
            "both-each-under-together-over": lambda: mesh_design(1000) + "---\n"
            + objects_design(4000)}[name]()


@pytest.mark.parametrize("name", ["mesh-at-limit", "mesh-over", "objects-at-limit",
                                  "objects-over", "both-each-under-together-over",
                                  "flat-at-limit", "flat-over"])
def test_the_default_limits_keep_the_cpu_and_memory_promise(tmp_path: Path, name: str) -> None:
    """A 1 KB full-mesh generator over 3,450 nodes (5.95 M links, under max_links) took 33 s;
    2.4 M replicated devices 30 s; a 3 MB flat file of bad links 12 s. The limits are now derived from the measured cost per
    object and link (benchmarks/limits.py, docs/security.md) and checked together
    (max_cpu_ms) before the work: just under them a design validates within 5 s of CPU and
    1 GiB; just over, or over in sum, it is SCH012 within the same bounds."""
    from tests.test_trust import _base_copy

    f = _write(tmp_path / "design.yaml", _limit_case(name))
    base = _base_copy(tmp_path)  # not under the repository's pyproject.toml (raised limits)
    code, out, cpu, rss = _run(["validate", base, str(f)], cwd=tmp_path, timeout=120)
    assert "Traceback" not in out and code in (0, 1), out[-2000:]
    if name.endswith("at-limit"):
        assert "SCH012" not in out, out[-2000:]
        assert cpu < 5 and rss < 1024 * 1024, (cpu, rss)
    else:
        assert "SCH012" in out and ("max_cpu_ms" in out or "max_objects" in out), out[-2000:]
        assert name != "flat-over" or "are not read" in out, out[-2000:]  # refused unread
        assert cpu < 5 and rss < 1024 * 1024, (cpu, rss)  # what was built before the refusal


def test_a_report_at_the_limit_leaves_out_what_would_pass_the_promise(tmp_path: Path) -> None:
    """A report of 2 M links took 40 s: drawing a wiring diagram per cabinet walks every link
    end in it (~5 us each, docs/security.md). A report's work is now bounded like
    validation's: the cabinet-level wiring is left out, with the numbers, when it would take
    the estimate past max_cpu_ms. The full mesh at the validation limit (768,180 links,
    1.5 M link ends in 31 distinct cabinets) then reports in about validation's CPU plus its
    page (the cut sheet's 20,000 rows): under 5 s plus ~1.5 s for that output."""
    from tests.test_trust import _base_copy

    f = _write(tmp_path / "design.yaml", _limit_case("mesh-at-limit"))
    base = _base_copy(tmp_path)
    out_html = tmp_path / "report.html"
    code, out, cpu, rss = _run(["report", base, str(f), "--out", str(out_html)], cwd=tmp_path,
                               timeout=120)
    assert code in (0, 1) and "Traceback" not in out, out[-2000:]
    page = out_html.read_text(encoding="utf-8")
    assert "cabinet wiring diagrams: left out; drawing the 1,536,360 link ends" in page
    assert "wiring-cabinet-" not in page
    assert cpu < 6.5 and rss < 1024 * 1024, (cpu, rss)
