# WHM Transfer Console — the two commands a newcomer needs:
#   make demo   build the app and run it against the WHM simulator (prints one URL to open)
#   make test   every test tier: lint, native tests, browser tests (headless Chromium), end-to-end
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
PORT ?= 2087
SCENARIO ?= demo

.PHONY: bootstrap build sim extension demo test lint test-native test-browser test-e2e bench bench-browser clean

bootstrap:
	@bash scripts/bootstrap.sh

build:
	@bash scripts/bootstrap.sh --no-browser
	trunk build --release --offline

sim:
	cargo build --release -p whm-sim

# The Chromium extension: target/extension/ (load unpacked), target/whm-transfer-console-extension.zip,
# and target/extension-test/ (the e2e test's build, pre-granting http://127.0.0.1/* only).
extension: build
	bash scripts/build-extension.sh

demo: build sim
	@echo "Starting the WHM simulator ($(SCENARIO) scenario). Stop it with Ctrl-C."
	target/release/whm-sim --dist dist --scenario $(SCENARIO) --port $(PORT)

test: bootstrap lint test-native test-browser test-e2e
	@echo "make test: all tiers passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p whm-transfer-console --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test --workspace

test-browser:
	cargo test -p whm-transfer-console --target wasm32-unknown-unknown --test browser --test components

test-e2e: build sim extension
	bash scripts/e2e.sh

bench:
	cargo bench -p whm-transfer-console --bench checks -- --warm-up-time 1 --measurement-time 3

bench-browser: build sim
	node scripts/browser-bench.js

clean:
	cargo clean
	rm -rf dist test-results playwright-report
