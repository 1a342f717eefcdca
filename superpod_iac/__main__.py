"""`python -m superpod_iac` runs the CLI."""

from superpod_iac.cli import main

raise SystemExit(main())
