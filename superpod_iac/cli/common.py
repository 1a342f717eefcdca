"""What every command shares, once: exit codes, the usage error, shared options, loading a
design from the arguments, and writing a command's output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from superpod_iac.config import Config, check_rule_ids, load_config, say_relaxations
from superpod_iac.report import REPORTERS

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


def known_rule_ids() -> list[str]:
    """Every registered rule's ID (imports the rule families: only when a command needs it)."""
    from superpod_iac.rules.catalog import all_rules

    return list(all_rules())


def ids(text: str, option: str) -> list[str]:
    from superpod_iac.config import check_ids

    return check_ids(text.split(","), option, known_rule_ids())


def config_from(args: argparse.Namespace, paths: list[str] | None = None) -> Config:
    """Configuration from --config, else found from the paths given (up to the repo root);
    --select replaces the configured selection, --ignore adds to it."""
    explicit = getattr(args, "config", None)
    if explicit and not Path(explicit).is_file():
        raise UsageError(f"--config {explicit}: no such file")
    cfg = load_config(path=Path(explicit) if explicit else None,
                      paths=paths if paths is not None else getattr(args, "paths", None))
    if cfg.unchecked:
        check_rule_ids(cfg, known_rule_ids())
    if cfg.relaxes is not None:
        from superpod_iac.rules.catalog import all_rules

        say_relaxations(cfg, {rid: r.severity for rid, r in all_rules().items()})
    if getattr(args, "select", None) is not None:
        cfg.select = ids(args.select, "--select")
        cfg.origins["select"] = "--select"
    if getattr(args, "ignore", None) is not None:
        cfg.ignore = cfg.ignore + ids(args.ignore, "--ignore")
        cfg.origins["ignore"] = "--ignore" + (f" + {cfg.origins['ignore']}"
                                              if "ignore" in cfg.origins else "")
    return cfg


def emit(doc: str | bytes, out: str | None) -> None:
    """Write a document (text, or bytes for png and xlsx) to `out` atomically, or to stdout."""
    if out and out != "-":
        from superpod_iac.fsio import atomic_write

        atomic_write(out, doc)
    elif isinstance(doc, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(doc)
    else:
        sys.stdout.write(doc)


def stop(project: Project, why: str) -> int:
    """Print a design's findings and why the command stops there (to stderr); exit 1."""
    sys.stderr.write(REPORTERS["text"](project.diagnostics, len(project.sources)))
    sys.stderr.write(f"superpod: {why}\n")
    return EXIT_FINDINGS


def design(paths: list[str], args: argparse.Namespace) -> Inventory | None:
    """Load a design for bom/cabling/summary/compare: schema and reference errors block
    (the model would be incomplete; they are printed and None is returned); physics findings
    do not (that is `validate`'s job)."""
    from superpod_iac.pipeline import load_project

    cfg = config_from(args, paths)
    cfg.select = ["SCH", "REF"]
    project = load_project(paths, cfg)
    if project.errors:
        stop(project, "the design has schema or reference errors; fix them first "
              "(superpod validate)")
        return None
    return project.inventory


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="manifest files or directories, - for standard input (default: .)")
    p.add_argument("--config", help="pyproject.toml or superpod.toml to read (default: found "
                   "from the first PATH upwards, up to the repository root)")
