#!/bin/sh
# Installs or upgrades the WHM Transfer Console plugin. As root, on the cPanel & WHM server, from the unpacked
# whm-transfer-console-plugin folder:
#
#   sh install.sh
#
# It copies transfer_console/ to /usr/local/cpanel/whostmgr/docroot/cgi/transfer_console/ (replacing an earlier
# version entirely, so no stale file stays), the icon to .../whostmgr/docroot/addon_plugins/, and registers
# transfer_console.conf with /usr/local/cpanel/bin/register_appconfig (which restarts cpsrvd). Installing again
# is the upgrade. uninstall.sh removes all of it.
#
# PREFIX (empty on a real server) puts everything under another root directory; the tests use it.
set -eu
umask 022

NAME=transfer_console
PREFIX=${PREFIX:-}
HERE=$(cd "$(dirname "$0")" && pwd)
CPANEL=$PREFIX/usr/local/cpanel
DOCROOT=$CPANEL/whostmgr/docroot
DEST=$DOCROOT/cgi/$NAME
ICONS=$DOCROOT/addon_plugins
VERSION=$(cat "$HERE/VERSION" 2>/dev/null || echo "?")

die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

case $PREFIX in
  "" | /*) ;;
  *) die "PREFIX must be an absolute path (it is '$PREFIX')." ;;
esac
[ "$(id -u)" = 0 ] || die "run this as root: WHM plugins are installed by root (e.g. 'sudo sh install.sh'). Nothing was changed."
[ -d "$CPANEL" ] || die "$CPANEL is missing: this is not a cPanel & WHM server. Nothing was changed."
[ -x "$CPANEL/bin/register_appconfig" ] ||
  die "$CPANEL/bin/register_appconfig is missing: this cPanel & WHM cannot register plugins. Nothing was changed."
for f in "$NAME/index.cgi" "$NAME.conf" "$NAME.png"; do
  [ -f "$HERE/$f" ] || die "$HERE/$f is missing: run install.sh from the unpacked whm-transfer-console-plugin folder. Nothing was changed."
done

NEW=$DOCROOT/cgi/.$NAME.new.$$
OLD=$DOCROOT/cgi/.$NAME.old.$$
ICON_NEW=$ICONS/.$NAME.png.new.$$
cleanup() { rm -rf "$NEW" "$OLD" "$ICON_NEW"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

mkdir -p "$DOCROOT/cgi" "$ICONS"
# Left-overs of an interrupted run.
rm -rf "$DOCROOT/cgi/.$NAME.new."* "$DOCROOT/cgi/.$NAME.old."* "$ICONS/.$NAME.png.new."*

# The new version goes in beside the old one, then takes its place in two renames.
mkdir "$NEW"
cp -R "$HERE/$NAME/." "$NEW/"
chmod -R u=rwX,go=rX "$NEW"
chmod 0755 "$NEW" "$NEW/index.cgi"
if [ -e "$DEST" ]; then
  mv "$DEST" "$OLD"
fi
mv "$NEW" "$DEST"
rm -rf "$OLD"

cp "$HERE/$NAME.png" "$ICON_NEW"
chmod 0644 "$ICON_NEW"
mv -f "$ICON_NEW" "$ICONS/$NAME.png"

"$CPANEL/bin/register_appconfig" "$HERE/$NAME.conf" ||
  die "register_appconfig refused $HERE/$NAME.conf (its message is above). The files are in $DEST; 'sh uninstall.sh' removes them."

echo "Installed WHM Transfer Console $VERSION in $DEST."
echo "Open it in WHM: Plugins > Transfer Console (https://HOST:2087/cpsessNNNNNNNNNN/cgi/$NAME/index.cgi)."
