"""NetBox: every devicetype-library sample imports to a valid Catalog; the export's columns and
references hold together the way NetBox's bulk import needs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT

SAMPLES = ROOT / "tests" / "fixtures" / "netbox" / "devicetype-library"
SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".yaml", ".yml")
                      and p.parent.name != "schema")


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_each_sample_imports_and_validates(cli, sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog.yaml"
    # NetBox has no rack power rating: it is given explicitly, or validation says it is missing
    res = cli("import", "netbox", str(sample), "--out", str(out), "--rack-power-kw", "30")
    assert res.code == 0, res.err
    assert "Traceback" not in res.err
    doc = YAML(typ="safe").load(out.read_text())
    spec = doc["spec"]
    assert sum(len(v) for v in spec.values()) == 1
    for line in res.err.splitlines():  # one line per warning, each short enough to read
        assert len(line) < 400, line
    assert cli("validate", str(out)).code == 0


def _import_samples(cli, out: Path):  # type: ignore[no-untyped-def]
    """`import netbox` of the whole vendored sample library into `out`: (result, catalog spec,
    device types by name)."""
    res = cli("import", "netbox", str(SAMPLES), "--out", str(out), "--rack-power-kw", "30")
    assert res.code == 0, res.err
    spec = YAML(typ="safe").load(out.read_text())["spec"]
    return res, spec, {d["name"]: d for d in spec["device_types"]}


def test_whole_library_and_conversions(cli, tmp_path: Path) -> None:
    out = tmp_path / "nb.yaml"
    _res, spec, types = _import_samples(cli, out)
    qm = types["nvidia-qm9700"]
    assert qm["height_u"] == 1 and qm["weight_kg"] == 14.8 and qm["airflow"] == "rear-to-front"
    ib = next(g for g in qm["port_groups"] if g["form_factor"] == "osfp")
    assert ib["speed_gbps"] == 400
    rack = spec["cabinet_types"][0]
    assert rack["height_u"] == 42 and rack["payload_kg"] == 1020
    assert rack["footprint"] == {"width_mm": 750, "depth_mm": 1200}
    arista = types["arista-dcs-7060dx5-32-f"]  # 10G SFP+: no superpod cage, its real rate
    assert any(g["form_factor"] == "other" and g["speed_gbps"] == 10
               for g in arista["port_groups"])
    # power ports: two 3 kW PSUs at N+N give 3 kW; N+1 over two PSUs gives 3 kW as well
    sm = next(d for d in spec["device_types"] if d["max_w"] > 0 and d.get("role") != "pdu")
    assert sm["max_w"] > 0


def test_imported_type_used_in_a_cabinet(cli, tmp_path: Path) -> None:
    cli("import", "netbox", str(SAMPLES / "device-types" / "Nvidia" / "SN2201.yaml"),
        "--out", str(tmp_path / "parts.yaml"))
    base = (ROOT / "tests/fixtures/rules/_base.yaml").read_text()
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "cab.yaml").write_text("""apiVersion: superpod-iac/v1alpha1
kind: Cabinet
metadata: {name: mgmt-01}
spec:
  type: light-rack
  location: {hall: hall1, row: A, slot: 1}
  feeds: [feed-A1, feed-B1]
  devices:
    - {name: tor1, type: mellanox-sn2201, u: 1}
""")
    # the library's SN2201 has no power ports: imported as 0 W with a warning, and a switch
    # drawing nothing is a finding until max_w is set by hand, as the warning says
    res = cli("validate", str(tmp_path))
    assert res.code == 1 and "PWR012" in res.out and "mellanox-sn2201" in res.out, res.out
    parts = tmp_path / "parts.yaml"
    parts.write_text(parts.read_text().replace("max_w: 0.0", "max_w: 150"))
    res = cli("validate", str(tmp_path))
    assert res.code == 0, res.out


def test_export_references_resolve(cli, tmp_path: Path) -> None:
    out = tmp_path / "nb"
    res = cli("export", "netbox", "specs/cloudmatrix-384", "--out", str(out))
    assert res.code == 0, res.err

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader((out / name).open()))

    sites = {r["name"] for r in rows("sites.csv")}
    racks = rows("racks.csv")
    assert racks and all(r["site"] in sites for r in racks)
    rack_names = {r["name"] for r in racks}
    types = {p.stem: YAML(typ="safe").load(p.read_text()) for p in (out / "device-types").glob("*")}
    makers = {r["name"] for r in rows("manufacturers.csv")}
    roles = {r["name"] for r in rows("device-roles.csv")}
    devices = rows("devices.csv")
    assert len(devices) == 48 + 112 + 28 + 2  # nodes, UB L2, RDMA leaf/spine, VPC switches
    by_name = {}
    for d in devices:
        assert d["rack"] in rack_names and d["site"] in sites and d["role"] in roles
        assert d["device_type"] in types and d["manufacturer"] in makers
        by_name[d["name"]] = types[d["device_type"]]
    cables = rows("cables.csv")
    assert len(cables) == 5376 + 768 + 48  # UB, scale-out and VPC links
    kinds = {"dcim.interface": "interfaces", "dcim.frontport": "front-ports",
             "dcim.rearport": "rear-ports"}
    for c in cables:
        for side in ("a", "b"):
            dtype = by_name[c[f"side_{side}_device"]]
            names = {p["name"] for p in dtype[kinds[c[f"side_{side}_type"]]]}
            assert c[f"side_{side}_name"] in names
    assert set(csv.DictReader((out / "cables.csv").open()).fieldnames or []) >= {
        "side_a_device", "side_a_type", "side_a_name", "side_b_device", "side_b_type",
        "side_b_name", "type", "status"}


@pytest.mark.parametrize("spec", ["specs/gb200-nvl72", "specs/cloudmatrix-384"])
def test_export_passes_library_schema_and_round_trips(cli, spec: str, tmp_path: Path) -> None:
    import json

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from superpod_iac.config import load_config
    from superpod_iac.manifest.catalog import DeviceType
    from superpod_iac.pipeline import load_project

    out = tmp_path / "nb"
    assert cli("export", "netbox", spec, "--out", str(out)).code == 0
    folder = ROOT / "superpod_iac" / "netbox" / "schema"
    docs = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
    registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d)) for d in docs.values() if "$id" in d)
    validator = Draft202012Validator(docs["devicetype"], registry=registry)
    files = sorted((out / "device-types").glob("*.yaml"))
    assert files
    for f in files:  # the library's own schema, stock validator
        errors = [e.message for e in validator.iter_errors(YAML(typ="safe").load(f.read_text()))]
        assert not errors, (f.name, errors[:3])
    back = tmp_path / "back.yaml"
    res = cli("import", "netbox", str(out / "device-types"), "--out", str(back))
    assert res.code == 0, res.err
    assert "warning" not in res.err, res.err
    inv = load_project([str(ROOT / spec)], load_config(None)).inventory
    imported = YAML(typ="safe").load(back.read_text())["spec"]["device_types"]
    assert {d["name"] for d in imported} == {d.type_name for d in inv.devices}
    for d in imported:
        original = inv.catalog.device_types[d["name"]]
        assert DeviceType(**d).model_dump(exclude_defaults=True) == \
            original.model_dump(exclude_defaults=True)


def test_import_is_loud_about_defaults_and_keeps_what_it_can(cli, tmp_path: Path) -> None:
    out = tmp_path / "c.yaml"
    res, _spec, types = _import_samples(cli, out)
    # a PDU: outlets make it a pdu whose inlet rating is capacity, never load
    pdu = types["apc-ap8886"]
    assert pdu["role"] == "pdu" and pdu["max_w"] == 0 and "42 outlet(s)" in pdu["source"]
    assert "apc-ap8886" in res.err or "AP8886.yaml" in res.err
    assert "AP8886.yaml: not kept: console-ports" in res.err
    # module types import, with their ports and power
    nic = next(d for d in types.values() if d["model"] == "ConnectX-7 MCX755106AS-HEAT")
    assert nic["height_u"] == 0 and nic["port_groups"][0]["form_factor"] == "qsfp56"
    psu = next(d for d in types.values() if d["model"] == "PWR-2411-AC-RED")
    assert psu["max_w"] == 0 and "2400 W" in psu["source"]  # a PSU module is no load
    # management ports are marked
    sn = types["nvidia-sn5600"]
    assert any(g.get("plane") == "management" for g in sn["port_groups"])
    # every default taken is named
    assert "no weight: weight_kg 0 (default)" in res.err


def test_half_u_is_never_rounded_silently(cli, tmp_path: Path) -> None:
    f = tmp_path / "half.yaml"
    f.write_text("manufacturer: Acme\nmodel: Half\nslug: acme-half\nu_height: 0.5\n"
                 "is_full_depth: false\nweight: 2\nweight_unit: kg\nairflow: passive\n")
    res = cli("import", "netbox", str(f), "--out", str(tmp_path / "o.yaml"))
    assert res.code == 0
    assert "u_height 0.5 is not a whole U: imported as 1 U" in res.err


def test_outlets_and_psus_survive_the_library_format(cli, tmp_path: Path) -> None:
    """A PDU's outlet banks and a server's PSU cords go out as NetBox power outlets and power
    ports and come back from them alone (the superpod entry in the comments removed): banks
    with their type, count and standard rating, cords with their plug and the draw."""
    base = ROOT / "tests" / "fixtures" / "rules"
    out = tmp_path / "nb"
    assert cli("export", "netbox", str(base / "_base.yaml"), str(base / "pass" / "OUT001.yaml"),
               "--out", str(out)).code == 0
    plain = tmp_path / "plain"
    plain.mkdir()
    yaml = YAML(typ="safe")
    for f in (out / "device-types").glob("*.yaml"):
        doc = yaml.load(f.read_text())
        doc.pop("comments")
        with (plain / f.name).open("w") as fh:
            yaml.dump(doc, fh)
    back = tmp_path / "back.yaml"
    res = cli("import", "netbox", str(plain), "--out", str(back))
    assert res.code == 0, res.err
    types = {d["name"]: d for d in yaml.load(back.read_text())["spec"]["device_types"]}
    pdu = types["rack-pdu-415v-60a"]
    assert pdu["role"] == "pdu" and pdu["max_w"] == 0
    assert pdu["outlets"] == [{"name": f"c19-{i}", "type": "c19", "count": 2, "outlet_a": 16}
                              for i in range(1, 7)] + \
        [{"name": f"c13-{i}", "type": "c13", "count": 8, "outlet_a": 10} for i in range(1, 4)]
    server = types["fx-gpu-server"]
    assert server["psus"] == {"count": 2, "cord": "c20", "redundancy": "N+N"}
    assert server["max_w"] == 2000
