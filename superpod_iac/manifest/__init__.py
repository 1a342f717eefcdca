"""Stage 2: pydantic models, one module per kind; documents -> typed manifests."""

from superpod_iac.manifest.cabinet import Cabinet
from superpod_iac.manifest.catalog import Catalog
from superpod_iac.manifest.common import ManifestBase
from superpod_iac.manifest.cooling import CoolingSystem
from superpod_iac.manifest.fabric import Fabric
from superpod_iac.manifest.power import PowerSystem
from superpod_iac.manifest.site import Site
from superpod_iac.manifest.superpod import Cluster, Superpod

KINDS: dict[str, type[ManifestBase]] = {
    "Catalog": Catalog,
    "Site": Site,
    "PowerSystem": PowerSystem,
    "CoolingSystem": CoolingSystem,
    "Cabinet": Cabinet,
    "Fabric": Fabric,
    "Superpod": Superpod,
    "Cluster": Cluster,
}

__all__ = ["KINDS", "Cabinet", "Catalog", "Cluster", "CoolingSystem", "Fabric", "PowerSystem",
           "Site", "Superpod"]
