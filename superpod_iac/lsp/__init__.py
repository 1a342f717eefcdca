"""`superpod lsp`: a language server that shows the design's findings while it is edited.

It sits at the top of the pipeline next to the CLI (docs/architecture.md): it calls
`pipeline.load_project` with the editor's unsaved buffers and formats what the rules and
`model.utilization` computed. pygls is imported only when the server starts.
"""

from __future__ import annotations

import argparse
from typing import Any


def cmd_lsp(args: argparse.Namespace) -> int:
    from superpod_iac.lsp.server import serve

    return serve(list(args.design or []))


def add_parser(sub: Any) -> None:
    """Add `superpod lsp` to the CLI's subcommands (one call from cli.build_parser)."""
    p = sub.add_parser("lsp", help="language server on stdio: findings, hover figures and "
                       "go-to-definition while a design is edited (docs/editor.md)")
    p.add_argument("--stdio", action="store_true",
                   help="talk JSON-RPC on standard input/output (the default and only transport;"
                   " accepted because editors pass it)")
    p.add_argument("--design", action="append", metavar="DIR",
                   help="a design folder (repeatable; relative to the workspace root): a file "
                   "inside it is checked with the whole folder. Without it, a file's own folder "
                   "is its design")
    p.set_defaults(func=cmd_lsp)


register = add_parser  # the CLI package calls each group module's register(sub)
