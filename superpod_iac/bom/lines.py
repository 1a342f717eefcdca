"""BOM rows from the Inventory: counted once per (group, part), never one object per link.

Row kinds (each explained in docs/bom.md with its formula):

- racks and devices: one row per catalog type, counted from the model;
- optics: one row per transceiver type, one per physical module (twin-port cages share one);
- cables: one row per (cable type, orderable length): each link's run (floor plan + rise to the
  tray at both ends + slack, `model.lengths`) rounded up to the next length the catalog stocks;
- derived accessories: what the catalog says a device or cabinet needs (`accessories:`), per
  device, per PSU, per cabinet, per liquid-cooled cabinet or per free rack unit;
- spares: the site policy's spares per category, as separate rows beside the base quantity.

With a grouping (hall, row, cabinet, superpod) every count is split by the group of the cabinet
a part sits in; a cable and its count belong to the group of its A end.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from superpod_iac import physics
from superpod_iac.bom.parts import CATEGORIES, ROLE_CATEGORY, UNCONFIRMED, PartData, part_data
from superpod_iac.choices import BOM_GROUP_BY, table
from superpod_iac.manifest.catalog import Accessory
from superpod_iac.model.derived import derived
from superpod_iac.model.inventory import Cabinet, Inventory
from superpod_iac.model.linkstats import columns, device_cabinet_ids, transceiver_modules

GROUP_BY = BOM_GROUP_BY
SITE_GROUP = "(site)"
"""Group of parts that sit in no cabinet (row / facility CDUs)."""

COLUMNS = [
    "group", "category", "part", "line", "quantity", "unit", "length_m", "manufacturer", "mpn",
    "vendor_sku", "unit_price", "total_price", "currency", "price_date", "lead_time_weeks",
    "unit_power_w", "total_power_w", "unit_weight_kg", "total_weight_kg", "note",
]


@dataclass(slots=True)
class BomLine:
    group: str
    category: str
    part: str
    quantity: int
    line: str = "base"
    """`base` (what the design needs) or `spare` (the spares policy on top)."""
    unit: str = "ea"
    length_m: float | None = None
    """Orderable length of a cable row."""
    manufacturer: str = UNCONFIRMED
    mpn: str = UNCONFIRMED
    vendor_sku: str = ""
    unit_price: float | None = None
    total_price: float | None = None
    currency: str = "USD"
    price_date: str = ""
    lead_time_weeks: float | str = UNCONFIRMED
    unit_power_w: float | None = None
    total_power_w: float | None = None
    unit_weight_kg: float | None = None
    total_weight_kg: float | None = None
    note: str = ""
    kind: str = field(default="", repr=False)
    """Device role, accessory kind or medium: what a spares rule's `kind` matches."""
    psus: int = field(default=0, repr=False)
    """PSUs per unit (power shelves and PDUs), for the PSU spares rule."""

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        return {c: d[c] for c in COLUMNS}

    def row(self) -> list[object]:
        return [self.unit_price_cell() if c == "unit_price" else
                self.total_price_cell() if c == "total_price" else getattr(self, c)
                for c in COLUMNS]

    def unit_price_cell(self) -> float | str:
        return UNCONFIRMED if self.unit_price is None else self.unit_price

    def total_price_cell(self) -> float | str:
        return UNCONFIRMED if self.total_price is None else self.total_price


def _make(group: str, category: str, part: str, qty: int, data: PartData, *,
          power_w: float | None = None, weight_kg: float | None = None, note: str = "",
          kind: str = "", length_m: float | None = None, line: str = "base",
          psus: int = 0) -> BomLine:
    def total(x: float | None) -> float | None:
        return None if x is None else round(x * qty, 3)

    return BomLine(
        group=group, category=category, part=part, quantity=qty, line=line, length_m=length_m,
        manufacturer=data.manufacturer, mpn=data.mpn, vendor_sku=data.vendor_sku,
        unit_price=data.unit_price, total_price=None if data.unit_price is None
        else round(data.unit_price * qty, 2), currency=data.currency,
        price_date=data.price_date, lead_time_weeks=data.lead_time_weeks,
        unit_power_w=power_w, total_power_w=total(power_w), unit_weight_kg=weight_kg,
        total_weight_kg=total(weight_kg), note=note, kind=kind, psus=psus)


GROUPS: dict[str, Callable[[Cabinet], str]] = table(BOM_GROUP_BY, {
    "hall": lambda cab: cab.hall or "(no hall)",
    "row": lambda cab: f"{cab.hall}/{cab.row}" if cab.row else "(no row)",
    "cabinet": lambda cab: cab.name,
    "superpod": lambda cab: cab.superpod or "(no superpod)",
})
"""`superpod bom --group-by`: the group a cabinet's parts are billed to."""


def group_of(cab: Cabinet, group_by: str | None) -> str:
    """The group a cabinet's parts are billed to."""
    if group_by is None:
        return ""
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r} (one of {', '.join(GROUPS)})")
    return GROUPS[group_by](cab)


def used_u(cab: Cabinet) -> int:
    return sum(max(d.type.height_u, 0) for d in cab.devices)


def bom_lines(inv: Inventory, group_by: str | None = None, spares: bool = True) -> list[BomLine]:
    """Every BOM row, sorted by group, category (CATEGORIES order), base before spares, part."""
    groups = {name: group_of(cab, group_by) for name, cab in inv.cabinets.items()}
    lines = _racks_and_devices(inv, groups) + _accessories(inv, groups)
    lines += _cdus(inv, group_by) + _optics(inv, groups) + _cables(inv, groups)
    if spares:
        lines += spare_lines(inv, lines)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    lines.sort(key=lambda x: (x.group, order.get(x.category, 99), x.line != "base",
                              x.part.split(" ")[0],
                              math.inf if x.length_m is None else x.length_m, x.part))
    return lines


def _racks_and_devices(inv: Inventory, groups: dict[str, str]) -> list[BomLine]:
    cat = inv.catalog
    cabs: Counter[tuple[str, str]] = Counter()
    devs: Counter[tuple[str, str]] = Counter()
    for cab in inv.cabinets.values():
        g = groups[cab.name]
        cabs[(g, cab.type_name)] += 1
        for d in cab.devices:
            devs[(g, d.type_name)] += 1
    out = []
    for (g, name), n in sorted(cabs.items()):
        rack = cat.cabinet_types[name]
        out.append(_make(g, "racks", name, n, part_data(rack), weight_kg=rack.empty_weight_kg,
                         note=f"{rack.height_u}U, rated {rack.power_rating_kw:g} kW",
                         kind="cabinet"))
    for (g, name), n in sorted(devs.items()):
        t = cat.device_types[name]
        note = f"{t.role}, {t.height_u}U"
        psus = 0
        if t.power_output is not None:
            po = t.power_output
            psus = po.psu_count
            note += f", {po.psu_count} x {po.psu_w:g} W PSUs ({po.redundancy})"
        if t.accelerators is not None:
            note += f", {t.accelerators.count} x {t.accelerators.type} each"
        if t.power_items:
            note += ", max power " + " + ".join(f"{i.count} x {i.item} {i.w:g} W"
                                               for i in t.power_items)
        out.append(_make(g, ROLE_CATEGORY.get(t.role, "accessories"), name, n, part_data(t),
                         power_w=t.max_w, weight_kg=t.weight_kg, note=note, kind=t.role,
                         psus=psus))
    return out


_PER_TEXT = {
    "device": "per {src}",
    "psu": "per PSU of {src}",
    "cabinet": "per {src} cabinet",
    "cooled-cabinet": "per liquid-cooled {src} cabinet (one with a CDU)",
    "free-u": "per free U of {src}",
}


def _accessories(inv: Inventory, groups: dict[str, str]) -> list[BomLine]:
    """Derived rows: accessories the catalog lists per device / PSU / cabinet / free U."""
    cat = inv.catalog
    # (group, accessory type) -> [(quantity, formula text)]
    contrib: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)

    def add(g: str, acc: Accessory, basis: int, src: str, unit_word: str) -> None:
        if basis <= 0:
            return
        qty = acc.count * basis
        how = _PER_TEXT[acc.per].format(src=src)
        contrib[(g, acc.type)].append((qty, f"{acc.count} {how} x {basis} {unit_word} = {qty}"))

    cab_stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    dev_count: Counter[tuple[str, str]] = Counter()
    for cab in inv.cabinets.values():
        g = groups[cab.name]
        s = cab_stats[(g, cab.type_name)]
        s[0] += 1
        s[1] += 1 if cab.cdu else 0
        s[2] += max(cab.type.height_u - used_u(cab), 0)
        for d in cab.devices:
            if d.type.accessories:
                dev_count[(g, d.type_name)] += 1
    for (g, name), (n, cooled, free) in sorted(cab_stats.items()):
        for acc in cat.cabinet_types[name].accessories:
            if acc.per in ("device", "cabinet"):
                add(g, acc, n, name, "cabinets")
            elif acc.per == "cooled-cabinet":
                add(g, acc, cooled, name, "liquid-cooled cabinets")
            elif acc.per == "free-u":
                add(g, acc, free, name, f"free U in {n} cabinet{'s' if n != 1 else ''}")
    for (g, name), n in sorted(dev_count.items()):
        t = cat.device_types[name]
        for acc in t.accessories:
            if acc.per == "psu":
                psus = t.power_output.psu_count if t.power_output else 0
                add(g, acc, n * psus, name, f"PSUs ({n} x {psus})")
            else:
                add(g, acc, n, name, "devices")
    return _accessory_lines(inv, contrib)


def _accessory_lines(inv: Inventory,
                     contrib: dict[tuple[str, str], list[tuple[int, str]]]) -> list[BomLine]:
    out = []
    for (g, name), parts in sorted(contrib.items()):
        a = inv.catalog.accessory_types.get(name)
        qty = sum(q for q, _ in parts)
        note = "; ".join(text for _, text in parts)
        if a is None:
            out.append(_make(g, "accessories", name, qty, part_data(None), kind="unknown",
                             note=f"{note} (unknown accessory type: add it to accessory_types)"))
            continue
        if a.length_m is not None:
            note += f"; {a.length_m:g} m"
        out.append(_make(g, a.category, name, qty, part_data(a), weight_kg=a.weight_kg or None,
                         note=note, kind=a.kind, length_m=a.length_m))
    return out


def _cdus(inv: Inventory, group_by: str | None) -> list[BomLine]:
    cat = inv.catalog
    g = SITE_GROUP if group_by else ""
    n_by_type = Counter(c.spec.type or "custom CDU" for c in inv.cdus.values())
    out = []
    contrib: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for name, n in sorted(n_by_type.items()):
        t = cat.cdu_types.get(name)
        out.append(_make(g, "cooling", name, n, part_data(t), power_w=t.power_w if t else None,
                         note=f"{t.capacity_kw:g} kW, {t.flow_lpm:g} L/min" if t else
                         "CDU declared without a catalog type", kind="cdu"))
        for acc in t.accessories if t else []:
            qty = acc.count * n
            contrib[(g, acc.type)].append((qty, f"{acc.count} per {name} x {n} CDUs = {qty}"))
    return out + _accessory_lines(inv, contrib)


def _group_index(inv: Inventory, groups: dict[str, str]) -> tuple[list[str], np.ndarray]:
    """Sorted group names and, per device index, its group's index."""
    cab_names, dev_cab = device_cabinet_ids(inv)
    names = sorted(set(groups.values())) or [""]
    pos = {g: i for i, g in enumerate(names)}
    cab_group = np.array([pos[groups[c]] for c in cab_names] or [0], dtype=np.int64)
    return names, cab_group[dev_cab] if len(dev_cab) else np.zeros(0, dtype=np.int64)


def _optics(inv: Inventory, groups: dict[str, str]) -> list[BomLine]:
    t = inv.links
    if not len(t) or not t.xcvr_names:
        return []
    names, dev_group = _group_index(inv, groups)
    nx = len(t.xcvr_names)
    devs, xs = transceiver_modules(inv)
    mods = np.bincount(dev_group[devs] * nx + xs, minlength=len(names) * nx)
    col = columns(inv)
    ends = []
    for d, x in (("a_dev", "xcvr_a"), ("b_dev", "xcvr_b")):
        has = col[x] >= 0
        key = dev_group[col[d][has]] * nx + col[x][has]
        ends.append(np.bincount(key, minlength=len(names) * nx))
    out = []
    for gi, g in enumerate(names):
        for xi in sorted(range(nx), key=lambda i: t.xcvr_names[i]):
            k = gi * nx + xi
            n = int(mods[k])
            if not n:
                continue
            name = t.xcvr_names[xi]
            xcvr = inv.catalog.transceiver_types.get(name)
            desc = (f"{xcvr.speed_gbps:g}G {xcvr.medium}, {xcvr.reach_m:g} m, {xcvr.connector}"
                    if xcvr else "unknown transceiver type")
            ea, eb = int(ends[0][k]), int(ends[1][k])
            note = (f"{desc}; link ends: {ea} A + {eb} B = {ea + eb}"
                    + (f", {ea + eb - n} share a twin-port cage" if ea + eb != n else "")
                    + f"; modules: {n}")
            out.append(_make(g, "optics", name, n, part_data(xcvr),
                             power_w=xcvr.power_w if xcvr else None, note=note,
                             kind=xcvr.medium if xcvr else ""))
    return out


@derived
def cable_sizes(inv: Inventory) -> tuple[np.ndarray, list[tuple[str, float | None, str]]]:
    """Per link, an index into a list of (cable type, orderable length or None, size label).

    Labels: `3 m` (the orderable length), `in-rack harness` (backplane: part of the cabinet),
    `over-length` (longer than every orderable length or the type's reach), `unknown length`,
    `unknown type`. Computed once per distinct (cable, centimetre) pair.
    """
    t = inv.links
    col = columns(inv)
    cm = np.where(np.isnan(col["length_m"]), -1,
                  np.ceil(col["length_m"] * 100 - 1e-6)).astype(np.int64)
    pair = (col["cable"].astype(np.int64) + 1) * 10_000_000 + (cm + 1)
    uniq, inverse = np.unique(pair, return_inverse=True)
    sizes: list[tuple[str, float | None, str]] = []
    size_idx: dict[tuple[str, float | None, str], int] = {}
    mapped = np.empty(len(uniq), dtype=np.int64)
    for i, k in enumerate(uniq.tolist()):
        ci, c_cm = divmod(k, 10_000_000)
        ci, c_cm = ci - 1, c_cm - 1
        name = t.cable_names[ci] if ci >= 0 else "(no cable)"
        ctype = inv.catalog.cable_types.get(name)
        length = c_cm / 100 if c_cm >= 0 else math.nan
        stock: float | None = None
        if ctype is None:
            label = "unknown type"
        elif ctype.medium == "backplane":
            label = "in-rack harness"
        elif math.isnan(length):
            label = "unknown length"
        else:
            stock = physics.round_up_to_stock(length, ctype.stocked_lengths_m)
            if stock is None or stock > ctype.max_length_m:
                stock, label = None, "over-length"
            else:
                label = f"{stock:g} m"
        key = (name, stock, label)
        if key not in size_idx:
            size_idx[key] = len(sizes)
            sizes.append(key)
        mapped[i] = size_idx[key]
    result = (mapped[inverse.reshape(-1)] if len(t) else np.zeros(0, np.int64), sizes)
    return result


def integrated_links(inv: Inventory) -> dict[str, int]:
    """Links on in-cabinet harnesses (backplane medium): part of the cabinet, not ordered."""
    if not len(inv.links):
        return {}
    per_link, sizes = cable_sizes(inv)
    counts = np.bincount(per_link, minlength=len(sizes))
    return {name: int(counts[i]) for i, (name, _s, label) in enumerate(sizes)
            if label == "in-rack harness" and counts[i]}


def _cables(inv: Inventory, groups: dict[str, str]) -> list[BomLine]:
    t = inv.links
    if not len(t):
        return []
    per_link, sizes = cable_sizes(inv)
    names, dev_group = _group_index(inv, groups)
    col = columns(inv)
    key = dev_group[col["a_dev"]] * len(sizes) + per_link
    counts = np.bincount(key, minlength=len(names) * len(sizes))
    out = []
    for k in np.nonzero(counts)[0].tolist():
        gi, si = divmod(k, len(sizes))
        name, stock, label = sizes[si]
        if label == "in-rack harness":
            continue
        n = int(counts[k])
        ctype = inv.catalog.cable_types.get(name)
        mpn = ctype.length_mpns.get(f"{stock:g}") if ctype and stock is not None else None
        if stock is not None:
            note = (f"{ctype.medium if ctype else ''}: each run (floor + rise + slack) rounded "
                    f"up to the next orderable length")
        else:
            note = {"over-length": "longer than every orderable length or the reach: fix the "
                                   "route or the media (rule OPT)",
                    "unknown length": "a cabinet has no floor position: declare length_m",
                    "unknown type": "cable type not in the catalog"}.get(label, "")
        weight = ctype.weight_kg_per_m * stock if ctype and stock and ctype.weight_kg_per_m \
            else None
        out.append(_make(names[gi], "cables", f"{name} {label}", n, part_data(ctype, mpn),
                         weight_kg=weight, note=note, kind=ctype.medium if ctype else "",
                         length_m=stock))
    return out


def _number(rule: Mapping[str, object], key: str) -> int | float | str:
    """A figure of a spares rule (0 when absent); the policy's rows are plain dicts."""
    value = rule.get(key) or 0
    if not isinstance(value, int | float | str):
        raise TypeError(f"spares rule {key}: {value!r} is not a number")
    return value


def _spare_qty(base: int, rule: Mapping[str, object]) -> tuple[int, str]:
    pct = float(_number(rule, "pct"))
    low = int(_number(rule, "min"))
    per = _number(rule, "per")
    options = [(math.ceil(base * pct / 100 - 1e-9), f"{pct:g} % of {base}")] if pct else []
    if per:
        options.append((math.ceil(base / int(per) - 1e-9), f"1 per {per} of {base}"))
    if low:
        options.append((low, f"minimum {low}"))
    if not options:
        return 0, ""
    qty, why = max(options, key=lambda o: o[0])
    return qty, why


def spare_lines(inv: Inventory, base: Iterable[BomLine]) -> list[BomLine]:
    """Spares per the site policy, one row per base row a rule matches (same part data)."""
    rules = [r.model_dump() for r in inv.policy.spares]
    out = []
    for line in base:
        if line.line != "base":
            continue
        for rule in rules:
            if rule.get("category") != line.category:
                continue
            kind = rule.get("kind")
            if kind == "psu":
                if not line.psus:
                    continue
                n = line.quantity * line.psus
                qty, why = _spare_qty(n, rule)
                if qty:
                    data = PartData(line.manufacturer, UNCONFIRMED, "", None, line.currency,
                                    "", UNCONFIRMED)
                    out.append(_make(line.group, line.category, f"{line.part} PSU", qty, data,
                                     line="spare", note=f"spare PSU modules: {why} PSUs "
                                     f"({line.quantity} x {line.psus}), rounded up"))
                continue
            if kind and kind != line.kind:
                continue
            qty, why = _spare_qty(line.quantity, rule)
            if qty:
                data = PartData(line.manufacturer, line.mpn, line.vendor_sku, line.unit_price,
                                line.currency, line.price_date, line.lead_time_weeks)
                out.append(_make(line.group, line.category, line.part, qty, data,
                                 power_w=None, weight_kg=line.unit_weight_kg, line="spare",
                                 length_m=line.length_m, kind=line.kind,
                                 note=f"spares: {why}, rounded up"))
            break  # first matching rule per row
    return out
