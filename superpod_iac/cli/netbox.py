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
    return build(project.inventory, args.scope or default_scope(project.inventory, fallback),
                 project.manifests)


def _progress(args: argparse.Namespace) -> Any:
    def progress(msg: str) -> None:
        if not getattr(args, "quiet", False):
            sys.stderr.write(f"  {msg}\n")
    return progress


def _planned(args: argparse.Namespace) -> tuple[Any, Any, Any, str] | None:
    """(desired, live, plan, rendered plan) or None when the design has errors."""
    from superpod_iac.netbox.sync import plan, read, render

    desired = _desired(args)
    if desired is None:
        return None
    live = read(_connect(args), desired)
    p = plan(live)
    title = (f"superpod netbox plan: {' '.join(args.paths)} -> {args.url} "
             f"(scope {desired.scope})")
    return desired, live, p, render(p, title)


def _report(outcome: Any) -> int:
    done = outcome.done
    n = {a: sum(1 for c in done if c.action == a) for a in ("create", "update", "delete")}
    sys.stdout.write(f"Applied: {n['create']} added, {n['update']} changed, "
                     f"{n['delete']} destroyed.\n")
    if outcome.refused:
        sys.stderr.write(f"error: {outcome.refused}\n"
                         f"error: {len(outcome.skipped)} delete(s) not done; every create and "
                         "change was applied. Remove what blocks the delete, then plan again.\n")
        return EXIT_FINDINGS
    return EXIT_OK


def _confirm(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise _usage("netbox push: not on a terminal, so nobody can confirm the plan: pass "
                     "--yes, or save it with `superpod netbox plan --out PLAN` and "
                     "`superpod netbox apply PLAN`")
    sys.stderr.write("Apply this plan? Only 'yes' applies it: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip() == "yes"


def cmd_push(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.sync import NetBoxError, execute

    try:
        got = _planned(args)
        if got is None:
            return EXIT_FINDINGS
        _, live, p, text = got
        sys.stdout.write(text)
        if p.errors:
            sys.stderr.write("error: the plan has errors; nothing was sent to NetBox\n")
            return EXIT_FINDINGS
        if args.plan:
            return EXIT_OK
        if p.empty:
            sys.stdout.write("NetBox already matches the design: nothing to do.\n")
            return EXIT_OK
        if not _confirm(args):
            sys.stdout.write("Not applied.\n")
            return EXIT_OK
        return _report(execute(live, p, _progress(args)))
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc


def cmd_plan(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.saved import to_json
    from superpod_iac.netbox.sync import NetBoxError

    try:
        got = _planned(args)
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc
    if got is None:
        return EXIT_FINDINGS
    desired, _, p, text = got
    sys.stdout.write(text)
    if p.errors:
        sys.stderr.write("error: the plan has errors; no plan file was written\n")
        return EXIT_FINDINGS
    if args.out:
        from superpod_iac.fsio import atomic_write

        atomic_write(args.out, to_json(p, desired, paths=args.paths, url=args.url,
                                       config=args.config))
        sys.stderr.write(f"wrote the plan to {args.out}: apply it with "
                         f"`superpod netbox apply {args.out}`\n")
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.apply import Journal
    from superpod_iac.netbox.saved import digest, load, stale, verify_journal
    from superpod_iac.netbox.sync import NetBoxError, Plan, execute, plan, read

    path = Path(args.plan_file)
    try:
        doc, saved = load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise _usage(f"{path}: {exc}") from exc
    if args.url and args.url.rstrip("/") != doc["url"].rstrip("/"):
        raise _usage(f"{path} was planned against {doc['url']}, not {args.url}: the token "
                     "is only sent to the NetBox the plan was made for")
    d = doc["design"]
    args.url, args.paths, args.scope = doc["url"], d["paths"], d["scope"]
    args.config = d.get("config")
    desired = _desired(args)
    if desired is None:
        return EXIT_FINDINGS
    if digest(desired) != d["digest"]:
        raise _usage(f"{path}: the design changed since it was planned; nothing was written "
                     "(plan again)")
    journal = Journal(path.with_name(path.name + ".journal"))
    try:
        live = read(_connect(args), desired)
        now = plan(live)
        held, lost = verify_journal(journal.done(), now, live.records)
        for msg in lost:
            sys.stderr.write(f"note: {msg}\n")
        problems = stale(saved, now, held)
        if problems:
            for msg in problems[:20]:
                sys.stderr.write(f"error: {msg}\n")
            sys.stderr.write(f"error: {path} is stale ({len(problems)} difference(s)); "
                             "nothing was written (plan again)\n")
            return EXIT_FINDINGS
        from superpod_iac.netbox.saved import change_id

        left = {change_id(c) for c in now.changes}
        todo = Plan(changes=[c for c in saved.changes if change_id(c) in left])
        if todo.empty:
            sys.stdout.write("Nothing left to apply: NetBox is as the plan said.\n")
            return EXIT_OK
        return _report(execute(live, todo, _progress(args), journal))
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc


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


def _pull_design(args: argparse.Namespace) -> int:
    """`netbox pull --design SCOPE --out DIR`: the design pushed under SCOPE, as manifests."""
    from superpod_iac.fsio import atomic_write
    from superpod_iac.netbox.pull_design import pull_design
    from superpod_iac.netbox.sync import NetBoxError

    if not args.out or args.out == "-":
        raise _usage("netbox pull --design writes several files: give --out DIR")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _usage(f"{out} is not a directory")
    try:
        res = pull_design(_connect(args), args.design)
    except NetBoxError as exc:
        raise _usage(str(exc)) from exc
    for w in res.warnings:
        sys.stderr.write(f"warning: {w}\n")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(res.files.items()):
        atomic_write(str(out / name), text)
    if res.media:
        sys.stderr.write("cables in NetBox by medium: " + ", ".join(
            f"{n:,} {m}" for m, n in res.media.items()) + "\n")
    sys.stderr.write(f"wrote {', '.join(sorted(res.files))} to {out}: check it with "
                     f"`superpod validate {out}` and `superpod diff DESIGN {out}`\n")
    return EXIT_OK


def cmd_pull(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.importer import to_yaml

    if args.design:
        return _pull_design(args)
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


def _connection(p: argparse.ArgumentParser, *, url_required: bool = True) -> None:
    p.add_argument("--url", required=url_required,
                   help="NetBox base URL, e.g. http://127.0.0.1:8000")
    p.add_argument("--token-env", default="NETBOX_TOKEN", metavar="VAR",
                   help="environment variable holding the API token (default NETBOX_TOKEN); "
                        "the token itself is never a command-line argument")


COMMANDS = ("netbox",)
"""The subcommands register() adds (cli.build_parser registers only the group of the one
about to run)."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("netbox", help="push a design into a live NetBox, diff it, pull types")
    nsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    q = nsub.add_parser("push", help="plan, confirm, apply: NetBox objects so NetBox matches "
                        "the design")
    q.add_argument("paths", nargs="+", metavar="PATH", help="the design's manifests")
    _connection(q)
    q.add_argument("--plan", action="store_true",
                   help="only print what would be created, changed and deleted")
    q.add_argument("--yes", action="store_true",
                   help="apply without asking (needed when not on a terminal, e.g. in CI)")
    q.add_argument("--scope", help="name of the design in NetBox (its scope tag); default: "
                   "the cluster or superpod name")
    q.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    q.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    q.set_defaults(func=cmd_push)

    q = nsub.add_parser("plan", help="what a push would do, saved for `netbox apply`")
    q.add_argument("paths", nargs="+", metavar="PATH", help="the design's manifests")
    _connection(q)
    q.add_argument("--out", help="write the saved plan (JSON) here")
    q.add_argument("--scope", help="name of the design in NetBox (its scope tag)")
    q.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    q.set_defaults(func=cmd_plan)

    q = nsub.add_parser("apply", help="apply a saved plan exactly; refused when stale")
    q.add_argument("plan_file", metavar="PLAN", help="a plan written by `netbox plan --out`")
    _connection(q, url_required=False)
    q.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    q.set_defaults(func=cmd_apply)

    q = nsub.add_parser("diff", help="drift between the design and the as-built NetBox")
    q.add_argument("paths", nargs="+", metavar="PATH", help="the design's manifests")
    _connection(q)
    q.add_argument("--scope", help=argparse.SUPPRESS)
    q.add_argument("--out", help="write the report to this file instead of stdout")
    q.add_argument("--exit-code", action="store_true", help="exit 1 when there is drift")
    q.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    q.set_defaults(func=cmd_diff)

    q = nsub.add_parser("pull", help="a Catalog of the device and rack types used in NetBox, "
                        "or (--design) a pushed design as manifests")
    _connection(q)
    q.add_argument("--design", metavar="SCOPE",
                   help="pull the design pushed under this scope into manifests in --out DIR "
                        "(catalog.yaml, cabinets.yaml, design.yaml)")
    q.add_argument("--site", help="only types used in this site (slug)")
    q.add_argument("--out", help="write the Catalog here (default: stdout); with --design, "
                   "the directory for the manifests")
    q.add_argument("--name", default="netbox-pull", help="metadata.name of the Catalog")
    q.add_argument("--rack-power-kw", type=float, default=10.0,
                   help="power rating for rack types (NetBox has none; default 10)")
    q.set_defaults(func=cmd_pull)


register = add_parser  # the CLI package calls each group module's register(sub)
