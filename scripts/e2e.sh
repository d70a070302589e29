#!/usr/bin/env bash
# Runs the Playwright specs against whm-sim (Playwright starts and stops one simulator per scenario),
# then makes sure no simulator was left running.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
[ -f dist/index.html ] || { echo "e2e: dist/ is missing: run 'make build'" >&2; exit 1; }
[ -x target/release/whm-sim ] || { echo "e2e: target/release/whm-sim is missing: run 'make sim'" >&2; exit 1; }
mkdir -p target/e2e target/screenshots
rm -f target/e2e/access-*.log
status=0
playwright test "$@" || status=$?
sleep 0.5
if pgrep -f "target/release/whm-sim --dist dist" >/dev/null; then
  echo "e2e: a whm-sim process was left running:" >&2
  pgrep -af "target/release/whm-sim --dist dist" >&2
  pkill -f "target/release/whm-sim --dist dist" || true
  status=1
fi
exit $status
