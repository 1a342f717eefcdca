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
    """A document of ours must name a supported apiVersion and kind; one that does not is an
    error with a did-you-mean, never skipped (a skipped document is a design left unchecked).
    A file is ours when it is named on the command line or any of its documents claims (or
    nearly claims) our apiVersion or names one of our kinds; every document in it must then be
    a manifest. YAML files found in folders that hold nothing of ours are not read as design.

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


@rule("SCH012", "work limit exceeded", stage="source")
def work_limit(_inv: object) -> Iterator[Finding]:
    """Every piece of work is bounded before it is done, so a hostile or mistaken input ends
    in seconds with this finding instead of hanging a pre-commit hook or exhausting memory:
    total bytes read, files and folder depth, names a range expands to (`h[1-100000000]`),
    objects after replication, Cluster replicas, links made by generators, and findings per
    rule and file. The finding names the limit, the number and the place; the work beyond it
    is not done, so the design is not fully checked and the run fails.

    Example:
        metadata: {name: "h[1-100000000]"}

    Fix:
        Use the range you meant (`h[1-1000]`), or raise the limit in `[tool.superpod.limits]`
        (docs/security.md lists each limit and its default).
    """
    yield from ()


@rule("SCH013", "inline ignore names no rule", severity="warning", stage="source")
def unknown_ignore(_inv: object) -> Iterator[Finding]:
    """An inline `# superpod: ignore[...]` that names an unknown or empty rule ID suppresses
    nothing; said aloud so the typo is seen (the finding it meant to hide is still reported).

    Example:
        metadata: {name: c1}  # superpod: ignore[PWR0001]

    Fix:
        Name a rule ID or family that exists: `# superpod: ignore[PWR001]`.
    """
    yield from ()


@rule("INT001", "a rule raised an exception", stage="engine")
def rule_crashed(_inv: object) -> Iterator[Finding]:
    """A rule that raises is a bug in superpod; the engine turns it into this one finding
    naming the rule (as cfn-lint's E0002 does), runs every other rule, and fails the run,
    because the checks that rule makes did not happen. It is never suppressed.

    Example:
        (any design that makes a rule raise)

    Fix:
        Report it with the design; `SUPERPOD_DEBUG=1` shows the traceback.
    """
    yield from ()
