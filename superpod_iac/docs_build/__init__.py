"""Docs-time code: what `make docs` runs to write the generated documentation, never imported by
the CLI, the editor or any stage (its own top layer in the import contract, docs/architecture.md).

- `python -m superpod_iac.docs_build.docsgen [--check]`: docs/rules.md, docs/systems.md,
  `superpod_iac/rules/examples.py` and the published-figure tables of the specs' READMEs;
- `python -m superpod_iac.docs_build.gallery [--check]`: the diagram gallery of
  docs/diagrams.md and its PNGs;
- `superpod_iac.docs_build.figures`: the published-figure tables and docs/systems.md.
"""
