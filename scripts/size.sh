#!/usr/bin/env bash
# Prints the release build's shipped size ($DIST/, default dist/, after `trunk build --release --offline`): wasm, js and
# css, raw and gzip -9, and the total; then twiggy's view of what the wasm holds, from the unstripped
# module cargo built (names kept, so the functions are readable).
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${DIST:-dist}
ls "$DIST"/*.wasm >/dev/null 2>&1 || { echo "no wasm in $DIST/: run make build first" >&2; exit 1; }
row() { printf '%-44s %10s %10s\n' "$1" "$2" "$3"; }
row file raw gzip
total_raw=0; total_gz=0
for f in "$DIST"/*.wasm "$DIST"/*.js "$DIST"/*.css; do
  [ -e "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  row "$f" "$raw" "$gz"
done
row "total (wasm + js + css)" "$total_raw" "$total_gz"
printf '\nbudget: 200 KB gzip (stretch 150 KB): %s\n' "$([ "$total_gz" -le 204800 ] && echo met || echo "missed by $(((total_gz - 204800) / 1024)) KiB")"
unstripped=target/wasm32-unknown-unknown/release/whm-transfer-console.wasm
if command -v twiggy >/dev/null && [ -e "$unstripped" ]; then
  printf '\ntwiggy top -n 25 %s (before wasm-bindgen/wasm-opt)\n' "$unstripped"
  twiggy top -n 25 "$unstripped"
  printf '\ntwiggy dominators -d 2 -r 30\n'
  twiggy dominators -d 2 -r 30 "$unstripped"
fi
