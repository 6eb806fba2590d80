#!/bin/sh
# Pack the Linux bundle (dist/erial-desk) with its install script, desktop entry and icon:
# dist/erial-desk-VERSION-linux-ARCH.tar.gz.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIST=$ROOT/dist
VERSION=$(cat "$DIST/erial-desk/VERSION")
NAME=erial-desk-$VERSION-linux-$(uname -m)
STAGE=$ROOT/build/tarball/$NAME

rm -rf "$ROOT/build/tarball"
mkdir -p "$STAGE"
cp -R "$DIST/erial-desk" "$STAGE/erial-desk"
for file in install.sh uninstall.sh erial-desk.desktop erial-desk.svg erial-desk.png; do
    cp "$ROOT/installer/linux/$file" "$STAGE/$file"
done
chmod 755 "$STAGE/install.sh" "$STAGE/uninstall.sh"
tar -C "$ROOT/build/tarball" -czf "$DIST/$NAME.tar.gz" "$NAME"
echo "$DIST/$NAME.tar.gz"
