#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches lwIP from Debian's lwip source package into third_party/lwip (ignored by git,
# never committed): the network server's TCP/IP stack (docs/network.md). The deb-src line it
# needs is its own (a private sources list and package lists under third_party/.apt), so the
# system's apt configuration is not changed. Does nothing when the tree is there.
set -euo pipefail
cd "$(dirname "$0")/.."
target=third_party/lwip
[ -f "$target/src/core/init.c" ] && exit 0
work=third_party/.apt
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
cat > "$work/sources.list" <<'SOURCES'
deb-src http://deb.debian.org/debian bookworm main
SOURCES
apt_options=(-o Dir::Etc::SourceList="$PWD/$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o Dir::State::Lists="$PWD/$work/lists" -o Dir::Cache="$PWD/$work/cache" -o APT::Sandbox::User=root)
apt-get "${apt_options[@]}" -qq update
(cd "$work/download" && apt-get "${apt_options[@]}" -qq source --download-only lwip)
archive=$(ls "$work"/download/lwip_*.orig.tar.* | head -n 1)
rm -rf "$target" "$work/unpacked"
mkdir -p "$work/unpacked"
tar -xf "$archive" -C "$work/unpacked"
mv "$work"/unpacked/lwip-* "$target"
echo "fetch_lwip: $(basename "$archive") in $target" >&2
