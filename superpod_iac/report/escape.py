"""Escaping of user-controlled text for the sinks that show it (terminal and CI logs).

A name, a field or a file path comes from the manifests, which may be hostile: an ANSI escape
could recolour or erase lines of a log, a carriage return could overwrite a finding, and
bidirectional overrides could make text read differently from what it is (Trojan Source,
CVE-2021-42574). Each such character is shown as a visible escape instead.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """`text` with control characters and bidi overrides made visible (one line, no escapes)."""
    return _UNSAFE.sub(_visible, text)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, tab or
    carriage return is prefixed with `'` (OWASP CSV injection); numbers pass unchanged."""
    if type(value) is str and value[:1] in _FORMULA:
        return "'" + value
    return value


def csv_row(row: list[object]) -> list[object]:
    return [csv_cell(v) for v in row]
