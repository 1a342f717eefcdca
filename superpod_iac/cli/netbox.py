"""`superpod netbox push|diff|pull`: a design against a live NetBox (see docs/netbox.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from superpod_iac.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, config_from, stop


def _connect(args: argparse.Namespace) -> Any:
    from superpod_iac.netbox.sync import connect

    token = os.environ.get(args.token_env, "")
    if not token:
        raise _usage(f"no API token: set the environment variable {args.token_env} "
                     "(or name another one with --token-env)")
    return connect(args.url, token)


def _usage(msg: str) -> Exception:
    return UsageError(msg)


def _desired(args: argparse.Namespace) -> Any:
    """The design, validated clean (push and diff refuse a design with errors)."""
    from superpod_iac.netbox.desired import build, default_scope
    from superpod_iac.pipeline import load_project

    project = load_project(args.paths, config_from(args))
    if project.errors:
        stop(project, f"netbox {args.action}: the design has errors; nothing was sent to "
              "NetBox (fix them first: superpod validate)")
        return None
    fallback = Path(args.paths[0]).resolve().name
    return build(project.inventory, args.scope or default_scope(project.inventory, fallback))


def cmd_push(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.sync import NetBoxError, apply, plan, read, render

    desired = _desired(args)
    if desired is None:
        return EXIT_FINDINGS
    try:
        api = _connect(args)
        live = read(api, desired)
        p = plan(live)
        title = (f"superpod netbox plan: {' '.join(args.paths)} -> {args.url} "
                 f"(scope {desired.scope})")
        if args.plan:
            sys.stdout.write(render(p, title))
            return EXIT_OK
        if p.empty:
            sys.stdout.write(render(p, title))
            sys.stdout.write("NetBox already matches the design: nothing to do.\n")
            return EXIT_OK

        def progress(msg: str) -> None:
            if not args.quiet:
                sys.stderr.write(f"  {msg}\n")

        done = apply(live, progress)
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc
    sys.stdout.write(f"Applied: {done.count('create')} added, {done.count('update')} changed, "
                     f"{done.count('delete')} destroyed"
                     + (f"; {done.count('conflict')} conflicts left alone"
                        if done.count("conflict") else "") + ".\n")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.drift import drift, to_markdown
    from superpod_iac.netbox.sync import NetBoxError, read

    desired = _desired(args)
    if desired is None:
        return EXIT_FINDINGS
    try:
        live = read(_connect(args), desired)
        d = drift(live)
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc
    text = to_markdown(d, " ".join(args.paths), args.url)
    if args.out:
        from superpod_iac.fsio import atomic_write

        atomic_write(args.out, text)
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if (args.exit_code and not d.empty) else EXIT_OK


def cmd_pull(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.importer import to_yaml
    from superpod_iac.netbox.pull import pull
    from superpod_iac.netbox.sync import NetBoxError

    try:
        res = pull(_connect(args), name=args.name, site=args.site,
                   rack_power_kw=args.rack_power_kw)
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc
    for w in res.warnings:
        sys.stderr.write(f"warning: {w}\n")
    for e in res.errors:
        sys.stderr.write(f"error: {e}\n")
    text = to_yaml(res)
    if args.out:
        from superpod_iac.fsio import atomic_write

        atomic_write(args.out, text)
        spec = res.catalog["spec"]
        sys.stderr.write(f"wrote {len(spec.get('device_types', []))} device type(s) and "
                         f"{len(spec.get('cabinet_types', []))} cabinet type(s) to {args.out}\n")
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if res.errors else EXIT_OK


def _connection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True, help="NetBox base URL, e.g. http://127.0.0.1:8000")
    p.add_argument("--token-env", default="NETBOX_TOKEN", metavar="VAR",
                   help="environment variable holding the API token (default NETBOX_TOKEN); "
                        "the token itself is never a command-line argument")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("netbox", help="push a design into a live NetBox, diff it, pull types")
    nsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    q = nsub.add_parser("push", help="create/change NetBox objects so NetBox matches the design")
    q.add_argument("paths", nargs="+", metavar="PATH", help="the design's manifests")
    _connection(q)
    q.add_argument("--plan", action="store_true",
                   help="only print what would be created, changed and deleted")
    q.add_argument("--scope", help="name of the design in NetBox (its scope tag); default: "
                   "the cluster or superpod name")
    q.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    q.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    q.set_defaults(func=cmd_push)

    q = nsub.add_parser("diff", help="drift between the design and the as-built NetBox")
    q.add_argument("paths", nargs="+", metavar="PATH", help="the design's manifests")
    _connection(q)
    q.add_argument("--scope", help=argparse.SUPPRESS)
    q.add_argument("--out", help="write the report to this file instead of stdout")
    q.add_argument("--exit-code", action="store_true", help="exit 1 when there is drift")
    q.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    q.set_defaults(func=cmd_diff)

    q = nsub.add_parser("pull", help="a Catalog of the device and rack types used in NetBox")
    _connection(q)
    q.add_argument("--site", help="only types used in this site (slug)")
    q.add_argument("--out", help="write the Catalog here (default: stdout)")
    q.add_argument("--name", default="netbox-pull", help="metadata.name of the Catalog")
    q.add_argument("--rack-power-kw", type=float, default=10.0,
                   help="power rating for rack types (NetBox has none; default 10)")
    q.set_defaults(func=cmd_pull)


register = add_parser  # the CLI package calls each group module's register(sub)
