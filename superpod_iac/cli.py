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


def _design(paths: list[str], args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Load a design for bom/cabling/summary/compare/diff: schema and reference errors block
    (the model would be incomplete); physics findings do not (that is `validate`'s job)."""
    from superpod_iac.pipeline import load_project
    from superpod_iac.report import REPORTERS

    cfg = _config(args)
    cfg.select = ["SCH", "REF"]
    project = load_project(paths, cfg)
    if project.errors:
        sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
        sys.stderr.write("superpod: the design has schema or reference errors; fix them first "
                         "(superpod validate)\n")
        return None
    return project.inventory


def cmd_bom(args: argparse.Namespace) -> int:
    from superpod_iac.bom import bom_lines, totals
    from superpod_iac.report import tables

    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    lines = bom_lines(inv)
    cols = ["category", "part", "quantity", "unit", "unit_power_w", "total_power_w",
            "unit_weight_kg", "total_weight_kg", "unit_price_usd", "total_price_usd", "note"]
    rows = [[getattr(x, c) for c in cols] for x in lines]
    tot = totals(inv, lines)
    if args.format == "json":
        text = tables.to_json(cols, rows, totals=tot)
    elif args.format == "md":
        text = tables.to_md(cols, rows, "Bill of materials") + (
            f"\n**Totals**: {tot['power_kw']:,.1f} kW (devices + optics at maximum), "
            f"{tot['weight_kg']:,.0f} kg, ${tot['price_usd']:,.0f} (parts with a price)\n")
    else:
        rows.append(["total", "", None, "", None, tot["power_kw"] * 1000, None,
                     tot["weight_kg"], None, tot["price_usd"], "power: cabinet loads"])
        text = tables.to_csv(cols, rows)
    _emit(text, args.out)
    return EXIT_OK


def cmd_cabling(args: argparse.Namespace) -> int:
    from superpod_iac import cabling
    from superpod_iac.fsio import atomic_text

    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    writer = cabling.write_json if args.format == "json" else cabling.write_csv
    if args.out:
        with atomic_text(args.out) as fh:
            n = writer(inv, fh)
        sys.stderr.write(f"wrote {n} links to {args.out}\n")
    else:
        writer(inv, sys.stdout)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from superpod_iac.metrics import summary_rows
    from superpod_iac.report import tables

    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    cols, rows = summary_rows(inv)
    fmt = {"json": tables.to_json, "md": tables.to_md}.get(args.format, tables.to_table)
    _emit(fmt(cols, rows), args.out)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from superpod_iac.metrics import compare_rows, pick_system
    from superpod_iac.report import tables

    picked = []
    for path, name in ((args.a, args.system_a), (args.b, args.system_b)):
        inv = _design([path], args)
        if inv is None:
            return EXIT_FINDINGS
        try:
            picked.append(pick_system(inv, name)[1])
        except KeyError as exc:
            raise UsageError(f"{path}: {exc.args[0]}") from exc
    cols, rows = compare_rows(picked[0], picked[1])
    fmt = {"json": tables.to_json, "md": tables.to_md}.get(args.format, tables.to_table)
    _emit(fmt(cols, rows), args.out)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    import tempfile

    from superpod_iac.diff import RevisionError, diff, materialize, to_markdown

    with tempfile.TemporaryDirectory(prefix="superpod-diff-") as work:
        try:
            old_path, new_path = materialize(args.old, work), materialize(args.new, work)
        except RevisionError as exc:
            raise UsageError(str(exc)) from exc
        old, new = _design([old_path], args), _design([new_path], args)
        if old is None or new is None:
            return EXIT_FINDINGS
        _emit(to_markdown(diff(old, new), args.old, args.new), args.out)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.importer import import_netbox, to_yaml

    res = import_netbox(args.paths, name=args.name, redundancy=args.redundancy,
                        rack_power_kw=args.rack_power_kw)
    for w in res.warnings:
        sys.stderr.write(f"warning: {w}\n")
    for e in res.errors:
        sys.stderr.write(f"error: {e}\n")
    _emit(to_yaml(res), args.out)
    if args.out:
        spec = res.catalog["spec"]
        sys.stderr.write(f"wrote {len(spec.get('device_types', []))} device type(s) and "
                         f"{len(spec.get('cabinet_types', []))} cabinet type(s) to {args.out}\n")
    return EXIT_FINDINGS if res.errors else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.exporter import export
    from superpod_iac.pipeline import load_project
    from superpod_iac.report import REPORTERS

    project = load_project(args.paths, _config(args))
    if project.errors:
        sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
        sys.stderr.write("superpod: export needs a design that validates clean\n")
        return EXIT_FINDINGS
    counts = export(project.inventory, Path(args.out))
    sys.stdout.write("".join(f"{name}: {n}\n" for name, n in counts.items()))
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


def cmd_render(args: argparse.Namespace) -> int:
    """Diagrams are drawn even when rules would fail (overloads are highlighted, not fatal);
    a design whose manifests do not parse is reported and nothing is drawn (exit 1)."""
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import LEVELS, VIEWS, DotMissing, design_title, plan
    from superpod_iac.render.emit import INSTALL_HINT
    from superpod_iac.render.output import diagram_bytes, write_all
    from superpod_iac.report import REPORTERS

    if args.level and args.view not in ("wiring", "all"):
        raise UsageError(f"--level applies to --view wiring only (got --view {args.view})")
    project = load_project(args.paths, _config(args), check=False)
    if project.errors:
        sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
        sys.stderr.write("superpod: nothing rendered: the manifests above do not parse\n")
        return EXIT_FINDINGS
    views = VIEWS if args.view == "all" else (args.view,)
    levels = LEVELS if args.level in (None, "all") else (args.level,)
    fallback = Path(args.paths[0]).resolve().name if len(args.paths) == 1 else "design"
    jobs = plan(project.inventory, views, levels, design_title(project.inventory, fallback))
    try:
        if args.out:
            written = write_all(jobs, args.format, Path(args.out))
            sys.stdout.write(f"wrote {len(written)} diagram(s) to {args.out}/\n")
            return EXIT_OK
        if len(jobs) != 1:
            names = ", ".join(j.name for j in jobs[:4]) + (", ..." if len(jobs) > 4 else "")
            raise UsageError(f"this request draws {len(jobs)} diagrams ({names}); stdout takes "
                             "one: pass --out DIR, or narrow it with --view / --level")
        if args.format == "png" and sys.stdout.isatty():
            raise UsageError("not writing PNG bytes to a terminal: pass --out DIR or redirect")
        data = diagram_bytes(jobs[0], args.format)
    except DotMissing as exc:
        raise UsageError(f"{exc}\n    hint: {INSTALL_HINT}") from exc
    if args.format == "png":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
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

    p = sub.add_parser("render", help="draw wiring, power, cooling and rack-elevation diagrams")
    _add_common(p)
    p.add_argument("--view", required=True,
                   choices=["wiring", "power", "cooling", "elevation", "all"])
    p.add_argument("--level", choices=["cluster", "pod", "cabinet", "all"],
                   help="wiring level (default: all three)")
    p.add_argument("--format", choices=["svg", "png", "dot"], default="svg",
                   help="svg and png need Graphviz `dot`; dot does not (default: svg)")
    p.add_argument("--out", metavar="DIR",
                   help="write one file per view and level into DIR (default: one diagram to "
                        "stdout)")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("bom", help="bill of materials: one line per part type")
    _add_common(p)
    p.add_argument("--format", choices=["csv", "json", "md"], default="csv")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_bom)

    p = sub.add_parser("cabling", help="cable schedule (cut sheet): one row per link, streamed")
    _add_common(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_cabling)

    p = sub.add_parser("summary", help="per superpod and cluster metrics")
    _add_common(p)
    p.add_argument("--format", choices=["table", "json", "md"], default="table")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("compare", help="two systems' metrics side by side with ratios")
    p.add_argument("a", metavar="PATH_A")
    p.add_argument("b", metavar="PATH_B")
    p.add_argument("--system-a", help="superpod or cluster in PATH_A (default: its cluster, "
                   "else its largest superpod)")
    p.add_argument("--system-b", help="likewise for PATH_B")
    p.add_argument("--format", choices=["table", "json", "md"], default="table")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.add_argument("--config", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("diff", help="what changes between two designs (markdown for a PR)")
    p.add_argument("old", metavar="OLD", help="path, or REV:PATH for a git revision")
    p.add_argument("new", metavar="NEW", help="path, or REV:PATH for a git revision")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.add_argument("--config", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("import", help="import part data from other tools")
    isub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    q = isub.add_parser("netbox", help="NetBox devicetype-library YAML -> a Catalog manifest")
    q.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    q.add_argument("--out", help="write the Catalog here (default: stdout)")
    q.add_argument("--name", default="netbox-import", help="metadata.name of the Catalog")
    q.add_argument("--redundancy", choices=["N+N", "2N", "N+1", "N"], default="N+N",
                   help="PSU redundancy used to turn power-port draws into max_w (default N+N)")
    q.add_argument("--rack-power-kw", type=float, default=10.0,
                   help="power rating for imported rack types (NetBox has none; default 10)")
    q.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export a validated design to other tools")
    esub = p.add_subparsers(dest="target", required=True, metavar="TARGET")
    q = esub.add_parser("netbox", help="CSV files for NetBox bulk import (+ device-type YAML)")
    _add_common(q)
    q.add_argument("--out", default="build/netbox", help="directory (default: build/netbox)")
    q.set_defaults(func=cmd_export)

    p = sub.add_parser("schema", help="write or check the JSON Schemas generated from the models")
    p.add_argument("--out", default="schemas", help="directory (default: schemas)")
    p.add_argument("--check", action="store_true", help="fail when the files are stale")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("rules", help="list the rules, or explain one")
    p.add_argument("id", nargs="?", help="rule ID, e.g. PWR001")
    p.set_defaults(func=cmd_rules)

    _add_netbox(sub)
    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def _add_netbox(sub: argparse._SubParsersAction) -> None:
    """`superpod netbox push|diff|pull` (superpod_iac/netbox/commands.py)."""
    from superpod_iac.netbox.commands import add_parser

    add_parser(sub)


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

        if isinstance(exc, InputError | OSError):  # I/O problems are the user's to fix: exit 2
            sys.stderr.write(f"superpod: error: {exc}\n")
            return EXIT_USAGE
        if os.environ.get("SUPERPOD_DEBUG"):
            raise
        sys.stderr.write(f"superpod: internal error: {type(exc).__name__}: {exc}\n"
                         f"    hint: {BUG_HINT}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
