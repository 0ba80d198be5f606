#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds a BIOS-bootable GRUB ISO holding the kernel and its boot modules.
# Usage: make_iso.sh OUTPUT.iso KERNEL.elf "KERNEL COMMAND LINE" [MODULE_FILE "MODULE ARGS"]...
set -euo pipefail
output=$1 kernel=$2 command_line=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/tern.elf"
{
  cat "$here/grub.cfg"
  echo 'menuentry "Tern" {'
  echo "  multiboot /boot/tern.elf $command_line"
  while [ $# -ge 2 ]; do
    name=$(basename "$1")
    cp "$1" "$root/boot/$name"
    echo "  module /boot/$name $name $2"
    shift 2
  done
  echo '  boot'
  echo '}'
} > "$root/boot/grub/grub.cfg"
grub-mkrescue --quiet -o "$output" "$root" 2>/dev/null || grub-mkrescue -o "$output" "$root"
