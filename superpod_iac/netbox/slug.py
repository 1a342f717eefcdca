"""NetBox's slug rule, the one slug function of the package (export, push, import).

NetBox's own `slugify` (the one its forms fill slug fields with): drop every character that is
not a word character, dot, whitespace or hyphen; trim leading and trailing whitespace and
dots; turn each run of hyphens, dots and whitespace into one hyphen; lower-case; at most 100
characters (NetBox's slug field length). `\\w` is ASCII here, as in NetBox's JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_LEN = 100
_DROP = re.compile(r"[^\w.\s-]", re.ASCII)
_TRIM = re.compile(r"^[\s.]+|[\s.]+$", re.ASCII)
_JOIN = re.compile(r"[-.\s]+", re.ASCII)


def slugify(text: str) -> str:
    """`Vera Rubin NVL144.v2` -> `vera-rubin-nvl144-v2` (NetBox's rule; see the module)."""
    return _JOIN.sub("-", _TRIM.sub("", _DROP.sub("", text))).lower()[:MAX_LEN]


def clashes(names: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Slugs that two or more distinct names share, with those names (sorted): `a.b` and
    `a-b` are one NetBox object, or one file, and the second would replace the first."""
    by_slug: dict[str, set[str]] = {}
    for name in names:
        by_slug.setdefault(slugify(name), set()).add(name)
    return sorted((slug, sorted(group)) for slug, group in by_slug.items() if len(group) > 1)
