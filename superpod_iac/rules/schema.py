"""SCH: schema and syntax, and INT (internal). These are found while loading and parsing, before
the Inventory exists (or by the engine itself); they are declared here, as data, so they have IDs,
documentation, select/ignore and a default severity like any rule. The stages that find them
(source, manifest) sit below the rules and write `diagnostics.PENDING`; the engine's `finish`
sets the severity declared here (`catalog.declared_severity`). This module imports nothing heavy.
"""

from __future__ import annotations

from superpod_iac.rules.registry import declare

declare("SCH001", "YAML syntax error", stage="source", doc="""
    A file that does not parse as YAML cannot be checked at all, so it is an error. Manifests
    are YAML 1.2: a `%YAML` directive naming another version (1.1, where `010` is octal 8 and
    `yes` is true) is an error at its line, never read silently as something else.

    Fix:
        Close the flow sequence: `devices: [tray01, tray02]`.
    """)


declare("SCH002", "duplicate mapping key", stage="source", doc="""
    YAML keeps only the last of two equal keys, silently dropping the first value; in a
    design that usually hides a copy-paste error (two `u:` values, two `feeds:` lists).

    Fix:
        Keep one key.
    """)


declare("SCH003", "unknown field", stage="manifest", doc="""
    Every kind forbids fields it does not define, so a typo (`power_ratng_kw`) is caught
    instead of silently falling back to a default.

    Fix:
        Use the field the hint suggests (`feeds`).
    """)


declare("SCH004", "wrong type or value out of range", stage="manifest", doc="""
    Values must have the type and range the schema declares: ratings are positive, fractions
    lie in 0..1, NaN and infinity are rejected, so the physics never divides by zero or trusts
    an absurd number.

    Fix:
        Give a positive number in the unit the field name states (`_kw` = kilowatts).
    """)


declare("SCH005", "unknown kind or apiVersion", stage="manifest", doc="""
    A document of ours must name a supported apiVersion and kind; one that does not is an
    error with a did-you-mean, never skipped (a skipped document is a design left unchecked).
    A file is ours when it is named on the command line or any of its documents claims (or
    nearly claims) our apiVersion or names one of our kinds; every document in it must then be
    a manifest. YAML files found in folders that hold nothing of ours are not read as design.

    Fix:
        Use one of Catalog, Site, PowerSystem, CoolingSystem, Cabinet, Fabric, Superpod, Cluster.
    """)


declare("SCH006", "unsafe or unknown YAML tag", stage="source", doc="""
    Only plain YAML data is read. Tags such as `!!python/object` would construct arbitrary
    objects in other loaders; here they are refused and reported, never instantiated.

    Fix:
        Remove the tag.
    """)


declare("SCH007", "alias bomb, too many nodes or nesting too deep", stage="source", doc="""
    Aliases can make a small file expand exponentially (billion laughs). Expansion is counted
    and stopped at a node budget, so a hostile file costs bounded time and memory.

    Fix:
        Do not nest aliases; use nodeset replication (`tray[01-18]`) instead.
    """)


declare("SCH008", "file too large", stage="source", doc="""
    Files above the size limit (32 MiB by default) are refused before parsing; a design that
    large should use replication and generators.

    Fix:
        Split the design, or generate links with a Fabric generator instead of listing them.
    """)


declare("SCH009", "unreadable file: binary, not UTF-8, or I/O error", stage="source", doc="""
    Manifests are UTF-8 text. NUL bytes or invalid UTF-8 mean the file is not a manifest (or
    was corrupted) and is reported rather than guessed at.

    Fix:
        Save the file as UTF-8 text.
    """)


declare("SCH010", "required field missing", stage="manifest", doc="""
    Fields without a sensible default (a cabinet's type, a device's U position) must be given.

    Fix:
        Add the field: `{name: tray01, type: gb200-compute-tray, u: 10}`.
    """)


declare("SCH011", "path leads outside the project", stage="source", doc="""
    Designs may share files through symlinks inside the repository (a cluster spec links the
    superpod it replicates), but a link that resolves outside the project root (the nearest
    folder with `.git` or `pyproject.toml`) is not followed: validating a design must never read
    arbitrary files elsewhere on the machine.

    Example:
        specs/pod -> /etc   # a symlink leaving the repository

    Fix:
        Copy the file into the project, or link to a path inside it.
    """)


declare("SCH012", "work limit exceeded", stage="source", doc="""
    Every piece of work is bounded before it is done, so a hostile or mistaken input ends
    in seconds with this finding instead of hanging a pre-commit hook or exhausting memory:
    total bytes read, files and folder depth, names a range expands to (`h[1-100000000]`),
    objects after replication, Cluster replicas, links made by generators, and findings per
    rule and file. The finding names the limit, the number and the place; the work beyond it
    is not done, so the design is not fully checked and the run fails.

    Fix:
        Use the range you meant (`h[1-1000]`), or raise the limit in `[tool.superpod.limits]`
        (docs/security.md lists each limit and its default).
    """)


declare("SCH013", "inline ignore names no rule", severity="warning", stage="source", doc="""
    An inline `# superpod: ignore[...]` that names an unknown or empty rule ID suppresses
    nothing; said aloud so the typo is seen (the finding it meant to hide is still reported).

    Fix:
        Name a rule ID or family that exists: `# superpod: ignore[PWR001]`.
    """)


declare("INT001", "a rule raised an exception", stage="engine", doc="""
    A rule that raises is a bug in superpod; the engine turns it into this one finding
    naming the rule (as cfn-lint's E0002 does), runs every other rule, and fails the run,
    because the checks that rule makes did not happen. It is never suppressed.

    Example:
        (any design that makes a rule raise)

    Fix:
        Report it with the design; `SUPERPOD_DEBUG=1` shows the traceback.
    """)
