#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds a BIOS-bootable GRUB ISO holding the kernel and its boot modules.
# Usage: make_iso.sh OUTPUT.iso KERNEL.elf "KERNEL COMMAND LINE" [--entry "TITLE" MODULE "ARGS"]...
#                    [MODULE_FILE "MODULE ARGS"]...
# Without --entry the menu has one entry, "Tern", booting every module with its arguments. Each
# --entry adds one, in order, the first the default: the same modules, MODULE's arguments
# replaced by ARGS. A menu of more than one entry waits two seconds for a choice.
set -euo pipefail
output=$1 kernel=$2 command_line=$3
shift 3
titles=() changed=() changed_args=()
while [ $# -ge 4 ] && [ "$1" = --entry ]; do
  titles+=("$2") changed+=("$3") changed_args+=("$4")
  shift 4
done
if [ ${#titles[@]} -eq 0 ]; then
  titles=(Tern) changed=("") changed_args=("")
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/tern.elf"
modules=("$@")
for ((m = 0; m + 1 < ${#modules[@]}; m += 2)); do
  cp "${modules[m]}" "$root/boot/$(basename "${modules[m]}")"
done
{
  cat "$here/grub.cfg"
  [ ${#titles[@]} -gt 1 ] && echo 'set timeout=2'
  for e in "${!titles[@]}"; do
    echo "menuentry \"${titles[e]}\" {"
    echo "  multiboot /boot/tern.elf $command_line"
    for ((m = 0; m + 1 < ${#modules[@]}; m += 2)); do
      name=$(basename "${modules[m]}") args=${modules[m + 1]}
      [ "$name" = "${changed[e]}" ] && args=${changed_args[e]}
      echo "  module /boot/$name $name $args"
    done
    echo '  boot'
    echo '}'
  done
} > "$root/boot/grub/grub.cfg"
grub-mkrescue --quiet -o "$output" "$root" 2>/dev/null || grub-mkrescue -o "$output" "$root"
