"""Regenerate (or check) generated documentation: the rule examples (rules/examples.py) from the
rule fixtures, docs/rules.md from the rules' docstrings, declarations and examples,
docs/systems.md from the reference designs' summaries.

`python -m superpod_iac.docs_build.docsgen` writes; `--check` exits 1 when a file is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from superpod_iac.docs_build.figures import readme_text, spec_folders, systems_markdown
from superpod_iac.fsio import atomic_write
from superpod_iac.rules.docs import rules_markdown
from superpod_iac.rules.fixtures import examples_module

GENERATED: dict[str, Callable[[], str]] = {
    "superpod_iac/rules/examples.py": examples_module,  # before docs/rules.md, which shows it
    "docs/rules.md": rules_markdown,
    "docs/systems.md": systems_markdown,
}
# each reference design's README: its published-figures table (tool and difference columns)
GENERATED.update({f"specs/{p.name}/README.md": partial(readme_text, p) for p in spec_folders()})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for rel, make in GENERATED.items():
        path = Path(rel)
        text = make()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
        else:
            atomic_write(path, text)
            print(f"wrote {rel}")
    if stale:
        print(f"stale generated docs: {', '.join(stale)}\n    hint: run `make docs` and commit",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
