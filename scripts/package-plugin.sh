#!/usr/bin/env bash
# Builds the installable WHM plugin, target/whm-transfer-console-plugin.tar.gz, from the release build in dist/
# (`make build`). `make plugin` runs both. The archive holds one folder, whm-transfer-console-plugin/:
#
#   install.sh / uninstall.sh   install or upgrade / remove (as root on the WHM server; README "Installing in WHM")
#   transfer_console.conf       the AppConfig registration (www/plugin/transfer_console.conf)
#   transfer_console.png        the 48x48 menu icon (www/plugin/make_icon.py draws it)
#   VERSION                     the app version
#   transfer_console/           → /usr/local/cpanel/whostmgr/docroot/cgi/transfer_console/
#     index.cgi                 the entry page: HTTP headers (CSP, Referrer-Policy, nosniff) + the HTML
#     boot-<hash>.js, styles-<hash>.css, whm-transfer-console-<hash>.js, whm-transfer-console_bg-<hash>.wasm
#
# cpsrvd lets browsers cache JS, CSS and application/* for 60 days (docs/whm-api.md §2.6), so every asset
# is renamed after the SHA-256 of its content (first 16 hex digits) and every reference to it is rewritten:
# an upgrade changes the names, so no browser runs a stale file. index.cgi's HTML is not cached.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST=${DIST:-dist}
NAME=transfer_console
PKG=whm-transfer-console-plugin
STAGE=target/plugin
OUT=target/$PKG.tar.gz
# The page's policy, sent as a header by index.cgi (frame-ancestors only works as a header).
CSP="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

die() { echo "package-plugin: $*" >&2; exit 1; }

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
[ -n "$VERSION" ] || die "no version in Cargo.toml"

# What trunk puts in dist/ (Trunk.toml: filehash = false, the names boot.js knows). Anything else is refused
# rather than shipped unhashed.
EXPECTED="boot.js index.html styles.css whm-transfer-console.js whm-transfer-console_bg.wasm"
[ -d "$DIST" ] || die "$DIST/ is missing: run 'make build' first"
for f in $EXPECTED; do
  [ -f "$DIST/$f" ] || die "$DIST/$f is missing: run 'make build' first"
done
extra=$(cd "$DIST" && find . -mindepth 1 | sed 's|^\./||' | sort | grep -vxF -f <(tr ' ' '\n' <<<"$EXPECTED") || true)
[ -z "$extra" ] || die "unexpected files in $DIST/ (teach scripts/package-plugin.sh to hash them): $extra"

rm -rf "$STAGE"
APP=$STAGE/$PKG/$NAME
mkdir -p "$APP"
WORK=$STAGE/work
mkdir -p "$WORK"
cp "$DIST"/* "$WORK/"

# rewrite FILE REGEX REPLACEMENT MIN: replaces every match (Python regex), fails when fewer than MIN matched.
rewrite() {
  python3 - "$@" <<'PY'
import re, sys
path, pattern, repl, least = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(path, encoding="utf-8") as f:
    text = f.read()
text, n = re.subn(pattern, lambda _m: repl, text)
if n < least:
    sys.exit(f"package-plugin: {path}: expected at least {least} reference(s) matching {pattern!r}, found {n}")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
PY
}

# hashed FILE → prints stem-<16 hex of sha256>.ext
hashed() {
  local f=$1 base stem ext h
  base=$(basename "$f")
  stem=${base%.*}
  ext=${base##*.}
  h=$(sha256sum "$f" | cut -c1-16)
  echo "$stem-$h.$ext"
}

# 1. the wasm; its JS glue names it only as a default that boot.js never uses, rewritten anyway.
WASM=$(hashed "$WORK/whm-transfer-console_bg.wasm")
mv "$WORK/whm-transfer-console_bg.wasm" "$WORK/$WASM"
rewrite "$WORK/whm-transfer-console.js" 'whm-transfer-console_bg\.wasm' "$WASM" 0
rewrite "$WORK/boot.js" '\./whm-transfer-console_bg\.wasm(\?v=[^"'"'"']*)?' "./$WASM" 1
# 2. the JS glue (after its own rewrite, so its name covers it)
JS=$(hashed "$WORK/whm-transfer-console.js")
mv "$WORK/whm-transfer-console.js" "$WORK/$JS"
rewrite "$WORK/boot.js" '\./whm-transfer-console\.js(\?v=[^"'"'"']*)?' "./$JS" 1
# 3. the stylesheet
CSS=$(hashed "$WORK/styles.css")
mv "$WORK/styles.css" "$WORK/$CSS"
rewrite "$WORK/index.html" '(?<=href=")(\./)?styles\.css(?=")' "./$CSS" 1
# 4. boot.js, last: it names the others
BOOT=$(hashed "$WORK/boot.js")
mv "$WORK/boot.js" "$WORK/$BOOT"
rewrite "$WORK/index.html" '(?<=src=")(\./)?boot\.js(?=")' "./$BOOT" 1
# trunk's preload hints, if any, name the same files
rewrite "$WORK/index.html" '(?<=href=")(\./)?whm-transfer-console_bg\.wasm(?=")' "./$WASM" 0
rewrite "$WORK/index.html" '(?<=href=")(\./)?whm-transfer-console\.js(?=")' "./$JS" 0

# No unhashed name may survive in what the browser reads first.
for f in "$WORK/index.html" "$WORK/$BOOT"; do
  if grep -Eo '(boot\.js|styles\.css|whm-transfer-console\.js|whm-transfer-console_bg\.wasm)' "$f"; then
    die "$f still names an unhashed asset"
  fi
done

# 5. index.cgi: the headers, a blank line, then the page (a quoted here-document: printed byte for byte).
MARK=__TRANSFER_CONSOLE_PAGE_END__
grep -qF "$MARK" "$WORK/index.html" && die "index.html contains the here-document marker"
{
  cat <<EOF
#!/bin/sh
# WHM Transfer Console $VERSION: the plugin's entry page, run by cpsrvd as a CGI
# (https://HOST:2087/cpsessNNNNNNNNNN/cgi/transfer_console/index.cgi). Generated by scripts/package-plugin.sh.
# It only prints: the page finds WHM's security token in its own URL, and every asset name carries a hash of
# its content, so browsers may cache them while an upgrade is never served stale.
printf '%s\r\n' \\
  'Content-Type: text/html; charset=utf-8' \\
  "Content-Security-Policy: $CSP" \\
  'Referrer-Policy: same-origin' \\
  'X-Content-Type-Options: nosniff' \\
  'Cache-Control: no-cache' \\
  ''
cat <<'$MARK'
EOF
  cat "$WORK/index.html"
  echo "$MARK"
} >"$APP/index.cgi"
chmod 0755 "$APP/index.cgi"
sh -n "$APP/index.cgi" || die "index.cgi is not valid sh"

for f in "$WASM" "$JS" "$CSS" "$BOOT"; do
  install -m 0644 "$WORK/$f" "$APP/$f"
done
rm -rf "$WORK"

install -m 0755 www/plugin/install.sh www/plugin/uninstall.sh "$STAGE/$PKG/"
install -m 0644 www/plugin/$NAME.conf www/plugin/$NAME.png "$STAGE/$PKG/"
echo "$VERSION" >"$STAGE/$PKG/VERSION"
chmod 0644 "$STAGE/$PKG/VERSION"

# Reproducible archive: fixed owner, order and times (the commit's time when there is one).
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" -cf - "$PKG" | gzip -9n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "package-plugin: $OUT (WHM Transfer Console $VERSION)"
(cd "$STAGE/$PKG" && find . -type f | sort | sed 's|^\./|  |')
