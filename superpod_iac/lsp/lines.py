"""Lines and paths as the editor names them (shared by the workspace, the server and the
hover figures)."""

from __future__ import annotations

import os
import re

_EOL = re.compile(r"\r\n|\r|\n")


def lines_of(text: str) -> list[str]:
    """Lines as YAML and the editor count them: only CR, LF and CRLF end a line
    (`str.splitlines` also splits at form feeds and U+2028, which would shift every range)."""
    out = _EOL.split(text)
    return out[:-1] if out and out[-1] == "" else out


def absolute(path: str) -> str:
    """A file's absolute path as the editor names it: symlinks are kept (a design that links
    a pod folder, `cluster-432xcm384/cloudmatrix-384 -> ../cloudmatrix-384`, keeps its files
    inside it); buffers are looked up by the resolved path (`Overlay`), so either name reads
    the same buffer."""
    return os.path.abspath(path)
