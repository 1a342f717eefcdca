"""Policy defaults and form-factor fits from the data shipped in superpod_iac/catalog/ (the
built-in part catalog itself is read by the manifest stage: `superpod_iac/manifest/builtin.py`)."""

from __future__ import annotations

from functools import lru_cache

from ruamel.yaml import YAML

from superpod_iac.manifest.builtin import PACKAGE_DATA


@lru_cache(maxsize=1)
def policy_defaults() -> dict[str, float]:
    """Site-policy defaults from catalog/policy.yaml (each value's source is commented there)."""
    from superpod_iac.manifest.policy import DEFAULTS

    return dict(DEFAULTS)


@lru_cache(maxsize=1)
def _form_factor_table() -> dict[str, frozenset[str]]:
    data = YAML(typ="safe").load((PACKAGE_DATA / "formfactors.yaml").read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items()}


def form_factor_fits(module: str, cage: str) -> bool:
    """Whether a module / plug of one form factor fits a cage (catalog/formfactors.yaml)."""
    return cage in _form_factor_table().get(module, frozenset({module}))
