# The two commands a newcomer needs:
#   make        the main job: set up Jupyter with the Rust kernel, execute the notebooks
#               on the bundled workspace, publish them as posts into out/site
#   make test   every check CI runs
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
BIN := target/debug/incident-channels
PY := .venv/bin/python

.PHONY: main test lint build setup setup-test notebooks publish lab bench sample

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

# Load and analysis speed on ~1M messages, with ratios against the pandas way.
bench: setup
	cargo bench --bench load

# Regenerate the bundled sample (the tests check it matches the generator).
sample: build
	rm -rf data/sample && $(BIN) generate --out data/sample
