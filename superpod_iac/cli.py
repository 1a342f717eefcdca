"""Command-line interface: argument parsing only; each command calls the stages it needs.

Exit codes: 0 clean (warnings allowed unless --strict), 1 findings at error level,
2 usage / configuration / I/O error, 3 internal error (with a bug-report hint, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from superpod_iac import __version__, choices
from superpod_iac.config import Config, ConfigError, load_config
from superpod_iac.diagnostics import Severity
from superpod_iac.report import REPORTERS
from superpod_iac.report.escape import terminal
from superpod_iac.source.loader import LoadLimits

if TYPE_CHECKING:
    from superpod_iac.model.inventory import Inventory
    from superpod_iac.pipeline import Project

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
BUG_HINT = ("this is a bug in superpod; please report it with the command, `superpod --version` "
            "and the manifests at https://github.com/superpod-iac/superpod-iac/issues "
            "(set SUPERPOD_DEBUG=1 for the traceback)")


EXIT_CODES = f"""exit codes:
  {EXIT_OK}  clean (warnings allowed unless --strict)
  {EXIT_FINDINGS}  findings at error level (a manifest that does not parse is a finding)
  {EXIT_USAGE}  usage, configuration or I/O error
  {EXIT_INTERNAL}  internal error (a bug: a one-line report hint, no traceback)
"""


class UsageError(Exception):
    """Bad arguments or paths: exit code 2."""


def _ids(text: str, option: str) -> list[str]:
    from superpod_iac.config import check_ids

    return check_ids(text.split(","), option)


def _config(args: argparse.Namespace, paths: list[str] | None = None) -> Config:
    """Configuration from --config, else found from the paths given (up to the repo root);
    --select replaces the configured selection, --ignore adds to it."""
    explicit = getattr(args, "config", None)
    if explicit and not Path(explicit).is_file():
        raise UsageError(f"--config {explicit}: no such file")
    cfg = load_config(path=Path(explicit) if explicit else None,
                      paths=paths if paths is not None else getattr(args, "paths", None))
    if getattr(args, "select", None) is not None:
        cfg.select = _ids(args.select, "--select")
        cfg.origins["select"] = "--select"
    if getattr(args, "ignore", None) is not None:
        cfg.ignore = cfg.ignore + _ids(args.ignore, "--ignore")
        cfg.origins["ignore"] = "--ignore" + (f" + {cfg.origins['ignore']}"
                                              if "ignore" in cfg.origins else "")
    return cfg


def _emit(doc: str | bytes, out: str | None) -> None:
    """Write a document (text, or bytes for png and xlsx) to `out` atomically, or to stdout."""
    if out and out != "-":
        from superpod_iac.fsio import atomic_write

        atomic_write(out, doc)
    elif isinstance(doc, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(doc)
    else:
        sys.stdout.write(doc)


def _stop(project: Project, why: str) -> int:
    """Print a design's findings and why the command stops there (to stderr); exit 1."""
    sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
    sys.stderr.write(f"superpod: {why}\n")
    return EXIT_FINDINGS


def cmd_validate(args: argparse.Namespace) -> int:
    from superpod_iac.pipeline import load_project

    project = load_project(args.paths, _config(args))
    diags = project.diagnostics
    _emit(REPORTERS[args.format](diags, len(project.sources)), args.out)
    if project.errors:
        return EXIT_FINDINGS
    if args.strict and any(d.severity == Severity.WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def _design(paths: list[str], args: argparse.Namespace) -> Inventory | None:
    """Load a design for bom/cabling/summary/compare: schema and reference errors block
    (the model would be incomplete; they are printed and None is returned); physics findings
    do not (that is `validate`'s job)."""
    from superpod_iac.pipeline import load_project

    cfg = _config(args, paths)
    cfg.select = ["SCH", "REF"]
    project = load_project(paths, cfg)
    if project.errors:
        _stop(project, "the design has schema or reference errors; fix them first "
              "(superpod validate)")
        return None
    return project.inventory


def cmd_bom(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import render

    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        raise UsageError("not writing XLSX bytes to a terminal: pass --out FILE or redirect")
    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    _emit(render(inv, args.format, args.group_by, spares=not args.no_spares), args.out)
    return EXIT_OK


def cmd_cabling(args: argparse.Namespace) -> int:
    from superpod_iac.cabling import WRITERS
    from superpod_iac.fsio import atomic_text

    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    sheet, labels = WRITERS[args.format]
    writer = labels if args.labels else sheet
    if writer is None and args.labels:
        able = " or ".join(f for f, (_, w) in WRITERS.items() if w is not None)
        raise UsageError(f"--labels writes {able} (print-ready), not {args.format}")
    if writer is None:
        raise UsageError(f"--format {args.format} is the printable label sheet: add --labels")
    if args.out:
        with atomic_text(args.out) as fh:
            n = writer(inv, fh)
        sys.stderr.write(f"wrote {n} {'labels' if args.labels else 'links'} to {args.out}\n")
    else:
        writer(inv, sys.stdout)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import summary

    inv = _design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    _emit(summary(inv, args.format), args.out)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import comparison
    from superpod_iac.metrics import pick_system

    picked = []
    targets = [(args.a, args.system_a), (args.b, args.system_b)] + [(p, None) for p in args.more]
    for path, name in targets:
        inv = _design([path], args)
        if inv is None:
            return EXIT_FINDINGS
        try:
            picked.append(pick_system(inv, name)[1])
        except KeyError as exc:
            raise UsageError(f"{path}: {exc.args[0]}") from exc
    _emit(comparison(picked, args.format), args.out)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """Both revisions are loaded with every rule, so the findings delta is exact; a revision
    with schema errors is still compared (its findings say what is wrong)."""
    import tempfile

    from superpod_iac.diff import RevisionError, Side, design_diff, materialize
    from superpod_iac.diff.render import FORMATS
    from superpod_iac.pipeline import load_project

    if args.old == "-" and args.new == "-":
        raise UsageError("only one of OLD and NEW can be standard input")
    with tempfile.TemporaryDirectory(prefix="superpod-diff-") as work:
        try:
            old_path, new_path = materialize(args.old, work), materialize(args.new, work)
        except RevisionError as exc:
            raise UsageError(str(exc)) from exc
        cfg = _config(args)
        old = Side(args.old, old_path, load_project([old_path], cfg))
        new = Side(args.new, new_path, load_project([new_path], _config(args)))
        d = design_diff(old, new)
        _emit(FORMATS[args.format](d), args.out)
    if args.fail_on == "new" and d.findings.new_errors:
        return EXIT_FINDINGS
    if args.fail_on == "any" and new.project.errors:
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.importer import import_netbox, to_yaml

    limits = load_config(paths=args.paths).limits
    res = import_netbox(args.paths, name=args.name, redundancy=args.redundancy,
                        rack_power_kw=args.rack_power_kw, limits=limits)
    for w in res.warnings:
        sys.stderr.write(f"warning: {terminal(w)}\n")
    for e in res.errors:
        sys.stderr.write(f"error: {terminal(e)}\n")
    _emit(to_yaml(res), args.out)
    if args.out:
        spec = res.catalog["spec"]
        sys.stderr.write(f"wrote {len(spec.get('device_types', []))} device type(s) and "
                         f"{len(spec.get('cabinet_types', []))} cabinet type(s) to {args.out}\n")
    return EXIT_FINDINGS if res.errors else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from superpod_iac.netbox.exporter import export
    from superpod_iac.pipeline import load_project

    project = load_project(args.paths, _config(args))
    if project.errors:
        return _stop(project, "export needs a design that validates clean")
    counts = export(project.inventory, Path(args.out))
    sys.stdout.write("".join(f"{name}: {n}\n" for name, n in counts.items()))
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    """Print the effective configuration and where each value came from."""
    import json

    from superpod_iac.model.catalog import policy_defaults

    cfg = _config(args)
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


def cmd_render(args: argparse.Namespace) -> int:
    """Diagrams are drawn even when rules would fail (overloads are highlighted, not fatal);
    a design whose manifests do not parse is reported and nothing is drawn (exit 1)."""
    from superpod_iac.pipeline import load_project
    from superpod_iac.render import DotFailed, DotMissing, design_title, plan
    from superpod_iac.render.emit import INSTALL_HINT
    from superpod_iac.render.output import NothingToShow, diagram_bytes, write_all

    if args.level and args.view not in ("wiring", "all"):
        raise UsageError(f"--level applies to --view wiring only (got --view {args.view})")
    project = load_project(args.paths, _config(args), check=False)
    if project.errors:
        return _stop(project, "nothing rendered: the manifests above do not parse")
    views = choices.VIEWS if args.view == "all" else (args.view,)
    levels = choices.LEVELS if args.level in (None, "all") else (args.level,)
    fallback = Path(args.paths[0]).resolve().name if len(args.paths) == 1 else "design"
    jobs = plan(project.inventory, views, levels, design_title(project.inventory, fallback))
    try:
        if args.out:
            skipped: list[str] = []
            written = write_all(jobs, args.format, Path(args.out), skipped=skipped)
            sys.stdout.write(f"wrote {len(written)} diagram(s) to {args.out}/\n")
            if skipped and args.view == "all":  # one line: `make demo` renders every spec
                empty = [s.split(":", 1)[0] for s in skipped]
                sys.stdout.write(f"not written (nothing to show): {', '.join(empty[:6])}"
                                 f"{f' and {len(empty) - 6} more' if len(empty) > 6 else ''}"
                                 " (a single --view says why)\n")
            elif skipped:
                sys.stdout.write(f"not written ({len(skipped)}, nothing to show):\n" +
                                 "".join(f"  {s}\n" for s in skipped[:10]) +
                                 (f"  ... and {len(skipped) - 10} more\n"
                                  if len(skipped) > 10 else ""))
            return EXIT_OK
        if len(jobs) != 1:
            names = ", ".join(j.name for j in jobs[:4]) + (", ..." if len(jobs) > 4 else "")
            raise UsageError(f"this request draws {len(jobs)} diagrams ({names}); stdout takes "
                             "one: pass --out DIR, or narrow it with --view / --level")
        if args.format == "png" and sys.stdout.isatty():
            raise UsageError("not writing PNG bytes to a terminal: pass --out DIR or redirect")
        data = diagram_bytes(jobs[0], args.format)
    except NothingToShow as exc:
        sys.stderr.write(f"superpod: {exc}\n")
        return EXIT_OK
    except DotMissing as exc:
        raise UsageError(f"{exc}\n    hint: {INSTALL_HINT}") from exc
    except DotFailed as exc:  # a Graphviz failure is the input's or the machine's: exit 2
        raise UsageError(f"Graphviz dot failed: {exc}") from exc
    _emit(data if args.format == "png" else data.decode("utf-8"), None)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """One self-contained HTML page; written even when the design has findings (they are in
    it), so CI can upload it as an artifact. Exit 1 when the manifests do not parse (schema
    or reference errors: the page then holds the findings only), else 0."""
    from tqdm import tqdm

    from superpod_iac.htmlreport import collect, render_page

    fallback = Path(args.paths[0]).resolve().name if len(args.paths) == 1 else "design"
    bar = tqdm(desc="report", unit="diagram", file=sys.stderr, disable=None, leave=False,
               delay=2)  # shown for reports taking longer than 2 s

    def tick(name: str) -> None:
        bar.set_postfix_str(name, refresh=False)
        bar.update()

    data = collect(args.paths, _config(args), title=fallback, base=args.base, progress=tick)
    page = render_page(data)
    bar.close()
    _emit(page, None if args.out == "-" else args.out)
    if args.out != "-":
        sys.stderr.write(f"wrote {args.out} ({len(page.encode('utf-8')) / 1e6:.1f} MB)\n")
    if data.blocked:
        sys.stderr.write("superpod: the design has schema or reference errors: the report "
                         "holds the findings only\n")
        return EXIT_FINDINGS
    return EXIT_OK


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="manifest files or directories, - for standard input (default: .)")
    p.add_argument("--config", help="pyproject.toml or superpod.toml to read (default: found "
                   "from the first PATH upwards, up to the repository root)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="superpod", description="Validate, render and bill AI superpod designs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"superpod {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check manifests against schemas and engineering rules")
    _add_common(p)
    p.add_argument("--format", choices=list(REPORTERS), default="text")
    p.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    p.add_argument("--select", help="only these rule IDs or families (comma separated)")
    p.add_argument("--ignore", help="skip these rule IDs or families (comma separated)")
    p.add_argument("--out", help="write the report to this file instead of stdout")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("render", help="draw wiring, power, cooling and rack-elevation diagrams")
    _add_common(p)
    p.add_argument("--view", required=True, choices=[*choices.VIEWS, "all"])
    p.add_argument("--level", choices=[*choices.LEVELS, "all"],
                   help="wiring level (default: all of them)")
    p.add_argument("--format", choices=choices.RENDER_FORMATS, default="svg",
                   help="svg and png need Graphviz `dot`; dot does not (default: svg)")
    p.add_argument("--out", metavar="DIR",
                   help="write one file per view and level into DIR (default: one diagram to "
                        "stdout)")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("bom", help="bill of materials: one line per part type")
    _add_common(p)
    p.add_argument("--format", choices=choices.BOM_FORMATS, default="csv")
    p.add_argument("--group-by", choices=choices.BOM_GROUP_BY,
                   help="split every count by hall, row, cabinet or superpod (phased delivery)")
    p.add_argument("--no-spares", action="store_true",
                   help="leave out the spares rows of the site policy")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_bom)

    p = sub.add_parser("cabling", help="cable schedule (cut sheet): one row per link, streamed")
    _add_common(p)
    p.add_argument("--format", choices=choices.CABLING_FORMATS, default="csv",
                   help="html: the print-ready label sheet (with --labels)")
    p.add_argument("--labels", action="store_true",
                   help="printable labels, two per cable (A and B end): csv or --format html")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_cabling)

    p = sub.add_parser("summary", help="per superpod and cluster metrics")
    _add_common(p)
    p.add_argument("--format", choices=choices.TABLE_FORMATS, default="table")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("compare", help="two or more systems' metrics side by side with ratios")
    p.add_argument("a", metavar="PATH_A")
    p.add_argument("b", metavar="PATH_B")
    p.add_argument("more", metavar="PATH", nargs="*", help="further systems (compared with A)")
    p.add_argument("--system-a", help="superpod or cluster in PATH_A (default: its cluster, "
                   "else its largest superpod)")
    p.add_argument("--system-b", help="likewise for PATH_B")
    p.add_argument("--format", choices=choices.TABLE_FORMATS, default="table")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.add_argument("--config", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("diff", help="what a change edits, what it does to loads and failure "
                       "margins, and which findings it adds or fixes (md for a PR comment)")
    p.add_argument("old", metavar="OLD", help="path, or REV:PATH for a git revision")
    p.add_argument("new", metavar="NEW", help="path, or REV:PATH for a git revision")
    p.add_argument("--format", choices=choices.DIFF_FORMATS, default="text",
                   help="text (a plan for the terminal), json, or md for a pull-request "
                        "comment (default: text)")
    p.add_argument("--fail-on", choices=["never", "new", "any"], default="never",
                   help="exit 1 when the change introduces error findings (new), or when the "
                        "new revision has any (any); default: never")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.add_argument("--config", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("import", help="import part data from other tools")
    isub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    q = isub.add_parser("netbox", help="NetBox devicetype-library YAML -> a Catalog manifest")
    q.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    q.add_argument("--out", help="write the Catalog here (default: stdout)")
    q.add_argument("--name", default="netbox-import", help="metadata.name of the Catalog")
    q.add_argument("--redundancy", choices=choices.IMPORT_REDUNDANCY, default="N+N",
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
    p.add_argument("--print", metavar="KIND",
                   help="write the schema of one kind (Cabinet, PowerSystem, ...; `bundle` for "
                        "any kind) to standard output instead of files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("config", help="print the effective configuration and where each value "
                       "came from")
    _add_common(p)
    p.add_argument("--select", help="as for validate")
    p.add_argument("--ignore", help="as for validate")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("rules", help="list the rules, or explain one")
    p.add_argument("id", nargs="?", help="rule ID, e.g. PWR001")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("report", help="one self-contained HTML design report (summary, "
                       "findings, diagrams, BOM, cut sheet)")
    _add_common(p)
    p.add_argument("--out", required=True, metavar="FILE", help="HTML file to write (- = stdout)")
    p.add_argument("--base", metavar="REV",
                   help="git revision to diff against (the same path as of REV)")
    p.set_defaults(func=cmd_report)

    _add_netbox(sub)
    return parser


def _add_netbox(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`superpod netbox push|diff|pull` (superpod_iac/netbox/commands.py)."""
    from superpod_iac.netbox.commands import add_parser

    add_parser(sub)


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
    parser = build_parser()
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
