# superpod-iac: `make demo` and `make test` do all set-up on a fresh Debian machine
# (virtual environment, Python dependencies, and Graphviz `dot` through apt when missing).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# apt waits up to 10 minutes for a dpkg lock held by another apt (unattended-upgrades on a
# fresh machine) instead of failing with exit 100
APT    := $(SUDO) apt-get -o DPkg::Lock::Timeout=600
SPECS  ?= specs
BUILD  ?= build
# pytest-xdist workers for `make test`: 2 (the machine class is 2 cores; the live NetBox and
# the browser tests stay on one worker each: tests/conftest.py SERIAL_GROUPS)
TEST_WORKERS ?= 2

.PHONY: demo test test-fast setup dot chromium neovim netlab lint typecheck docs schemas bench clean netbox-up netbox-down

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  echo "installing python3-venv through apt"; \
	  $(APT) update -qq && $(APT) install -y -qq python3-venv python3-pip; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,netbox]'
	@touch $(STAMP)

dot:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "Graphviz 'dot' is missing: installing the graphviz package through apt"; \
	  $(APT) update -qq && $(APT) install -y -qq graphviz; }
	@dot -V

# The HTML report's browser tests drive Debian's Chromium through Playwright (never
# `playwright install`: the system browser is used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium is missing: installing it through apt (for the HTML report browser tests)"; \
	  $(APT) update -qq && $(APT) install -y -qq chromium; }

# docs/editor.md's Neovim set-up is tested with Debian's Neovim, headless, against `superpod lsp`
# (tests/lsp/test_editor_nvim.py; the built-in LSP client, no plugin).
neovim:
	@command -v nvim >/dev/null 2>&1 || { \
	  echo "nvim is missing: installing neovim through apt (for the editor test)"; \
	  $(APT) update -qq && $(APT) install -y -qq neovim; }

# `superpod verify`'s tests run the real tools: lldpd in network namespaces
# (tests/verify/test_verify_lldp.py, as root) and ibsim + ibnetdiscover (tests/verify/test_verify_ib.py).
NETLAB_TOOLS := lldpd:lldpd ibsim:ibsim-utils ibnetdiscover:infiniband-diags
netlab:
	@missing=""; for pair in $(NETLAB_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || [ -x /usr/sbin/$${pair%%:*} ] || \
	    missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing through apt (for the superpod verify tests)"; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; fi

demo: setup dot
	$(BIN)/superpod validate $(SPECS)/
	@for spec in $(SPECS)/*/; do \
	  name=$$(basename $$spec); mkdir -p $(BUILD)/$$name; \
	  $(BIN)/superpod bom $$spec --format md --out $(BUILD)/$$name/bom.md || exit 1; \
	  $(BIN)/superpod summary $$spec --format md --out $(BUILD)/$$name/summary.md || exit 1; \
	done
	@echo "BOMs and summaries in $(BUILD)/<spec>/"
	@for spec in $(SPECS)/*/; do \
	  name=$$(basename $$spec); \
	  $(BIN)/superpod render $$spec --view all --format svg --out $(BUILD)/$$name/diagrams \
	    || exit 1; \
	done
	@echo "diagrams (every view and level) in $(BUILD)/<spec>/diagrams/"

# The generated docs are checked by tests/test_specs.py (test_generated_docs_are_current: the
# same comparison `docsgen --check` made here before, which loaded every spec twice per run);
# --no-loadscope-reorder keeps tests/conftest.py's FIRST order: the live NetBox file starts
# first instead of 19th (xdist's default orders files by their number of tests).
test: setup dot chromium neovim netlab
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/superpod schema --check
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The contributor's loop (~2 minutes): lint, types, the import contract and every test not
# marked slow, without the live NetBox (`make test` runs everything).
test-fast: setup dot chromium neovim
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not slow" \
	  --ignore=tests/netbox/test_netbox_live.py

lint: setup
	$(BIN)/ruff check .

# mypy over superpod_iac/ (settings in pyproject.toml's [tool.mypy]); also run by `make test`
typecheck: setup
	$(BIN)/mypy

# docs/diagrams/<spec>/*.png and the gallery in docs/diagrams.md: every view of two specs
docs: setup dot
	$(BIN)/python -m superpod_iac.docs_build.docsgen
	$(BIN)/python -m superpod_iac.docs_build.gallery

schemas: setup
	$(BIN)/superpod schema --out schemas

# issue #17's targets as CPU ratios, one table (docs/performance.md); not part of `make test`.
# BENCH="--full" adds every command at cluster scale and the 10,000-replica run.
bench: setup
	$(BIN)/python benchmarks/bench.py $(BENCH)

# A loopback NetBox for `superpod netbox push|diff|pull` (the tests start their own through
# the same script; docs/netbox.md): the first start installs and migrates (~10 min), later ones
# take seconds.
netbox-up:
	scripts/netbox-dev start

netbox-down:
	scripts/netbox-dev stop

clean:
	rm -rf $(BUILD) .pytest_cache .ruff_cache .mypy_cache
