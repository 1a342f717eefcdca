"""`superpod import netbox` and `superpod export netbox`: part data and designs to and from
NetBox's files (the live NetBox commands are superpod_iac/cli/netbox.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from superpod_iac import choices
from superpod_iac.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_common,
    config_from,
    emit,
    stop,
)
from superpod_iac.config import load_config
from superpod_iac.report.escape import terminal


def cmd_import(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.importer import import_netbox, to_yaml

    limits = load_config(paths=args.paths).limits
    res = import_netbox(args.paths, name=args.name, redundancy=args.redundancy,
                        rack_power_kw=args.rack_power_kw, limits=limits)
    for w in res.warnings:
        sys.stderr.write(f"warning: {terminal(w)}\n")
    for e in res.errors:
        sys.stderr.write(f"error: {terminal(e)}\n")
    if res.errors:
        # a failed import writes nothing: a good catalog at --out stays as it was
        sys.stderr.write(f"{len(res.errors)} error(s): nothing written\n")
        return EXIT_FINDINGS
    emit(to_yaml(res), args.out)
    if args.out:
        spec = res.catalog["spec"]
        sys.stderr.write(f"wrote {len(spec.get('device_types', []))} device type(s) and "
                         f"{len(spec.get('cabinet_types', []))} cabinet type(s) to {args.out}\n")
    return EXIT_OK


def positive_kw(text: str) -> float:
    """--rack-power-kw: a finite number > 0."""
    import math

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number > 0")
    return v


def cmd_export(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.exporter import SlugClash, export
    from superpod_iac.pipeline import load_project

    project = load_project(args.paths, config_from(args))
    if project.errors:
        return stop(project, "export needs a design that validates clean")
    try:
        counts = export(project.inventory, Path(args.out))
    except SlugClash as exc:
        raise UsageError(str(exc)) from exc
    sys.stdout.write("".join(f"{name}: {n}\n" for name, n in counts.items()))
    return EXIT_OK


COMMANDS = ("import", "export")
"""The subcommands register() adds (cli.build_parser registers only the group of the one
about to run)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """import netbox, export netbox"""
    p = sub.add_parser("import", help="import part data from other tools")
    isub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    q = isub.add_parser("netbox", help="NetBox devicetype-library YAML -> a Catalog manifest")
    q.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    q.add_argument("--out", help="write the Catalog here (default: stdout)")
    q.add_argument("--name", default="netbox-import", help="metadata.name of the Catalog")
    q.add_argument("--redundancy", choices=choices.IMPORT_REDUNDANCY, default="N+N",
                   help="PSU redundancy used to turn power-port draws into max_w (default N+N)")
    q.add_argument("--rack-power-kw", type=positive_kw, default=None,
                   help="power rating to give imported rack types (NetBox has none; without "
                        "it they get none, and validation says it is missing)")
    q.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export a validated design to other tools")
    esub = p.add_subparsers(dest="target", required=True, metavar="TARGET")
    q = esub.add_parser("netbox", help="CSV files for NetBox bulk import (+ device-type YAML)")
    add_common(q)
    q.add_argument("--out", default="build/netbox", help="directory (default: build/netbox)")
    q.set_defaults(func=cmd_export)
