"""`superpod import netbox` over a vendored corpus of real devicetype-library files
(tests/data/devicetype-library, CC0-1.0, SOURCES.md): every file imports alone and all together
with exit 0, and the imported model is checked field by field against the source YAML (ports
counted one by one, outlets and their feed legs, power ports, weights with unit conversion)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from superpod_iac.model.expand import expand
from superpod_iac.netbox.importer import import_netbox, interface_table, power_types
from superpod_iac.netbox.library.numbers import WEIGHT_KG
from superpod_iac.netbox.library.ports import port_name
from superpod_iac.netbox.library.power import single_phase_inlets

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "devicetype-library"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()
               and p.name not in ("SOURCES.md", "LICENSE.txt"))
YAML_SAFE = YAML(typ="safe")


def _source(path: Path) -> dict[str, Any]:
    return dict(YAML_SAFE.load(path.read_text(encoding="utf-8")))


def _one(path: Path) -> tuple[dict[str, Any], list[str]]:
    res = import_netbox([str(path)], rack_power_kw=None)
    assert not res.errors, res.errors
    spec = res.catalog["spec"]
    entries = spec.get("device_types", []) + spec.get("cabinet_types", [])
    assert len(entries) == 1, entries
    return entries[0], res.warnings


def _ports(entry: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for g in entry.get("port_groups", []):
        names = list(expand(g["ports"]))
        if not prefix or g["name"].startswith(prefix):
            out.extend(names)
    return out


def test_corpus_is_large_and_licensed() -> None:
    assert len(FILES) >= 150
    vendors = {p.relative_to(CORPUS).parts[1] for p in FILES}
    kinds = {p.relative_to(CORPUS).parts[0] for p in FILES}
    assert kinds == {"device-types", "module-types", "rack-types"}
    assert len(vendors) >= 20
    sources = (CORPUS / "SOURCES.md").read_text()
    assert all(f"`{p.relative_to(CORPUS)}`" in sources for p in FILES)
    assert "CC0-1.0" in (CORPUS / "LICENSE.txt").read_text()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_each_file_field_by_field(path: Path) -> None:
    src = _source(path)
    entry, warnings = _one(path)
    kind = path.relative_to(CORPUS).parts[0]
    assert entry["manufacturer"] == src["manufacturer"] and entry["model"] == src["model"]
    if kind == "rack-types":
        _check_rack(src, entry)
        return
    _check_weight(src, entry)
    _check_interfaces(src, entry, warnings)
    _check_passive(src, entry)
    _check_power(src, entry, kind)
    if kind == "device-types":
        u = src.get("u_height", 1)
        assert entry["height_u"] == math.ceil(float(u))


def _check_weight(src: dict[str, Any], entry: dict[str, Any]) -> None:
    w = src.get("weight")
    if isinstance(w, int | float):
        unit = src.get("weight_unit") or "kg"
        assert entry["weight_kg"] == pytest.approx(w * WEIGHT_KG[unit], abs=1e-3)
    else:
        assert entry["weight_kg"] == 0


def _check_interfaces(src: dict[str, Any], entry: dict[str, Any], warnings: list[str]) -> None:
    """Every interface is one port of the model, by its own name, or is named in a warning
    with its type (left out: virtual, wireless, no defined rate)."""
    table = interface_table()
    ifaces = src.get("interfaces") or []
    kept = [i for i in ifaces if "speed_gbps" in table.get(i["type"], {})
            and table[i["type"]].get("kind") not in ("virtual", "wireless", "unrated")]
    ports = _ports(entry, ())
    ports = [p for p in ports if not p.startswith(("front-", "rear-"))]
    names = [port_name(i["name"]) for i in kept]
    assert sorted(ports) == sorted(set(names))  # each interface one port, by its own name
    if len(set(names)) < len(names):
        assert any("listed twice" in w for w in warnings)
    for i in ifaces:
        if i not in kept:
            assert any(f"type '{i['type']}' left out" in w for w in warnings), i
    for g in entry.get("port_groups", []):
        if g["name"].startswith(("front-", "rear-")):
            continue
        import re

        itype = re.sub(r"(-mgmt)?(-\d+)?$", "", g["name"])
        itype = itype if itype in table else g["name"].removesuffix("-mgmt")
        assert g["speed_gbps"] == table[itype]["speed_gbps"]  # the real rate, never 1 Gb/s


def _check_passive(src: dict[str, Any], entry: dict[str, Any]) -> None:
    front = _ports(entry, ("front-",))
    rear = _ports(entry, ("rear-",))
    assert len(front) == len(src.get("front-ports") or [])
    assert len(rear) == len(src.get("rear-ports") or [])
    assert not set(front) & set(rear)  # front 01 and rear 01 never collide


def _check_power(src: dict[str, Any], entry: dict[str, Any], kind: str) -> None:
    outlets = src.get("power-outlets") or []
    known = {v["netbox"] for v in power_types()["outlets"].values()
             if v.get("netbox") and v.get("outlet_a")}
    kept = [o for o in outlets if str(o.get("type")).lower() in known]
    banks = entry.get("outlets", [])
    assert sum(b["count"] for b in banks) == len(kept)
    one_phase = single_phase_inlets(src.get("power-ports") or [])  # legs are not phases there
    legs = [None if one_phase else o.get("feed_leg") for o in kept]
    assert [b.get("feed_leg") for b in banks for _ in range(b["count"])] == \
        [leg if leg in ("A", "B", "C") else None for leg in legs]
    if outlets:
        assert entry["role"] == "pdu" and entry["max_w"] == 0
    inlets = src.get("power-ports") or []
    if "psus" in entry:
        assert entry["psus"]["count"] == len(inlets)


def _check_rack(src: dict[str, Any], entry: dict[str, Any]) -> None:
    assert entry["height_u"] == src["u_height"]
    assert "power_rating_kw" not in entry  # NetBox has none: never invented
    if src.get("max_weight"):
        assert entry["payload_kg"] == pytest.approx(src["max_weight"] * WEIGHT_KG[
            src.get("weight_unit") or "kg"])
    if src.get("outer_width") and src.get("outer_depth"):
        assert entry["footprint"] == {"width_mm": src["outer_width"],
                                      "depth_mm": src["outer_depth"]}


def test_all_together_exit_0(tmp_path: Path) -> None:
    out = tmp_path / "all.yaml"
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "import", "netbox", str(CORPUS),
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    spec = YAML_SAFE.load(out.read_text())["spec"]
    assert len(spec["device_types"]) + len(spec["cabinet_types"]) == len(FILES)
    assert "Tripp-Lite-N054-024: no .yaml extension: read as a library file" in proc.stderr


def _entry(rel: str) -> dict[str, Any]:
    return _one(CORPUS / rel)[0]


def test_roles_come_from_evidence() -> None:
    assert _entry("device-types/Nvidia/DGC-A100.yaml")["role"] == "compute"  # 37 ports
    assert _entry("device-types/Supermicro/AS-8125GS-TNMR2.yml")["role"] == "compute"  # MI300X
    assert _entry("device-types/Supermicro/ARS-121GL-NB3-LCC-R1.yaml")["role"] == "compute"
    assert _entry("device-types/Nvidia/NVLink-5-Switch.yaml")["role"] == "switch"
    assert _entry("device-types/Nvidia/SN3420.yml")["role"] == "switch"
    assert _entry("device-types/Panduit/FC2XO-24-10U.yaml")["role"] == "patch-panel"
    assert _entry("device-types/Opengear/CM8116.yaml")["role"] == "management"


def test_unknown_role_is_left_unset_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "box.yaml"
    f.write_text("manufacturer: Acme\nmodel: Box\nslug: acme-box\nu_height: 1\n")
    entry, warnings = _one(f)
    assert "role" not in entry
    assert any("role unknown" in w for w in warnings)


def test_gb300_tray_without_inlets_says_so() -> None:
    entry, warnings = _one(CORPUS / "device-types/Supermicro/ARS-121GL-NB3-LCC-R1.yaml")
    assert entry["role"] == "compute" and entry["max_w"] == 0
    assert any("is_powered: false" in w for w in warnings)


def test_ats_has_the_capacity_of_one_inlet() -> None:
    entry = _entry("device-types/Eaton/Tripp-Lite-PDUMH15ATS.yaml")
    out = entry["power_output"]
    assert out["psu_count"] == 2 and out["redundancy"] == "N+N" and out["psu_w"] == 1400
    assert "one feeding at a time" in entry["source"]
    assert [b["type"] for b in entry["outlets"]] == ["nema-5-15r"]  # NEMA outlets kept
    assert entry["outlets"][0]["outlet_a"] == 15


def test_three_phase_pdu_keeps_its_feed_legs() -> None:
    legs: set[str] = set()
    for rel in ("device-types/Vertiv/MG01D4W1-36PT63-3PS6B2A10-S.yaml",
                "device-types/Raritan/PX4-534AJ-E7.yaml", "device-types/APC/AP8886.yaml"):
        entry = _entry(rel)
        legs |= {b.get("feed_leg") for b in entry.get("outlets", [])}
    assert {"A", "B", "C"} <= legs


def test_hdot_outlets_are_kept() -> None:
    entry = _entry("device-types/ServerTech/C3WG36RL-2CJE2MT4.yaml")
    counts: dict[str, int] = {}
    for b in entry["outlets"]:
        counts[b["type"]] = counts.get(b["type"], 0) + b["count"]
    assert counts == {"hdot-cx": 18, "c13": 18}


def test_psu_module_is_no_load() -> None:
    entry, warnings = _one(CORPUS / "module-types/Juniper/JNP-PWR2200-AC.yaml")
    assert entry["max_w"] == 0 and "2200 W" in entry["source"]
    assert "profile: Power supply" in entry["source"]
    assert any("module_bay_types" in w for w in warnings)  # not in the table: named


def test_interface_table_is_complete_and_generated() -> None:
    schema = json.loads((ROOT / "superpod_iac/netbox/schema/generated_schema.json").read_text())
    names = schema["definitions"]["interface"]["properties"]["type"]["enum"]
    table = interface_table()
    assert set(names) == set(table)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "netbox-interface-types")],
                          capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout == (ROOT / "superpod_iac/netbox/interface_types.yaml").read_text()
    assert table["10gbase-x-sfpp"]["speed_gbps"] == 10
    assert table["40gbase-x-qsfpp"]["speed_gbps"] == 40
    assert table["200gbase-cr4"] == {"form_factor": "qsfp56", "speed_gbps": 200,
                                     "cage": "typical"}


def test_nan_height_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    f = tmp_path / "nan.yaml"
    f.write_text("manufacturer: Acme\nmodel: Nan\nslug: acme-nan\nu_height: .nan\n")
    res = import_netbox([str(f)])
    assert not res.errors
    assert any("u_height nan is not a finite number" in w for w in res.warnings)


def test_huge_type_is_refused_quickly(tmp_path: Path) -> None:
    import time

    f = tmp_path / "huge.yaml"
    lines = ["manufacturer: Acme", "model: Huge", "slug: acme-huge", "u_height: 1",
             "interfaces:"]
    lines += [f"  - {{name: e{i}, type: 10gbase-t}}" for i in range(60_000)]
    f.write_text("\n".join(lines) + "\n")
    t = time.process_time()
    res = import_netbox([str(f)])
    assert time.process_time() - t < 5
    assert any("60,000 interfaces > 5,000" in e for e in res.errors)


def test_failed_import_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "catalog.yaml"
    out.write_text("good: catalog\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: no manufacturer\n")
    proc = subprocess.run([sys.executable, "-m", "superpod_iac", "import", "netbox", str(bad),
                           "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "nothing written" in proc.stderr
    assert out.read_text() == "good: catalog\n"


DESIGN = """apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: gpu-01}
spec:
  type: light-rack
  location: {hall: hall1, row: A, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: pdu-A, type: eaton-ebab05, u: 0, feeds: [feed-A1]}
    - {name: pdu-B, type: eaton-ebab05, u: 0, feeds: [feed-B1]}
    - {name: tor, type: nvidia-sn3420, u: 40}
    - {name: gpu1, type: lenovo-thinksystem-sr685a-v3, u: 1}
    - {name: dgx1, type: nvidia-dgx-a100-640gb, u: 10}
    - {name: tray1, type: supermicro-ars-121gl-nb3-lcc-r1, u: 20}
"""


def test_design_of_imported_types_gives_the_expected_findings(tmp_path: Path) -> None:
    """Imported GPU servers, a switch, a GB300 tray and PDUs in one cabinet: what the library
    lacks is a finding, never silence -- the switch and the busbar-fed tray have no max_w
    (PWR012 each), the DGX no weight (SPC009), the PDUs' 2 x 2 C19 outlets cannot take the
    8-PSU server's 8 C20 cords (OUT001 for cords 5-8), and the cabinet's payload is over. The
    EBAB05's outlets name feed legs A and B behind a single-phase IEC 60309 P+N+E inlet: not
    phases, so not kept, and no phase-balance finding (OUT005) is made of them."""
    files = [CORPUS / "device-types" / rel for rel in (
        "Lenovo/ThinkSystem-SR685a-v3.yaml", "Nvidia/SN3420.yml",
        "Supermicro/ARS-121GL-NB3-LCC-R1.yaml", "Eaton/EBAB05.yaml", "Nvidia/DGC-A100.yaml")]
    run = [sys.executable, "-m", "superpod_iac"]
    proc = subprocess.run([*run, "import", "netbox", *map(str, files), "--out",
                           str(tmp_path / "parts.yaml")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "base.yaml").write_text(
        (ROOT / "tests/fixtures/rules/_base.yaml").read_text())
    (tmp_path / "cab.yaml").write_text(DESIGN)
    proc = subprocess.run([*run, "validate", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout
    found = sorted((d["rule"], d["message"].split(":")[0].split(" declares")[0])
                   for d in json.loads(proc.stdout)["diagnostics"])
    rules = [r for r, _ in found]
    assert rules.count("PWR012") == 2 and rules.count("OUT001") == 4
    assert rules.count("SPC009") == 1 and rules.count("SPC003") == 1
    assert len(rules) == 8, found
    text = proc.stdout
    assert "nvidia-sn3420" in text and "supermicro-ars-121gl-nb3-lcc-r1" in text


def test_export_picks_the_same_netbox_type_as_before() -> None:
    """The full table must not change what `export netbox` / `netbox push` write for a port:
    the cage-named types stay first for their form factor and rate."""
    from superpod_iac.netbox.desired import interface_type

    for name, ff, speed in (("400gbase-x-osfp", "osfp", 400), ("800gbase-x-osfp", "osfp", 800),
                            ("1.6tbase-x-osfp1600", "osfp", 1600),
                            ("400gbase-x-qsfpdd", "qsfp-dd", 400),
                            ("400gbase-x-qsfp112", "qsfp112", 400),
                            ("200gbase-x-qsfp56", "qsfp56", 200),
                            ("100gbase-x-qsfp28", "qsfp28", 100),
                            ("25gbase-x-sfp28", "sfp28", 25), ("1000base-t", "rj45", 1),
                            ("10gbase-t", "rj45", 10), ("100base-tx", "rj45", 0.1)):
        assert interface_type(ff, speed) == name


def test_rack_power_only_when_given(tmp_path: Path) -> None:
    rack = CORPUS / "rack-types/APC/AR3100.yaml"
    res = import_netbox([str(rack)], rack_power_kw=30.0)
    entry = res.catalog["spec"]["cabinet_types"][0]
    assert entry["power_rating_kw"] == 30.0 and "--rack-power-kw" in entry["source"]
    res = import_netbox([str(rack)])
    assert "power_rating_kw" not in res.catalog["spec"]["cabinet_types"][0]
    assert any("NetBox has no power rating" in w for w in res.warnings)


def test_schema_refresh_script_copies_and_records(tmp_path: Path) -> None:
    import shutil

    vendored = ROOT / "superpod_iac/netbox/schema"
    lib, out = tmp_path / "library", tmp_path / "out"
    (lib / "schema").mkdir(parents=True)
    out.mkdir()
    # choices.json is NetBox's own choice lists (scripts/netbox-refresh-schema), not the library's
    library_files = [f for f in vendored.glob("*.json") if f.name != "choices.json"]
    for f in library_files:
        shutil.copyfile(f, lib / "schema" / f.name)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/netbox-library-schemas"),
                           str(lib), str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for f in library_files:
        assert (out / f.name).read_bytes() == f.read_bytes()
    assert "Refreshed by scripts/netbox-library-schemas" in (out / "SOURCE.md").read_text()
    (lib / "schema" / "racktype.json").unlink()
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/netbox-library-schemas"),
                           str(lib), str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "racktype.json" in proc.stderr


def test_every_schema_field_has_a_fate() -> None:
    """Schema-complete: every property of the vendored device, module and rack type schemas,
    and of the components superpod models, is mapped, noted or dropped with a reason."""
    from superpod_iac.netbox.library.fields import COMPONENTS, TABLES
    from superpod_iac.netbox.library.schema import schemas

    _registry, docs = schemas()
    for kind in ("devicetype", "moduletype", "racktype"):
        missing = set(docs[kind]["properties"]) - set(TABLES[kind])
        assert not missing, (kind, missing)
    defs = docs["components"]["definitions"]
    for comp, table in COMPONENTS.items():
        missing = set(defs[comp.removesuffix("s")]["properties"]) - set(table)
        assert not missing, (comp, missing)
    for table in (*TABLES.values(), *COMPONENTS.values()):
        assert all(fate in ("mapped", "note", "dropped") and why for fate, why in table.values())


def test_docs_mapping_table_lists_every_field() -> None:
    from superpod_iac.netbox.library.fields import COMPONENTS, TABLES

    doc = (ROOT / "docs/netbox.md").read_text()
    section = doc[doc.index("## Import: field-by-field mapping"):]
    for table in TABLES.values():
        for k, (fate, _why) in table.items():
            assert f"| `{k}` | {fate} |" in section, k
    for comp, table in COMPONENTS.items():
        for k, (fate, _why) in table.items():
            assert f"| `{comp}.{k}` | {fate} |" in section, (comp, k)


def test_patch_panels_and_cassettes_validate_on_their_own(tmp_path: Path) -> None:
    """Front `01` and rear `01` are two ports (front-01, rear-01): a catalog of imported
    panels and cassettes has no REF002 (or any) finding by itself."""
    out = tmp_path / "panels.yaml"
    files = [str(p) for p in FILES if p.parent.name in ("Panduit", "Corning")
             or p.name == "Tripp-Lite-N054-024"]
    run = [sys.executable, "-m", "superpod_iac"]
    proc = subprocess.run([*run, "import", "netbox", *files, "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([*run, "validate", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout


_NAMES = st.lists(st.builds(lambda p, n, s: f"{p}{n}{s}",
                            st.sampled_from(["Ethernet1/", "swp", "et-0/0/", "port", "", "fc"]),
                            st.integers(0, 120).map(str) | st.sampled_from(["01", "08", "a"]),
                            st.sampled_from(["", "/1", "a", "-mgmt"])),
                  min_size=1, max_size=60, unique=True)


@settings(max_examples=150, deadline=None)
@given(_NAMES)
def test_port_names_keep_identity(names: list[str]) -> None:
    """Whatever the names, the port groups expand back to exactly the interfaces: none
    merged, none lost, none invented."""
    from superpod_iac.netbox.library.ports import nodesets

    sets = nodesets(names)
    expanded = [n for s in sets for n in expand(s)]
    assert sorted(expanded) == sorted(names)


def test_extensionless_files_are_read_or_reported(tmp_path: Path) -> None:
    lib = tmp_path / "device-types" / "Acme"
    lib.mkdir(parents=True)
    (lib / "Box").write_text("manufacturer: Acme\nmodel: Box\nslug: acme-box\nu_height: 1\n")
    (lib / "README").write_text("Acme types, see the data sheets.\n")
    res = import_netbox([str(tmp_path)])
    assert not res.errors
    assert [d["name"] for d in res.catalog["spec"]["device_types"]] == ["acme-box"]
    assert any("Box: no .yaml extension: read as a library file" in w for w in res.warnings)
    assert any("README" in w and "not a NetBox" in w for w in res.warnings)
