"""Imports every rule family module so their rules register (one module per family)."""

from superpod_iac.rules import (  # noqa: F401
    cooling,
    expect,
    optics,
    ports,
    power,
    references,
    schema,
    shape,
    space,
    topology,
)
