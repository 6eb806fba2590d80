#!/bin/sh
# Install e-Rial Desk from this folder (the unpacked tarball) for every account on this machine.
#
#   sudo ./install.sh                 into /opt, with the command in /usr/local/bin
#   PREFIX=$HOME/.local ./install.sh  for one account, without root
#
# Each version gets its own folder (PREFIX/lib/erial-desk/VERSION, or /opt/erial-desk/VERSION);
# "current" points at the one in use, so installing a newer version keeps the older one to go
# back to. The terminal's data (~/.local/share/erial-desk of each account) is never touched: the
# desk upgrades its database at the next start, after copying it to the data's "backups" folder.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=$(cat "$HERE/erial-desk/VERSION")
PREFIX=${PREFIX:-/usr/local}
if [ "$PREFIX" = /usr/local ]; then
    PROGRAMS=${PROGRAMS:-/opt/erial-desk}
else
    PROGRAMS=${PROGRAMS:-$PREFIX/lib/erial-desk}
fi
BIN=$PREFIX/bin
SHARE=$PREFIX/share

if [ ! -x "$HERE/erial-desk/erial-desk" ]; then
    echo "install.sh: run it from the unpacked e-Rial Desk tarball" >&2
    exit 2
fi

echo "Installing e-Rial Desk $VERSION into $PROGRAMS/$VERSION"
mkdir -p "$PROGRAMS" "$BIN" "$SHARE/applications" \
    "$SHARE/icons/hicolor/256x256/apps" "$SHARE/icons/hicolor/scalable/apps"
rm -rf "$PROGRAMS/$VERSION.new"
cp -R "$HERE/erial-desk" "$PROGRAMS/$VERSION.new"
rm -rf "$PROGRAMS/$VERSION"
mv "$PROGRAMS/$VERSION.new" "$PROGRAMS/$VERSION"
ln -sfn "$VERSION" "$PROGRAMS/current"
ln -sfn "$PROGRAMS/current/erial-desk" "$BIN/erial-desk"

cp "$HERE/erial-desk.png" "$SHARE/icons/hicolor/256x256/apps/erial-desk.png"
cp "$HERE/erial-desk.svg" "$SHARE/icons/hicolor/scalable/apps/erial-desk.svg"
sed "s|@BIN@|$BIN|g" "$HERE/erial-desk.desktop" > "$SHARE/applications/erial-desk.desktop"
chmod 644 "$SHARE/applications/erial-desk.desktop"
# Menus and icon caches pick the new entry up at once where the tools exist.
command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true

echo "Done. Check this terminal with: $BIN/erial-desk selftest"
