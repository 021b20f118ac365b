# The two commands a newcomer needs:
#   make        the main job: set up Jupyter with the Rust kernel, execute the notebooks
#               on the bundled workspace, publish them as posts into out/site
#   make test   every check CI runs
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
BIN := target/debug/incident-channels
PY := .venv/bin/python

.PHONY: main test lint build setup setup-test notebooks publish lab bench bench-phases bench-venv sample

main: setup build notebooks publish
	$(BIN) report data/sample

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

build:
	cargo build

# Executes every notebook in place (the committed notebooks carry their outputs).
notebooks: setup
	$(PY) scripts/run_notebooks.py

publish: build
	for nb in notebooks/*.ipynb; do $(BIN) publish "$$nb" --out out/site || exit 1; done

test: setup-test lint
	cargo test
	$(PY) -m pytest -q tests/notebooks

lint:
	cargo fmt --check
	rustfmt --check --edition 2021 notebooks/dylib/src/lib.rs
	cargo clippy --all-targets -- -D warnings

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
