"""Stage 1: read YAML safely and keep the position of every node."""

from superpod_iac.source.loader import (
    Document,
    LoadLimits,
    SourceFile,
    discover,
    load_file,
    load_paths,
)

__all__ = ["Document", "LoadLimits", "SourceFile", "discover", "load_file", "load_paths"]
