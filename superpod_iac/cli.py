"""Command-line interface: argument parsing only; each command calls the stages it needs.

Exit codes: 0 clean (warnings allowed unless --strict), 1 findings at error level,
2 usage / configuration / I/O error, 3 internal error (with a bug-report hint, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from superpod_iac import __version__
from superpod_iac.config import Config, ConfigError, load_config
from superpod_iac.diagnostics import Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
BUG_HINT = ("this is a bug in superpod; please report it with the command, `superpod --version` "
            "and the manifests at https://github.com/superpod-iac/superpod-iac/issues "
            "(set SUPERPOD_DEBUG=1 for the traceback)")


class UsageError(Exception):
    """Bad arguments or paths: exit code 2."""


def _ids(text: str | None) -> list[str]:
    return [t.strip().upper() for t in (text or "").split(",") if t.strip()]


def _config(args: argparse.Namespace) -> Config:
    cfg = load_config(Path(args.config) if getattr(args, "config", None) else None) \
        if not getattr(args, "config", None) else load_config(path=Path(args.config))
    if getattr(args, "select", None):
        cfg.select = _ids(args.select)
    if getattr(args, "ignore", None):
        cfg.ignore = cfg.ignore + _ids(args.ignore)
    return cfg


def _emit(text: str, out: str | None) -> None:
    if out:
        from superpod_iac.fsio import atomic_write

        atomic_write(out, text)
    else:
        sys.stdout.write(text)


def cmd_validate(args: argparse.Namespace) -> int:
    from superpod_iac.pipeline import load_project
    from superpod_iac.report import REPORTERS

    project = load_project(args.paths, _config(args))
    diags = project.diagnostics
    _emit(REPORTERS[args.format](diags, len(project.sources)), args.out)
    if project.errors:
        return EXIT_FINDINGS
    if args.strict and any(d.severity == Severity.WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from superpod_iac.fsio import atomic_write
    from superpod_iac.manifest.schema import generate, stale

    out = Path(args.out)
    if args.check:
        problems = stale(out)
        if problems:
            sys.stderr.write(f"schemas in {out}/ are stale: {', '.join(problems)}\n"
                             f"    hint: run `superpod schema --out {out}` and commit the result\n")
            return EXIT_FINDINGS
        sys.stdout.write(f"ok: schemas in {out}/ match the models\n")
        return EXIT_OK
    for name, text in generate().items():
        atomic_write(out / name, text)
    sys.stdout.write(f"wrote {len(generate())} schemas to {out}/\n")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from superpod_iac.rules.docs import explain, listing

    if args.id:
        text = explain(args.id.upper())
        if text is None:
            raise UsageError(f"unknown rule '{args.id}' (run `superpod rules` for the list)")
        sys.stdout.write(text)
    else:
        sys.stdout.write(listing())
    return EXIT_OK


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="manifest files or directories (default: .)")
    p.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="superpod", description="Validate, render and bill AI superpod designs.")
    parser.add_argument("--version", action="version", version=f"superpod {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check manifests against schemas and engineering rules")
    _add_common(p)
    p.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    p.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    p.add_argument("--select", help="only these rule IDs or families (comma separated)")
    p.add_argument("--ignore", help="skip these rule IDs or families (comma separated)")
    p.add_argument("--out", help="write the report to this file instead of stdout")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="write or check the JSON Schemas generated from the models")
    p.add_argument("--out", default="schemas", help="directory (default: schemas)")
    p.add_argument("--check", action="store_true", help="fail when the files are stale")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("rules", help="list the rules, or explain one")
    p.add_argument("id", nargs="?", help="rule ID, e.g. PWR001")
    p.set_defaults(func=cmd_rules)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []
"""Registration hooks for further commands (render, bom, ...), each in its own module."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, ConfigError) as exc:
        sys.stderr.write(f"superpod: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("superpod: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        from superpod_iac.pipeline import InputError

        if isinstance(exc, InputError | FileNotFoundError | PermissionError | IsADirectoryError):
            sys.stderr.write(f"superpod: error: {exc}\n")
            return EXIT_USAGE
        if os.environ.get("SUPERPOD_DEBUG"):
            raise
        sys.stderr.write(f"superpod: internal error: {type(exc).__name__}: {exc}\n"
                         f"    hint: {BUG_HINT}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
