"""Principles 4 and 5 of issue #32 (names and replication scope), as properties over generated
clusters:

- the same design written as a Cluster and written out by hand gives the same findings: the
  infrastructure above the superpod (utility, transformer, hall) is shared by the replicas and
  carries their summed load, unless the Cluster's `per_replica` gives each replica its own;
- a name taken twice (explicit vs expanded vs replicated, of any kind) is always REF002 naming
  both places, and never replaces the object that had the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superpod_iac.config import Config
from superpod_iac.metrics import summary_rows
from superpod_iac.pipeline import Project, load_project

HEAD = "apiVersion: superpod-iac/v1alpha1\n"
CATALOG = HEAD + """kind: Catalog
metadata: {name: parts}
spec:
  cabinet_types:
    - {name: rack, height_u: 42, payload_kg: 2000, empty_weight_kg: 100, power_rating_kw: 200,
       footprint: {width_mm: 600, depth_mm: 1200}}
  device_types:
    - {name: srv, role: compute, height_u: 2, weight_kg: 30, max_w: %d}
    - {name: big, role: compute, height_u: 1, weight_kg: 10, max_w: 100}
"""


@dataclass(frozen=True)
class Pod:
    """A superpod of `cabinets` cabinets of `servers` servers each, on one feed per cabinet
    below a utility (and a transformer when `xfmr_kw`), replicated `replicas` times."""

    replicas: int
    cabinets: int
    servers: int
    watts: int
    utility_kw: int
    xfmr_kw: int | None
    own_utility: bool
    """`per_replica` names the utility: each replica its own utility and transformer."""
    placed: bool
    """Cabinets stand in hall `h` (each replica its own copy of the hall)."""

    @property
    def per_replica(self) -> list[str]:
        return ["utility"] * self.own_utility + ["h"] * self.placed

    def power(self, prefixes: list[str], feeds: dict[str, list[str]]) -> str:
        """Utility (and transformer) under each prefix ('' = shared), feeds below them."""
        lines = [HEAD + "kind: PowerSystem\nmetadata: {name: power}\nspec:\n  redundancy: N\n"
                 "  nodes:\n"]
        for p in prefixes:
            lines.append(f"    - {{name: {p}utility, type: utility, rating_kw: "
                         f"{self.utility_kw}}}\n")
            parent = f"{p}utility"
            if self.xfmr_kw:
                lines.append(f"    - {{name: {p}xfmr, type: transformer, parent: {parent}, "
                             f"rating_kw: {self.xfmr_kw}}}\n")
                parent = f"{p}xfmr"
            for feed in feeds[p]:
                lines.append(f"    - {{name: '{feed}', parent: {parent}, voltage_v: 415, "
                             "breaker_a: 100}\n")
        return "".join(lines)

    def site(self, halls: list[str]) -> str:
        if not self.placed:
            return ""
        rows = "".join(f"    - {{name: {h}, floor_load_kg_m2: 2500, air_capacity_kw: 5000, "
                       "rows: [{name: A, slots: 10}]}\n" for h in halls)
        return "---\n" + HEAD + "kind: Site\nmetadata: {name: site}\nspec:\n  halls:\n" + rows

    def cabinet(self, name: str, feed: str, hall: str, slot: str) -> str:
        slot = f"'{slot}'" if slot.startswith("[") else slot
        where = f"  location: {{hall: {hall}, row: A, slot: {slot}}}\n" if self.placed else ""
        return ("---\n" + HEAD + f"kind: Cabinet\nmetadata: {{name: '{name}'}}\nspec:\n"
                f"  type: rack\n{where}  feeds: ['{feed}']\n  devices:\n"
                f"    - {{name: 's[1-{self.servers}]', type: srv, "
                f"u: '[1-{2 * self.servers - 1}/2]'}}\n")

    def as_cluster(self, extra: str = "") -> str:
        k = self.cabinets
        text = CATALOG % self.watts + "---\n" + self.power([""], {"": [f"feed-[1-{k}]"]})
        text += self.site(["h"])
        text += self.cabinet(f"c[1-{k}]", f"feed-[1-{k}]", "h", f"[1-{k}]")
        text += ("---\n" + HEAD + "kind: Superpod\nmetadata: {name: pod}\n"
                 f"spec: {{cabinets: ['c[1-{k}]']}}\n")
        text += ("---\n" + HEAD + "kind: Cluster\nmetadata: {name: cl}\nspec:\n"
                 f"  superpod: pod\n  replicas: {self.replicas}\n"
                 f"  names: 'r[1-{self.replicas}]'\n  per_replica: {self.per_replica}\n")
        return text + extra

    def by_hand(self) -> str:
        reps = [f"r{j}." for j in range(1, self.replicas + 1)]
        k = self.cabinets
        prefixes = reps if self.own_utility else [""]
        feeds = {p: [f"{r}feed-{i}" for r in (reps if p == "" else [p])
                     for i in range(1, k + 1)] for p in prefixes}
        text = CATALOG % self.watts + "---\n" + self.power(prefixes, feeds)
        text += self.site([f"{r}h" for r in reps])
        for r in reps:
            for i in range(1, k + 1):
                text += self.cabinet(f"{r}c{i}", f"{r}feed-{i}", f"{r}h", str(i))
        return text


pods = st.builds(
    Pod, replicas=st.integers(1, 5), cabinets=st.integers(1, 3), servers=st.integers(1, 8),
    watts=st.sampled_from([500, 1500, 2500]), utility_kw=st.integers(10, 300),
    xfmr_kw=st.none() | st.integers(10, 300), own_utility=st.booleans(), placed=st.booleans())


def _load(tmp_path: Path, name: str, text: str) -> Project:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_project([str(path)], Config())


_FOLD = re.compile(r" \(the same in [\d,]+ other replica\(s\): [^)]*\)|\s*\(each of [\d,]+\)")


def _findings(project: Project) -> tuple[set[str], set[tuple[str, str]]]:
    """Rule IDs found, and (rule, message) of findings about the shared utility/transformer."""
    rules = {d.rule for d in project.diagnostics}
    shared = {(d.rule, _FOLD.sub("", d.message)) for d in project.diagnostics
              if re.search(r"(?<![\w.-])xfmr(?![\w.-])|utility utility(?![\w.-])", d.message)}
    return rules, shared


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pod=pods)
def test_a_cluster_and_the_same_design_written_out_find_the_same(tmp_path: Path,
                                                                 pod: Pod) -> None:
    cluster = _load(tmp_path, "cluster.yaml", pod.as_cluster())
    hand = _load(tmp_path, "hand.yaml", pod.by_hand())
    assert sorted(cluster.inventory.cabinets) == sorted(hand.inventory.cabinets)
    assert sorted(cluster.inventory.power_nodes) == sorted(hand.inventory.power_nodes)
    assert _findings(cluster) == _findings(hand), (pod, cluster.diagnostics, hand.diagnostics)
    assert (cluster.errors > 0) == (hand.errors > 0)
    total_kw = pod.replicas * pod.cabinets * pod.servers * pod.watts / 1000
    if not pod.own_utility and total_kw > 0.8 * pod.utility_kw:  # the sum over replicas
        assert any(d.rule == "PWR003" and "utility utility carries" in d.message
                   for d in cluster.diagnostics), cluster.diagnostics


def test_eight_replicas_on_one_100_kw_utility_overload_it(tmp_path: Path) -> None:
    """The issue's example: 8 replicas of a 20 kW pod below a 100 kW utility carry 160 kW;
    giving each replica its own utility (`per_replica`) is what makes 8 x 20 kW fit."""
    pod = Pod(8, 1, 10, 2000, 100, None, own_utility=False, placed=True)
    shared = _load(tmp_path, "shared.yaml", pod.as_cluster())
    [hit] = [d for d in shared.diagnostics if d.rule == "PWR003"]
    assert "utility utility carries 160.0 kW > 80.0 kW" in hit.message
    own = _load(tmp_path, "own.yaml", pod.as_cluster().replace(
        "per_replica: ['h']", "per_replica: [utility, h]"))
    assert own.errors == 0, own.diagnostics
    rows = {(r[0], r[1]): r[2] for r in summary_rows(shared.inventory)[1]}
    assert rows[("cluster cl", "infrastructure shared by the replicas")] == "utility"
    assert rows[("cluster cl", "infrastructure copied per replica")] == "feed-1,h"
    rows = {(r[0], r[1]): r[2] for r in summary_rows(own.inventory)[1]}
    assert rows[("cluster cl", "infrastructure shared by the replicas")] == "none"
    assert rows[("cluster cl", "infrastructure copied per replica")] == "feed-1,h,utility"


def test_a_shared_hall_puts_every_replica_on_the_same_slots(tmp_path: Path) -> None:
    pod = Pod(3, 2, 1, 500, 300, None, own_utility=False, placed=True)
    project = _load(tmp_path, "c.yaml", pod.as_cluster().replace("per_replica: ['h']",
                                                                  "per_replica: []"))
    assert {d.rule for d in project.diagnostics if d.severity == "error"} == {"SPC005"}
    assert sorted(project.inventory.halls) == ["h"]


def test_per_replica_naming_nothing_is_a_finding(tmp_path: Path) -> None:
    pod = Pod(2, 1, 1, 500, 300, None, own_utility=False, placed=True)
    project = _load(tmp_path, "c.yaml", pod.as_cluster().replace("per_replica: ['h']",
                                                                  "per_replica: [h, nope-*]"))
    [ref] = [d for d in project.diagnostics if d.rule == "REF001"]
    assert "nope-*" in ref.message and ref.path == ("spec", "per_replica", 1)
    assert "cl" not in project.inventory.clusters and "pod" in project.inventory.superpods


# -- names --------------------------------------------------------------------------------

EXTRA_CABINET = ("---\n" + HEAD + "kind: Cabinet\nmetadata: {name: '%s'}\nspec:\n  type: rack\n"
                 "  devices:\n    - {name: 'extra[1-7]', type: big, u: '[30-36]'}\n")
EXTRA_POD = ("---\n" + HEAD + "kind: Superpod\nmetadata: {name: '%s'}\n"
             "spec: {cabinets: [lone], expect: {cabinets: 1}}\n") + EXTRA_CABINET % "lone"
EXTRA_NODE = ("---\n" + HEAD + "kind: PowerSystem\nmetadata: {name: more}\nspec:\n  nodes:\n"
              "    - {name: '%s', parent: utility, voltage_v: 415, breaker_a: 63}\n")
EXTRA_HALL = ("---\n" + HEAD + "kind: Site\nmetadata: {name: more}\nspec:\n  halls:\n"
              "    - {name: '%s', floor_load_kg_m2: 1234, air_capacity_kw: 5000, "
              "rows: [{name: A, slots: 10}]}\n")


def _intact(project: Project, kind: str, name: str) -> bool:
    """The explicit object named `name` is still the explicit one (not a replica's copy)."""
    inv = project.inventory
    if kind == "cabinet":
        return [d.name for d in inv.cabinets[name].devices] == [f"extra{i}" for i in
                                                                 range(1, 8)]
    if kind == "power node":
        return inv.power_nodes[name].spec.breaker_a == 63
    if kind == "superpod":
        return inv.superpods[name].template is None and inv.superpods[name].cabinets == ["lone"]
    return inv.halls[name].floor_load_kg_m2 == 1234


@st.composite
def collisions(draw: st.DrawFn) -> tuple[Pod, str, str, str]:
    """A pod, and an extra object of some kind named like an object the pod's cluster copies
    (or like the expansion of one of its own ranges)."""
    pod = draw(pods.filter(lambda p: p.placed))
    kind = draw(st.sampled_from(["cabinet", "power node", "superpod", "hall"]))
    j = draw(st.integers(1, pod.replicas))
    i = draw(st.integers(1, pod.cabinets))
    replicated = {"cabinet": f"r{j}.c{i}", "power node": f"r{j}.feed-{i}", "superpod": f"r{j}",
                  "hall": f"r{j}.h"}[kind]
    expanded = {"cabinet": f"c{i}", "power node": f"feed-{i}", "superpod": "pod",
                "hall": "h"}[kind]
    name = draw(st.sampled_from([replicated, expanded]))
    extra = {"cabinet": EXTRA_CABINET, "power node": EXTRA_NODE, "superpod": EXTRA_POD,
             "hall": EXTRA_HALL}[kind] % name
    return pod, kind, name, extra


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=collisions(), first=st.booleans())
def test_a_name_taken_twice_is_ref002_and_replaces_nothing(tmp_path: Path,
                                                           case: tuple[Pod, str, str, str],
                                                           first: bool) -> None:
    pod, kind, name, extra = case
    text = pod.as_cluster()
    if first:  # the extra object written before the cluster's documents, or after them
        rest = extra.partition(HEAD)[2]
        text = HEAD + rest + "---\n" + text
    else:
        text += extra
    project = _load(tmp_path, "c.yaml", text)
    dups = [d for d in project.diagnostics if d.rule == "REF002"]
    assert dups, (kind, name, project.diagnostics)
    assert any(f"{kind} '{name}' is defined twice (first at " in d.message
               and re.search(r"c\.yaml:\d+:\d+\)", d.message) for d in dups), dups
    inv = project.inventory
    replicated = name.startswith("r")
    if replicated:  # the cluster is not expanded: the explicit object and the template stay
        assert _intact(project, kind, name), (kind, name)
        assert "pod" in inv.superpods and inv.superpods["pod"].template is None
        assert not [c for c in inv.cabinets if c.startswith("r") and c != name]
    else:  # explicit vs a range's expansion: the second one written is reported, not built
        assert name in {"c1", "c2", "c3", "feed-1", "feed-2", "feed-3", "pod", "h"}
    assert project.errors > 0


def _mini_cluster(tmp_path: Path, extra: str, spec: str = "") -> Project:
    mini = Path(__file__).parents[1] / "fixtures" / "render" / "mini"
    (tmp_path / "cluster.yaml").write_text(
        HEAD + "kind: Cluster\nmetadata: {name: trio}\nspec:\n  superpod: mini\n  replicas: 2\n"
        "  names: 'm-[1-2]'\n  per_replica: [hall1]\n" + spec + extra, encoding="utf-8")
    return load_project([str(mini), str(tmp_path / "cluster.yaml")], Config())


def test_a_replica_cdu_group_loop_or_cascade_fabric_never_replaces_another(
        tmp_path: Path) -> None:
    extra = ("---\n" + HEAD + "kind: CoolingSystem\nmetadata: {name: more}\nspec:\n"
             "  groups: [{name: m-2.cdus}]\n"
             "  cdus: [{name: m-1.cdu-2, type: cdu-inrack-80, fluid: pg25}]\n"
             "---\n" + HEAD + "kind: Fabric\nmetadata: {name: trio-cascade}\n"
             "spec: {plane: scale-out}\n")
    ring = ("  cascade: [{type: ring, uplinks: 'net1/leaf*:p[17-20]', cable: smf-os2-lc, "
            "transceiver: 400g-fr4, length_m: 40}]\n")
    project = _mini_cluster(tmp_path, extra, ring)
    names = {re.search(r"'([^']+)' is defined twice", d.message).group(1)  # type: ignore[union-attr]
             for d in project.diagnostics if d.rule == "REF002"}
    assert names == {"m-1.cdu-2", "m-2.cdus"}
    assert project.inventory.cdus["m-1.cdu-2"].spec.group is None  # the explicit one
    # with the names free, the cascade's fabric name collides with the explicit Fabric
    project = _mini_cluster(tmp_path, "---\n" + HEAD + "kind: Fabric\nmetadata: "
                            "{name: trio-cascade}\nspec: {plane: scale-out}\n", ring)
    [dup] = [d for d in project.diagnostics if d.rule == "REF002"]
    assert "fabric 'trio-cascade' is defined twice" in dup.message
    assert project.inventory.fabrics["trio-cascade"].spec is not None  # the explicit Fabric


def test_a_cluster_of_a_replica_is_an_error_not_zero_cabinets(tmp_path: Path) -> None:
    pod = Pod(2, 1, 1, 500, 300, None, own_utility=False, placed=True)
    again = ("---\n" + HEAD + "kind: Cluster\nmetadata: {name: %s}\n"
             "spec: {superpod: %s, replicas: 3, names: 'q[1-3]', per_replica: [h]}\n")
    project = _load(tmp_path, "c.yaml", pod.as_cluster(again % ("cl2", "r1")))
    [hit] = [d for d in project.diagnostics if d.rule == "REF003"]
    assert "superpod r1 is a replica of pod" in hit.message and hit.path == ("spec", "superpod")
    assert "cl2" not in project.inventory.clusters
    project = _load(tmp_path, "c.yaml", pod.as_cluster(again % ("cl2", "pod")))
    [hit] = [d for d in project.diagnostics if d.rule == "REF003"]
    assert re.search(r"superpod pod is replicated already by cluster cl \(.*c\.yaml:\d+:\d+\)",
                     hit.message), hit.message


def test_a_cdu_named_like_a_cdu_group_is_ref002(tmp_path: Path) -> None:
    """A cabinet's `cdu:` names a CDU or a CDU group: one named like the other would hide it."""
    text = CATALOG % 500 + "---\n" + HEAD + (
        "kind: CoolingSystem\nmetadata: {name: c}\nspec:\n  groups: [{name: g, redundancy: N}]\n"
        "  cdus:\n    - {name: 'g', type: cdu-inrack-80, fluid: pg25}\n"
        "    - {name: 'k', type: cdu-inrack-80, fluid: pg25, group: g}\n")
    project = _load(tmp_path, "c.yaml", text)
    [dup] = [d for d in project.diagnostics if d.rule == "REF002"]
    assert "cdu 'g' is defined twice" in dup.message and "the name of a cdu group" in dup.message
    assert sorted(project.inventory.cdus) == ["k"] and list(project.inventory.cdu_groups) == ["g"]


def test_a_copied_hall_keeps_its_sites_policy(tmp_path: Path) -> None:
    """With several Sites each hall follows its own Site's policy; a replica's copy of a hall
    follows the same Site (it fell back to the project policy before)."""
    pod = Pod(2, 1, 1, 500, 300, None, own_utility=False, placed=True)
    text = pod.as_cluster().replace(
        "kind: Site\nmetadata: {name: site}\nspec:\n",
        "kind: Site\nmetadata: {name: site}\nspec:\n  policy: {cabinet_kw_limit: 42}\n")
    text += ("---\n" + HEAD + "kind: Site\nmetadata: {name: other}\nspec:\n"
             "  policy: {cabinet_kw_limit: 77}\n  halls:\n"
             "    - {name: o, floor_load_kg_m2: 2500, rows: [{name: A, slots: 2}]}\n")
    inv = _load(tmp_path, "c.yaml", text).inventory
    assert sorted(inv.halls) == ["o", "r1.h", "r2.h"]
    assert [inv.policy_for(inv.cabinets[c]).cabinet_kw_limit for c in ("r1.c1", "r2.c1")] == \
        [42, 42]
