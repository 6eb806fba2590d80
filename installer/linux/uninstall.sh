#!/bin/sh
# Remove e-Rial Desk's program files (every installed version), its menu entry and icon.
# Give the same PREFIX as to install.sh. The terminal's data (~/.local/share/erial-desk of each
# account: journal, keys, settings, log, backups) is the office's record and is left in place.
set -eu

PREFIX=${PREFIX:-/usr/local}
if [ "$PREFIX" = /usr/local ]; then
    PROGRAMS=${PROGRAMS:-/opt/erial-desk}
else
    PROGRAMS=${PROGRAMS:-$PREFIX/lib/erial-desk}
fi
rm -f "$PREFIX/bin/erial-desk" "$PREFIX/share/applications/erial-desk.desktop" \
    "$PREFIX/share/icons/hicolor/256x256/apps/erial-desk.png" \
    "$PREFIX/share/icons/hicolor/scalable/apps/erial-desk.svg"
rm -rf "$PROGRAMS"
echo "e-Rial Desk removed. Each account's terminal data in ~/.local/share/erial-desk was kept."
