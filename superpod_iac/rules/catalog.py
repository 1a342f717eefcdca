"""Imports every rule family module so their rules register (one module per family)."""

from superpod_iac.rules import (  # noqa: F401
    cooling,
    electrical,
    expect,
    fibre,
    geometry,
    optics,
    outlets,
    ports,
    power,
    redundancy,
    references,
    schema,
    shape,
    space,
    temperature,
    topology,
)
