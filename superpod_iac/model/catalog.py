"""The built-in part catalog and policy defaults (YAML data shipped in the package)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML

from superpod_iac.manifest.parse import Manifest, parse_documents
from superpod_iac.source.loader import load_file

PACKAGE_DATA = Path(str(resources.files("superpod_iac") / "catalog"))
DATA_FILES = {"policy.yaml", "formfactors.yaml"}
"""Plain data files in catalog/ that are not Catalog manifests."""


@lru_cache(maxsize=1)
def builtin_catalogs() -> tuple[Manifest, ...]:
    """Catalog manifests shipped in superpod_iac/catalog/*.yaml (validated like user files)."""
    files = [load_file(str(p)) for p in sorted(PACKAGE_DATA.glob("*.yaml"))
             if p.name not in DATA_FILES]
    manifests, diags = parse_documents(files)
    problems = [d for f in files for d in f.diagnostics] + diags
    if problems:
        first = problems[0]
        raise RuntimeError(f"built-in catalog is invalid: {first.file}:{first.line}: {first.message}")
    return tuple(m for m in manifests if m.kind == "Catalog")


@lru_cache(maxsize=1)
def policy_defaults() -> dict[str, float]:
    """Site-policy defaults from catalog/policy.yaml (each value's source is commented there)."""
    data = YAML(typ="safe").load((PACKAGE_DATA / "policy.yaml").read_text(encoding="utf-8"))
    return dict(data)


@lru_cache(maxsize=1)
def _form_factor_table() -> dict[str, frozenset[str]]:
    data = YAML(typ="safe").load((PACKAGE_DATA / "formfactors.yaml").read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items()}


def form_factor_fits(module: str, cage: str) -> bool:
    """Whether a module / plug of one form factor fits a cage (catalog/formfactors.yaml)."""
    return cage in _form_factor_table().get(module, frozenset({module}))
