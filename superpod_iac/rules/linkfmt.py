"""Wording shared by the link rules (PRT, OPT): an example link of a group and its count."""

from __future__ import annotations

from superpod_iac.diagnostics import Origin
from superpod_iac.model.inventory import Inventory
from superpod_iac.model.linkstats import LinkGroup


def example(inv: Inventory, g: LinkGroup) -> str:
    t = inv.links
    i = g.first
    return f"link {inv.endpoint(t.a_dev[i], t.a_port[i])} - {inv.endpoint(t.b_dev[i], t.b_port[i])}"


def times(g: LinkGroup) -> str:
    return f" ({g.count} links like it)" if g.count > 1 else ""


def group_origin(inv: Inventory, g: LinkGroup) -> Origin:
    return inv.links.origins[g.origin]
