#!/usr/bin/env bash
# Test fixture (scripts/test-plugin-install.sh, tests/e2e/plugin.spec.js): makes DIR/root look like the parts of
# a cPanel & WHM server the plugin's install.sh and uninstall.sh touch, for PREFIX=DIR/root:
#
#   DIR/root/usr/local/cpanel/bin/register_appconfig    stand-in: checks the AppConfig file has exactly the keys
#                                                       and values the plugin needs, that the entry page and icon
#                                                       are in place, stores it in var/cpanel/apps/ as the real
#                                                       one does, and records the call in DIR/calls.log
#   DIR/root/usr/local/cpanel/bin/unregister_appconfig  stand-in: takes the name, drops the stored copy, records
#   DIR/root/usr/local/cpanel/whostmgr/docroot/{cgi,addon_plugins}/, DIR/root/var/cpanel/apps/
#                                                       with another plugin's files, which must survive
#   DIR/bin/id                                          a fake `id`: `id -u` prints $FAKE_UID (default 0), so
#                                                       the scripts' root check is tested without being root
#
# Usage: plugin-test-root.sh DIR   (DIR must not exist yet or be empty)
set -euo pipefail
DIR=${1:?usage: plugin-test-root.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ROOT=$DIR/root
CALLS=$DIR/calls.log
[ -z "$(ls -A "$DIR")" ] || { echo "plugin-test-root: $DIR is not empty" >&2; exit 1; }

mkdir -p "$ROOT/usr/local/cpanel/bin" "$ROOT/usr/local/cpanel/whostmgr/docroot/cgi/other_plugin" \
  "$ROOT/usr/local/cpanel/whostmgr/docroot/addon_plugins" "$ROOT/var/cpanel/apps" "$DIR/bin"
: >"$CALLS"

# Someone else's plugin: install and uninstall must leave it alone.
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nother\\n"\n' >"$ROOT/usr/local/cpanel/whostmgr/docroot/cgi/other_plugin/index.cgi"
chmod 0755 "$ROOT/usr/local/cpanel/whostmgr/docroot/cgi/other_plugin/index.cgi"
printf 'not really a png\n' >"$ROOT/usr/local/cpanel/whostmgr/docroot/addon_plugins/other_plugin.png"
printf 'name=other_plugin\nservice=whostmgr\nurl=/cgi/other_plugin/\nacls=all\n' >"$ROOT/var/cpanel/apps/other_plugin.conf"
chmod 0600 "$ROOT/var/cpanel/apps/other_plugin.conf"

cat >"$DIR/bin/id" <<'EOF'
#!/bin/sh
# Fake id for the plugin tests: only `id -u` is supported.
[ "${1:-}" = "-u" ] || { echo "fake id: only -u is supported" >&2; exit 2; }
echo "${FAKE_UID:-0}"
EOF
chmod 0755 "$DIR/bin/id"

cat >"$ROOT/usr/local/cpanel/bin/register_appconfig" <<EOF
#!/bin/sh
# Stand-in for cPanel's register_appconfig (plugin tests only; made by scripts/plugin-test-root.sh).
set -eu
ROOT='$ROOT'
CALLS='$CALLS'
EOF
cat >>"$ROOT/usr/local/cpanel/bin/register_appconfig" <<'EOF'
fail() {
  echo "register_appconfig (stand-in): $*" >&2
  echo "register-refused $*" >>"$CALLS"
  exit 1
}
[ "$(id -u)" = 0 ] || fail "not root"
[ $# -eq 1 ] || fail "expected one argument (the AppConfig file), got $#"
conf=$1
[ -f "$conf" ] || fail "no such file: $conf"
[ -z "${REGISTER_FAIL:-}" ] || fail "REGISTER_FAIL is set"
# Exactly these key=value lines (in any order; comments and blank lines allowed), each once.
want=$(sort <<'KEYS'
name=transfer_console
service=whostmgr
url=/cgi/transfer_console/
user=root
acls=all
displayname=Transfer Console
entryurl=transfer_console/index.cgi
icon=transfer_console.png
target=_self
KEYS
)
got=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$conf" | sort)
[ "$got" = "$want" ] || fail "the AppConfig lines differ from the expected ones: $(printf '%s\n' "$got" | tr '\n' ' ')"
docroot=$ROOT/usr/local/cpanel/whostmgr/docroot
[ -x "$docroot/cgi/transfer_console/index.cgi" ] || fail "entryurl transfer_console/index.cgi is not an executable under cgi/"
[ -f "$docroot/addon_plugins/transfer_console.png" ] || fail "icon transfer_console.png is not in addon_plugins/"
cp "$conf" "$ROOT/var/cpanel/apps/transfer_console.conf"
chmod 0600 "$ROOT/var/cpanel/apps/transfer_console.conf"
echo "register $conf" >>"$CALLS"
echo "transfer_console registered (stand-in)"
EOF

cat >"$ROOT/usr/local/cpanel/bin/unregister_appconfig" <<EOF
#!/bin/sh
# Stand-in for cPanel's unregister_appconfig (plugin tests only; made by scripts/plugin-test-root.sh).
set -eu
ROOT='$ROOT'
CALLS='$CALLS'
EOF
cat >>"$ROOT/usr/local/cpanel/bin/unregister_appconfig" <<'EOF'
fail() {
  echo "unregister_appconfig (stand-in): $*" >&2
  echo "unregister-refused $*" >>"$CALLS"
  exit 1
}
[ "$(id -u)" = 0 ] || fail "not root"
[ $# -eq 1 ] || fail "expected one argument (the app name), got $#"
[ -f "$ROOT/var/cpanel/apps/$1.conf" ] || fail "$1 is not registered"
rm -f "$ROOT/var/cpanel/apps/$1.conf"
echo "unregister $1" >>"$CALLS"
echo "$1 unregistered (stand-in)"
EOF
chmod 0755 "$ROOT/usr/local/cpanel/bin/register_appconfig" "$ROOT/usr/local/cpanel/bin/unregister_appconfig"
