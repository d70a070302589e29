#!/usr/bin/env bash
# Runs the Playwright specs against whm-sim (Playwright starts and stops one simulator per scenario),
# then makes sure no simulator was left running.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
[ -f dist/index.html ] || { echo "e2e: dist/ is missing: run 'make build'" >&2; exit 1; }
[ -x target/release/whm-sim ] || { echo "e2e: target/release/whm-sim is missing: run 'make sim'" >&2; exit 1; }
[ -f target/extension-test/manifest.json ] || { echo "e2e: target/extension-test/ is missing: run 'make extension'" >&2; exit 1; }
mkdir -p target/e2e target/screenshots
rm -f target/e2e/access-*.log
# Only the simulators of this run: they listen on the e2e ports (tests/e2e/scenarios.js, and 28112 of
# extension.spec.js, which starts its own).
ours='target/release/whm-sim .*--port (2810[1-6]|28112)( |$)'
if pgrep -f "$ours" >/dev/null; then
  echo "e2e: simulators on the e2e ports are already running (another run?):" >&2
  pgrep -af "$ours" >&2
  exit 1
fi
status=0
playwright test "$@" || status=$?
# Playwright stops its web servers on exit; give them up to 5 s, then call a leftover a failure.
for _ in $(seq 50); do
  pgrep -f "$ours" >/dev/null || break
  sleep 0.1
done
if pgrep -f "$ours" >/dev/null; then
  echo "e2e: a whm-sim process was left running:" >&2
  pgrep -af "$ours" >&2
  pkill -f "$ours" || true
  status=1
fi
exit $status
