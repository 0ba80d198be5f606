#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails unless the object files in ARCHIVE define no code symbols besides the ones named.
Used for objects compiled with a non-standard calling convention (see arch/x86/meson.build):
any other function there, e.g. an out-of-line copy of an inline function the linker might
pick for normal callers, would break those callers.
Usage: check_defined_symbols.py ARCHIVE STAMP_OUTPUT SYMBOL..."""
import subprocess
import sys

archive, stamp, allowed = sys.argv[1], sys.argv[2], set(sys.argv[3:])
listing = subprocess.run(["nm", "--defined-only", archive], capture_output=True, text=True, check=True).stdout
code = set()
for line in listing.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "TtWwi":
        code.add(fields[2])
unexpected = code - allowed
if unexpected or not allowed <= code:
    sys.exit(f"{archive}: code symbols {sorted(code)}, expected exactly {sorted(allowed)}")
open(stamp, "w").write("ok\n")
