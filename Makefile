# WHM Transfer Console — the two commands a newcomer needs:
#   make demo   build the app and run it against the WHM simulator (prints one URL to open)
#   make test   every test tier: lint, native tests, browser tests (headless Chromium), end-to-end
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
PORT ?= 2087
SCENARIO ?= demo

.PHONY: bootstrap build sim plugin extension demo test lint test-native test-browser test-e2e test-plugin bench bench-browser size fuzz clean

bootstrap:
	@bash scripts/bootstrap.sh

build:
	@bash scripts/bootstrap.sh --no-browser
	trunk build --release --offline

sim:
	cargo build --release -p whm-sim

# The installable WHM plugin (README "Installing in WHM"): dist/ with content-hashed asset names, index.cgi,
# the AppConfig file, the icon, install.sh / uninstall.sh.
plugin: build
	bash scripts/package-plugin.sh

# The Chromium extension: target/extension/ (load unpacked), target/whm-transfer-console-extension.zip,
# and target/extension-test/ (the e2e test's build, pre-granting http://127.0.0.1/* only).
extension: build
	bash scripts/build-extension.sh

demo: build sim
	@echo "Starting the WHM simulator ($(SCENARIO) scenario). Stop it with Ctrl-C."
	target/release/whm-sim --dist dist --scenario $(SCENARIO) --port $(PORT)

test: bootstrap lint test-native test-browser test-e2e test-plugin
	@echo "make test: all tiers passed"

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p whm-transfer-console --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test --workspace

test-browser:
	cargo test -p whm-transfer-console --target wasm32-unknown-unknown --test browser --test components

# tests/e2e/plugin.spec.js installs the plugin archive into a temporary root and serves it with whm-sim;
# tests/e2e/extension.spec.js loads target/extension-test/ into Chromium.
test-e2e: build sim plugin extension
	bash scripts/e2e.sh

# install.sh / uninstall.sh against a stand-in cPanel root: refusals, install, upgrade, uninstall.
test-plugin: plugin
	bash scripts/test-plugin-install.sh

bench:
	cargo bench -p whm-transfer-console --bench checks -- --warm-up-time 1 --measurement-time 3

# The release build with the measurement hooks (feature bench-hooks) goes to target/bench-dist, never dist/.
bench-browser: sim
	@bash scripts/bootstrap.sh
	trunk build --release --offline --features bench-hooks --dist target/bench-dist
	node scripts/browser-bench.js

# Shipped size of the release build (dist/): wasm / js / css, raw and gzip, then what the wasm holds.
# twiggy is installed here only (not by make test).
size: build
	@command -v twiggy >/dev/null || cargo install twiggy --locked
	@bash scripts/size.sh

# proptest fuzz targets (cargo-fuzz needs nightly) with a fixed larger budget; `make test` runs the same
# targets with their short default. Failing inputs are saved under proptest-regressions/ (commit them).
FUZZ_CASES ?= 2000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) cargo test -p whm-transfer-console --test fuzz_decoders --test fuzz_logs --test fuzz_username --test no_panic

clean:
	cargo clean
	rm -rf dist test-results playwright-report
