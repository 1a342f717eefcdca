"""Plan and apply a design against a live NetBox: the three stages, one module each.

- `superpod_iac.netbox.read`: what NetBox holds (`Live`, `read`, `connect`);
- `superpod_iac.netbox.planning`: the plan (`Change`, `Plan`, `plan`, `render`), ownership and
  operator-owned fields, with `superpod_iac.netbox.checks` (NetBox's own rules);
- `superpod_iac.netbox.apply`: executing a plan (`execute`, the journal);
- `superpod_iac.netbox.saved`: the saved plan file and its staleness check.

This module keeps the names the rest of the package imported from here.
"""

from __future__ import annotations

from superpod_iac.netbox.apply import Outcome, execute
from superpod_iac.netbox.planning import Change, Plan, plan, render
from superpod_iac.netbox.read import Live, NetBoxError, _message, connect, read

__all__ = ["Change", "Live", "NetBoxError", "Outcome", "Plan", "_message", "connect", "execute",
           "plan", "read", "render"]
