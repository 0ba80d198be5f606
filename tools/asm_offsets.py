#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the '@asm_offset NAME VALUE' markers of a compiled asm_offsets.cpp into NASM
equates. Usage: asm_offsets.py INPUT.s OUTPUT.inc"""
import re
import sys

source, target = sys.argv[1], sys.argv[2]
lines = ["; Generated from arch/x86/asm_offsets.cpp by tools/asm_offsets.py. Do not edit."]
seen = set()
for match in re.finditer(r'@asm_offset (\w+) \$?(-?\d+)', open(source).read()):
    name, value = match.group(1), int(match.group(2)) & (2**64 - 1)
    if name in seen:
        sys.exit(f"asm_offsets: {name} exported twice")
    seen.add(name)
    lines.append(f"%define {name} 0x{value:x}")
if not seen:
    sys.exit("asm_offsets: no markers found")
open(target, "w").write("\n".join(lines) + "\n")
