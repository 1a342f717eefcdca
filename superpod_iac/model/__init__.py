"""Stage 3: resolve references, expand replication and generators -> Inventory."""

from superpod_iac.model.build import build_inventory
from superpod_iac.model.inventory import Inventory

__all__ = ["Inventory", "build_inventory"]
