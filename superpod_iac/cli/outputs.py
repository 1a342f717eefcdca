"""`superpod render | bom | cabling | summary | compare | diff | report`: what a design
produces (diagrams, tables, the plan of a change, the HTML page)."""

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
    design,
    emit,
    stop,
)


def cmd_render(args: argparse.Namespace) -> int:
    """Diagrams are drawn even when rules fail (overloads are highlighted, not fatal: the
    findings' rule IDs go on the boxes they name, their count in the title block); a design
    whose manifests do not parse is reported and nothing is drawn (exit 1)."""
    from superpod_iac.cli.revision import read_revision
    from superpod_iac.pipeline import checked, load_project
    from superpod_iac.render import DotFailed, DotMissing, design_title, plan
    from superpod_iac.render.emit import INSTALL_HINT
    from superpod_iac.render.output import NothingToShow, diagram_bytes, write_all

    if args.level and args.view not in ("wiring", "all"):
        raise UsageError(f"--level applies to --view wiring only (got --view {args.view})")
    config = config_from(args)
    project = load_project(args.paths, config, check=False)
    if project.errors:
        return stop(project, "nothing rendered: the manifests above do not parse")
    findings = checked(project, config)  # rule IDs on the boxes, the status in the title block
    views = choices.VIEWS if args.view == "all" else (args.view,)
    levels = choices.LEVELS if args.level in (None, "all") else (args.level,)
    fallback = Path(args.paths[0]).resolve().name if len(args.paths) == 1 else "design"
    jobs = plan(project.inventory, views, levels, design_title(project.inventory, fallback),
                findings=findings, revision=read_revision(args.paths), a3_sheets=True)
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
        if len(jobs) > 1 and sum(not j.extra for j in jobs) == 1:  # a one-line's A3 sheets
            sys.stderr.write(f"superpod: {jobs[0].name} to standard output; its {len(jobs) - 1} "
                             "A3 sheet(s) of one side each are written with --out DIR\n")
            jobs = jobs[:1]
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
    emit(data if args.format == "png" else data.decode("utf-8"), None)
    return EXIT_OK


def cmd_bom(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import render

    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        raise UsageError("not writing XLSX bytes to a terminal: pass --out FILE or redirect")
    inv = design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    emit(render(inv, args.format, args.group_by, spares=not args.no_spares), args.out)
    return EXIT_OK


def cmd_cabling(args: argparse.Namespace) -> int:
    from superpod_iac.cabling import WRITERS
    from superpod_iac.fsio import atomic_text

    inv = design(args.paths, args)
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


def cmd_portmap(args: argparse.Namespace) -> int:
    """Port map: per cabinet and device, one row per connected port; html is print-ready."""
    from superpod_iac.bom.portmap import WRITERS, TooMany, select_cabinets
    from superpod_iac.fsio import atomic_text
    from superpod_iac.numbers import num
    from superpod_iac.render import design_title

    binary, writer = WRITERS[args.format]
    if binary and not args.out and sys.stdout.isatty():
        raise UsageError(f"not writing {args.format.upper()} bytes to a terminal: pass --out "
                         "FILE or redirect")
    inv = design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    try:
        cabinets = select_cabinets(inv, args.cabinet)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    title = design_title(inv, Path(args.paths[0]).resolve().name if len(args.paths) == 1
                         else "design")
    try:
        if binary:
            import io

            buf = io.BytesIO()
            n = writer(inv, buf, cabinets, title)
            emit(buf.getvalue(), args.out)
        elif args.out and args.out != "-":
            with atomic_text(args.out) as fh:
                n = writer(inv, fh, cabinets, title)
        else:
            n = writer(inv, sys.stdout, cabinets, title)
    except TooMany as exc:
        raise UsageError(str(exc)) from exc
    if args.out and args.out != "-":
        what = "cabinets" if args.format == "html" else "port rows"
        sys.stderr.write(f"wrote {num(n)} {what} to {args.out}\n")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import summary

    inv = design(args.paths, args)
    if inv is None:
        return EXIT_FINDINGS
    emit(summary(inv, args.format), args.out)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from superpod_iac.bom.table import comparison
    from superpod_iac.metrics import boundary_hint, pick_system

    picked = []
    targets = [(args.a, args.system_a), (args.b, args.system_b)] + [(p, None) for p in args.more]
    for path, name in targets:
        inv = design([path], args)
        if inv is None:
            return EXIT_FINDINGS
        try:
            picked.append(pick_system(inv, name)[1])
        except KeyError as exc:
            raise UsageError(f"{path}: {exc.args[0]}") from exc
    emit(comparison(picked, args.format), args.out)
    for other in picked[1:]:
        if (hint := boundary_hint(picked[0], other)) is not None:
            print(f"note: {hint}", file=sys.stderr)
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
        cfg = config_from(args)
        old = Side(args.old, old_path, load_project([old_path], cfg))
        new = Side(args.new, new_path, load_project([new_path], config_from(args)))
        d = design_diff(old, new)
        emit(FORMATS[args.format](d), args.out)
    if args.fail_on == "new" and d.findings.new_errors:
        return EXIT_FINDINGS
    if args.fail_on == "any" and new.project.errors:
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """One self-contained HTML page; written even when the design has findings (they are in
    it), so CI can upload it as an artifact. Exit 1 when the manifests do not parse (schema
    or reference errors: the page then holds the findings only), else 0."""
    from tqdm import tqdm

    from superpod_iac.cli.revision import read_revision
    from superpod_iac.htmlreport import collect, render_page

    revision = read_revision(args.paths, args.date)  # once, here: no renderer runs git
    fallback = Path(args.paths[0]).resolve().name if len(args.paths) == 1 else "design"
    bar = tqdm(desc="report", unit="diagram", file=sys.stderr, disable=None, leave=False,
               delay=2)  # shown for reports taking longer than 2 s

    def tick(name: str) -> None:
        bar.set_postfix_str(name, refresh=False)
        bar.update()

    data = collect(args.paths, config_from(args), title=fallback, base=args.base, progress=tick,
                   verification=args.verification, revision=revision)
    page = render_page(data)
    bar.close()
    emit(page, None if args.out == "-" else args.out)
    if args.out != "-":
        sys.stderr.write(f"wrote {args.out} ({len(page.encode('utf-8')) / 1e6:.1f} MB)\n")
    if data.blocked:
        sys.stderr.write("superpod: the design has schema or reference errors: the report "
                         "holds the findings only\n")
        return EXIT_FINDINGS
    return EXIT_OK


COMMANDS = ("render", "bom", "cabling", "portmap", "summary", "compare", "diff", "report")
"""The subcommands register() adds (cli.build_parser registers only the group of the one
about to run)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """render, bom, cabling, portmap, summary, compare, diff, report"""
    p = sub.add_parser("render", help="draw wiring, power, cooling and rack-elevation diagrams")
    add_common(p)
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
    add_common(p)
    p.add_argument("--format", choices=choices.BOM_FORMATS, default="csv")
    p.add_argument("--group-by", choices=choices.BOM_GROUP_BY,
                   help="split every count by hall, row, cabinet or superpod (phased delivery)")
    p.add_argument("--no-spares", action="store_true",
                   help="leave out the spares rows of the site policy")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_bom)

    _register_cut_sheets(sub)

    p = sub.add_parser("summary", help="per superpod and cluster metrics")
    add_common(p)
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
    _register_report(sub)


def _register_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """report"""
    p = sub.add_parser("report", help="one self-contained HTML design report (summary, "
                       "findings, diagrams, BOM, cut sheet)")
    add_common(p)
    p.add_argument("--out", required=True, metavar="FILE", help="HTML file to write (- = stdout)")
    p.add_argument("--base", metavar="REV",
                   help="git revision to diff against (the same path as of REV)")
    p.add_argument("--verification", metavar="JSON",
                   help="show a `superpod verify --format json` result (as-built cabling)")
    p.add_argument("--date", metavar="YYYY-MM-DD",
                   help="the title block's date (default: SOURCE_DATE_EPOCH when set, else "
                        "the date of the git commit; never today's, so the output is "
                        "byte-identical)")
    p.set_defaults(func=cmd_report)


def _register_cut_sheets(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """cabling (the cut sheet) and portmap (the same links per cabinet and port)"""
    p = sub.add_parser("cabling", help="cable schedule (cut sheet): one row per link, streamed")
    add_common(p)
    p.add_argument("--format", choices=choices.CABLING_FORMATS, default="csv",
                   help="html: the print-ready label sheet (with --labels)")
    p.add_argument("--labels", action="store_true",
                   help="printable labels, two per cable (A and B end): csv or --format html")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_cabling)

    p = sub.add_parser("portmap", help="port map: per cabinet and device, each connected port's "
                       "peer, cable ID, media, length and bundle (html: print-ready sheets)")
    add_common(p)
    p.add_argument("--format", choices=choices.PORTMAP_FORMATS, default="csv",
                   help="html: one printable A4 sheet set per cabinet (default: csv)")
    p.add_argument("--cabinet", action="append", metavar="GLOB",
                   help="only cabinets matching this glob (repeatable; default: every cabinet)")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.set_defaults(func=cmd_portmap)
