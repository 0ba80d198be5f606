#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds Pistachio's own X.2 programs, l4test and pingpong, unchanged against this clone's
# libl4, and boots one of them on Tern as the root task. Pistachio is not part of Tern: give
# its source tree (a checkout, or a git repository such as the one `fetch github:l4ka/pistachio`
# gives), which is only read.
#
#   tools/pistachio.sh build PISTACHIO            # into build/pistachio/{l4test,pingpong}/roottask
#   tools/pistachio.sh run PISTACHIO l4test       # l4test runs all its tests (L4TEST_AUTORUN)
#   tools/pistachio.sh run PISTACHIO pingpong [CHOICE]  # pingpong's menu answered with CHOICE (1)
#
# TERN_QEMU_ARGS adds QEMU options, e.g. "-icount shift=0,sleep=off": then 1 ns of guest time
# is one guest instruction, so pingpong's microseconds times 1000 are instructions.
# PINGPONG_RDTSC=1 (with build or run) gives pingpong's portable path a read_cycles() that
# reads rdtsc (tools/pingpong_rdtsc.h, force-included; the source is not touched): under
# -icount its "cycles" column is then instructions per one-way IPC with two decimals.
#
# How they are built is how Pistachio's build system builds them, with three differences that
# are Tern's (docs/x2-compatibility.md): the compiler's language is C++98 (-std=gnu++98: the
# code predates C++11), -w (it warns under today's GCC), and libl4 is Tern's. They are linked
# as Pistachio links them: ld -N -Ttext=0x1000000 with their own crt0, which calls __L4_Init.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command=${1:-}; source_tree=${2:-}
[ -n "$command" ] && [ -n "$source_tree" ] || { sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build=$root/build
out=$build/pistachio

sources() {
  if [ -d "$source_tree/user/apps/l4test" ]; then
    echo "$source_tree"
  elif git --git-dir="$source_tree" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
       git -C "$source_tree" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    mkdir -p "$out/src"
    if [ -d "$source_tree/.git" ]; then git -C "$source_tree" archive HEAD user | tar x -C "$out/src"
    else git --git-dir="$source_tree" archive HEAD user | tar x -C "$out/src"; fi
    echo "$out/src"
  else
    echo "pistachio.sh: $source_tree is neither a Pistachio source tree nor a git repository of one" >&2
    exit 2
  fi
}

build_all() {
  "$root/tern" build >/dev/null
  local tree; tree=$(sources)
  local include; include=$(gcc -print-file-name=include)
  local common=(-O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only
                -nostdinc -idirafter "$include" -I"$root/libl4/include" -I"$build/abi")
  local cxx=("${common[@]}" -w -fno-exceptions -fno-rtti -fno-threadsafe-statics -std=gnu++98)
  local link=(ld -N -nostdlib -e_start -Ttext=0x1000000 --no-warn-rwx-segments --no-warn-execstack)
  local libraries=("$build/libl4/libl4.a" "$(gcc -print-libgcc-file-name)")

  local l4test=$tree/user/apps/l4test objects=()
  mkdir -p "$out/l4test"
  for file in main assert menu threads string ipc ipc-string ipc-pf ipc-smp kip mem sig0 exreg tcontrol \
              schedule amd64/help amd64/tests; do
    g++ "${cxx[@]}" -DL4TEST_AUTORUN -I"$l4test/amd64" -I"$l4test" -c "$l4test/$file.cc" \
        -o "$out/l4test/${file##*/}.o"
    objects+=("$out/l4test/${file##*/}.o")
  done
  gcc "${common[@]}" -c "$l4test/amd64/crt0.S" -o "$out/l4test/crt0.o"
  "${link[@]}" "$out/l4test/crt0.o" "${objects[@]}" "${libraries[@]}" -o "$out/l4test/roottask"

  local pingpong=$tree/user/apps/bench/pingpong
  mkdir -p "$out/pingpong"
  local measure=()
  [ "${PINGPONG_RDTSC:-0}" = 1 ] && measure=(-include "$root/tools/pingpong_rdtsc.h")
  g++ "${cxx[@]}" "${measure[@]}" -c "$pingpong/pingpong.cc" -o "$out/pingpong/pingpong.o"
  gcc "${common[@]}" -c "$pingpong/crt0-amd64.S" -o "$out/pingpong/crt0.o"
  "${link[@]}" "$out/pingpong/crt0.o" "$out/pingpong/pingpong.o" "${libraries[@]}" -o "$out/pingpong/roottask"
  echo "pistachio.sh: built $out/l4test/roottask and $out/pingpong/roottask"
}

run() {
  local program=${1:-l4test} input=${2:-1} limit=600 quiet=20
  build_all >/dev/null
  cd "$root"
  local log=$out/$program.log
  : >"$log"
  # Both programs end at a menu waiting for input (pingpong first gets its choice): the run
  # ends when the output has been quiet for $quiet seconds, or at $limit.
  local input_fifo=$out/$program.input
  rm -f "$input_fifo" && mkfifo "$input_fifo"
  { if [ "$program" = pingpong ]; then sleep 8; printf '%s' "$input"; fi; sleep "$limit"; } >"$input_fifo" &
  local feeder=$!
  qemu-system-x86_64 -display none -nic none -no-reboot -m 256 -serial stdio \
    -kernel build/arch/x86/tern.elf32 -append "" \
    -initrd "build/sigma0/sigma0,build/pistachio/$program/roottask" ${TERN_QEMU_ARGS:-} <"$input_fifo" >"$log" 2>/dev/null &
  local qemu=$! size=-1 still=0
  for ((second = 0; second < limit && still < quiet; ++second)); do
    sleep 1
    local now; now=$(stat -c %s "$log")
    if [ "$now" = "$size" ]; then still=$((still + 1)); else still=0; size=$now; fi
  done
  kill $qemu 2>/dev/null || true
  pkill -P $feeder 2>/dev/null || true
  kill $feeder 2>/dev/null || true
  wait $qemu $feeder 2>/dev/null || true
  rm -f "$input_fifo"
  tr -d '\r' <"$log"
}

case "$command" in
  build) build_all ;;
  run) run "${3:-l4test}" "${4:-1}" ;;
  *) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
