"""The site policy is declared once (superpod_iac/manifest/policy.py): its defaults are the
policy file's, and the Site's overrides and the configuration's policy table derive from it."""

from __future__ import annotations

import pytest

from superpod_iac.config import ConfigError, _policy
from superpod_iac.manifest.policy import DEFAULTS, KEYS, Policy, describe
from superpod_iac.manifest.site import Policy as SitePolicy


def test_the_policy_file_holds_every_key_and_nothing_else() -> None:
    assert sorted(DEFAULTS) == sorted(KEYS)
    assert all(describe(k) for k in KEYS), [k for k in KEYS if not describe(k)]


def test_the_defaults_lie_in_the_declared_ranges() -> None:
    """The Site's overrides are the declaration with every key optional: the defaults pass
    them, and a value outside a declared range does not."""
    assert list(SitePolicy.model_fields) == list(KEYS)
    SitePolicy.model_validate(DEFAULTS)
    with pytest.raises(ValueError, match="derating"):
        SitePolicy.model_validate({"derating": 1.5})
    with pytest.raises(ValueError, match="patch_panels_per_link"):
        SitePolicy.model_validate({"patch_panels_per_link": 21})


def test_the_effective_policy_defaults_to_the_policy_file() -> None:
    pol = Policy()
    assert pol.derating == DEFAULTS["derating"]
    assert [s.model_dump(exclude_defaults=True) for s in pol.spares] == DEFAULTS["spares"]


def test_the_configuration_checks_policy_keys_against_the_declaration() -> None:
    assert _policy({"derating": 0.75}, "t.toml") == {"derating": 0.75}
    with pytest.raises(ConfigError, match="did you mean 'derating'"):
        _policy({"deratng": 0.75}, "t.toml")
    with pytest.raises(ConfigError, match="derating"):
        _policy({"derating": 2}, "t.toml")
