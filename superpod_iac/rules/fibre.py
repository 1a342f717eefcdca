"""FIB: the fibre plant: the same PHY at both ends, fibres per cable, trunk fill.

Loss budgets are OPT003/OPT004 (every mated pair, splices, attenuation by wavelength); these
rules check that the light can meet at all: matching PHYs and enough fibres in every cable and
trunk. Every check runs once per link group.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator

from superpod_iac.diagnostics import Origin
from superpod_iac.manifest.catalog import TransceiverType
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import LinkGroup, link_groups
from superpod_iac.rules.linkfmt import example, group_origin, times
from superpod_iac.rules.registry import Finding, rule


def _xcvrs(inv: Inventory, g: LinkGroup) -> list[TransceiverType]:
    cat = inv.catalog.transceiver_types
    return [cat[x] for x in (g.xcvr_a, g.xcvr_b) if x is not None and x in cat]


def fibres_per_link(x: TransceiverType) -> int | None:
    """Fibres one logical port of the module uses (a twin 2xDR4 module: 16 / 2 = 8).

    Without a declared fibre count, a parallel (MPO) module uses one transmit and one receive
    fibre per lane: 2 x lanes."""
    fibres = x.fibres
    if fibres is None and x.lanes is not None and "mpo" in x.connector:
        fibres = 2 * x.lanes
    return None if fibres is None else -(-fibres // x.ports)


@rule("FIB001", "the two ends of a link run different PHYs",
      inputs=("TransceiverType.phy?",))
def phy_mismatch(inv: Inventory) -> Iterator[Finding]:
    """Optics only talk to the same PHY: 400GBASE-FR4 (CWDM4, 4 wavelengths at 20 nm spacing)
    and 400GBASE-LR8 (8 LAN-WDM wavelengths) both sit on duplex LC single-mode fibre, so the
    medium and connector checks pass, yet no light is understood. Compared per logical port:
    a twin-port 2xDR4 module's port is 400GBASE-DR4 and meets a single 400G DR4 module.

    Formula:
        phy(transceiver_a) == phy(transceiver_b)   (when both declare one)

    Fix:
        Use the same PHY at both ends (the reach of the longer one, if the run needs it).
    """
    for g in link_groups(inv):
        xs = _xcvrs(inv, g)
        if len(xs) == 2 and xs[0].phy and xs[1].phy and xs[0].phy != xs[1].phy:
            yield Finding(f"{example(inv, g)}: end A runs {xs[0].phy} ({xs[0].name}), end B "
                          f"{xs[1].phy} ({xs[1].name}){times(g)}", group_origin(inv, g),
                          "use transceivers of the same PHY at both ends")


@rule("FIB002", "a transceiver needs more fibres than its cable has",
      inputs=("TransceiverType.fibres?", "CableType.fibres?"))
def too_few_fibres(inv: Inventory) -> Iterator[Finding]:
    """Parallel optics use several fibres per port: DR4 and SR4 eight (four pairs of an
    MPO-12), SR8 sixteen (MPO-16); duplex PHYs (FR4, LR8) two. A cable with fewer fibres leaves
    lanes dark and the link does not come up (or comes up at a fraction of its rate).

    Formula:
        fibres(transceiver) / ports(transceiver) <= cable fibres

    Fix:
        Use a cable with enough fibres (MPO-16 for SR8/DR8), or a PHY with fewer lanes.
    """
    for g in link_groups(inv):
        cable = inv.catalog.cable_types.get(g.cable or "")
        if cable is None or cable.fibres is None:
            continue
        for x in _xcvrs(inv, g):
            need = fibres_per_link(x)
            if need is not None and need > cable.fibres:
                yield Finding(f"{example(inv, g)}: {x.name} ({x.phy or x.connector}) needs {need} "
                              f"fibres but cable {cable.name} has {cable.fibres}{times(g)}",
                              group_origin(inv, g), "use a cable with enough fibres")
                break


@rule("FIB003", "an MPO trunk carries more fibres than it has",
      inputs=("Link.trunk?", "CableType.fibres?"))
def trunk_overfilled(inv: Inventory) -> Iterator[Finding]:
    """A trunk (an MPO-24 or 144-fibre cable between two breakout cassettes) carries many
    links; each link takes the fibres its PHY uses. The trunk's capacity is its cable type's
    `fibres` times `count`. Links name their trunk (`trunk:` on a link line); a trunk whose
    cable type is unknown is reported with the closest known name.

    Formula:
        sum over links on the trunk of fibres per link <= trunk cable fibres x count

    Fix:
        Add a trunk (`count: 2`), use a larger trunk cable, or move links to another trunk.
    """
    use: dict[tuple[str, str], int] = defaultdict(int)
    for g in link_groups(inv):
        plant = inv.link_plant.get(g.origin)
        if plant is None or plant.trunk is None:
            continue
        need = max((fibres_per_link(x) or 0 for x in _xcvrs(inv, g)), default=0)
        use[(plant.fabric, plant.trunk)] += need * g.count
    for fname in sorted(inv.fabrics):
        fab = inv.fabrics[fname]
        for i, trunk in enumerate(getattr(fab.spec, "trunks", None) or []):
            origin = Origin(fab.origin.file, fab.origin.doc, ("spec", "trunks", i))
            cable = inv.catalog.cable_types.get(trunk.cable)
            if cable is None:
                close = difflib.get_close_matches(trunk.cable, list(inv.catalog.cable_types), n=1)
                yield Finding(f"trunk {trunk.name} of fabric {fname}: unknown cable type "
                              f"'{trunk.cable}'", origin,
                              f"did you mean '{close[0]}'?" if close else "define the cable type")
                continue
            used = use.get((fname, trunk.name), 0)
            if cable.fibres is None:
                continue
            have = cable.fibres * trunk.count
            if used > have:
                yield Finding(f"trunk {trunk.name} of fabric {fname} carries {used} fibres > "
                              f"{have} ({trunk.count} x {cable.name}, {cable.fibres} fibres)",
                              origin, "add trunks, use a larger trunk cable, or move links")
