"""SCH: schema and syntax. These are found while loading and parsing, before the Inventory
exists; they are registered here so they have IDs, documentation and select/ignore like any rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from superpod_iac.rules.registry import Finding, rule


@rule("SCH001", "YAML syntax error", stage="source")
def yaml_syntax(_inv: object) -> Iterator[Finding]:
    """A file that does not parse as YAML cannot be checked at all, so it is an error.

    Example:
        devices: [tray01, tray02

    Fix:
        Close the flow sequence: `devices: [tray01, tray02]`.
    """
    yield from ()


@rule("SCH002", "duplicate mapping key", stage="source")
def duplicate_key(_inv: object) -> Iterator[Finding]:
    """YAML keeps only the last of two equal keys, silently dropping the first value; in a
    design that usually hides a copy-paste error (two `u:` values, two `feeds:` lists).

    Example:
        u: 10
        u: 12

    Fix:
        Keep one key.
    """
    yield from ()


@rule("SCH003", "unknown field", stage="manifest")
def unknown_field(_inv: object) -> Iterator[Finding]:
    """Every kind forbids fields it does not define, so a typo (`power_ratng_kw`) is caught
    instead of silently falling back to a default.

    Example:
        spec: {type: nvl72-rack, feed: [busway-A1]}

    Fix:
        Use the field the hint suggests (`feeds`).
    """
    yield from ()


@rule("SCH004", "wrong type or value out of range", stage="manifest")
def wrong_type(_inv: object) -> Iterator[Finding]:
    """Values must have the type and range the schema declares: ratings are positive, fractions
    lie in 0..1, NaN and infinity are rejected, so the physics never divides by zero or trusts
    an absurd number.

    Example:
        power_rating_kw: -132

    Fix:
        Give a positive number in the unit the field name states (`_kw` = kilowatts).
    """
    yield from ()


@rule("SCH005", "unknown kind or apiVersion", stage="manifest")
def unknown_kind(_inv: object) -> Iterator[Finding]:
    """A document that claims our apiVersion must name a supported version and kind.

    Example:
        apiVersion: superpod-iac/v1alpha1
        kind: Cabinett

    Fix:
        Use one of Catalog, Site, PowerSystem, CoolingSystem, Cabinet, Fabric, Superpod, Cluster.
    """
    yield from ()


@rule("SCH006", "unsafe or unknown YAML tag", stage="source")
def unsafe_tag(_inv: object) -> Iterator[Finding]:
    """Only plain YAML data is read. Tags such as `!!python/object` would construct arbitrary
    objects in other loaders; here they are refused and reported, never instantiated.

    Example:
        spec: !!python/object:os.system {}

    Fix:
        Remove the tag.
    """
    yield from ()


@rule("SCH007", "alias bomb, too many nodes or nesting too deep", stage="source")
def alias_bomb(_inv: object) -> Iterator[Finding]:
    """Aliases can make a small file expand exponentially (billion laughs). Expansion is counted
    and stopped at a node budget, so a hostile file costs bounded time and memory.

    Example:
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]   # ... nine levels deep

    Fix:
        Do not nest aliases; use nodeset replication (`tray[01-18]`) instead.
    """
    yield from ()


@rule("SCH008", "file too large", stage="source")
def file_too_large(_inv: object) -> Iterator[Finding]:
    """Files above the size limit (32 MiB by default) are refused before parsing; a design that
    large should use replication and generators.

    Fix:
        Split the design, or generate links with a Fabric generator instead of listing them.
    """
    yield from ()


@rule("SCH009", "unreadable file: binary, not UTF-8, or I/O error", stage="source")
def unreadable(_inv: object) -> Iterator[Finding]:
    """Manifests are UTF-8 text. NUL bytes or invalid UTF-8 mean the file is not a manifest (or
    was corrupted) and is reported rather than guessed at.

    Fix:
        Save the file as UTF-8 text.
    """
    yield from ()


@rule("SCH010", "required field missing", stage="manifest")
def missing_field(_inv: object) -> Iterator[Finding]:
    """Fields without a sensible default (a cabinet's type, a device's U position) must be given.

    Example:
        devices:
          - {name: tray01, type: gb200-compute-tray}

    Fix:
        Add the field: `{name: tray01, type: gb200-compute-tray, u: 10}`.
    """
    yield from ()


@rule("SCH011", "path leads outside the project", stage="source")
def path_escape(_inv: object) -> Iterator[Finding]:
    """Designs may share files through symlinks inside the repository (a cluster spec links the
    superpod it replicates), but a link that resolves outside the project root (the nearest
    folder with `.git` or `pyproject.toml`) is not followed: validating a design must never read
    arbitrary files elsewhere on the machine.

    Example:
        specs/pod -> /etc   # a symlink leaving the repository

    Fix:
        Copy the file into the project, or link to a path inside it.
    """
    yield from ()
