"""`superpod validate | rules | config | schema`: checking a design, and what checks it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from superpod_iac.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_common,
    config_from,
    emit,
)
from superpod_iac.diagnostics import Severity
from superpod_iac.report import REPORTERS
from superpod_iac.source.loader import LoadLimits


def cmd_validate(args: argparse.Namespace) -> int:
    from superpod_iac.pipeline import load_project

    project = load_project(args.paths, config_from(args))
    diags = project.diagnostics
    emit(REPORTERS[args.format](diags, len(project.sources)), args.out)
    if project.errors:
        return EXIT_FINDINGS
    if args.strict and any(d.severity == Severity.WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    """Print the effective configuration and where each value came from."""
    import json

    from superpod_iac.model.catalog import policy_defaults

    cfg = config_from(args)
    lines = [f"# configuration file: {cfg.source or '(none found; built-in defaults)'}"]

    def origin(key: str, default: str = "default") -> str:
        return cfg.origins.get(key, default)

    lines.append(f"select = {json.dumps(cfg.select)}  # {origin('select')}")
    lines.append(f"ignore = {json.dumps(cfg.ignore)}  # {origin('ignore')}")
    lines.append("[severity]" + ("" if cfg.severity else "  # none overridden"))
    lines.extend(f"{k} = \"{v.value}\"  # {origin('severity')}" for k, v in cfg.severity.items())
    lines.append("[policy]  # a Site manifest's policy overrides these for its halls")
    for key, value in sorted({**policy_defaults(), **cfg.policy}.items()):
        lines.append(f"{key} = {value!r}  # {origin('policy.' + key, 'default (catalog/policy.yaml)')}")
    lines.append("[limits]  # docs/security.md")
    for key in LoadLimits.defaults():
        lines.append(f"{key} = {getattr(cfg.limits, key)}  # {origin('limits.' + key)}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from superpod_iac.fsio import atomic_write
    from superpod_iac.manifest import KINDS
    from superpod_iac.manifest.schema import generate, kind_schema, stale

    if args.print:
        text = kind_schema(args.print)
        if text is None:
            import difflib

            close = difflib.get_close_matches(args.print, [*KINDS, "bundle"], n=1, cutoff=0.5)
            raise UsageError(f"unknown kind '{args.print}'" + (
                f"; did you mean '{close[0]}'?" if close else "") +
                f" (kinds: {', '.join(KINDS)}, or bundle for any kind)")
        sys.stdout.write(text)
        return EXIT_OK
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


COMMANDS = ("validate", "schema", "config", "rules")
"""The subcommands register() adds (cli.build_parser registers only the group of the one
about to run)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """validate, schema, config, rules"""
    p = sub.add_parser("validate", help="check manifests against schemas and engineering rules")
    add_common(p)
    p.add_argument("--format", choices=list(REPORTERS), default="text")
    p.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    p.add_argument("--select", help="only these rule IDs or families (comma separated)")
    p.add_argument("--ignore", help="skip these rule IDs or families (comma separated)")
    p.add_argument("--out", help="write the report to this file instead of stdout")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="write or check the JSON Schemas generated from the models")
    p.add_argument("--out", default="schemas", help="directory (default: schemas)")
    p.add_argument("--check", action="store_true", help="fail when the files are stale")
    p.add_argument("--print", metavar="KIND",
                   help="write the schema of one kind (Cabinet, PowerSystem, ...; `bundle` for "
                        "any kind) to standard output instead of files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("config", help="print the effective configuration and where each value "
                       "came from")
    add_common(p)
    p.add_argument("--select", help="as for validate")
    p.add_argument("--ignore", help="as for validate")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("rules", help="list the rules, or explain one")
    p.add_argument("id", nargs="?", help="rule ID, e.g. PWR001")
    p.set_defaults(func=cmd_rules)
