"""`superpod verify DESIGN --lldp PATH... | --ibnetdiscover FILE [--map CSV]`: the parser and
the command, kept here so cli.py only calls `add_parser` (one line)."""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from superpod_iac import choices

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FAIL_ON = choices.table(choices.VERIFY_FAIL_ON, {
    "any": "exit 1 when anything is not ok (also links no source reported)",
    "faults": "exit 1 on missing, miswired, wrong-speed, unexpected or input problems only "
              "(a partial collection passes)",
    "never": "always exit 0 when the verification ran",
})


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "verify", help="compare the as-built cabling (LLDP, ibnetdiscover) with the design",
        description="Read what the network reports about its neighbours and give every design "
        "link a verdict: ok, missing, miswired (with the swap that fixes it), wrong-speed, "
        "unverified; plus neighbours the design does not have (unexpected). See "
        "docs/install-day.md.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="fail-on:\n" + "".join(f"  {k:7} {v}\n" for k, v in FAIL_ON.items()))
    p.add_argument("paths", nargs="+", metavar="DESIGN", help="the design's manifests")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--lldp", nargs="+", action="extend", metavar="PATH",
                     help="`lldpctl -f json` or Arista EOS `show lldp neighbors detail | json` "
                     "output: files, or folders of HOST.json files")
    src.add_argument("--ibnetdiscover", metavar="FILE", help="`ibnetdiscover` output")
    p.add_argument("--map", metavar="CSV", help="names that differ from the design: rows "
                   "`kind,source,design` (kind host, guid or port)")
    p.add_argument("--fabric", action="append", metavar="NAME",
                   help="only the links of this fabric (repeatable; default: every fabric)")
    p.add_argument("--format", choices=choices.VERIFY_FORMATS, default="text")
    p.add_argument("--all", action="store_true", help="list ok links too")
    p.add_argument("--fail-on", choices=choices.VERIFY_FAIL_ON, default="any")
    p.add_argument("--out", help="write to this file (atomically) instead of stdout")
    p.add_argument("--config", help="pyproject.toml to read [tool.superpod] from")
    p.set_defaults(func=cmd_verify)


def _error(message: str) -> int:
    from superpod_iac.report.escape import terminal

    sys.stderr.write(f"superpod: error: {terminal(message)}\n")
    return EXIT_USAGE


def cmd_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from superpod_iac.config import load_config
    from superpod_iac.pipeline import load_project
    from superpod_iac.report import REPORTERS
    from superpod_iac.verify.compare import compare
    from superpod_iac.verify.output import FORMATS
    from superpod_iac.verify.readers import TooMuch, read_ibnetdiscover, read_lldp, read_mapping

    if args.config and not Path(args.config).is_file():
        return _error(f"--config {args.config}: no such file")
    cfg = load_config(path=Path(args.config) if args.config else None, paths=args.paths)
    cfg.select = ["SCH", "REF"]
    project = load_project(args.paths, cfg)
    if project.errors:
        sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
        sys.stderr.write("superpod: the design has schema or reference errors; fix them first "
                         "(superpod validate)\n")
        return EXIT_FINDINGS
    inv = project.inventory
    if args.fabric:
        unknown = [f for f in args.fabric if f not in inv.fabrics]
        if unknown:
            import difflib

            near = difflib.get_close_matches(unknown[0], list(inv.fabrics), n=1)
            return _error(f"--fabric {unknown[0]}: no such fabric in the design"
                          + (f" (did you mean {near[0]}?)" if near else
                             f"; fabrics: {', '.join(sorted(inv.fabrics)) or 'none'}"))
    try:
        mapping, map_problems = read_mapping(args.map)
        seen = read_lldp(args.lldp) if args.lldp else read_ibnetdiscover(args.ibnetdiscover)
    except TooMuch as exc:
        return _error(f"{exc}: verify a part of the fabric at a time")
    seen.problems[:0] = map_problems
    result = compare(inv, seen, mapping, args.fabric)
    buf = io.StringIO()
    FORMATS[args.format](inv, result, buf, args.all)
    if args.out and args.out != "-":
        from superpod_iac.fsio import atomic_write

        atomic_write(args.out, buf.getvalue())
    else:
        sys.stdout.write(buf.getvalue())
    counts = result.counts()
    if args.fail_on == "never":
        return EXIT_OK
    bad = result.faults() + (counts["unverified"] if args.fail_on == "any" else 0)
    return EXIT_FINDINGS if bad else EXIT_OK


register = add_parser  # the CLI package calls each group module's register(sub)
