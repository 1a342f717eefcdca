"""OPT: cables and optics: reach, stocked lengths, loss budget, media and form factors.

Every check runs once per link group (same template line, cable, transceivers, port groups and
length), so generated fabrics with millions of links cost a handful of comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from superpod_iac import physics
from superpod_iac.manifest.catalog import CableType, TransceiverType
from superpod_iac.model.catalog import form_factor_fits
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import LinkGroup, link_groups
from superpod_iac.rules.inuse import link_parts_where
from superpod_iac.rules.linkfmt import example, group_origin, times
from superpod_iac.rules.registry import Finding, rule

_FIBRE = {"smf", "mmf"}
_COPPER = {"dac", "acc", "aec", "backplane", "cat6"}


def _parts(inv: Inventory, g: LinkGroup) -> tuple[CableType | None, list[TransceiverType]]:
    cat = inv.catalog
    cable = cat.cable_types.get(g.cable or "")
    xcvrs = [cat.transceiver_types[x] for x in (g.xcvr_a, g.xcvr_b)
             if x is not None and x in cat.transceiver_types]
    return cable, xcvrs


@rule("OPT001", "link longer than its cable or optics can reach",
      inputs=("CableType.max_length_m?", "TransceiverType.reach_m", "Link.length_m?",
              "Cabinet.location!SPC008"))
def over_reach(inv: Inventory) -> Iterator[Finding]:
    """Every medium has a maximum reach: passive DAC ~3 m, ACC 4-5 m, AEC ~7 m, SR optics
    50-100 m on multimode, DR 500 m, FR 2 km, LR 10 km on single-mode. The length is the floor-
    grid estimate (Manhattan run + rise to the tray at both ends + slack) or the declared one.

    Formula:
        L = (|dx| + |dy| + rise_A + rise_B) x (1 + slack %) + slack m  <=  min(cable max_length_m,
        transceiver reach_m)

    Fix:
        Use a longer-reach medium (AEC, then SR/DR optics), or place the cabinets closer.
    """
    for g in link_groups(inv):
        if math.isnan(g.length_m):
            continue
        cable, xcvrs = _parts(inv, g)
        limits = []
        if cable is not None:
            limits.append((cable.max_length_m, f"cable {cable.name}"))
        limits += [(x.reach_m, f"transceiver {x.name}") for x in xcvrs]
        if not limits:
            continue
        reach, what = min(limits)
        if g.length_m > reach + 1e-9:
            yield Finding(f"{example(inv, g)} is {g.length_m:.1f} m > {reach:g} m reach of "
                          f"{what}{times(g)}", group_origin(inv, g),
                          "use a longer-reach medium or place the ends closer")


@rule("OPT002", "no stocked cable length is long enough",
      inputs=("CableType.stocked_lengths_m?", "Link.length_m?", "Cabinet.location!SPC008"))
def no_stock_length(inv: Inventory) -> Iterator[Finding]:
    """Cables are bought in stocked lengths; the run is rounded up to the next one. A run longer
    than every stocked length cannot be built from stock.

    Formula:
        min(stocked >= L) must exist

    Fix:
        Add the stocked length to the cable type, or use a cable type stocked longer.
    """
    for g in link_groups(inv):
        cable = inv.catalog.cable_types.get(g.cable or "")
        if cable is None or not cable.stocked_lengths_m or math.isnan(g.length_m):
            continue
        if g.length_m > cable.max_length_m:
            continue  # OPT001 already says it
        if physics.round_up_to_stock(g.length_m, cable.stocked_lengths_m) is None:
            yield Finding(f"{example(inv, g)} needs {g.length_m:.1f} m but cable {cable.name} is "
                          f"stocked up to {max(cable.stocked_lengths_m):g} m{times(g)}",
                          group_origin(inv, g), "add a stocked length or choose another cable")


_END_PAIRS = 2
"""Mated connector pairs at the channel's two ends (module to cord), before any patch panel."""
_CASSETTE_PAIRS = 2
"""A breakout cassette is two mated pairs: the trunk's MPO at its rear, the cord at its front."""


def _via(inv: Inventory, via: tuple[str, ...], cable: CableType) -> tuple[float, str]:
    """Loss of the mated pairs at the panels and cassettes a link names (`via`), and how it
    was made up: one pair per connector the device's port groups name (the cable's connector
    when they name none). An unknown device adds nothing (REF001 reports it)."""
    total = 0.0
    parts: list[str] = []
    for addr in via:
        i = inv.device_index.get(addr)
        if i is None:
            continue
        dev = inv.devices[i]
        conns = sorted({p.connector for p in dev.type.port_groups if p.connector is not None}) \
            or [cable.connector]
        db = sum(inv.catalog.connector_loss_db.get(c, 0.0) for c in conns)
        total += db
        parts.append(f"{addr} {'+'.join(conns)} {db:g} dB")
    return total, (f" + via {', '.join(parts)}" if parts else "")


def _channel(inv: Inventory, g: LinkGroup, cable: CableType, x: TransceiverType | None = None
             ) -> tuple[float, str]:
    """Channel insertion loss of a link group and how it was made up, for messages.

    Every mated pair counts: both ends plus one per patch panel (the link's `patch_panels`,
    else the site policy); splices at policy `splice_loss_db`; fibre attenuation at the
    module's wavelength when the cable gives one for it."""
    plant = inv.link_plant.get(g.origin)
    panels = plant.patch_panels if plant is not None and plant.patch_panels is not None else \
        0 if plant is not None and plant.via else inv.policy.patch_panels_per_link
    via_db, via_how = _via(inv, plant.via, cable) if plant is not None else (0.0, "")
    splices = plant.splices if plant is not None else 0
    cassettes = plant.cassettes if plant is not None else 0
    conn = inv.catalog.connector_loss_db.get(cable.connector, 0.0)
    att = cable.attenuation_db_per_km
    at = ""
    if x is not None and x.wavelength_nm is not None:
        by_nm = cable.attenuation_db_per_km_at_nm.get(round(x.wavelength_nm))
        if by_nm is not None:
            att, at = by_nm, f" at {x.wavelength_nm:g} nm"
    pairs = _END_PAIRS + _CASSETTE_PAIRS * cassettes
    loss = physics.channel_loss_db(g.length_m, att, pairs, conn, panels, splices,
                                   inv.policy.splice_loss_db) + via_db
    what = f"{panels} patch panel(s)" + (f", {cassettes} cassette(s)" if cassettes else "")
    how = (f"{g.length_m:.1f} m x {att:g} dB/km{at} + {pairs + panels} mated pair(s) x "
           f"{conn:g} dB ({what})" + (f" + {splices} splice(s) x "
                                                        f"{inv.policy.splice_loss_db:g} dB"
                                                        if splices else "")) + via_how
    return loss, how


@rule("OPT003", "optical channel loss exceeds the link budget",
      policy=("patch_panels_per_link", "splice_loss_db"),
      inputs=("CableType.attenuation_db_per_km!OPT010", "TransceiverType.max_channel_loss_db?",
              "Link.length_m?", "Cabinet.location!SPC008"))
def loss_over_budget(inv: Inventory) -> Iterator[Finding]:
    """The channel insertion loss must not exceed the PHY's maximum channel insertion loss,
    nor the module power budget (Tx OMA min - Rx sensitivity - penalties) where the catalog
    gives them. Every mated connector pair counts: the two ends of the channel plus one per
    patch panel (the link's `patch_panels`, else policy `patch_panels_per_link`) and two per
    breakout cassette (`cassettes`: trunk MPO at the rear, cord at the front); a link that
    names the panels and cassettes it runs through (`via: [cabinet/device, ...]`) adds one
    mated pair per connector each device's port groups name, at that connector's loss (an
    LC panel 1 x LC; an LC/MPO cassette LC + MPO), and no policy panels; each splice
    adds policy `splice_loss_db` (0.3 dB, TIA-568.3-D); fibre attenuation is taken at the
    module's wavelength where the cable type lists it (`attenuation_db_per_km_at_nm`).

    Formula:
        loss = km x dB/km(wavelength) + (2 + patch_panels + 2 x cassettes) x connector loss
               + sum(loss(c) for via device d, c in connectors(d))
               + splices x splice_loss_db  <= max_channel_loss_db
        and <= tx_oma_min_dbm - rx_sensitivity_oma_dbm - penalties_db

    Fix:
        Remove patch panels from the path, shorten the run, or use a longer-reach PHY.
    """
    for g in link_groups(inv):
        cable, xcvrs = _parts(inv, g)
        if cable is None or cable.medium not in _FIBRE or not xcvrs or math.isnan(g.length_m):
            continue
        for x in xcvrs:
            loss, how = _channel(inv, g, cable, x)
            if x.max_channel_loss_db is not None and loss > x.max_channel_loss_db + 1e-9:
                yield Finding(f"{example(inv, g)}: channel loss {loss:.2f} dB > {x.max_channel_loss_db:g} "
                              f"dB maximum of {x.name} ({how}){times(g)}",
                              group_origin(inv, g), "shorten the path, remove patch panels, or use "
                              "a longer-reach PHY")
                break
            if x.tx_oma_min_dbm is not None and x.rx_sensitivity_oma_dbm is not None:
                budget = physics.power_budget_db(x.tx_oma_min_dbm, x.rx_sensitivity_oma_dbm,
                                                 x.penalties_db)
                if loss > budget + 1e-9:
                    yield Finding(f"{example(inv, g)}: channel loss {loss:.2f} dB > {budget:.2f} dB "
                                  f"power budget of {x.name}{times(g)}", group_origin(inv, g),
                                  "shorten the path or use a module with more budget")
                    break


@rule("OPT004", "optical link within budget but under the policy margin", severity="warning",
      policy=("optical_margin_db", "patch_panels_per_link", "splice_loss_db"),
      inputs=("CableType.attenuation_db_per_km!OPT010", "TransceiverType.max_channel_loss_db?",
              "Cabinet.location!SPC008"))
def under_margin(inv: Inventory) -> Iterator[Finding]:
    """Operators keep a margin between the computed channel loss and the PHY maximum for
    ageing, dirty connectors and repairs (policy `optical_margin_db`). The loss is OPT003's:
    both ends, every patch panel, splices and attenuation at the module's wavelength.

    Formula:
        loss + optical_margin_db <= max_channel_loss_db

    Fix:
        Shorten the path or remove a patch panel; or lower the margin in the Site policy.
    """
    margin = inv.policy.optical_margin_db
    for g in link_groups(inv):
        cable, xcvrs = _parts(inv, g)
        if cable is None or cable.medium not in _FIBRE or not xcvrs or math.isnan(g.length_m):
            continue
        pairs = [(x.max_channel_loss_db - _channel(inv, g, cable, x)[0], x) for x in xcvrs
                 if x.max_channel_loss_db is not None]
        if not pairs:
            continue
        _left, worst = min(pairs, key=lambda p: (p[0], p[1].name))
        limit = worst.max_channel_loss_db or 0.0
        loss = _channel(inv, g, cable, worst)[0]
        if loss <= limit + 1e-9 and loss + margin > limit + 1e-9:
            yield Finding(f"{example(inv, g)}: channel loss {loss:.2f} dB leaves "
                          f"{limit - loss:.2f} dB < {margin:g} dB policy margin{times(g)}",
                          group_origin(inv, g), "shorten the path or remove a patch panel")


@rule("OPT005", "fibre type or connector mismatch",
      inputs=("CableType.medium", "TransceiverType.connector?", "CableType.connector?"))
def media_mismatch(inv: Inventory) -> Iterator[Finding]:
    """The transceivers and the cable must agree: single-mode optics on single-mode fibre,
    multimode on multimode, the module's connector (LC, MPO-12, MPO-16) on the cable, and the
    same PHY family at both ends.

    Fix:
        Choose the cable for the optics (the media policy can do it by length), or matching optics.
    """
    for g in link_groups(inv):
        cable, xcvrs = _parts(inv, g)
        problem = None
        if len(xcvrs) == 2 and (xcvrs[0].medium != xcvrs[1].medium or
                                _conn(xcvrs[0].connector) != _conn(xcvrs[1].connector)):
            problem = (f"ends use {xcvrs[0].name} ({xcvrs[0].medium}, {xcvrs[0].connector}) and "
                       f"{xcvrs[1].name} ({xcvrs[1].medium}, {xcvrs[1].connector})")
        elif cable is not None and cable.medium in _FIBRE:
            for x in xcvrs:
                if x.medium != cable.medium:
                    problem = f"{x.name} needs {x.medium} but cable {cable.name} is {cable.medium}"
                elif _conn(x.connector) != _conn(cable.connector):
                    problem = (f"{x.name} has {x.connector} connectors but cable {cable.name} is "
                               f"{cable.connector}")
                if problem:
                    break
        if problem:
            yield Finding(f"{example(inv, g)}: {problem}{times(g)}", group_origin(inv, g),
                          "use a cable of the optics' fibre type and connector")


@rule("OPT006", "transceiver does not fit the port's cage",
      inputs=("TransceiverType.form_factor", "PortGroup.form_factor"))
def module_in_wrong_cage(inv: Inventory) -> Iterator[Finding]:
    """A module only fits cages of its form factor (an OSFP module does not fit a QSFP112 cage;
    QSFP-DD cages take QSFP modules), and its rate must match the port's.

    Fix:
        Use a transceiver type of the port's form factor and speed.
    """
    cat = inv.catalog
    for g in link_groups(inv):
        for side, name, group in (("A", g.xcvr_a, g.a_group), ("B", g.xcvr_b, g.b_group)):
            x = cat.transceiver_types.get(name or "")
            if x is None:
                continue
            if not form_factor_fits(x.form_factor, group.form_factor):
                yield Finding(f"{example(inv, g)}: transceiver {x.name} ({x.form_factor}) does not "
                              f"fit end {side}'s {group.form_factor} port ({group.name}){times(g)}",
                              group_origin(inv, g), "use a transceiver of the port's form factor")
                break
            if abs(x.speed_gbps - group.speed_gbps) > 1e-9:
                yield Finding(f"{example(inv, g)}: transceiver {x.name} runs at {x.speed_gbps:g}G "
                              f"but end {side}'s port is {group.speed_gbps:g}G{times(g)}",
                              group_origin(inv, g), "use a transceiver of the port's speed")
                break


@rule("OPT007", "link media incomplete: fibre without optics, copper with optics, or no cable",
      inputs=("Link.cable?", "Link.transceiver?", "CableType.medium"))
def media_incomplete(inv: Inventory) -> Iterator[Finding]:
    """A fibre link needs a transceiver at both ends (a patch-panel end is passive and takes
    none); a copper cable (DAC/ACC/AEC) has its own
    plugs and takes none; and every link needs a cable, either declared or picked by the
    fabric's media policy from the computed length.

    Fix:
        Add the transceivers, remove them from copper links, or add a media rule for the length.
    """
    for g in link_groups(inv):
        cable, xcvrs = _parts(inv, g)
        if g.cable is None and math.isnan(g.length_m) and _unplaced(inv, g):
            continue  # a cabinet with an unknown hall or row: REF001 said so
        if g.cable is None:
            length = "unknown length" if math.isnan(g.length_m) else f"{g.length_m:.1f} m"
            yield Finding(f"{example(inv, g)} has no cable ({length}: no cable declared and no "
                          f"media rule fits){times(g)}", group_origin(inv, g),
                          "declare a cable or add a media rule for this length")
        elif cable is not None and cable.medium in _FIBRE and _optics_missing(inv, g):
            yield Finding(f"{example(inv, g)} runs on fibre ({cable.name}) without a transceiver "
                          f"at {'both ends' if g.xcvr_a is None and g.xcvr_b is None else 'one end'}"
                          f"{times(g)}", group_origin(inv, g), "declare the transceiver types")
        elif cable is not None and cable.medium in _COPPER and xcvrs:
            yield Finding(f"{example(inv, g)} uses copper cable {cable.name} but also declares "
                          f"transceivers{times(g)}", group_origin(inv, g),
                          "remove the transceivers, or use fibre")


@rule("OPT009", "a transceiver type in use declares no power (power_w 0)",
      inputs=("TransceiverType.power_w?",))
def transceiver_unpowered(inv: Inventory) -> Iterator[Finding]:
    """Every optical module draws power (a 400G module 8-9 W, an 800G DSP module 13-17 W) and
    counts toward its cabinet's power and heat: CloudMatrix 384's 6,912 modules are ~60 kW.
    `power_w` left out is 0 W, so every module of that type drops out of the cabinet sums. One
    finding per type, at the first link line that uses it.

    Fix:
        Declare the transceiver type's `power_w` from its data sheet.
    """
    types = inv.catalog.transceiver_types
    unpowered = link_parts_where(inv, lambda g: [g.xcvr_a, g.xcvr_b],
                                 lambda x: x in types and types[x].power_w == 0)
    for name, (g, count) in unpowered.items():
        yield Finding(f"transceiver type {name} declares no power_w: its {count:,} module(s) "
                      f"(e.g. on {example(inv, g)[5:]}) add 0 W to their cabinets' power and heat",
                      group_origin(inv, g), f"declare power_w for {name} (its data sheet's maximum)")


@rule("OPT010", "a fibre cable type in use declares no attenuation",
      inputs=("CableType.attenuation_db_per_km?",))
def fibre_without_attenuation(inv: Inventory) -> Iterator[Finding]:
    """Fibre loses light with distance (OS2 single-mode ~0.4 dB/km at 1310 nm, OM4 multimode
    ~3.5 dB/km at 850 nm), and the channel loss OPT003/OPT004 check adds it to the connector
    losses. A fibre cable type with neither `attenuation_db_per_km` nor
    `attenuation_db_per_km_at_nm` has none, so every run on it looks as short as a patch cord.
    One finding per type, at the first link line that uses it.

    Fix:
        Declare the cable type's attenuation (per km, or per wavelength).
    """
    cables = inv.catalog.cable_types
    lossless = link_parts_where(
        inv, lambda g: [g.cable], lambda c: c in cables and cables[c].medium in _FIBRE
        and cables[c].attenuation_db_per_km == 0 and not cables[c].attenuation_db_per_km_at_nm)
    for name, (g, count) in lossless.items():
        yield Finding(f"fibre cable type {name} declares no attenuation: the channel loss of its "
                      f"{count:,} link(s) (e.g. {example(inv, g)[5:]}) counts the connectors only",
                      group_origin(inv, g), f"declare attenuation_db_per_km for {name}")


def _unplaced(inv: Inventory, g: LinkGroup) -> bool:
    t = inv.links
    return any(inv.devices[d].cabinet in inv.unplaced
               for d in (t.a_dev[g.first], t.b_dev[g.first]))


def _optics_missing(inv: Inventory, g: LinkGroup) -> bool:
    """A fibre end needs a transceiver unless it terminates on a patch panel (passive port)."""
    passive = {t for t, d in inv.catalog.device_types.items() if d.role == "patch-panel"}
    return (g.xcvr_a is None and g.a_type not in passive) or \
        (g.xcvr_b is None and g.b_type not in passive)


def _conn(connector: str) -> str:
    """Connector per lane path: a twin-port module's `2xmpo-12` is an MPO-12 per sub-port."""
    return connector[2:] if connector.startswith("2x") else connector


@rule("OPT011", "a link's declared length is shorter than the run between its ends",
      inputs=("Link.length_m?", "Cabinet.location!SPC008"))
def length_below_run(inv: Inventory) -> Iterator[Finding]:
    """Derived beats declared: a cable cannot be shorter than the path between the two ports
    it joins: the floor-grid run between the cabinets, the rise to the cable tray at both ends
    and the policy slack (or, in one cabinet, the distance between the U positions plus slack).
    A `length_m: 1` between slots 1 and 10 of a row would let a 3 m DAC pass a 12.7 m run, and
    the cut sheet would order 1 m. A declared length longer than the run is allowed (slack,
    routing); a shorter one is not believed: the link, its reach and loss checks and the cut
    sheet use the computed run, and this is an error naming both. One finding per link line.

    Formula:
        length_m(declared) >= run = |dx| + |dy| + rise_a + rise_b (+ slack)

    Fix:
        Leave `length_m` out (the run is computed), or declare the length the cable really is.
    """
    for oid, (declared, run, count, worst) in sorted(inv.short_lengths.items()):
        a = inv.endpoint(inv.links.a_dev[worst], inv.links.a_port[worst])
        b = inv.endpoint(inv.links.b_dev[worst], inv.links.b_port[worst])
        more = f" ({count:,} links of this line are)" if count > 1 else ""
        yield Finding(f"link {a} - {b} declares length_m {declared:g} m < {run:.1f} m computed "
                      f"run between its ends{more}; the {run:.1f} m run is used",
                      inv.links.origins[oid], "leave length_m out or declare the real, longer "
                      "length", ("length_m",))
