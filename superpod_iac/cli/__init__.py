"""Command-line interface: argument parsing only; each command calls the stages it needs.

One module per command group, each with a `register(sub)` that adds its subcommands:
`check` (validate, schema, config, rules), `outputs` (render, bom, cabling, summary, compare,
diff, report), `exchange` (import / export netbox), `netbox` (push, diff, pull against a live
NetBox), `verify` (as-built cabling, superpod_iac/verify/) and `lsp` (the language server,
superpod_iac/lsp/). What they share (exit codes, the usage error, shared options, loading a design) is in
`common`.

A new subcommand: its `cmd_NAME(args)` and its parser in the `register` of the group it
belongs to (and in its COMMANDS, where the group has one: `build_parser` then registers only
that group when one of its commands runs; tests/cli/test_cli_imports.py holds COMMANDS to what
`register` adds); a new group: a module with `register(sub)`, listed in GROUPS below.

Exit codes: 0 clean (warnings allowed unless --strict), 1 findings at error level,
2 usage / configuration / I/O error, 3 internal error (with a bug-report hint, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from superpod_iac import __version__, lsp
from superpod_iac.cli import check, exchange, netbox, outputs
from superpod_iac.cli.common import (
    BUG_HINT,
    EXIT_CODES,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from superpod_iac.config import ConfigError
from superpod_iac.report.escape import terminal
from superpod_iac.verify import commands as verify

GROUPS = (check, outputs, exchange, netbox, verify, lsp)
"""The command groups, in the order `superpod --help` lists their commands."""

__all__ = ["EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "UsageError",
           "build_parser", "main"]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; given the `command` about to run, only the group that declares
    it in its COMMANDS (parsing its arguments, its help and its errors are the same; building
    every group's parsers is ~9 ms of a ~0.4 s pre-commit `validate`, one group's ~1 ms)."""
    parser = argparse.ArgumentParser(
        prog="superpod", description="Validate, render and bill AI superpod designs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"superpod {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    declared = [g for g in GROUPS if command in getattr(g, "COMMANDS", ())]
    for group in declared or GROUPS:
        group.register(sub)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word; the top level takes no option with a value)."""
    return argv[0] if argv and not argv[0].startswith("-") else None


def _safe_streams() -> None:
    """Output works whatever the terminal encoding (LANG=C, PYTHONIOENCODING=ascii): characters
    the stream cannot encode are written as backslash escapes instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through atomic writers, which remove their temporaries


def _stdout_dash(args: argparse.Namespace) -> None:
    """`--out -` means standard output (never a file named `-`); a directory output cannot."""
    if getattr(args, "out", None) != "-":
        return
    if args.command == "export" or (args.command == "schema" and not args.print):
        hint = " (use --print KIND for one schema)" if args.command == "schema" else ""
        raise UsageError(f"{args.command} writes several files: --out needs a directory, "
                         f"not -{hint}")
    args.out = None


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    _safe_streams()
    if threading_main():
        signal.signal(signal.SIGTERM, _on_sigterm)
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
    args = parser.parse_args(argv)
    try:
        _stdout_dash(args)
        return int(args.func(args))
    except (UsageError, ConfigError) as exc:
        sys.stderr.write(f"superpod: error: {terminal(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("superpod: interrupted (no partial output was left behind)\n")
        return 130
    except BrokenPipeError:
        # the reader of our standard output went away (`| head`): the output is incomplete, so
        # this is not a success (a pipeline with pipefail must not pass a design unchecked)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.stderr.write("superpod: output truncated: standard output was closed\n")
        return EXIT_USAGE
    except Exception as exc:
        from superpod_iac.pipeline import InputError

        if isinstance(exc, InputError | OSError):  # I/O problems are the user's to fix: exit 2
            sys.stderr.write(f"superpod: error: {terminal(str(exc))}\n")
            return EXIT_USAGE
        if os.environ.get("SUPERPOD_DEBUG"):
            raise
        sys.stderr.write(f"superpod: internal error: {type(exc).__name__}: {exc}\n"
                         f"    hint: {BUG_HINT}\n")
        return EXIT_INTERNAL


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    raise SystemExit(main())
