#!/usr/bin/env bash
# Tests the plugin archive (make plugin) and its install.sh / uninstall.sh against a stand-in cPanel root
# (scripts/plugin-test-root.sh): the archive's contents, refusals (not root, not a cPanel server, relative
# PREFIX, register_appconfig failing), install, the entry page's headers and references, upgrade (old hashed
# assets gone, exactly one set left), and uninstall (the root exactly as before, compared by a full listing).
# The root check is exercised with a fake `id` on PATH (FAKE_UID), so this runs the same as root or not.
set -euo pipefail
cd "$(dirname "$0")/.."
TARBALL=target/whm-transfer-console-plugin.tar.gz
[ -f "$TARBALL" ] || { echo "test-plugin: $TARBALL is missing: run 'make plugin'" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*" >&2; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

mkdir "$T/pkg"
tar -xzf "$TARBALL" -C "$T/pkg"
PKG=$T/pkg/whm-transfer-console-plugin
bash scripts/plugin-test-root.sh "$T/fake"
ROOT=$T/fake/root
CALLS=$T/fake/calls.log
export PATH="$T/fake/bin:$PATH"
DEST=$ROOT/usr/local/cpanel/whostmgr/docroot/cgi/transfer_console
ICON=$ROOT/usr/local/cpanel/whostmgr/docroot/addon_plugins/transfer_console.png
HEX='[0-9a-f]{16}'

# Every path with its type and mode, every file's size and SHA-256 (directory sizes vary by file system).
snapshot() {
  (
    cd "$1"
    find . -type d -printf 'd %m %p\n'
    find . ! -type d -printf '%y %m %s %p\n'
    find . -type f -print0 | xargs -0 sha256sum
  ) | LC_ALL=C sort
}
install_() { PREFIX=$ROOT sh "$PKG/install.sh" "$@"; }
uninstall_() { PREFIX=$ROOT sh "$PKG/uninstall.sh" "$@"; }
# expect_refusal DESCRIPTION PATTERN COMMAND...: non-zero exit, PATTERN in stderr, the root unchanged
expect_refusal() {
  local what=$1 pattern=$2 before status=0
  shift 2
  before=$(snapshot "$ROOT")
  "$@" >"$T/out" 2>"$T/err" || status=$?
  if [ "$status" -ne 0 ] && grep -qE "$pattern" "$T/err" && [ "$(snapshot "$ROOT")" = "$before" ]; then
    ok "$what (exit $status: $(head -n1 "$T/err"))"
  else
    bad "$what: exit $status, stderr: $(cat "$T/err"), root changed: $([ "$(snapshot "$ROOT")" = "$before" ] && echo no || echo yes)"
  fi
}

echo "test-plugin: the archive"
files=$(cd "$PKG" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
check "it holds the scripts, the AppConfig file, the icon, VERSION, index.cgi and four hashed assets ($files)" \
  grep -qE "^VERSION install.sh transfer_console.conf transfer_console.png transfer_console/boot-$HEX.js transfer_console/index.cgi transfer_console/styles-$HEX.css transfer_console/whm-transfer-console-$HEX.js transfer_console/whm-transfer-console_bg-$HEX.wasm uninstall.sh $" <<<"$files"
check "install.sh, uninstall.sh and index.cgi are executable" test -x "$PKG/install.sh" -a -x "$PKG/uninstall.sh" -a -x "$PKG/transfer_console/index.cgi"
check "every asset is named after the SHA-256 of its content" bash -c '
  cd "$1/transfer_console"
  for f in boot-*.js styles-*.css whm-transfer-console-*.js whm-transfer-console_bg-*.wasm; do
    h=${f##*-}; h=${h%%.*}
    [ "$(sha256sum "$f" | cut -c1-16)" = "$h" ] || { echo "$f: content hash differs" >&2; exit 1; }
  done' _ "$PKG"
check "the icon is a 48x48 PNG" python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR", "not a PNG"
assert struct.unpack(">II", d[16:24]) == (48, 48), struct.unpack(">II", d[16:24])' "$PKG/transfer_console.png"
check "the packaged icon is the committed one" cmp -s "$PKG/transfer_console.png" www/plugin/transfer_console.png

echo "test-plugin: refusals"
pristine=$(snapshot "$ROOT")
expect_refusal "install.sh refuses a non-root user" "run this as root" env FAKE_UID=1000 PREFIX="$ROOT" sh "$PKG/install.sh"
expect_refusal "uninstall.sh refuses a non-root user" "run this as root" env FAKE_UID=1000 PREFIX="$ROOT" sh "$PKG/uninstall.sh"
mkdir "$T/not-cpanel"
for script in install.sh uninstall.sh; do
  status=0
  PREFIX=$T/not-cpanel sh "$PKG/$script" >"$T/out" 2>"$T/err" || status=$?
  if [ "$status" -ne 0 ] && grep -q "/usr/local/cpanel is missing: this is not a cPanel & WHM server" "$T/err" && [ -z "$(ls -A "$T/not-cpanel")" ]; then
    ok "$script refuses a server without /usr/local/cpanel and creates nothing ($(cat "$T/err"))"
  else
    bad "$script without /usr/local/cpanel: exit $status, stderr: $(cat "$T/err"), created: $(ls -A "$T/not-cpanel")"
  fi
done
expect_refusal "install.sh refuses a relative PREFIX" "PREFIX must be an absolute path" env PREFIX=relative/root sh "$PKG/install.sh"
check "no refusal called register_appconfig" test ! -s "$CALLS"

echo "test-plugin: install"
if install_ >"$T/out" 2>"$T/err"; then ok "install.sh succeeds ($(tail -n2 "$T/out" | head -n1))"; else bad "install.sh failed: $(cat "$T/err")"; fi
check "register_appconfig was called once, with the packaged AppConfig file" test "$(cat "$CALLS")" = "register $PKG/transfer_console.conf"
check "AppConfig keeps its copy in var/cpanel/apps" cmp -s "$ROOT/var/cpanel/apps/transfer_console.conf" "$PKG/transfer_console.conf"
check "the installed folder is the packaged one, file for file" diff -r "$PKG/transfer_console" "$DEST"
check "index.cgi is 0755, the assets 0644, the folder 0755" test "$(cd "$DEST" && stat -c '%a %n' . index.cgi boot-* styles-* whm-* | tr '\n' ' ')" = "755 . 755 index.cgi 644 $(cd "$DEST" && ls boot-*) 644 $(cd "$DEST" && ls styles-*) 644 $(cd "$DEST" && ls whm-transfer-console-*.js) 644 $(cd "$DEST" && ls whm-transfer-console_bg-*) "
check "the icon is in addon_plugins, 0644" test "$(stat -c %a "$ICON")" = 644 -a "$(sha256sum <"$ICON")" = "$(sha256sum <"$PKG/transfer_console.png")"

echo "test-plugin: the entry page (index.cgi run as cpsrvd runs a CGI)"
(cd "$DEST" && env -i PATH=/usr/bin:/bin REQUEST_METHOD=GET cp_security_token=/cpsess0123456789 ./index.cgi) >"$T/page"
CSP="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
headers=$(sed '/^\r$/q' "$T/page")
expected_headers=$(printf '%s\r\n' "Content-Type: text/html; charset=utf-8" "Content-Security-Policy: $CSP" "Referrer-Policy: same-origin" "X-Content-Type-Options: nosniff" "Cache-Control: no-cache" "")
check "the headers: HTML type, the strict CSP, Referrer-Policy same-origin, nosniff, no-cache" test "$headers" = "$expected_headers"
sed '1,/^\r$/d' "$T/page" >"$T/body"
check "the body is the HTML page" grep -q '^<!doctype html>' "$T/body"
check "the page loads the hashed boot script and stylesheet" grep -qE "<script src=\"\./boot-$HEX\.js\" defer></script>" "$T/body"
check "the page keeps its referrer policy same-origin" grep -q '<meta name="referrer" content="same-origin" />' "$T/body"
check "every file the page and boot script name exists in the installed folder" bash -c '
  cd "$1"
  refs=$( (grep -oE "(src|href)=\"\./[^\"]+\"" "$2" | sed -E "s/.*\"\.\/([^\"]+)\"/\1/"; grep -ohE "\"\./[^\"]+\"" boot-*.js | tr -d "\"" | sed "s|^\./||") | sort -u)
  [ "$(echo "$refs" | wc -l)" -eq 4 ] || { echo "expected 4 references, got: $refs" >&2; exit 1; }
  for r in $refs; do [ -f "$r" ] || { echo "missing: $r" >&2; exit 1; }; done' _ "$DEST" "$T/body"
check "no unhashed asset name is left in the page or the boot script" bash -c '! grep -qE "boot\.js|styles\.css|whm-transfer-console(_bg)?\.(js|wasm)" "$1" "$2"/boot-*.js' _ "$T/body" "$DEST"

echo "test-plugin: upgrade (install again over an older version)"
installed=$(snapshot "$ROOT")
# What an older version left: assets under other hashes, and a file it had that this one does not.
for f in boot-00000000deadbeef.js styles-00000000deadbeef.css whm-transfer-console-00000000deadbeef.js whm-transfer-console_bg-00000000deadbeef.wasm old-notes.txt; do
  echo old >"$DEST/$f"
done
: >"$CALLS"
if install_ >"$T/out" 2>"$T/err"; then ok "install.sh again succeeds"; else bad "install.sh again failed: $(cat "$T/err")"; fi
check "the old version's files are gone: exactly one set of assets" test "$(ls "$DEST" | wc -l)" -eq 5
check "the root is exactly as after the first install" test "$(snapshot "$ROOT")" = "$installed"
check "register_appconfig ran again (an upgrade re-registers)" test "$(cat "$CALLS")" = "register $PKG/transfer_console.conf"
: >"$CALLS"
# (the files it copies are the ones already there, so "root unchanged" holds here too)
expect_refusal "a failing register_appconfig makes install.sh fail with a message" "register_appconfig refused" env REGISTER_FAIL=1 PREFIX="$ROOT" sh "$PKG/install.sh"
check "the failed install left no staging folder behind" test -z "$(find "$ROOT" -name '.transfer_console*')"

echo "test-plugin: uninstall"
: >"$CALLS"
if uninstall_ >"$T/out" 2>"$T/err"; then ok "uninstall.sh succeeds ($(tail -n1 "$T/out"))"; else bad "uninstall.sh failed: $(cat "$T/err")"; fi
check "unregister_appconfig was called once, with the name" test "$(cat "$CALLS")" = "unregister transfer_console"
after=$(snapshot "$ROOT")
if [ "$after" = "$pristine" ]; then
  ok "the root is exactly as before the install (other plugin untouched)"
else
  bad "the root differs from before the install:"
  diff <(echo "$pristine") <(echo "$after") >&2 || true
fi
: >"$CALLS"
if uninstall_ >"$T/out" 2>"$T/err"; then ok "uninstall.sh again succeeds: $(head -n1 "$T/out")"; else bad "uninstall.sh again failed: $(cat "$T/err")"; fi
check "uninstalling what is not installed calls no unregister_appconfig" test ! -s "$CALLS"
check "and still leaves the root as it was" test "$(snapshot "$ROOT")" = "$pristine"

if [ "$failures" -ne 0 ]; then
  echo "test-plugin: $failures check(s) failed" >&2
  exit 1
fi
echo "test-plugin: all checks passed"
