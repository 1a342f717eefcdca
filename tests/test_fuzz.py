"""Property tests: mutated reference specs never crash the validator, and injected errors that
a rule must catch never pass."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from superpod_iac.config import Config
from superpod_iac.pipeline import load_project
from superpod_iac.source.loader import load_paths
from tests import datapaths
from tests.conftest import SPECS

SPEC = SPECS / "gb200-nvl72"
BASE = [(Path(src.path).name, [d.data for d in src.documents]) for src in load_paths([str(SPEC)])]
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _write(tmp: Path, files: list[tuple[str, list[Any]]]) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    for name, docs in files:
        buf = io.StringIO()
        yaml.dump_all(docs, buf)
        (tmp / name).write_text(buf.getvalue(), encoding="utf-8")


def _copy() -> list[tuple[str, list[Any]]]:
    import copy

    return copy.deepcopy(BASE)


def _run(tmp: Path, files: list[tuple[str, list[Any]]]) -> int:
    for p in tmp.glob("*.yaml"):
        p.unlink()
    _write(tmp, files)
    return load_project([str(tmp)], Config()).errors  # an exception fails the test


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                   st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                        st.integers(), max_size=2))


@FUZZ
@given(data=st.data())
def test_random_mutations_never_crash(tmp_path_factory, data) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    files = _copy()
    fi = data.draw(st.integers(0, len(files) - 1))
    docs = files[fi][1]
    di = data.draw(st.integers(0, len(docs) - 1))
    paths = datapaths.paths(docs[di])
    path = data.draw(st.sampled_from(paths))
    parent = datapaths.get(docs[di], path[:-1])
    action = data.draw(st.sampled_from(["delete", "replace", "duplicate"]))
    if action == "delete":
        del parent[path[-1]]
    elif action == "replace":
        parent[path[-1]] = data.draw(VALUES)
    elif isinstance(parent, list):
        parent.append(parent[path[-1]])
    _run(tmp, files)


def _set(files: list, fname: str, doc: int, path: tuple, value: Any) -> None:
    docs = dict(files)[fname]
    datapaths.get(docs[doc], path[:-1])[path[-1]] = value


@FUZZ
@given(value=st.one_of(st.floats(max_value=0), st.just(math.nan), st.just(math.inf),
                       st.floats(min_value=1e10, allow_infinity=False)))
def test_bad_numbers_are_errors(tmp_path_factory, value: float) -> None:
    tmp = tmp_path_factory.mktemp("num")
    files = _copy()
    _set(files, "power.yaml", 0, ("spec", "nodes", 8, "breaker_a"), value)
    assert _run(tmp, files) > 0


@FUZZ
@given(name=st.text(min_size=1, max_size=12).filter(lambda s: s not in {"nvl72-feed-A1",
                                                                       "nvl72-feed-B1"}))
def test_dangling_references_are_errors(tmp_path_factory, name: str) -> None:
    tmp = tmp_path_factory.mktemp("ref")
    files = _copy()
    _set(files, "cabinet.yaml", 0, ("spec", "feeds", 0), name)
    assert _run(tmp, files) > 0


@FUZZ
@given(name=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF),
                    min_size=1, max_size=20))
def test_duplicated_and_unicode_names(tmp_path_factory, name: str) -> None:
    tmp = tmp_path_factory.mktemp("dup")
    files = _copy()
    docs = dict(files)["cabinet.yaml"]
    devices = docs[0]["spec"]["devices"]
    devices.append(dict(devices[-1], name=name, u=45))
    devices.append(dict(devices[-1], name=name, u=46))
    assert _run(tmp, files) > 0  # the name is invalid, or defined twice
