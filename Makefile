# The two commands a newcomer needs:
#   make        the main job: set up Jupyter with the Rust kernel, execute the notebooks
#               on the bundled workspace, publish them as posts into out/site
#   make test   every check CI runs
SHELL := /bin/bash
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
PY := .venv/bin/python

# The CLI and the tests build in the notebooks' kernel build folder, with its settings
# (scripts/shared-build.toml): polars is compiled once for all three.
BUILD_ROOT := $(or $(INCIDENT_CHANNELS_BUILD_ROOT),/var/tmp/incident-channels)
HOST := $(shell rustc -vV | sed -n 's/^host: //p')
# (mold, where installed, links as it does for evcxr: it changes no flag.)
# The first kernel's build folder (scripts/kernel.sh): where evcxr builds the notebooks.
KERNEL_TARGET := $(BUILD_ROOT)/evcxr/kernel/target
SHARED_CARGO := CARGO_TARGET_DIR=$(KERNEL_TARGET) $(if $(shell command -v mold),mold -run) cargo --config scripts/shared-build.toml
SHARED_ARGS := --target $(HOST)
BIN := $(KERNEL_TARGET)/$(HOST)/debug/incident-channels
export INCIDENT_CHANNELS_BIN := $(BIN)

.PHONY: main test lint build setup setup-test notebooks publish report lab bench bench-phases bench-venv sample

# One after the other: evcxr's install and polars' build each keep both cores busy, and
# side by side (measured with scripts/fresh_setup.sh) they took 2 minutes longer.
main: setup build notebooks publish
	$(BIN) report data/sample

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

# Also links the CLI as target/incident-channels, for the README's commands.
build:
	$(SHARED_CARGO) build $(SHARED_ARGS)
	mkdir -p target && ln -sfn $(BIN) target/incident-channels

# Executes every notebook in place (the committed notebooks carry their outputs).
notebooks: setup
	$(PY) scripts/run_notebooks.py

publish: build
	for nb in notebooks/*.ipynb; do $(BIN) publish "$$nb" --out out/site || exit 1; done

test: setup-test lint
	$(SHARED_CARGO) test $(SHARED_ARGS)
	$(PY) -m pytest -q tests/notebooks

lint:
	cargo fmt --check
	rustfmt --check --edition 2021 notebooks/dylib/src/lib.rs
	cargo clippy --all-targets -- -D warnings

# Your own workspace, from an export to a site: the four notebooks executed on EXPORT (a
# folder or .zip) into out/report/<name>/notebooks, the committed ones untouched, and
# published into out/report/<name>/site, dated today in TZ.
#   make report EXPORT=~/acme.zip CONVENTION='^inc-(?P<topic>.+)-(?P<date>\d{4})$$' TZ=Europe/Berlin
# CONVENTION: a prefix (default issue-) or a regex starting with ^; TZ: an IANA zone
# (default UTC; a TZ in the environment is not taken, as it need not be one); AS_OF: "now"
# (default: the newest message); REPORT_DIR: where it goes.
report: setup build
	@[ -n "$(EXPORT)" ] || { echo "make report: give EXPORT=<the folder or .zip of a Slack export>" >&2; exit 2; }
	rm -rf "$(REPORT_DIR)/notebooks"
	$(PY) scripts/run_notebooks.py --out "$(REPORT_DIR)/notebooks" \
	  -p export "$(abspath $(EXPORT))" -p convention '$(call shell_quoted,$(value CONVENTION))' \
	  -p tz '$(call shell_quoted,$(report_zone))' -p as_of '$(call shell_quoted,$(value AS_OF))' \
	  -p sync_to "$(abspath $(REPORT_DIR))/sync"
	for nb in "$(REPORT_DIR)"/notebooks/*.ipynb; do \
	  $(BIN) publish "$$nb" --out "$(REPORT_DIR)/site" --date "$$(TZ='$(call shell_quoted,$(report_zone))' date +%F)" || exit 1; done
	@echo "make report: notebooks in $(REPORT_DIR)/notebooks, the site in $(REPORT_DIR)/site"

CONVENTION ?= issue-
REPORT_DIR ?= out/report/$(basename $(notdir $(abspath $(EXPORT))))
report_zone = $(if $(filter command line,$(origin TZ)),$(value TZ),UTC)
# A value for inside '…' in a recipe: each ' closed, escaped and reopened.
shell_quoted = $(subst ','\'',$(1))

# JupyterLab on the notebooks, with their kernel ("Rust (incident-channels)").
lab: setup
	.venv/bin/jupyter lab notebooks/

# End to end, whole commands: `incident-channels report --json` (release build) against
# the post's loop, pandas and python polars computing the same figures, which are
# compared before any time is printed. 100k, 1M and 5M messages (BENCH_FULL=1 adds 10M)
# and a 20,000-user variant; medians of 3, peak RSS. Pick sizes with
# `make bench BENCH_ARGS="--sizes 100k,1M"`. Results in target/bench-results.json.
bench: bench-venv
	cargo build --release
	$(PY) benches/e2e.py $(BENCH_ARGS)

# Phase timings inside the Rust side (load, incidents, figures, frames) on ~1M messages.
bench-phases: setup
	cargo bench --bench load

# Just the Python the bench's peers need (make setup also installs Jupyter's kernel).
bench-venv:
	@$(PY) -c "import pandas, polars" 2>/dev/null || { \
	  [ -x $(PY) ] || python3 -m venv .venv; \
	  .venv/bin/pip install -q -r requirements.txt; }

# Regenerate the bundled sample (the tests check it matches the generator).
sample: build
	rm -rf data/sample && $(BIN) generate --out data/sample
