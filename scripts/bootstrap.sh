#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently: a second run with everything present
# takes seconds. A tool of the wrong version is replaced, never silently used.
#   wasm32 target · trunk 0.21.14 · wasm-bindgen-cli = Cargo.lock's wasm-bindgen · npm tools (wasm-opt from
#   binaryen@132, Playwright) from package-lock.json · Debian chromium + chromium-driver.
#   --no-browser  skip Chromium (the demo needs none; the tests do)
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser=1
[ "${1:-}" = "--no-browser" ] && want_browser=0

TRUNK_VERSION=0.21.14
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '\033[1mbootstrap:\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mbootstrap: %s\033[0m\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup first (https://rustup.rs)."

# 1. wasm32 target
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. trunk
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (10–18 minutes on 2 cores; only once)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

# 3. wasm-bindgen-cli: must equal the wasm-bindgen that Cargo.lock resolved (and Cargo.toml pins).
pinned=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' Cargo.toml)
locked=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
[ -n "$pinned" ] || die "Cargo.toml must pin wasm-bindgen as \"=0.2.X\"."
if [ -n "$locked" ] && [ "$locked" != "$pinned" ]; then
  die "Cargo.lock has wasm-bindgen $locked but Cargo.toml pins $pinned: run 'cargo update -p wasm-bindgen'."
fi
grep -q "wasm_bindgen = \"$pinned\"" Trunk.toml || die "Trunk.toml [tools] wasm_bindgen must be \"$pinned\"."
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $pinned" \
   || ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$pinned"; then
  say "installing wasm-bindgen-cli $pinned"
  # no --locked: the registry mirror lacks one of its locked dependencies
  cargo install wasm-bindgen-cli --version "$pinned" --force
fi

# 4. npm tools (wasm-opt, Playwright) exactly as package-lock.json says
command -v npm >/dev/null || die "npm is missing: install Node.js 20 (e.g. apt-get install nodejs npm)."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  say "installing npm tools (npm ci)"
  npm ci --no-audit --no-fund
fi

# 5. Chromium + ChromeDriver from Debian (never a browser download)
if [ "$want_browser" = 0 ]; then
  say "ready for the demo (trunk $TRUNK_VERSION, wasm-bindgen $pinned; Chromium not checked)"
  exit 0
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  else
    die "chromium and chromium-driver are missing; as root run: apt-get install -y chromium chromium-driver"
  fi
fi
browser=$(chromium --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
driver=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
if [ "${browser%%.*}" != "${driver%%.*}" ]; then
  if [ "$(id -u)" = 0 ]; then
    say "chromium $browser and chromedriver $driver differ: upgrading both"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
    browser=$(chromium --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
    driver=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
  fi
  [ "${browser%%.*}" = "${driver%%.*}" ] || die "chromium $browser and chromedriver $driver differ in major version: apt-get install chromium chromium-driver"
fi

say "ready (trunk $TRUNK_VERSION, wasm-bindgen $pinned, wasm-opt $(node_modules/.bin/wasm-opt --version | grep -oE '[0-9]+' | head -1), chromium $browser)"
