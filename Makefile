# The two commands a newcomer needs:
#   make        the main job: the post's analysis of the bundled workspace
#   make test   every check CI runs
SHELL := /bin/bash
BIN := target/debug/incident-channels

.PHONY: main test lint build bench sample

main: build
	$(BIN) report data/sample

build:
	cargo build

test: lint
	cargo test

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

# Regenerate the bundled sample (the tests check it matches the generator).
sample: build
	rm -rf data/sample && $(BIN) generate --out data/sample

# Load and analysis speed on ~1M messages, with ratios against the pandas way.
bench:
	cargo bench --bench load
