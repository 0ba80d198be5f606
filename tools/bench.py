#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots each benchmark root task (IPC round trips, mapping, page touches under the two
pager policies, interrupt latency) under QEMU twice, with -icount shift=0 (rdtsc counts guest instructions) and
plain TCG (rdtsc is the host TSC), and prints one table of their `BENCH <label>: <value>`
lines. Usage: bench.py BUILD_DIR"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

build = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
roottasks = ["tests/bench/ipc_bench", "tests/bench/map_bench", "tests/bench/pager_bench", "tests/bench/irq_bench"]
modes = [("guest instructions (-icount shift=0)", ["-icount", "shift=0,sleep=off"]), ("TCG host ticks", [])]
results = {}
with tempfile.TemporaryDirectory() as work:
    roottask = Path(work) / "roottask"
    for program in roottasks:
        roottask.write_bytes((build / program).read_bytes())
        for name, extra in modes:
            command = ["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot", "-m", "128",
                       "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio",
                       "-kernel", str(build / "arch/x86/tern.elf32"), "-append", "ticks=0",
                       "-initrd", f"{build / 'sigma0/sigma0'},{roottask}"] + extra
            output = subprocess.run(command, capture_output=True, text=True, timeout=300).stdout
            if "BENCH done" not in output:
                sys.exit(f"{Path(program).name} did not finish under {name}:\n{output[-2000:]}")
            for label, value in re.findall(r"^BENCH (.*): (\d+)\r?$", output, re.MULTILINE):
                results.setdefault(label, {})[name] = int(value)

print(f"| rdtsc per operation | {' | '.join(name for name, _ in modes)} |")
print(f"|---|{'---|' * len(modes)}")
for label, values in results.items():
    print(f"| {label} | {' | '.join(str(values.get(name, '-')) for name, _ in modes)} |")
