#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails unless the object files in ARCHIVE define no code symbols besides the ones named.
Used for objects compiled with a non-standard calling convention (see arch/x86/meson.build):
any other function there, e.g. an out-of-line copy of an inline function the linker might
pick for normal callers, would break those callers.
With --no-calls, the code must also contain no call instruction.
Usage: check_defined_symbols.py [--no-calls] ARCHIVE STAMP_OUTPUT SYMBOL..."""
import subprocess
import sys

arguments = sys.argv[1:]
no_calls = arguments[0] == "--no-calls"
if no_calls:
    arguments = arguments[1:]
archive, stamp, allowed = arguments[0], arguments[1], set(arguments[2:])
listing = subprocess.run(["nm", "--defined-only", archive], capture_output=True, text=True, check=True).stdout
code = set()
for line in listing.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "TtWwi":
        code.add(fields[2])
unexpected = code - allowed
if unexpected or not allowed <= code:
    sys.exit(f"{archive}: code symbols {sorted(code)}, expected exactly {sorted(allowed)}")
if no_calls:
    # The code may call nothing: a callee would not keep what the convention fixes.
    disassembly = subprocess.run(["objdump", "-d", "--no-show-raw-insn", archive], capture_output=True, text=True,
                                 check=True).stdout
    calls = [line.strip() for line in disassembly.splitlines() if "\tcall" in line]
    if calls:
        sys.exit(f"{archive}: calls a function: {calls}")
open(stamp, "w").write("ok\n")
