#!/bin/sh
# Removes the WHM Transfer Console plugin. As root, on the cPanel & WHM server (any version of this script
# removes any installed version):
#
#   sh uninstall.sh
#
# It unregisters the AppConfig entry (/usr/local/cpanel/bin/unregister_appconfig transfer_console, which drops
# /var/cpanel/apps/transfer_console.conf and restarts cpsrvd), then deletes
# /usr/local/cpanel/whostmgr/docroot/cgi/transfer_console/ and .../addon_plugins/transfer_console.png.
# The console keeps nothing on the server; session ids remembered by a browser stay in that browser.
#
# PREFIX (empty on a real server) puts everything under another root directory; the tests use it.
set -eu

NAME=transfer_console
PREFIX=${PREFIX:-}
CPANEL=$PREFIX/usr/local/cpanel
DOCROOT=$CPANEL/whostmgr/docroot
DEST=$DOCROOT/cgi/$NAME
ICONS=$DOCROOT/addon_plugins
REGISTERED=$PREFIX/var/cpanel/apps/$NAME.conf

die() {
  printf 'uninstall.sh: %s\n' "$*" >&2
  exit 1
}

case $PREFIX in
  "" | /*) ;;
  *) die "PREFIX must be an absolute path (it is '$PREFIX')." ;;
esac
[ "$(id -u)" = 0 ] || die "run this as root: WHM plugins are removed by root (e.g. 'sudo sh uninstall.sh'). Nothing was changed."
[ -d "$CPANEL" ] || die "$CPANEL is missing: this is not a cPanel & WHM server. Nothing was changed."

if [ -e "$REGISTERED" ]; then
  [ -x "$CPANEL/bin/unregister_appconfig" ] ||
    die "$CPANEL/bin/unregister_appconfig is missing, so $NAME cannot be unregistered. Nothing was changed."
  "$CPANEL/bin/unregister_appconfig" "$NAME" ||
    die "unregister_appconfig $NAME failed (its message is above). Nothing was removed."
else
  echo "$NAME was not registered with AppConfig ($REGISTERED is absent)."
fi

rm -rf "$DEST" "$DOCROOT/cgi/.$NAME.new."* "$DOCROOT/cgi/.$NAME.old."*
rm -f "$ICONS/$NAME.png" "$ICONS/.$NAME.png.new."*
echo "Removed WHM Transfer Console ($DEST and $ICONS/$NAME.png)."
